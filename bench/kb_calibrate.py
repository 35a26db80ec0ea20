"""When the bot answers outright: the answer threshold and the margin over the runner-up, by cross-validation.

    python -m bench.kb_calibrate [--folds 5] [--max-wrong 0.02] [--min-declined 0.95] [--seed 7] [--no-append]
    python -m bench.kb_calibrate --language zh     # the Chinese search: Chinese versions, multilingual model
    python -m bench.kb_calibrate --head-weights 0,0.05,0.1,0.15,0.2   # the article head's share of the score

The embedding model and the "settings before this run" come from the environment
(EMBEDDING_MODEL, KB_ANSWER_THRESHOLD, ...), as the product reads them.

Tuning data only (never bench/data/faq_heldout.yml): the labelled questions of
tests/knowledge_base/search_eval.yml, and every article's question variants
asked leave-fold-out (each article's variants are dealt into --folds folds; a
fold's variants are taken out of the index, article head included, before they
are asked, so the article must be found through its other texts). Each query is
scored by the product's own search (knowledge_base.search.SearchIndex), which
gives the best article's score, its margin over the second, and the article
head's confidence in it.

The bot answers outright when score >= T + K * unfamiliar share (the share of the
question's informative words that no article contains), margin >= M and confidence >= P.
For every (T, M, P, K) on a grid: right = in-scope questions answered outright with the right article,
wrong = answered outright with another article, declined = out-of-scope
questions not answered outright. The rule picks the (T, M) with the most
right answers while wrong <= --max-wrong and declined >= --min-declined.
It is chosen on k-1 folds and scored on the held fold (the cross-validated
figures), then chosen once more on all the tuning data (the operating point).
The curve of right against wrong answers, with and without the margin rule,
goes to docs/kb-operating-point.png.

``--head-weights`` compares shares of the article head's probability in the score
(knowledge_base.search.HEAD_WEIGHT) on the same tuning data: top-1 and top-3 of the
in-scope queries, and the cross-validated rule at each weight. The product's weight is
the one whose cross-validated rule answers the most questions right outright.

With ``--language zh`` the articles are their Chinese versions (knowledge_base.chinese) embedded with
the multilingual model, the in-scope queries are the Chinese variants leave-fold-out, and the out-of-scope
ones are the Chinese NLU examples of the out_of_scope intent (bot/data/nlu/zh/support.yml) plus the
out_of_scope list of tests/knowledge_base/search_eval_zh.yml, deduplicated. That list is mostly near misses
(questions next to an article's topic that no article answers: a discount, payment method or service the
shop doesn't have), so the rule also learns to decline what sounds like the shop's topics. Tuning data too,
never bench/data/faq_heldout_zh.yml.

The suggest threshold is chosen the same way, on folds: a question is covered
when its right article is among the top three at or above the threshold (it is
answered or offered). The rule takes the highest threshold whose coverage is
within --suggest-slack of the best coverage any threshold reaches: every point
of coverage kept, as few suggestions as possible shown to out-of-scope questions.
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from bench.common import ROOT, append_results, command_line, progress, variant_fold
from knowledge_base.article_files import ArticleData, load_articles_dir
from knowledge_base.chinese import chinese_view
from knowledge_base.embedding import Embedder
from knowledge_base.evaluation import LabelledQuestions, load_questions
from knowledge_base.multilingual import MultilingualEmbedder
from knowledge_base.search import HEAD_WEIGHT, TAUGHT, SearchIndex
from knowledge_base.settings import KnowledgeBaseSettings

EVAL_FILE = ROOT / "tests" / "knowledge_base" / "search_eval.yml"
ZH_EVAL_FILE = ROOT / "tests" / "knowledge_base" / "search_eval_zh.yml"
ZH_NLU_SUPPORT = ROOT / "bot" / "data" / "nlu" / "zh" / "support.yml"
CURVE_PNG = ROOT / "docs" / "kb-operating-point.png"
THRESHOLDS = np.round(np.arange(0.30, 0.75, 0.01), 3)
MARGINS = np.round(np.arange(0.0, 0.101, 0.01), 3)
CONFIDENCES = np.round(np.arange(0.0, 0.61, 0.04), 3)
PENALTIES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0)
SUGGEST_THRESHOLDS = np.round(np.arange(0.25, 0.60, 0.005), 3)
SUGGESTIONS = 3  # as many as the bot offers


@dataclass(frozen=True)
class Sample:
    """One tuning query as the search saw it. ``right`` is None for an out-of-scope question."""

    score: float
    margin: float
    right: bool | None
    confidence: float = 1.0  # the article head's probability for the best article (1 without a head)
    unfamiliar: float = 0.0  # the share of the question's informative words no article contains
    right_score: float | None = None  # the right article's score, when it is among the top SUGGESTIONS


@dataclass(frozen=True)
class Rates:
    right: float
    wrong: float
    declined: float


Columns = tuple[np.ndarray, ...]  # score, margin, confidence, unfamiliar, in scope, right


def columns(samples: list[Sample]) -> Columns:
    """The samples as arrays, built once per set and shared by every rule on the grid."""
    return (
        np.array([s.score for s in samples]),
        np.array([s.margin for s in samples]),
        np.array([s.confidence for s in samples]),
        np.array([s.unfamiliar for s in samples]),
        np.array([s.right is not None for s in samples]),
        np.array([bool(s.right) for s in samples]),
    )


Rule = tuple[float, float, float, float]  # answer threshold, margin, confidence, unfamiliar-word penalty


def _rates(data: Columns, rule: Rule) -> Rates:
    scores, margins, confidences, unfamiliar, in_scope, right = data
    answered = (scores >= rule[0] + rule[3] * unfamiliar) & (margins >= rule[1]) & (confidences >= rule[2])
    n_in, n_out = max(int(in_scope.sum()), 1), max(int((~in_scope).sum()), 1)
    return Rates(
        right=float((answered & in_scope & right).sum() / n_in),
        wrong=float((answered & in_scope & ~right).sum() / n_in),
        declined=float((~answered & ~in_scope).sum() / n_out),
    )


def rates(samples: list[Sample], rule: Rule) -> Rates:
    return _rates(columns(samples), rule)


def choose(samples: list[Sample], max_wrong: float, min_declined: float, *, head: bool = True) -> Rule:
    """The rule with the most right answers within the limits; ties go to the first (loosest) on the grid.

    ``head=False`` leaves the confidence and the unfamiliar-word penalty out, to show what they add.
    """
    data = columns(samples)
    best: tuple[float, Rule] | None = None
    grid = itertools.product(
        THRESHOLDS, MARGINS, CONFIDENCES if head else CONFIDENCES[:1], PENALTIES if head else PENALTIES[:1]
    )
    for threshold, margin, confidence, penalty in grid:
        rule = (float(threshold), float(margin), float(confidence), float(penalty))
        r = _rates(data, rule)
        if r.wrong <= max_wrong and r.declined >= min_declined and (best is None or r.right > best[0]):
            best = (r.right, rule)
    if best is None:  # nothing meets the limits: the strictest rule on the grid
        return float(THRESHOLDS[-1]), float(MARGINS[-1]), float(CONFIDENCES[-1]) if head else 0.0, 0.0
    return best[1]


@dataclass(frozen=True)
class Suggesting:
    covered: float  # in-scope questions whose right article is answered or offered
    quiet: float  # out-of-scope questions offered nothing


def suggesting(samples: list[Sample], threshold: float) -> Suggesting:
    in_scope = [s for s in samples if s.right is not None]
    out = [s for s in samples if s.right is None]
    covered = sum(1 for s in in_scope if s.right_score is not None and s.right_score >= threshold)
    return Suggesting(covered / max(len(in_scope), 1), sum(1 for s in out if s.score < threshold) / max(len(out), 1))


def choose_suggest(samples: list[Sample], slack: float, ceiling: float) -> float:
    """The highest suggest threshold (at most the answer threshold) within ``slack`` of the best coverage."""
    grid = [float(t) for t in SUGGEST_THRESHOLDS if t <= ceiling]
    coverage = {t: suggesting(samples, t).covered for t in grid}
    best = max(coverage.values())
    return max(t for t in grid if coverage[t] >= best - slack)


def cross_validate_suggest(samples: list[Sample], folds: int, seed: int, slack: float, ceiling: float) -> Suggesting:
    held = [suggesting(test, choose_suggest(train, slack, ceiling)) for train, test in split(samples, folds, seed)]
    return Suggesting(float(np.mean([h.covered for h in held])), float(np.mean([h.quiet for h in held])))


def split(samples: list[Sample], folds: int, seed: int) -> list[tuple[list[Sample], list[Sample]]]:
    """(training folds, held fold) pairs, the same for every rule chosen with the same seed."""
    order = list(range(len(samples)))
    random.Random(seed).shuffle(order)
    parts = [order[fold::folds] for fold in range(folds)]
    return [
        (
            [samples[i] for other in range(folds) if other != fold for i in parts[other]],
            [samples[i] for i in parts[fold]],
        )
        for fold in range(folds)
    ]


def cross_validate(
    samples: list[Sample], folds: int, seed: int, max_wrong: float, min_declined: float, *, head: bool = True
) -> Rates:
    held = [
        rates(test, choose(train, max_wrong, min_declined, head=head)) for train, test in split(samples, folds, seed)
    ]
    return Rates(*(float(np.mean([getattr(r, name) for r in held])) for name in ("right", "wrong", "declined")))


class Scorer:
    """The product's search over the article files, with every text embedded once."""

    def __init__(self, articles: list[ArticleData], embedder: Embedder, head_weight: float = HEAD_WEIGHT) -> None:
        self.articles = articles
        self.embedder = embedder
        self.head_weight = head_weight
        texts = sorted({text for article in articles for text in article.search_texts()})
        progress(f"embedding {len(texts)} article texts")
        self.vectors = dict(zip(texts, embedder.encode(texts), strict=True))
        self.general_words = embedder.general_words()
        self.full = self.index(articles)

    def index(self, articles: list[ArticleData]) -> SearchIndex:
        """The product's index (article head included) over ``articles``."""
        vectors = np.array([self.vectors[text] for article in articles for text in article.search_texts()])
        return SearchIndex(articles, vectors, self.general_words, head_weight=self.head_weight)

    def sample(self, index: SearchIndex, query: str, expected: str | None) -> Sample:
        normalised = index.normalise(query)
        hits = index.search(self.embedder.encode_one(normalised), normalised, limit=SUGGESTIONS)
        margin = hits[0].score - hits[1].score if len(hits) > 1 else hits[0].score
        score, confidence, unfamiliar = hits[0].score, hits[0].confidence, hits[0].unfamiliar_share
        if confidence is None:
            confidence = 1.0
        if hits[0].question_similarity >= TAUGHT:
            # decide() answers a question asked as taught whatever its score: so does every rule on the grid.
            score, margin, confidence, unfamiliar = 1.0, 1.0, 1.0, 0.0
        if expected is None:
            return Sample(score, margin, None, confidence, unfamiliar)
        right_score = next((hit.score for hit in hits if hit.slug == expected), None)
        return Sample(score, margin, hits[0].slug == expected, confidence, unfamiliar, right_score)

    def leave_fold_out(self, folds: int) -> list[Sample]:
        """Each article's variants dealt into folds; a fold's variants are asked of an index built without them."""
        samples = []
        for fold in range(folds):
            held, kept = variant_fold(self.articles, folds, fold)
            index = self.index(
                [ArticleData(**{**a.__dict__, "questions": kept[a.slug] or a.questions}) for a in self.articles]
            )
            samples += [self.sample(index, q, slug) for slug, qs in held.items() if kept[slug] for q in qs]
        return samples


