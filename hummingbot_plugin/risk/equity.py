"""Equity-based limits: high-water mark, drawdown (quote and % of capital), daily loss (UTC day)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from hummingbot_plugin.risk.limits import RiskLimits
from hummingbot_plugin.risk.models import DenialReason, RiskState
from hummingbot_plugin.risk.store import PersistedRiskState

__all__ = ["Breach", "track_equity", "utc_day"]


@dataclass(frozen=True)
class Breach:
    state: RiskState
    reason: DenialReason
    text: str


def utc_day(now: float) -> str:
    """The UTC calendar day of a trading-clock timestamp."""
    return datetime.fromtimestamp(now, tz=UTC).date().isoformat()


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
        text = f"drawdown {pct:.2%} of capital >= {limits.max_drawdown_pct:.2%}"
        found.append(Breach(RiskState.HALTED, DenialReason.DRAWDOWN_PCT, text))
    if limits.daily_loss_limit_quote is not None and daily_loss >= limits.daily_loss_limit_quote:
        text = f"loss today {daily_loss:.2f} >= {limits.daily_loss_limit_quote} quote"
        found.append(Breach(RiskState.HALTED, DenialReason.DAILY_LOSS, text))
    if limits.reducing_drawdown_pct is not None and pct >= limits.reducing_drawdown_pct:
        text = f"drawdown {pct:.2%} >= soft limit {limits.reducing_drawdown_pct:.2%}"
        found.append(Breach(RiskState.REDUCING, DenialReason.SOFT_DRAWDOWN, text))
    return found
