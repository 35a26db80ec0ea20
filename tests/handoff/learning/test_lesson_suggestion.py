"""Ranking the teach form's articles with the real embedding model over the project's own articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from handoff.learning.lesson_suggestion import answered_articles, suggest_articles
from knowledge_base.article_files import ArticleData, load_articles_dir
from knowledge_base.search import SearchHit, SearchIndex

pytestmark = pytest.mark.slow
ARTICLES = Path(__file__).resolve().parents[3] / "knowledge_base" / "articles"


class IndexSearcher:
    """KnowledgeBase.search's interface over an in-memory index of the shipped articles: no database needed."""

    def __init__(self, index: SearchIndex, embedder) -> None:  # type: ignore[no-untyped-def]
        self.index, self.embedder = index, embedder

    async def search(self, query: str, limit: int = 5) -> list[SearchHit]:
        normalised = self.index.normalise(query)
        return self.index.search(self.embedder.encode_one(normalised), normalised, limit)


@pytest.fixture(scope="module")
def articles() -> dict[str, ArticleData]:
    return {article.slug: article for article in load_articles_dir(ARTICLES)}


@pytest.fixture(scope="module")
def searcher(embedder, articles) -> IndexSearcher:  # type: ignore[no-untyped-def]
    loaded = list(articles.values())
    vectors = embedder.encode([text for article in loaded for text in article.search_texts()])
    return IndexSearcher(SearchIndex(loaded, vectors, embedder.general_words()), embedder)


@pytest.mark.parametrize(
    ("question", "reply", "right"),
    [
        (
            "is diners club ok",
            "Sorry, we don't take Diners Club: we accept Visa, Mastercard, American Express, Apple Pay and PayPal.",
            "accepted-payment-methods",
        ),
        (
            "can i pay with diners club",
            "We accept Visa, Mastercard, American Express, Apple Pay and PayPal, not Diners Club.",
            "accepted-payment-methods",
        ),
        (
            "one thing was missing from my parcel",
            "Sorry about that! We'll send the missing item right away, just reply with a photo of what arrived.",
            "damaged-wrong-or-missing-items",
        ),
    ],
)
async def test_the_agents_reply_outranks_the_knowledge_bases_top_hit(
    searcher: IndexSearcher, question: str, reply: str, right: str
) -> None:
    wrong = (await searcher.search(question, limit=1))[0].slug
    assert wrong != right, "the case is one the knowledge base's top hit gets wrong"

    ranked = await suggest_articles(searcher, question, ["Hi, let me check.", reply], [])

    assert ranked[0].slug == right, "by the reply alone, with nothing excluded"
    assert ranked[0].reply_score > 0 and ranked[0].question_score > 0
    assert [article.score for article in ranked] == sorted((article.score for article in ranked), reverse=True)


async def test_the_article_the_bot_answered_with_goes_last(searcher: IndexSearcher, articles) -> None:  # type: ignore[no-untyped-def]
    # The reply names free shipping too, so only the customer's rejection of that answer tells the two apart.
    question, reply = "do gold members pay for delivery", "Gold members get free express shipping and double points."
    wrong = (await searcher.search(question, limit=1))[0].slug
    bot_said = [articles[wrong].answer, "Did that answer your question?"]

    ranked = await suggest_articles(searcher, question, [reply], bot_said, limit=100)

    assert ranked[0].slug == "rewards-tiers-and-benefits"
    assert ranked[-1].slug == wrong and ranked[-1].answered_by_bot
    assert not any(article.answered_by_bot for article in ranked[:-1])


async def test_the_article_the_bot_answered_with_is_recognised_by_its_words(searcher: IndexSearcher, articles) -> None:  # type: ignore[no-untyped-def]
    said = [articles["gift-cards"].answer, "Did that answer your question?", "ok"]
    assert await answered_articles(searcher, said) == {"gift-cards"}


async def test_without_a_reply_the_question_alone_ranks(searcher: IndexSearcher) -> None:
    ranked = await suggest_articles(searcher, "how long do refunds take", ["one moment"], [])
    assert ranked[0].slug == "refund-timeline" and ranked[0].reply_score == 0.0
