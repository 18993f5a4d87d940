"""The versioned, ordered feature specification shared by training, artifacts and live inference.

Row ``t`` of every feature uses only candles ``<= t`` (bar ``t`` is closed when its features are computed).
Definitions (``c`` close, ``h`` high, ``l`` low, ``v`` volume, ``r1`` = one-bar log return):

* ``ret_k`` = ln(c_t / c_{t-k}) for k in RETURN_LAGS.
* ``rv_w`` = sample std (ddof=1) of the last ``w`` values of ``r1`` (realised volatility per bar).
* ``parkinson_24`` = sqrt(mean over 24 bars of ln(h/l)^2 / (4 ln 2)) (range-based volatility).
* ``natr_14``, ``rsi_14`` (pandas-ta, pure-pandas mode), ``macd_hist`` = pandas-ta MACD(12,26,9) histogram
  divided by ``c_t`` (scale-free), ``bb_pct_b`` and ``bb_width`` = Bollinger %B and bandwidth (20, 2),
  same definition as pandas-ta ``bbands`` (computed with pandas rolling windows, see features).
* ``volume_z_w`` = z-score of ln(1 + v_t) within its last ``w`` bars (0 when the window is constant).
* ``vol_scaled`` = (rv_24 - P05) / (P95 - P05), where P05/P95 are the 5th/95th percentiles of rv_24 over
  the last REGIME_LOOKBACK bars (linear interpolation), clipped to [0, 3]: 0 = as calm as the calm end of
  the last 30 days, 1 = as volatile as its volatile end, > 1 = beyond it. 0 if P95 == P05.
* ``vol_regime`` = ordinal 0/1/2/3 = low/medium/high/extreme for vol_scaled < 0.1 / < 0.3 / < 0.6 / >= 0.6.
* ``signal_rel`` = (|ret_24| - M) / M where M is the median of |ret_24| over the last REGIME_LOOKBACK bars,
  clipped to [-1, 10]: the strength of the current 24-bar move relative to a typical one (negative =
  weaker than usual). 0 if M == 0.
* ``vol_scaled_sq`` = vol_scaled², ``signal_rel_cubed`` = signal_rel³.
* ``hour_sin``/``hour_cos`` = position of the bar's open time in the UTC day.
* Optional daily inputs, joined so that a day's value is visible only from the bar whose OPEN time is
  >= day start + 86400 (the day has closed): ``fear_greed`` (0-100), ``extreme_fear`` (fg < 20),
  ``extreme_greed`` (fg > 80), ``vol_fear_interaction`` = vol_scaled * extreme_fear,
  ``vol_greed_interaction`` = vol_scaled * extreme_greed; ``btc_dominance`` (percent) and
  ``btc_dominance_chg_7d`` (points versus 7 days earlier). A daily value older than DAILY_MAX_AGE_DAYS
  when the bar opens is treated as missing.

Bump FEATURE_SPEC_VERSION whenever a definition, window or order changes: models record it and refuse to
load under a different one.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BB_LENGTH",
    "BB_STD",
    "CANDLE_FEATURES",
    "DAILY_MAX_AGE_DAYS",
    "DOMINANCE_FEATURES",
    "FEAR_GREED_FEATURES",
    "FEATURE_SPEC_VERSION",
    "GAP_GUARD_BARS",
    "LIVE_WINDOW",
    "MACD_FAST",
    "MACD_SIGNAL",
    "MACD_SLOW",
    "NATR_LENGTH",
    "QUANTILE_COLUMNS",
    "REGIME_LOOKBACK",
    "RETURN_LAGS",
    "RSI_LENGTH",
    "RV_WINDOWS",
    "VOLUME_Z_WINDOWS",
    "WARMUP_BARS",
    "FeatureSet",
]

FEATURE_SPEC_VERSION = "1"
# The quantile forecast columns of every prediction frame (the column contract; see PREDICTION_COLUMNS).
QUANTILE_COLUMNS = ("q10", "q50", "q90")

RETURN_LAGS = (1, 4, 12, 24, 72, 168)
RV_WINDOWS = (24, 168)
PARKINSON_WINDOW = 24
NATR_LENGTH = 14
RSI_LENGTH = 14
MACD_FAST, MACD_SLOW, MACD_SIGNAL = 12, 26, 9
BB_LENGTH, BB_STD = 20, 2.0
VOLUME_Z_WINDOWS = (24, 168)
REGIME_LOOKBACK = 720
SIGNAL_LAG = 24
VOL_REGIME_EDGES = (0.1, 0.3, 0.6)
VOL_SCALED_MAX = 3.0
SIGNAL_REL_MIN, SIGNAL_REL_MAX = -1.0, 10.0
DAILY_MAX_AGE_DAYS = 3

# First row index at which every candle feature is defined (rv_24 needs 24 returns, then 720 of them).
WARMUP_BARS = RV_WINDOWS[0] + REGIME_LOOKBACK - 1
# Live inference uses exactly this many newest bars. Exponential indicators (RSI, NATR, MACD) then carry
# less than 1e-30 relative weight from before the window, so they equal the full-history values.
LIVE_WINDOW = 1000
# A row whose last GAP_GUARD_BARS bars contain a missing bar gets no prediction (reason "gap").
GAP_GUARD_BARS = 24

CANDLE_FEATURES: tuple[str, ...] = (
    *(f"ret_{k}" for k in RETURN_LAGS),
    *(f"rv_{w}" for w in RV_WINDOWS),
    "parkinson_24",
    "natr_14",
    "rsi_14",
    "macd_hist",
    "bb_pct_b",
    "bb_width",
    *(f"volume_z_{w}" for w in VOLUME_Z_WINDOWS),
    "vol_scaled",
    "vol_regime",
    "vol_scaled_sq",
    "signal_rel",
    "signal_rel_cubed",
    "hour_sin",
    "hour_cos",
)
FEAR_GREED_FEATURES: tuple[str, ...] = (
    "fear_greed",
    "extreme_fear",
    "extreme_greed",
    "vol_fear_interaction",
    "vol_greed_interaction",
)
DOMINANCE_FEATURES: tuple[str, ...] = ("btc_dominance", "btc_dominance_chg_7d")


@dataclass(frozen=True, slots=True)
class FeatureSet:
    """Which optional daily inputs a model uses; ``names`` is the ordered feature list."""

    fear_greed: bool = False
    dominance: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        extra_fg = FEAR_GREED_FEATURES if self.fear_greed else ()
        extra_dom = DOMINANCE_FEATURES if self.dominance else ()
        return (*CANDLE_FEATURES, *extra_fg, *extra_dom)

    @classmethod
    def from_names(cls, names: tuple[str, ...] | list[str]) -> FeatureSet:
        """The feature set whose ``names`` equal ``names`` (ValueError if none does)."""
        for candidate in (cls(), cls(True, False), cls(False, True), cls(True, True)):
            if candidate.names == tuple(names):
                return candidate
        raise ValueError("feature list does not match any feature set of this spec version")
