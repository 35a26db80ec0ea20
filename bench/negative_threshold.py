"""How close a question must be to a negative lesson for the lesson to rule an article out.

    python -m bench negative-threshold [--no-append]

On tuning data only (tests/knowledge_base/search_eval.yml's labelled questions and the articles'
variants; never bench learn's rewordings): every labelled question is taken in turn as a lesson
"nothing we have answers this". At each similarity threshold:

- reach: the share of pairs of questions about the same article (the nearest thing to a rewording
  in the tuning data) at least that similar, so a lesson on one would cover the other;
- harm: the share of questions that some lesson about another article would rule their right article
  out of (the lesson closer to the question than any of the right article's own variants, the rule
  of knowledge_base/negative.py).

knowledge_base/negative.py's RULE_OUT_SIMILARITY is the lowest threshold with no more harm than the
strictest ones still reaching any pair.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import yaml

from bench.common import ROOT, append_results, command_line, progress
from knowledge_base.article_files import load_articles_dir
from knowledge_base.embedding import Embedder
from knowledge_base.negative import RULE_OUT_SIMILARITY
from knowledge_base.settings import KnowledgeBaseSettings

THRESHOLDS = (0.55, 0.60, 0.65, 0.70, 0.75, 0.80, 0.85)


def curve(questions: np.ndarray, labels: np.ndarray, own_best: np.ndarray) -> list[tuple[float, float, float]]:
    similarity = questions @ questions.T
    np.fill_diagonal(similarity, -1.0)
    same = labels[:, None] == labels[None, :]
    pairs = similarity[same & (similarity > -1.0)]
    rows = []
    for threshold in THRESHOLDS:
        reach = float((pairs >= threshold).mean()) if len(pairs) else 0.0
        harmful = (similarity >= threshold) & ~same & (similarity > own_best[:, None])
        rows.append((threshold, reach, float(harmful.any(axis=1).mean())))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench negative-threshold", description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    evaluation = yaml.safe_load((ROOT / "tests" / "knowledge_base" / "search_eval.yml").read_text(encoding="utf-8"))
    labelled = evaluation["in_scope"]
    articles = load_articles_dir(ROOT / "knowledge_base" / "articles")
    embedder = Embedder(KnowledgeBaseSettings.from_env().embedding_model)
    progress(f"embedding {len(labelled)} labelled questions and the articles' variants")
    questions = embedder.encode([entry["q"] for entry in labelled])
    labels = np.array([entry["expect"] for entry in labelled])
    variant_texts = [(article.slug, text) for article in articles for text in (article.title, *article.questions)]
    variants = embedder.encode([text for _, text in variant_texts])
    variant_slugs = np.array([slug for slug, _ in variant_texts])
    own_best = np.array(
        [(variants[variant_slugs == label] @ q).max() for q, label in zip(questions, labels, strict=True)]
    )
    lines = [
        "| threshold | reach: same-article pairs covered | harm: questions whose right article some lesson rules out |",
        "|---:|---:|---:|",
    ]
    for threshold, reach, harm in curve(questions, labels, own_best):
        chosen = " (chosen)" if abs(threshold - RULE_OUT_SIMILARITY) < 1e-9 else ""
        lines.append(f"| {threshold:.2f}{chosen} | {reach:.1%} | {harm:.1%} |")
    lines.append(
        f"\n{len(labelled)} labelled questions of tests/knowledge_base/search_eval.yml, each a lesson in turn "
        "(tuning data; bench learn's rewordings are not used)."
    )
    body = "\n".join(lines) + "\n"
    print(body)
    if not args.no_append:
        append_results(
            "Negative lessons: the rule-out similarity (bench negative-threshold)",
            command_line("bench.negative_threshold", argv),
            body,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
