"""bench kb-finetune-cv: training batches never hold two pairs of one article (no false in-batch negatives)."""

from __future__ import annotations

import random

from bench.kb_finetune_cv import batches, pairs_for_training
from knowledge_base.article_files import ArticleData


def article(slug: str, questions: tuple[str, ...]) -> ArticleData:
    return ArticleData(slug=slug, title=slug.title(), category="general", answer="...", questions=questions)


def test_pairs_come_from_one_article_and_batches_hold_each_article_once() -> None:
    articles = [article("a", ("a1", "a2", "a3")), article("b", ("b1", "b2")), article("c", ("c1",))]
    keep = {a.slug: a.questions for a in articles}
    pairs = pairs_for_training(articles, keep, random.Random(1))
    assert len(pairs) == 6
    assert all(partner != variant and partner[0].lower() == slug for slug, variant, partner in pairs)
    grouped = batches(pairs, size=2)
    assert sorted(p for batch in grouped for p in batch) == sorted(pairs), "every pair is trained on once"
    assert all(len({slug for slug, *_ in batch}) == len(batch) <= 2 for batch in grouped)
