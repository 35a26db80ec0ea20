"""Which replies a redelivered message gets back: those recorded after it, up to the next customer message."""

from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered

from bot.channels.redelivery import replies_recorded_for
from bot.delivery import MESSAGE_ID

EVENTS = [
    UserUttered("hello", metadata={MESSAGE_ID: 1}),
    BotUttered("Hi! How can I help?"),
    UserUttered("where is my order?", metadata={MESSAGE_ID: 2}),
    ActionExecuted("order_status_form"),
    SlotSet("requested_slot", "order_number"),
    BotUttered("What is your order number?", data={"buttons": [{"title": "I don't know", "payload": "/deny"}]}),
    BotUttered(None, data={"custom": {"signal": "asked_order_number"}}),
    UserUttered("A-1001", metadata={MESSAGE_ID: 3}),
    BotUttered("Found it."),
]


def test_the_replies_after_the_message_up_to_the_next_customer_message() -> None:
    replies = replies_recorded_for(EVENTS, 2)
    assert replies is not None
    assert [reply["text"] for reply in replies] == ["What is your order number?", None]
    assert replies[0]["buttons"] == [{"title": "I don't know", "payload": "/deny"}]
    assert replies[1]["custom"] == {"signal": "asked_order_number"}, "signals are replayed too"
    assert [reply["text"] for reply in replies_recorded_for(EVENTS, 3) or []] == ["Found it."]


def test_a_message_the_tracker_never_saw_is_not_replayed() -> None:
    assert replies_recorded_for(EVENTS, 4) is None
    assert replies_recorded_for([UserUttered("hello")], 1) is None, "a message without an id matches nothing"


def test_a_turn_that_said_nothing_is_told_apart_from_one_never_seen() -> None:
    # handle_once runs such a turn again: its action failed, and the customer is owed an answer.
    assert replies_recorded_for([UserUttered("ok", metadata={MESSAGE_ID: 5}), ActionExecuted("action_listen")], 5) == []
