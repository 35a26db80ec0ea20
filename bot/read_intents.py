"""The intent a trained model gives each text, read as Rasa's ``/model/parse`` would, without a server.

Used by the retrain gate to ask a model that is not running yet how it reads the taught questions
(``rasa test nlu`` cannot: it skips intent evaluation when the texts carry fewer than two intents).

    python -m bot.read_intents MODEL.tar.gz < texts.json   # a JSON list of texts in, a JSON list of intents out
"""

from __future__ import annotations

import asyncio
import json
import sys

from rasa.core.agent import Agent


async def read_intents(model: str, texts: list[str]) -> list[str | None]:
    agent = Agent.load(model_path=model)
    intents: list[str | None] = []
    for text in texts:
        parsed = await agent.parse_message(text)
        intents.append((parsed.get("intent") or {}).get("name"))
    return intents


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m bot.read_intents MODEL.tar.gz < texts.json", file=sys.stderr)
        return 2
    texts = json.load(sys.stdin)
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        print("stdin must be a JSON list of strings", file=sys.stderr)
        return 2
    print(json.dumps(asyncio.run(read_intents(argv[1], texts)), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
