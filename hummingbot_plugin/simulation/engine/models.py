"""Value types of the pure matching engine (no Hummingbot import).

Prices and amounts are :class:`~decimal.Decimal` end to end so balances reconcile exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

__all__ = [
    "ZERO",
    "Bar",
    "BookLevel",
    "BookSnapshot",
    "Fill",
    "MatchResult",
    "OrderKind",
    "RejectReason",
    "Rejection",
    "Side",
    "SimOrder",
    "TradePrint",
]

ZERO = Decimal("0")


class Side(Enum):
    """Order side (or, for a trade print, the aggressor's side)."""

    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderKind(Enum):
    """Order types the engine understands (mirrors Hummingbot's MARKET / LIMIT / LIMIT_MAKER)."""

    MARKET = "market"
    LIMIT = "limit"
    LIMIT_MAKER = "limit_maker"


class RejectReason(Enum):
    """Why the engine refused an order; the connector turns it into a MarketOrderFailure event."""

    WOULD_CROSS = "limit_maker_would_cross"
    NO_LIQUIDITY = "no_liquidity"
    INVALID = "invalid_order"
    UNKNOWN_ORDER = "unknown_order"


@dataclass(frozen=True)
class BookLevel:
    """One price level of a displayed order book."""

    price: Decimal
    amount: Decimal


@dataclass(frozen=True)
class BookSnapshot:
    """Displayed L2 book: bids best (highest) first, asks best (lowest) first."""

    timestamp: float
    bids: tuple[BookLevel, ...]
    asks: tuple[BookLevel, ...]

    @property
    def best_bid(self) -> Decimal | None:
        return self.bids[0].price if self.bids else None

    @property
    def best_ask(self) -> Decimal | None:
        return self.asks[0].price if self.asks else None


@dataclass(frozen=True)
class TradePrint:
    """A public trade. ``aggressor`` is the taker's side (a SELL aggressor hits resting bids)."""

    timestamp: float
    price: Decimal
    amount: Decimal
    aggressor: Side
    trade_id: str = ""


@dataclass(frozen=True)
class Bar:
    """One OHLCV candle; ``timestamp`` is the bar open (epoch seconds)."""

    timestamp: float
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal


@dataclass
class SimOrder:
    """An order as the simulated venue sees it."""

    order_id: str
    side: Side
    kind: OrderKind
    amount: Decimal
    price: Decimal | None  # None for market orders
    created_at: float
    filled: Decimal = ZERO
    queue_ahead: Decimal = ZERO  # displayed size ahead of us at our price when resting
    is_resting: bool = False

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.filled

    @property
    def is_done(self) -> bool:
        return self.remaining <= ZERO


@dataclass(frozen=True)
class Fill:
    """One execution of one of our orders."""

    order_id: str
    side: Side
    price: Decimal
    amount: Decimal
    is_maker: bool
    timestamp: float
    trade_id: str
    order_done: bool = False


@dataclass(frozen=True)
class Rejection:
    """An order the engine refused, with a human-readable reason."""

    order_id: str
    reason: RejectReason
    message: str


@dataclass
class MatchResult:
    """What one engine call produced."""

    fills: list[Fill] = field(default_factory=list)
    rejection: Rejection | None = None
