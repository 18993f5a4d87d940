"""Value types of the risk layer: states, reason codes, requests, snapshots and decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "ClosedExecutor",
    "Decision",
    "DenialReason",
    "ExecutorRequest",
    "PairSnapshot",
    "PortfolioSnapshot",
    "RiskState",
    "Side",
    "Transition",
]


class RiskState(StrEnum):
    """ACTIVE: all allowed. REDUCING: only exposure-reducing executors. HALTED: nothing new, stop all.

    The one risk state of every controller (directional and market making), ordered by severity.
    """

    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"

    @property
    def severity(self) -> int:
        """0 (ACTIVE) < 1 (REDUCING) < 2 (HALTED): the worst of several states is the most severe."""
        return _SEVERITY_ORDER.index(self.value)


_SEVERITY_ORDER = ("ACTIVE", "REDUCING", "HALTED")


class DenialReason(StrEnum):
    """Why a request was denied or the state changed (stable codes for audit, metrics and alerts)."""

    STATE_HALTED = "STATE_HALTED"
    STATE_REDUCING = "STATE_REDUCING"
    STATE_CORRUPT = "STATE_CORRUPT"
    STATE_MISSING = "STATE_MISSING"
    PERSIST_FAILED = "PERSIST_FAILED"
    DRAWDOWN_QUOTE = "DRAWDOWN_QUOTE"
    DRAWDOWN_PCT = "DRAWDOWN_PCT"
    SOFT_DRAWDOWN = "SOFT_DRAWDOWN"
    DAILY_LOSS = "DAILY_LOSS"
    PAIR_EXPOSURE = "PAIR_EXPOSURE"
    TOTAL_EXPOSURE = "TOTAL_EXPOSURE"
    MAX_OPEN_EXECUTORS = "MAX_OPEN_EXECUTORS"
    LEVERAGE = "LEVERAGE"
    RATE_LIMIT = "RATE_LIMIT"
    STOP_LOSS_COOLDOWN = "STOP_LOSS_COOLDOWN"
    STALE_BOOK = "STALE_BOOK"
    STALE_CANDLES = "STALE_CANDLES"
    PRICE_BAND = "PRICE_BAND"
    NO_MARKET_DATA = "NO_MARKET_DATA"
    INVALID_REQUEST = "INVALID_REQUEST"
    KILL_SWITCH = "KILL_SWITCH"
    MANUAL_RESET = "MANUAL_RESET"
    MANUAL_REDUCE = "MANUAL_REDUCE"


class Side(StrEnum):
    BUY = "BUY"
    SELL = "SELL"


@dataclass(frozen=True)
class ExecutorRequest:
    """A proposal to create one executor, as the guard sees it (exchange-agnostic)."""

    controller_id: str
    connector_name: str
    trading_pair: str
    side: Side
    amount_base: Decimal
    price: Decimal
    leverage: int = 1
    executor_id: str = ""

    @property
    def notional_quote(self) -> Decimal:
        return self.amount_base * self.price

    @property
    def signed_notional(self) -> Decimal:
        return self.notional_quote if self.side is Side.BUY else -self.notional_quote


@dataclass(frozen=True)
class PairSnapshot:
    """Exposure and market data of one (connector, pair), valued in quote.

    ``net_position_quote`` is signed (+ long). ``pending_*`` is the notional of open executors that
    have not filled yet. ``*_updated_at`` come from the trading clock (None = never seen: stale).
    """

    connector_name: str
    trading_pair: str
    net_position_quote: Decimal = Decimal(0)
    pending_buy_quote: Decimal = Decimal(0)
    pending_sell_quote: Decimal = Decimal(0)
    mid_price: Decimal | None = None
    last_price: Decimal | None = None
    book_updated_at: float | None = None
    candles_updated_at: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.connector_name, self.trading_pair)

    def worst_case_exposure(
        self, extra_buy: Decimal = Decimal(0), extra_sell: Decimal = Decimal(0)
    ) -> Decimal:
        """|position| if every pending order on the worse side fills (plus an extra request)."""
        long_case = abs(self.net_position_quote + self.pending_buy_quote + extra_buy)
        short_case = abs(self.net_position_quote - self.pending_sell_quote - extra_sell)
        return max(long_case, short_case)


@dataclass(frozen=True)
class ClosedExecutor:
    """An executor that has finished; ``stop_loss`` is True when it closed on its stop loss."""

    executor_id: str
    close_timestamp: float
    stop_loss: bool


@dataclass(frozen=True)
class PortfolioSnapshot:
    """Everything the guard needs at one tick. ``pnl_quote`` = realized + unrealized, net of fees."""

    capital_quote: Decimal
    pnl_quote: Decimal
    pairs: tuple[PairSnapshot, ...] = ()
    open_executor_ids: frozenset[str] = frozenset()
    closed_executors: tuple[ClosedExecutor, ...] = ()
    known_executor_ids: frozenset[str] = frozenset()  # every executor id the snapshot has seen, any state

    @property
    def equity_quote(self) -> Decimal:
        return self.capital_quote + self.pnl_quote

    def pair(self, connector_name: str, trading_pair: str) -> PairSnapshot | None:
        for pair in self.pairs:
            if pair.key == (connector_name, trading_pair):
                return pair
        return None

    def total_worst_case_exposure(self) -> Decimal:
        return sum((p.worst_case_exposure() for p in self.pairs), Decimal(0))


@dataclass(frozen=True)
class Decision:
    """The guard's answer to a request: allowed, or denied with a reason code and text."""

    allowed: bool
    reason: DenialReason | None = None
    detail: str = ""

    @classmethod
    def allow(cls, detail: str = "") -> Decision:
        return cls(True, None, detail)

    @classmethod
    def deny(cls, reason: DenialReason, detail: str) -> Decision:
        return cls(False, reason, detail)


@dataclass(frozen=True)
class Transition:
    """A change of risk state, always with a reason."""

    scope: str
    from_state: RiskState
    to_state: RiskState
    reason: DenialReason
    text: str
    at: float
    extra: dict[str, str] = field(default_factory=dict)
