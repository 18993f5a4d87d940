"""A sweep as one Optuna study on shared storage: each trial is a walk-forward over the training folds.

A trial takes one configuration from the declared space (:mod:`sweep_config`) and, fold by fold (in
time order), forecasts each fold with a model trained only on the rows before it
(:class:`models.ModelStore`), decides, and scores the close-to-close net PnL of every pair (the
:class:`selection.InnerView` proxy). After each fold it reports the pooled annualised daily Sharpe so
far; the median pruner stops a trial whose folds trail the median of earlier trials at that fold.
Constraints (minimum entries, maximum drawdown of any pair) feed TPE's ``constraints_func`` and the
choice of the best trial.

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
from numpy.typing import NDArray

from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.research.data import ResearchData, build_research_data
from hummingbot_plugin.research.decision import decide
from hummingbot_plugin.research.folds import Block, walk_forward_blocks
from hummingbot_plugin.research.models import ModelStore
from hummingbot_plugin.research.runner import InputFiles, load_inputs
from hummingbot_plugin.research.selection import Candidate, InnerView, candidate_from, gate_of
from hummingbot_plugin.research.stats import sharpe
from hummingbot_plugin.research.sweep_config import SweepConfig, load_sweep_config, suggest

__all__ = ["FINISHED", "Market", "finished_trials", "open_storage", "optimize", "run_sweep", "run_worker"]

FloatArray = NDArray[np.float64]
FINISHED = (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
HEARTBEAT_S = 2
GRACE_S = 6


@dataclass
class Market:
    """One pair's research table and its per-process model cache."""

    pair: str
    data: ResearchData
    store: ModelStore


def open_storage(url: str) -> optuna.storages.RDBStorage:
    """This process's own connection to the study database (heartbeats on; SQLite in WAL mode)."""
    engine: dict[str, Any] = {}
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        engine["creator"] = lambda: _sqlite_connection(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return optuna.storages.RDBStorage(
            url, engine_kwargs=engine, heartbeat_interval=HEARTBEAT_S, grace_period=GRACE_S
        )


def _sqlite_connection(path: Path) -> sqlite3.Connection:
    """WAL + synchronous=NORMAL: a commit no longer waits for an fsync (a killed process loses
    nothing committed; WAL needs every worker on this machine, not on a network file system)."""
    connection = sqlite3.connect(path, timeout=60, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def load_markets(config: SweepConfig, cache: Path) -> list[Market]:
    """Each pair's candles ``data_start .. train_end`` (nothing later is read) and its features."""
    markets = []
    for spec in config.pairs:
        history, inputs = load_inputs(InputFiles(spec.candles), config.train_end)
        history = history[history["timestamp"] >= _epoch(config.data_start)].reset_index(drop=True)
        data = build_research_data(history, inputs, interval_seconds(config.interval))
        store = ModelStore(data, cache / spec.pair, spec.pair, config.interval)
        markets.append(Market(spec.pair, data, store))
    return markets


def _epoch(day: str) -> float:
    import pandas as pd

    return float(pd.Timestamp(day, tz="UTC").timestamp())


def _fold_result(market: Market, fold: Block, candidate: Candidate) -> tuple[FloatArray, int]:
    """Daily net returns of the fold and the number of entries (flat → long)."""
    view = InnerView(market.data, market.store, [fold], fold.end)
    q = view.quantiles(candidate.model)
    gate = gate_of(market.data, candidate.gate, slice(view.first, view.stop))
    held, _ = decide(q[:, 0], q[:, 1], q[:, 2], candidate.decision, gate)
    entries = int(np.sum((held[1:] > 0) & (held[:-1] <= 0)) + (held[:1] > 0).sum())
    return view.daily_returns(candidate), entries


def _max_drawdown(returns: FloatArray) -> float:
    equity = np.cumprod(1.0 + returns)
    peak = np.maximum.accumulate(np.concatenate([[1.0], equity]))[1:]
    return float(np.max(1.0 - equity / peak)) if equity.size else 0.0


class Objective:
    """Walk the folds for one trial; report per fold; record constraints and the returns."""

    def __init__(self, config: SweepConfig, markets: list[Market]) -> None:
        self.config, self.markets = config, markets
        self.folds = walk_forward_blocks(config.folds_start, config.train_end, config.step_months)
        self.space = config.search_space()

    def __call__(self, trial: optuna.Trial) -> float:
        compute = 0.0
        trial.set_user_attr("worker", f"{socket.gethostname()}:{os.getpid()}")
        candidate = candidate_from(suggest(trial, self.config), self.space)
        per_pair: dict[str, list[FloatArray]] = {m.pair: [] for m in self.markets}
        entries = 0
        for step, fold in enumerate(self.folds):
            for market in self.markets:
                began = time.perf_counter()
                returns, count = _fold_result(market, fold, candidate)
                compute += time.perf_counter() - began
                per_pair[market.pair].append(returns)
                entries += count
            pooled = np.concatenate([r for parts in per_pair.values() for r in parts])
            trial.report(sharpe(pooled, 365.0), step)
            if trial.should_prune():
                raise optuna.TrialPruned()
        drawdown = max(_max_drawdown(np.concatenate(parts)) for parts in per_pair.values())
        constraints = [float(self.config.min_trades - entries), drawdown - self.config.max_drawdown]
        trial.set_constraint("min_trades", constraints[0])
        trial.set_constraint("max_drawdown", constraints[1])
        result = {
            "feasible": all(c <= 0 for c in constraints),
            "entries": entries,
            "max_drawdown": drawdown,
            "daily_sharpe": sharpe(pooled),
            "daily_returns": [float(x) for x in pooled],
            "compute_s": compute,  # fits + decisions, without Optuna or the database
        }
        trial.set_user_attr("result", result)  # one write: each attribute is a database round trip
        return sharpe(pooled, 365.0)


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


def run_worker(config_path: str, url: str, study_name: str, trials: int, seed: int | None) -> int:
    """One worker: join the study and run trials until it holds ``trials`` finished ones."""
    return optimize(load_sweep_config(Path(config_path)), open_storage(url), study_name, trials, seed)


def optimize(
    config: SweepConfig, storage: optuna.storages.BaseStorage, study_name: str, trials: int, seed: int | None
) -> int:
    """Run trials on ``storage`` until the study holds ``trials`` finished ones; return how many ran."""
    with tempfile.TemporaryDirectory(prefix="hbp-sweep-") as cache:
        markets = load_markets(config, Path(cache))
        study = load_study(storage, study_name, seed)
        before = len(finished_trials(study))
        if before < trials:
            stop = optuna.study.MaxTrialsCallback(trials, states=FINISHED)
            study.optimize(Objective(config, markets), callbacks=[stop], gc_after_trial=False)
        return len(finished_trials(study)) - before


def run_sweep(
    config_path: Path, url: str, study_name: str, *, trials: int, workers: int, seed: int | None
) -> optuna.Study:
    """Run ``workers`` processes on the study (1 = in this process); return the study."""
    if workers < 1 or trials < 1:
        raise ConfigError("--workers and --trials must be >= 1", fix="e.g. --workers 2 --trials 40")
    load_sweep_config(config_path)  # fail before starting any process
    args = (str(config_path), url, study_name, trials)
    if workers == 1:
        run_worker(*args, seed)
    else:
        context = multiprocessing.get_context("spawn")
        procs = [
            context.Process(target=run_worker, args=(*args, None if seed is None else seed + k))
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
