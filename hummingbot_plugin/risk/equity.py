"""Equity-based limits and the equity they act on.

* A scope's PnL is the ledger's (``hummingbot_plugin.ledger``): the cash flow of its fills (fees
  included) plus the base they leave, valued at the current mark. :class:`ScopeBook` keeps it per
  market, in Decimal, fill by fill.
* :func:`track_equity` keeps the high-water mark and the UTC day start, and returns every limit broken,
  each with the figures it acted on (equity, high-water mark, drawdown, capital) for the audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

from hummingbot_plugin.risk.limits import RiskLimits
from hummingbot_plugin.risk.models import DenialReason, RiskState
from hummingbot_plugin.risk.store import PersistedRiskState

__all__ = ["Breach", "MarketKey", "ScopeBook", "ScopeFill", "equity_figures", "track_equity", "utc_day"]

_ZERO = Decimal(0)
MarketKey = tuple[str, str]  # (connector, trading pair)


@dataclass(frozen=True)
class ScopeFill:
    """One fill of an order a scope's executor placed. ``side`` +1 buys base, −1 sells; fee in quote."""

    market: MarketKey
    order_id: str
    trade_id: str
    timestamp: float
    side: int
    price: Decimal
    amount: Decimal
    fee_quote: Decimal


@dataclass
class ScopeBook:
    """Cash flow and base position of one scope's fills, per market (the ledger's definitions)."""

    cash: dict[MarketKey, Decimal] = field(default_factory=dict)
    base: dict[MarketKey, Decimal] = field(default_factory=dict)
    last_price: dict[MarketKey, Decimal] = field(default_factory=dict)
    fills: int = 0

    def book(self, fill: ScopeFill) -> None:
        """A buy pays ``price × amount + fee``, a sell receives ``price × amount − fee``."""
        key = fill.market
        notional = fill.price * fill.amount
        self.cash[key] = self.cash.get(key, _ZERO) - fill.side * notional - fill.fee_quote
        self.base[key] = self.base.get(key, _ZERO) + fill.side * fill.amount
        self.last_price[key] = fill.price
        self.fills += 1

    def pnl(self, marks: Mapping[MarketKey, Decimal | None]) -> Decimal:
        """Σ cash flow + base × mark; a market without a mark is valued at its last fill price."""
        total = _ZERO
        for key, cash in self.cash.items():
            mark = marks.get(key) or self.last_price[key]
            total += cash + self.base[key] * mark
        return total


@dataclass(frozen=True)
class Breach:
    state: RiskState
    reason: DenialReason
    text: str
    figures: dict[str, str] = field(default_factory=dict)


def utc_day(now: float) -> str:
    """The UTC calendar day of a trading-clock timestamp."""
    return datetime.fromtimestamp(now, tz=UTC).date().isoformat()


def equity_figures(st: PersistedRiskState, capital: Decimal) -> dict[str, str]:
    """The figures a limit acted on, as exact decimal strings (what the transition record carries)."""
    equity = st.last_equity if st.last_equity is not None else _ZERO
    hwm = st.high_water_mark if st.high_water_mark is not None else equity
    drawdown = hwm - equity
    return {
        "equity_quote": str(equity),
        "high_water_mark_quote": str(hwm),
        "drawdown_quote": str(drawdown),
        "drawdown_pct": str(drawdown / capital if capital > 0 else _ZERO),
        "capital_quote": str(capital),
        "day_start_equity_quote": str(st.day_start_equity if st.day_start_equity is not None else equity),
    }


def track_equity(
    st: PersistedRiskState, limits: RiskLimits, capital: Decimal, equity: Decimal, now: float
) -> list[Breach]:
    """Update the high-water mark and day start in ``st``; return every limit the equity breaks."""
    st.last_equity = equity
    st.high_water_mark = equity if st.high_water_mark is None else max(st.high_water_mark, equity)
    if st.day != utc_day(now):
        st.day, st.day_start_equity = utc_day(now), equity
    drawdown = st.high_water_mark - equity
    pct = drawdown / capital if capital > 0 else Decimal(0)
    daily_loss = (st.day_start_equity or equity) - equity
    found: list[Breach] = []
    if limits.max_drawdown_quote is not None and drawdown >= limits.max_drawdown_quote:
        text = f"drawdown {drawdown:.2f} >= {limits.max_drawdown_quote} quote (hwm {st.high_water_mark:.2f})"
        found.append(Breach(RiskState.HALTED, DenialReason.DRAWDOWN_QUOTE, text))
    if pct >= limits.max_drawdown_pct:
        text = (
            f"drawdown {pct:.2%} of capital {capital:.2f} >= {limits.max_drawdown_pct:.2%} "
            f"(equity {equity:.2f}, hwm {st.high_water_mark:.2f})"
        )
        found.append(Breach(RiskState.HALTED, DenialReason.DRAWDOWN_PCT, text))
    if limits.daily_loss_limit_quote is not None and daily_loss >= limits.daily_loss_limit_quote:
        text = f"loss today {daily_loss:.2f} >= {limits.daily_loss_limit_quote} quote"
        found.append(Breach(RiskState.HALTED, DenialReason.DAILY_LOSS, text))
    if limits.reducing_drawdown_pct is not None and pct >= limits.reducing_drawdown_pct:
        text = f"drawdown {pct:.2%} >= soft limit {limits.reducing_drawdown_pct:.2%}"
        found.append(Breach(RiskState.REDUCING, DenialReason.SOFT_DRAWDOWN, text))
    figures = equity_figures(st, capital)
    return [Breach(b.state, b.reason, b.text, figures) for b in found]
