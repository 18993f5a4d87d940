"""Book fills into balances and positions per market; value the account at every mark.

Rules (documented in docs/simulator.md, "Accounting"):

* A fill at time ``f`` is in the books from the first timeline point ``t >= f``.
* Cash: a buy pays ``price × amount + fee`` in the quote asset, a sell receives ``price × amount − fee``
  (a negative fee, a rebate, adds cash). Fees are always in quote.
* Equity(t) = Σ quote balances + Σ base balances × mark(t), over every venue.
* A market's PnL(t) = its cash flow + its position from fills × mark(t) + its venue's starting base
  holding × (mark(t) − mark(t₀)). Σ market PnL = equity − start equity, exactly.
* Start equity = the starting balances valued at the first marks.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ledger.types import Fill, FloatArray, Market, Marks, Trade

__all__ = ["DUST_BASE", "LedgerBook", "MarketBook", "build_ledger"]

DUST_BASE = 1e-10  # |base| below this is flat (float residue of equal buys and sells)
IntArray = npt.NDArray[np.intp]
Balances = Mapping[str, Mapping[str, float]]  # venue -> asset -> amount


@dataclass(frozen=True)
class MarketBook:
    """Everything booked for one market, on the ledger's timeline."""

    market: Market
    fills: tuple[Fill, ...]
    trades: tuple[Trade, ...]
    start_base: float  # the venue's starting holding of the base asset attributed to this market
    position: FloatArray  # base bought − sold, from fills only
    cash_flow: FloatArray  # cumulative quote received − paid, fees included
    fees: FloatArray  # cumulative fees (rebates negative)
    pnl: FloatArray  # see module docstring

    @property
    def holdings(self) -> FloatArray:
        """Base held on the venue for this market: start holding + fills."""
        return np.asarray(self.start_base + self.position, dtype=np.float64)


@dataclass(frozen=True)
class LedgerBook:
    """The booked run: balances per venue and asset, equity, and every market's book."""

    marks: Marks
    quote_asset: str
    start_balances: dict[str, dict[str, float]]
    balances: dict[tuple[str, str], FloatArray]  # (venue, asset) -> balance at each point
    markets: dict[Market, MarketBook]
    equity: FloatArray
    start_equity: float
    unmarked_assets: tuple[str, ...]  # held but neither the quote nor a traded base: not in equity

    @property
    def timestamps(self) -> FloatArray:
        return self.marks.timestamps

    def overdrawn(self) -> list[tuple[str, str, float, float]]:
        """(venue, asset, first timestamp, lowest balance) for every balance that went below zero."""
        out = []
        for (venue, asset), series in sorted(self.balances.items()):
            scale = max(1.0, float(np.max(np.abs(series))))
            low = series < -1e-9 * scale
            if bool(low.any()):
                first = int(np.flatnonzero(low)[0])
                out.append((venue, asset, float(self.timestamps[first]), float(series.min())))
        return out


def _index_of(timestamps: FloatArray, fills: Sequence[Fill]) -> IntArray:
    index = np.searchsorted(timestamps, np.array([f.timestamp for f in fills], dtype=np.float64), "left")
    return np.minimum(index, timestamps.size - 1)  # a fill after the last mark lands on the last point


def _cumulative(size: int, index: IntArray, values: Sequence[float]) -> FloatArray:
    out = np.zeros(size, dtype=np.float64)
    np.add.at(out, index, np.asarray(values, dtype=np.float64))
    return np.cumsum(out)


