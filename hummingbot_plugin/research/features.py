"""Research features: the shipped causal features plus hours-to-months context (pandas + numpy).

Row ``t`` uses only candles ``<= t`` of every input, so a prefix of the history gives exactly the same
rows as the full history (tested in ``tests/test_research_features.py``). Windows count bars (1h bars:
2160 = 90 days); a missing bar (exchange outage) shortens a window's span by that bar.

* ``mom_k`` = ln(c_t / c_{t-k}); ``mom_z_k`` = mom_k / (rv_720 * sqrt(k)) (momentum in noise units).
* ``lrv_w`` = std (ddof=1) of one-bar log returns over ``w`` bars; ``vol_ratio`` = lrv_168 / lrv_2160.
* ``dist_high_w`` / ``dist_low_w`` = ln(c_t / max high) / ln(c_t / min low) over the last ``w`` bars.
* ``sma_gap_1200`` = ln(c_t / SMA_1200(c)) (50 days on 1h bars).
* ``volume_ratio_24_720`` = ln(mean volume over 24 bars / mean over 720 bars).
* Cross-asset (``x_`` prefix): a few of these columns computed on another market (e.g. BTC for ETH),
  joined on identical bar open times (NaN where that market has no bar), plus ``rel_mom_720``.
* Cross-venue: ``venue_premium`` = ln(close on the other venue / close here) at the same bar and its
  24-bar mean ``venue_premium_24`` (NaN where the other venue has no data).
* Daily (published values only, see ``ml.daily``): ``fear_greed``, ``fear_greed_chg_7d``,
  ``btc_dominance``, ``btc_dominance_chg_7d``, ``btc_dominance_chg_30d`` (NaN when not given).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hummingbot_plugin.ml.daily import DailyInputs, DailySeries
from hummingbot_plugin.ml.features import compute_features, validate_candles
from hummingbot_plugin.ml.spec import CANDLE_FEATURES, FeatureSet

__all__ = [
    "CORE_FEATURES",
    "CROSS_FEATURES",
    "FEATURE_NAMES",
    "LONG_WARMUP_BARS",
    "FeatureInputs",
    "long_features",
    "research_features",
]

MOM_LAGS = (24, 72, 168, 336, 720, 1200, 2160)
MOM_Z_LAGS = (168, 720, 2160)
VOL_WINDOWS = (168, 720, 2160)
EXTREME_WINDOWS = (720, 2160)
SMA_WINDOW = 1200
LONG_WARMUP_BARS = max(MOM_LAGS) + 1  # first row with every long feature defined

LONG_FEATURES: tuple[str, ...] = (
    *(f"mom_{k}" for k in MOM_LAGS),
    *(f"mom_z_{k}" for k in MOM_Z_LAGS),
    *(f"lrv_{w}" for w in VOL_WINDOWS),
    "vol_ratio",
    *(f"dist_high_{w}" for w in EXTREME_WINDOWS),
    *(f"dist_low_{w}" for w in EXTREME_WINDOWS),
    "sma_gap_1200",
    "volume_ratio_24_720",
)
CORE_FEATURES: tuple[str, ...] = (*CANDLE_FEATURES, *LONG_FEATURES)
_CROSS_SOURCE = ("mom_24", "mom_168", "mom_720", "lrv_168", "dist_high_720", "sma_gap_1200")
CROSS_FEATURES: tuple[str, ...] = (*(f"x_{n}" for n in _CROSS_SOURCE), "rel_mom_720")
VENUE_FEATURES: tuple[str, ...] = ("venue_premium", "venue_premium_24")
DAILY_FEATURES: tuple[str, ...] = (
    "fear_greed",
    "fear_greed_chg_7d",
    "btc_dominance",
    "btc_dominance_chg_7d",
    "btc_dominance_chg_30d",
)
FEATURE_NAMES: tuple[str, ...] = (*CORE_FEATURES, *CROSS_FEATURES, *VENUE_FEATURES, *DAILY_FEATURES)


@dataclass(frozen=True)
class FeatureInputs:
    """Optional inputs beside the market's own candles (each may be absent: its columns are NaN)."""

    cross: pd.DataFrame | None = None  # another market's candles (same interval)
    venue: pd.DataFrame | None = None  # the same market on another venue
    daily: DailyInputs = field(default_factory=DailyInputs)


