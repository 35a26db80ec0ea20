"""Candidate generation for large knowledge bases: an HNSW graph over every search text's vector.

At 100,000 articles the exact scan reads 600,000 vectors (0.9 GB) per query. Above
``MIN_ARTICLES`` the search asks an approximate nearest-neighbour index (hnswlib) for the
``K_TEXTS`` texts closest to the question, adds the articles with the best lexical scores and
the articles the graph does not hold yet, and scores only those articles, exactly as the scan
would (knowledge_base.search). Below it the scan is exact and cheap, and there is no graph.

The graph lives as long as the KnowledgeBase, across index snapshots, and follows them in
the background (``VectorIndex.follow``): the first snapshot above the threshold builds it
(minutes at 600,000 texts; the exact scan serves meanwhile); after that a knowledge-base
edit adds the changed articles' new vectors and marks their old ones deleted, which takes
milliseconds per article. Until the graph holds an article's current texts, that article is
in the snapshot's "delta" and scored exactly for every query, so an edit is searchable as
soon as the snapshot that has it is (the next refresh), never later.

hnswlib's ``add_items`` is not thread-safe with ``knn_query``: both run under one lock, and
changes go in small batches so a query never waits long behind them. When the graph runs out
of room (it is built with ``HEADROOM`` spare slots, and deleted slots are reused), or more than
``REBUILD_SHARE`` of what it would hold changed at once, a new graph is built beside the old
one and swapped in: no query waits for it, and both are in memory until the swap.

The articles of the smallest categories, up to ``EXACT_TEXTS`` texts in all, are candidates for
every query. A graph over many near-duplicate texts (a shop's templated product questions: "is the
<product> dishwasher safe?" for every product) is poorly navigable: at 100,000 articles, 600,000 of
them templated, the graph returned the text nearest a customer's question for only 20-35% of the
questions (M 16 or 32), and the approximate top article was the exact one for 87% of them. The help-centre
articles that most questions are about are few and in small categories; scored always, they cost a
fraction of a millisecond, and the graph is left the large categories, where a near tie is what it misses.

The parameters (M, ef, K) were chosen on the tuning data only: question variants of the
articles at 100,000 articles (bench kb_search --tune, BENCHMARKS.md issue 15 item 5); M 32 with
ef_construction 200 built in twice the time without a useful gain in recall.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import hnswlib
import numpy as np

from knowledge_base.article_files import ArticleData

log = logging.getLogger(__name__)

MIN_ARTICLES = 5_000  # below this many articles the exact scan is used (and no graph is built)
M = 16  # graph degree: memory per text is 4 * (dims + 2 * M) bytes plus a little
EF_CONSTRUCTION = 100
EF_SEARCH = 256  # candidate list size while searching; at least K_TEXTS
K_TEXTS = 256  # nearest texts asked of the graph per query
LEXICAL_CANDIDATES = 32  # articles with the best lexical scores, added to the candidates
EXACT_TEXTS = 10_000  # the smallest categories, up to this many texts in all, are scored for every query
MAX_DELTA_SHARE = 0.2  # more of the articles than this not in the graph yet: the exact scan is cheaper
HEADROOM = 0.25  # spare slots built into the graph for articles added later
REBUILD_SHARE = 0.25  # texts added and removed beyond this share of the graph: build a new graph instead
BATCH_ARTICLES = 8  # articles changed per lock hold (~7 ms each at 700,000 texts): what a query may wait
SEED = 100


class Snapshot(Protocol):
    """What the graph follows: a SearchIndex (knowledge_base.search), seen through what the graph needs."""

    articles: list[ArticleData]
    vectors: np.ndarray
    text_starts: np.ndarray
    candidates: CandidateView | None


def _content(article: ArticleData) -> tuple[str, tuple[str, ...], str]:
    """What an article's vectors depend on: its title, questions and answer (the passages come from the answer)."""
    return (article.title, article.questions, article.answer)


