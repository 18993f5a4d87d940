"""Walk-forward schedule: train on data ending before ``t``, evaluate the next block, roll forward.

Blocks start on calendar-month boundaries (UTC) and last ``step_months`` months; the model of a block is
trained once and evaluates the whole block (retrain every ``step_months``). A training row ``i`` (bar open
``ts_i``, label = ln(close_{i+h} / close_i), known at ``ts_i + (h + 1) * step``) is kept only if

    ts_i + (h + 1 + embargo) * step <= block start        (purge + embargo, embargo >= h)

so no training label window reaches into its evaluation block, and the window is expanding (every row
from the start of the data) or sliding (only the last ``train_days`` days).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hummingbot_plugin.errors import DataError

__all__ = ["Block", "RunPeriod", "block_starts", "train_rows", "walk_forward_blocks"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
DAY = 86_400


@dataclass(frozen=True)
class RunPeriod:
    """Market, period, costs and schedule of a walk-forward run (each run's settings extend it)."""

    trading_pair: str
    start: str
    end: str
    out: Path
    venue: str = "binance"
    interval: str = "1h"
    fee: float = 0.001
    capital: float = 1000.0
    step_months: int = 3


@dataclass(frozen=True, slots=True)
class Block:
    """One evaluation block: ``[start, end)`` in epoch seconds (bar open times)."""

    number: int
    start: float
    end: float

    @property
    def label(self) -> str:
        return str(pd.Timestamp(self.start, unit="s", tz="UTC").strftime("%Y-%m-%d"))

    def rows(self, timestamps: FloatArray) -> IntArray:
        """Positions of the bars that open inside the block."""
        return np.flatnonzero((timestamps >= self.start) & (timestamps < self.end)).astype(np.int64)


def block_starts(first: str, last: str, step_months: int) -> list[float]:
    """Month-aligned block boundaries from ``first`` up to the day after ``last`` (inclusive end)."""
    if step_months < 1:
        raise DataError(f"step_months must be >= 1, got {step_months}", fix="pass 1 (monthly) or 3")
    begin = pd.Timestamp(first, tz="UTC").normalize()
    stop = pd.Timestamp(last, tz="UTC").normalize() + pd.Timedelta(days=1)
    if stop <= begin:
        raise DataError(f"period {first} .. {last} is empty", fix="pass --end after --start")
    edges = [begin]
    while edges[-1] < stop:
        edges.append(min(edges[-1] + pd.DateOffset(months=step_months), stop))
    return [float(e.timestamp()) for e in edges]


def walk_forward_blocks(first: str, last: str, step_months: int) -> list[Block]:
    """The evaluation blocks covering ``first`` .. ``last`` (inclusive days)."""
    edges = block_starts(first, last, step_months)
    return [Block(n, a, b) for n, (a, b) in enumerate(itertools.pairwise(edges), start=1)]


def train_rows(
    timestamps: FloatArray,
    usable: NDArray[np.bool_],
    cutoff: float,
    *,
    horizon_bars: int,
    embargo_bars: int,
    interval_s: int,
    train_days: int | None = None,
) -> IntArray:
    """Positions of the usable rows whose label (plus embargo) is known by ``cutoff``."""
    if embargo_bars < horizon_bars:
        raise DataError(
            f"embargo_bars ({embargo_bars}) must be >= horizon_bars ({horizon_bars})",
            fix="raise the embargo to at least the label horizon",
        )
    known_at = timestamps + (horizon_bars + 1 + embargo_bars) * interval_s
    keep = usable & (known_at <= cutoff)
    if train_days is not None:
        keep &= timestamps >= cutoff - train_days * DAY
    return np.flatnonzero(keep).astype(np.int64)
