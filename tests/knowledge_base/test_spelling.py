from knowledge_base.spelling import SpellingCorrector, edits1

corrector = SpellingCorrector(
    {"shipping": 9, "refund": 5, "receive": 2, "review": 1}, ["the", "receive", "weather", "netflix"]
)


def test_known_words_are_left_alone() -> None:
    assert corrector.correct("The weather in Spain") == "The weather in Spain"


def test_domain_words_win_over_general_ones() -> None:
    assert corrector.correct("refnd and shiping") == "refund and shipping"
    assert corrector.correct("recieve my reveiw") == "receive my review"


def test_words_with_no_close_match_are_kept() -> None:
    assert corrector.correct("xylophonist zzzz abc") == "xylophonist zzzz abc"


def test_edits_cover_swaps_inserts_deletes_and_replacements() -> None:
    edits = edits1("form")
    assert {"from", "forms", "fom", "farm"} <= edits


def test_english_words_in_common_use_are_not_typos() -> None:
    # Both are one edit from a commoner word the model's own list has ("snapping", "insulted").
    assert corrector.correct("swapping my insulated bottle") == "swapping my insulated bottle"


def test_a_rare_dictionary_word_one_edit_from_a_knowledge_base_word_is_taken_as_that_word() -> None:
    shop = SpellingCorrector({"cheaper": 3, "price": 2}, [])
    assert shop.correct("is it cheeper online") == "is it cheaper online"
    assert shop.correct("a cheeper") == "a cheaper"
    assert shop.correct("aardwolf prices") == "aardwolf prices", "rare, and no knowledge-base word one edit away"


def test_a_typo_outside_the_knowledge_base_becomes_the_commonest_english_word_one_edit_away() -> None:
    assert SpellingCorrector({}, []).correct("my neighbur") == "my neighbor"  # the list is US English
