"""Article files: what a malformed one reports, and that dump/parse round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge_base.article_files import (
    ArticleData,
    dump_article,
    load_article_file,
    load_articles_dir,
    parse_article,
)
from knowledge_base.errors import ArticleFileError, ArticleFilesInvalid

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
    )
    assert parse_article(tmp_path / "gift-wrap.yml", dump_article(article)) == article
