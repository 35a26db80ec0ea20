"""Approved NLU examples go into bot/data/nlu/learned.yml: a file of their own, reviewed like code."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from crm_store.settings import PROJECT_ROOT

LEARNED_FILE = PROJECT_ROOT / "bot" / "data" / "nlu" / "learned.yml"
HEADER = "# Examples approved in the trainer console. Review changes here like code; `deskbot retrain` uses them.\n"
INTENT = re.compile(r"^[a-z_]{1,64}$")


def read_examples(path: Path = LEARNED_FILE) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    examples: dict[str, list[str]] = {}
    for block in raw.get("nlu") or []:
        lines = [
            line.strip()[2:] for line in str(block.get("examples", "")).splitlines() if line.strip().startswith("- ")
        ]
        examples.setdefault(str(block["intent"]), []).extend(lines)
    return examples


def add_example(intent: str, text: str, path: Path = LEARNED_FILE) -> bool:
    """Add one example; False if it was there already. Rewrites the file in a stable order."""
    if not INTENT.match(intent):
        raise ValueError(f"{intent!r} is not an intent name")
    text = " ".join(text.split())
    examples = read_examples(path)
    if text in examples.get(intent, []):
        return False
    examples.setdefault(intent, []).append(text)
    blocks = []
    for name in sorted(examples):
        lines = "".join(f"      - {example}\n" for example in examples[name])
        blocks.append(f"  - intent: {name}\n    examples: |\n{lines}")
    path.write_text(HEADER + 'version: "3.1"\nnlu:\n' + "".join(blocks), encoding="utf-8")
    return True
