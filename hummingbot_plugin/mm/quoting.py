"""Quoting maths for forecast-aware market making, vectorised over bars and levels.

Everything here is causal: the value at bar ``t`` uses bars ``<= t`` only, so features computed
on a prefix of the history equal the same rows computed on the full history (tested).

Prices: ``reference = mid * (1 + forecast_skew)``; a level's half-spread is
``max(fee_floor, spread_i * spread_multiplier)``; a bid never sits above ``mid * (1 - fee_floor)`` and an
ask never below ``mid * (1 + fee_floor)``,
so every fill leaves room for two maker fees plus the margin whatever the skew (never below zero: with a
maker rebate, a quote may rest at the mid but never through it).
Both sides are anchored to ``min/max(skewed reference, mid)``: a quote is never closer than the floor to
the mid nor to the (inventory-skewed) reference price.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import numpy as np
import numpy.typing as npt
import pandas as pd

from hummingbot_plugin.errors import ConfigError, DataError
from hummingbot_plugin.fees import MIN_MAKER_FEE
from hummingbot_plugin.ml.spec import QUANTILE_COLUMNS
from hummingbot_plugin.mm.params import pmm_default

__all__ = [
    "FloatArray",
    "QuotingParams",
    "fee_floor",
    "inventory_deviation",
    "per_bar_features",
    "price_band_mask",
    "quote_ladder",
    "realised_volatility",
    "round_price",
    "round_size",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class QuotingParams:
    """Parameters of the per-bar quoting features, derived from a PMMParams (``pmm_logic.quoting_params``).

    Defaults are PMMParams' own (declared once in :mod:`hummingbot_plugin.mm.params`).
    """

    base_spread: float
    maker_fee: float
    min_profit_margin: float
    volatility_window: int = pmm_default("volatility_window")
    volatility_factor: float = pmm_default("volatility_factor")
    interval_width_factor: float = pmm_default("interval_width_factor")
    forecast_skew_weight: float = pmm_default("forecast_skew_weight")
    max_forecast_skew: float = pmm_default("max_forecast_skew")
    min_spread_multiplier: float = pmm_default("min_spread_multiplier")
    max_spread_multiplier: float = pmm_default("max_spread_multiplier")

    def __post_init__(self) -> None:
        checks = {
            "base_spread": self.base_spread > 0,
            "maker_fee": self.maker_fee >= float(MIN_MAKER_FEE),
            "min_profit_margin": self.min_profit_margin >= 0,
            "volatility_window": self.volatility_window >= 2,
            "volatility_factor": self.volatility_factor >= 0,
            "interval_width_factor": self.interval_width_factor >= 0,
            "forecast_skew_weight": self.forecast_skew_weight >= 0,
            "max_forecast_skew": self.max_forecast_skew >= 0,
            "min_spread_multiplier": 0 < self.min_spread_multiplier <= self.max_spread_multiplier,
        }
        for name, ok in checks.items():
            if not ok:
                raise ConfigError(
                    f"quoting parameter {name}={getattr(self, name)!r} is out of range",
                    fix=f"set {name} to a non-negative value (multipliers: 0 < min <= max)",
                )

    @property
    def floor(self) -> float:
        """Minimum distance of any quote from mid and reference (fraction)."""
        return fee_floor(self.maker_fee, self.min_profit_margin)


def fee_floor(maker_fee: float, min_profit_margin: float) -> float:
    """The smallest allowed half-spread: a round trip pays two maker fees, plus the margin (>= 0)."""
    return max(0.0, 2.0 * maker_fee + min_profit_margin)


def round_price(price: float | Decimal, tick: Decimal, side: str) -> Decimal:
    """A quote on the venue's price grid, never more aggressive than asked: bids down, asks up."""
    if tick <= 0:
        raise ConfigError(f"price tick {tick} must be > 0", fix="use the venue's min_price_increment")
    mode = ROUND_FLOOR if side == "buy" else ROUND_CEILING
    return (Decimal(repr(float(price))) / tick).to_integral_value(rounding=mode) * tick


def round_size(amount: float | Decimal, step: Decimal) -> Decimal:
    """A base size on the venue's lot grid (rounded down: never more than the budget allows)."""
    if step <= 0:
        raise ConfigError(f"size step {step} must be > 0", fix="use the venue's min_base_amount_increment")
    return (Decimal(repr(float(amount))) / step).to_integral_value(rounding=ROUND_FLOOR) * step


def realised_volatility(close: FloatArray, window: int) -> FloatArray:
    """Rolling standard deviation of log returns over ``window`` returns (NaN during warm-up).

    Causal: the value at ``t`` uses closes ``t - window .. t``.
    """
    close = np.asarray(close, dtype=np.float64)
    log_ret = np.diff(np.log(close), prepend=np.nan)
    vol: FloatArray = pd.Series(log_ret).rolling(window, min_periods=window).std(ddof=1).to_numpy(np.float64)
    return vol


