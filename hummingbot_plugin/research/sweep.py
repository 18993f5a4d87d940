"""A sweep as one Optuna study on shared storage: each trial is a walk-forward over the training folds.

A trial takes one configuration from the declared space (:mod:`sweep_config`) and, fold by fold (in
time order), forecasts each fold with a model trained only on the rows before it
(:class:`models.ModelStore`, candle-only features as the exported model), decides, and books the
fills of every pair on the one ledger with the sweep's fee (:mod:`sweep_ledger`). After each fold but
the last it reports the pooled annualised daily Sharpe of the ledgers so far; the median pruner stops a
trial whose folds trail the median of earlier trials at that fold. Constraints (minimum ledger trades,
maximum drawdown of any pair's ledger) feed the choice of the best trial.

Workers share the study through its storage (SQLite file or any SQLAlchemy URL, e.g. PostgreSQL);
each process opens its own connection. Heartbeats mark the running trial of a killed worker FAIL once
its grace period is over, so it is never counted; the study stops at ``trials`` finished trials
(COMPLETE or PRUNED), whichever workers finished them.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
import sqlite3
import tempfile
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import sqlalchemy.exc

from hummingbot_plugin.data import interval_seconds, load_candles
from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.research.data import ResearchData, build_research_data
from hummingbot_plugin.research.features import FeatureInputs
from hummingbot_plugin.research.folds import walk_forward_blocks
from hummingbot_plugin.research.models import ModelStore
from hummingbot_plugin.research.selection import candidate_from
from hummingbot_plugin.research.ship import candle_only
from hummingbot_plugin.research.stats import sharpe
from hummingbot_plugin.research.sweep_config import SweepConfig, load_sweep_config, suggest
from hummingbot_plugin.research.sweep_ledger import PairTrack, booked
from hummingbot_plugin.research.sweep_timing import timed

__all__ = ["FINISHED", "Market", "finished_trials", "open_storage", "optimize", "run_sweep", "run_worker"]

FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
HEARTBEAT_S = 2
GRACE_S = 6
SCHEMA_TRIES = 5


@dataclass
class Market:
    """One pair's research table and its per-process model cache."""

    pair: str
    data: ResearchData
    store: ModelStore


def open_storage(url: str) -> optuna.storages.RDBStorage:
    """This process's own connection to the study database (heartbeats on; SQLite in WAL mode).

    Workers started at once on a new database race to create its tables: the loser retries."""
    engine: dict[str, Any] = {}
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        engine["creator"] = lambda: _sqlite_connection(path)
    for attempt in range(SCHEMA_TRIES):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return optuna.storages.RDBStorage(
                    url, engine_kwargs=engine, heartbeat_interval=HEARTBEAT_S, grace_period=GRACE_S
                )
        except sqlalchemy.exc.IntegrityError:
            time.sleep(0.2 * (attempt + 1))
    raise ConfigError("could not create the study tables", fix="start one worker first, then the others")


