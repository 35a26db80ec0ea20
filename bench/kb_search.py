"""Knowledge-base search: latency per query and accuracy as the knowledge base grows, exact and approximate.

    python -m bench.kb_search [--sizes 1000,10000,100000] [--tune N] [--no-append] [--cache-dir var/bench-cache]

Each size gets a fresh SQLite database: the real articles plus synthetic
product articles (8 templates x generated product names, each with a title,
four question variants and an answer), imported through the product's
importer. Queries are the labelled customer questions of
tests/knowledge_base/search_eval.yml, run through KnowledgeBase.search exactly
as the bot calls it (revision check, typo correction, query embedding,
scoring), once by the exact scan and once through the approximate index
(knowledge_base/ann.py), interleaved query by query. The baseline, measured in
the same run, is the query embedding alone. At every size the graph is built
(the product builds it only from knowledge_base.ann.MIN_ARTICLES on), so the
two paths stand side by side; the report says which one the product takes.
Targets: search p95 at most 25 ms at 10,000 articles (issue 7); at most 40 ms
at 100,000 articles with top-1 within one point of exact search (issue 15 item 5).
``--tune N`` also sweeps the graph's K and ef on N question variants of the
articles (the tuning data; never the bench's queries).

What it costs (2-core development machine, shared with other work). Every
text is embedded once and kept in var/bench-cache/ (bench.embedding_cache).
The first run from a fresh clone embeds about 600,000 short texts with one
single-threaded worker process per core: about 2-4 ms a text, 20-40 minutes, with
progress and a time estimate; the cache then holds 0.9 GB. Everything else
takes about 10 minutes at 100,000 articles and is all a rerun costs: importing
(about 2.5 minutes of SQLite writes), loading them (30 s), building the graph
(minutes; measured) and the queries. The
import runs in a child process, as `deskbot kb import` would, so the peak
memory of importing and of serving are reported separately; serving is this
process: the model, the index, the graph and the search.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import functools
import gc
import itertools
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import ROOT, append_results, command_line, percentiles_ms, progress
from bench.embedding_cache import CachedEmbedder, EmbeddingCache
from crm_store import migrate
from crm_store.db import create_engine, session_factory
from knowledge_base.ann import MIN_ARTICLES, CandidateView, VectorIndex
from knowledge_base.article_files import ArticleData, load_articles_dir
from knowledge_base.editing import KnowledgeBaseEditor
from knowledge_base.embedding import Embedder
from knowledge_base.evaluation import load_questions
from knowledge_base.importer import import_articles
from knowledge_base.search import KnowledgeBase, SearchIndex
from knowledge_base.settings import KnowledgeBaseSettings

EVAL_FILE = ROOT / "tests" / "knowledge_base" / "search_eval.yml"
DEFAULT_CACHE = ROOT / "var" / "bench-cache"
TARGET_ARTICLES, TARGET_P95_MS = 10_000, 25.0
LARGE_ARTICLES, LARGE_P95_MS, LARGE_TOP1_POINTS = 100_000, 40.0, 1.0  # issue 15 item 5
TUNE_K = (64, 128, 256, 512)  # nearest texts asked of the graph, swept by --tune
TUNE_EF = (128, 256, 512)
ADJECTIVES = [
    "Classic",
    "Compact",
    "Deluxe",
    "Everyday",
    "Heritage",
    "Nordic",
    "Rustic",
    "Summit",
    "Coastal",
    "Urban",
    "Alpine",
    "Modern",
    "Vintage",
    "Trail",
    "Harbor",
    "Meadow",
    "Granite",
    "Cedar",
    "Willow",
    "Ember",
]
MATERIALS = [
    "Oak",
    "Walnut",
    "Bamboo",
    "Linen",
    "Wool",
    "Cotton",
    "Copper",
    "Ceramic",
    "Enamel",
    "Stoneware",
    "Teak",
    "Canvas",
    "Steel",
    "Glass",
    "Leather",
]
ITEMS = [
    "Skillet",
    "Saucepan",
    "Stockpot",
    "Kettle",
    "Teapot",
    "Mug",
    "Bowl",
    "Platter",
    "Cutting-Board",
    "Knife-Block",
    "Spice-Rack",
    "Lamp",
    "Throw",
    "Duvet",
    "Pillow",
    "Rug",
    "Shelf",
    "Bench",
    "Stool",
    "Planter",
    "Lantern",
    "Tent",
    "Tarp",
    "Hammock",
    "Backpack",
    "Cooler",
    "Chair",
    "Table",
    "Speaker",
    "Charger",
    "Headphones",
    "Scale",
    "Blender",
    "Toaster",
    "Grinder",
    "Carafe",
    "Tumbler",
    "Blanket",
    "Hamper",
    "Organizer",
]
# A second block of names, after the first so the first 96,000 articles stay what earlier runs measured.
MORE_ADJECTIVES = ["Harvest", "Juniper"]
TEMPLATES = (
    (
        "What are the dimensions of the {p}?",
        "The {p} measures {a} x {b} x {c} cm and weighs {w} kg.",
        ["how big is the {p}", "{p} size and measurements", "will the {p} fit in a small space", "how tall is the {p}"],
    ),
    (
        "Is the {p} dishwasher safe?",
        "Hand washing keeps the {p} looking new; it is {dish} dishwasher safe.",
        ["can the {p} go in the dishwasher", "how do i clean the {p}", "washing the {p}", "{p} cleaning instructions"],
    ),
    (
        "What is the {p} made of?",
        "The {p} is made from {m} with a {finish} finish.",
        ["{p} material", "what's the {p} made from", "is the {p} solid {m}", "{p} materials and finish"],
    ),
    (
        "What colours does the {p} come in?",
        "The {p} comes in {colours}.",
        ["{p} colour options", "does the {p} come in other colors", "available colours for {p}", "{p} in {colour1}?"],
    ),
    (
        "How do I assemble the {p}?",
        "The {p} arrives {assembly}; the instructions are in the box and online.",
        ["{p} assembly instructions", "does the {p} need assembly", "putting the {p} together", "tools needed for {p}"],
    ),
    (
        "Can I buy replacement parts for the {p}?",
        "Replacement parts for the {p} are sold separately; ask support with your order number.",
        ["spare parts for {p}", "{p} replacement part", "lost a piece of my {p}", "where to get parts for the {p}"],
    ),
    (
        "Is the {p} suitable for outdoor use?",
        "The {p} is {outdoor} for outdoor use.",
        ["can i use the {p} outside", "is the {p} weatherproof", "{p} outdoors", "will rain damage the {p}"],
    ),
    (
        "When will the {p} be back in stock?",
        "The {p} is restocked about every {weeks} weeks; sign up for an alert on its page.",
        ["{p} out of stock", "restock date for {p}", "when is the {p} available again", "notify me when {p} returns"],
    ),
)
COLOURS = ["sand", "slate", "forest green", "charcoal", "oat", "terracotta", "navy"]


def _products(adjectives: list[str], rng: random.Random) -> list[str]:
    products = [
        f"{adjective} {material} {item.replace('-', ' ')}"
        for adjective, material, item in itertools.product(adjectives, MATERIALS, ITEMS)
    ]
    rng.shuffle(products)
    return products


def synthetic_capacity() -> int:
    return (len(ADJECTIVES) + len(MORE_ADJECTIVES)) * len(MATERIALS) * len(ITEMS) * len(TEMPLATES)


def synthetic_articles(count: int, seed: int = 7) -> list[ArticleData]:
    """``count`` distinct product articles; the first n of a larger count are the articles of a smaller one."""
    if count > synthetic_capacity():
        raise ValueError(f"at most {synthetic_capacity():,} synthetic articles; add names to bench/kb_search.py")
    rng = random.Random(seed)
    products = _products(ADJECTIVES, rng)
    products += _products(MORE_ADJECTIVES, random.Random(seed + 1))
    articles: list[ArticleData] = []
    for product, (title, answer, questions) in itertools.product(products, TEMPLATES):
        if len(articles) >= count:
            break
        colours = rng.sample(COLOURS, 3)
        values = {
            "p": product,
            "m": product.split()[1].lower(),
            "a": rng.randint(10, 200),
            "b": rng.randint(10, 120),
            "c": rng.randint(5, 90),
            "w": round(rng.uniform(0.2, 30), 1),
            "dish": rng.choice(["", "not "]),
            "finish": rng.choice(["matte", "oiled", "polished", "brushed"]),
            "colours": ", ".join(colours),
            "colour1": colours[0],
            "assembly": rng.choice(["fully assembled", "flat-packed"]),
            "outdoor": rng.choice(["suitable", "not suitable"]),
            "weeks": rng.randint(2, 8),
        }
        slug = f"{product.lower().replace(' ', '-')}-{title.split()[0].lower()}-{len(articles)}"
        articles.append(
            ArticleData(
                slug=slug,
                title=title.format(**values),
                category="products",
                answer=answer.format(**values),
                questions=tuple(question.format(**values) for question in questions),
                tags=("products",),
            )
        )
    return articles


def benchmark_articles(real: list[ArticleData], size: str) -> list[ArticleData]:
    target = len(real) if size == "demo" else int(size)
    return real + synthetic_articles(max(target - len(real), 0))


def labelled(label: str, message: str) -> None:
    progress(f"[{label}] {message}")


def rss_mb() -> tuple[float, float]:
    """This process's resident memory now and at its peak since the last reset_peak_rss(), in MB."""
    fields = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            fields[key] = value.strip()
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError, ValueError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak


