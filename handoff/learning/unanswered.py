"""Whether teaching has fixed what customers asked and the bot could not answer.

Each cluster of unanswered questions is asked again, as it is now: the running
intent model first (Rasa's parse), then the knowledge base's own ``answer`` rule.
Answered outright is fixed, suggestions are half-way, nothing is still open; a
question the intent model sends away from the knowledge base is open whatever the
articles say, because the chat never asks them ("Try a question" shows the whole path).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol

from bot.intents import KNOWLEDGE_BASE_INTENTS
from knowledge_base.search import SearchOutcome

CHECKED = 3  # examples asked again per cluster: the first (most typical) ones, enough to tell
Verdict = Literal["fixed", "partly_fixed", "suggestions", "open"]
ORDER: dict[str, int] = {"open": 0, "suggestions": 1, "partly_fixed": 2, "fixed": 3}


class Answerer(Protocol):
    async def answer(self, query: str, *, suggestions: int = 3) -> SearchOutcome: ...


Router = Callable[[str], Awaitable[str | None]]  # the intent the running model reads; None when it cannot say
ROUTED_AWAY = SearchOutcome("none", [])


def verdict(outcomes: list[SearchOutcome]) -> Verdict:
    answered = sum(outcome.verdict == "answer" for outcome in outcomes)
    if outcomes and answered == len(outcomes):
        return "fixed"
    if answered:
        return "partly_fixed"
    return "suggestions" if any(outcome.verdict == "suggest" for outcome in outcomes) else "open"


async def with_verdicts(
    clusters: list[dict[str, Any]], knowledge_base: Answerer, route: Router | None = None
) -> list[dict[str, Any]]:
    """The clusters, each with the bot's verdict now; open ones first (most frequent first), fixed ones last."""
    judged = []
    for cluster in clusters:
        examples = list(cluster.get("examples") or [])[:CHECKED]
        intents = [await route(example) if route is not None else None for example in examples]
        outcomes = [
            ROUTED_AWAY
            if intent is not None and intent not in KNOWLEDGE_BASE_INTENTS
            else await knowledge_base.answer(e)
            for e, intent in zip(examples, intents, strict=True)
        ]
        titles = [o.hits[0].title for o in outcomes if o.verdict == "answer" and o.hits]
        judged.append(
            {
                **cluster,
                "verdict": verdict(outcomes),
                "answered_with": list(dict.fromkeys(titles)),
                "checked": [
                    {
                        "question": example,
                        "verdict": outcome.verdict,
                        "titles": [hit.title for hit in outcome.hits],
                        "intent": intent,
                        "routed_away": intent is not None and intent not in KNOWLEDGE_BASE_INTENTS,
                    }
                    for example, outcome, intent in zip(examples, outcomes, intents, strict=True)
                ],
            }
        )
    return sorted(judged, key=lambda cluster: (ORDER[cluster["verdict"]], -int(cluster.get("count") or 0)))


__all__ = ["Verdict", "verdict", "with_verdicts"]
