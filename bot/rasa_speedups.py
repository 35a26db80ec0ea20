"""Work Rasa 3.6 repeats for every message that needs doing once per process, or more cheaply.

Installed by ``bot.serve`` before Rasa starts, so only the bot's own server is changed.

* The action server's answer is checked against Rasa's response schema after every custom
  action. Rasa calls ``jsonschema.validate``, which first checks the (large, constant) schema
  itself against the JSON Schema meta-schema: in the issue-15 flame graph that was about a fifth
  of Rasa's time per message (docs/perf/chat-before/Rasa-server.svg). Here the schema is checked
  once and its validator kept; answers are judged exactly as before (the same best-matching
  error, with Rasa's own explanation added).
* Before every action Rasa copies the conversation's tracker, and ``DialogueStateTracker.copy`` builds
  the copy by replaying every event of the session: the cost of a message grew with the conversation
  (Rasa's CPU per message 41 ms at turns 1-25, 200 ms at turns 176-200, `bench long-chat`; the replay
  was 47% of Rasa's samples there). ``copy_tracker`` copies the state the events produced instead; the result equals the
  replay's, attribute by attribute (tests/bot/test_rasa_speedups.py).
"""

from __future__ import annotations

import copy
from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.trackers import AnySlotDict, DialogueStateTracker


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
REPLAYING_COPY = DialogueStateTracker.copy


def copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """What ``travel_back_in_time(inf)`` returns, without replaying the events.

    As the replay does: the same event objects, in a deque of the same length limit; slots, loop and latest
    action as the events left them, in objects of the copy's own (a form's later step must not change the
    original); no model or assistant id and no sender source (``init_copy`` passes none on).
    """
    truncated = self.events.maxlen is not None and len(self.events) >= self.events.maxlen
    if truncated or isinstance(self.slots, AnySlotDict):
        # A history cut to its limit replays to another state than the one its lost events left (Rasa's copy
        # forgets them); a tracker without a domain's slots is rare. Both keep Rasa's own copy.
        return REPLAYING_COPY(self)
    clone = self.init_copy()
    clone.events = clone._create_events(list(self.events))
    clone.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    clone._paused = self._paused
    clone.followup_action = self.followup_action
    clone.latest_action = dict(self.latest_action) if self.latest_action is not None else None
    clone.latest_message = self.latest_message
    clone.latest_bot_utterance = self.latest_bot_utterance
    clone.active_loop = copy.copy(self.active_loop)
    return clone


def install() -> None:
    """Replace Rasa's per-call check and its replaying tracker copy (installing twice changes nothing)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    DialogueStateTracker.copy = copy_tracker  # type: ignore[method-assign]


__all__ = ["RESPONSE_VALIDATOR", "copy_tracker", "install"]
