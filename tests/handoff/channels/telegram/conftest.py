"""The product with its Telegram channel on, talking to the stand-in Bot API instead of Telegram."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from handoff.ops.launch import RunningProduct, start_product
from tests.handoff.channels.telegram.standin import TelegramStandIn


@pytest.fixture(scope="session")
def telegram_api() -> Iterator[TelegramStandIn]:
    standin = TelegramStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture(scope="session")
def product(
    tmp_path_factory: pytest.TempPathFactory, trained_model: Path, telegram_api: TelegramStandIn
) -> Iterator[RunningProduct]:  # noqa: F811
    stack, running = start_product(
        tmp_path_factory.mktemp("telegram-var"),
        trained_model,
        telegram_bot_token="123456:TEST-TOKEN",
        telegram_api_url=telegram_api.base_url,
        telegram_chat_interval=0.05,
    )
    try:
        yield running
    finally:
        stack.stop()
