"""One walk-forward run: select per outer block, forecast it, stitch decisions, evaluate on the ledger."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ledger import LedgerBook, Market
from hummingbot_plugin.research.data import ResearchData
from hummingbot_plugin.research.decision import DecisionState, decide
from hummingbot_plugin.research.evaluate import (
    buy_and_hold,
    daily_returns,
    evaluate_held,
    ma_trend,
    momentum_days,
)
from hummingbot_plugin.research.folds import Block, RunPeriod, walk_forward_blocks
from hummingbot_plugin.research.models import ModelStore
from hummingbot_plugin.research.selection import (
    InnerView,
    SearchSpace,
    Selection,
    gate_of,
    select_block,
    storage_url,
)
from hummingbot_plugin.research.stats import block_bootstrap_sharpe, deflated_sharpe

__all__ = ["RunSettings", "WalkForwardResult", "run_walkforward"]

FloatArray = NDArray[np.float64]
Progress = Callable[[Iterable[Block]], Iterable[Block]]


@dataclass(frozen=True)
class RunSettings(RunPeriod):
    """Period, costs and search budget of a run."""

    trials: int = 40
    inner_blocks: int = 6
    seed: int = 7
    space: SearchSpace = field(default_factory=SearchSpace)


@dataclass
class WalkForwardResult:
    """Held positions, the per-block choices, and every row of the comparison table."""

    held: FloatArray
    selections: list[tuple[Block, Selection, dict[str, Any]]]
    rows: list[dict[str, Any]]
    ledgers: dict[str, LedgerBook]
    summary: dict[str, Any]


def _blocks(settings: RunSettings) -> tuple[list[Block], list[Block]]:
    """(inner-only warm-up blocks + outer blocks, outer blocks)."""
    first = pd.Timestamp(settings.start, tz="UTC") - pd.DateOffset(
        months=settings.step_months * settings.inner_blocks
    )
    every = walk_forward_blocks(first.strftime("%Y-%m-%d"), settings.end, settings.step_months)
    start = pd.Timestamp(settings.start, tz="UTC").timestamp()
    outer = [b for b in every if b.start >= start]
    if not outer or len(every) - len(outer) < settings.inner_blocks:
        raise DataError("the period leaves no outer block", fix="pass a later --end or an earlier --start")
    return every, outer


def _stitch(
    data: ResearchData, store: ModelStore, chosen: list[tuple[Block, Selection]], rows: NDArray[np.int64]
) -> tuple[FloatArray, list[dict[str, Any]]]:
    """Held fraction per evaluated bar: decided at bar t-1's close from that block's chosen model."""
    decided = np.zeros(data.timestamps.size)
    state, metrics = DecisionState(), []
    for block, sel in chosen:
        forecast = store.forecast(sel.candidate.model, block)
        span = block.rows(data.timestamps)
        q = np.full((span.size, 3), np.nan)
        q[np.searchsorted(span, forecast.rows)] = forecast.quantiles
        gate = gate_of(data, sel.candidate.gate, span)
        decided[span], state = decide(q[:, 0], q[:, 1], q[:, 2], sel.candidate.decision, gate, state)
        metrics.append(forecast.metrics)
    held = np.concatenate([[0.0], decided[:-1]])
    return held[rows], metrics


def run_walkforward(
    data: ResearchData,
    history: pd.DataFrame,
    settings: RunSettings,
    progress: Progress = lambda blocks: blocks,
) -> WalkForwardResult:
    """Nested walk-forward over ``settings.start .. end`` on ``data`` (history up to ``end`` only)."""
    every, outer = _blocks(settings)
    store = ModelStore(data, settings.out / "folds", settings.trading_pair, settings.interval)
    storage = storage_url(settings.out)
    chosen: list[tuple[Block, Selection]] = []
    for block in progress(outer):
        k = every.index(block)
        view = InnerView(data, store, every[k - settings.inner_blocks : k], block.start)
        name = f"{settings.trading_pair}_{block.label}"
        chosen.append(
            (
                block,
                select_block(
                    view,
                    settings.space,
                    storage=storage,
                    study_name=name,
                    trials=settings.trials,
                    seed=settings.seed + block.number,
                ),
            )
        )
    stamps = data.timestamps
    rows = np.flatnonzero((stamps >= outer[0].start) & (stamps < outer[-1].end))
    held, fold_metrics = _stitch(data, store, chosen, rows)
    candles = history.iloc[rows].reset_index(drop=True)
    market = Market(settings.venue, settings.trading_pair)
    table, ledgers = _compare(held, candles, history, market, settings, data.interval_s)
    selections = [(b, s, m) for (b, s), m in zip(chosen, fold_metrics, strict=True)]
    summary = _summary(selections, ledgers["strategy"], table[0], store.fitted)
    return WalkForwardResult(held, selections, table, ledgers, summary)


def _compare(
    held: FloatArray,
    candles: pd.DataFrame,
    history: pd.DataFrame,
    market: Market,
    settings: RunSettings,
    interval_s: int,
) -> tuple[list[dict[str, Any]], dict[str, LedgerBook]]:
    series = {
        "strategy": held,
        "buy_and_hold": buy_and_hold(candles),
        "ma_50_200": ma_trend(history, candles),
        "momentum_50d": momentum_days(history, candles),
    }
    rows, ledgers = [], {}
    for name, values in series.items():
        row, ledger = evaluate_held(
            name, candles, values, market, capital=settings.capital, fee=settings.fee, interval_s=interval_s
        )
        rows.append(row)
        ledgers[name] = ledger
    return rows, ledgers


def _summary(
    selections: list[tuple[Block, Selection, dict[str, Any]]],
    ledger: LedgerBook,
    strategy: dict[str, Any],
    fitted: int,
) -> dict[str, Any]:
    trial_sharpes = [s for _, sel, _ in selections for s in sel.trial_daily_sharpes]
    n_trials = sum(sel.n_trials for _, sel, _ in selections)
    returns = daily_returns(ledger)
    low, high = block_bootstrap_sharpe(returns)
    return {
        "configs_tried": n_trials,
        "deflated_sharpe": deflated_sharpe(returns, trial_sharpes, n_trials),
        "deflated_sharpe_per_block": deflated_sharpe(
            returns, trial_sharpes, max(1, round(n_trials / max(len(selections), 1)))
        ),
        "sharpe_bootstrap_90": [low, high],
        "sharpe": strategy["sharpe_daily_annualized"],
        "models_fitted_this_run": fitted,
    }


def write_report(result: WalkForwardResult, settings: RunSettings, table_text: str) -> Path:
    """``report.json`` in the run folder (settings, table, per-block choices, DSR, interval)."""
    folds = [
        {
            "block": b.label,
            "params": sel.params,
            "inner_sharpe": sel.inner_sharpe,
            "trials": sel.n_trials,
            "oos_metrics": m,
        }
        for b, sel, m in result.selections
    ]
    payload = {
        "settings": {
            k: str(v) if isinstance(v, Path | SearchSpace) else v
            for k, v in asdict(settings).items()
            if k != "space"
        },
        "execution": "decided at a bar's close, traded at the next bar's open; fee per side; one ledger",
        "table": result.rows,
        "summary": result.summary,
        "folds": folds,
    }
    path = settings.out / "report.json"
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    (settings.out / "table.txt").write_text(table_text + "\n", encoding="utf-8")
    return path
