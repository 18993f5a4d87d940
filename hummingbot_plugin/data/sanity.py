"""Candle sanity: is each bar plausible, judged only by itself and the bars before it (causal).

One pure function, :func:`check_bars`, shared by the live controller (a flagged bar gives signal 0),
``data check`` (flagged bars listed with file, line and fix) and the offline backtest (flagged bars
are quarantined: never priced, never signalled). Checks, per bar:

* ``ohlc``: finite, prices > 0, volume >= 0, low <= min(open, close), max(open, close) <= high;
* ``volume``: zero volume while the price moved (high > low);
* ``return``: ``|log(close / reference)|`` above ``max(return_multiple × vol × √bars, return_floor)``,
  where ``vol`` is the median absolute close-to-close log return of the previous ``vol_window``
  bars and ``√bars`` scales it over missing bars;
* ``range``: ``log(high / low)`` (a wick) above ``max(range_multiple × median range, range_floor)``;
* ``gap``: ``|log(open / reference)|`` above ``gap_limit × √bars``.

``reference`` is both the previous bar's close and the close of the last bar NOT flagged: a bar is an
outlier only if it is one against both, so one corrupt bar does not condemn the next, and a real
level shift flags at most the bar that made it. Flags of a prefix equal the prefix of the flags.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt
import pandas as pd

from hummingbot_plugin.errors import ConfigError

__all__ = ["DEFAULT_LIMITS", "BarFlag", "SanityLimits", "check_bars", "flagged_mask"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

FIXES: dict[str, str] = {
    "ohlc": "the row is corrupt: restore it from the exchange or delete it",
    "volume": "a bar cannot move without trades: restore the row from the exchange or delete it",
    "return": "compare the close with another venue; restore or delete the row if it is a bad print",
    "range": "compare high/low with another venue; restore or delete the row if the wick is a bad print",
    "gap": "the open is far from the previous close: restore the row or the missing bars before it",
}


@dataclass(frozen=True, slots=True)
class SanityLimits:
    """Thresholds (log-return units). The defaults flag none of the shipped 1h/5m bars of 2018-2023
    (March 2020, May 2021, the FTX week included) and do flag a 50 % one-bar crash or spike."""

    vol_window: int = 168
    min_history: int = 24
    return_multiple: float = 40.0
    return_floor: float = 0.30
    range_multiple: float = 40.0
    range_floor: float = 0.50
    gap_limit: float = 0.10

    def __post_init__(self) -> None:
        if not 1 <= self.min_history <= self.vol_window:
            raise ConfigError(
                f"sanity limits: min_history {self.min_history} not in [1, vol_window {self.vol_window}]",
                fix="use 1 <= min_history <= vol_window",
            )
        values = (self.return_multiple, self.return_floor, self.range_multiple, self.range_floor)
        if not min(*values, self.gap_limit) > 0:
            raise ConfigError(
                "sanity limits: every multiple, floor and limit must be > 0", fix="pass positive thresholds"
            )


DEFAULT_LIMITS = SanityLimits()


@dataclass(frozen=True, slots=True)
class BarFlag:
    """One flagged bar: its 0-based row, open time, which check failed, the figures, and the fix."""

    row: int
    timestamp: float
    check: str
    detail: str

    @property
    def fix(self) -> str:
        return FIXES[self.check]

    def describe(self) -> str:
        when = datetime.fromtimestamp(self.timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M")
        return f"{when} UTC: {self.check}: {self.detail}"


@dataclass(frozen=True, slots=True)
class _Bars:
    t: FloatArray
    o: FloatArray
    h: FloatArray
    low: FloatArray
    c: FloatArray
    v: FloatArray

    @classmethod
    def of(cls, df: pd.DataFrame) -> _Bars:
        cols = ("timestamp", "open", "high", "low", "close", "volume")
        return cls(*(df[name].to_numpy(dtype="float64", copy=True) for name in cols))


def _log_ratio(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.log(a / b), dtype="float64")


def _static(bars: _Bars) -> tuple[BoolArray, BoolArray]:
    """(ohlc, volume) masks: checks that need the bar alone."""
    stacked = np.column_stack([bars.o, bars.h, bars.low, bars.c, bars.v])
    with np.errstate(invalid="ignore"):
        ohlc = ~np.isfinite(stacked).all(axis=1) | (stacked[:, :4] <= 0).any(axis=1) | (bars.v < 0)
        ohlc |= (bars.low > np.minimum(bars.o, bars.c)) | (bars.h < np.maximum(bars.o, bars.c))
        ohlc |= bars.h < bars.low
        volume = ~ohlc & (bars.v == 0) & (bars.h > bars.low)
    return np.asarray(ohlc), np.asarray(volume)


def _past_median(values: FloatArray, limits: SanityLimits) -> FloatArray:
    """Median of the previous ``vol_window`` values (the current one excluded); NaN during warm-up."""
    rolling = pd.Series(values).rolling(limits.vol_window, min_periods=limits.min_history).median()
    return np.asarray(rolling.shift(1).to_numpy(dtype="float64"))


def _return_threshold(vol: FloatArray, bars_apart: FloatArray, limits: SanityLimits) -> FloatArray:
    scaled = limits.return_multiple * np.nan_to_num(vol, nan=0.0) * np.sqrt(bars_apart)
    return np.asarray(np.maximum(scaled, limits.return_floor))


def _exceeds(dev: FloatArray, limit: FloatArray) -> BoolArray:
    """``|dev| > limit``, with a non-finite deviation counted as exceeding."""
    with np.errstate(invalid="ignore"):
        return np.asarray(~(np.abs(dev) <= limit))


def check_bars(df: pd.DataFrame, interval_s: int, limits: SanityLimits = DEFAULT_LIMITS) -> list[BarFlag]:
    """Every implausible bar of ``df`` (columns timestamp, open, high, low, close, volume), in order."""
    bars = _Bars.of(df)
    n = len(bars.t)
    if n == 0:
        return []
    ohlc, volume = _static(bars)
    flags: dict[int, BarFlag] = {}
    for row in np.flatnonzero(ohlc):
        flags[int(row)] = _flag(bars, int(row), "ohlc", _ohlc_detail(bars, int(row)))
    for row in np.flatnonzero(volume):
        detail = f"volume 0 but high {bars.h[row]:g} > low {bars.low[row]:g}"
        flags[int(row)] = _flag(bars, int(row), "volume", detail)
    rng = np.where(ohlc, np.nan, _log_ratio(bars.h, bars.low))
    typical = np.nan_to_num(_past_median(rng, limits))
    range_limit = np.maximum(limits.range_multiple * typical, limits.range_floor)
    for row in np.flatnonzero(_exceeds(rng, range_limit) & ~ohlc & ~volume):
        detail = f"log(high/low) = {rng[row]:.3f} > {range_limit[row]:.3f}"
        flags[int(row)] = _flag(bars, int(row), "range", detail)
    _check_moves(bars, interval_s, limits, ohlc, flags)
    return [flags[row] for row in sorted(flags)]


def flagged_mask(df: pd.DataFrame, interval_s: int, limits: SanityLimits = DEFAULT_LIMITS) -> BoolArray:
    """Boolean mask over the rows of ``df``: True where :func:`check_bars` flags the bar."""
    mask = np.zeros(len(df), dtype=bool)
    for flag in check_bars(df, interval_s, limits):
        mask[flag.row] = True
    return mask


def _check_moves(
    bars: _Bars, interval_s: int, limits: SanityLimits, ohlc: BoolArray, flags: dict[int, BarFlag]
) -> None:
    """Return and gap checks against both the previous close and the last unflagged close."""
    closes = np.where(ohlc, np.nan, bars.c)
    prev_close = np.concatenate([[np.nan], bars.c[:-1]])
    vol = _past_median(np.abs(_log_ratio(closes, np.concatenate([[np.nan], closes[:-1]]))), limits)
    apart = np.maximum(np.diff(bars.t, prepend=bars.t[0] - interval_s) / interval_s, 1.0)
    suspects = _exceeds(_log_ratio(bars.c, prev_close), _return_threshold(vol, apart, limits))
    suspects |= _exceeds(_log_ratio(bars.o, prev_close), limits.gap_limit * np.sqrt(apart))
    suspects[0] = False
    for row in (int(r) for r in np.flatnonzero(suspects & ~ohlc)):
        ref = _last_sane(row, flags)
        if ref is None or (row in flags and flags[row].check != "range"):
            continue  # a move outranks a wick: a crashed close also stretches the bar's range
        ref_apart = np.array([max((bars.t[row] - bars.t[ref]) / interval_s, 1.0)])
        limit = _Limits(
            float(_return_threshold(vol[row : row + 1], ref_apart, limits)[0]),
            float(limits.gap_limit * np.sqrt(ref_apart[0])),
        )
        flag = _move_flag(bars, row, ref, limit)
        if flag is not None:
            flags[row] = flag


@dataclass(frozen=True, slots=True)
class _Limits:
    ret: float
    gap: float


def _last_sane(row: int, flags: dict[int, BarFlag]) -> int | None:
    ref = row - 1
    while ref >= 0 and ref in flags:
        ref -= 1
    return ref if ref >= 0 else None


def _move_flag(bars: _Bars, row: int, ref: int, limit: _Limits) -> BarFlag | None:
    """A flag when the bar is an outlier against both the previous close and the reference close."""
    refs = np.array([bars.c[row - 1], bars.c[ref]])
    ret = _log_ratio(np.full(2, bars.c[row]), refs)
    gap = _log_ratio(np.full(2, bars.o[row]), refs)
    if _exceeds(ret, np.full(2, limit.ret)).all():
        detail = f"log return {ret[1]:+.3f} from the close {refs[1]:g} (limit {limit.ret:.3f})"
        return _flag(bars, row, "return", detail)
    if _exceeds(gap, np.full(2, limit.gap)).all():
        detail = f"open {bars.o[row]:g} is {gap[1]:+.3f} (log) from the close {refs[1]:g}"
        detail += f" (limit {limit.gap:.3f})"
        return _flag(bars, row, "gap", detail)
    return None


def _flag(bars: _Bars, row: int, check: str, detail: str) -> BarFlag:
    return BarFlag(row=row, timestamp=float(bars.t[row]), check=check, detail=detail)


def _ohlc_detail(bars: _Bars, row: int) -> str:
    o, h, low, c, v = (float(a[row]) for a in (bars.o, bars.h, bars.low, bars.c, bars.v))
    return f"open {o:g} high {h:g} low {low:g} close {c:g} volume {v:g} is not a consistent bar"
