"""Negative lessons: "don't answer this question, or its rewordings, with that article" (or with any).

Two effects, because a reworded question is rarely as close to the lesson as a copy of it:

- a question close to a lesson (cosine similarity at least ``RULE_OUT_SIMILARITY``) never gets the
  lesson's article (every article, for a "nothing answers this" lesson) as an answer or a suggestion,
  unless that article has a question variant closer still: a trainer who later teaches the question to
  the right article wins over an older "nothing answers this";
- every lesson question is an example of the article head's "none of these" class, so rewordings further
  away lose the head's confidence and get suggestions instead of a confident answer.

The similarity was chosen on tests/knowledge_base/search_eval.yml (tuning data, BENCHMARKS.md issue 13):
below 0.65 a lesson starts to rule articles out of other articles' questions; above 0.80 it reaches
almost no rewording.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

RULE_OUT_SIMILARITY = 0.70


@dataclass(frozen=True)
class NegativeLesson:
    question: str
    article_slug: str | None  # None: nothing the knowledge base has answers it


class NegativeLessons:
    """The lessons with their question vectors, ready to rule articles out for a query."""

    def __init__(self, lessons: Sequence[NegativeLesson], vectors: np.ndarray, slugs: Sequence[str]) -> None:
        if len(lessons) != len(vectors):
            raise ValueError(f"{len(vectors)} vectors for {len(lessons)} negative lessons")
        self.lessons = list(lessons)
        self.vectors = np.asarray(vectors, dtype=np.float32)
        position = {slug: index for index, slug in enumerate(slugs)}
        # -1: every article; -2: an article not published now, so the lesson rules nothing out.
        self.targets = np.array(
            [-1 if lesson.article_slug is None else position.get(lesson.article_slug, -2) for lesson in lessons],
            dtype=np.int64,
        )
        self.article_count = len(slugs)

    def __len__(self) -> int:
        return len(self.lessons)

    def similarities(self, query_vector: np.ndarray) -> np.ndarray:
        return self.vectors @ query_vector if len(self.lessons) else np.zeros(0, dtype=np.float32)

    def ruled_out(self, query_vector: np.ndarray, best_question: np.ndarray) -> np.ndarray:
        """Per article: whether a lesson close to the query rules it out (``best_question`` is each article's
        best title-or-question similarity to the query, which overrides a lesson it beats)."""
        ruled = np.zeros(self.article_count, dtype=bool)
        similarity = self.similarities(query_vector)
        for lesson in np.flatnonzero(similarity >= RULE_OUT_SIMILARITY):
            target = int(self.targets[lesson])
            if target == -1:
                ruled |= best_question < similarity[lesson]
            elif target >= 0 and best_question[target] < similarity[lesson]:
                ruled[target] = True
        return ruled

    def closest(self, query_vector: np.ndarray) -> tuple[NegativeLesson, float] | None:
        """The lesson nearest the query and its similarity, for the trainer's "try a question"."""
        if not self.lessons:
            return None
        similarity = self.similarities(query_vector)
        best = int(np.argmax(similarity))
        return self.lessons[best], float(similarity[best])
