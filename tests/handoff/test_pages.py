"""Page rendering: shared partials are included, every placeholder is HTML-escaped, headers are set."""

from __future__ import annotations

from handoff.pages import PAGE_HEADERS, WEB_DIR, render


def test_partials_are_included_and_their_placeholders_escaped() -> None:
    values = {
        "csrf_token": "t",
        "brand_sub": "Agent console",
        "user_display_name": "<script>alert(1)</script>",
        "user_role": "agent",
    }
    page = render(WEB_DIR / "console" / "queue.html", values)
    assert page.text is not None
    assert "{{" not in page.text, "every partial and placeholder was filled"
    assert 'class="brand-sub">Agent console<' in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert(1)" not in page.text
    assert page.headers["Content-Security-Policy"] == PAGE_HEADERS["Content-Security-Policy"]
