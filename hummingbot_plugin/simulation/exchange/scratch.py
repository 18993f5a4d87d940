"""Temp folders of a replay: named after the process, removed on every exit path.

A replay keeps its SQLite recorder, its audit chain and (by default) its risk state in throw-away folders
``hbp-replay-<kind>-<pid>-*`` (in /dev/shm when it exists, else the temp dir). They are removed when the
replay returns, raises, is interrupted (Ctrl-C) or terminated (SIGTERM becomes SystemExit for the run).
Only SIGKILL can leave one behind; the pid in the name tells whose it was.
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

__all__ = ["exit_on_sigterm", "memory_dir", "scratch_dir", "scratch_prefix"]


def memory_dir() -> str | None:
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() else None


def scratch_prefix(kind: str) -> str:
    """Name prefix of this process's replay temp folders (``hbp-replay-<kind>-<pid>-``)."""
    return f"hbp-replay-{kind}-{os.getpid()}-"


def scratch_dir(kind: str) -> tempfile.TemporaryDirectory[str]:
    """A temp folder (in memory when /dev/shm exists), removed on exit, even if a file is still open."""
    return tempfile.TemporaryDirectory(
        prefix=scratch_prefix(kind), dir=memory_dir(), ignore_cleanup_errors=True
    )


@contextmanager
def exit_on_sigterm() -> Iterator[None]:
    """SIGTERM (``kill``, ``docker stop``) raises SystemExit in the replay, so every cleanup runs."""
    if threading.current_thread() is not threading.main_thread() or (
        signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL
    ):
        yield
        return

    def _exit(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
