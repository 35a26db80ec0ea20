"""Knowledge-base search: latency per query and accuracy as the knowledge base grows.

    python -m bench.kb_search [--sizes demo,10000] [--no-append]

Each size gets a fresh SQLite database: the real articles plus synthetic
product articles (templates x generated product names) up to the size, all
imported through the product's importer. Queries are the labelled customer
questions of tests/knowledge_base/search_eval.yml, run through
KnowledgeBase.search exactly as the bot calls it (revision check, typo
correction, query embedding, scoring). The baseline, measured side by side in
the same run, is the query embedding alone: the ratio shows what the index
adds on top of the model.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import shlex
import sys
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, append_results, peak_rss_mb, percentiles_ms, progress
from crm_store import migrate
from crm_store.db import create_engine, session_factory
from crm_store.settings import Settings
from knowledge_base.article_files import ArticleData, load_articles_dir
from knowledge_base.embedding import Embedder
from knowledge_base.evaluation import load_questions
from knowledge_base.importer import import_articles
from knowledge_base.search import KnowledgeBase

EVAL_FILE = ROOT / "tests" / "knowledge_base" / "search_eval.yml"
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


def synthetic_articles(count: int, seed: int = 7) -> list[ArticleData]:
    rng = random.Random(seed)
    products = [
        f"{adjective} {material} {item.replace('-', ' ')}"
        for adjective, material, item in itertools.product(ADJECTIVES, MATERIALS, ITEMS)
    ]
    rng.shuffle(products)
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


async def measure(size_label: str, real: list[ArticleData], target: int, embedder: Embedder, workdir: Path) -> dict:
    articles = real + synthetic_articles(max(target - len(real), 0))
    url = f"sqlite:///{workdir / f'kb-{size_label}.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    factory = session_factory(engine)
    progress(f"[{size_label}] importing {len(articles)} articles (embedding every text once)")
    started = time.perf_counter()
    await import_articles(factory, embedder, articles, progress=progress)
    import_seconds = time.perf_counter() - started

    settings = Settings()
    knowledge_base = KnowledgeBase(
        factory,
        embedder,
        answer_threshold=settings.kb_answer_threshold,
        suggest_threshold=settings.kb_suggest_threshold,
    )
    started = time.perf_counter()
    await knowledge_base.refresh()
    load_seconds = time.perf_counter() - started

    questions = load_questions(EVAL_FILE)
    queries = [question for question, _ in questions.in_scope] + questions.out_of_scope
    for query in queries[:10]:  # warm caches and the model
        await knowledge_base.search(query)
    progress(f"[{size_label}] timing {len(queries)} queries, search and embedding-only baseline interleaved")
    search_times, baseline_times, top1, top3 = [], [], 0, 0
    expected = dict(questions.in_scope)
    for query in queries:
        started = time.perf_counter()
        embedder.encode_one(query)
        baseline_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        hits = await knowledge_base.search(query, limit=3)
        search_times.append(time.perf_counter() - started)
        if query in expected:
            slugs = [hit.slug for hit in hits]
            top1 += slugs[:1] == [expected[query]]
            top3 += expected[query] in slugs
    await engine.dispose()
    search, baseline = percentiles_ms(search_times), percentiles_ms(baseline_times)
    return {
        "size": len(articles),
        "import_s": import_seconds,
        "load_s": load_seconds,
        "search": search,
        "baseline": baseline,
        "ratio_p95": search["p95"] / baseline["p95"],
        "top1": top1 / len(questions.in_scope),
        "top3": top3 / len(questions.in_scope),
        "rss_mb": peak_rss_mb(),
    }


async def main_async(args: argparse.Namespace) -> list[dict]:
    real = load_articles_dir(ROOT / "knowledge_base" / "articles")
    embedder = Embedder(Settings().embedding_model)
    results = []
    with tempfile.TemporaryDirectory(prefix="deskbot-bench-") as workdir:
        for raw in args.sizes.split(","):
            target = len(real) if raw == "demo" else int(raw)
            result = await measure(raw, real, target, embedder, Path(workdir))
            progress(
                f"[{raw}] {result['size']} articles: p50 {result['search']['p50']:.1f} ms, p95 {result['search']['p95']:.1f} ms "
                f"(embedding alone p95 {result['baseline']['p95']:.1f} ms), top-1 {result['top1']:.1%}"
            )
            results.append(result)
    return results


def render(results: list[dict]) -> str:
    lines = [
        "| articles | search p50 ms | search p95 ms | embedding-only p95 ms (baseline) | p95 ratio | top-1 | top-3 | import s | index load s | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['size']:,} | {r['search']['p50']:.1f} | {r['search']['p95']:.1f} | {r['baseline']['p95']:.1f} | "
            f"{r['ratio_p95']:.2f} | {r['top1']:.1%} | {r['top3']:.1%} | {r['import_s']:.0f} | {r['load_s']:.1f} | {r['rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--sizes", default="demo,10000", help="comma-separated article counts; 'demo' is the real articles only"
    )
    parser.add_argument("--no-append", action="store_true", help="print only; do not append to BENCHMARKS.md")
    args = parser.parse_args(argv)
    results = asyncio.run(main_async(args))
    table = render(results)
    print(table)
    if not args.no_append:
        command = "python -m bench.kb_search " + " ".join(
            shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
        )
        append_results("Knowledge-base search", command.strip(), table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
