"""Wrong console passwords are limited per account and per client address, with 429 and a wait that grows."""

from __future__ import annotations

import asyncio

import pytest

from tests.handoff.gateway import add_staff, attempt, running_gateway
from tests.staff_client import PASSWORD


async def test_wrong_passwords_for_one_account_get_429_with_the_wait_even_for_the_right_one(
    sessions, database_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    await add_staff(sessions, "sam")
    async with running_gateway(database_url, tmp_path, login_limit_per_account="3/minute") as gateway:
        for _ in range(3):
            wrong = await attempt(gateway, "alex", "guess")
            assert wrong.status == 200 and "Wrong username or password" in await wrong.text()
        for password in ("guess", PASSWORD):
            limited = await attempt(gateway, "ALEX ", password)
            assert limited.status == 429, "the account is paused, whatever the password and however it is spelled"
            assert 1 <= int(limited.headers["Retry-After"]) <= 60
            assert "Too many sign-in attempts. Please wait" in await limited.text()
        assert (await attempt(gateway, "sam", PASSWORD)).status == 302, "another account is not affected"


async def test_right_passwords_count_against_nothing(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    async with running_gateway(
        database_url, tmp_path, login_limit_per_account="2/minute", login_limit_per_address="2/minute"
    ) as gateway:
        for _ in range(5):
            assert (await attempt(gateway, "alex", PASSWORD)).status == 302


async def test_one_address_trying_many_accounts_is_limited(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path, login_limit_per_address="4/minute") as gateway:
        for n in range(4):
            assert (await attempt(gateway, f"user{n}", "guess")).status == 200
        limited = await attempt(gateway, "user-next", "guess")
        assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1


async def test_forwarded_for_counts_only_from_a_trusted_proxy(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with running_gateway(database_url, tmp_path, login_limit_per_address="2/minute") as gateway:
        # Not a trusted proxy: a made-up X-Forwarded-For does not give a fresh count.
        for n in range(2):
            await attempt(gateway, f"a{n}", "guess", {"X-Forwarded-For": f"203.0.113.{n}"})
        spoofed = await attempt(gateway, "a9", "guess", {"X-Forwarded-For": "198.51.100.7"})
        assert spoofed.status == 429
    async with running_gateway(
        database_url, tmp_path, login_limit_per_address="2/minute", trusted_proxies=("127.0.0.1",)
    ) as gateway:
        for n in range(2):
            await attempt(gateway, f"b{n}", "guess", {"X-Forwarded-For": "203.0.113.5"})
        assert (await attempt(gateway, "b9", "guess", {"X-Forwarded-For": "203.0.113.5"})).status == 429
        other = await attempt(gateway, "b9", "guess", {"X-Forwarded-For": "203.0.113.5, 198.51.100.7"})
        assert other.status == 200, "behind our proxy each client has its own count"


async def test_the_wait_grows_when_someone_keeps_trying(sessions, database_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    await add_staff(sessions, "alex")
    async with running_gateway(database_url, tmp_path, login_limit_per_account="2 per 2 seconds;3/hour") as gateway:
        for _ in range(2):
            await attempt(gateway, "alex", "guess")
        first = await attempt(gateway, "alex", "guess")
        assert first.status == 429 and int(first.headers["Retry-After"]) <= 2
        # Wait for the short window to have room again (a condition, bounded), then fail once more.
        for _ in range(100):
            if (await attempt(gateway, "alex", "guess")).status == 200:
                break
            await asyncio.sleep(0.1)
        else:
            pytest.fail("the two-second window never had room again")
        longer = await attempt(gateway, "alex", PASSWORD)
        assert longer.status == 429 and int(longer.headers["Retry-After"]) > 60, "now the hour's window decides"
