"""Avellaneda–Stoikov / Guéant–Lehalle–Fernandez-Tapia (GLFT) optimal quoting, pure maths.

Units: prices are relative to the mid (a depth of 0.0001 is 1 bp), time in seconds, inventory ``q`` in
units of one order. Market orders reach depth ``δ`` at intensity ``λ(δ) = A·exp(−k·δ)`` (``A`` per s,
``k`` per unit of depth); ``σ`` is the mid's volatility per √s; ``γ`` the inventory aversion.

GLFT, infinite horizon (Guéant 2017, the "closed-form approximations" with ``ξ = γ``, ``Δ = 1``)::

    c1 = log(1 + γ/k) / γ
    c2 = sqrt(γ / (2·A·k) · (1 + γ/k)^(k/γ + 1))
    half_spread = c1 + σ·c2 / 2          skew = σ·c2
    reservation = mid · (1 − skew·q + forecast_skew)
    bid depth = max(floor, half_spread + skew·q)     ask depth = max(floor, half_spread − skew·q)

So the half-spread grows with σ, the reservation price moves against the inventory, and once the near
side sits on the ``floor`` (two maker fees + margin, never below zero) the far side keeps moving out: the
quoted spread never narrows as ``|q|`` grows. The quantile forecast is an optional shift of the
reservation price. ``A, k`` are fitted to the tape (:func:`fit_intensity`) and, with ``σ``, re-estimated
before each evaluation window from data strictly before it (:func:`rolling_estimates`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hummingbot_plugin.errors import ConfigError, DataError

__all__ = [
    "GLFTEstimate",
    "GLFTQuote",
    "candle_excursions",
    "estimate_at",
    "fit_intensity",
    "glft_coefficients",
    "glft_quote",
    "rolling_estimates",
    "tape_distances",
    "window_estimate",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class GLFTEstimate:
    """Market parameters valid from ``valid_from`` on, estimated from data before it."""

    valid_from: float
    sigma: float  # per √s, relative
    intensity_a: float  # market orders per s reaching depth 0
    intensity_k: float  # per unit of relative depth
    n_samples: int = 0


@dataclass(frozen=True)
class GLFTQuote:
    """Relative depths of the two quotes from the mid, and the reservation price."""

    reservation: float
    half_spread: float
    skew: float
    bid_depth: float
    ask_depth: float

    def prices(self, mid: float) -> tuple[float, float]:
        return mid * (1.0 - self.bid_depth), mid * (1.0 + self.ask_depth)


def glft_coefficients(gamma: float, intensity_a: float, intensity_k: float) -> tuple[float, float]:
    """``(c1, c2)`` of the GLFT approximation; ConfigError on non-positive inputs."""
    if not (gamma > 0 and intensity_a > 0 and intensity_k > 0):
        raise ConfigError(
            f"GLFT needs gamma, A, k > 0 (got {gamma}, {intensity_a}, {intensity_k})",
            fix="set gamma > 0 and estimate A, k from a tape with trades away from the mid",
        )
    ratio = gamma / intensity_k
    c1 = math.log1p(ratio) / gamma
    # (1 + r)^(1/r + 1) in logs: stable for tiny r (→ e)
    power = math.exp((1.0 / ratio + 1.0) * math.log1p(ratio))
    c2 = math.sqrt(gamma / (2.0 * intensity_a * intensity_k) * power)
    return c1, c2


def glft_quote(
    est: GLFTEstimate,
    gamma: float,
    inventory_units: float,
    *,
    floor: float = 0.0,
    forecast_skew: float = 0.0,
    spread_scale: float = 1.0,
) -> GLFTQuote:
    """Quote depths for inventory ``q`` (orders, long > 0); see the module docstring."""
    if not (est.sigma >= 0 and math.isfinite(est.sigma)):
        raise DataError(f"volatility {est.sigma} is not a finite number >= 0", fix="estimate it from mids")
    c1, c2 = glft_coefficients(gamma, est.intensity_a, est.intensity_k)
    half = spread_scale * (c1 + est.sigma * c2 / 2.0)
    skew = est.sigma * c2
    shift = skew * inventory_units - forecast_skew
    return GLFTQuote(
        reservation=1.0 - shift,
        half_spread=half,
        skew=skew,
        bid_depth=max(floor, half + shift),
        ask_depth=max(floor, half - shift),
    )


def fit_intensity(distances: FloatArray, duration_s: float, grid: FloatArray) -> tuple[float, float]:
    """Least-squares fit of ``log λ(δ) = log A − k·δ`` on ``grid`` depths.

    ``distances``: how deep each market order went (relative to the mid before it); ``λ(δ)`` is the
    number that went at least ``δ`` deep per second. Depths reached by fewer than 2 orders are left out.
    """
    dist = np.sort(np.asarray(distances, dtype=np.float64))
    if duration_s <= 0 or dist.size == 0:
        raise DataError("no trades to fit the arrival intensity on", fix="use a window with trades")
    counts = dist.size - np.searchsorted(dist, grid, side="left")
    keep = counts >= 2
    if int(keep.sum()) < 2:
        raise DataError(
            f"only {int(keep.sum())} depth level(s) with trades: cannot fit A and k",
            fix="use a longer estimation window or a finer depth grid",
        )
    slope, intercept = np.polyfit(grid[keep], np.log(counts[keep] / duration_s), 1)
    return float(math.exp(intercept)), float(max(-slope, 1e-9))


def tape_distances(
    trade_times: FloatArray, trade_prices: FloatArray, mid_times: FloatArray, mids: FloatArray
) -> FloatArray:
    """Relative depth of each trade from the last mid strictly before it (NaN before the first mid)."""
    index = np.searchsorted(mid_times, trade_times, side="left") - 1
    ref = np.where(index >= 0, mids[np.clip(index, 0, None)], np.nan)
    return np.asarray(np.abs(trade_prices / ref - 1.0), dtype=np.float64)


def candle_excursions(opens: FloatArray, highs: FloatArray, lows: FloatArray) -> FloatArray:
    """Candle stand-in for the tape: each bar's excursion above and below its open, as depths."""
    return np.concatenate([highs / opens - 1.0, 1.0 - lows / opens]).astype(np.float64)


