"""The vendored Chart.js is the release VENDORED.md names, unmodified, with its licence beside it."""

from __future__ import annotations

import hashlib
import re

from handoff.pages import WEB_DIR

VENDOR = WEB_DIR / "reports" / "vendor"


def test_chart_js_is_the_recorded_release_byte_for_byte() -> None:
    record = (VENDOR / "VENDORED.md").read_text(encoding="utf-8")
    row = re.search(r"\| chart\.umd\.min\.js \| chart\.js \| ([\d.]+) \| MIT .*\| ([0-9a-f]{64}) \|", record)
    assert row is not None, "VENDORED.md has no row for chart.umd.min.js"
    version, checksum = row.groups()
    script = (VENDOR / "chart.umd.min.js").read_bytes()
    assert script.startswith(b"/*!\n * Chart.js v" + version.encode() + b"\n")
    assert hashlib.sha256(script).hexdigest() == checksum
    assert "The MIT License" in (VENDOR / "chart.js-LICENSE.md").read_text(encoding="utf-8")
