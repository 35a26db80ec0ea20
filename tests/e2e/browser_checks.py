"""Shared helpers for the browser tests: Debian's chromium, full-page screenshots (no fixtures here)."""

from __future__ import annotations

import json
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
# axe-core is installed by `make browser` (npm, pinned here and in the Makefile); var/ is not committed.
AXE_CORE_VERSION = "4.14.1"
AXE_CORE_DIR = PROJECT_ROOT / "var" / "axe-core" / "node_modules" / "axe-core"
WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


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


def collect_script_errors(page: Page) -> list[str]:
    """Uncaught exceptions and console errors (a module that fails to load is one) as they happen."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on(
        "console", lambda message: errors.append(f"{page.url}: {message.text}") if message.type == "error" else None
    )
    return errors


async def full_page_screenshot(page: Page, name: str, folder: Path = PAGE_SCREENSHOTS) -> Path:
    """A full-page PNG with animations finished and the caret hidden, so two runs compare by eye."""
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (one mkdir before the picture)
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path


def axe_source() -> str:
    """axe.min.js of the pinned version, or a clear failure that says how to install it."""
    package = AXE_CORE_DIR / "package.json"
    install = f"run `make browser` (npm install --prefix var/axe-core axe-core@{AXE_CORE_VERSION})"
    if not package.exists():
        raise RuntimeError(f"axe-core is not installed in {AXE_CORE_DIR}: {install}")
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    if version != AXE_CORE_VERSION:
        raise RuntimeError(f"axe-core {version} is installed, the tests pin {AXE_CORE_VERSION}: {install}")
    return (AXE_CORE_DIR / "axe.min.js").read_text(encoding="utf-8")


async def wcag_violations(page: Page, source: str) -> list[str]:
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page as it is now, one line each.

    The script goes in through the DevTools protocol (page.evaluate), which the pages' CSP does not
    govern, so the pages keep `script-src 'self'` while they are scanned.
    """
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(source)
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_AA_TAGS,
    )
    return [
        f"{v['id']} ({v['impact']}): " + "; ".join(_node_summary(n) for n in v["nodes"]) for v in result["violations"]
    ]


def _node_summary(node: dict) -> str:
    """Where, and for a contrast failure the colours and the ratio, so the fix can be read off."""
    where = " ".join(str(part) for part in node["target"])
    data = next((check.get("data") for check in node.get("any", []) if isinstance(check.get("data"), dict)), None)
    if data and "contrastRatio" in data:
        return f"{where} {data['fgColor']} on {data['bgColor']} = {data['contrastRatio']} (needs {data['expectedContrastRatio']})"
    return where
