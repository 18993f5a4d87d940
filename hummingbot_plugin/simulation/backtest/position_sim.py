"""Position executors on bars, at the prices a bar can really give (replaces Hummingbot's simulator).

Hummingbot's ``PositionExecutorSimulator`` enters at the close of the signal bar, then tests the stop
loss against the *low* of every bar from that same bar on, and books every exit at the bar's close.
Two consequences on 1h bars (2023 BTC, AI config: 9 of 15 stop losses lasted 0 s and lost exactly the
fee; two stop losses made money):

* the entry bar's low happened *before* its close, i.e. before the position existed, yet it triggers
  the stop on the entry bar itself;
* a bar whose low touched the stop but closed higher books the "stop loss" at that close, even above
  the entry price.

Here, as upstream, the entry is the close of the fill bar and take profit, trailing stop and time
limit are judged and filled on closes. The differences:

* the stop loss is judged from the bar *after* the entry, and fills at the stop price, or at the
  bar's open when the bar opened beyond it (a gap);
* when the stop and another barrier fall in one bar, the stop wins (the bar's path is unknown, and
  the stop is an intrabar order while the others act at the close);
* PnL and fees are booked per fill like the ledger: ``fee × notional`` of the entry and of the exit;
  ``filled_amount_quote`` on the closing row is entry + exit notional.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.backtesting.executor_simulator_base import ExecutorSimulation
from hummingbot.strategy_v2.backtesting.executors_simulator.position_executor_simulator import (
    PositionExecutorSimulator,
)
from hummingbot.strategy_v2.executors.position_executor.data_types import PositionExecutorConfig
from hummingbot.strategy_v2.models.executors import CloseType

__all__ = ["BarExecutorSimulation", "BarPositionSimulator"]

_COLUMNS = ["timestamp", "open", "high", "low", "close"]


class BarExecutorSimulation(ExecutorSimulation):  # type: ignore[misc]
    """Also reports the exit price of the row it is read at (``custom_info['exit_price']``)."""

    def get_custom_info(self, last_entry: pd.Series) -> dict[str, Any]:
        info: dict[str, Any] = super().get_custom_info(last_entry)
        info["exit_price"] = float(last_entry["exit_price"])
        return info


def _entry_timestamp(frame: pd.DataFrame, config: PositionExecutorConfig) -> float | None:
    if config.triple_barrier_config.open_order_type.is_limit_type():
        price = float(config.entry_price)
        crossed = frame["close"] <= price if config.side == TradeType.BUY else frame["close"] >= price
        stamps = frame.loc[crossed, "timestamp"]
        return float(stamps.iloc[0]) if len(stamps) else None
    return float(frame["timestamp"].iloc[0]) if len(frame) else None


def _first(mask: pd.Series) -> float | None:
    hits = mask.index[mask.to_numpy(dtype=bool)]
    return float(hits[0]) if len(hits) else None


def _stop_loss(
    path: pd.DataFrame, config: PositionExecutorConfig, entry: float, side: int
) -> tuple[float, float] | None:
    """(timestamp, fill price) of the first stop after the entry bar, or None."""
    barrier = config.triple_barrier_config.stop_loss
    if not barrier:
        return None
    level = entry * (1.0 - float(barrier) * side)
    after = path.iloc[1:]
    hit = after["low"] <= level if side > 0 else after["high"] >= level
    ts = _first(hit)
    if ts is None:
        return None
    open_price = float(after.loc[ts, "open"])
    return ts, (min(level, open_price) if side > 0 else max(level, open_price))


def _close_barriers(
    path: pd.DataFrame, config: PositionExecutorConfig, trigger: pd.Series
) -> list[tuple[float, CloseType]]:
    """Upstream's close-based barriers on the net-of-fees return ``trigger``: (timestamp, type)."""
    barriers = config.triple_barrier_config
    found: list[tuple[float, CloseType]] = []
    if barriers.take_profit:
        ts = _first(trigger > float(barriers.take_profit))
        found += [(ts, CloseType.TAKE_PROFIT)] if ts is not None else []
    if barriers.trailing_stop:
        activation = float(barriers.trailing_stop.activation_price)
        delta = float(barriers.trailing_stop.trailing_delta)
        level = (trigger - delta).cummax().where((trigger > activation).cummax())
        ts = _first(level.notna() & (trigger < level))
        found += [(ts, CloseType.TRAILING_STOP)] if ts is not None else []
    found.append((float(path.index[-1]), CloseType.TIME_LIMIT))  # time limit, or the end of the data
    return found


class BarPositionSimulator(PositionExecutorSimulator):  # type: ignore[misc]
    """``PositionExecutorSimulator`` with stop losses after the entry bar, filled at the stop price."""

    def simulate(
        self, df: pd.DataFrame, config: PositionExecutorConfig, trade_cost: float
    ) -> ExecutorSimulation:
        limit = config.triple_barrier_config.time_limit
        end = config.timestamp + limit if limit else df["timestamp"].max()
        frame = df.loc[:end, _COLUMNS].copy()
        start = _entry_timestamp(frame, config)
        if start is None:
            return self._unfilled(frame, config)
        side = 1 if config.side == TradeType.BUY else -1
        path = frame.loc[start:]
        entry = float(path["close"].iloc[0])
        trigger = side * (path["close"] / entry - 1.0) - 2 * trade_cost
        close_ts, close_type = min(_close_barriers(path, config, trigger), key=lambda e: e[0])
        exit_price = float(path.loc[close_ts, "close"])
        stop = _stop_loss(path, config, entry, side)
        if stop is not None and stop[0] <= close_ts:
            close_ts, exit_price, close_type = stop[0], stop[1], CloseType.STOP_LOSS
        frame = frame.loc[:close_ts]
        self._book(frame, config, start, entry, exit_price, side, trade_cost)
        return BarExecutorSimulation(config=config, executor_simulation=frame, close_type=close_type)

    @staticmethod
    def _unfilled(frame: pd.DataFrame, config: PositionExecutorConfig) -> ExecutorSimulation:
        """A limit entry the market never reached: nothing filled, expires at its time limit."""
        for column in ("net_pnl_pct", "net_pnl_quote", "cum_fees_quote", "filled_amount_quote"):
            frame[column] = 0.0
        frame["current_position_average_price"] = float(config.entry_price)
        frame["exit_price"] = frame["close"]
        return BarExecutorSimulation(
            config=config, executor_simulation=frame, close_type=CloseType.TIME_LIMIT
        )

    @staticmethod
    def _book(
        frame: pd.DataFrame,
        config: PositionExecutorConfig,
        start: float,
        entry: float,
        exit_price: float,
        side: int,
        fee: float,
    ) -> None:
        """Per-row liquidation value: exit at the close (at ``exit_price`` on the closing row)."""
        amount = float(config.amount)
        held = (frame.index >= start).astype(np.float64)
        price = frame["close"].to_numpy(dtype=np.float64).copy()
        price[-1] = exit_price
        entry_notional = amount * entry * held
        exit_notional = amount * price * held
        fees = fee * (entry_notional + exit_notional)
        frame["exit_price"] = price
        frame["net_pnl_quote"] = side * (exit_notional - entry_notional) - fees
        frame["net_pnl_pct"] = np.divide(
            frame["net_pnl_quote"], entry_notional, out=np.zeros(len(frame)), where=held > 0
        )
        frame["cum_fees_quote"] = fees
        filled = entry_notional.copy()
        filled[-1] += exit_notional[-1]
        frame["filled_amount_quote"] = filled
        frame["current_position_average_price"] = np.where(held > 0, entry, float(config.entry_price))
