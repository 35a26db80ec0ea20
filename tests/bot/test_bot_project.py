"""The Rasa project itself: its data validates and the trained model passes the test stories."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crm_store.settings import PROJECT_ROOT
from handoff.ops.training import CONFIG, DATA, DOMAIN, ensure_model, rasa_environment

pytestmark = pytest.mark.slow
RASA = str(Path(sys.executable).with_name("rasa"))


def run_rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RASA, *args], cwd=PROJECT_ROOT, env=rasa_environment(), capture_output=True, text=True, timeout=timeout
    )


def test_rasa_data_validates() -> None:
    result = run_rasa("data", "validate", "--config", str(CONFIG), "--domain", str(DOMAIN), "--data", str(DATA))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "story structure conflicts" not in result.stdout.lower().replace("no story structure conflicts", "")


def test_the_model_passes_every_test_story(tmp_path: Path) -> None:
    stories = PROJECT_ROOT / "bot" / "tests" / "test_stories.yml"
    count = stories.read_text().count("  - story:")
    assert count >= 30
    model = ensure_model(PROJECT_ROOT / "var" / "models", progress=print)
    result = run_rasa(
        "test",
        "core",
        "--model",
        str(model),
        "--stories",
        str(stories),
        "--endpoints",
        str(tmp_path / "none.yml"),
        "--out",
        str(tmp_path),
        "--fail-on-prediction-errors",
    )
    failed = tmp_path / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, detail
