"""One entry point for every benchmark: `bench nlu ...`, `bench chat ...`, `bench kb ...`.

    bench nlu --train FILE (--test FILE | --validation FRACTION) [--shots K] [--seed S] [--oos-label LABEL]
    bench chat [--users 1,5,10,20,40,80]
    bench kb [--sizes 1000,10000,100000]
    bench kb-quality
    bench faq [--questions FILE] [--limit N]
    bench kb-calibrate [--folds 5] [--max-wrong 0.02]
    bench kb-finetune-cv [--epochs 2] [--lr 2e-5]
    bench train-time
    bench learn [--lessons FILE] [--limit N]
    bench learn-latency [--rounds 8]
    bench negative-threshold
    bench limits [--customers 10,100,1000]
    bench kb-build [--sizes 10000,100000]
    bench long-chat [--turns 200]

`bench <name> --help` describes each one. The same scripts run as `python -m bench.<module>`.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS = {
    "nlu": "bench.nlu",
    "chat": "bench.chat",
    "kb": "bench.kb_search",
    "kb-quality": "bench.kb_quality",
    "faq": "bench.faq",
    "kb-calibrate": "bench.kb_calibrate",
    "kb-finetune-cv": "bench.kb_finetune_cv",
    "train-time": "bench.train_time",
    "learn": "bench.learn",
    "learn-latency": "bench.learn_latency",
    "negative-threshold": "bench.negative_threshold",
    "limits": "bench.limits",
    "kb-build": "bench.kb_build",
    "long-chat": "bench.long_chat",
}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help") or args[0] not in COMMANDS:
        print(__doc__.strip(), file=sys.stderr if args and args[0] not in ("-h", "--help") else sys.stdout)
        if args and args[0] not in ("-h", "--help"):
            print(f"\nerror: unknown benchmark {args[0]!r}; choose from {', '.join(COMMANDS)}", file=sys.stderr)
            return 2
        return 0
    module = importlib.import_module(COMMANDS[args[0]])
    return int(module.main(args[1:]) or 0)


if __name__ == "__main__":
    sys.exit(main())
