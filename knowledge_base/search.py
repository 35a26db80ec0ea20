"""Hybrid search over the published articles: sentence embeddings plus a lexical signal.

Scores are absolute, in [0, 1], and comparable across queries, so the bot can
use fixed thresholds: at or above ``answer_threshold`` it answers, between
the two thresholds it offers suggestions, below both it says it does not know.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import sessionmaker

from crm_store.db import unit_of_work
from crm_store.repositories import ArticleRepository
from knowledge_base.ann import CandidateView, VectorIndex
from knowledge_base.article_files import ArticleData
from knowledge_base.chinese_words import ChineseWords
from knowledge_base.compound import question_parts
from knowledge_base.embedding import Embedder
from knowledge_base.head import ArticleHead
from knowledge_base.lexical import LexicalIndex
from knowledge_base.negative import NegativeLesson, NegativeLessons
from knowledge_base.query_vectors import KnownVectors
from knowledge_base.settings import KnowledgeBaseSettings
from knowledge_base.spelling import SpellingCorrector
from knowledge_base.store import article_data, load_vectors
from knowledge_base.vocabulary import Vocabulary

# How the signals combine: chosen by top-1 over the article variants, asked leave-fold-out (5 folds), and
# checked on tests/knowledge_base/search_eval.yml (BENCHMARKS.md, issue 12). They sum to 1.
QUESTION_WEIGHT = 0.43  # best match among the title and question variants
ANSWER_WEIGHT = 0.17  # the answer text as a whole
PASSAGE_WEIGHT = 0.27  # best match among the answer's sentences and list items
LEXICAL_WEIGHT = 0.13  # share of the question's informative words the article contains
SEMANTIC_WEIGHT = QUESTION_WEIGHT + ANSWER_WEIGHT + PASSAGE_WEIGHT
# The article head's probability, blended into the score: the hybrid score says how close a question is to
# an article, the head how the article stands against its neighbours. Chosen on the article variants
# leave-fold-out and search_eval.yml: the most right outright answers under the cross-validated rule
# (`bench kb-calibrate --head-weights`, BENCHMARKS.md, issue 12); 0 leaves the hybrid score alone.
HEAD_WEIGHT = 0.10
TAUGHT = 0.95  # similarity to a question variant at which the question counts as one the knowledge base was taught
MAX_QUERY_CHARS = 1000
_WORD = re.compile(r"[a-z]+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@dataclass(frozen=True)
class SearchHit:
    slug: str
    title: str
    answer: str
    category: str
    score: float
    semantic: float
    lexical: float
    matched_question: str
    confidence: float | None = None  # the article head's probability for this article; None without a head
    unfamiliar_share: float = 0.0  # share of the question's informative words no article contains (same for all hits)
    question_similarity: float = 0.0  # cosine similarity to the closest title or question variant
    ruled_out: bool = False  # a negative lesson says this article does not answer this question


@dataclass(frozen=True)
class SearchOutcome:
    """What the bot should do with a question: answer it, offer suggestions, or admit it does not know."""

    verdict: Literal["answer", "suggest", "none"]
    hits: list[SearchHit]


def decide(
    hits: Sequence[SearchHit],
    *,
    answer_threshold: float,
    answer_margin: float,
    suggest_threshold: float,
    suggestions: int,
    answer_confidence: float = 0.0,
    unfamiliar_penalty: float = 0.0,
) -> SearchOutcome:
    """Answer outright only when the best article is good enough, clearly ahead of the runner-up, and the
    article head (when there is one) is confident enough of it.

    Two close candidates are where confidently wrong answers come from: then the customer
    chooses among suggestions instead (bench kb-calibrate chose the rule by cross-validation).
    The share of the question's words that appear in no article raises the bar by up to ``unfamiliar_penalty``:
    "do you offer a teacher discount?" is close to the student-discount article, but "teacher"
    is nowhere in the knowledge base, and questions like it are mostly about what the shop
    does not have (91% of out-of-scope tuning questions have such a word, 32% of in-scope ones).
    """
    hits = [hit for hit in hits if not hit.ruled_out]
    best = hits[0] if hits else None
    if best is not None and best.question_similarity >= TAUGHT:
        # A question (almost) exactly as taught is answered as taught: a just-taught article has too few variants
        # for the head to be sure of it yet, and the head (part of every score) may still favour its neighbour.
        return SearchOutcome("answer", [best])
    if best is not None and best.score >= answer_threshold + unfamiliar_penalty * best.unfamiliar_share:
        runner_up = hits[1].score if len(hits) > 1 else 0.0
        confident = best.confidence is None or best.confidence >= answer_confidence
        if best.score - runner_up >= answer_margin and confident:
            return SearchOutcome("answer", [best])
    close = [hit for hit in hits if hit.score >= suggest_threshold][:suggestions]
    return SearchOutcome("suggest", close) if close else SearchOutcome("none", [])


def _similarities(vectors: np.ndarray, query_vector: np.ndarray) -> np.ndarray:
    """Each row's dot product with the query, row by row (not BLAS, whose kernels sum a row differently depending
    on the rows around it): a text's similarity has the same bits in the scan, among the candidates, and as a
    negative lesson's question."""
    return np.einsum("ij,j->i", vectors, query_vector)


