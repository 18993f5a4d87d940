"""Value types of the ledger: a market, a fill, the marks it is valued at, a closed trade."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from hummingbot_plugin.errors import DataError

__all__ = ["BoolArray", "Fill", "FloatArray", "Market", "Marks", "Trade"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True, order=True)
class Market:
    """One trading pair on one venue, e.g. ``Market("binance", "BTC-USDT")``."""

    venue: str
    trading_pair: str

    @property
    def base(self) -> str:
        return self.trading_pair.split("-", 1)[0]

    @property
    def quote(self) -> str:
        return self.trading_pair.split("-", 1)[1]

    @property
    def label(self) -> str:
        return f"{self.venue} {self.trading_pair}"


@dataclass(frozen=True, slots=True)
class Fill:
    """One executed fill. ``side`` +1 buys base, −1 sells it; ``fee_quote`` < 0 is a rebate received."""

    timestamp: float
    market: Market
    side: int
    price: float
    amount: float
    fee_quote: float
    is_maker: bool = False
    order_id: str = ""
    executor_id: str = ""

    def __post_init__(self) -> None:
        if self.side not in (1, -1):
            raise DataError(f"fill {self.order_id!r}: side {self.side} is not +1 or -1", fix="report buys +1")
        finite = all(math.isfinite(v) for v in (self.timestamp, self.price, self.amount, self.fee_quote))
        if not finite or self.price <= 0 or self.amount <= 0:
            raise DataError(
                f"fill {self.order_id!r} at {self.timestamp}: price {self.price}, amount {self.amount}, "
                f"fee {self.fee_quote} (price and amount must be finite and > 0)",
                fix="drop zero-size fills before booking them",
            )

    @property
    def notional(self) -> float:
        return self.price * self.amount


@dataclass(frozen=True)
class Marks:
    """The ledger's timeline and each market's mark price at every point of it (strictly increasing)."""

    timestamps: FloatArray
    prices: Mapping[Market, FloatArray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ts = self.timestamps
        if ts.ndim != 1 or ts.size == 0 or (ts.size > 1 and bool(np.any(np.diff(ts) <= 0))):
            raise DataError("the mark timeline must be non-empty and strictly increasing", fix="sort bars")
        for market, prices in self.prices.items():
            if prices.shape != ts.shape or not bool(np.all(np.isfinite(prices) & (prices > 0))):
                raise DataError(
                    f"marks of {market.label} must be positive, finite and one per timeline point",
                    fix="forward-fill a market's closes onto the timeline before booking",
                )

    @classmethod
    def aligned(cls, series: Mapping[Market, tuple[FloatArray, FloatArray]]) -> Marks:
        """Union timeline of every market's (timestamps, prices); each marked at its last known price.

        Points before a market's first price take that first price (no earlier value exists).
        """
        if not series:
            raise DataError("no market has marks", fix="give every traded market its bar closes")
        timeline = np.unique(np.concatenate([np.asarray(ts, dtype=np.float64) for ts, _ in series.values()]))
        prices: dict[Market, FloatArray] = {}
        for market, (ts, px) in series.items():
            ts_arr, px_arr = np.asarray(ts, dtype=np.float64), np.asarray(px, dtype=np.float64)
            index = np.clip(np.searchsorted(ts_arr, timeline, side="right") - 1, 0, ts_arr.size - 1)
            prices[market] = px_arr[index]
        return cls(timeline, prices)


@dataclass(frozen=True, slots=True)
class Trade:
    """One closing order: the part of a position it closed, matched first-in first-out.

    ``side`` is the side of the position closed (+1 long, −1 short). ``pnl_quote`` is net of this
    order's fee and of the entry fees of the lots it closed (pro rata).
    """

    market: Market
    order_id: str
    executor_id: str
    open_timestamp: float
    close_timestamp: float
    side: int
    amount: float
    entry_price: float
    exit_price: float
    pnl_quote: float
    fees_quote: float
