"""Article files: what a malformed one reports, and that dump/parse round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from knowledge_base.article_files import (
    ArticleData,
    ArticleText,
    dump_article,
    load_article_file,
    load_articles_dir,
    parse_article,
)
from knowledge_base.errors import ArticleFileError, ArticleFilesInvalid
from tests.fuzzing import FUZZ, values, with_some_of, words

GOOD = """\
title: How long do refunds take?
category: refunds
tags: [refunds]
answer: |
  Refunds reach your original payment method within 5-10 business days.
questions:
  - how long does a refund take
  - when will I get my money back
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_parses(tmp_path: Path) -> None:
    article = load_article_file(write(tmp_path, "refund-timing.yml", GOOD))
    assert article.slug == "refund-timing"
    assert article.questions == ("how long does a refund take", "when will I get my money back")
    assert article.status == "published"


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (GOOD.replace("title: How long do refunds take?\n", ""), "title", "non-empty text"),
        (GOOD.replace("category: refunds", "category: ''"), "category", "non-empty text"),
        (GOOD.replace("tags: [refunds]", "tags: refunds"), "tags", "must be a list"),
        (GOOD.replace("  - when will I get my money back\n", "  - 42\n"), "questions[2]", "non-empty text"),
        (GOOD + "status: live\n", "status", "must be one of"),
        (GOOD + "author: me\n", "author", "not a known field"),
        ("title: ok\ncategory: [unclosed\nanswer: x\n", "line 3", "not valid YAML"),
        ("- just\n- a list\n", None, "YAML mapping"),
        (GOOD + "zh: 退款要多久\n", "zh", "must be a mapping"),
        (GOOD + "zh:\n  title: 退款要多久？\n  answer: 5-10个工作日\n", "zh.questions", "at least 1"),
        (GOOD + "zh:\n  title: ''\n  answer: a\n  questions: [q]\n", "zh.title", "non-empty text"),
        (GOOD + "zh:\n  title: t\n  answer: a\n  questions: [q]\n  note: x\n", "zh.note", "not a known field"),
    ],
)
def test_malformed_files_name_file_and_field(tmp_path: Path, text: str, field: str | None, message: str) -> None:
    path = write(tmp_path, "broken.yml", text)
    with pytest.raises(ArticleFileError) as caught:
        load_article_file(path)
    assert caught.value.field == field
    assert message in caught.value.message
    assert str(path) in str(caught.value)


def test_bad_slug_and_non_utf8_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ArticleFileError, match="file name must be a slug"):
        load_article_file(write(tmp_path, "Bad Name.yml", GOOD))
    binary = tmp_path / "binary.yml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ArticleFileError, match="not UTF-8"):
        load_article_file(binary)


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = write(tmp_path, "huge.yml", GOOD + "# " + "x" * 300_000 + "\n")
    with pytest.raises(ArticleFileError, match="bytes; at most"):
        load_article_file(path)


def test_every_problem_in_a_directory_is_listed(tmp_path: Path) -> None:
    write(tmp_path, "good.yml", GOOD)
    write(tmp_path, "one.yml", GOOD.replace("category: refunds", "category: 7"))
    write(tmp_path, "two.yml", "questions: []\n")
    with pytest.raises(ArticleFilesInvalid) as caught:
        load_articles_dir(tmp_path)
    assert sorted(problem.path.name for problem in caught.value.problems) == ["one.yml", "two.yml"]


def test_dump_then_parse_gives_the_same_article(tmp_path: Path) -> None:
    article = ArticleData(
        slug="gift-wrap",
        title="Can you gift-wrap my order?",
        category="policies",
        answer="Yes: gift wrapping costs $4.95.\n- Add it at checkout.\n- A gift receipt is included: no prices.",
        questions=("do you gift wrap", "gift wrapping price?", 'can I add a note: "Happy birthday"'),
        tags=("gifts",),
        status="draft",
        translations={
            "zh": ArticleText(
                "可以礼品包装吗？", "可以：礼品包装 $4.95。\n- 结账时添加。", ("能包装吗", "礼品包装多少钱")
            )
        },
    )
    assert parse_article(tmp_path / "gift-wrap.yml", dump_article(article)) == article


def test_a_chinese_version_is_read_and_changes_the_hash_only_when_present(tmp_path: Path) -> None:
    english = load_article_file(write(tmp_path, "refund-timing.yml", GOOD))
    both = load_article_file(
        write(
            tmp_path,
            "refund-timing.yml",
            GOOD + "zh:\n  title: 退款要多久？\n  answer: 5-10个工作日。\n  questions: [退款多久到账]\n",
        )
    )
    assert both.translations["zh"] == ArticleText("退款要多久？", "5-10个工作日。", ("退款多久到账",))
    assert english.translations == {} and english.content_hash != both.content_hash
    assert ArticleData(**{**both.__dict__, "translations": {}}).content_hash == english.content_hash


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("1: one\ntitle: x\n", "1"),  # a number among the keys: sorting the unknown ones raised TypeError
        ("[" * 5000, None),  # nesting deeper than the parser's recursion: RecursionError
        (
            'title: "a\\uD800"\ncategory: c\nanswer: a\nquestions: [q]\n',
            "title",
        ),  # half a surrogate pair: parsed, then failed to hash or store
        ('title: t\ncategory: c\nanswer: a\nquestions: ["\\uDFFF"]\n', "questions[1]"),
    ],
)
def test_found_by_fuzzing_a_clear_error_naming_the_field(text: str, field: str | None) -> None:
    with pytest.raises(ArticleFileError) as caught:
        parse_article(Path("odd.yml"), text)
    assert caught.value.field == field


ARTICLE = yaml.safe_load(GOOD)
text_fields = st.fixed_dictionaries(
    {"title": words, "category": words, "answer": words, "questions": st.lists(words, min_size=1, max_size=3)},
    optional={"tags": st.lists(words, max_size=2)},
)
documents = st.one_of(with_some_of(ARTICLE), text_fields, values)
slugs = st.one_of(st.from_regex(r"\A[a-z0-9]+(-[a-z0-9]+)*\Z"), st.text(max_size=20))


@FUZZ
@given(slugs, documents)
def test_any_document_is_an_article_or_an_error_naming_the_field(slug: str, document: object) -> None:
    _article_or_clear_error(slug, yaml.safe_dump(document, allow_unicode=True))


@FUZZ
@given(st.text(max_size=400))
def test_any_text_is_an_article_or_an_error_naming_the_field(text: str) -> None:
    _article_or_clear_error("fuzzed", text)


def _article_or_clear_error(slug: str, text: str) -> None:
    try:
        article = parse_article(Path(f"{slug}.yml"), text)
    except ArticleFileError as error:
        assert error.message and str(error).startswith(f"{slug}.yml")
        return
    assert article.slug == slug and article.title and article.answer and article.questions
    assert article.content_hash, "what parses can be hashed and stored (UTF-8 text only)"


printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(str.strip)


@FUZZ
@given(
    st.builds(
        ArticleData,
        slug=st.just("fuzzed"),
        title=printable.map(str.strip),
        category=printable.map(lambda text: text.strip()[:64]).filter(bool),
        answer=printable.map(str.strip),
        questions=st.lists(printable.map(str.strip), min_size=1, max_size=3, unique=True).map(tuple),
        tags=st.lists(printable.map(lambda text: text.strip()[:64]).filter(bool), max_size=2, unique=True).map(tuple),
        status=st.sampled_from(["draft", "published", "archived"]),
    )
)
def test_any_article_survives_export_and_import(article: ArticleData) -> None:
    assert parse_article(Path("fuzzed.yml"), dump_article(article)) == article