def reset_peak_rss() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")  # Linux: restart VmHWM from the current RSS


def _import_in_child(url: str, articles: list[ArticleData], cache_dir: str, model: str) -> dict:
    """Runs in a child process: the product's importer, its embeddings served from the cache."""
    embedder = CachedEmbedder(Embedder(model), EmbeddingCache(Path(cache_dir), model))

    async def run() -> str:
        engine = create_engine(url)
        try:
            report = await import_articles(session_factory(engine), embedder, articles)
        finally:
            await engine.dispose()
        return report.summary()

    started = time.perf_counter()
    summary = asyncio.run(run())
    return {
        "seconds": time.perf_counter() - started,
        "summary": summary,
        "peak_rss_mb": rss_mb()[1],  # not ru_maxrss: Linux carries that over from the parent through exec
    }


def import_elsewhere(label: str, url: str, articles: list[ArticleData], cache: EmbeddingCache, model: str) -> dict:
    progress(f"[{label}] importing {len(articles):,} articles through the importer (child process)")
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        future = pool.submit(_import_in_child, url, articles, str(cache.directory.parent), model)
        started = time.perf_counter()
        while True:
            try:
                result: dict = future.result(timeout=60)
                break
            except FutureTimeout:
                progress(f"[{label}]   still importing ({time.perf_counter() - started:.0f} s)")
    progress(f"[{label}] imported in {result['seconds']:.0f} s: {result['summary']}")
    return result


