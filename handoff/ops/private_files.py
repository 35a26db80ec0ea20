"""Files under var/ are the owner's only: databases, logs, generated endpoints and secrets.

Conversations, addresses and tokens live there; 0644 would let every local user read them. The umask
covers everything the launcher and its child processes create from now on (SQLite files, logs, Rasa's
tracker store); ``tighten`` fixes what an earlier version left readable.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077


def keep_private(var_dir: Path) -> None:
    os.umask(PRIVATE_UMASK)
    var_dir.mkdir(parents=True, exist_ok=True)
    tighten(var_dir)


def tighten(var_dir: Path) -> None:
    """Take group and other permissions off var/ and what is in it (symbolic links are left alone)."""
    for path in [var_dir, *var_dir.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            path.chmod(mode & 0o700)
