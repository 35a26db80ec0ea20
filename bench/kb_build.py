"""How long the knowledge base's in-memory snapshot takes to build: the part of every edit's refresh spent in Python.

    python -m bench.kb_build [--sizes 10000,100000] [--repeats 2] [--no-append]

After a trainer's edit, the next search rebuilds the snapshot (knowledge_base.search.SearchIndex): spelling
vocabulary, lexical index, word lists, text offsets. This times that construction alone over
bench.kb_search's synthetic articles, with random unit vectors in place of embeddings (no model is loaded,
and the database is not read), so two checkouts can be compared side by side on the same machine:
run it in each, with PYTHONPATH set to the checkout. The best of --repeats builds is reported.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from bench.common import append_results, command_line, progress
from bench.kb_search import synthetic_articles
from knowledge_base.search import SearchIndex


def build_seconds(articles: int, repeats: int) -> tuple[int, float]:
    data = synthetic_articles(articles)
    texts = sum(len(article.search_texts()) for article in data)
    vectors = np.random.default_rng(0).standard_normal((texts, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        SearchIndex(data, vectors, [])
        timings.append(time.perf_counter() - started)
    return texts, min(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench kb-build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma list of article counts")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    rows = [f"| articles | texts | snapshot build s (best of {args.repeats}) |", "|---:|---:|---:|"]
    for size in (int(n) for n in args.sizes.split(",")):
        progress(f"{size} synthetic articles")
        texts, seconds = build_seconds(size, args.repeats)
        rows.append(f"| {size:,} | {texts:,} | {seconds:.2f} |")
    body = "\n".join(rows) + "\n"
    print(body)
    if not args.no_append:
        append_results(
            "Building the knowledge base's snapshot (bench kb-build)", command_line("bench.kb_build", argv), body
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