def _tuning_queries(index: SearchIndex, count: int, seed: int = 11) -> list[tuple[str, np.ndarray]]:
    """Tuning data (never the bench's own queries): question variants of the articles, real ones first, then a
    sample of the synthetic ones; each with its stored vector (the text is an article text, so it is in the index)."""
    rows: list[tuple[str, int, bool]] = []
    for position, article in enumerate(index.articles):
        start = int(index.text_starts[position])
        rows.extend(
            (question, start + 1 + i, article.category != "products") for i, question in enumerate(article.questions)
        )
    real = [(q, row) for q, row, is_real in rows if is_real]
    synthetic = [(q, row) for q, row, is_real in rows if not is_real]
    random.Random(seed).shuffle(synthetic)
    picked = (real + synthetic)[:count]
    return [(question, index.vectors[row]) for question, row in picked]


def tune(label: str, index: SearchIndex, view: CandidateView, queries: int) -> list[dict]:
    """Candidate recall and time per (ef, K) on the tuning variants: whether the exact top-5 articles are all
    candidates, whether the exact top-1 is, and whether the approximate top-1 is the exact one."""
    tuning = _tuning_queries(index, queries)
    exact = [index.search(vector, question, limit=5, exact=True) for question, vector in tuning]
    graph = view.graph
    original_ef = graph.index.ef
    rows: list[dict[str, Any]] = []
    for k in TUNE_K:
        for ef in TUNE_EF:
            if ef < k:
                continue
            graph.index.set_ef(ef)
            trial = dataclasses.replace(view, k_texts=k)
            all5 = top1_in = same = same3 = 0
            times = []
            for (question, vector), expected in zip(tuning, exact, strict=True):
                started = time.perf_counter()
                lexical = index.lexical.scores(question)
                candidates = trial.candidates(vector, lexical)
                hits = index._rank(vector, question, lexical, candidates, 5)
                times.append(time.perf_counter() - started)
                slugs = {index.articles[p].slug for p in candidates} if candidates is not None else set()
                all5 += {hit.slug for hit in expected} <= slugs
                top1_in += expected[0].slug in slugs
                same += hits[0].slug == expected[0].slug
                same3 += [hit.score for hit in hits[:3]] == [hit.score for hit in expected[:3]]
            row: dict[str, Any] = {
                "k": k,
                "ef": ef,
                "recall5": all5 / len(tuning),
                "recall1": top1_in / len(tuning),
                "same_top1": same / len(tuning),
                "same_top3_scores": same3 / len(tuning),
                "ms": percentiles_ms(times),
                "queries": len(tuning),
            }
            progress(
                f"[{label}] tune K={k} ef={ef}: top-5 all candidates {row['recall5']:.1%}, top-1 candidate "
                f"{row['recall1']:.1%}, same top-1 {row['same_top1']:.1%}, same top-3 scores "
                f"{row['same_top3_scores']:.1%}, p95 {row['ms']['p95']:.2f} ms"
            )
            rows.append(row)
    graph.index.set_ef(original_ef)
    return rows


