"""Shared by the fuzz tests: how many examples each gets, and strategies for what outsiders send.

Bounded by example count, not by time: ``deadline=None`` because a per-example time limit on a busy
2-core CI machine fails for the machine's load, not for the code. No example database: each run starts
clean and writes nothing into the working tree; a failure prints the example to paste as a regression.
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# `make test` replays the same examples on every run, so a red build means a change broke something;
# DESKBOT_FUZZ_EXAMPLES=5000 explores fresh (and more) examples when hunting for new bugs.
EXPLORE = int(os.environ.get("DESKBOT_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    max_examples=EXPLORE or 300,
    derandomize=not EXPLORE,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

# Any code point, half surrogate pairs included: JSON ("\\ud800") and YAML ("\\uD800") can both carry them.
# Drawn from the whole range they are too rare to turn up, so some are mixed in on purpose.
code_points = st.characters(blacklist_categories=()) | st.sampled_from("\ud800\udbff\udc00\udfff")
# Joined by hand: st.text() drops surrogates whatever its alphabet.
texts = st.lists(code_points, max_size=40).map("".join)
words = st.lists(code_points, min_size=1, max_size=20).map("".join).filter(str.strip)  # past "not blank" checks
# Scalars as YAML and JSON carry them, the awkward ones included (NaN, huge numbers, control characters).
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
# Nested values, shallow enough to stay quick; the deep-nesting case has its own regression test.
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**64), max_value=2**64) | texts,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)


def with_some_of(known: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A mapping that keeps some of ``known``'s fields, replaces others with anything, and adds strangers.

    A field's known value may itself be a strategy (a nested section fuzzed the same way).
    """
    fields = {
        key: st.one_of(value if isinstance(value, st.SearchStrategy) else st.just(value), values)
        for key, value in known.items()
    }
    return st.fixed_dictionaries({}, optional=fields).flatmap(
        lambda kept: st.dictionaries(st.text(max_size=12) | st.integers(), values, max_size=2).map(
            lambda extra: {**extra, **kept}
        )
    )


# Web-chat frames: a good message frame mutated, message frames with any text, and any JSON at all.
GOOD_FRAME = {
    "type": "message",
    "client_id": "abcdefgh",
    "text": "where is my order?",
    "payload": '/rate{"rating":"5"}',
    "session_id": "s" * 24,
    "customer_token": None,
    "last_message_id": 3,
}
chat_frames = st.one_of(
    with_some_of(GOOD_FRAME),
    st.fixed_dictionaries(
        {"type": st.just("message"), "client_id": st.just("abcdefgh"), "text": words},
        optional={"payload": words.map(lambda text: "/a{" + text.replace("{", "").replace("}", "") + "}")},
    ),
    with_some_of({"type": "typing", "on": True}),
    json_values,
)
