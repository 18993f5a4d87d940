"""SimulatedExchange: a Hummingbot ExchangePyBase whose network calls are replaced by a matching engine.

Subclassing ExchangePyBase (rather than ConnectorBase) gives executors exactly what they get from a
real spot connector: TradingRule quantisation and min size / notional checks in ``_create_order``,
the ClientOrderTracker and its events (created, filled, completed, cancelled, failure), the budget
checker, ``_update_orders_with_error_handler`` (polled by PositionExecutor) and ``get_price_by_type``
on a real ``OrderBook``. Only the exchange side (``_place_order``, ``_place_cancel``, order status,
balances) is simulated, by :mod:`hummingbot_plugin.simulation.engine`.

Feed it with :meth:`apply_book`, :meth:`apply_trade` and :meth:`apply_price` (candle path points).
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from bidict import bidict
from hummingbot.connector.trading_rule import TradingRule
from hummingbot.core.data_type.common import OrderType, TradeType
from hummingbot.core.data_type.in_flight_order import InFlightOrder, OrderState, OrderUpdate, TradeUpdate
from hummingbot.core.data_type.order_book import OrderBook
from hummingbot.core.data_type.trade_fee import AddedToCostTradeFee, TokenAmount
from hummingbot.core.utils.async_utils import safe_ensure_future

from hummingbot_plugin.errors import SimulationError
from hummingbot_plugin.simulation.engine.candle_path import synthetic_book
from hummingbot_plugin.simulation.engine.config import SimExchangeConfig
from hummingbot_plugin.simulation.engine.ledger import Ledger, LedgerEntry
from hummingbot_plugin.simulation.engine.matching import MatchingEngine
from hummingbot_plugin.simulation.engine.models import (
    ZERO,
    BookSnapshot,
    Fill,
    OrderKind,
    SimOrder,
    TradePrint,
)
from hummingbot_plugin.simulation.exchange.accounts import EventJournal, SimAccountMixin
from hummingbot_plugin.simulation.exchange.books import (
    apply_snapshot_to_order_book,
    order_kind,
    side_of,
    trade_event,
    trading_rule,
)
from hummingbot_plugin.simulation.exchange.offline_base import OfflineExchangeBase

__all__ = ["SimulatedExchange", "session_order_seed"]

_NAN = Decimal("NaN")


def session_order_seed() -> int:
    """A paper session's first order number: microseconds since the epoch at session start. A later session
    starts above every id an earlier one issued unless that one placed more than an order per microsecond."""
    return time.time_ns() // 1000


class SimulatedExchange(SimAccountMixin, OfflineExchangeBase):
    """Spot venue simulated locally; see the module docstring."""

    is_simulated = True  # marker read by hummingbot_plugin.risk.paper_guard.is_simulated_connector

    def __init__(self, config: SimExchangeConfig, *, order_id_seed: int = 0) -> None:
        """``order_id_seed``: client order ids count up from it (0 in a replay: reproducible ids; a paper
        session passes :func:`session_order_seed` so ids never repeat across sessions of one client folder,
        whose SQLite keeps every order id)."""
        if order_id_seed < 0:
            raise SimulationError(
                f"order_id_seed {order_id_seed} < 0", fix="seed with 0 or session_order_seed()"
            )
        self._sim_config = config
        self._sim_pairs = list(config.trading_pairs)
        self._last_prices: dict[str, float] = {}
        self._book_times: dict[str, float] = {}
        self._engines = {
            p: MatchingEngine(fill_on_book_cross=config.fill_on_book_cross) for p in self._sim_pairs
        }
        self._sim_books = {p: OrderBook() for p in self._sim_pairs}
        self._book_seq = 0
        self._order_seq = order_id_seed
        self._pending_fills: dict[str, list[Fill]] = {}
        self._sim_states: dict[str, OrderState] = {}
        self._feed: Any = None
        self.ledger = Ledger(dict(config.balances))
        self._fills_by_order: dict[str, list[LedgerEntry]] = {}
        rules = {p: trading_rule(config.rules_for(p)) for p in self._sim_pairs}
        super().__init__()
        self._trading_rules: dict[str, TradingRule] = rules
        self._set_trading_pair_symbol_map(bidict({p: p for p in self._sim_pairs}))
        self._sync_balances()
        # check_network() is a constant here; Hummingbot's default 10 s re-check would be most of the
        # event-loop work of a long replay
        self.check_network_interval = 3600.0
        self.journal = EventJournal()  # every market event, in order (Hummingbot's EventLogger keeps only 50)
        for tag in self.MARKET_EVENTS:
            self.add_listener(tag, self.journal)

    # ----- feeding market data -------------------------------------------------------------------
    def apply_book(self, trading_pair: str, snapshot: BookSnapshot) -> list[Fill]:
        """New displayed book for ``trading_pair``; returns the fills it caused (if any)."""
        self._book_seq += 1
        apply_snapshot_to_order_book(self._sim_books[trading_pair], snapshot, self._book_seq)
        self._book_times[trading_pair] = float(snapshot.timestamp)
        if trading_pair not in self._last_prices and snapshot.bids and snapshot.asks:
            mid = float((snapshot.bids[0].price + snapshot.asks[0].price) / 2)
            self._last_prices[trading_pair] = mid
            self._sim_books[trading_pair].last_trade_price = mid
        return self._apply_fills(trading_pair, self._engines[trading_pair].on_book(snapshot))

    def apply_trade(self, trading_pair: str, trade: TradePrint) -> list[Fill]:
        """A public trade prints; resting orders on the passive side may fill."""
        self._last_prices[trading_pair] = float(trade.price)
        self._sim_books[trading_pair].apply_trade(trade_event(trading_pair, trade))
        return self._apply_fills(trading_pair, self._engines[trading_pair].on_trade(trade))

    def apply_price(
        self, trading_pair: str, price: Decimal, timestamp: float, *, hold_s: float = 0.0
    ) -> list[Fill]:
        """Candle mode: the market trades at ``price``; a synthetic book is centred on it. ``hold_s``: the
        spacing of the candle path, i.e. how long this point stands for the market (see book_timestamp)."""
        cfg = self._sim_config
        tick = self._trading_rules[trading_pair].min_price_increment
        snapshot = synthetic_book(
            price, timestamp, half_spread_bps=cfg.candle_half_spread_bps, depth=cfg.candle_depth, tick=tick
        )
        self._book_seq += 1
        apply_snapshot_to_order_book(self._sim_books[trading_pair], snapshot, self._book_seq)
        self._book_times[trading_pair] = float(timestamp) + max(0.0, float(hold_s))
        self._last_prices[trading_pair] = float(price)
        self._sim_books[trading_pair].last_trade_price = float(price)
        engine = self._engines[trading_pair]
        engine.on_book(snapshot)
        return self._apply_fills(trading_pair, engine.on_price(price, timestamp))

    def book_timestamp(self, trading_pair: str) -> float | None:
        """Time up to which the data vouches for the book of ``trading_pair``; None before any data.

        Book mode: the data time of the last L2 snapshot. Candle mode: the synthetic book of a path point
        stands for the market until the next point is due (``apply_price(hold_s=...)``), so that time is
        reported; a gap in the candles still ages the book like a dead feed. The risk gate reads this to
        judge book freshness on the trading clock (hummingbot_plugin/hb/risk_snapshot.py).
        """
        return self._book_times.get(trading_pair)

    def order_fills(self, order_id: str) -> tuple[LedgerEntry, ...]:
        """Every fill of ``order_id`` so far, as booked in :attr:`ledger` (the risk gate reads these)."""
        return tuple(self._fills_by_order.get(order_id, ()))

    # ----- order placement (the simulated exchange side) -----------------------------------------
    def buy(
        self,
        trading_pair: str,
        amount: Decimal,
        order_type: OrderType = OrderType.LIMIT,
        price: Decimal = _NAN,
        **kwargs: Any,
    ) -> str:
        return self._submit(TradeType.BUY, trading_pair, amount, order_type, price, **kwargs)

    def sell(
        self,
        trading_pair: str,
        amount: Decimal,
        order_type: OrderType = OrderType.LIMIT,
        price: Decimal = _NAN,
        **kwargs: Any,
    ) -> str:
        return self._submit(TradeType.SELL, trading_pair, amount, order_type, price, **kwargs)

    def _submit(
        self,
        trade_type: TradeType,
        trading_pair: str,
        amount: Decimal,
        order_type: OrderType,
        price: Decimal,
        **kwargs: Any,
    ) -> str:
        """Deterministic client order ids (replays must be reproducible), then the stock flow.

        The venue is part of the id: executors spanning two venues (XEMM) match events by order id alone,
        so two simulated venues of one run must never issue the same id.
        """
        self._order_seq += 1
        side = "B" if trade_type is TradeType.BUY else "S"
        order_id = f"{self.client_order_id_prefix}{side}-{self.name}-{trading_pair}-{self._order_seq:07d}"
        safe_ensure_future(
            self._create_order(
                trade_type=trade_type,
                order_id=order_id,
                trading_pair=trading_pair,
                amount=amount,
                order_type=order_type,
                price=price,
                **kwargs,
            )
        )
        return order_id

    async def _place_order(
        self,
        order_id: str,
        trading_pair: str,
        amount: Decimal,
        trade_type: TradeType,
        order_type: OrderType,
        price: Decimal,
        **kwargs: Any,
    ) -> tuple[str, float]:
        if self._sim_config.order_latency_s > 0:
            await self._sleep(self._sim_config.order_latency_s)
        engine = self._engines[trading_pair]
        kind = order_kind(order_type)
        side = side_of(trade_type)
        self._check_funds(trading_pair, side, kind, amount, price)
        order = SimOrder(
            order_id,
            side,
            kind,
            amount,
            None if kind is OrderKind.MARKET else price,
            created_at=self._now(trading_pair),
        )
        result = engine.submit(order, self._now(trading_pair))
        if result.rejection is not None:
            raise SimulationError(
                f"{self.name} rejected {order_id}: {result.rejection.message}",
                fix="check the order price/type against the current book",
            )
        self._pending_fills[order_id] = result.fills
        self._sim_states[order_id] = OrderState.OPEN
        if order.is_resting:
            self._lock(trading_pair, order)
        return f"SIMX{self._order_seq:07d}-{order_id[-7:]}", self.current_timestamp

    async def _place_order_and_process_update(self, order: InFlightOrder, **kwargs: Any) -> str:
        """Created event first, then the fills of a crossing order, then completion (real-venue order)."""
        exchange_order_id, update_ts = await self._place_order(
            order_id=order.client_order_id,
            trading_pair=order.trading_pair,
            amount=order.amount,
            trade_type=order.trade_type,
            order_type=order.order_type,
            price=order.price,
            **kwargs,
        )
        await self._order_tracker.process_order_update(
            OrderUpdate(
                client_order_id=order.client_order_id,
                exchange_order_id=str(exchange_order_id),
                trading_pair=order.trading_pair,
                update_timestamp=update_ts,
                new_state=OrderState.OPEN,
            )
        )
        self._apply_fills(order.trading_pair, self._pending_fills.pop(order.client_order_id, []))
        return exchange_order_id

    async def _place_cancel(self, order_id: str, tracked_order: InFlightOrder) -> bool:
        if self._sim_config.cancel_latency_s > 0:
            await self._sleep(self._sim_config.cancel_latency_s)
        removed = self._engines[tracked_order.trading_pair].cancel(order_id)
        if removed is None:
            if self._sim_states.get(order_id) in (OrderState.FILLED, OrderState.CANCELED):
                return False
            raise SimulationError(f"order {order_id} not found on {self.name}", fix="nothing to cancel")
        self.ledger.release(order_id)
        self._sim_states[order_id] = OrderState.CANCELED
        self._sync_balances()
        return True

    async def _request_order_status(self, tracked_order: InFlightOrder) -> OrderUpdate:
        state = self._sim_states.get(tracked_order.client_order_id)
        if state is None:
            raise SimulationError(f"order {tracked_order.client_order_id} not found on {self.name}")
        if state is OrderState.OPEN and tracked_order.executed_amount_base > ZERO:
            state = OrderState.PARTIALLY_FILLED
        return OrderUpdate(
            client_order_id=tracked_order.client_order_id,
            exchange_order_id=tracked_order.exchange_order_id,
            trading_pair=tracked_order.trading_pair,
            update_timestamp=self.current_timestamp,
            new_state=state,
        )

    def _get_fee(
        self,
        base_currency: str,
        quote_currency: str,
        order_type: OrderType,
        order_side: TradeType,
        amount: Decimal,
        price: Decimal = _NAN,
        is_maker: bool | None = None,
    ) -> AddedToCostTradeFee:
        maker = order_type is OrderType.LIMIT_MAKER if is_maker is None else is_maker
        rate = self._sim_config.maker_fee if maker else self._sim_config.taker_fee
        return AddedToCostTradeFee(percent=rate)

    # ----- fills and balances --------------------------------------------------------------------
    def _apply_fills(self, trading_pair: str, fills: list[Fill]) -> list[Fill]:
        for fill in fills:
            self._apply_fill(trading_pair, fill)
        return fills

    def _apply_fill(self, trading_pair: str, fill: Fill) -> None:
        quote = trading_pair.split("-", 1)[1]
        rate = self._sim_config.maker_fee if fill.is_maker else self._sim_config.taker_fee
        fee_quote = fill.price * fill.amount * rate
        entry = LedgerEntry(
            fill.timestamp,
            fill.order_id,
            trading_pair,
            fill.side,
            fill.price,
            fill.amount,
            fee_quote,
            fill.is_maker,
            fill.trade_id,
        )
        self.ledger.apply_fill(entry)
        self._fills_by_order.setdefault(fill.order_id, []).append(entry)
        resting = self._engines[trading_pair].get_order(fill.order_id)
        if resting is not None:
            self._lock(trading_pair, resting)
        else:
            self.ledger.release(fill.order_id)
        tracked = self._order_tracker.all_fillable_orders.get(fill.order_id)
        exchange_order_id = tracked.exchange_order_id if tracked is not None else ""
        self._order_tracker.process_trade_update(
            TradeUpdate(
                trade_id=fill.trade_id,
                client_order_id=fill.order_id,
                exchange_order_id=exchange_order_id or "",
                trading_pair=trading_pair,
                fill_timestamp=fill.timestamp,
                fill_price=fill.price,
                fill_base_amount=fill.amount,
                fill_quote_amount=fill.price * fill.amount,
                fee=AddedToCostTradeFee(flat_fees=[TokenAmount(quote, fee_quote)]),
                is_taker=not fill.is_maker,
            )
        )
        if fill.order_done:
            self._sim_states[fill.order_id] = OrderState.FILLED
            self._order_tracker.process_order_update(
                OrderUpdate(
                    client_order_id=fill.order_id,
                    exchange_order_id=exchange_order_id,
                    trading_pair=trading_pair,
                    update_timestamp=self.current_timestamp,
                    new_state=OrderState.FILLED,
                )
            )
        self._sync_balances()
