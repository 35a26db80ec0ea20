import pytest
from hypothesis import given
from hypothesis import strategies as st

from handoff.channels.web.tokens import sign_customer, verify_customer
from handoff.errors import InvalidToken
from tests.fuzzing import FUZZ

SECRET = "s" * 64


def test_a_signed_token_names_its_customer() -> None:
    assert verify_customer(SECRET, sign_customer(SECRET, 42, now=1000), now=1001) == 42


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "malformed"),
        ("v1.42", "malformed"),
        ("v2.42.9999999999.abc", "malformed"),
        ("v1.x.9999999999.abc", "malformed"),
        ("v1.42.9999999999." + "0" * 64, "bad signature"),
        ("v1." + "9" * 300, "malformed"),
    ],
)
def test_forged_and_malformed_tokens_are_refused(token: str, message: str) -> None:
    with pytest.raises(InvalidToken, match=message):
        verify_customer(SECRET, token)


def test_a_token_for_one_customer_cannot_be_edited_into_another() -> None:
    token = sign_customer(SECRET, 42)
    forged = token.replace("v1.42.", "v1.43.", 1)
    with pytest.raises(InvalidToken, match="bad signature"):
        verify_customer(SECRET, forged)


def test_expired_and_foreign_secret_tokens_are_refused() -> None:
    token = sign_customer(SECRET, 7, lifetime_s=10, now=1000)
    with pytest.raises(InvalidToken, match="expired"):
        verify_customer(SECRET, token, now=1011)
    with pytest.raises(InvalidToken, match="bad signature"):
        verify_customer("another secret", sign_customer(SECRET, 7))


@pytest.mark.parametrize("token", ["v1.1.1.é", "v1.1.1.\ud800", "v1.١.1.ab"])
def test_non_ascii_tokens_are_malformed_not_a_crash(token: str) -> None:
    # Found by fuzzing: hmac.compare_digest raised TypeError on non-ASCII text, a 500 for a customer's hello.
    with pytest.raises(InvalidToken, match="malformed"):
        verify_customer(SECRET, token)


@FUZZ
@given(st.text(max_size=120) | st.from_regex(r"\Av1\.[0-9]{1,6}\.[0-9]{1,12}\.[0-9a-f]{0,64}\Z"))
def test_any_text_is_a_customer_or_an_invalid_token(token: str) -> None:
    with pytest.raises(InvalidToken):  # nobody signed any of these
        verify_customer(SECRET, token, now=1000)