@dataclass(frozen=True)
class _Entry:
    content: tuple[str, tuple[str, ...], str]
    first_label: int  # the article's texts have labels first_label, first_label + 1, ... in search_texts() order
    count: int


class _Graph:
    """One hnswlib index and the lock that keeps its queries and changes apart."""

    def __init__(self, dimensions: int, capacity: int, m: int, ef_construction: int, ef: int, threads: int) -> None:
        self.index = hnswlib.Index(space="ip", dim=dimensions)  # unit vectors: inner product is cosine similarity
        self.index.init_index(
            max_elements=max(capacity, 1),
            M=m,
            ef_construction=ef_construction,
            random_seed=SEED,
            allow_replace_deleted=True,
        )
        self.index.set_ef(ef)
        self.index.set_num_threads(threads)
        self.lock = threading.Lock()
        self.live = 0  # texts searchable now; deleted slots are reused by later additions (replace_deleted)

    @property
    def free(self) -> int:
        return self.index.get_max_elements() - self.live

    def nbytes(self) -> int:
        """The graph's memory: per slot in use its vector, its level-0 links and label; upper levels are ~1/M of that."""
        per_text = 4 * self.index.dim + 4 * (2 * self.index.M + 1) + 8
        return int(self.index.get_current_count() * per_text * (1 + 1 / self.index.M))

    def add(self, vectors: np.ndarray, labels: np.ndarray) -> None:
        with self.lock:
            self.index.add_items(vectors, labels, replace_deleted=True)
            self.live += len(labels)

    def delete(self, labels: np.ndarray) -> None:
        with self.lock:
            for label in labels.tolist():
                self.index.mark_deleted(label)
            self.live -= len(labels)

    def nearest(self, query_vector: np.ndarray, k: int) -> np.ndarray | None:
        """The labels of the ``k`` texts nearest the query; None when the graph cannot tell (the caller scans)."""
        with self.lock:
            k = min(k, self.live)
            if k <= 0:
                return np.zeros(0, dtype=np.int64)
            try:
                labels, _ = self.index.knn_query(query_vector.reshape(1, -1), k=k, num_threads=1)
            except RuntimeError:  # hnswlib found fewer than k texts (a graph thinned out by deletions)
                return None
        return labels[0].astype(np.int64)


@dataclass(frozen=True)
class CandidateView:
    """One snapshot's window on the graph: which snapshot row each graph label is, and the articles it lacks."""

    graph: _Graph
    label_rows: np.ndarray  # graph label -> row of the snapshot's vectors, -1 when not the snapshot's text
    row_articles: np.ndarray  # snapshot row -> article position
    delta: np.ndarray  # positions of the articles whose current texts the graph does not hold (always scored)
    always: np.ndarray  # positions of the articles of the smallest categories (always scored)
    k_texts: int
    lexical_candidates: int

    def candidates(self, query_vector: np.ndarray, lexical: np.ndarray) -> np.ndarray | None:
        """Article positions worth scoring exactly for the query, sorted: the articles of the nearest texts,
        the best lexical matches, the small categories and the delta; None when the graph cannot say (then
        the scan answers)."""
        labels = self.graph.nearest(query_vector, self.k_texts)
        if labels is None:
            return None
        labels = labels[labels < len(self.label_rows)]
        rows = self.label_rows[labels]
        parts = [self.row_articles[rows[rows >= 0]], self.delta, self.always]
        count = min(self.lexical_candidates, len(lexical))
        if count:
            best = np.argpartition(-lexical, count - 1)[:count]
            parts.append(best[lexical[best] > 0])
        return np.unique(np.concatenate(parts))