def chinese_out_of_scope() -> list[str]:
    """Chinese questions no article answers, each once: the NLU examples of the out_of_scope intent,
    then the near misses and off-topic questions of search_eval_zh.yml."""
    data = yaml.safe_load(ZH_NLU_SUPPORT.read_text(encoding="utf-8"))
    block = next(item for item in data["nlu"] if item.get("intent") == "out_of_scope")
    nlu = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
    return list(dict.fromkeys(nlu + load_questions(ZH_EVAL_FILE).out_of_scope))


def curve_png(samples: list[Sample], chosen: Rule, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(7, 4.5))
    for margin, confidence, penalty, style in (
        (0.0, 0.0, 0.0, ":"),
        (chosen[1], 0.0, 0.0, "--"),
        (chosen[1], chosen[2], chosen[3], "-"),
    ):
        points = [rates(samples, (float(t), margin, confidence, penalty)) for t in THRESHOLDS]
        label = f"margin ≥ {margin:.2f}, confidence ≥ {confidence:.2f}, penalty {penalty:.2f} × unfamiliar share"
        axes.plot([p.wrong for p in points], [p.right for p in points], style, label=label)
    operating = rates(samples, chosen)
    axes.plot(
        [operating.wrong],
        [operating.right],
        "o",
        label="chosen: score ≥ {:.2f}, margin ≥ {:.2f}, conf ≥ {:.2f}, penalty {:.2f}".format(*chosen),
    )
    axes.set_xlabel("answered outright with the wrong article (share of in-scope questions)")
    axes.set_ylabel("answered outright with the right article")
    axes.set_title("Answer threshold swept from 0.30 to 0.75 (tuning data, not the held-out set)")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def compare_head_weights(
    scorer: Scorer,
    labelled: LabelledQuestions,
    weights: list[float],
    folds: int,
    seed: int,
    limits: tuple[float, float],
) -> str:
    """A table: per weight, top-1 and top-3 of the in-scope tuning queries and the cross-validated rule."""
    lines = [
        "| head weight | top-1 | top-3 | right outright (CV) | wrong (CV) | out-of-scope declined (CV) |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for weight in weights:
        progress(f"head weight {weight}")
        scorer.head_weight = weight
        scorer.full = scorer.index(scorer.articles)
        samples = tuning_samples(scorer, labelled, folds)
        in_scope = [s for s in samples if s.right is not None]
        top1 = np.mean([bool(s.right) for s in in_scope])
        top3 = np.mean([s.right_score is not None for s in in_scope])
        cv = cross_validate(samples, folds, seed, *limits)
        lines.append(
            f"| {weight:.2f} | {top1:.1%} | {top3:.1%} | {cv.right:.1%} | {cv.wrong:.1%} | {cv.declined:.1%} |"
        )
    return "\n".join(lines) + "\n"


def tuning_samples(scorer: Scorer, labelled: LabelledQuestions, folds: int) -> list[Sample]:
    samples = [scorer.sample(scorer.full, q, expected) for q, expected in labelled.in_scope]
    samples += [scorer.sample(scorer.full, q, None) for q in labelled.out_of_scope]
    return samples + scorer.leave_fold_out(folds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench kb-calibrate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--max-wrong", type=float, default=0.02, help="most wrong outright answers allowed (share)")
    parser.add_argument("--min-declined", type=float, default=0.95, help="least share of out-of-scope declined")
    parser.add_argument("--suggest-slack", type=float, default=0.005, help="coverage the suggest threshold may give up")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-append", action="store_true")
    parser.add_argument("--language", choices=("en", "zh"), default="en")
    parser.add_argument("--head-weights", help="compare these shares of the article head in the score (comma list)")
    args = parser.parse_args(argv)
    settings = KnowledgeBaseSettings.from_env()  # EMBEDDING_MODEL and the KB_* rule settings as the product reads them
    if args.language == "zh":
        settings = settings.for_chinese()
        articles = [chinese_view(article) for article in load_articles_dir(settings.articles_dir)]
        scorer = Scorer(articles, MultilingualEmbedder())
        labelled = LabelledQuestions([], chinese_out_of_scope())
        sources = f"{ZH_EVAL_FILE.name} and the NLU out_of_scope examples"
    else:
        scorer = Scorer(load_articles_dir(settings.articles_dir), Embedder(settings.embedding_model))
        labelled = load_questions(EVAL_FILE)
        sources = EVAL_FILE.name
    limits = (args.max_wrong, args.min_declined)
    if args.head_weights:
        weights = [float(w) for w in args.head_weights.split(",")]
        table = compare_head_weights(scorer, labelled, weights, args.folds, args.seed, limits)
        body = (
            f"Language: {args.language}. Embedding model: `{scorer.embedder.model_name}`. Tuning data as below "
            f"(in-scope: {EVAL_FILE.name if args.language == 'en' else 'none'} and the article variants "
            f"leave-fold-out; out-of-scope from {sources}); the rule chosen per fold with wrong ≤ "
            f"{args.max_wrong:.0%}, declined ≥ {args.min_declined:.0%}.\n\n{table}"
        )
        print(body)
        if not args.no_append:
            append_results(
                "The article head's share of the score (bench kb-calibrate --head-weights)",
                command_line("bench.kb_calibrate", argv),
                body,
            )
        return 0
    progress(f"scoring {sources}, then every question variant, leave-fold-out")
    samples = tuning_samples(scorer, labelled, args.folds)
    progress("choosing the rules, per fold and on all the tuning data")
    current = (
        settings.answer_threshold,
        settings.answer_margin,
        settings.answer_confidence,
        settings.unfamiliar_penalty,
    )
    without_head = choose(samples, *limits, head=False)
    chosen = choose(samples, *limits)
    validated = {head: cross_validate(samples, args.folds, args.seed, *limits, head=head) for head in (False, True)}
    suggest = choose_suggest(samples, args.suggest_slack, chosen[0])
    suggest_cv = cross_validate_suggest(samples, args.folds, args.seed, args.suggest_slack, chosen[0])
    suggest_all, suggest_today = suggesting(samples, suggest), suggesting(samples, settings.suggest_threshold)
    curve = CURVE_PNG if args.language == "en" else CURVE_PNG.with_name("kb-operating-point-zh.png")
    curve_png(samples, chosen, curve)
    n_in = sum(s.right is not None for s in samples)

    def row(label: str, r: Rates) -> str:
        return f"| {label} | {r.right:.1%} | {r.wrong:.1%} | {r.declined:.1%} |\n"

    body = (
        f"Language: {args.language}. Embedding model: `{scorer.embedder.model_name}`. "
        f"Tuning data: {n_in} in-scope queries ({len(labelled.in_scope)} from {EVAL_FILE.name}, the rest article "
        f"variants leave-fold-out) and {len(samples) - n_in} out-of-scope (from {sources}). Limits: wrong ≤ {args.max_wrong:.0%}, "
        f"out-of-scope declined ≥ {args.min_declined:.0%}.\n\n"
        "| rule | right outright | wrong outright | out-of-scope declined |\n|---|---|---|---|\n"
        + row(
            "settings before this run: score ≥ {}, margin ≥ {}, confidence ≥ {}, penalty {}".format(*current),
            rates(samples, current),
        )
        + row(f"score and margin, chosen per fold, scored on the held fold ({args.folds}-fold CV)", validated[False])
        + row("score, margin, confidence, unfamiliar words: chosen per fold, scored on the held fold", validated[True])
        + row(
            "score and margin only: score ≥ {:.2f}, margin ≥ {:.2f} (all tuning data)".format(*without_head),
            rates(samples, without_head),
        )
        + row(
            f"operating point: score ≥ {chosen[0]:.2f} + {chosen[3]:.2f} × unfamiliar share, margin ≥ {chosen[1]:.2f}, confidence ≥ {chosen[2]:.2f} "
            "(all tuning data)",
            rates(samples, chosen),
        )
        + f"\nCurve: `{curve.relative_to(ROOT)}`.\n\n"
        "Suggest threshold (right article answered or among the top three offered; out-of-scope offered nothing):\n\n"
        "| rule | covered | out-of-scope offered nothing |\n|---|---|---|\n"
        f"| before this run: suggest ≥ {settings.suggest_threshold} | {suggest_today.covered:.1%} | {suggest_today.quiet:.1%} |\n"
        f"| chosen per fold, scored on the held fold | {suggest_cv.covered:.1%} | {suggest_cv.quiet:.1%} |\n"
        f"| operating point: suggest ≥ {suggest:.3f} (on all tuning data) | {suggest_all.covered:.1%} | "
        f"{suggest_all.quiet:.1%} |\n"
    )
    print(body)
    if not args.no_append:
        append_results(
            "Answer rule and suggest threshold by cross-validation (bench kb-calibrate"
            + (", Chinese)" if args.language == "zh" else ")"),
            command_line("bench.kb_calibrate", argv),
            body,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
