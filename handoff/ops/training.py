"""Training the Rasa model only when its inputs changed.

The model's file name is a hash of everything that shapes it: config.yml,
the domain, the training data, the custom component's code and, when there
are any, the NLU lessons exported from the database (a file outside the
checkout, trained on as well as bot/data). A model with that name already
under var/models is reused as it is.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from crm_store.settings import PROJECT_ROOT

CONFIG = PROJECT_ROOT / "config.yml"
DOMAIN = PROJECT_ROOT / "bot" / "domain.yml"
DATA = PROJECT_ROOT / "bot" / "data"
COMPONENTS = PROJECT_ROOT / "bot" / "components"
MODEL_PREFIX = "deskbot-"


class TrainingFailed(RuntimeError):
    pass


def model_inputs() -> list[Path]:
    files = [CONFIG, DOMAIN]
    for folder in (DATA, COMPONENTS):
        files += sorted(
            path for path in folder.rglob("*") if path.is_file() and path.suffix in (".yml", ".yaml", ".py")
        )
    return files


def inputs_hash(lessons: Path | None = None) -> str:
    digest = hashlib.sha256()
    for path in model_inputs():
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    if lessons is not None:
        # By a fixed name, not the path: the same lessons give the same model wherever var/ is.
        digest.update(b"nlu-lessons\0")
        digest.update(lessons.read_bytes())
    return digest.hexdigest()[:16]


def model_path(models_dir: Path, lessons: Path | None = None) -> Path:
    return models_dir / f"{MODEL_PREFIX}{inputs_hash(lessons)}.tar.gz"


def hash_of(model: Path) -> str:
    return model.name.removeprefix(MODEL_PREFIX).removesuffix(".tar.gz")


def rasa_environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env.setdefault("HF_HUB_OFFLINE", "1")
    env.setdefault("TRANSFORMERS_OFFLINE", "1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env.setdefault("PYTHONWARNINGS", "ignore")
    return env


def ensure_model(models_dir: Path, progress: Callable[[str], None] = print, lessons: Path | None = None) -> Path:
    """The trained model for the current inputs (bot/data, plus the lessons file if given), training it if need be."""
    target = model_path(models_dir, lessons)
    if target.exists():
        progress(f"model {target.name} is up to date (inputs unchanged)")
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    taught = " or the NLU lessons" if lessons is not None else ""
    progress(f"training {target.name}: bot/, config.yml{taught} changed (this takes a few minutes)")
    rasa = Path(sys.executable).with_name("rasa")
    command = [
        str(rasa),
        "train",
        "--config",
        str(CONFIG),
        "--domain",
        str(DOMAIN),
        "--data",  # several paths: Rasa 3 reads each (nargs="+")
        str(DATA),
        *([str(lessons)] if lessons is not None else []),
        "--out",
        str(models_dir),
        "--fixed-model-name",
        target.name.removesuffix(".tar.gz"),
    ]
    started = time.monotonic()
    log_path = models_dir / f"{target.name}.train.log"
    with log_path.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=rasa_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            _report_progress(line, progress, started)
        code = process.wait()
    if code != 0 or not target.exists():
        tail = log_path.read_text(encoding="utf-8").strip().splitlines()[-15:]
        raise TrainingFailed(f"rasa train failed (exit {code}); see {log_path}:\n" + "\n".join(tail))
    progress(f"trained {target.name} in {time.monotonic() - started:.0f} s")
    return target


_EPOCHS = re.compile(r"Epochs:\s+\d+%\|[^|]*\|\s*(\d+)/(\d+)")


def _report_progress(line: str, progress: Callable[[str], None], started: float) -> None:
    """Turn Rasa's log into a few progress lines: each component, and every tenth epoch."""
    text = line.strip()
    elapsed = f"[{time.monotonic() - started:5.0f}s]"
    if "Starting to train component" in text:
        component = text.split("component '")[-1].rstrip("'.")
        progress(f"{elapsed} training {component}")
    elif (match := _EPOCHS.search(text)) is not None:
        done, total = int(match.group(1)), int(match.group(2))
        if done and (done % 10 == 0 or done == total):
            key = (done, total)
            if key != getattr(_report_progress, "last", None):
                _report_progress.last = key  # type: ignore[attr-defined]
                progress(f"{elapsed}   epoch {done}/{total}")
    elif "Your Rasa model is trained" in text:
        progress(f"{elapsed} {text}")