class _RowwiseLessons(NegativeLessons):
    """The negative lessons, their similarities computed as the articles' are.

    A question taught verbatim to an article after a "nothing answers this" lesson must tie the lesson
    exactly (the article wins a tie); with BLAS on one side and the row-by-row sum on the other the two
    could differ in the last bit. (Belongs in knowledge_base/negative.py; kept here while that file is
    outside this change.)
    """

    def similarities(self, query_vector: np.ndarray) -> np.ndarray:
        return _similarities(self.vectors, query_vector) if len(self.lessons) else np.zeros(0, dtype=np.float32)


class SearchIndex:
    """An immutable snapshot of the published articles, ready to score queries.

    A query costs one matrix-vector product over every text's vector (the bulk
    of the time: memory-bound, about 1.5 kB read per text), one
    ``maximum.reduceat`` that gives each article its best title-or-question
    match, its answer match and its best passage match, and a sparse lexical lookup; Python touches
    only the few hits returned.

    Above knowledge_base.ann.MIN_ARTICLES, once the vector index has caught up with the snapshot
    (``candidates``), the product covers only the candidate articles' texts: the articles of the texts
    nearest the query in the graph, the best lexical matches and the articles the graph does not hold
    yet. Each candidate is scored by the same arithmetic as in the scan (the dot products are computed
    row by row, so a row's similarity has the same bits whichever rows are computed with it), so a
    candidate's score is the one the scan gives it; what the graph can miss is an article that is not a
    candidate at all.
    """

    def __init__(
        self,
        articles: list[ArticleData],
        vectors: np.ndarray,
        general_words: Sequence[str] = (),
        previous: SearchIndex | None = None,
        negative_lessons: Sequence[NegativeLesson] = (),
        negative_vectors: np.ndarray | None = None,
        vector_index: VectorIndex | None = None,
        head_weight: float = HEAD_WEIGHT,
    ) -> None:
        """``vectors`` holds, per article in order, its ``search_texts()``: title, questions, answer, passages.

        ``previous``, the index this one replaces, lets the article head start from its fit.
        ``negative_vectors`` holds the vectors of the ``negative_lessons``' questions.
        ``vector_index``, the graph that follows the knowledge base: this snapshot searches through it as far
        as it has caught up, and gets a newer view of it (``candidates``) when it has caught up entirely.
        ``head_weight``: the article head's share of the score (bench kb-calibrate --head-weights compares them).
        """
        self.head_weight = head_weight
        self.articles = articles
        self.negatives = _RowwiseLessons(
            negative_lessons,
            negative_vectors if negative_vectors is not None else np.zeros((0, vectors.shape[-1]), np.float32),
            [article.slug for article in articles],
        )
        # Each article's texts, split into passages once: at 100,000 articles every pass over them costs seconds.
        search_texts = [article.search_texts() for article in articles]
        self.spelling = SpellingCorrector(
            Counter(word for texts in search_texts for text in texts for word in words(text)),
            general_words,
        )
        texts_per_article = np.fromiter((len(texts) for texts in search_texts), dtype=np.int64, count=len(articles))
        ends = np.cumsum(texts_per_article)
        if len(vectors) != (int(ends[-1]) if len(ends) else 0):
            raise ValueError(f"{len(vectors)} vectors for {int(ends[-1]) if len(ends) else 0} article texts")
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.text_starts = ends - texts_per_article
        self._texts_per_article = texts_per_article
        self._answer_offsets = np.fromiter(
            (len(article.questions) + 1 for article in articles), dtype=np.int64, count=len(articles)
        )
        answers = self.text_starts + self._answer_offsets
        # reduceat over [start, answer) gives the best title-or-question match, [answer, answer + 1) the answer's,
        # [answer + 1, next start) the best passage (every article has at least one passage, so none is empty).
        self._segments = np.empty(3 * len(articles), dtype=np.int64)
        self._segments[0::3] = self.text_starts
        self._segments[1::3] = answers
        self._segments[2::3] = answers + 1
        self.lexical = LexicalIndex(
            [" ".join([article.title, *article.questions, *article.tags]) for article in articles]
        )
        self.vocabulary = Vocabulary(
            [*self.spelling.domain, *(w for a in articles for tag in a.tags for w in words(tag))]
        )
        self.chinese_words = ChineseWords(text for texts in search_texts for text in texts)
        slugs = tuple(article.slug for article in articles)
        earlier = previous.head if previous is not None else None
        if earlier is not None and earlier.slugs == slugs:
            # Same articles, new variants: the earlier head still holds for them, so the index is ready now and
            # the refit (a few hundred ms) lands a moment later. A question asked as taught needs no head.
            self.head: ArticleHead | None = earlier
            self.head_refit: threading.Thread | None = threading.Thread(
                target=self._refit_head, args=(answers, earlier), daemon=True
            )
            self.head_refit.start()
        else:
            self.head = self._fit_head(answers, earlier)
            self.head_refit = None
        # Replaced by the vector index's worker when it has caught up with this snapshot (a plain attribute swap).
        self.candidates: CandidateView | None = vector_index.view(self) if vector_index is not None else None

    def _refit_head(self, answers: np.ndarray, earlier: ArticleHead) -> None:
        self.head = self._fit_head(answers, earlier)

    def _fit_head(self, answers: np.ndarray, previous: ArticleHead | None) -> ArticleHead | None:
        """The article head, fitted on the title and question rows only: what customers ask, not what articles say."""
        if not self.articles:
            return None
        rows = np.concatenate([np.arange(start, end) for start, end in zip(self.text_starts, answers, strict=True)])
        labels = np.repeat(np.arange(len(self.articles)), answers - self.text_starts)
        slugs = tuple(a.slug for a in self.articles)
        return ArticleHead.fit(self.vectors[rows], labels, slugs, previous, declined=self.negatives.vectors)

    def __len__(self) -> int:
        return len(self.articles)

    def unfamiliar_share(self, query: str) -> float:
        """The share of the (normalised) query's informative words, English and Chinese, that no article contains."""
        unknown, informative = self.vocabulary.counts(words(query))
        unknown_zh, informative_zh = self.chinese_words.counts(query)
        informative += informative_zh
        return (unknown + unknown_zh) / informative if informative else 0.0

    def normalise(self, query: str) -> str:
        """The query as it is embedded and matched: whitespace folded, typos corrected, length capped."""
        return self.spelling.correct(" ".join(query.split())[:MAX_QUERY_CHARS])

    def search(self, query_vector: np.ndarray, query: str, limit: int = 5, *, exact: bool = False) -> list[SearchHit]:
        """The ``limit`` best articles; through the candidates when there are any, unless ``exact``."""
        if not self.articles:
            return []
        lexical = self.lexical.scores(query)
        view = None if exact else self.candidates
        positions = view.candidates(query_vector, lexical) if view is not None else None
        if positions is not None and len(positions) < min(limit, len(self.articles)):
            positions = None  # too few candidates to fill the hits: the scan
        return self._rank(query_vector, query, lexical, positions, limit)

    def _rank(
        self, query_vector: np.ndarray, query: str, lexical_all: np.ndarray, positions: np.ndarray | None, limit: int
    ) -> list[SearchHit]:
        """Scores every article (``positions`` None) or only the articles at ``positions``, and ranks them.

        Arrays below are per scored article; ``articles[j]`` is the position of the j-th scored article.
        """
        if positions is None:
            articles = np.arange(len(self.articles))
            starts = self.text_starts
            segments = self._segments
            vectors = self.vectors
        else:
            articles = positions
            counts = self._texts_per_article[positions]
            starts = np.cumsum(counts) - counts  # where each scored article's texts begin in ``similarity``
            rows = np.repeat(self.text_starts[positions] - starts, counts) + np.arange(int(counts.sum()))
            answers = starts + self._answer_offsets[positions]
            segments = np.empty(3 * len(positions), dtype=np.int64)
            segments[0::3], segments[1::3], segments[2::3] = starts, answers, answers + 1
            vectors = self.vectors[rows]
        similarity = _similarities(vectors, query_vector)
        best = np.maximum.reduceat(similarity, segments)
        best_question = best[0::3]
        semantic_all = QUESTION_WEIGHT * best_question + ANSWER_WEIGHT * best[1::3] + PASSAGE_WEIGHT * best[2::3]
        lexical = lexical_all if positions is None else lexical_all[positions]
        score = np.clip(semantic_all + LEXICAL_WEIGHT * lexical, 0.0, 1.0)
        head = self.head  # read once: a refit may swap it in meanwhile
        probabilities = head.probabilities(query_vector)[articles] if head is not None else None
        if probabilities is not None:
            score = (1.0 - self.head_weight) * score + self.head_weight * probabilities
        if positions is None:
            ruled_out = self.negatives.ruled_out(query_vector, best_question)
        else:
            # The lessons look at every article's best question; an article not scored is never ruled out, and
            # is not a hit either.
            every = np.full(len(self.articles), np.inf, dtype=best_question.dtype)
            every[positions] = best_question
            ruled_out = self.negatives.ruled_out(query_vector, every)[positions]
        order_key = np.where(ruled_out, -1.0, score)  # ruled-out articles come last, after every other article
        limit = min(limit, len(articles))
        top = np.argpartition(-order_key, limit - 1)[:limit]
        top = top[np.argsort(-order_key[top], kind="stable")]
        semantic = semantic_all[top] / SEMANTIC_WEIGHT
        confidence = probabilities[top] if probabilities is not None else None
        unfamiliar = self.unfamiliar_share(query)
        hits = []
        for rank, index in enumerate(top):
            article = self.articles[int(articles[index])]
            start = int(starts[index])
            matched = int(np.argmax(similarity[start : start + len(article.questions) + 1]))
            hits.append(
                SearchHit(
                    slug=article.slug,
                    title=article.title,
                    answer=article.answer,
                    category=article.category,
                    score=round(float(score[index]), 4),
                    semantic=round(float(semantic[rank]), 4),
                    lexical=round(float(lexical[index]), 4),
                    matched_question=(article.title, *article.questions)[matched],  # matched: among these
                    confidence=None if confidence is None else round(float(confidence[rank]), 4),
                    unfamiliar_share=unfamiliar,
                    question_similarity=round(float(best_question[index]), 4),
                    ruled_out=bool(ruled_out[index]),
                )
            )
        return hits


