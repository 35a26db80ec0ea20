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
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from knowledge_base.errors import ArticleFileError, ArticleFilesInvalid
from knowledge_base.passages import answer_passages

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STATUSES = ("draft", "published", "archived")
REQUIRED_FIELDS = ("title", "category", "answer", "questions")
OPTIONAL_FIELDS = ("tags", "status")
MIN_QUESTIONS = 1
MAX_FILE_BYTES = 256 * 1024
MAX_TITLE = 300
MAX_ANSWER = 20_000
MAX_QUESTION = 500


@dataclass(frozen=True)
class ArticleData:
    slug: str
    title: str
    category: str
    answer: str
    questions: tuple[str, ...]
    tags: tuple[str, ...] = ()
    status: str = "published"

    @property
    def content_hash(self) -> str:
        canonical = json.dumps(
            [self.title, self.category, list(self.tags), self.answer, list(self.questions), self.status],
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

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
    return ArticleData(
        slug=slug,
        title=_text(path, raw, "title", MAX_TITLE),
        category=category,
        answer=_text(path, raw, "answer", MAX_ANSWER),
        questions=_text_list(path, raw, "questions", MIN_QUESTIONS, MAX_QUESTION),
        tags=_text_list(path, raw, "tags", 0, 64),
        status=status,
    )


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
    return yaml.dump(document, Dumper=_LiteralDumper, sort_keys=False, allow_unicode=True, width=100)


def write_articles_dir(directory: Path, articles: Iterable[ArticleData]) -> int:
    """Write each article to ``<slug>.yml``; returns how many were written."""
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    for article in articles:
        (directory / f"{article.slug}.yml").write_text(dump_article(article), encoding="utf-8")
        count += 1
    return count