def _sqlite_connection(path: Path) -> sqlite3.Connection:
    """WAL + synchronous=NORMAL: a commit no longer waits for an fsync (a killed process loses
    nothing committed; WAL needs every worker on this machine, not on a network file system)."""
    connection = sqlite3.connect(path, timeout=60, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def load_markets(config: SweepConfig, cache: Path) -> list[Market]:
    """Each pair's candles ``data_start .. train_end`` (nothing later is read) and its candle-only
    research features: the features the exported model (``ship.train_shipped``) and the controller use."""
    markets = []
    for spec in config.pairs:
        history = load_candles(spec.candles, end=config.train_end)
        history = history[history["timestamp"] >= _epoch(config.data_start)].reset_index(drop=True)
        data = candle_only(build_research_data(history, FeatureInputs(), interval_seconds(config.interval)))
        store = ModelStore(data, cache / spec.pair, spec.pair, config.interval)
        markets.append(Market(spec.pair, data, store))
    return markets


def _epoch(day: str) -> float:
    import pandas as pd

    return float(pd.Timestamp(day, tz="UTC").timestamp())


class Objective:
    """Walk the folds for one trial; report per fold; record constraints and the ledger figures."""

    def __init__(self, config: SweepConfig, markets: list[Market]) -> None:
        self.config, self.markets = config, markets
        self.folds = walk_forward_blocks(config.folds_start, config.train_end, config.step_months)
        self.space = config.search_space()

    def __call__(self, trial: optuna.Trial) -> float:
        began = time.perf_counter()
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")
        candidate = candidate_from(suggest(trial, self.config), self.space)
        tracks = [PairTrack(m.pair, m.data, m.store) for m in self.markets]
        for step, fold in enumerate(self.folds):
            for track in tracks:
                track.step(fold, candidate)
            books = [booked(track, self.config.fee) for track in tracks]
            pooled = np.concatenate([returns for returns, _ in books])
            if step < len(self.folds) - 1:
                trial.report(sharpe(pooled, 365.0), step)
                if trial.should_prune():
                    raise optuna.TrialPruned()
        result = _result([row for _, row in books], pooled, self.config)
        trial.set_constraint("min_trades", result["constraints"][0])
        trial.set_constraint("max_drawdown", result["constraints"][1])
        result["compute_s"] = time.perf_counter() - began  # the whole trial, its storage calls included
        trial.set_user_attr("result", result)  # one write: each attribute is a database round trip
        return sharpe(pooled, 365.0)


def _result(rows: list[dict[str, Any]], pooled: np.ndarray[Any, Any], config: SweepConfig) -> dict[str, Any]:
    """The trial's ledger figures summed over pairs, its constraints and its pooled daily returns."""
    trades = sum(int(row["trades"]) for row in rows)
    drawdown = max(float(row["max_drawdown_pct"]) for row in rows) / 100.0
    constraints = [float(config.min_trades - trades), drawdown - config.max_drawdown]
    return {
        "feasible": all(c <= 0 for c in constraints),
        "constraints": constraints,
        "trades": trades,
        "entries": sum(int(row["entries"]) for row in rows),
        "fills": sum(int(row["n_fills"]) for row in rows),
        "fees_quote": sum(float(row["fees_quote"]) for row in rows),
        "volume_quote": sum(float(row["volume_quote"]) for row in rows),
        "max_drawdown": drawdown,
        "daily_sharpe": sharpe(pooled),
        "daily_returns": [float(x) for x in pooled],
        "scored_on": "ledger fills of the training folds",
    }


def finished_trials(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.get_trials(deepcopy=False) if t.state in FINISHED]


def load_study(storage: optuna.storages.BaseStorage, name: str, seed: int | None) -> optuna.Study:
    """Create or join the study (TPE with constraints, median pruning on the folds)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna.create_study(
        study_name=name,
        storage=storage,
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=0),
        load_if_exists=True,
    )


def run_worker(
    config_path: str, url: str, study_name: str, trials: int, seed: int | None, timing: str | None = None
) -> int:
    """One worker: join the study and run trials until it holds ``trials`` finished ones.

    With ``timing`` (a folder), every storage call is timed and the totals written there."""
    storage = open_storage(url)
    clock = timed(storage) if timing else None
    seconds: list[float] = []
    ran = optimize(load_sweep_config(Path(config_path)), storage, study_name, trials, seed, seconds)
    if clock is not None and timing:
        clock.write(Path(timing), seconds[0], ran)
    return ran


def optimize(
    config: SweepConfig,
    storage: optuna.storages.BaseStorage,
    study_name: str,
    trials: int,
    seed: int | None,
    seconds: list[float] | None = None,
) -> int:
    """Run trials on ``storage`` until the study holds ``trials`` finished ones; return how many ran.

    ``seconds`` receives the time from joining the study to the end (data loading excluded)."""
    with tempfile.TemporaryDirectory(prefix="hbp-sweep-") as cache:
        markets = load_markets(config, Path(cache))
        began = time.perf_counter()
        study = load_study(storage, study_name, seed)
        before = len(finished_trials(study))
        if before < trials:
            stop = optuna.study.MaxTrialsCallback(trials, states=FINISHED)
            study.optimize(Objective(config, markets), callbacks=[stop], gc_after_trial=False)
        ran = len(finished_trials(study)) - before
        if seconds is not None:
            seconds.append(time.perf_counter() - began)
        return ran


def run_sweep(
    config_path: Path,
    url: str,
    study_name: str,
    *,
    trials: int,
    workers: int,
    seed: int | None,
    timing: Path | None = None,
) -> optuna.Study:
    """Run ``workers`` processes on the study (1 = in this process); return the study."""
    if workers < 1 or trials < 1:
        raise ConfigError("--workers and --trials must be >= 1", fix="e.g. --workers 2 --trials 40")
    load_sweep_config(config_path)  # fail before starting any process
    load_study(open_storage(url), study_name, seed)  # tables and study exist before the workers start
    args = (str(config_path), url, study_name, trials)
    folder = None if timing is None else str(timing)
    if workers == 1:
        run_worker(*args, seed, folder)
    else:
        context = multiprocessing.get_context("spawn")
        procs = [
            context.Process(target=run_worker, args=(*args, None if seed is None else seed + k, folder))
            for k in range(workers)
        ]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        failed = [p.exitcode for p in procs if p.exitcode != 0]
        if failed:
            raise ConfigError(
                f"{len(failed)} worker(s) exited with {failed}", fix="rerun to resume the study"
            )
    return load_study(open_storage(url), study_name, seed)