def _forecast_arrays(timestamps: FloatArray, forecast: pd.DataFrame | None) -> tuple[FloatArray, FloatArray]:
    """(median skew, interval width) per bar; zeros when no forecast is available.

    The forecast row for a bar must carry the bar's timestamp (made from data up to that bar's close).
    """
    n = len(timestamps)
    if forecast is None or forecast.empty:
        return np.zeros(n), np.zeros(n)
    missing = [c for c in ("timestamp", *QUANTILE_COLUMNS) if c not in forecast.columns]
    if missing:
        raise DataError(
            f"forecast frame lacks columns {missing}",
            fix="pass a frame with timestamp, q10, q50, q90 (fractional returns)",
        )
    aligned = forecast.set_index("timestamp").reindex(timestamps)
    q10, q50, q90 = (aligned[c].to_numpy(dtype=np.float64) for c in QUANTILE_COLUMNS)
    width = np.maximum(q90 - q10, 0.0)
    # A bar without a forecast quotes without forecast skew (volatility-only), never with a stale one.
    return np.nan_to_num(q50, nan=0.0), np.nan_to_num(width, nan=0.0)


def per_bar_features(
    candles: pd.DataFrame, params: QuotingParams, forecast: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Causal per-bar features: reference_price and spread_multiplier for every bar.

    ``candles`` needs ``timestamp`` and ``close``; ``forecast`` (optional) ``timestamp, q10, q50, q90``.
    Warm-up rows (not enough bars for volatility) carry NaN and must not be quoted.
    """
    if "close" not in candles.columns or "timestamp" not in candles.columns:
        raise DataError("candles need timestamp and close columns", fix="load them with load_candles()")
    ts = candles["timestamp"].to_numpy(dtype=np.float64)
    mid = candles["close"].to_numpy(dtype=np.float64)
    vol = realised_volatility(mid, params.volatility_window)
    q50, width = _forecast_arrays(ts, forecast)
    skew = np.clip(params.forecast_skew_weight * q50, -params.max_forecast_skew, params.max_forecast_skew)
    risk_half_width = np.maximum(params.volatility_factor * vol, params.interval_width_factor * width / 2.0)
    multiplier = np.clip(
        risk_half_width / params.base_spread, params.min_spread_multiplier, params.max_spread_multiplier
    )
    multiplier = np.where(np.isnan(vol), np.nan, multiplier)
    return pd.DataFrame(
        {
            "timestamp": ts,
            "mid": mid,
            "volatility": vol,
            "interval_width": width,
            "forecast_skew": skew,
            "reference_price": mid * (1.0 + skew),
            "spread_multiplier": multiplier,
        }
    )


def inventory_deviation(
    inventory_value: FloatArray | float, budget: float, target_pct: float, range_pct: float
) -> FloatArray:
    """Signed deviation from the inventory target in units of the tolerated range, clipped to [-1, 1].

    +1 means at or beyond the long limit, -1 at or beyond the short limit.
    """
    if budget <= 0 or range_pct <= 0:
        raise ConfigError(
            "inventory budget and range must be positive",
            fix="set total_amount_quote > 0 and inventory_range_pct > 0",
        )
    share = np.asarray(inventory_value, dtype=np.float64) / budget
    return np.clip((share - target_pct) / range_pct, -1.0, 1.0)


def quote_ladder(
    mid: FloatArray | float,
    reference: FloatArray | float,
    spread_multiplier: FloatArray | float,
    spreads: tuple[float, ...],
    floor: float,
    inventory_dev: FloatArray | float = 0.0,
    inventory_skew: float = 0.0,
    side: str = "buy",
) -> FloatArray:
    """Quote prices, shape ``(bars, levels)``, for one side.

    Inventory skew shifts the whole ladder by ``-inventory_skew * deviation * first half-spread``
    (long inventory lowers both sides so asks fill sooner and bids later).
    """
    if side not in ("buy", "sell"):
        raise ConfigError(f"side must be 'buy' or 'sell', got {side!r}", fix="pass side='buy' or 'sell'")
    mid_a = np.atleast_1d(np.asarray(mid, dtype=np.float64))[:, None]
    ref = np.atleast_1d(np.asarray(reference, dtype=np.float64))[:, None]
    mult = np.atleast_1d(np.asarray(spread_multiplier, dtype=np.float64))[:, None]
    dev = np.atleast_1d(np.asarray(inventory_dev, dtype=np.float64))[:, None]
    half = np.maximum(np.asarray(spreads, dtype=np.float64)[None, :] * mult, floor)
    shifted_ref = ref * (1.0 - inventory_skew * dev * half[:, :1])
    if side == "buy":
        anchor = np.minimum(shifted_ref, mid_a) * (1.0 - floor)
        return np.asarray(np.minimum(shifted_ref * (1.0 - half), anchor), dtype=np.float64)
    anchor = np.maximum(shifted_ref, mid_a) * (1.0 + floor)
    return np.asarray(np.maximum(shifted_ref * (1.0 + half), anchor), dtype=np.float64)


def price_band_mask(
    prices: FloatArray, side: str, price_ceiling: float | None, price_floor: float | None
) -> npt.NDArray[np.bool_]:
    """True where a quote is allowed: no bid above the ceiling, no ask below the floor."""
    allowed = np.ones_like(prices, dtype=bool)
    if side == "buy" and price_ceiling is not None:
        allowed &= prices <= price_ceiling
    if side == "sell" and price_floor is not None:
        allowed &= prices >= price_floor
    return allowed
