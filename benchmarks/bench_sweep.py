"""Sweep throughput on one study with 1 and 2 worker processes, and the overhead per trial.

For each worker count a fresh study of ``conf/sweeps/example_small.yml`` runs to ``--trials`` finished
trials (``research.sweep.run_sweep``). Reported per run:
* trials/hour over the trials' own span (first trial start .. last trial end, from the storage: process
  start-up and data loading excluded) and end to end (wall time of the whole command);
* per COMPLETE trial: its duration in the storage, the compute inside it (fold fits + decisions,
  ``compute_s``) and the rest = Optuna + database overhead (sampler, suggest/report/attrs round trips).
  A first run on Optuna's in-memory storage (same trials, same seed, in this process) gives Optuna's own
  overhead; the database's share per trial is the difference.
Each worker process keeps its own in-memory model cache: the first trials of a worker fit the fold
models, later trials with the same (horizon, leaves) reuse them, so a trial's cost falls over a run.

Run: ``.venv/bin/python benchmarks/bench_sweep.py [--trials 40] [--storage-base sqlite:////tmp/bench]``
(``--storage-base postgresql+psycopg2://user:pw@127.0.0.1:5432/db`` runs it against PostgreSQL; the
study names differ per run).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import optuna

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hummingbot_plugin.research.sweep import finished_trials, optimize, run_sweep  # noqa: E402
from hummingbot_plugin.research.sweep_config import load_sweep_config  # noqa: E402

CONFIG = ROOT / "conf" / "sweeps" / "example_small.yml"


def measure(url: str, study_name: str, workers: int, trials: int) -> dict[str, Any]:
    began = time.perf_counter()
    if url == "memory":  # same trials without a database: Optuna's own overhead (sampler, pruner)
        storage = optuna.storages.InMemoryStorage()
        optimize(load_sweep_config(CONFIG), storage, study_name, trials, 7)
        study = optuna.load_study(study_name=study_name, storage=storage)
    else:
        study = run_sweep(CONFIG, url, study_name, trials=trials, workers=workers, seed=7)
    wall = time.perf_counter() - began
    done = finished_trials(study)
    starts = [t.datetime_start.timestamp() for t in done if t.datetime_start]
    ends = [t.datetime_complete.timestamp() for t in done if t.datetime_complete]
    span = max(ends) - min(starts)
    complete = [t for t in done if "result" in t.user_attrs and t.duration is not None]
    duration = np.array([t.duration.total_seconds() for t in complete if t.duration is not None])
    compute = np.array([float(t.user_attrs["result"]["compute_s"]) for t in complete])
    overhead = duration - compute
    return {
        "workers": workers,
        "finished": len(done),
        "pruned": sum(t.state.name == "PRUNED" for t in done),
        "trials_per_hour_span": len(done) / span * 3600.0,
        "trials_per_hour_wall": len(done) / wall * 3600.0,
        "mean_trial_s": float(duration.mean()),
        "median_trial_s": float(np.median(duration)),
        "overhead_ms_median": float(np.median(overhead) * 1000.0),
        "overhead_pct_of_total": float(overhead.sum() / duration.sum() * 100.0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=40)
    parser.add_argument("--storage-base", help="database URL (default: a SQLite file per run in a temp dir)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        for workers, url in ((1, "memory"), (1, None), (2, None)):
            url = url or args.storage_base or f"sqlite:///{Path(tmp) / f'w{workers}.db'}"
            row = measure(url, f"bench_w{workers}_{int(time.time())}", workers, args.trials)
            print(
                f"{url.split(':')[0]} workers={row['workers']} finished={row['finished']} "
                f"(pruned {row['pruned']}): "
                f"{row['trials_per_hour_span']:,.0f} trials/h over the trials' span, "
                f"{row['trials_per_hour_wall']:,.0f} trials/h end to end; trial mean "
                f"{row['mean_trial_s']:.2f} s, median {row['median_trial_s']:.3f} s; Optuna+DB overhead "
                f"median {row['overhead_ms_median']:.1f} ms/trial = {row['overhead_pct_of_total']:.2f} % "
                "of trial time",
                flush=True,
            )


if __name__ == "__main__":
    main()
