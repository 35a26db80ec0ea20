"""Rasa's server, started so its API token never appears on a command line: ``python -m bot.serve ARGS``.

``rasa run`` takes the token only as ``--auth-token``, which any local user can read in the process
list. This reads it from ``RASA_TOKEN`` in the environment (readable by the owner only) and hands
it to Rasa's own command line inside the process; every other argument passes through unchanged.
It also installs ``bot.rasa_speedups`` (work Rasa would repeat for every message, done once).
"""

from __future__ import annotations

import os
import sys

ENV_RASA_TOKEN = "RASA_TOKEN"  # noqa: S105 (a variable name, not a secret)


def main() -> None:
    token = os.environ.get(ENV_RASA_TOKEN, "")
    if not token:
        sys.exit(f"{ENV_RASA_TOKEN} is not set: Rasa's HTTP API would be open to anyone")
    # One argument with "=": a url-safe token may start with "-", which argparse would take for an option.
    sys.argv = ["rasa", "run", "--enable-api", f"--auth-token={token}", *sys.argv[1:]]
    from rasa.__main__ import main as rasa_main

    from bot import rasa_speedups

    rasa_speedups.install()

    rasa_main()


if __name__ == "__main__":
    main()
