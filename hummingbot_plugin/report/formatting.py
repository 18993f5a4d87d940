"""How a report prints numbers and times: ISO UTC dates, rounded values with their units."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from hummingbot_plugin.ledger import Figures, Trade

__all__ = [
    "HEADLINE_HEADERS",
    "TRADE_HEADERS",
    "duration",
    "headline_row",
    "iso_utc",
    "money",
    "number",
    "pct",
    "price",
    "trade_row",
]

MISSING = "–"


def iso_utc(ts: float) -> str:
    """``2023-01-01T00:00:00Z``."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration(seconds: float) -> str:
    """``3 d 4 h``, ``5 h 12 min``, ``40 s``."""
    seconds = max(0.0, seconds)
    days, rest = divmod(round(seconds), 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{secs} s"


def number(value: float | None, digits: int = 2) -> str:
    """Rounded with thousands separators; ``–`` for None or non-finite."""
    if value is None or not math.isfinite(value):
        return MISSING
    rounded = round(value, digits)
    return f"{rounded if rounded != 0 else 0.0:,.{digits}f}"  # never "-0.00"


def money(value: float | None, quote: str) -> str:
    """``-1,234.56 USDT``."""
    text = number(value, 2)
    return text if text == MISSING else f"{text} {quote}"


def pct(value: float | None, digits: int = 2) -> str:
    """``12.34 %``."""
    text = number(value, digits)
    return text if text == MISSING else f"{text} %"


def price(value: float) -> str:
    """A price with enough significant digits for cheap and dear assets alike."""
    digits = 2 if abs(value) >= 100 else 4 if abs(value) >= 1 else 8
    return number(value, digits)


HEADLINE_HEADERS: tuple[str, ...] = (
    "Scope",
    "Start equity",
    "End equity",
    "Net PnL",
    "Return",
    "Sharpe (daily, ann.)",
    "Max drawdown",
    "Trades",
    "Win rate",
    "Profit factor",
    "Fills (maker)",
    "Fees",
    "Volume",
    "Exposure time",
)


def headline_row(fig: Figures, quote: str) -> tuple[str, ...]:
    """One headline table row, rounded, each value with its unit."""
    sharpe = (
        "n/a (ruined)"
        if fig.ruined and fig.sharpe_daily_annualized is None
        else number(fig.sharpe_daily_annualized)
    )
    win = None if fig.win_rate is None else fig.win_rate * 100.0
    return (
        fig.scope + (" (RUINED)" if fig.ruined else ""),
        money(fig.start_equity_quote, quote),
        money(fig.end_equity_quote, quote),
        money(fig.net_pnl_quote, quote),
        pct(fig.return_pct),
        sharpe,
        pct(fig.max_drawdown_pct),
        f"{fig.trades:,}",
        pct(win, 1),
        number(fig.profit_factor),
        f"{fig.n_fills:,} ({fig.maker_fills:,})",
        money(fig.fees_quote, quote),
        money(fig.volume_quote, quote),
        pct(fig.exposure_time_pct, 1),
    )


TRADE_HEADERS: tuple[str, ...] = (
    "#",
    "Market",
    "Side",
    "Opened",
    "Closed",
    "Held",
    "Amount",
    "Entry",
    "Exit",
    "PnL",
    "Fees",
    "Executor",
)


def trade_row(number_: int, trade: Trade, quote: str) -> tuple[str, ...]:
    """One trade list row."""
    return (
        str(number_),
        trade.market.label,
        "long" if trade.side > 0 else "short",
        iso_utc(trade.open_timestamp),
        iso_utc(trade.close_timestamp),
        duration(trade.close_timestamp - trade.open_timestamp),
        number(trade.amount, 6),
        price(trade.entry_price),
        price(trade.exit_price),
        money(trade.pnl_quote, quote),
        money(trade.fees_quote, quote),
        trade.executor_id or trade.order_id,
    )