async def measure_search(label: str, url: str, embedder: Embedder, tune_queries: int = 0) -> dict:
    gc.collect()
    reset_peak_rss()
    engine = create_engine(url)
    kb = KnowledgeBaseSettings.from_env()
    # The graph at every size, so exact and approximate stand side by side; the product builds it only from
    # knowledge_base.ann.MIN_ARTICLES on.
    vector_index = VectorIndex(min_articles=1)
    knowledge_base = KnowledgeBase(
        session_factory(engine),
        embedder,
        answer_threshold=kb.answer_threshold,
        suggest_threshold=kb.suggest_threshold,
        vector_index=vector_index,
    )
    started = time.perf_counter()
    await knowledge_base.refresh()
    load_seconds = time.perf_counter() - started
    index = knowledge_base._index
    assert index is not None
    rss_before_graph = rss_mb()[0]
    started = time.perf_counter()
    while not vector_index.wait(60):
        progress(f"[{label}]   still building the graph ({time.perf_counter() - started:.0f} s)")
    build_seconds = time.perf_counter() - started
    rss_after_graph = rss_mb()[0]
    view = index.candidates
    assert view is not None, "the graph did not come up"
    progress(
        f"[{label}] index loaded in {load_seconds:.1f} s; graph over {vector_index.texts:,} texts built in "
        f"{build_seconds:.1f} s (+{rss_after_graph - rss_before_graph:.0f} MB RSS)"
    )
    tuning = tune(label, index, view, tune_queries) if tune_queries else []

    questions = load_questions(EVAL_FILE)
    queries = [question for question, _ in questions.in_scope] + questions.out_of_scope
    for query in queries[:10]:  # warm caches and the model
        await knowledge_base.search(query)
        index.candidates = None
        await knowledge_base.search(query)
        index.candidates = view
    progress(f"[{label}] timing {len(queries)} queries: embedding alone, exact scan and approximate, interleaved")
    times: dict[str, list[float]] = {"baseline": [], "exact": [], "approximate": []}
    top1 = {"exact": 0, "approximate": 0}
    top3 = {"exact": 0, "approximate": 0}
    agree = agree3 = recall = 0
    expected = dict(questions.in_scope)
    for number, query in enumerate(queries):
        started = time.perf_counter()
        embedder.encode_one(query)
        times["baseline"].append(time.perf_counter() - started)
        hits = {}
        # Alternate which goes first, so neither always finds the caches as the other left them.
        for mode in ("exact", "approximate") if number % 2 else ("approximate", "exact"):
            index.candidates = None if mode == "exact" else view
            started = time.perf_counter()
            hits[mode] = await knowledge_base.search(query, limit=3)
            times[mode].append(time.perf_counter() - started)
        index.candidates = view
        agree += [h.slug for h in hits["exact"][:1]] == [h.slug for h in hits["approximate"][:1]]
        agree3 += [h.score for h in hits["exact"]] == [h.score for h in hits["approximate"]]
        normalised = index.normalise(query)
        candidates = view.candidates(embedder.encode_one(normalised), index.lexical.scores(normalised))
        offered = {index.articles[p].slug for p in candidates} if candidates is not None else set()
        recall += {h.slug for h in hits["exact"]} <= offered
        if query in expected:
            for mode, found in hits.items():
                slugs = [hit.slug for hit in found]
                top1[mode] += slugs[:1] == [expected[query]]
                top3[mode] += expected[query] in slugs
    rss_now, rss_peak = rss_mb()
    edit = await measure_edit(label, knowledge_base, vector_index)
    await engine.dispose()
    timing = {mode: percentiles_ms(values) for mode, values in times.items()}
    in_scope = len(questions.in_scope)
    return {
        "load_s": load_seconds,
        "build_s": build_seconds,
        "search": timing["approximate"] if len(index) >= MIN_ARTICLES else timing["exact"],
        "exact": timing["exact"],
        "approximate": timing["approximate"],
        "baseline": timing["baseline"],
        "ratio_p95": timing["approximate"]["p95"] / timing["exact"]["p95"],
        "top1": top1["exact"] / in_scope,
        "top3": top3["exact"] / in_scope,
        "top1_approximate": top1["approximate"] / in_scope,
        "top3_approximate": top3["approximate"] / in_scope,
        "agreement": agree / len(queries),
        "agreement3": agree3 / len(queries),
        "recall": recall / len(queries),
        "queries": len(queries),
        "index_mb": index.vectors.nbytes / 2**20,
        "graph_mb": vector_index.graph_bytes / 2**20,
        "graph_rss_mb": rss_after_graph - rss_before_graph,
        "rss_mb": rss_now,
        "peak_rss_mb": rss_peak,
        "tuning": tuning,
        "edit": edit,
    }


