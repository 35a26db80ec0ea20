"""Rasa's per-message work done once or more cheaply: the once-built validator judges every action-server answer
as Rasa's own per-call check does, and the tracker copy equals the replaying one."""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    Event,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_speedups

GOOD: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "order_number", "value": "A-1001"}], "responses": [{"text": "hi"}]},
    {"events": [{"event": "followup", "name": "action_listen"}]},
    {},
]
BAD: list[dict[str, Any]] = [
    {"events": "not a list"},
    {"events": [{"event": "slot", "name": 7}]},
    {"responses": ["not an object"]},
    {"events": [{"no_event_key": True}]},
]


def stock_verdict(answer: dict[str, Any]) -> str | None:
    try:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError as error:
        return error.message
    return None


@pytest.mark.parametrize(("answer", "valid"), [(answer, True) for answer in GOOD] + [(answer, False) for answer in BAD])
def test_the_kept_validator_agrees_with_rasas_own_check(answer: dict[str, Any], valid: bool) -> None:
    stock = stock_verdict(answer)
    assert (stock is None) is valid, f"Rasa's own check: {stock}"
    action = RemoteAction("action_anything", None)
    if stock is None:
        assert rasa_speedups._validate_action_result(action, answer) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            rasa_speedups._validate_action_result(action, answer)
        assert raised.value.message.startswith(stock), "the same best-matching error"
        assert "Failed to validate Action server response" in raised.value.message


def test_install_replaces_rasas_per_call_check() -> None:
    rasa_speedups.install()
    assert RemoteAction._validate_action_result is rasa_speedups._validate_action_result
    with pytest.raises(jsonschema.ValidationError):
        RemoteAction("action_anything", None)._validate_action_result({"events": "not a list"})


# The tracker copy: the state the events left, as the replay gives it.

DOMAIN_FILE = Path(__file__).resolve().parents[2] / "bot" / "domain.yml"


def tracker_state(tracker: DialogueStateTracker) -> dict[str, Any]:
    """Everything a tracker holds, comparable: events by identity, slots by value and whether they were set."""
    state = {key: value for key, value in vars(tracker).items() if key not in ("events", "slots", "active_loop")}
    state["events"] = [id(event) for event in tracker.events]
    state["events_limit"] = tracker.events.maxlen
    state["slots"] = {name: (slot.value, slot.has_been_set) for name, slot in tracker.slots.items()}
    state["active_loop"] = None if tracker.active_loop is None else dataclasses.asdict(tracker.active_loop)
    return state


def random_events(rng: random.Random, domain: Domain) -> list[Event]:
    """A conversation as Rasa records one: messages, actions, slots, forms that start, are interrupted or
    rejected and end, restarts and new sessions, reverted turns."""
    forms = list(domain.form_names)
    slots = [slot.name for slot in domain.slots]
    events: list[Event] = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), ActionExecuted("action_listen")]
    for turn in range(rng.randint(1, 40)):
        intent = rng.choice(domain.intents)
        events.append(
            UserUttered(f"message {turn}", {"name": intent, "confidence": 0.9}, [], {"text": f"message {turn}"})
        )
        for _ in range(rng.randint(1, 4)):
            choice = rng.random()
            if choice < 0.3:
                events.append(SlotSet(rng.choice(slots), rng.choice([None, "A-1001", True, 3.0, ["a", "b"]])))
            elif choice < 0.45:
                events.append(ActiveLoop(rng.choice(forms)))
            elif choice < 0.5:
                events.append(ActiveLoop(None))
            elif choice < 0.55:
                events.append(ActionExecutionRejected(rng.choice(forms)))
            elif choice < 0.6:
                events.append(FollowupAction("action_listen"))
            elif choice < 0.62:
                events.append(UserUtteranceReverted())
            elif choice < 0.64:
                events.append(Restarted())
            elif choice < 0.66:
                events.append(ConversationPaused())
            elif choice < 0.68:
                events.append(ConversationResumed())
            else:
                events.append(ActionExecuted(rng.choice(domain.action_names_or_texts)))
                events.append(BotUttered(f"reply {turn}", {"buttons": []}))
        events.append(ActionExecuted("action_listen"))
    return events


@pytest.mark.parametrize("seed", range(40))
def test_the_tracker_copy_equals_the_replaying_copy(seed: int) -> None:
    domain = Domain.load(str(DOMAIN_FILE))
    rng = random.Random(seed)
    tracker = DialogueStateTracker.from_events(
        f"conversation-{seed}", random_events(rng, domain), domain.slots, max_event_history=rng.choice([None, 30])
    )
    tracker.model_id, tracker.assistant_id, tracker.sender_source = "model", "deskbot", "source"

    copied, replayed = rasa_speedups.copy_tracker(tracker), rasa_speedups.REPLAYING_COPY(tracker)

    assert tracker_state(copied) == tracker_state(replayed)
    assert copied.current_state() == replayed.current_state()
    assert copied.past_states(domain) == replayed.past_states(domain)


def test_changing_the_copy_leaves_the_original_as_it_was() -> None:
    domain = Domain.load(str(DOMAIN_FILE))
    tracker = DialogueStateTracker.from_events(
        "c",
        [ActionExecuted("action_listen"), ActiveLoop("order_status_form"), SlotSet("order_number", "A-1")],
        domain.slots,
    )
    before = tracker_state(tracker)
    copied = rasa_speedups.copy_tracker(tracker)
    copied.update_with_events([SlotSet("order_number", "B-2"), ActionExecutionRejected("order_status_form")], domain)
    copied.interrupt_loop(True)
    copied.set_latest_action({"action_name": "utter_greet"})
    assert tracker_state(tracker) == before
    assert tracker.get_slot("order_number") == "A-1" and copied.get_slot("order_number") == "B-2"


def test_installed_in_the_bots_server() -> None:
    rasa_speedups.install()
    assert DialogueStateTracker.copy is rasa_speedups.copy_tracker
