"""Pure matching engine for one trading pair of the simulated exchange.

Rules (documented in docs/simulator.md):

* A resting order joins the back of the displayed queue at its price: ``queue_ahead`` starts at the
  displayed size of that level on its own side (0 when it improves the best price).
* A public trade at our price first consumes ``queue_ahead``, then fills us (partial fills allowed).
  A trade strictly THROUGH our price means the whole level was taken: we fill up to the trade size.
* Later book updates can only shrink ``queue_ahead`` (cancels ahead of us are assumed when the
  displayed level becomes smaller than our queue estimate; never grown back).
* Crossing orders take displayed liquidity level by level; what they consume is hidden from other
  orders until the next book update (no double-spending of displayed depth).
* LIMIT_MAKER orders that would cross are rejected (like Binance's ``-2010`` error).
* Candle mode: prices walk an intrabar path; a resting order fills, in full at its own price, only
  when the path trades THROUGH it (strictly better than the limit).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from hummingbot_plugin.simulation.engine.models import (
    ZERO,
    BookLevel,
    BookSnapshot,
    Fill,
    MatchResult,
    OrderKind,
    Rejection,
    RejectReason,
    Side,
    SimOrder,
    TradePrint,
)

__all__ = ["MatchingEngine"]


class MatchingEngine:
    """Resting orders, the current displayed book and the fill rules for one pair."""

    def __init__(self, *, fill_on_book_cross: bool = False) -> None:
        self._book: BookSnapshot | None = None
        self._consumed: dict[tuple[Side, Decimal], Decimal] = {}
        self._resting: dict[str, SimOrder] = {}
        self._fill_seq = 0
        self.fill_on_book_cross = fill_on_book_cross
        self.now = 0.0

    # ----- queries ---------------------------------------------------------------------------
    @property
    def book(self) -> BookSnapshot | None:
        return self._book

    @property
    def resting_orders(self) -> list[SimOrder]:
        return list(self._resting.values())

    def get_order(self, order_id: str) -> SimOrder | None:
        return self._resting.get(order_id)

    def displayed(self, side: Side, price: Decimal) -> Decimal:
        """Displayed size at ``price`` on ``side`` (bids for BUY), net of our own taker consumption."""
        levels = self._levels(side)
        shown = next((lvl.amount for lvl in levels if lvl.price == price), ZERO)
        return max(ZERO, shown - self._consumed.get((side, price), ZERO))

    # ----- order entry -------------------------------------------------------------------------
    def submit(self, order: SimOrder, now: float) -> MatchResult:
        """Accept ``order``: take liquidity if it crosses, rest the remainder (limit kinds)."""
        self.now = now
        problem = self._validate(order)
        if problem is not None:
            return MatchResult(rejection=problem)
        if order.kind is OrderKind.LIMIT_MAKER and self._crosses(order.side, order.price):
            return MatchResult(
                rejection=Rejection(
                    order.order_id,
                    RejectReason.WOULD_CROSS,
                    f"LIMIT_MAKER {order.side.value} at {order.price} would cross the book "
                    f"(best {'ask' if order.side is Side.BUY else 'bid'} "
                    f"{self._best(order.side.opposite)}): rejected, never takes liquidity",
                )
            )
        fills = self._take(order)
        if order.kind is OrderKind.MARKET:
            if not fills:
                return MatchResult(
                    rejection=Rejection(
                        order.order_id,
                        RejectReason.NO_LIQUIDITY,
                        f"market {order.side.value} {order.amount}: no displayed liquidity",
                    )
                )
            return MatchResult(fills=fills)
        if not order.is_done:
            assert order.price is not None
            order.queue_ahead = self.displayed(order.side, order.price)
            order.is_resting = True
            self._resting[order.order_id] = order
        return MatchResult(fills=fills)

    def cancel(self, order_id: str) -> SimOrder | None:
        """Remove a resting order; returns it, or None when it is unknown or already done."""
        return self._resting.pop(order_id, None)

    # ----- market data -------------------------------------------------------------------------
    def on_book(self, snapshot: BookSnapshot) -> list[Fill]:
        """Replace the displayed book; shrink queue estimates; optional fills on a crossed book."""
        self.now = snapshot.timestamp
        self._book = snapshot
        self._consumed.clear()
        fills: list[Fill] = []
        for order in list(self._resting.values()):
            assert order.price is not None
            order.queue_ahead = min(order.queue_ahead, self.displayed(order.side, order.price))
            if self.fill_on_book_cross:
                fills.extend(self._fill_from_crossed_book(order))
        return fills

    def on_trade(self, trade: TradePrint) -> list[Fill]:
        """A public trade: fill resting orders on the passive side in price-time priority."""
        self.now = trade.timestamp
        passive = trade.aggressor.opposite
        available = trade.amount
        fills: list[Fill] = []
        for order in self._priority(passive):
            if available <= ZERO:
                break
            assert order.price is not None
            through = order.price > trade.price if passive is Side.BUY else order.price < trade.price
            at_level = order.price == trade.price
            if not (through or at_level):
                continue
            if through:
                order.queue_ahead = ZERO
            else:
                eaten = min(order.queue_ahead, available)
                order.queue_ahead -= eaten
                available -= eaten
            qty = min(order.remaining, available)
            if qty > ZERO:
                available -= qty
                fills.append(self._fill(order, order.price, qty, is_maker=True))
        return fills

    def on_price(self, price: Decimal, timestamp: float) -> list[Fill]:
        """Candle mode: the market traded at ``price``; fill orders it went THROUGH, in full."""
        self.now = timestamp
        fills: list[Fill] = []
        for order in list(self._resting.values()):
            assert order.price is not None
            through = order.price > price if order.side is Side.BUY else order.price < price
            if through:
                fills.append(self._fill(order, order.price, order.remaining, is_maker=True))
        return fills

    # ----- internals ---------------------------------------------------------------------------
    def _validate(self, order: SimOrder) -> Rejection | None:
        if order.amount <= ZERO:
            return Rejection(order.order_id, RejectReason.INVALID, f"amount {order.amount} must be > 0")
        if order.kind is not OrderKind.MARKET and (order.price is None or order.price <= ZERO):
            return Rejection(
                order.order_id,
                RejectReason.INVALID,
                f"{order.kind.value} order needs a positive price, got {order.price}",
            )
        if order.order_id in self._resting:
            return Rejection(order.order_id, RejectReason.INVALID, "duplicate order id")
        return None

    def _levels(self, side: Side) -> tuple[BookLevel, ...]:
        if self._book is None:
            return ()
        return self._book.bids if side is Side.BUY else self._book.asks

    def _best(self, side: Side) -> Decimal | None:
        return next((lvl.price for lvl in self._levels(side) if self.displayed(side, lvl.price) > ZERO), None)

    def _crosses(self, side: Side, price: Decimal | None) -> bool:
        best_opposite = self._best(side.opposite)
        if best_opposite is None or price is None:
            return False
        return best_opposite <= price if side is Side.BUY else best_opposite >= price

    def _take(self, order: SimOrder) -> list[Fill]:
        """Consume opposite displayed levels while they cross the order's limit (any for market)."""
        fills: list[Fill] = []
        book_side = order.side.opposite
        for level in self._levels(book_side):
            if order.is_done:
                break
            if order.price is not None and not self._crosses_level(order.side, order.price, level.price):
                break
            qty = min(order.remaining, self.displayed(book_side, level.price))
            if qty <= ZERO:
                continue
            self._consumed[(book_side, level.price)] = (
                self._consumed.get((book_side, level.price), ZERO) + qty
            )
            fills.append(self._fill(order, level.price, qty, is_maker=False))
        if order.kind is OrderKind.MARKET and fills and not order.is_done:
            # Beyond the displayed depth: assume the rest fills at the worst displayed price.
            fills.append(self._fill(order, fills[-1].price, order.remaining, is_maker=False))
        return fills

    @staticmethod
    def _crosses_level(side: Side, limit: Decimal, level_price: Decimal) -> bool:
        return level_price <= limit if side is Side.BUY else level_price >= limit

    def _priority(self, side: Side) -> Iterable[SimOrder]:
        orders = [o for o in self._resting.values() if o.side is side]
        # Best price first; dict order (insertion) keeps time priority among equal prices.
        return sorted(orders, key=lambda o: -(o.price or ZERO) if side is Side.BUY else (o.price or ZERO))

    def _fill_from_crossed_book(self, order: SimOrder) -> list[Fill]:
        assert order.price is not None
        opposite = order.side.opposite
        crossing = [
            lvl
            for lvl in self._levels(opposite)
            if (lvl.price < order.price if order.side is Side.BUY else lvl.price > order.price)
        ]
        available = sum((lvl.amount for lvl in crossing), ZERO)
        qty = min(order.remaining, available)
        return [self._fill(order, order.price, qty, is_maker=True)] if qty > ZERO else []

    def _fill(self, order: SimOrder, price: Decimal, qty: Decimal, *, is_maker: bool) -> Fill:
        order.filled += qty
        self._fill_seq += 1
        done = order.is_done
        if done:
            self._resting.pop(order.order_id, None)
        return Fill(
            order_id=order.order_id,
            side=order.side,
            price=price,
            amount=qty,
            is_maker=is_maker,
            timestamp=self.now,
            trade_id=f"sim-{self._fill_seq}",
            order_done=done,
        )
