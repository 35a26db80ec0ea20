"""Search quality on a file of labelled questions: what the tests assert and the benchmarks report.

The file is YAML with ``in_scope: [{q: ..., expect: slug}]`` and ``out_of_scope: [question, ...]``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from knowledge_base.errors import ArticleFileError
from knowledge_base.search import SearchHit, decide
from knowledge_base.settings import KnowledgeBaseSettings

Search = Callable[[str, int], Sequence[SearchHit]]  # (question, limit) -> ranked hits


@dataclass(frozen=True)
class LabelledQuestions:
    in_scope: list[tuple[str, str]]
    out_of_scope: list[str]


@dataclass
class EvaluationReport:
    top1: float
    top3: float
    answered: float  # in-scope questions the answer rule answers outright
    correct_answered: float  # ... and with the right article first
    out_of_scope_rejected: float  # out-of-scope questions the answer rule does not answer
    misses: list[tuple[str, str, str, float]] = field(default_factory=list)  # question, expected, got, score
    false_answers: list[tuple[str, str, float]] = field(default_factory=list)  # question, got, score

    def summary(self) -> str:
        return (
            f"top-1 {self.top1:.1%}, top-3 {self.top3:.1%}, answered {self.answered:.1%} "
            f"(right {self.correct_answered:.1%}), out-of-scope rejected {self.out_of_scope_rejected:.1%}"
        )


def load_questions(path: Path) -> LabelledQuestions:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    in_scope = []
    for position, entry in enumerate(raw.get("in_scope", []), start=1):
        if not isinstance(entry, dict) or not entry.get("q") or not entry.get("expect"):
            raise ArticleFileError(path, f"in_scope[{position}]", "needs q and expect")
        in_scope.append((str(entry["q"]), str(entry["expect"])))
    return LabelledQuestions(in_scope, [str(question) for question in raw.get("out_of_scope", [])])


def evaluate(search: Search, questions: LabelledQuestions, settings: KnowledgeBaseSettings) -> EvaluationReport:
    """Ranking figures, and what the bot's answer rule (threshold, margin, head confidence) does with the hits."""

    def answers(hits: Sequence[SearchHit]) -> bool:
        rule = decide(
            hits,
            answer_threshold=settings.answer_threshold,
            answer_margin=settings.answer_margin,
            suggest_threshold=settings.suggest_threshold,
            suggestions=1,
            answer_confidence=settings.answer_confidence,
            unfamiliar_penalty=settings.unfamiliar_penalty,
        )
        return rule.verdict == "answer"

    top1 = top3 = answered = correct_answered = 0
    misses, false_answers = [], []
    for question, expected in questions.in_scope:
        hits = search(question, 3)
        slugs = [hit.slug for hit in hits]
        if slugs[:1] == [expected]:
            top1 += 1
        else:
            misses.append((question, expected, slugs[0] if slugs else "-", hits[0].score if hits else 0.0))
        top3 += expected in slugs
        if answers(hits):
            answered += 1
            correct_answered += slugs[0] == expected
    rejected = 0
    for question in questions.out_of_scope:
        hits = search(question, 2)
        if not answers(hits):
            rejected += 1
        else:
            false_answers.append((question, hits[0].slug, hits[0].score))
    total, total_oos = max(len(questions.in_scope), 1), max(len(questions.out_of_scope), 1)
    return EvaluationReport(
        top1=top1 / total,
        top3=top3 / total,
        answered=answered / total,
        correct_answered=correct_answered / total,
        out_of_scope_rejected=rejected / total_oos,
        misses=misses,
        false_answers=false_answers,
    )
