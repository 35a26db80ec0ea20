"""Which article an agent's lesson most likely belongs to, for the teach form to pre-select.

The knowledge base's top hit for the customer's question is the wrong default:
it is usually the very article the bot answered with before the customer gave
up on it. The agent's own reply is the better witness, since it restates the
right answer, so articles are ranked by how well they match the reply and the
question together, and the article the bot already answered with goes last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from knowledge_base.search import SearchHit

# The reply says what the answer is; the question only what was asked (and it already misled the bot once).
REPLY_WEIGHT = 0.6
DEPTH = 50  # hits read per query; an article below both lists scores 0 on that side
MIN_REPLY_WORDS = 4  # "ok", "one moment please": no witness of the answer


class Searcher(Protocol):
    async def search(self, query: str, limit: int = 5) -> list[SearchHit]: ...


@dataclass(frozen=True)
class RankedArticle:
    slug: str
    title: str
    score: float
    question_score: float
    reply_score: float
    answered_by_bot: bool  # the bot answered the customer with it, and the customer still needed a person


async def answered_articles(searcher: Searcher, bot_texts: Sequence[str]) -> set[str]:
    """The articles the bot answered with: the bot utters an article's answer word for word."""
    answered: set[str] = set()
    for text in dict.fromkeys(t.strip() for t in bot_texts if len(t.split()) >= MIN_REPLY_WORDS):
        answered.update(hit.slug for hit in await searcher.search(text, limit=3) if hit.answer.strip() == text)
    return answered


def rank(
    question_hits: Sequence[SearchHit],
    reply_hits: Sequence[Sequence[SearchHit]],
    answered: set[str],
    limit: int,
) -> list[RankedArticle]:
    """Best first: the weighted sum of the question's score and the best reply's score; answered articles last."""
    titles = {hit.slug: hit.title for hits in [question_hits, *reply_hits] for hit in hits}
    by_question = {hit.slug: hit.score for hit in question_hits}
    by_reply: dict[str, float] = {}
    for hits in reply_hits:
        for hit in hits:
            by_reply[hit.slug] = max(by_reply.get(hit.slug, 0.0), hit.score)
    weight = REPLY_WEIGHT if reply_hits else 0.0
    ranked = [
        RankedArticle(
            slug=slug,
            title=title,
            score=round((1 - weight) * by_question.get(slug, 0.0) + weight * by_reply.get(slug, 0.0), 4),
            question_score=by_question.get(slug, 0.0),
            reply_score=by_reply.get(slug, 0.0),
            answered_by_bot=slug in answered,
        )
        for slug, title in titles.items()
    ]
    ranked.sort(key=lambda article: (article.answered_by_bot, -article.score, article.slug))
    return ranked[:limit]


async def suggest_articles(
    searcher: Searcher,
    question: str,
    agent_replies: Sequence[str],
    bot_replies: Sequence[str],
    *,
    limit: int = 5,
) -> list[RankedArticle]:
    question_hits = await searcher.search(question, limit=DEPTH) if question.strip() else []
    replies = [reply for reply in agent_replies if len(reply.split()) >= MIN_REPLY_WORDS]
    reply_hits = [await searcher.search(reply, limit=DEPTH) for reply in replies]
    answered = await answered_articles(searcher, bot_replies)
    return rank(question_hits, reply_hits, answered, limit)


__all__ = ["RankedArticle", "Searcher", "answered_articles", "rank", "suggest_articles"]