def long_features(candles: pd.DataFrame) -> pd.DataFrame:
    """The ``LONG_FEATURES`` columns (float64, same index as ``candles``)."""
    close = candles["close"].astype(np.float64)
    log_close = np.log(close)
    r1 = log_close.diff()
    out = pd.DataFrame(index=candles.index)
    for k in MOM_LAGS:
        out[f"mom_{k}"] = log_close - log_close.shift(k)
    for w in VOL_WINDOWS:
        out[f"lrv_{w}"] = r1.rolling(w, min_periods=w).std(ddof=1)
    for k in MOM_Z_LAGS:
        out[f"mom_z_{k}"] = out[f"mom_{k}"] / (out["lrv_720"] * np.sqrt(k))
    out["vol_ratio"] = out["lrv_168"] / out["lrv_2160"]
    high, low = candles["high"].astype(np.float64), candles["low"].astype(np.float64)
    for w in EXTREME_WINDOWS:
        out[f"dist_high_{w}"] = log_close - np.log(high.rolling(w, min_periods=w).max())
        out[f"dist_low_{w}"] = log_close - np.log(low.rolling(w, min_periods=w).min())
    out["sma_gap_1200"] = log_close - np.log(close.rolling(SMA_WINDOW, min_periods=SMA_WINDOW).mean())
    volume = candles["volume"].astype(np.float64)
    short = volume.rolling(24, min_periods=24).mean()
    long = volume.rolling(720, min_periods=720).mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(short / long)
    out["volume_ratio_24_720"] = ratio.where(np.isfinite(ratio))
    return out.loc[:, list(LONG_FEATURES)].astype(np.float64)


def _aligned(stamps: pd.Series, other: pd.DataFrame, columns: pd.DataFrame) -> pd.DataFrame:
    """``columns`` (rows of ``other``) placed on the bars of ``stamps`` with the same open time."""
    keyed = columns.set_axis(other["timestamp"].to_numpy(np.float64))
    keyed = keyed[~keyed.index.duplicated(keep="last")]
    return keyed.reindex(stamps.to_numpy(np.float64)).set_axis(stamps.index)


def _cross(candles: pd.DataFrame, own: pd.DataFrame, cross: pd.DataFrame | None) -> pd.DataFrame:
    out = pd.DataFrame(np.nan, index=candles.index, columns=list(CROSS_FEATURES))
    if cross is None or cross.empty:
        return out
    validate_candles(cross)
    theirs = _aligned(candles["timestamp"], cross, long_features(cross)[list(_CROSS_SOURCE)])
    for name in _CROSS_SOURCE:
        out[f"x_{name}"] = theirs[name]
    out["rel_mom_720"] = own["mom_720"] - theirs["mom_720"]
    return out


def _venue(candles: pd.DataFrame, venue: pd.DataFrame | None) -> pd.DataFrame:
    out = pd.DataFrame(np.nan, index=candles.index, columns=list(VENUE_FEATURES))
    if venue is None or venue.empty:
        return out
    validate_candles(venue)
    their_close = _aligned(candles["timestamp"], venue, venue[["close"]].astype(np.float64))["close"]
    premium = np.log(their_close / candles["close"].astype(np.float64))
    out["venue_premium"] = premium
    out["venue_premium_24"] = premium.rolling(24, min_periods=24).mean()
    return out


def _daily(candles: pd.DataFrame, daily: DailyInputs) -> pd.DataFrame:
    bar_open = candles["timestamp"].to_numpy(np.float64).astype(np.int64)
    out = pd.DataFrame(np.nan, index=candles.index, columns=list(DAILY_FEATURES))

    def put(name: str, series: DailySeries | None, change_days: int = 0) -> None:
        if series is not None:
            chosen = series.change_over(change_days) if change_days else series
            out[name] = chosen.visible_at(bar_open)

    put("fear_greed", daily.fear_greed)
    put("fear_greed_chg_7d", daily.fear_greed, 7)
    put("btc_dominance", daily.dominance)
    put("btc_dominance_chg_7d", daily.dominance, 7)
    put("btc_dominance_chg_30d", daily.dominance, 30)
    return out


def research_features(candles: pd.DataFrame, inputs: FeatureInputs | None = None) -> pd.DataFrame:
    """Every research feature (columns ``FEATURE_NAMES``, float64, one row per candle)."""
    validate_candles(candles)
    given = inputs or FeatureInputs()
    base = compute_features(candles, FeatureSet())
    own = long_features(candles)
    parts = [base, own, _cross(candles, own, given.cross), _venue(candles, given.venue)]
    parts.append(_daily(candles, given.daily))
    frame = pd.concat(parts, axis=1)
    return frame.loc[:, list(FEATURE_NAMES)].astype(np.float64)
