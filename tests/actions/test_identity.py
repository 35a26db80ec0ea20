"""Proving who one is with the email or phone an order was placed with, in US and Chinese formats."""

from __future__ import annotations

import pytest

from actions.identity import matches_contact


@pytest.mark.parametrize(
    ("proof", "stored", "matches"),
    [
        ("+1 (503) 555-0100", "5035550100", True),
        ("503 555 0100", "+1 503 555 0100", True),
        ("13800138000", "+86 138 0013 8000", True),  # a Chinese mobile number, typed without +86
        ("+86 138-0013-8000", "13800138000", True),
        ("3800138000", "+86 13800138000", False),  # a digit short is not the number
        ("555-0100", "5035550100", False),  # part of a number is not the number
        ("13900139000", "+86 138 0013 8000", False),
    ],
)
def test_phone_numbers_match_with_or_without_their_country_code(proof: str, stored: str, matches: bool) -> None:
    assert matches_contact(proof, None, stored) is matches


def test_an_email_matches_in_any_case_and_never_a_phone() -> None:
    assert matches_contact("Li.Wei@Example.com", "li.wei@example.com", None)
    assert not matches_contact("li.wei@example.com", None, "13800138000")
