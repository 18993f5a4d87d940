"""Cost-aware target position (long/flat spot) from a quantile forecast of the ``h``-bar log return.

Per bar, from (q10, q50, q90) over the model's horizon:

* expected return ``mu = 0.3 q10 + 0.4 q50 + 0.3 q90`` (Pearson–Tukey three-point mean), spread
  ``sigma = (q90 - q10) / 2.5631`` (normal equivalent);
* ``cost`` = one round trip = 2 × (fee + half-spread + slippage), as a return;
* ``score = mu - cost``. Flat → long when ``score > enter_margin`` (``enter_margin >= 0``: never enter
  when the expected return does not pay its round trip); long → flat when ``score < exit_margin``
  (``exit_margin <= enter_margin``: hysteresis) and the position is at least ``min_hold_bars`` old;
* an optional ``gate`` (e.g. a trend filter) must be true to enter, and its falling closes the position
  (after the minimum holding time);
* size: ``fixed`` = cap; ``kelly`` = kelly_scale × mu / sigma² (fractional Kelly); ``vol_target`` =
  target annual volatility × sqrt(h / bars_per_year) / sigma; both capped to [0, cap]. A held position is
  resized only when its size moves by more than ``rebalance_band``;
* ``client`` mode: the client's formulas (``ml.signals.client_probabilities``): enter when
  ``p_long >= long_threshold`` and ``p_long > p_short``, exit when that stops holding.

A bar without a finite forecast opens nothing and closes nothing. :func:`decide` (all bars) and
:func:`step` (one bar, live) share the transition, so they give identical positions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.ml.signals import client_probabilities

__all__ = ["DecisionParams", "DecisionState", "Mode", "Sizing", "decide", "step", "trade_inputs"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
Z_80 = 2.5631031310892007  # q90 - q10 of a standard normal
MIN_SIGMA = 1e-6


class Mode(StrEnum):
    COST_AWARE = "cost_aware"
    CLIENT = "client"


class Sizing(StrEnum):
    FIXED = "fixed"
    KELLY = "kelly"
    VOL_TARGET = "vol_target"


@dataclass(frozen=True, slots=True)
class DecisionParams:
    """Settings of the decision (returns are fractions, e.g. 0.001 = 0.1 %)."""

    horizon_bars: int = 24
    mode: Mode = Mode.COST_AWARE
    fee: float = 0.001
    half_spread: float = 0.0001
    slippage: float = 0.0
    enter_margin: float = 0.0
    exit_margin: float = 0.0
    min_hold_bars: int = 24
    sizing: Sizing = Sizing.FIXED
    cap: float = 1.0
    kelly_scale: float = 0.5
    vol_target: float = 0.5
    rebalance_band: float = 0.25
    long_threshold: float = 0.55
    bars_per_year: float = 8760.0

    def __post_init__(self) -> None:
        problems = [
            (self.horizon_bars < 1, "horizon_bars must be >= 1"),
            (min(self.fee, self.half_spread, self.slippage) < 0, "fee, half_spread, slippage must be >= 0"),
            (self.enter_margin < 0, "enter_margin must be >= 0 (never enter below the round-trip cost)"),
            (self.exit_margin > self.enter_margin, "exit_margin must be <= enter_margin (hysteresis)"),
            (self.min_hold_bars < 0, "min_hold_bars must be >= 0"),
            (not 0.0 < self.cap <= 1.0, "cap must be in (0, 1] on spot"),
            (not 0.0 < self.long_threshold <= 1.0, "long_threshold must be in (0, 1]"),
        ]
        for bad, message in problems:
            if bad:
                raise ConfigError(f"decision settings: {message}", fix="correct the decision settings")

    @property
    def round_trip(self) -> float:
        return 2.0 * (self.fee + self.half_spread + self.slippage)


@dataclass(frozen=True, slots=True)
class DecisionState:
    """Position held (fraction of equity) and bars since it was opened."""

    position: float = 0.0
    held: int = 0


def _size(mu: FloatArray, sigma: FloatArray, params: DecisionParams) -> FloatArray:
    if params.sizing is Sizing.FIXED:
        raw = np.full_like(mu, params.cap)
    elif params.sizing is Sizing.KELLY:
        raw = params.kelly_scale * mu / sigma**2
    else:
        raw = params.vol_target * np.sqrt(params.horizon_bars / params.bars_per_year) / sigma
    return np.clip(np.nan_to_num(raw, nan=0.0), 0.0, params.cap)


def trade_inputs(
    q10: FloatArray, q50: FloatArray, q90: FloatArray, params: DecisionParams, gate: BoolArray | None = None
) -> tuple[BoolArray, BoolArray, FloatArray]:
    """Vectorised per-bar ``(enter, exit, size)`` flags; no state involved."""
    lo, mid, hi = (np.asarray(a, dtype=np.float64) for a in (q10, q50, q90))
    finite = np.isfinite(lo) & np.isfinite(mid) & np.isfinite(hi)
    allowed = np.ones(lo.shape, dtype=bool) if gate is None else np.asarray(gate, dtype=bool)
    mu = 0.3 * lo + 0.4 * mid + 0.3 * hi
    sigma = np.maximum((hi - lo) / Z_80, MIN_SIGMA)
    size = np.where(finite, _size(mu, np.nan_to_num(sigma, nan=1.0), params), 0.0)
    if params.mode is Mode.CLIENT:
        probs = client_probabilities(lo, mid, hi)
        signal = (probs[..., 2] >= params.long_threshold) & (probs[..., 2] > probs[..., 0])
        enter, leave = signal, ~signal
    else:
        score = mu - params.round_trip
        enter, leave = score > params.enter_margin, score < params.exit_margin
    enter = finite & allowed & enter & (size > 0.0)
    leave = finite & leave | ~allowed
    return enter, leave, size


def _transition(
    state: DecisionState, enter: bool, leave: bool, size: float, params: DecisionParams
) -> DecisionState:
    if state.position > 0.0:
        held = state.held + 1
        if leave and held >= params.min_hold_bars:
            return DecisionState(0.0, 0)
        if size > 0.0 and abs(size - state.position) > params.rebalance_band:
            return DecisionState(size, held)
        return DecisionState(state.position, held)
    if enter:
        return DecisionState(size, 0)
    return DecisionState(0.0, 0)


def decide(
    q10: FloatArray,
    q50: FloatArray,
    q90: FloatArray,
    params: DecisionParams,
    gate: BoolArray | None = None,
    state: DecisionState | None = None,
) -> tuple[FloatArray, DecisionState]:
    """Target position after each bar (all bars at once) and the state after the last bar."""
    enter, leave, size = trade_inputs(q10, q50, q90, params, gate)
    current = state or DecisionState()
    out = np.empty(enter.size, dtype=np.float64)
    for t, (e, lv, s) in enumerate(zip(enter.tolist(), leave.tolist(), size.tolist(), strict=True)):
        current = _transition(current, e, lv, s, params)
        out[t] = current.position
    return out, current


def step(
    state: DecisionState,
    q10: float,
    q50: float,
    q90: float,
    params: DecisionParams,
    gate: bool = True,
) -> DecisionState:
    """The state after one more closed bar (live use); equals :func:`decide` bar by bar."""
    enter, leave, size = trade_inputs(
        np.array([q10]), np.array([q50]), np.array([q90]), params, np.array([gate])
    )
    return _transition(state, bool(enter[0]), bool(leave[0]), float(size[0]), params)
