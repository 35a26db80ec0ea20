"""The product's one clock: fixed, shifted, and set for a whole run from DESKBOT_CLOCK_START."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from crm_store import clock
from crm_store.errors import ConfigError
from crm_store.models.base import utcnow
from crm_store.settings import StoreSettings

START = datetime(2026, 11, 29, 23, 30, tzinfo=timezone(timedelta(hours=-5)))


def test_model_timestamps_come_from_the_installed_clock() -> None:
    with clock.using(clock.FixedClock(START)) as fixed:
        assert utcnow() == START
        fixed.advance(hours=1)
        assert utcnow() == START + timedelta(hours=1)
        assert clock.today().isoformat() == "2026-11-30", "today is the UTC date"
    assert utcnow() != START + timedelta(hours=1), "the previous clock is back"


def test_a_shifted_clock_starts_where_asked_and_then_runs_with_its_base() -> None:
    base = clock.FixedClock(datetime(2020, 1, 1, tzinfo=timezone.utc))
    shifted = clock.ShiftedClock(START, base=base)
    assert shifted.now() == START
    base.advance(minutes=5)
    assert shifted.now() == START + timedelta(minutes=5)


def test_a_whole_run_can_start_from_a_chosen_instant() -> None:
    settings = StoreSettings.from_env({"DESKBOT_CLOCK_START": START.isoformat()})
    previous = clock.install_from_setting(settings.clock_start)
    try:
        assert abs(clock.now() - START) < timedelta(minutes=1)
    finally:
        clock.set_clock(previous)
    assert StoreSettings.from_env({}).clock_start == ""


@pytest.mark.parametrize("value", ["sunday night", "2026-11-29T23:30:00"])
def test_a_bad_start_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="DESKBOT_CLOCK_START"):
        StoreSettings.from_env({"DESKBOT_CLOCK_START": value})


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        clock.FixedClock(datetime(2026, 11, 29, 23, 30))  # noqa: DTZ001 (the point of the test)
