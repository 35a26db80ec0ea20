"""Would fine-tuning the embedding on the articles' own question variants help? Measured by cross-validation.

    python -m bench.kb_finetune_cv [--folds 5] [--epochs 2] [--batch 32] [--lr 2e-5] [--seed 7] [--no-append]

An experiment, not yet part of the product (issue 12, "fine-tuning the embedding on
the knowledge base's own question variants"). Each article's variants are dealt
into --folds folds. For each fold, a copy of the embedding model is trained
contrastively (in-batch negatives, as SetFit and MultipleNegativesRankingLoss
do) on pairs of variants of the same article from the other folds; the fold's
variants are then removed from the index and asked, with the base model and
with the tuned one, through the product's own search (SearchIndex). The
questions of tests/knowledge_base/search_eval.yml, never trained on, are asked
of the full index by both models as well. Top-1 is reported side by side with
the training time. The held-out set of bench faq is never used here.
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import time

import numpy as np

from bench.common import ROOT, append_results, command_line, progress, variant_fold
from knowledge_base.article_files import ArticleData, load_articles_dir
from knowledge_base.embedding import resolve_model_path
from knowledge_base.evaluation import load_questions
from knowledge_base.search import SearchIndex
from knowledge_base.settings import KnowledgeBaseSettings

EVAL_FILE = ROOT / "tests" / "knowledge_base" / "search_eval.yml"


def pairs_for_training(articles: list[ArticleData], keep: dict[str, tuple[str, ...]], rng: random.Random) -> list:
    """(variant, another text of the same article) pairs; each batch later holds one pair per article at most."""
    pairs = []
    for article in articles:
        texts = [article.title, *keep[article.slug]]
        for variant in keep[article.slug]:
            partner = rng.choice([t for t in texts if t != variant] or [article.title])
            pairs.append((article.slug, variant, partner))
    rng.shuffle(pairs)
    return pairs


def batches(pairs: list, size: int) -> list[list]:
    """Batches without two pairs of one article, so no in-batch negative is really a positive."""
    pending, out = list(pairs), []
    while pending:
        batch, seen, rest = [], set(), []
        for pair in pending:
            if pair[0] in seen or len(batch) >= size:
                rest.append(pair)
            else:
                batch.append(pair)
                seen.add(pair[0])
        out.append(batch)
        pending = rest
    return out


def _on(features: dict, device):  # type: ignore[no-untyped-def]
    """Tokenizer output on the device (tensors only; the tokenizer also returns strings)."""
    return {key: value.to(device) if hasattr(value, "to") else value for key, value in features.items()}


def fine_tune(model, pairs: list, epochs: int, batch_size: int, seed: int, lr: float):  # type: ignore[no-untyped-def]
    import torch

    torch.manual_seed(seed)
    tuned = copy.deepcopy(model)
    tuned.train()
    optimiser = torch.optim.AdamW(tuned.parameters(), lr=lr)
    prepare = getattr(tuned, "preprocess", None) or tuned.tokenize  # tokenize is deprecated in sentence-transformers 5
    device = torch.device("cpu")
    for _ in range(epochs):
        for batch in batches(pairs, batch_size):
            if len(batch) < 2:
                continue
            anchors = prepare([p[1] for p in batch])
            positives = prepare([p[2] for p in batch])
            a = tuned(_on(anchors, device))["sentence_embedding"]
            b = tuned(_on(positives, device))["sentence_embedding"]
            scores = torch.nn.functional.normalize(a, dim=1) @ torch.nn.functional.normalize(b, dim=1).T * 20.0
            loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(batch)))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    tuned.eval()
    return tuned


def top1(model, articles: list[ArticleData], queries: list[tuple[str, str]], general_words: list[str]) -> float:  # type: ignore[no-untyped-def]
    texts = [text for article in articles for text in article.search_texts()]
    vectors = model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True)
    index = SearchIndex(articles, np.asarray(vectors), general_words)
    right = 0
    for question, expected in queries:
        normalised = index.normalise(question)
        vector = model.encode([normalised], normalize_embeddings=True, convert_to_numpy=True)[0]
        hits = index.search(vector, normalised, limit=1)
        right += bool(hits) and hits[0].slug == expected
    return right / max(len(queries), 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench kb-finetune-cv", description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-append", action="store_true")
    args = parser.parse_args(argv)
    from sentence_transformers import SentenceTransformer

    settings = KnowledgeBaseSettings.from_env()
    base = SentenceTransformer(str(resolve_model_path(settings.embedding_model)), device="cpu")
    from knowledge_base.embedding import Embedder

    general_words = Embedder(settings.embedding_model).general_words()
    articles = load_articles_dir(settings.articles_dir)
    labelled = load_questions(EVAL_FILE).in_scope
    rng = random.Random(args.seed)
    rows, base_cv, tuned_cv, base_eval, tuned_eval, seconds = [], [], [], [], [], []
    for fold in range(args.folds):
        held, keep = variant_fold(articles, args.folds, fold)
        reduced = [ArticleData(**{**a.__dict__, "questions": keep[a.slug] or a.questions[:1]}) for a in articles]
        queries = [(q, slug) for slug, qs in held.items() for q in qs if keep[slug]]
        started = time.perf_counter()
        tuned = fine_tune(base, pairs_for_training(articles, keep, rng), args.epochs, args.batch, args.seed, args.lr)
        seconds.append(time.perf_counter() - started)
        base_cv.append(top1(base, reduced, queries, general_words))
        tuned_cv.append(top1(tuned, reduced, queries, general_words))
        base_eval.append(top1(base, reduced, labelled, general_words))
        tuned_eval.append(top1(tuned, reduced, labelled, general_words))
        progress(
            f"fold {fold + 1}/{args.folds}: held-out variants {base_cv[-1]:.1%} -> {tuned_cv[-1]:.1%}, "
            f"search_eval {base_eval[-1]:.1%} -> {tuned_eval[-1]:.1%}, training {seconds[-1]:.0f} s"
        )
    rows.append(f"| held-out variants (leave-fold-out), top-1 | {np.mean(base_cv):.1%} | {np.mean(tuned_cv):.1%} |")
    rows.append(
        f"| search_eval.yml in-scope (never trained on), top-1 | {np.mean(base_eval):.1%} | {np.mean(tuned_eval):.1%} |"
    )
    body = (
        f"{args.folds} folds over each article's variants; {args.epochs} epochs, batch {args.batch}, lr {args.lr}, in-batch "
        f"negatives; training {np.mean(seconds):.0f} s per fold on the CPU.\n\n"
        "| figure | base model | fine-tuned |\n|---|---|---|\n" + "\n".join(rows) + "\n"
    )
    print(body)
    if not args.no_append:
        append_results(
            "Embedding fine-tuned on the article variants, cross-validated (bench kb-finetune-cv)",
            command_line("bench.kb_finetune_cv", argv),
            body,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