def window_estimate(
    valid_from: float,
    mid_t: FloatArray,
    mids: FloatArray,
    dist_t: FloatArray,
    dist: FloatArray,
    lookback_s: float,
    grid: FloatArray,
    sides: int,
) -> GLFTEstimate | None:
    """σ, A, k from data in ``[valid_from − lookback_s, valid_from)``; None when too little data."""
    lo = valid_from - lookback_s
    m = (mid_t >= lo) & (mid_t < valid_from)
    d = (dist_t >= lo) & (dist_t < valid_from) & np.isfinite(dist)
    if int(m.sum()) < 3 or int(d.sum()) < 4:
        return None
    t, x = mid_t[m], np.log(mids[m])
    sigma = float(np.sqrt(np.sum(np.diff(x) ** 2) / max(t[-1] - t[0], 1e-9)))
    try:
        a, k = fit_intensity(dist[d], lookback_s * sides, grid)
    except DataError:
        return None
    return GLFTEstimate(valid_from, sigma, a, k, int(d.sum()))


def rolling_estimates(
    mid_times: FloatArray,
    mids: FloatArray,
    dist_times: FloatArray,
    distances: FloatArray,
    *,
    lookback_s: float,
    step_s: float,
    grid: FloatArray,
    sides: int = 2,
) -> list[GLFTEstimate]:
    """One estimate per evaluation window ``[t, t + step_s)``, from data in ``[t − lookback_s, t)`` only.

    ``sides=2`` when ``distances`` pools both sides (each side's intensity is half the pooled count).
    Windows whose lookback holds too little data get no estimate (the quoter does not quote there).
    """
    if lookback_s <= 0 or step_s <= 0:
        raise ConfigError("lookback_s and step_s must be > 0", fix="pass positive window lengths")
    if mid_times.size == 0:
        return []
    out: list[GLFTEstimate] = []
    t = float(mid_times[0]) + lookback_s
    while t <= float(mid_times[-1]):
        est = window_estimate(t, mid_times, mids, dist_times, distances, lookback_s, grid, sides)
        if est is not None:
            out.append(est)
        t += step_s
    return out


def estimate_at(estimates: list[GLFTEstimate], now: float, step_s: float) -> GLFTEstimate | None:
    """The estimate of the window holding ``now`` (None when that window has none)."""
    starts = [e.valid_from for e in estimates]
    i = int(np.searchsorted(starts, now, side="right")) - 1
    if i < 0 or now >= estimates[i].valid_from + step_s:
        return None
    return estimates[i]