async def measure_edit(label: str, knowledge_base: KnowledgeBase, vector_index: VectorIndex) -> dict:
    """A trainer's edit, timed: a new question variant on a real article, until a search finds it (the refresh
    that rebuilds the snapshot, the article scored exactly meanwhile) and until the graph holds it."""
    index = knowledge_base._index
    assert index is not None
    article = next(article for article in index.articles if article.category != "products")
    question = "is there somebody i can ring about this"
    editor = KnowledgeBaseEditor(knowledge_base.session_factory, knowledge_base.embedder)
    started = time.perf_counter()
    await editor.add_question(article.slug, question, "bench")
    saved = time.perf_counter() - started
    started = time.perf_counter()
    hits = await knowledge_base.search(question, limit=1)
    searchable = time.perf_counter() - started
    started = time.perf_counter()
    vector_index.wait()
    in_graph = time.perf_counter() - started
    found = bool(hits) and hits[0].slug == article.slug and hits[0].matched_question == question
    progress(
        f"[{label}] edit saved in {saved:.2f} s, searchable {searchable:.2f} s later (found: {found}), "
        f"in the graph {in_graph:.2f} s after that"
    )
    return {"saved_s": saved, "searchable_s": searchable, "graph_s": in_graph, "found": found}


def main_run(args: argparse.Namespace) -> list[dict]:
    kb = KnowledgeBaseSettings.from_env()
    real = load_articles_dir(ROOT / "knowledge_base" / "articles")
    embedder = Embedder(kb.embedding_model)
    cache = EmbeddingCache(Path(args.cache_dir), kb.embedding_model)
    results = []
    with tempfile.TemporaryDirectory(prefix="deskbot-bench-") as workdir:
        for size in args.sizes:
            articles = benchmark_articles(real, size)
            texts = [text for article in articles for text in article.search_texts()]
            label = f"{len(articles):,}"
            embedded, embed_seconds = cache.fill(texts, kb.embedding_model, functools.partial(labelled, label))
            database = Path(workdir) / f"kb-{size}.db"
            url = f"sqlite:///{database}"
            migrate.upgrade(url)
            imported = import_elsewhere(label, url, articles, cache, kb.embedding_model)
            result = asyncio.run(measure_search(label, url, embedder, args.tune))
            database.unlink()
            result.update(
                size=len(articles),
                texts=len(texts),
                embedded=embedded,
                embed_s=embed_seconds,
                import_s=imported["seconds"],
                import_peak_rss_mb=imported["peak_rss_mb"],
            )
            progress(
                f"[{label}] search p95 exact {result['exact']['p95']:.1f} ms, approximate "
                f"{result['approximate']['p95']:.1f} ms (embedding alone p95 {result['baseline']['p95']:.1f} ms), "
                f"top-1 {result['top1']:.1%} / {result['top1_approximate']:.1%}, same top-1 {result['agreement']:.1%}, "
                f"serving peak RSS {result['peak_rss_mb']:.0f} MB"
            )
            results.append(result)
    return results


