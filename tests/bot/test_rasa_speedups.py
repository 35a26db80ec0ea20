"""The once-built validator of action-server answers judges every answer as Rasa's own per-call check does."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

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
