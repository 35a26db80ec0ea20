"""bench kb-build: one row per size, with the synthetic articles' text count and a build time."""

from __future__ import annotations

from bench.kb_build import build_seconds, main


def test_the_build_is_timed_over_every_text_of_the_synthetic_articles() -> None:
    texts, seconds = build_seconds(40, repeats=1)
    assert texts >= 40 * 3, "title, answer and at least one passage per article, besides the questions"
    assert seconds > 0


def test_a_row_per_size(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--sizes", "20,30", "--repeats", "1", "--no-append"]) == 0
    rows = [
        line for line in capsys.readouterr().out.splitlines() if line.startswith("| 20 |") or line.startswith("| 30 |")
    ]
    assert len(rows) == 2
