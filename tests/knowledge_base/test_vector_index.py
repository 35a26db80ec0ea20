"""The approximate path of search (knowledge_base.ann): the same hits as the exact scan, kept in step with edits.

The threshold is lowered so a small knowledge base takes the path a large one takes. No model: the
snapshot tests use random unit vectors, the knowledge-base tests a bag-of-words embedder, on real databases.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from knowledge_base.ann import VectorIndex
from knowledge_base.article_files import ArticleData
from knowledge_base.editing import KnowledgeBaseEditor
from knowledge_base.embedding import Embedder
from knowledge_base.search import KnowledgeBase, SearchIndex
from tests.knowledge_base.test_search_index import make_articles, unit_vectors

WAIT = 60.0  # seconds: a bound on waiting for the background worker, never a timing assertion


def forced(**overrides: int) -> VectorIndex:
    """A vector index for any size of knowledge base, one thread (a deterministic graph), every category in it."""
    return VectorIndex(**{"min_articles": 1, "threads": 1, "exact_texts": 0, **overrides})


def near(vectors: np.ndarray, row: int, seed: int) -> np.ndarray:
    """A query vector close to one text's vector."""
    vector = vectors[row] + 0.3 * unit_vectors(1, seed=seed)[0]
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def followed(index: SearchIndex, vector_index: VectorIndex) -> SearchIndex:
    vector_index.follow(index)
    assert vector_index.wait(WAIT)
    return index


def test_candidate_hits_are_the_exact_hits_and_the_graph_finds_the_best_articles() -> None:
    articles = make_articles(400)
    vectors = unit_vectors(sum(len(article.search_texts()) for article in articles))
    vector_index = forced(k_texts=256, lexical_candidates=8)
    index = SearchIndex(articles, vectors, vector_index=vector_index)
    assert index.candidates is None  # no graph yet: the scan serves
    followed(index, vector_index)
    view = index.candidates
    assert view is not None and len(view.delta) == 0

    for seed in range(40):
        query = ["refund for my parcel", "warranty voucher", "nothing in common"][seed % 3]
        query_vector = near(vectors, seed * 50, seed)
        candidates = view.candidates(query_vector, index.lexical.scores(query))
        assert len(candidates) < len(articles)  # really a subset
        exact = index.search(query_vector, query, limit=5, exact=True)
        approximate = index.search(query_vector, query, limit=5)
        # A candidate is scored with the scan's arithmetic, so whenever the graph offers the best articles the
        # hits are the same, score for score; on this data it always does.
        assert {articles[p].slug for p in candidates} >= {hit.slug for hit in exact}
        assert approximate == exact


def test_below_the_threshold_there_is_no_graph() -> None:
    articles = make_articles(50)
    vectors = unit_vectors(sum(len(article.search_texts()) for article in articles))
    vector_index = VectorIndex(min_articles=51, threads=1)
    index = SearchIndex(articles, vectors, vector_index=vector_index)
    vector_index.follow(index)
    assert vector_index.wait(WAIT)
    assert index.candidates is None and vector_index.texts == 0


def test_an_article_the_graph_does_not_hold_yet_is_scored_exactly_until_it_does() -> None:
    articles = make_articles(300)
    added = ArticleData(
        slug="brand-new", title="New", category="misc", answer="The new answer. Two words here.", questions=("a", "b")
    )
    old_texts = sum(len(article.search_texts()) for article in articles)
    vectors = unit_vectors(old_texts + len(added.search_texts()), seed=8)
    vector_index = forced(k_texts=64)
    followed(SearchIndex(articles, vectors[:old_texts], vector_index=vector_index), vector_index)
    # The new article's vectors come last; its title's vector is the query.
    index = SearchIndex([*articles, added], vectors, vector_index=vector_index)
    view = index.candidates
    assert view is not None and view.delta.tolist() == [len(articles)]  # the delta: scored for every query
    query_vector = vectors[old_texts]
    assert index.search(query_vector, "new", limit=1)[0].slug == "brand-new"

    followed(index, vector_index)
    assert index.candidates is not view and index.candidates is not None
    assert len(index.candidates.delta) == 0
    assert index.candidates.candidates(query_vector, np.zeros(len(articles) + 1)).tolist().count(len(articles)) == 1
    assert index.search(query_vector, "new", limit=1)[0].slug == "brand-new"
    assert vector_index.builds == 1  # a small edit changes the graph in place


