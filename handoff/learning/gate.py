"""The evaluation gate: may a retrained model replace the running one?

Both models are compared on the same data: the share of test stories passed, and the intents read right on
the held-out NLU messages together with the taught questions (the approved NLU lessons). The taught questions
count because each is a message a real customer sent and the bot misread. On the held-out set alone, a retrain
that fixes three customers' questions at the price of one written test message (0.6 points of 165) would be
rejected, and the trainer's lessons would never reach the chat. The held-out set still bounds the trade:
it may not fall by more than ``MAX_HELD_OUT_DROP`` whatever the lessons gain, so many lessons cannot buy
a model that has stopped generalising.
"""

from __future__ import annotations

from dataclasses import dataclass

GATED_FIGURES = ("nlu_accuracy", "story_accuracy")
MAX_HELD_OUT_DROP = 0.02  # 3 messages of the 165 held-out ones


@dataclass(frozen=True)
class TaughtScore:
    """How many of the taught questions each model reads with the taught intent."""

    right_before: int  # the running model
    right_after: int  # the retrained model
    total: int


def passes_gate(
    new: dict[str, float], current: dict[str, float] | None, tolerance: float, taught: TaughtScore | None = None
) -> tuple[bool, str]:
    if not current:
        return True, "no running model to compare with"
    counted = _NluCount.of(new, current, taught)
    worse = [
        f"{name} {new.get(name, 0):.3f} < {current.get(name, 0):.3f}"
        for name in GATED_FIGURES
        if not (name == "nlu_accuracy" and counted) and new.get(name, 0.0) < current.get(name, 0.0) - tolerance
    ]
    if counted and counted.new_right / counted.whole < counted.old_right / counted.whole - tolerance:
        worse.append(
            f"NLU {counted.new_right} of {counted.whole} held-out and taught messages read right < {counted.old_right}"
        )
    elif counted and new.get("nlu_accuracy", 0.0) < current.get("nlu_accuracy", 0.0) - tolerance - MAX_HELD_OUT_DROP:
        worse.append(
            f"nlu_accuracy {new.get('nlu_accuracy', 0):.3f} < {current.get('nlu_accuracy', 0):.3f}"
            f" by more than the {MAX_HELD_OUT_DROP} the taught questions may buy"
        )
    if worse:
        return False, f"worse than the running model: {', '.join(worse)} (tolerance {tolerance})"
    return True, "not worse than the running model" + (f": {counted.describe()}" if counted else "")


@dataclass(frozen=True)
class _NluCount:
    """Messages each model reads right, held-out and taught together, out of how many."""

    new_right: int
    old_right: int
    whole: int
    taught: TaughtScore

    @classmethod
    def of(cls, new: dict[str, float], current: dict[str, float], taught: TaughtScore | None) -> _NluCount | None:
        size = int(new.get("nlu_examples") or current.get("nlu_examples") or 0)
        if taught is None or not taught.total or not size:
            return None  # no lessons (or an old record without the test set's size): held-out accuracy alone
        return cls(
            new_right=round(new.get("nlu_accuracy", 0.0) * size) + taught.right_after,
            old_right=round(current.get("nlu_accuracy", 0.0) * size) + taught.right_before,
            whole=size + taught.total,
            taught=taught,
        )

    def describe(self) -> str:
        return (
            f"NLU {self.new_right} of {self.whole} held-out and taught messages read right (running model"
            f" {self.old_right}; taught questions {self.taught.right_after} vs {self.taught.right_before}"
            f" of {self.taught.total})"
        )


__all__ = ["GATED_FIGURES", "MAX_HELD_OUT_DROP", "TaughtScore", "passes_gate"]
