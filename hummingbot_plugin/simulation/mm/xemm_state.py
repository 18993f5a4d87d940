"""Parameters, state and result types of the two-venue XEMM replay (:mod:`xemm_replay`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.mm import xemm
from hummingbot_plugin.simulation.engine.matching import MatchingEngine

__all__ = ["XEMMQuote", "XEMMReplayResult", "XEMMSimParams", "XEMMState"]


@dataclass(frozen=True)
class XEMMSimParams:
    """Strategy and venue-model parameters of a replay (fractions unless stated)."""

    levels: tuple[xemm.XEMMLevel, ...]
    min_profitability: float
    max_profitability_margin: float
    maker_fee: float
    taker_fee: float
    size_limits: xemm.SizeLimits
    taker_half_spread: float = 0.00005
    hedge_latency_s: float = 0.5
    latency_z: float = 1.0
    filled_order_delay: float = 60.0
    anti_hysteresis: float = 60.0
    max_order_age: float = 3600.0
    imbalance_limit: float = 0.8
    max_hedge_failures: int = 3
    hedge_failure_window_s: float = 3600.0
    vol_window: int = 30
    start_base_per_venue: float = 0.5
    start_quote_per_venue: float = 15_000.0
    repricing: str = "bar"

    def __post_init__(self) -> None:
        if self.repricing not in ("bar", "continuous"):
            raise ConfigError(f"repricing={self.repricing!r}", fix="use 'bar' or 'continuous'")

    @property
    def tx_cost(self) -> float:
        return self.maker_fee + self.taker_fee


@dataclass
class XEMMQuote:
    order_id: str
    level: xemm.XEMMLevel
    price: float
    expected_taker: float
    created_at: float
    executor_started: float
    mid: float
    active: bool = True
    filled: bool = False
    closed_at: float | None = None


@dataclass
class XEMMReplayResult:
    """Fill ledger over both venues (analytics columns + venue), mid path and hedge statistics."""

    fills: pd.DataFrame
    mids: pd.DataFrame
    n_orders: int
    hedge_slippage_quote: float
    hedge_failures: list[float] = field(default_factory=list)
    balances: dict[str, float] = field(default_factory=dict)


class XEMMState:
    def __init__(self, params: XEMMSimParams) -> None:
        self.p = params
        self.engine = MatchingEngine()
        self.quotes: dict[str, XEMMQuote] = {}
        self.last_closed: dict[str, XEMMQuote] = {}
        self.rows: list[tuple[float, int, float, float, float, float, str]] = []
        self.mids: list[tuple[float, float]] = []
        self.pending: list[tuple[float, int, float, float]] = []  # (quote mid, taker side, amount, expected)
        self.failures: list[float] = []
        self.bal = {
            "maker_base": params.start_base_per_venue,
            "maker_quote": params.start_quote_per_venue,
            "taker_base": params.start_base_per_venue,
            "taker_quote": params.start_quote_per_venue,
        }
        self.slippage = 0.0
        self.engine_amounts: dict[str, float] = {}
        self.n_orders = 0
        self.seq = 0

    def book(
        self, ts: float, side: int, price: float, amount: float, fee_rate: float, mid: float, venue: str
    ) -> None:
        fee = price * amount * fee_rate
        self.rows.append((ts, side, price, amount, fee, mid, venue))
        self.bal[f"{venue}_base"] += side * amount
        self.bal[f"{venue}_quote"] -= side * price * amount + fee

    def hedge(self, ts: float, side: int, amount: float, expected: float, price: float, mid: float) -> None:
        self.book(ts, side, price, amount, self.p.taker_fee, mid, "taker")
        self.slippage += float(side * (price - expected) * amount)