def test_a_change_larger_than_the_graph_can_take_in_place_builds_a_new_graph() -> None:
    articles = make_articles(200)
    vectors = unit_vectors(sum(len(article.search_texts()) for article in articles))
    vector_index = forced()
    head = articles[:40]
    followed(
        SearchIndex(head, vectors[: sum(len(a.search_texts()) for a in head)], vector_index=vector_index), vector_index
    )
    index = followed(SearchIndex(articles, vectors, vector_index=vector_index), vector_index)
    assert vector_index.builds == 2 and vector_index.texts == len(vectors)
    assert index.candidates is not None and len(index.candidates.delta) == 0


def test_removing_much_of_the_knowledge_base_builds_a_new_graph_rather_than_thinning_this_one() -> None:
    articles = make_articles(200)
    vectors = unit_vectors(sum(len(article.search_texts()) for article in articles))
    vector_index = forced()
    followed(SearchIndex(articles, vectors, vector_index=vector_index), vector_index)
    kept = articles[:100]
    kept_texts = sum(len(article.search_texts()) for article in kept)
    index = followed(SearchIndex(kept, vectors[:kept_texts], vector_index=vector_index), vector_index)
    assert vector_index.builds == 2 and vector_index.texts == kept_texts
    assert index.candidates is not None and len(index.candidates.delta) == 0


def test_the_smallest_categories_are_candidates_for_every_query() -> None:
    articles = [
        *make_articles(200),
        *(
            ArticleData(
                slug=f"policy-{n}",
                title=f"Policy {n}",
                category=f"policy-{n % 2}",
                answer="A short answer.",
                questions=("q",),
            )
            for n in range(6)
        ),
    ]
    vectors = unit_vectors(sum(len(article.search_texts()) for article in articles))
    vector_index = forced(k_texts=8, lexical_candidates=0, exact_texts=20)  # room for one policy category (12 texts)
    index = followed(SearchIndex(articles, vectors, vector_index=vector_index), vector_index)
    assert index.candidates is not None
    always = [articles[p].slug for p in index.candidates.always]
    assert always == ["policy-0", "policy-2", "policy-4"]
    for seed in range(5):
        candidates = index.candidates.candidates(unit_vectors(1, seed=40 + seed)[0], np.zeros(len(articles)))
        assert set(index.candidates.always) <= set(candidates.tolist())


class WordsEmbedder(Embedder):
    """Bag-of-words vectors: each word a fixed random direction, a text their normalised sum. No model."""

    DIMENSIONS = 64

    def __init__(self) -> None:
        super().__init__("words-fake")

    @property
    def dimensions(self) -> int:
        return self.DIMENSIONS

    def general_words(self) -> list[str]:
        return []

    def encode(self, texts: list[str], *, batch_size: int = 64, show_progress: bool = False) -> np.ndarray:
        return np.array([self.encode_one(text) for text in texts], dtype=np.float32).reshape(-1, self.DIMENSIONS)

    def encode_one(self, text: str) -> np.ndarray:
        vector = np.zeros(self.DIMENSIONS, dtype=np.float64)
        for word in text.lower().split():
            seed = zlib.crc32(word.strip("?.,!").encode("utf-8"))
            vector += np.random.default_rng(seed).standard_normal(self.DIMENSIONS)
        norm = np.linalg.norm(vector)
        return (vector / norm if norm else np.eye(self.DIMENSIONS)[0]).astype(np.float32)


TOPICS = ["parcel", "refund", "invoice", "warranty", "voucher", "colour", "size", "stock", "delivery", "returns"]
THINGS = ["lamp", "kettle", "chair", "rug", "mug", "tent", "bench", "scale", "throw", "stool"]


def catalogue() -> list[ArticleData]:
    return [
        ArticleData(
            slug=f"{thing}-{topic}",
            title=f"{topic} of the {thing}",
            category="products",
            answer=f"Everything about the {thing} and its {topic}. Ask us about the {thing} {topic} any time.",
            questions=(f"{thing} {topic}", f"what about the {topic} for my {thing}"),
        )
        for thing in THINGS
        for topic in TOPICS
    ]


