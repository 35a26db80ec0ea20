"""'Try a question': the very path a customer's message takes, with each step's decision and score.

The question goes to Rasa in a conversation of its own, exactly as a new web-chat customer's first
message does (NLU, policies, the action server, the knowledge base), and the verdict is read from the
bot's replies as the customer would see them (handoff/learning/reading.py). The tracker then tells
which intent the NLU read and which action each policy chose; the gateway's own knowledge-base search
adds the scores behind the articles, and says so when the knowledge base would have answered but the
message was routed elsewhere.
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from bot.intents import KNOWLEDGE_BASE_INTENTS
from handoff.errors import BotUnavailable
from handoff.keys import KNOWLEDGE_BASE, RASA
from handoff.learning.reading import read_replies
from handoff.rasa_client import REPLY_TIMEOUT_S
from handoff.staff.sessions import require, signed_in_user
from handoff.trainer.pages import TRAINER_ROLES

MAX_QUESTION = 2000


def steps_from_tracker(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """The NLU's reading of the last customer message, then each action the policies chose for it."""
    events = tracker.get("events") or []
    last_user = max((i for i, event in enumerate(events) if event.get("event") == "user"), default=None)
    if last_user is None:
        return []
    parse = events[last_user].get("parse_data") or {}
    intent = parse.get("intent") or {}
    steps: list[dict[str, Any]] = [
        {
            "step": "nlu",
            "decision": intent.get("name"),
            "score": intent.get("confidence"),
            "ranking": [
                {"name": ranked.get("name"), "score": ranked.get("confidence")}
                for ranked in (parse.get("intent_ranking") or [])[:3]
            ],
            "entities": [
                {"entity": entity.get("entity"), "value": entity.get("value")} for entity in parse.get("entities") or []
            ],
        }
    ]
    for event in events[last_user + 1 :]:
        if event.get("event") == "action" and event.get("name") != "action_listen":
            steps.append(
                {
                    "step": "policy",
                    "decision": event.get("name"),
                    "policy": event.get("policy"),
                    "score": event.get("confidence"),
                }
            )
    return steps


@require(*TRAINER_ROLES)
async def try_question(request: web.Request) -> web.Response:
    user = await signed_in_user(request)
    knowledge_base = request.app[KNOWLEDGE_BASE]
    question = request.query.get("q", "")[:MAX_QUESTION]
    if not question.strip():
        return web.json_response({"verdict": "none", "steps": [], "hits": [], "replies": []})
    # A conversation of its own, as a new customer's: nothing earlier in it colours the reading.
    sender = f"trainer-try-{user.id}-{secrets.token_hex(8)}"
    rasa = request.app[RASA]
    replies = await rasa.send(sender, question, {"channel": "web", "channel_user_id": sender, "verified": False})
    tracker = await rasa.tracker(sender, timeout=REPLY_TIMEOUT_S)  # as long as a reply may take: Rasa may be busy
    if tracker is None:
        raise BotUnavailable("Rasa answered the question but would not show its tracker")
    reading = read_replies(replies, await knowledge_base.slug_by_answer())
    kb_outcome = await knowledge_base.answer(question, suggestions=5)
    hits = await knowledge_base.search(question, limit=5)
    steps = steps_from_tracker(tracker)
    intent = steps[0]["decision"] if steps else None
    steps.append(
        {
            "step": "knowledge_base",
            "decision": kb_outcome.verdict,
            "article": kb_outcome.hits[0].slug if kb_outcome.verdict == "answer" else None,
            "score": hits[0].score if hits else None,
            "consulted": intent in KNOWLEDGE_BASE_INTENTS,
        }
    )
    closest = await knowledge_base.closest_negative_lesson(question)
    return web.json_response(
        {
            "verdict": reading.verdict,
            "answered": reading.answered,
            "suggested": list(reading.suggested),
            "intent": intent,
            "routed_away": intent not in KNOWLEDGE_BASE_INTENTS,
            "replies": [reply.get("text") for reply in replies if reply.get("text")],
            "steps": steps,
            "normalised": await knowledge_base.normalise(question),
            "thresholds": {
                "answer_threshold": knowledge_base.answer_threshold,
                "suggest_threshold": knowledge_base.suggest_threshold,
                "answer_margin": knowledge_base.answer_margin,
                "answer_confidence": knowledge_base.answer_confidence,
            },
            "hits": [hit.__dict__ for hit in hits],
            "closest_negative_lesson": (
                {"question": closest[0].question, "article_slug": closest[0].article_slug, "similarity": closest[1]}
                if closest is not None
                else None
            ),
        }
    )


def routes() -> list[web.RouteDef]:
    return [web.get("/trainer/api/try", try_question)]
