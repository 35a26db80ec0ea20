"""Shared helpers for the browser tests: Debian's chromium, full-page screenshots (no fixtures here)."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

from crm_store.settings import PROJECT_ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = PROJECT_ROOT / "var" / "screenshots"
# The page tour writes here; DESKBOT_SCREENSHOTS=docs/screenshots/after puts the set under version control.
PAGE_SCREENSHOTS = Path(os.environ.get("DESKBOT_SCREENSHOTS", SCREENSHOTS / "pages"))
VIEWPORT = {"width": 1280, "height": 800}


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        raise RuntimeError("chromium is not installed: `apt-get install -y chromium` (make browser does this as root)")


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """Debian's chromium, headless; never a downloaded browser build."""
    require_chromium()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser: Browser, viewport: dict[str, int] = VIEWPORT) -> Page:
    """A page in its own context, so each role has its own cookies."""
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    return await context.new_page()


async def full_page_screenshot(page: Page, name: str, folder: Path = PAGE_SCREENSHOTS) -> Path:
    """A full-page PNG with animations finished and the caret hidden, so two runs compare by eye."""
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (one mkdir before the picture)
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path