ArticleView = Callable[[ArticleData], ArticleData]


def _as_it_is(article: ArticleData) -> ArticleData:
    return article


class KnowledgeBase:
    """Search as the bot and the consoles use it; picks up knowledge-base changes without a restart.

    Every search asks the database for the knowledge-base revision (one tiny
    query) and rebuilds the in-memory index when another process changed it.
    Above knowledge_base.ann.MIN_ARTICLES a vector index (an HNSW graph) follows each
    new index in the background; an article it does not hold yet is scored exactly.
    """

    def __init__(
        self,
        session_factory: sessionmaker,
        embedder: Embedder,
        *,
        answer_threshold: float,
        suggest_threshold: float,
        answer_margin: float = 0.0,
        answer_confidence: float = 0.0,
        unfamiliar_penalty: float = 0.0,
        vector_index: VectorIndex | None = None,
        view: ArticleView | None = None,
    ) -> None:
        self.session_factory = session_factory
        # What the index holds of each article: the article itself, or its version in another language.
        self.view: ArticleView = view if view is not None else _as_it_is
        self.vector_index = vector_index if vector_index is not None else VectorIndex()
        self.embedder = embedder
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold
        self.answer_margin = answer_margin
        self.answer_confidence = answer_confidence
        self.unfamiliar_penalty = unfamiliar_penalty
        self._index: SearchIndex | None = None
        self._revision: int | None = None
        self._lock = asyncio.Lock()
        self._general_words: list[str] | None = None
        self.last_loaded_at: float | None = None
        self.query_vectors: Counter[str] = Counter()  # "computed" here or "reused" from the NLU, per search

    @classmethod
    def from_settings(
        cls,
        session_factory: sessionmaker,
        embedder: Embedder,
        settings: KnowledgeBaseSettings,
        view: ArticleView | None = None,
    ) -> KnowledgeBase:
        return cls(
            session_factory,
            embedder,
            answer_threshold=settings.answer_threshold,
            suggest_threshold=settings.suggest_threshold,
            answer_margin=settings.answer_margin,
            answer_confidence=settings.answer_confidence,
            unfamiliar_penalty=settings.unfamiliar_penalty,
            view=view,
        )

    async def refresh(self, *, force: bool = False) -> bool:
        """Rebuild the index if the knowledge base changed; returns whether it did."""
        async with self._lock:
            async with unit_of_work(self.session_factory) as session:
                repository = ArticleRepository(session)
                revision = await repository.revision()
                if not force and self._index is not None and revision == self._revision:
                    return False
                articles = [
                    self.view(article_data(article)) for article in await repository.all(statuses=["published"])
                ]
                texts = [text for article in articles for text in article.search_texts()]
                vectors = await self._vectors(session, texts)
                lessons = [
                    NegativeLesson(row.question, row.article_slug) for row in await repository.negative_lessons()
                ]
                lesson_vectors = await load_vectors(session, self.embedder, [lesson.question for lesson in lessons])
            if self._general_words is None:
                self._general_words = await asyncio.to_thread(self.embedder.general_words)
            self._index = await asyncio.to_thread(
                SearchIndex,
                articles,
                vectors,
                self._general_words,
                self._index,
                lessons,
                lesson_vectors,
                self.vector_index,
            )
            self.vector_index.follow(self._index)
            self._revision = revision
            self.last_loaded_at = time.monotonic()
            return True

    async def _vectors(self, session: AsyncSession, texts: list[str]) -> np.ndarray:
        """The texts' vectors: those of the snapshot in memory when it has the text, the database's for the rest.

        At 100,000 articles reading every vector from the database is most of a refresh (about 30 s); after an
        edit only the edited articles' texts are new.
        """
        previous = self._index
        if previous is None or not len(previous):
            return await load_vectors(session, self.embedder, texts)

        def reuse() -> tuple[np.ndarray, list[int]]:
            known: dict[str, int] = {}
            for article, start in zip(previous.articles, previous.text_starts.tolist(), strict=True):
                for offset, text in enumerate(article.search_texts()):
                    known.setdefault(text, start + offset)
            rows = np.fromiter((known.get(text, -1) for text in texts), dtype=np.int64, count=len(texts))
            matrix = np.empty((len(texts), previous.vectors.shape[1]), dtype=np.float32)
            found = rows >= 0
            matrix[found] = previous.vectors[rows[found]]
            return matrix, np.flatnonzero(~found).tolist()

        matrix, missing = await asyncio.to_thread(reuse)
        if missing:
            matrix[missing] = await load_vectors(session, self.embedder, [texts[row] for row in missing])
        return matrix

    async def search(self, query: str, limit: int = 5, known: KnownVectors | None = None) -> list[SearchHit]:
        """The best ``limit`` articles; ``known`` holds vectors already computed for this conversation's texts."""
        await self.refresh()
        index = self._index
        assert index is not None
        query = index.normalise(query)
        if not query or len(index) == 0:
            return []
        vector = known.get(query) if known is not None else None
        self.query_vectors["reused" if vector is not None else "computed"] += 1

        def embed_and_search() -> list[SearchHit]:
            return index.search(self.embedder.encode_one(query) if vector is None else vector, query, limit)

        # Off the event loop: at 100,000 articles the scan alone takes tens of milliseconds.
        return await asyncio.to_thread(embed_and_search)

    async def slug_by_answer(self) -> dict[str, str]:
        """Each published article's answer texts (stripped, every language) and its slug: how a reply is told
        apart as an answer."""
        await self.refresh()
        assert self._index is not None
        answers = {article.answer.strip(): article.slug for article in self._index.articles}
        # In any language the article is written in: a Chinese answer is that article's answer too.
        for article in self._index.articles:
            answers.update((text.answer.strip(), article.slug) for text in article.translations.values())
        return answers

    async def normalise(self, query: str) -> str:
        await self.refresh()
        assert self._index is not None
        return self._index.normalise(query)

    async def closest_negative_lesson(self, query: str) -> tuple[NegativeLesson, float] | None:
        await self.refresh()
        index = self._index
        assert index is not None
        if not len(index.negatives):
            return None
        vector = await asyncio.to_thread(self.embedder.encode_one, index.normalise(query))
        return index.negatives.closest(vector)

    def known_vectors(self, entries: Iterable[Any]) -> KnownVectors:
        """The vectors the NLU computed (``query_vectors.entries_in`` a tracker's events) that this search can use."""
        return KnownVectors(self.embedder.model_name, self.embedder.dimensions, entries)

    async def answer(self, query: str, *, suggestions: int = 3, known: KnownVectors | None = None) -> SearchOutcome:
        """What to do with a customer's message; a message that asks two or three things is taken part by part.

        Each part answered outright by a different article: all of them are answered. Otherwise the whole
        message decides; if it is not answered outright, each part's best article leads the suggestions, so a
        two-question message offers a clear choice between its two topics.
        """
        parts = question_parts(query)
        outcomes = [await self._decide(part, suggestions, known) for part in parts] if len(parts) > 1 else []
        answered = {o.hits[0].slug: o.hits[0] for o in outcomes if o.verdict == "answer"}
        if len(answered) > 1:
            return SearchOutcome("answer", list(answered.values()))
        whole = await self._decide(query, suggestions, known)
        if whole.verdict == "answer" or not outcomes:
            return whole
        leads = [o.hits[0] for o in outcomes if o.hits]
        merged = list({hit.slug: hit for hit in [*leads, *whole.hits]}.values())[:suggestions]
        return SearchOutcome("suggest", merged) if merged else whole

    async def _decide(self, query: str, suggestions: int, known: KnownVectors | None) -> SearchOutcome:
        hits = await self.search(query, limit=max(suggestions, 2), known=known)
        return decide(
            hits,
            answer_threshold=self.answer_threshold,
            answer_margin=self.answer_margin,
            suggest_threshold=self.suggest_threshold,
            suggestions=suggestions,
            answer_confidence=self.answer_confidence,
            unfamiliar_penalty=self.unfamiliar_penalty,
        )
