"""Articles as version-controlled YAML files: one file per article, named by its slug.

title: How long does standard shipping take?
category: shipping
tags: [shipping]
status: published          # optional; draft | published | archived
answer: |
  Customer-facing answer.
questions:
  - How long does shipping take?
  - ...
zh:                        # optional: the article for Chinese-speaking customers
  title: 标准配送要多久？
  answer: |
    …
  questions:
    - 发货要几天
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.errors import ArticleFileError, ArticleFilesInvalid
from knowledge_base.passages import answer_passages

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STATUSES = ("draft", "published", "archived")
REQUIRED_FIELDS = ("title", "category", "answer", "questions")
TRANSLATION_LANGUAGES = ("zh",)  # besides English, the languages an article can be written in
OPTIONAL_FIELDS = ("tags", "status", *TRANSLATION_LANGUAGES)
MIN_QUESTIONS = 1
MAX_FILE_BYTES = 256 * 1024
MAX_TITLE = 300
MAX_ANSWER = 20_000
MAX_QUESTION = 500


@dataclass(frozen=True)
class ArticleText:
    """The article in another language: what a customer reads and asks in it."""

    title: str
    answer: str
    questions: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "answer": self.answer, "questions": list(self.questions)}


@dataclass(frozen=True)
class ArticleData:
    slug: str
    title: str
    category: str
    answer: str
    questions: tuple[str, ...]
    tags: tuple[str, ...] = ()
    status: str = "published"
    translations: Mapping[str, ArticleText] = field(default_factory=dict)  # language -> the article in it

    @property
    def content_hash(self) -> str:
        fields: list[Any] = [self.title, self.category, list(self.tags), self.answer, list(self.questions), self.status]
        if self.translations:  # only then: the hashes of articles in English only stay what they were
            fields.append({language: text.as_dict() for language, text in sorted(self.translations.items())})
        canonical = json.dumps(fields, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def translations_as_dict(self) -> dict[str, dict[str, Any]]:
        return {language: text.as_dict() for language, text in self.translations.items()}

    @property
    def passages(self) -> tuple[str, ...]:
        return answer_passages(self.answer)

    def search_texts(self) -> list[str]:
        """The texts whose embeddings represent this article in search: title, questions, answer, its passages."""
        return [self.title, *self.questions, self.answer, *self.passages]


def _check_unicode(path: Path, field: str, value: str) -> None:
    # YAML's "\uD800" escape yields half a surrogate pair: it parses, but can be neither hashed nor stored.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ArticleFileError(path, field, "has characters that are not valid Unicode") from None


def _text(path: Path, raw: dict[str, Any], field: str, max_length: int) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ArticleFileError(path, field, "must be a non-empty text")
    value = value.strip()
    _check_unicode(path, field, value)
    if len(value) > max_length:
        raise ArticleFileError(path, field, f"is {len(value)} characters; at most {max_length}")
    return value


def _text_list(path: Path, raw: dict[str, Any], field: str, minimum: int, max_length: int) -> tuple[str, ...]:
    value = raw.get(field, [])
    if not isinstance(value, list):
        raise ArticleFileError(path, field, "must be a list")
    items: list[str] = []
    for position, item in enumerate(value, start=1):
        if not isinstance(item, str) or not item.strip():
            raise ArticleFileError(path, f"{field}[{position}]", "must be a non-empty text")
        if len(item) > max_length:
            raise ArticleFileError(path, f"{field}[{position}]", f"is {len(item)} characters; at most {max_length}")
        _check_unicode(path, f"{field}[{position}]", item)
        if item.strip() not in items:
            items.append(item.strip())
    if len(items) < minimum:
        raise ArticleFileError(path, field, f"needs at least {minimum} distinct entries, has {len(items)}")
    return tuple(items)


def parse_article(path: Path, text: str) -> ArticleData:
    slug = path.stem
    if not SLUG_PATTERN.match(slug):
        raise ArticleFileError(path, None, "file name must be a slug: lowercase letters, digits and dashes")
    try:
        raw = yaml.safe_load(text)
    except RecursionError:
        raise ArticleFileError(path, None, "is nested too deeply to be an article") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise ArticleFileError(path, where, f"is not valid YAML ({problem})") from None
    if not isinstance(raw, dict):
        raise ArticleFileError(path, None, "must be a YAML mapping with title, category, answer and questions")
    # str(): YAML keys may be numbers or dates, which do not sort among strings.
    unknown = sorted(str(key) for key in set(raw) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        raise ArticleFileError(
            path, unknown[0], f"is not a known field (known: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)})"
        )
    status = raw.get("status", "published")
    if status not in STATUSES:
        raise ArticleFileError(path, "status", f"must be one of {', '.join(STATUSES)}, got {status!r}")
    category = _text(path, raw, "category", 64)
    translations = {
        language: _translation(path, raw[language], language) for language in TRANSLATION_LANGUAGES if language in raw
    }
    return ArticleData(
        slug=slug,
        title=_text(path, raw, "title", MAX_TITLE),
        category=category,
        answer=_text(path, raw, "answer", MAX_ANSWER),
        questions=_text_list(path, raw, "questions", MIN_QUESTIONS, MAX_QUESTION),
        tags=_text_list(path, raw, "tags", 0, 64),
        status=status,
        translations=translations,
    )


def _translation(path: Path, raw: Any, language: str) -> ArticleText:
    if not isinstance(raw, dict):
        raise ArticleFileError(path, language, "must be a mapping with title, answer and questions")
    unknown = sorted(str(key) for key in set(raw) - {"title", "answer", "questions"})
    if unknown:
        raise ArticleFileError(
            path, f"{language}.{unknown[0]}", "is not a known field (known: title, answer, questions)"
        )
    # Field names as the file has them ("zh.title"), so an error points at the right line.
    prefixed = {f"{language}.{key}": value for key, value in raw.items()}
    return ArticleText(
        title=_text(path, prefixed, f"{language}.title", MAX_TITLE),
        answer=_text(path, prefixed, f"{language}.answer", MAX_ANSWER),
        questions=_text_list(path, prefixed, f"{language}.questions", MIN_QUESTIONS, MAX_QUESTION),
    )


def translations_from(raw: Any) -> dict[str, ArticleText]:
    """Translations as stored in the database (``articles.translations``, JSON); malformed entries are skipped."""
    if not isinstance(raw, dict):
        return {}
    found = {}
    for language, text in raw.items():
        if language in TRANSLATION_LANGUAGES and isinstance(text, dict):
            found[language] = ArticleText(
                title=str(text.get("title", "")),
                answer=str(text.get("answer", "")),
                questions=tuple(str(q) for q in text.get("questions") or ()),
            )
    return found


def load_article_file(path: Path) -> ArticleData:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ArticleFileError(path, None, f"is {size} bytes; at most {MAX_FILE_BYTES}")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ArticleFileError(path, None, "is not UTF-8 text") from None
    except OSError as error:
        raise ArticleFileError(path, None, f"cannot be read ({error.strerror})") from None
    return parse_article(path, text)


def load_articles_dir(directory: Path) -> list[ArticleData]:
    """Every article in the directory, or ArticleFilesInvalid listing every problem found."""
    if not directory.is_dir():
        raise ArticleFilesInvalid([ArticleFileError(directory, None, "is not a directory")])
    articles: list[ArticleData] = []
    problems: list[ArticleFileError] = []
    for path in sorted(directory.glob("*.y*ml")):
        try:
            articles.append(load_article_file(path))
        except ArticleFileError as problem:
            problems.append(problem)
    slugs: dict[str, Path] = {}
    for path in sorted(directory.glob("*.y*ml")):
        if path.stem in slugs:
            problems.append(ArticleFileError(path, None, f"has the same slug as {slugs[path.stem].name}"))
        slugs[path.stem] = path
    if problems:
        raise ArticleFilesInvalid(problems)
    return articles


class _LiteralDumper(yaml.SafeDumper):
    pass


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_LiteralDumper.add_representer(str, _represent_text)


def dump_article(article: ArticleData) -> str:
    document: dict[str, Any] = {"title": article.title, "category": article.category}
    if article.tags:
        document["tags"] = list(article.tags)
    if article.status != "published":
        document["status"] = article.status
    answer = article.answer if article.answer.endswith("\n") else article.answer + "\n"
    document["answer"] = answer
    document["questions"] = list(article.questions)
    for language, text in article.translations.items():
        document[language] = {
            "title": text.title,
            "answer": text.answer if text.answer.endswith("\n") else text.answer + "\n",
            "questions": list(text.questions),
        }
    return yaml.dump(document, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


def write_articles_dir(directory: Path, articles: Iterable[ArticleData]) -> int:
    """Write each article to ``<slug>.yml``; returns how many were written."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for article in articles:
        (directory / f"{article.slug}.yml").write_text(dump_article(article), encoding="utf-8")
        count += 1
    return count
