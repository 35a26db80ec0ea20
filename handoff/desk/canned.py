"""Agents' canned responses (canned_responses.yml), in each language customers write.

Every response has an English title and text and a Chinese one (``zh``); the console shows those in the
ticket's language and fills ``{first_name}`` in, with the language's ``no_first_name`` when the customer's
name is unknown. The file is read on each request, so an edit shows without a restart; a broken file is a
``CannedResponsesError`` naming the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from handoff.errors import ConfigurationError
from knowledge_base.language import DEFAULT_LANGUAGE, LANGUAGES

CANNED_FILE = Path(__file__).resolve().parent / "canned_responses.yml"
TRANSLATED = tuple(language for language in LANGUAGES if language != DEFAULT_LANGUAGE)  # zh


class CannedResponsesError(ConfigurationError):
    code = "canned_responses_invalid"


@dataclass(frozen=True)
class Wording:
    title: str
    text: str


@dataclass(frozen=True)
class CannedResponse:
    id: str
    wordings: dict[str, Wording]  # by language: en, zh

    def as_json(self, language: str) -> dict[str, str]:
        wording = self.wordings[language]
        return {"id": self.id, "title": wording.title, "text": wording.text}


@dataclass(frozen=True)
class CannedResponses:
    responses: tuple[CannedResponse, ...]
    no_first_name: dict[str, str]  # what {first_name} becomes without a name, by language

    def in_language(self, language: str) -> dict[str, Any]:
        """The console API's answer: the responses in ``language`` (one of LANGUAGES)."""
        return {
            "language": language,
            "no_first_name": self.no_first_name[language],
            "responses": [response.as_json(language) for response in self.responses],
        }


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CannedResponsesError(f"{CANNED_FILE.name}: {where} must be a non-empty text")
    return value.strip()


def _wording(entry: Any, where: str) -> Wording:
    if not isinstance(entry, dict):
        raise CannedResponsesError(f"{CANNED_FILE.name}: {where} must be a mapping with title and text")
    return Wording(_text(entry.get("title"), f"{where}.title"), _text(entry.get("text"), f"{where}.text"))


def _response(entry: Any, index: int) -> CannedResponse:
    where = f"responses[{index}]"
    if not isinstance(entry, dict):
        raise CannedResponsesError(f"{CANNED_FILE.name}: {where} must be a mapping with id, title, text and zh")
    wordings = {DEFAULT_LANGUAGE: _wording(entry, where)}
    for language in TRANSLATED:
        wordings[language] = _wording(entry.get(language), f"{where}.{language}")
    return CannedResponse(_text(entry.get("id"), f"{where}.id"), wordings)


def load(path: Path = CANNED_FILE) -> CannedResponses:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CannedResponsesError(f"{path.name} cannot be read: {error}") from error
    if not isinstance(document, dict):
        raise CannedResponsesError(f"{path.name} must be a mapping with no_first_name and responses")
    names = document.get("no_first_name")
    if not isinstance(names, dict):
        raise CannedResponsesError(f"{path.name}: no_first_name must map each language ({', '.join(LANGUAGES)})")
    no_first_name = {language: _text(names.get(language), f"no_first_name.{language}") for language in LANGUAGES}
    entries = document.get("responses")
    if not isinstance(entries, list):
        raise CannedResponsesError(f"{path.name}: responses must be a list")
    responses = tuple(_response(entry, index) for index, entry in enumerate(entries))
    ids = [response.id for response in responses]
    if len(set(ids)) != len(ids):
        raise CannedResponsesError(f"{path.name}: responses have the same id twice")
    return CannedResponses(responses, no_first_name)


__all__ = ["CANNED_FILE", "CannedResponse", "CannedResponses", "CannedResponsesError", "load"]
