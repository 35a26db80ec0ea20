"""Canned responses: every one in English and Chinese, and a broken file names the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.desk.canned import CannedResponsesError, load


def test_every_canned_response_has_a_chinese_title_and_text_that_keeps_the_name() -> None:
    canned = load()
    assert len(canned.responses) >= 6
    for response in canned.responses:
        english, chinese = response.wordings["en"], response.wordings["zh"]
        assert chinese.title != english.title and chinese.text != english.text, response.id
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese.text), response.id
        assert ("{first_name}" in chinese.text) == ("{first_name}" in english.text), response.id
    assert canned.no_first_name == {"en": "there", "zh": "尊敬的客户"}


def test_the_console_gets_the_responses_in_the_language_asked_for() -> None:
    zh = load().in_language("zh")
    assert zh["language"] == "zh" and zh["no_first_name"] == "尊敬的客户"
    refund = next(r for r in zh["responses"] if r["id"] == "refund-issued")
    assert refund == {"id": "refund-issued", "title": "已退款", "text": refund["text"]}
    assert "5-10 个工作日" in refund["text"]
    en = load().in_language("en")
    assert [r["id"] for r in en["responses"]] == [r["id"] for r in zh["responses"]]
    assert next(r for r in en["responses"] if r["id"] == "refund-issued")["title"] == "Refund issued"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("no_first_name: {en: there, zh: 您}\nresponses:\n  - {id: a, title: A, text: Hi}\n", "responses[0].zh"),
        (
            "no_first_name: {en: there, zh: 您}\nresponses:\n  - {id: a, title: A, text: Hi, zh: {title: 甲}}\n",
            "responses[0].zh.text",
        ),
        ("no_first_name: {en: there}\nresponses: []\n", "no_first_name.zh"),
        ("- {id: a, title: A, text: Hi}\n", "no_first_name and responses"),
    ],
)
def test_a_broken_file_names_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "canned_responses.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CannedResponsesError, match=field.replace("[", r"\[").replace("]", r"\]")):
        load(path)
