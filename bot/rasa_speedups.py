"""Work Rasa 3.6 repeats for every message that needs doing once per process.

Installed by ``bot.serve`` before Rasa starts, so only the bot's own server is changed.

* The action server's answer is checked against Rasa's response schema after every custom
  action. Rasa calls ``jsonschema.validate``, which first checks the (large, constant) schema
  itself against the JSON Schema meta-schema: in the issue-15 flame graph that was about a fifth
  of Rasa's time per message (docs/perf/chat-before/Rasa-server.svg). Here the schema is checked
  once and its validator kept; answers are judged exactly as before (the same best-matching
  error, with Rasa's own explanation added).
"""

from __future__ import annotations

from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(RESPONSE_VALIDATOR.iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


RESPONSE_VALIDATOR = _response_validator()


def install() -> None:
    """Replace Rasa's per-call check (installing twice changes nothing)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


__all__ = ["RESPONSE_VALIDATOR", "install"]
