"""Intent-classification accuracy and speed of the bot's own NLU pipeline on any labelled CSV.

    python -m bench.nlu --train FILE (--test FILE | --validation FRACTION) [--shots K] [--seed S[,S...]]
                        [--oos-label LABEL[,...]] [--thresholds T[,T...]] [--config config.yml] [--no-append]

The pipeline is the product's: the ``pipeline`` of ``config.yml``, trained with
``rasa.model_training.train_nlu`` exactly as ``deskbot train`` trains it, and
queried message by message through ``Agent.parse_message`` as the running bot
is. The CSV files need a header; the text column is ``text`` (else the first)
and the label column ``label``, ``category`` or ``intent`` (else the second).

Reported per run: accuracy (the top intent, before the fallback threshold),
macro-F1, how many in-scope messages the fallback threshold rejects, training
wall-clock time, p50/p95 latency of one parse, and peak memory. With
``--oos-label`` (one label, or several separated by commas), examples with those
labels are left out of training and count as out of scope: a message is
predicted out of scope when the FallbackClassifier turns it into
``nlu_fallback``, and recall/precision of that are reported. A dataset without
an out-of-scope class (BANKING77) can hold some of its intents out this way.
``--shots K`` trains on K examples per label, drawn with each ``--seed``; the
figures are then given per seed and as a mean.

``--validation FRACTION`` never reads a test file: it holds out that fraction
of the training file (stratified by label, always the same split) and scores
on it instead. Hyper-parameters are chosen this way; the test file is for the
final figures only. ``--thresholds`` adds, for each fallback threshold listed,
what the FallbackClassifier would have done at that threshold (computed from
the same parses, with the config's ambiguity threshold): the curve to choose
the threshold from.

Rasa's training cache is switched off so every run trains from scratch.
Cost on 2 cores: BANKING77's full 10,003 examples take a few minutes to train and
about a minute to evaluate.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from bench.common import ROOT, append_results, command_line, peak_rss_mb, percentiles_ms, progress

FALLBACK_INTENT = "nlu_fallback"
TEXT_COLUMNS = ("text", "utterance", "sentence")
LABEL_COLUMNS = ("label", "category", "intent")


class DatasetError(ValueError):
    """A CSV file that cannot be used; the message names the file and line."""


@dataclass(frozen=True)
class Example:
    text: str
    label: str


def read_examples(path: Path) -> list[Example]:
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise DatasetError(f"{path}: cannot open: {error.strerror}") from None
    with handle:
        reader = csv.reader(handle)
        header = [column.strip().lower() for column in next(reader, [])]
        if len(header) < 2:
            raise DatasetError(f"{path}:1: expected a header with a text and a label column, got {header}")
        text_at = next((header.index(name) for name in TEXT_COLUMNS if name in header), 0)
        label_at = next((header.index(name) for name in LABEL_COLUMNS if name in header), 1 if text_at != 1 else 0)
        examples = []
        for line_number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= max(text_at, label_at):
                raise DatasetError(f"{path}:{line_number}: expected {len(header)} columns, got {len(row)}")
            text, label = row[text_at].strip(), row[label_at].strip()
            if not text or not label:
                raise DatasetError(f"{path}:{line_number}: empty {'text' if not text else 'label'}")
            examples.append(Example(" ".join(text.split()), label))
    if not examples:
        raise DatasetError(f"{path}: no examples")
    return examples


def intent_names(labels: set[str]) -> dict[str, str]:
    """Label -> a Rasa-safe intent name (letters, digits, underscores), kept distinct."""
    names: dict[str, str] = {}
    for label in sorted(labels):
        name = re.sub(r"\W+", "_", label).strip("_") or "label"
        while name in names.values() or name == FALLBACK_INTENT:
            name += "_"
        names[label] = name
    return names


def sample_shots(examples: list[Example], shots: int, seed: int) -> list[Example]:
    by_label: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append(example)
    rng = random.Random(seed)
    chosen = []
    for label in sorted(by_label):
        pool = by_label[label]
        chosen.extend(rng.sample(pool, min(shots, len(pool))))
    return chosen


def write_nlu_file(examples: list[Example], names: dict[str, str], path: Path) -> None:
    by_intent: dict[str, list[str]] = defaultdict(list)
    for example in examples:
        # Square brackets are entity markup in Rasa's format; they carry no intent signal here.
        by_intent[names[example.label]].append(example.text.replace("[", "(").replace("]", ")"))
    document = {
        "version": "3.1",
        "nlu": [
            {"intent": intent, "examples": "".join(f"- {text}\n" for text in texts)}
            for intent, texts in by_intent.items()
        ],
    }
    # safe_dump quotes the block, so no customer text can break the YAML around it.
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")


def pipeline_config(config_path: Path, workdir: Path) -> Path:
    """The product's config with only what NLU training reads (no dialogue policies to train)."""
    try:
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DatasetError(f"{config_path}: cannot read the pipeline: {error}") from None
    if not isinstance(config, dict) or not config.get("pipeline"):
        raise DatasetError(f"{config_path}: has no 'pipeline'")
    nlu_config = {key: config[key] for key in ("recipe", "language", "assistant_id", "pipeline") if key in config}
    nlu_config["policies"] = []
    path = workdir / "config.yml"
    path.write_text(yaml.safe_dump(nlu_config, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class RunResult:
    seed: int | None
    train_examples: int
    train_seconds: float
    accuracy: float
    macro_f1: float
    in_scope_rejected: float
    oos_recall: float | None
    oos_precision: float | None
    latency: dict[str, float]
    curve: list[tuple[float, float, float | None]]  # (threshold, in-scope rejected, OOS recall)


VALIDATION_SEED = 0  # one fixed split, so that every validation run scores the same examples


def split_validation(examples: list[Example], fraction: float) -> tuple[list[Example], list[Example]]:
    """(training part, validation part) of one labelled file: stratified by label, the same split every time."""
    from sklearn.model_selection import train_test_split

    train_part, validation_part = train_test_split(
        examples, test_size=fraction, stratify=[e.label for e in examples], random_state=VALIDATION_SEED
    )
    return list(train_part), list(validation_part)


def ambiguity_threshold(config_path: Path) -> float:
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for component in config.get("pipeline", []):
        if component.get("name") == "FallbackClassifier":
            return float(component.get("ambiguity_threshold", 0.1))
    return 0.0


def threshold_curve(
    test: list[Example],
    confidences: list[tuple[float, float]],
    oos_labels: frozenset[str],
    thresholds: list[float],
    ambiguity: float,
) -> list[tuple[float, float, float | None]]:
    """(threshold, share of in-scope messages rejected, OOS recall) as the FallbackClassifier would decide."""
    curve = []
    for threshold in thresholds:
        rejected = [top < threshold or top - second < ambiguity for top, second in confidences]
        in_scope = [r for r, e in zip(rejected, test, strict=True) if e.label not in oos_labels]
        out = [r for r, e in zip(rejected, test, strict=True) if e.label in oos_labels]
        curve.append((threshold, sum(in_scope) / len(in_scope), sum(out) / len(out) if out else None))
    return curve


def train(config: Path, examples: list[Example], names: dict[str, str], workdir: Path) -> tuple[Path, float]:
    from rasa.model_training import train_nlu

    nlu_file = workdir / "nlu.yml"
    write_nlu_file(examples, names, nlu_file)
    progress(f"training on {len(examples)} examples, {len({e.label for e in examples})} labels")
    started = time.perf_counter()
    model = train_nlu(str(config), str(nlu_file), str(workdir / "models"), fixed_model_name="bench-nlu")
    seconds = time.perf_counter() - started
    if not model:
        raise RuntimeError("Rasa did not produce a model (see its log above)")
    progress(f"trained in {seconds:.0f} s")
    return Path(model), seconds


async def evaluate(
    model: Path, test: list[Example], names: dict[str, str]
) -> tuple[list[str], list[bool], list[float], list[tuple[float, float]]]:
    """Predicted labels (top intent before the fallback), fallback flags, per-parse seconds and the
    (first, second) intent confidences."""
    from rasa.core.agent import Agent

    labels_by_name = {name: label for label, name in names.items()}
    agent = Agent.load(str(model))
    for example in test[:20]:  # warm-up: first calls build TensorFlow graphs and caches
        await agent.parse_message(example.text)
    predicted, fell_back, seconds, confidences = [], [], [], []
    for index, example in enumerate(test, start=1):
        started = time.perf_counter()
        parsed = await agent.parse_message(example.text)
        seconds.append(time.perf_counter() - started)
        ranked = [item for item in parsed.get("intent_ranking", []) if item["name"] != FALLBACK_INTENT]
        predicted.append(labels_by_name.get(ranked[0]["name"], "?") if ranked else "?")
        top = [float(item["confidence"]) for item in ranked[:2]] + [0.0, 0.0]
        confidences.append((top[0], top[1]))
        fell_back.append(parsed["intent"]["name"] == FALLBACK_INTENT)
        if index % 500 == 0 or index == len(test):
            progress(f"evaluated {index}/{len(test)}")
    return predicted, fell_back, seconds, confidences


def score(
    test: list[Example], predicted: list[str], fell_back: list[bool], oos_labels: frozenset[str]
) -> tuple[float, float, float, float | None, float | None]:
    from sklearn.metrics import f1_score

    in_scope = [i for i, example in enumerate(test) if example.label not in oos_labels]
    truth = [test[i].label for i in in_scope]
    guesses = [predicted[i] for i in in_scope]
    accuracy = sum(t == g for t, g in zip(truth, guesses, strict=True)) / len(in_scope)
    macro_f1 = float(f1_score(truth, guesses, labels=sorted(set(truth)), average="macro", zero_division=0))
    rejected = sum(fell_back[i] for i in in_scope) / len(in_scope)
    if not oos_labels:
        return accuracy, macro_f1, rejected, None, None
    out_of_scope = [i for i, example in enumerate(test) if example.label in oos_labels]
    caught = sum(fell_back[i] for i in out_of_scope)
    recall = caught / len(out_of_scope) if out_of_scope else None
    precision = caught / sum(fell_back) if sum(fell_back) else None
    return accuracy, macro_f1, rejected, recall, precision


def run_once(
    config_path: Path,
    train_set: list[Example],
    test: list[Example],
    oos_labels: frozenset[str],
    seed: int | None,
    thresholds: list[float],
) -> RunResult:
    names = intent_names({example.label for example in train_set + test})
    with tempfile.TemporaryDirectory(prefix="deskbot-bench-nlu-") as raw:
        workdir = Path(raw)
        config = pipeline_config(config_path, workdir)
        model, train_seconds = train(config, train_set, names, workdir)
        progress(f"parsing {len(test)} test messages one at a time")
        predicted, fell_back, seconds, confidences = asyncio.run(evaluate(model, test, names))
    accuracy, macro_f1, rejected, recall, precision = score(test, predicted, fell_back, oos_labels)
    progress(f"accuracy {accuracy:.2%}, macro-F1 {macro_f1:.2%}")
    curve = threshold_curve(test, confidences, oos_labels, thresholds, ambiguity_threshold(config_path))
    return RunResult(
        seed,
        len(train_set),
        train_seconds,
        accuracy,
        macro_f1,
        rejected,
        recall,
        precision,
        percentiles_ms(seconds),
        curve,
    )


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.2%}"


def render(results: list[RunResult], args: argparse.Namespace) -> str:
    scored_on = f"test `{args.test}`" if args.test else f"validation: {args.validation:.0%} of the training file"
    lines = [
        f"train `{args.train}`, {scored_on}, "
        + (f"{args.shots} examples per label" if args.shots else "all training examples")
        + (
            f", out of scope: {', '.join(f'`{label}`' for label in sorted(args.oos_labels))}" if args.oos_labels else ""
        ),
        "",
        "| seed | train examples | accuracy | macro-F1 | in-scope rejected by fallback | OOS recall | OOS precision | training s | parse p50 ms | parse p95 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {'–' if r.seed is None else r.seed} | {r.train_examples:,} | {r.accuracy:.2%} | {r.macro_f1:.2%} | "
            f"{r.in_scope_rejected:.1%} | {_pct(r.oos_recall)} | {_pct(r.oos_precision)} | {r.train_seconds:.0f} | "
            f"{r.latency['p50']:.1f} | {r.latency['p95']:.1f} |"
        )
    if len(results) > 1:
        accuracies = [r.accuracy for r in results]
        lines.append(
            f"| mean ± sd | | {statistics.mean(accuracies):.2%} ± {statistics.stdev(accuracies):.2%} | "
            f"{statistics.mean(r.macro_f1 for r in results):.2%} | | | | "
            f"{statistics.mean(r.train_seconds for r in results):.0f} | | |"
        )
    if args.thresholds:
        lines += [
            "",
            "Fallback threshold curve (from the same parses): in-scope rejected / OOS recall",
            "",
            "| seed | " + " | ".join(f"{t:.2f}" for t in args.thresholds) + " |",
            "|---|" + "---:|" * len(args.thresholds),
        ]
        for r in results:
            cells = [f"{rejected:.1%} / {_pct(recall)}" for _, rejected, recall in r.curve]
            lines.append(f"| {'–' if r.seed is None else r.seed} | " + " | ".join(cells) + " |")
    lines += ["", f"Peak memory (max RSS of the process, training and parsing): {peak_rss_mb():.0f} MB."]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--train", type=Path, required=True, help="training CSV (text,label)")
    scored_on = parser.add_mutually_exclusive_group(required=True)
    scored_on.add_argument("--test", type=Path, help="test CSV (text,label)")
    scored_on.add_argument(
        "--validation",
        type=float,
        metavar="FRACTION",
        help="score on this fraction of the training file (stratified, fixed seed) instead of a test file",
    )
    parser.add_argument("--shots", type=int, default=0, help="train on K examples per label (0: all)")
    parser.add_argument("--seed", default="1", help="seed(s) for --shots sampling, comma-separated: 1,2,3")
    parser.add_argument(
        "--oos-label",
        default="",
        help="label(s) that mark out-of-scope examples, comma-separated (left out of training; a dataset without "
        "an out-of-scope class can hold some intents out this way)",
    )
    parser.add_argument(
        "--config", type=Path, default=ROOT / "config.yml", help="the Rasa config whose pipeline to use"
    )
    parser.add_argument(
        "--thresholds", default="", help="fallback thresholds to report a rejection curve for, comma-separated"
    )
    parser.add_argument("--no-append", action="store_true", help="print only; do not append to BENCHMARKS.md")
    args = parser.parse_args(argv)
    if args.shots < 0:
        parser.error("--shots must be 0 or more")
    if args.validation is not None and not 0 < args.validation < 1:
        parser.error("--validation must be a fraction between 0 and 1")
    try:
        args.thresholds = [float(t) for t in args.thresholds.split(",") if t.strip()]
    except ValueError:
        parser.error(f"--thresholds must be numbers separated by commas, got {args.thresholds!r}")
    args.oos_labels = frozenset(label.strip() for label in args.oos_label.split(",") if label.strip())
    try:
        args.seeds = [int(seed) for seed in args.seed.split(",")]
    except ValueError:
        parser.error(f"--seed must be integers separated by commas, got {args.seed!r}")
    return args


def quiet_rasa() -> None:
    """Rasa logs every parse at debug level; the benchmark's own progress lines are enough."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    # ...but say which component is training, and what our own components are doing, as progress.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("[%(asctime)s] %(message)s", "%H:%M:%S"))
    for name in ("rasa.engine.training.hooks", "bot.components"):
        component_logger = logging.getLogger(name)
        component_logger.setLevel(logging.INFO)
        component_logger.addHandler(handler)
        component_logger.propagate = False


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ["RASA_MAX_CACHE_SIZE"] = "0"  # every run trains from scratch
    quiet_rasa()
    try:
        train_examples = read_examples(args.train)
        if args.test:
            test_examples = read_examples(args.test)
        else:
            train_examples, test_examples = split_validation(train_examples, args.validation)
    except DatasetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.oos_labels:
        train_examples = [example for example in train_examples if example.label not in args.oos_labels]
    progress(f"{len(train_examples)} training and {len(test_examples)} test examples")
    results = []
    for seed in args.seeds if args.shots else [None]:
        train_set = (
            sample_shots(train_examples, args.shots, seed) if args.shots and seed is not None else train_examples
        )
        results.append(run_once(args.config, train_set, test_examples, args.oos_labels, seed, args.thresholds))
    table = render(results, args)
    print(table)
    if not args.no_append:
        append_results("NLU intent classification", command_line("bench.nlu", argv), table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
