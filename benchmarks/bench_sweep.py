"""Sweep throughput with 1 and 2 worker processes on one study, and the database's share of a trial.

For each storage (an SQLite file; a PostgreSQL server) and each worker count, a fresh study of
``conf/sweeps/example_small.yml`` runs to ``--trials`` finished trials (``research.sweep.run_sweep``).
Reported per run:
* trials/hour over the trials' own span (first trial start .. last trial end, from the storage: process
  start-up and data loading excluded) and end to end (wall time of the whole command);
* the database overhead, measured: every storage method of each worker is wrapped and timed
  (``research.sweep_timing``: Optuna's calls for sampling, suggest, report, attributes, tell, and the
  heartbeat thread's writes), divided by the time the worker spent in ``study.optimize``; also the
  storage time per finished trial.
Each worker process keeps its own in-memory model cache (the first trials of a worker fit the fold
models), so trials get cheaper over a run, and a worker pays its own fits.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--trials 24] [--postgres URL]``; without ``--postgres``
a throw-away PostgreSQL server is started on loopback (``tests/postgres_fixture.py``, Debian's
postgresql) and stopped afterwards.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hummingbot_plugin.research.sweep import finished_trials, run_sweep  # noqa: E402

CONFIG = ROOT / "conf" / "sweeps" / "example_small.yml"


def measure(url: str, study_name: str, workers: int, trials: int, timing: Path) -> dict[str, Any]:
    began = time.perf_counter()
    study = run_sweep(CONFIG, url, study_name, trials=trials, workers=workers, seed=7, timing=timing)
    wall = time.perf_counter() - began
    done = finished_trials(study)
    starts = [t.datetime_start.timestamp() for t in done if t.datetime_start]
    ends = [t.datetime_complete.timestamp() for t in done if t.datetime_complete]
    span = max(ends) - min(starts)
    totals = [json.loads(p.read_text()) for p in timing.glob("*.json")]
    storage = sum(t["storage_s"] for t in totals)
    busy = sum(t["optimize_s"] for t in totals)
    return {
        "workers": workers,
        "finished": len(done),
        "pruned": sum(t.state.name == "PRUNED" for t in done),
        "trials_per_hour_span": len(done) / span * 3600.0,
        "trials_per_hour_wall": len(done) / wall * 3600.0,
        "storage_pct": storage / busy * 100.0,
        "storage_ms_per_trial": storage / len(done) * 1000.0,
        "calls_per_trial": sum(t["calls"] for t in totals) / len(done),
        "busy_s_per_trial": busy / len(done),
        "top_calls": _top(totals),
    }


def _top(totals: list[dict[str, Any]]) -> str:
    """The three storage methods that took longest, over all workers (ms)."""
    merged: dict[str, float] = {}
    for worker in totals:
        for name, seconds in worker["by_method"].items():
            merged[name] = merged.get(name, 0.0) + seconds
    top = sorted(merged.items(), key=lambda kv: -kv[1])[:3]
    return ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in top)


@contextlib.contextmanager
def postgres(given: str | None) -> Iterator[str]:
    if given:
        yield given
        return
    from postgres_fixture import running_postgres

    with running_postgres() as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--postgres", help="PostgreSQL URL (default: a throw-away local server)")
    args = parser.parse_args()
    stamp = int(time.time())
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp, postgres(args.postgres) as pg:
        for backend in ("sqlite", "postgresql"):
            for workers in (1, 2):
                url = f"sqlite:///{Path(tmp) / f'w{workers}.db'}" if backend == "sqlite" else pg
                timing = Path(tmp) / f"{backend}_w{workers}"
                row = measure(url, f"bench_w{workers}_{stamp}", workers, args.trials, timing)
                print(
                    f"{backend} workers={row['workers']} finished={row['finished']} "
                    f"(pruned {row['pruned']}): {row['trials_per_hour_span']:,.0f} trials/h over the "
                    f"trials' span, {row['trials_per_hour_wall']:,.0f} trials/h end to end; worker time "
                    f"{row['busy_s_per_trial']:.2f} s/trial, of which storage "
                    f"{row['storage_ms_per_trial']:.1f} ms/trial ({row['calls_per_trial']:.0f} calls) = "
                    f"{row['storage_pct']:.2f} % (most: {row['top_calls']})",
                    flush=True,
                )


if __name__ == "__main__":
    main()
