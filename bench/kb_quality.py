"""Knowledge-base search quality on the labelled customer questions, at the configured thresholds.

python -m bench.kb_quality [--no-append]
"""

from __future__ import annotations

import argparse
import sys

from bench.common import ROOT, append_results, progress
from knowledge_base.article_files import load_articles_dir
from knowledge_base.embedding import Embedder
from knowledge_base.evaluation import evaluate, load_questions
from knowledge_base.search import SearchIndex
from knowledge_base.settings import KnowledgeBaseSettings

EVAL_FILE = ROOT / "tests" / "knowledge_base" / "search_eval.yml"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    kb = KnowledgeBaseSettings.from_env()
    embedder = Embedder(kb.embedding_model)
    articles = load_articles_dir(kb.articles_dir)
    progress(f"embedding {len(articles)} articles")
    index = SearchIndex(
        articles, embedder.encode([t for a in articles for t in a.search_texts()]), embedder.general_words()
    )
    questions = load_questions(EVAL_FILE)

    def search(question: str, limit: int):  # type: ignore[no-untyped-def]
        normalised = index.normalise(question)
        return index.search(embedder.encode_one(normalised), normalised, limit)

    report = evaluate(search, questions, kb)
    table = (
        "| measure | figure |\n|---|---:|\n"
        f"| questions (in scope / out of scope) | {len(questions.in_scope)} / {len(questions.out_of_scope)} |\n"
        f"| top-1 | {report.top1:.1%} |\n| top-3 | {report.top3:.1%} |\n"
        f"| answered outright (score ≥ {kb.answer_threshold}) | {report.answered:.1%} |\n"
        f"| answered outright and right | {report.correct_answered:.1%} |\n"
        f"| out-of-scope below the answer threshold | {report.out_of_scope_rejected:.1%} |\n\n"
        "The weights and thresholds were chosen on this same file: expect lower figures on unseen questions."
    )
    print(table)
    if not args.no_append:
        append_results("Knowledge-base search quality", "python -m bench.kb_quality", table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
