"""Candle-frame validation: every problem names the file, the row and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from hummingbot_plugin.errors import DataError

if TYPE_CHECKING:
    from hummingbot_plugin.data.sanity import BarFlag

__all__ = ["CANDLE_COLUMNS", "PRICE_COLUMNS", "sanity_problems", "validate_candles"]

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

#: Columns of a candle frame, in order; all float64; ``timestamp`` is the bar open (epoch s, UTC).
CANDLE_COLUMNS: tuple[str, ...] = ("timestamp", "open", "high", "low", "close", "volume")
PRICE_COLUMNS: tuple[str, ...] = ("open", "high", "low", "close")


def _row_error(source: str, mask: BoolArray, what: str, fix: str, *, line_offset: int) -> DataError:
    """DataError naming the first offending row (0-based data row and 1-based file line)."""
    positions = np.flatnonzero(mask)
    first = int(positions[0])
    more = f" ({positions.size} rows in total)" if positions.size > 1 else ""
    where = f"row {first}" + (f" (line {first + line_offset})" if line_offset else "")
    return DataError(f"{source}: {where}: {what}{more}", fix=fix)


def validate_candles(df: pd.DataFrame, source: str, *, line_offset: int = 0) -> None:
    """Raise DataError unless ``df`` (columns CANDLE_COLUMNS, float64) is a clean candle series.

    Checks, in order: no missing values, finite numbers, positive prices, non-negative volume,
    high/low enclosing open and close, timestamps strictly increasing. ``line_offset`` maps a
    0-based data row to the line of the source file (2 for a CSV with a header) for messages.
    """
    values = {name: df[name].to_numpy(dtype="float64") for name in CANDLE_COLUMNS}
    checks = _value_checks(values)
    for mask, what, fix in checks:
        if mask.any():
            raise _row_error(source, mask, what, fix, line_offset=line_offset)
    _check_order(values["timestamp"], source, line_offset)


def sanity_problems(flags: Sequence[BarFlag], source: str, *, line_offset: int = 0) -> list[str]:
    """One line per bar flagged by :func:`hummingbot_plugin.data.sanity.check_bars`: file, row, fix."""
    lines = []
    for flag in flags:
        where = f"row {flag.row}" + (f" (line {flag.row + line_offset})" if line_offset else "")
        lines.append(f"{source}: {where}: {flag.describe()} (fix: {flag.fix})")
    return lines


def _value_checks(values: dict[str, FloatArray]) -> list[tuple[BoolArray, str, str]]:
    """(bad-row mask, problem, fix) for every per-row check, in reporting order."""
    stacked = np.column_stack([values[name] for name in CANDLE_COLUMNS])
    prices = np.column_stack([values[name] for name in PRICE_COLUMNS])
    high, low = values["high"], values["low"]
    volume = values["volume"]
    body_top = np.maximum(values["open"], values["close"])
    body_bottom = np.minimum(values["open"], values["close"])
    checks: list[tuple[BoolArray, str, str]] = [
        (
            np.asarray(np.isnan(stacked).any(axis=1)),
            "missing value (NaN/empty cell)",
            "fill in or delete the incomplete row; gaps are allowed, half-empty bars are not",
        ),
        (np.asarray(np.isinf(stacked).any(axis=1)), "infinite value", "replace it with the real figure"),
        (
            np.asarray((prices <= 0).any(axis=1)),
            "price is zero or negative",
            "prices must be > 0: delete the corrupt row or restore it from the exchange",
        ),
        (np.asarray(volume < 0), "volume is negative", "volume must be >= 0: fix or delete the row"),
        (np.asarray(high < low), "high is below low", "swap or correct high/low; the row is corrupt"),
        (
            np.asarray((high < body_top) | (low > body_bottom)),
            "open/close lies outside the high-low range",
            "high must be >= max(open, close) and low <= min(open, close): correct the row",
        ),
    ]
    return checks


def _check_order(timestamps: FloatArray, source: str, line_offset: int) -> None:
    """Timestamps must be strictly increasing: report duplicates and disorder separately."""
    if timestamps.size < 2:
        return
    steps = np.diff(timestamps)
    duplicate = np.concatenate([[False], steps == 0])
    if duplicate.any():
        raise _row_error(
            source,
            duplicate,
            "duplicate timestamp (same bar twice)",
            "remove the duplicate rows (keep one bar per timestamp)",
            line_offset=line_offset,
        )
    backwards = np.concatenate([[False], steps < 0])
    if backwards.any():
        raise _row_error(
            source,
            backwards,
            "timestamp is earlier than the previous row (file not sorted)",
            "sort the file by timestamp ascending",
            line_offset=line_offset,
        )