class _Lots:
    """FIFO lots of one market's position; turns closing fills into trades."""

    def __init__(self, market: Market) -> None:
        self.market = market
        self.lots: deque[list[float]] = deque()  # [signed qty, price, fee per unit, open ts]
        self.trades: dict[str, dict[str, float | str]] = {}

    def book(self, fill: Fill) -> None:
        qty, fee_unit = fill.amount, fill.fee_quote / fill.amount
        while qty > DUST_BASE and self.lots and np.sign(self.lots[0][0]) == -fill.side:
            lot = self.lots[0]
            take = min(qty, abs(lot[0]))
            side = int(np.sign(lot[0]))
            pnl = side * take * (fill.price - lot[1]) - take * (lot[2] + fee_unit)
            self._add_trade(fill, side, take, lot[1], lot[3], pnl, take * (lot[2] + fee_unit))
            lot[0] -= side * take
            qty -= take
            if abs(lot[0]) <= DUST_BASE:
                self.lots.popleft()
        if qty > DUST_BASE:
            self.lots.append([fill.side * qty, fill.price, fee_unit, fill.timestamp])

    def _add_trade(
        self, fill: Fill, side: int, take: float, entry: float, opened: float, pnl: float, fees: float
    ) -> None:
        key = fill.order_id or f"fill-{fill.timestamp}-{len(self.trades)}"
        t = self.trades.setdefault(
            key,
            {
                "executor_id": fill.executor_id,
                "open": opened,
                "close": fill.timestamp,
                "side": side,
                "amount": 0.0,
                "entry_notional": 0.0,
                "exit_notional": 0.0,
                "pnl": 0.0,
                "fees": 0.0,
            },
        )
        for name, value in (
            ("amount", take),
            ("entry_notional", take * entry),
            ("exit_notional", take * fill.price),
            ("pnl", pnl),
            ("fees", fees),
        ):
            t[name] = float(t[name]) + value
        t["open"], t["close"] = min(float(t["open"]), opened), max(float(t["close"]), fill.timestamp)

    def closed(self) -> tuple[Trade, ...]:
        trades = [
            Trade(
                market=self.market,
                order_id=key,
                executor_id=str(t["executor_id"]),
                open_timestamp=float(t["open"]),
                close_timestamp=float(t["close"]),
                side=int(t["side"]),
                amount=float(t["amount"]),
                entry_price=float(t["entry_notional"]) / float(t["amount"]),
                exit_price=float(t["exit_notional"]) / float(t["amount"]),
                pnl_quote=float(t["pnl"]),
                fees_quote=float(t["fees"]),
            )
            for key, t in self.trades.items()
        ]
        return tuple(sorted(trades, key=lambda tr: (tr.close_timestamp, tr.order_id)))


def _quote_asset(markets: Sequence[Market]) -> str:
    quotes = sorted({m.quote for m in markets})
    if len(quotes) != 1:
        raise DataError(
            f"markets quoted in several assets {quotes} cannot be added into one account",
            fix="replay markets that share one quote asset (e.g. all USDT)",
        )
    return quotes[0]


def _market_book(market: Market, fills: list[Fill], marks: Marks, start_base: float) -> MarketBook:
    ts, mark = marks.timestamps, marks.prices[market]
    fills = sorted(fills, key=lambda f: f.timestamp)
    index = _index_of(ts, fills) if fills else np.zeros(0, dtype=np.intp)
    position = _cumulative(ts.size, index, [f.side * f.amount for f in fills])
    cash = _cumulative(ts.size, index, [-f.side * f.notional - f.fee_quote for f in fills])
    fees = _cumulative(ts.size, index, [f.fee_quote for f in fills])
    lots = _Lots(market)
    for fill in fills:
        lots.book(fill)
    pnl = cash + position * mark + start_base * (mark - mark[0])
    return MarketBook(market, tuple(fills), lots.closed(), start_base, position, cash, fees, pnl)


def build_ledger(fills: Sequence[Fill], start_balances: Balances, marks: Marks) -> LedgerBook:
    """Book ``fills`` (any order) against ``start_balances`` and value everything at ``marks``."""
    by_market: dict[Market, list[Fill]] = defaultdict(list)
    for fill in fills:
        by_market[fill.market].append(fill)
    missing = sorted(m.label for m in by_market if m not in marks.prices)
    if missing:
        raise DataError(
            f"fills in {missing} but no marks for them", fix="give every traded market its closes"
        )
    markets = sorted(marks.prices)
    quote = _quote_asset(markets)
    start = {v: {a: float(x) for a, x in assets.items()} for v, assets in start_balances.items()}
    attributed: set[tuple[str, str]] = set()
    books: dict[Market, MarketBook] = {}
    for market in markets:  # a venue's starting base goes to its first market with that base
        key = (market.venue, market.base)
        start_base = start.get(market.venue, {}).get(market.base, 0.0) if key not in attributed else 0.0
        attributed.add(key)
        books[market] = _market_book(market, by_market.get(market, []), marks, start_base)
    size = marks.timestamps.size
    balances: dict[tuple[str, str], FloatArray] = {}
    for venue, assets in start.items():
        for asset, amount in assets.items():
            balances[(venue, asset)] = np.full(size, amount, dtype=np.float64)
    for market, book in books.items():
        for asset, delta in ((market.base, book.position), (quote, book.cash_flow)):
            key = (market.venue, asset)
            balances[key] = balances.get(key, np.zeros(size, dtype=np.float64)) + delta
    traded = {(m.venue, m.base): m for m in markets}
    equity = np.zeros(size, dtype=np.float64)
    unmarked: set[str] = set()
    for (venue, asset), series in balances.items():
        if asset == quote:
            equity += series
        elif (venue, asset) in traded:
            equity += series * marks.prices[traded[(venue, asset)]]
        elif bool(np.any(series != 0)):
            unmarked.add(asset)
    start_equity = sum(assets.get(quote, 0.0) for assets in start.values()) + sum(
        b.start_base * float(marks.prices[m][0]) for m, b in books.items()
    )
    return LedgerBook(
        marks, quote, start, balances, books, equity, float(start_equity), tuple(sorted(unmarked))
    )