@pytest.fixture
async def knowledge_base(sessions) -> tuple[KnowledgeBase, KnowledgeBaseEditor, VectorIndex]:
    embedder = WordsEmbedder()
    editor = KnowledgeBaseEditor(sessions, embedder)
    for article in catalogue():
        await editor.create(article, "trainer-1")
    vector_index = forced()
    knowledge_base = KnowledgeBase(
        sessions, embedder, answer_threshold=0.5, suggest_threshold=0.3, vector_index=vector_index
    )
    await knowledge_base.refresh()
    assert vector_index.wait(WAIT)
    return knowledge_base, editor, vector_index


def searching_through_the_graph(knowledge_base: KnowledgeBase) -> bool:
    index = knowledge_base._index
    return index is not None and index.candidates is not None


async def test_edits_are_found_at_once_and_then_through_the_graph(knowledge_base) -> None:
    kb, editor, vector_index = knowledge_base
    assert searching_through_the_graph(kb) and vector_index.texts > 0
    texts = vector_index.texts

    # A new article: found by the search right after the edit, whatever the worker has done by then ...
    await editor.create(
        ArticleData(
            slug="gift-wrapping",
            title="gift wrapping",
            category="orders",
            answer="We wrap any order as a gift for a small fee. Choose gift wrapping at checkout.",
            questions=("can you wrap my present",),
        ),
        "trainer-1",
    )
    assert (await kb.search("can you wrap my present"))[0].slug == "gift-wrapping"
    # ... and once the graph holds it, through the graph, with no delta left.
    assert vector_index.wait(WAIT) and searching_through_the_graph(kb)
    assert kb._index is not None and kb._index.candidates is not None and len(kb._index.candidates.delta) == 0
    assert (await kb.search("can you wrap my present"))[0].slug == "gift-wrapping"

    # A new question variant: matched at once.
    await editor.add_question("lamp-refund", "money back for a broken light", "trainer-1")
    hit = (await kb.search("money back for a broken light"))[0]
    assert (hit.slug, hit.matched_question) == ("lamp-refund", "money back for a broken light")
    assert vector_index.wait(WAIT)
    hit = (await kb.search("money back for a broken light"))[0]
    assert (hit.slug, hit.matched_question) == ("lamp-refund", "money back for a broken light")

    # An unpublished article: gone at once, and its texts leave the graph (the new variant stays).
    await editor.set_status("gift-wrapping", "archived", "trainer-1")
    assert "gift-wrapping" not in [hit.slug for hit in await kb.search("can you wrap my present")]
    assert vector_index.wait(WAIT)
    assert vector_index.texts == texts + 1
    assert "gift-wrapping" not in [hit.slug for hit in await kb.search("can you wrap my present")]

    # The vectors the refreshes kept from the snapshot in memory are the ones a fresh load reads.
    fresh = KnowledgeBase(kb.session_factory, kb.embedder, answer_threshold=0.5, suggest_threshold=0.3)
    await fresh.refresh()
    assert fresh._index is not None and kb._index is not None
    assert np.array_equal(fresh._index.vectors, kb._index.vectors)


async def test_search_through_the_graph_gives_the_exact_hits(knowledge_base) -> None:
    kb, _, _ = knowledge_base
    index = kb._index
    assert index is not None and index.candidates is not None
    for question in ["kettle warranty", "refund for my chair", "what colour is the rug", "tent in stock?"]:
        vector = kb.embedder.encode_one(question)
        assert index.search(vector, question, limit=5) == index.search(vector, question, limit=5, exact=True)


async def test_a_negative_lesson_still_rules_its_article_out(knowledge_base) -> None:
    kb, editor, vector_index = knowledge_base
    question = "does the warranty cover a kettle i dropped"
    assert (await kb.search(question))[0].slug == "kettle-warranty"

    await editor.add_negative_lesson(question, "kettle-warranty", "trainer-1")

    hits = await kb.search(question)
    assert searching_through_the_graph(kb)
    ruled = [hit for hit in hits if hit.slug == "kettle-warranty"]
    assert not ruled or ruled[0].ruled_out
    assert hits[0].slug != "kettle-warranty"
    assert vector_index.wait(WAIT)
    assert (await kb.search(question))[0].slug != "kettle-warranty"
