"""Time spent in the study's storage: every public storage method of one process, wrapped and timed.

The wrappers sit on the ``RDBStorage`` instance itself (so Optuna still wraps it in its cache layer and
behaves as in a normal run): its public methods, the private ones the cache layer calls, and the heartbeat
thread's writes; a call made inside another timed call is counted once. A worker writes its totals
to ``<folder>/<pid>.json`` when its run ends: storage seconds, calls, and the seconds of the whole
optimisation loop, so the database overhead is ``storage_s / optimize_s``.
"""

from __future__ import annotations

import functools
import json
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna

__all__ = ["StorageClock", "timed"]

# What Optuna's cache layer (``optuna.storages._cached_storage``) calls on the RDB storage besides the
# public API, and the heartbeat thread's write.
CACHE_BACKEND_CALLS = (
    "_create_new_trial",
    "_get_best_trial_id",
    "_get_stale_trial_ids",
    "_get_trials",
    "_set_trial_param",
    "record_heartbeat",
)


class StorageClock:
    """Seconds and calls spent in storage methods (thread-safe totals)."""

    def __init__(self) -> None:
        self.seconds, self.calls = 0.0, 0
        self.by_method: dict[str, float] = {}
        self._lock = threading.Lock()
        self.depth = threading.local()  # nested storage calls are counted once, in the outermost

    def add(self, method: str, seconds: float) -> None:
        with self._lock:
            self.seconds += seconds
            self.calls += 1
            self.by_method[method] = self.by_method.get(method, 0.0) + seconds

    def write(self, folder: Path, optimize_s: float, trials: int) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{os.getpid()}.json"
        body = {
            "storage_s": self.seconds,
            "calls": self.calls,
            "optimize_s": optimize_s,
            "trials": trials,
            "by_method": dict(sorted(self.by_method.items(), key=lambda kv: -kv[1])),
        }
        path.write_text(json.dumps(body) + "\n", encoding="utf-8")
        return path


def _wrap(name: str, method: Callable[..., Any], clock: StorageClock) -> Callable[..., Any]:
    @functools.wraps(method)
    def timed_call(*args: Any, **kwargs: Any) -> Any:
        depth = getattr(clock.depth, "value", 0)
        clock.depth.value = depth + 1
        began = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            clock.depth.value = depth
            if depth == 0:
                clock.add(name, time.perf_counter() - began)

    return timed_call


def timed(storage: optuna.storages.RDBStorage) -> StorageClock:
    """Wrap every public method of ``storage`` (this instance only) with ``clock``; return the clock."""
    clock = StorageClock()
    public = [n for n in dir(optuna.storages.BaseStorage) if not n.startswith("_")]
    for name in [*public, *CACHE_BACKEND_CALLS]:
        if callable(getattr(storage, name, None)):
            setattr(storage, name, _wrap(name, getattr(storage, name), clock))
    return clock
