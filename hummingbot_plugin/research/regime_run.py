"""Walk-forward judgement of the regime switch: switcher vs each component vs the simple baselines.

Per pair, over the research engine's quarterly blocks (``folds.walk_forward_blocks``):

* directional: ONE fixed configuration (``ModelSettings(horizon_bars=24)``, default cost-aware
  ``DecisionParams``, no gate), its LightGBM quantile model refitted per block on rows whose labels are
  known before the block (``ModelStore``), decided at bar ``t - 1``'s close;
* regime: labels with thresholds fitted on the ``train_days`` before each block (``regime``);
* levels: confluence zones from swings confirmed by bar ``t - 1`` (``levels``);
* the switcher trades DIRECTIONAL in trend up / trend down, GRID in range, FLAT in high volatility
  (``regime_grid.simulate``); each component alone runs through the same simulator; buy-and-hold,
  MA 50/200 and 50-day momentum through ``evaluate.evaluate_held``. Every figure comes from the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.ledger import LedgerBook, Market
from hummingbot_plugin.levels import LevelSettings, zone_timeline
from hummingbot_plugin.regime import Regime, RegimeSettings, walk_forward_labels
from hummingbot_plugin.research.data import ResearchData
from hummingbot_plugin.research.decision import DecisionParams, DecisionState, decide
from hummingbot_plugin.research.evaluate import (
    bar_marks,
    buy_and_hold,
    daily_returns,
    evaluate_held,
    fills_row,
    ma_trend,
    momentum_days,
)
from hummingbot_plugin.research.folds import Block, RunPeriod, walk_forward_blocks
from hummingbot_plugin.research.models import ModelSettings, ModelStore
from hummingbot_plugin.research.regime_grid import GridSettings, Mode, simulate
from hummingbot_plugin.research.stats import block_bootstrap_sharpe, deflated_sharpe, sharpe

__all__ = [
    "MODE_OF",
    "RegimeResult",
    "RegimeRunSettings",
    "bar_marks",
    "directional_held",
    "fills_row",
    "run_regime",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
DAY = 86_400
MODE_OF = {
    Regime.TREND_UP: Mode.DIRECTIONAL,
    Regime.TREND_DOWN: Mode.DIRECTIONAL,
    Regime.RANGE: Mode.GRID,
    Regime.HIGH_VOL: Mode.FLAT,
}
MINE = ("regime_switch", "directional", "level_grid")


@dataclass(frozen=True)
class RegimeRunSettings(RunPeriod):
    """Period, costs and the (fixed, chosen before the run) settings of every component."""

    configs_tried: int = 3
    regime: RegimeSettings = field(default_factory=RegimeSettings)
    levels: LevelSettings = field(default_factory=LevelSettings)
    grid: GridSettings = field(default_factory=GridSettings)
    model: ModelSettings = field(default_factory=lambda: ModelSettings(horizon_bars=24))
    decision: DecisionParams = field(default_factory=DecisionParams)


@dataclass
class RegimeResult:
    rows: list[dict[str, Any]]
    ledgers: dict[str, LedgerBook]
    regime_share_pct: dict[str, float]
    summary: dict[str, Any]


def directional_held(
    data: ResearchData, store: ModelStore, blocks: list[Block], model: ModelSettings, params: DecisionParams
) -> FloatArray:
    """Directional target per history bar: decided at bar ``t - 1``'s close from that block's model."""
    decided = np.zeros(data.timestamps.size)
    state = DecisionState()
    for block in blocks:
        forecast = store.forecast(model, block)
        span = block.rows(data.timestamps)
        q = np.full((span.size, 3), np.nan)
        q[np.searchsorted(span, forecast.rows)] = forecast.quantiles
        decided[span], state = decide(q[:, 0], q[:, 1], q[:, 2], params, None, state)
    return np.concatenate([[0.0], decided[:-1]])


def _decided_labels(
    history: pd.DataFrame, rows: IntArray, edges: list[float], cfg: RegimeSettings
) -> IntArray:
    close = history["close"].to_numpy(np.float64)
    labels, _ = walk_forward_labels(close, history["timestamp"].to_numpy(np.float64), edges, cfg)
    return labels[rows - 1]  # the label after bar t - 1's close governs bar t


def run_regime(history: pd.DataFrame, data: ResearchData, settings: RegimeRunSettings) -> RegimeResult:
    """Every row of the comparison for one pair (``history`` = the candles ``data`` was built from)."""
    blocks = walk_forward_blocks(settings.start, settings.end, settings.step_months)
    edges = [b.start for b in blocks] + [blocks[-1].end]
    stamps = data.timestamps
    rows = np.flatnonzero((stamps >= edges[0]) & (stamps < edges[-1])).astype(np.int64)
    store = ModelStore(data, settings.out / "folds", settings.trading_pair, settings.interval)
    held = directional_held(data, store, blocks, settings.model, settings.decision)[rows]
    labels = _decided_labels(history, rows, edges, settings.regime)
    zones = zone_timeline(
        history["high"].to_numpy(np.float64), history["low"].to_numpy(np.float64), settings.levels
    )
    candles = history.iloc[rows].reset_index(drop=True)
    market = Market(settings.venue, settings.trading_pair)
    modes = {
        "regime_switch": np.array([int(MODE_OF[Regime(v)]) for v in labels], dtype=np.int64),
        "directional": np.full(rows.size, int(Mode.DIRECTIONAL), dtype=np.int64),
        "level_grid": np.full(rows.size, int(Mode.GRID), dtype=np.int64),
    }
    table, ledgers = [], {}
    for name, mode in modes.items():
        fills = simulate(
            candles,
            mode,
            held,
            zones,
            int(rows[0]),
            market,
            capital=settings.capital,
            fee=settings.fee,
            grid=settings.grid,
        )
        row, ledgers[name] = fills_row(name, candles, fills, market, settings.capital, data.interval_s)
        table.append(row)
    table += _baselines(history, candles, market, settings, data.interval_s, ledgers)
    shares = {r.name.lower(): float(np.mean(labels == int(r)) * 100.0) for r in Regime}
    return RegimeResult(table, ledgers, shares, _summary(table, ledgers, settings.configs_tried))


def _baselines(
    history: pd.DataFrame,
    candles: pd.DataFrame,
    market: Market,
    settings: RegimeRunSettings,
    interval_s: int,
    ledgers: dict[str, LedgerBook],
) -> list[dict[str, Any]]:
    series = {
        "buy_and_hold": buy_and_hold(candles),
        "ma_50_200": ma_trend(history, candles),
        "momentum_50d": momentum_days(history, candles),
    }
    out = []
    for name, held in series.items():
        row, ledgers[name] = evaluate_held(
            name, candles, held, market, capital=settings.capital, fee=settings.fee, interval_s=interval_s
        )
        out.append(row)
    return out


def _summary(rows: list[dict[str, Any]], ledgers: dict[str, LedgerBook], n_configs: int) -> dict[str, Any]:
    """Deflated Sharpe of each of our configurations against all of them (N = configurations tried)."""
    returns = {name: daily_returns(ledgers[name]) for name in MINE}
    trial_sharpes = [sharpe(r) for r in returns.values()]
    for row in rows:
        row["deflated_sharpe"] = (
            deflated_sharpe(returns[row["name"]], trial_sharpes, n_configs) if row["name"] in MINE else None
        )
    low, high = block_bootstrap_sharpe(returns["regime_switch"])
    return {"configs_tried": n_configs, "switch_sharpe_bootstrap_90": [low, high]}
