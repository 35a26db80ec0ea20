"""Which words of a question the knowledge base has never seen."""

from __future__ import annotations

from knowledge_base.chinese_words import ChineseWords
from knowledge_base.vocabulary import Vocabulary

VOCABULARY = Vocabulary(["engraving", "battery", "shipping", "card", "student", "discount", "knives", "shelf"])


def test_other_forms_of_known_words_are_known() -> None:
    assert all(VOCABULARY.knows(word) for word in ("engrave", "engraved", "batteries", "ship", "discounts"))
    assert VOCABULARY.knows("knife") and VOCABULARY.knows("shelves"), "f / ves plurals"


def test_new_words_are_unfamiliar_even_when_they_start_like_a_known_one() -> None:
    assert not any(VOCABULARY.knows(word) for word in ("teacher", "cardigan", "bitcoin", "studio"))


def test_only_informative_words_are_counted() -> None:
    assert VOCABULARY.unfamiliar_share(["do", "you", "offer", "a", "teacher", "discount"]) == 2 / 3  # offer, teacher
    assert VOCABULARY.unfamiliar_share(["is", "it", "ok"]) == 0.0


CHINESE = ChineseWords(["我们提供学生折扣。", "退货需要支付运费吗？", "Shipping is free over $50"])


def test_a_chinese_compound_of_known_words_is_known_and_a_new_term_is_not() -> None:
    assert CHINESE.knows("学生折扣") and CHINESE.knows("运费")
    assert not CHINESE.knows("教师"), "教师 (teacher) is in no article"
    unknown, informative = CHINESE.counts("有没有教师折扣")
    assert unknown >= 1 and informative >= 2, (unknown, informative)
    assert CHINESE.counts("学生折扣")[0] == 0


def test_single_characters_and_english_are_not_judged_as_chinese_words() -> None:
    assert CHINESE.counts("吗") == (0, 0)
    assert CHINESE.counts("free shipping") == (0, 0), "English words are the English vocabulary's"


def test_an_index_without_chinese_judges_no_chinese_word() -> None:
    english_only = ChineseWords(["Shipping is free over $50", "We offer a student discount"])
    assert not english_only and english_only.counts("有没有教师折扣") == (0, 0)
