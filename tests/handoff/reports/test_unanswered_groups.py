"""The reports' top unanswered questions: grouped by meaning, the most asked wording shown for each group."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from handoff.learning.candidates import cluster
from handoff.reports.report import _grouped
from knowledge_base.embedding import Embedder

T0 = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)


def test_a_group_counts_all_its_wordings_and_shows_the_most_asked_one() -> None:
    tallied = [("do you take amex", 2, T0), ("is gift wrap free", 3, T0), ("amex accepted?", 4, T0 + timedelta(days=1))]
    rows = _grouped(tallied, [[0, 2], [1]])
    assert rows == [
        ("amex accepted?", 6, T0 + timedelta(days=1), ["do you take amex"]),
        ("is gift wrap free", 3, T0, []),
    ]


def test_the_learning_loops_embedding_puts_rewordings_together_and_other_questions_apart() -> None:
    texts = ["do you ship to canada", "do you deliver to canada", "which credit cards do you take"]
    groups = cluster(Embedder("all-MiniLM-L6-v2").encode(texts))
    assert sorted(map(sorted, groups)) == [[0, 1], [2]]