def render(results: list[dict]) -> str:
    lines = [
        "| articles | texts | product path | exact p50 / p95 ms | approximate p50 / p95 ms | p95 approx. / exact "
        "| embedding-only p50 / p95 ms | top-1 exact / approx. | top-3 exact / approx. | same top-1 | same top-3 scores "
        "| candidate recall "
        "| import s | index load s | graph build s | vectors MB | graph MB (est. / RSS) | serving RSS / peak MB "
        "| import peak RSS MB |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        path = "approximate" if r["size"] >= MIN_ARTICLES else "exact"
        lines.append(
            f"| {r['size']:,} | {r['texts']:,} | {path} | {r['exact']['p50']:.1f} / {r['exact']['p95']:.1f} | "
            f"{r['approximate']['p50']:.1f} / {r['approximate']['p95']:.1f} | {r['ratio_p95']:.2f} | "
            f"{r['baseline']['p50']:.1f} / {r['baseline']['p95']:.1f} | {r['top1']:.1%} / {r['top1_approximate']:.1%} | "
            f"{r['top3']:.1%} / {r['top3_approximate']:.1%} | {r['agreement']:.1%} | {r['agreement3']:.1%} | "
            f"{r['recall']:.1%} | "
            f"{r['import_s']:.0f} | {r['load_s']:.1f} | {r['build_s']:.0f} | {r['index_mb']:.0f} | "
            f"{r['graph_mb']:.0f} / {r['graph_rss_mb']:.0f} | {r['rss_mb']:.0f} / {r['peak_rss_mb']:.0f} | "
            f"{r['import_peak_rss_mb']:.0f} |"
        )
    notes = []
    at_target = [r for r in results if r["size"] >= TARGET_ARTICLES and r["size"] < TARGET_ARTICLES * 1.1]
    for r in at_target:
        verdict = "met" if r["search"]["p95"] <= TARGET_P95_MS else "missed"
        notes.append(
            f"Target (issue 7): search p95 at most {TARGET_P95_MS:.0f} ms at {TARGET_ARTICLES:,} articles, "
            f"query embedding included: {verdict} ({r['search']['p95']:.1f} ms)."
        )
    for r in (r for r in results if LARGE_ARTICLES <= r["size"] < LARGE_ARTICLES * 1.1):
        fast = r["approximate"]["p95"] <= LARGE_P95_MS
        close = (r["top1"] - r["top1_approximate"]) * 100 <= LARGE_TOP1_POINTS
        notes.append(
            f"Target (issue 15 item 5): search p95 at most {LARGE_P95_MS:.0f} ms at {LARGE_ARTICLES:,} articles with "
            f"top-1 within {LARGE_TOP1_POINTS:.0f} point of exact search: "
            f"{'met' if fast and close else 'missed'} (p95 {r['approximate']['p95']:.1f} ms, exact "
            f"{r['exact']['p95']:.1f} ms; top-1 {r['top1_approximate']:.1%} against {r['top1']:.1%})."
        )
    embedded = [r for r in results if r["embedded"]]
    if embedded:
        count = sum(r["embedded"] for r in embedded)
        seconds = sum(r["embed_s"] for r in embedded)
        notes.append(
            f"This run embedded {count:,} texts not yet in the cache ({seconds / 60:.1f} min, "
            f"{seconds / count * 1000:.2f} ms/text); import times exclude that, as a re-import would."
        )
    else:
        notes.append("Every text's embedding came from var/bench-cache: import times are database work only.")
    notes.append(
        f"Both paths are timed through KnowledgeBase.search (revision check, typo correction, query embedding, "
        f"scoring), interleaved query by query; the product takes the approximate path from {MIN_ARTICLES:,} "
        "articles on and the exact scan below. The exact scan reads every text's vector (1.5 kB each); the "
        "approximate path asks the HNSW graph for the nearest texts and scores only their articles, the best "
        "lexical matches, the articles of the smallest categories and any article the graph does not hold yet, "
        "with the scan's arithmetic."
    )
    notes.append(
        "Same top-1: the approximate and exact top-1 article agree (all queries, out-of-scope ones included); same "
        "top-3 scores: the three best scores agree (articles tied on score may differ). "
        "Candidate recall: the exact top-3 articles were all candidates. Graph build: from the refresh until the "
        "background worker had built the graph over every text (the exact scan serves meanwhile); graph MB is "
        "hnswlib's layout estimated from its parameters, and the growth of RSS while it was built."
    )
    for r in results:
        if r.get("edit"):
            e = r["edit"]
            notes.append(
                f"An edit at {r['size']:,} articles (a question variant added to a help-centre article): saved in "
                f"{e['saved_s']:.2f} s; the next search, which rebuilds the snapshot, found it after "
                f"{e['searchable_s']:.2f} s ({'found' if e['found'] else 'NOT found'}); the graph held it "
                f"{e['graph_s']:.2f} s later."
            )
    notes.append(
        "Import peak RSS is the importing child process; serving is the searching process (model, index, graph, queries)."
    )
    body = "\n".join(lines) + "\n\n" + "\n".join(f"- {note}" for note in notes)
    for r in results:
        if r.get("tuning"):
            body += "\n\n" + render_tuning(r)
    return body


def render_tuning(result: dict) -> str:
    first = result["tuning"][0]
    lines = [
        f"Tuning at {result['size']:,} articles on {first['queries']} question variants of the articles (real ones, "
        "then synthetic ones; never the bench's queries): candidate stage and ranking of the candidates, no embedding.",
        "",
        "| K texts | ef | exact top-5 all candidates | exact top-1 a candidate | same top-1 | same top-3 scores "
        "| p50 / p95 ms |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in result["tuning"]:
        lines.append(
            f"| {row['k']} | {row['ef']} | {row['recall5']:.1%} | {row['recall1']:.1%} | {row['same_top1']:.1%} | "
            f"{row['same_top3_scores']:.1%} | "
            f"{row['ms']['p50']:.2f} / {row['ms']['p95']:.2f} |"
        )
    return "\n".join(lines)


def parse_sizes(raw: str) -> list[str]:
    sizes = [size.strip() for size in raw.split(",") if size.strip()]
    for size in sizes:
        if size != "demo" and not (size.isdigit() and int(size) > 0):
            raise argparse.ArgumentTypeError(f"{size!r}: a size is a positive article count or 'demo'")
    if not sizes:
        raise argparse.ArgumentTypeError("no sizes given")
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=parse_sizes("1000,10000,100000"),
        help="comma-separated article counts; 'demo' is the real articles only (default 1000,10000,100000)",
    )
    parser.add_argument("--cache-dir", default=str(DEFAULT_CACHE), help="where embeddings are kept between runs")
    parser.add_argument("--no-append", action="store_true", help="print only; do not append to BENCHMARKS.md")
    parser.add_argument(
        "--tune",
        type=int,
        default=0,
        metavar="N",
        help="also sweep the graph's K and ef on N question variants of the articles (tuning data) at each size",
    )
    args = parser.parse_args(argv)
    results = main_run(args)
    table = render(results)
    print(table)
    if not args.no_append:
        append_results(
            "Knowledge-base search, exact and approximate (issue 15 item 5)",
            command_line("bench.kb_search", argv),
            table,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