class VectorIndex:
    """The graph over a knowledge base's texts, following the KnowledgeBase's snapshots in the background."""

    def __init__(
        self,
        *,
        min_articles: int = MIN_ARTICLES,
        m: int = M,
        ef_construction: int = EF_CONSTRUCTION,
        ef: int = EF_SEARCH,
        k_texts: int = K_TEXTS,
        lexical_candidates: int = LEXICAL_CANDIDATES,
        exact_texts: int = EXACT_TEXTS,
        threads: int | None = None,
    ) -> None:
        self.min_articles = min_articles
        self.m, self.ef_construction, self.ef = m, ef_construction, max(ef, k_texts)
        self.k_texts, self.lexical_candidates, self.exact_texts = k_texts, lexical_candidates, exact_texts
        self.threads = threads or os.cpu_count() or 1
        self._graph: _Graph | None = None
        self._entries: dict[str, _Entry] = {}
        self._next_label = 0
        self._books = threading.Lock()  # guards _graph, _entries and _next_label together
        self._pending: Snapshot | None = None
        self._worker: threading.Thread | None = None
        self._state = threading.Condition()
        self.last_build_seconds: float | None = None
        self.builds = 0

    def view(self, snapshot: Snapshot) -> CandidateView | None:
        """The snapshot's window on the graph as it is now; None when the snapshot should scan exactly."""
        articles = snapshot.articles
        if len(articles) < self.min_articles:
            return None
        with self._books:
            graph = self._graph
            if graph is None:
                return None
            label_rows = np.full(self._next_label, -1, dtype=np.int64)
            delta, firsts, starts, counts = [], [], [], []
            for position, article in enumerate(articles):
                entry = self._entries.get(article.slug)
                if entry is None or entry.content != _content(article):
                    delta.append(position)
                    continue
                firsts.append(entry.first_label)
                counts.append(entry.count)
                starts.append(int(snapshot.text_starts[position]))
        if len(delta) > MAX_DELTA_SHARE * len(articles):
            return None
        counts_array = np.asarray(counts, dtype=np.int64)
        within = np.arange(int(counts_array.sum())) - np.repeat(np.cumsum(counts_array) - counts_array, counts_array)
        label_rows[np.repeat(np.asarray(firsts, dtype=np.int64), counts_array) + within] = (
            np.repeat(np.asarray(starts, dtype=np.int64), counts_array) + within
        )
        texts_per_article = np.diff(np.append(snapshot.text_starts, len(snapshot.vectors)))
        return CandidateView(
            graph=graph,
            label_rows=label_rows,
            row_articles=np.repeat(np.arange(len(articles)), texts_per_article),
            delta=np.asarray(delta, dtype=np.int64),
            always=_small_categories(articles, texts_per_article, self.exact_texts),
            k_texts=self.k_texts,
            lexical_candidates=self.lexical_candidates,
        )

    def follow(self, snapshot: Snapshot) -> None:
        """Bring the graph in step with the snapshot in the background, then give the snapshot its new view.

        Only the newest snapshot handed over while the worker is busy is followed: an older one is already replaced.
        """
        if len(snapshot.articles) < self.min_articles:
            return
        with self._state:
            self._pending = snapshot
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="vector-index", daemon=True)
                self._worker.start()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every snapshot handed to follow() has its view; whether that happened within ``timeout``."""
        with self._state:
            return self._state.wait_for(lambda: self._worker is None, timeout)

    @property
    def graph_bytes(self) -> int:
        graph = self._graph
        return graph.nbytes() if graph is not None else 0

    @property
    def texts(self) -> int:
        graph = self._graph
        return graph.live if graph is not None else 0

    def _work(self) -> None:
        while True:
            with self._state:
                snapshot, self._pending = self._pending, None
                if snapshot is None:
                    self._worker = None
                    self._state.notify_all()
                    return
            try:
                self._sync(snapshot)
                snapshot.candidates = self.view(snapshot)
            except Exception:  # a failed build must not stop the worker: the snapshot keeps its exact scan
                log.exception("the vector index could not follow the knowledge base; searching exactly")

    def _sync(self, snapshot: Snapshot) -> None:
        articles = snapshot.articles
        current = {article.slug for article in articles}
        with self._books:
            graph = self._graph
            changed = [
                position
                for position, article in enumerate(articles)
                if (entry := self._entries.get(article.slug)) is None or entry.content != _content(article)
            ]
            removed = [slug for slug in self._entries if slug not in current]
            leaving = sum(self._entries[slug].count for slug in removed) + sum(
                entry.count for position in changed if (entry := self._entries.get(articles[position].slug)) is not None
            )
        if graph is not None:
            coming = sum(len(articles[position].search_texts()) for position in changed)
            # In place while the change is small: what a batch of edits costs, and a graph not thinned by deletions.
            if coming <= graph.free and coming + leaving <= REBUILD_SHARE * max(graph.live, 1):
                self._edit(snapshot, graph, changed, removed)
                return
        self._rebuild(snapshot)

    def _rebuild(self, snapshot: Snapshot) -> None:
        """A new graph of every text of the snapshot, built without holding any lock, then swapped in."""
        started = time.perf_counter()
        vectors = snapshot.vectors
        graph = _Graph(
            vectors.shape[1],
            int(len(vectors) * (1 + HEADROOM)) + 1024,
            self.m,
            self.ef_construction,
            self.ef,
            self.threads,
        )
        graph.add(vectors, np.arange(len(vectors), dtype=np.int64))
        entries = {
            article.slug: _Entry(_content(article), int(start), len(article.search_texts()))
            for article, start in zip(snapshot.articles, snapshot.text_starts.tolist(), strict=True)
        }
        with self._books:
            self._graph, self._entries, self._next_label = graph, entries, len(vectors)
        self.last_build_seconds = time.perf_counter() - started
        self.builds += 1
        log.info("vector index built over %d texts in %.1f s", len(vectors), self.last_build_seconds)

    def _edit(self, snapshot: Snapshot, graph: _Graph, changed: Sequence[int], removed: Sequence[str]) -> None:
        """Mark the removed and changed articles' old texts deleted and add the changed ones' new texts, a few
        articles at a time, each batch with its bookkeeping, so a view made in between is right."""
        articles, starts = snapshot.articles, snapshot.text_starts
        for batch_start in range(0, len(removed), BATCH_ARTICLES):
            with self._books:
                old = [self._entries.pop(slug) for slug in removed[batch_start : batch_start + BATCH_ARTICLES]]
                graph.delete(_labels(old))
        for batch_start in range(0, len(changed), BATCH_ARTICLES):
            batch = changed[batch_start : batch_start + BATCH_ARTICLES]
            with self._books:
                old = [entry for p in batch if (entry := self._entries.get(articles[p].slug)) is not None]
                if old:
                    graph.delete(_labels(old))
                rows, new_entries = [], []
                for position in batch:
                    article, start = articles[position], int(starts[position])
                    count = len(article.search_texts())
                    rows.append(np.arange(start, start + count))
                    new_entries.append((article.slug, _Entry(_content(article), self._next_label, count)))
                    self._next_label += count
                all_rows = np.concatenate(rows)
                first = new_entries[0][1].first_label
                graph.add(snapshot.vectors[all_rows], np.arange(first, first + len(all_rows), dtype=np.int64))
                self._entries.update(new_entries)


def _small_categories(articles: Sequence[ArticleData], texts_per_article: np.ndarray, budget: int) -> np.ndarray:
    """Positions of the articles of the smallest categories, smallest first, while their texts fit ``budget``."""
    texts: dict[str, int] = {}
    for article, count in zip(articles, texts_per_article.tolist(), strict=True):
        texts[article.category] = texts.get(article.category, 0) + count
    chosen, used = set(), 0
    for category, count in sorted(texts.items(), key=lambda item: (item[1], item[0])):
        if used + count > budget:
            break
        chosen.add(category)
        used += count
    return np.fromiter(
        (position for position, article in enumerate(articles) if article.category in chosen), dtype=np.int64
    )


def _labels(entries: Sequence[_Entry]) -> np.ndarray:
    if not entries:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate([np.arange(entry.first_label, entry.first_label + entry.count) for entry in entries])


__all__ = ["CandidateView", "VectorIndex", "MIN_ARTICLES"]
