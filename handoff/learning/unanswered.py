"""Whether teaching has fixed what customers asked and the bot could not answer.

Each cluster of unanswered questions is asked again, as it is now, through the
knowledge base's own ``answer`` rule: answered outright is fixed, suggestions
are half-way, nothing is still open. The intent model is not consulted, so a
question it routes elsewhere can read as fixed here while the chat still
misses it (issue 13 deliverable 2 is about that one truth).
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

from knowledge_base.search import SearchOutcome

CHECKED = 3  # examples asked again per cluster: the first (most typical) ones, enough to tell
Verdict = Literal["fixed", "partly_fixed", "suggestions", "open"]
ORDER: dict[str, int] = {"open": 0, "suggestions": 1, "partly_fixed": 2, "fixed": 3}


class Answerer(Protocol):
    async def answer(self, query: str, *, suggestions: int = 3) -> SearchOutcome: ...


def verdict(outcomes: list[SearchOutcome]) -> Verdict:
    answered = sum(outcome.verdict == "answer" for outcome in outcomes)
    if outcomes and answered == len(outcomes):
        return "fixed"
    if answered:
        return "partly_fixed"
    return "suggestions" if any(outcome.verdict == "suggest" for outcome in outcomes) else "open"


async def with_verdicts(clusters: list[dict[str, Any]], knowledge_base: Answerer) -> list[dict[str, Any]]:
    """The clusters, each with the bot's verdict now; open ones first (most frequent first), fixed ones last."""
    judged = []
    for cluster in clusters:
        examples = list(cluster.get("examples") or [])[:CHECKED]
        outcomes = [await knowledge_base.answer(example) for example in examples]
        titles = [o.hits[0].title for o in outcomes if o.verdict == "answer" and o.hits]
        judged.append(
            {
                **cluster,
                "verdict": verdict(outcomes),
                "answered_with": list(dict.fromkeys(titles)),
                "checked": [
                    {"question": example, "verdict": outcome.verdict, "titles": [hit.title for hit in outcome.hits]}
                    for example, outcome in zip(examples, outcomes, strict=True)
                ],
            }
        )
    return sorted(judged, key=lambda cluster: (ORDER[cluster["verdict"]], -int(cluster.get("count") or 0)))


__all__ = ["Verdict", "verdict", "with_verdicts"]
