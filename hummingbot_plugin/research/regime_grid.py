"""Bar-level simulation of the level grid, the directional signal and the regime switch between them.

One account (spot, long-only, fully funded, fee per side on every fill) and one rule set:

* ``modes[t]`` (FLAT, DIRECTIONAL, GRID) and ``held[t]`` (directional target) were decided at the close of
  bar ``t - 1``. At bar ``t``'s OPEN a mode change closes what the old mode held (grid lots or the
  directional position) with a market sell; DIRECTIONAL then trades to ``held[t]`` of equity when the
  target changes (like ``evaluate.to_fills``).
* GRID: limit buys at confluence zones known after bar ``t - 1`` (score >= ``min_score``, between
  ``min_gap_bp`` and ``max_depth_pct`` below its close, not at a level already held), one lot per zone,
  each ``1 / slots`` of equity. A buy at level ``L`` fills when the bar's low reaches ``L``: at ``L``, or
  at the open if the bar opened below it. Its take-profit is the nearest qualifying zone at least
  ``min_tp_pct`` above the level (else ``+fallback_tp_pct``), its stop ``stop_pct`` below the entry.
  Exits: an open beyond the stop or target fills at the open; inside a bar the STOP is assumed hit first
  (pessimistic), even in the bar the lot was bought; targets only from the next bar; a lot older than
  ``time_stop_bars`` is sold at the open. Orders are placed before a bar (with the lots held at its
  open), so a slot freed inside a bar is reused from the next bar on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.ledger import Fill, Market
from hummingbot_plugin.levels import Zone, ZoneTimeline
from hummingbot_plugin.levels.plan import GridSettings, order_levels, take_profit

__all__ = ["GridSettings", "Mode", "simulate"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
MIN_QUOTE = 1e-6


class Mode(IntEnum):
    FLAT = 0
    DIRECTIONAL = 1
    GRID = 2


@dataclass
class _Lot:
    amount: float
    entry: float
    take_profit: float
    stop: float
    opened: int


@dataclass
class _Account:
    market: Market
    fee: float
    cash: float
    base: float = 0.0
    lots: list[_Lot] = field(default_factory=list)
    fills: list[Fill] = field(default_factory=list)
    target: float = 0.0  # directional target in force

    def trade(self, stamp: float, side: int, price: float, amount: float, tag: str) -> None:
        if amount * price < MIN_QUOTE:
            return
        fee = self.fee * amount * price
        self.fills.append(
            Fill(stamp, self.market, side, price, amount, fee, order_id=f"{tag}-{len(self.fills)}")
        )
        self.base += side * amount
        self.cash -= side * amount * price + fee

    def sell_lot(self, lot: _Lot, stamp: float, price: float, tag: str) -> None:
        self.lots.remove(lot)
        self.trade(stamp, -1, price, min(lot.amount, self.base), tag)

    def grid_base(self) -> float:
        return sum(lot.amount for lot in self.lots)


def _exits(
    acc: _Account, t: int, bar: tuple[float, float, float, float], stamp: float, grid: GridSettings
) -> None:
    open_, high, low, _ = bar
    for lot in list(acc.lots):
        if open_ <= lot.stop or open_ >= lot.take_profit or t - lot.opened >= grid.time_stop_bars:
            acc.sell_lot(lot, stamp, open_, "grid-exit-open")
        elif low <= lot.stop:
            acc.sell_lot(lot, stamp + 1, lot.stop, "grid-stop")
        elif high >= lot.take_profit:
            acc.sell_lot(lot, stamp + 1, lot.take_profit, "grid-tp")


def _entries(
    acc: _Account,
    t: int,
    bar: tuple[float, float, float, float],
    stamp: float,
    zones: tuple[Zone, ...],
    levels: list[float],
    grid: GridSettings,
) -> None:
    open_, _, low, _ = bar
    equity = acc.cash + acc.base * open_
    for level in levels:
        if low > level:
            continue
        price = min(open_, level)
        quote = min(equity / grid.slots, acc.cash / (1.0 + acc.fee) * (1.0 - 1e-12))
        if quote < MIN_QUOTE:
            return
        target = take_profit(zones, level, grid)
        lot = _Lot(quote / price, price, target, price * (1.0 - grid.stop_pct / 100.0), t)
        acc.trade(stamp + 2, 1, price, lot.amount, "grid-buy")
        acc.lots.append(lot)
        if low <= lot.stop:
            acc.sell_lot(lot, stamp + 3, lot.stop, "grid-stop")


def _at_open(acc: _Account, mode: Mode, held: float, open_: float, stamp: float) -> None:
    if mode is not Mode.GRID:
        for lot in list(acc.lots):
            acc.sell_lot(lot, stamp, open_, "switch-close-grid")
    outside = acc.base - acc.grid_base()
    if mode is not Mode.DIRECTIONAL:
        acc.target = 0.0
        if outside * open_ > MIN_QUOTE:
            acc.trade(stamp, -1, open_, outside, "switch-close-directional")
        return
    if abs(held - acc.target) <= 1e-9:
        return
    acc.target = held
    desired = held * (acc.cash + acc.base * open_) / open_
    if desired > acc.base:
        acc.trade(
            stamp, 1, open_, min(desired - acc.base, acc.cash / (open_ * (1.0 + acc.fee))), "directional"
        )
    else:
        acc.trade(stamp, -1, open_, acc.base - desired, "directional")


def simulate(
    candles: pd.DataFrame,
    modes: IntArray,
    held: FloatArray,
    zones: ZoneTimeline,
    zone_offset: int,
    market: Market,
    *,
    capital: float,
    fee: float,
    grid: GridSettings,
) -> list[Fill]:
    """Fills over ``candles`` (candle ``t`` is bar ``zone_offset + t`` of the zones' history)."""
    acc = _Account(market, fee, capital)
    arrays = [candles[c].to_numpy(np.float64) for c in ("timestamp", "open", "high", "low", "close")]
    stamps, opens, highs, lows, closes = arrays
    for t in range(stamps.size):
        mode, bar = Mode(int(modes[t])), (opens[t], highs[t], lows[t], closes[t])
        _at_open(acc, mode, float(held[t]), float(opens[t]), float(stamps[t]))
        if mode is Mode.GRID and t > 0:
            known = zones.at(zone_offset + t - 1)
            levels = order_levels(
                known, float(closes[t - 1]), [lot.entry for lot in acc.lots], grid
            )  # placed before the bar
            _exits(acc, t, bar, float(stamps[t]), grid)
            _entries(acc, t, bar, float(stamps[t]), known, levels, grid)
    return acc.fills
