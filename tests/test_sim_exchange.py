"""The simulated exchange under Hummingbot's REAL OrderExecutor and PositionExecutor.

Nothing of Hummingbot is mocked: the executors, ClientOrderTracker, budget checker, MarketsRecorder
and Clock are the installed ones. Only the exchange's network side is simulated (it cannot exist here).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hummingbot.core.data_type.common import OrderType, PriceType, TradeType
from hummingbot.core.event.events import MarketOrderFailureEvent, OrderFilledEvent
from hummingbot.strategy_v2.executors.order_executor.data_types import ExecutionStrategy, OrderExecutorConfig
from hummingbot.strategy_v2.executors.order_executor.order_executor import OrderExecutor
from hummingbot.strategy_v2.executors.position_executor.data_types import (
    PositionExecutorConfig,
    TripleBarrierConfig,
)
from hummingbot.strategy_v2.executors.position_executor.position_executor import PositionExecutor
from hummingbot.strategy_v2.models.executors import CloseType

from hummingbot_plugin.risk.paper_guard import is_simulated_connector
from hummingbot_plugin.simulation.engine.config import SimExchangeConfig
from hummingbot_plugin.simulation.engine.models import BookLevel, BookSnapshot, Side, TradePrint
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.exchange.session import SimSession

D = Decimal
PAIR = "BTC-USDT"
T0 = 1_723_161_600.0


def _make_exchange(**overrides: Any) -> SimulatedExchange:
    fields: dict[str, Any] = {
        "connector_name": "binance",
        "trading_pairs": (PAIR,),
        "balances": {"USDT": D(10000), "BTC": D(1)},
        "maker_fee": D("0.001"),
        "taker_fee": D("0.002"),
    }
    fields.update(overrides)
    return SimulatedExchange(SimExchangeConfig(**fields))


def _book(ts: float = T0, bid: str = "60000", ask: str = "60001") -> BookSnapshot:
    return BookSnapshot(
        ts,
        (BookLevel(D(bid), D(2)), BookLevel(D(bid) - 1, D(5))),
        (BookLevel(D(ask), D(3)), BookLevel(D(ask) + 1, D(5))),
    )


def _trade(price: str, amount: str, aggressor: Side, ts: float) -> TradePrint:
    return TradePrint(ts, D(price), D(amount), aggressor, f"x{ts}")


def _order_config(**overrides: Any) -> OrderExecutorConfig:
    fields: dict[str, Any] = {
        "timestamp": T0,
        "trading_pair": PAIR,
        "connector_name": "binance",
        "side": TradeType.BUY,
        "amount": D("0.01"),
        "execution_strategy": ExecutionStrategy.MARKET,
    }
    fields.update(overrides)
    return OrderExecutorConfig(**fields)


def _names(exchange: SimulatedExchange) -> list[str]:
    return [type(e).__name__ for e in exchange.journal.events]


def _session(tmp_path: Path, exchange: SimulatedExchange) -> SimSession:
    exchange.apply_book(PAIR, _book())
    return SimSession([exchange], start_ts=T0, db_path=tmp_path / "session.sqlite")


def _assert_reconciles(exchange: SimulatedExchange) -> None:
    assert set(exchange.ledger.reconcile().values()) == {D(0)}
    assert exchange.get_balance("USDT") == exchange.ledger.total("USDT")


def test_market_order_created_filled_completed(tmp_path: Path) -> None:
    exchange = _make_exchange()
    session = _session(tmp_path, exchange)

    async def scenario() -> OrderExecutor:
        await session.start()
        executor = session.start_executor(OrderExecutor, _order_config())
        await session.advance(3)
        return executor

    executor = session.run(scenario())
    assert _names(exchange) == ["BuyOrderCreatedEvent", "OrderFilledEvent", "BuyOrderCompletedEvent"]
    fill = next(e for e in exchange.journal.events if isinstance(e, OrderFilledEvent))
    assert (fill.price, fill.amount) == (D(60001), D("0.01"))
    assert fill.trade_fee.flat_fees[0].amount == D("600.01") * D("0.002")
    # OrderExecutor's contract: an executed order ends as a held position
    assert executor.is_closed and executor.close_type is CloseType.POSITION_HOLD
    assert exchange.get_balance("BTC") == D("1.01")
    assert exchange.get_balance("USDT") == D(10000) - D("600.01") * D("1.002")
    _assert_reconciles(exchange)


def test_resting_limit_queue_partial_fill_then_completion(tmp_path: Path) -> None:
    exchange = _make_exchange()
    session = _session(tmp_path, exchange)

    async def scenario() -> tuple[OrderExecutor, list[str], list[str]]:
        await session.start()
        executor = session.start_executor(
            OrderExecutor, _order_config(execution_strategy=ExecutionStrategy.LIMIT, price=D(60000))
        )
        await session.advance(2)
        exchange.apply_trade(PAIR, _trade("60000", "2", Side.SELL, T0 + 3))  # the 2 BTC queue ahead of us
        await session.advance(1)
        after_queue = _names(exchange)
        exchange.apply_trade(PAIR, _trade("60000", "0.004", Side.SELL, T0 + 4))
        await session.advance(1)
        after_partial = _names(exchange)
        assert not executor.is_closed
        exchange.apply_trade(PAIR, _trade("59999", "1", Side.SELL, T0 + 5))  # through our price
        await session.advance(2)
        return executor, after_queue, after_partial

    executor, after_queue, after_partial = session.run(scenario())
    assert after_queue == ["BuyOrderCreatedEvent"]
    assert after_partial == ["BuyOrderCreatedEvent", "OrderFilledEvent"]
    assert _names(exchange) == [
        "BuyOrderCreatedEvent",
        "OrderFilledEvent",
        "OrderFilledEvent",
        "BuyOrderCompletedEvent",
    ]
    fills = [e for e in exchange.journal.events if isinstance(e, OrderFilledEvent)]
    assert [f.amount for f in fills] == [D("0.004"), D("0.006")] and {f.price for f in fills} == {D(60000)}
    assert all(
        entry.is_maker and entry.fee_quote == entry.price * entry.amount * D("0.001")
        for entry in exchange.ledger.entries
    )
    assert executor.close_type is CloseType.POSITION_HOLD
    _assert_reconciles(exchange)


def test_cancel_releases_locked_funds(tmp_path: Path) -> None:
    exchange = _make_exchange()
    session = _session(tmp_path, exchange)

    async def scenario() -> tuple[Decimal, OrderExecutor]:
        await session.start()
        executor = session.start_executor(
            OrderExecutor, _order_config(execution_strategy=ExecutionStrategy.LIMIT, price=D(59000))
        )
        await session.advance(2)
        locked_available = exchange.get_available_balance("USDT")
        executor.early_stop()
        await session.advance(10)
        return locked_available, executor

    locked_available, executor = session.run(scenario())
    assert locked_available == D(10000) - D(590) * D("1.001")
    assert _names(exchange) == ["BuyOrderCreatedEvent", "OrderCancelledEvent"]
    assert exchange.get_available_balance("USDT") == D(10000) and executor.is_closed


def test_limit_maker_that_would_cross_fails_with_a_reason(tmp_path: Path) -> None:
    # Executors price post-only orders off the book they see; with order latency the book can move
    # before the order lands. Here the market drops through the bid while the order is in flight.
    exchange = _make_exchange(order_latency_s=2.0)
    session = _session(tmp_path, exchange)
    config = _position_config(open_order_type=OrderType.LIMIT_MAKER)
    config.entry_price = D(60000)

    async def scenario() -> PositionExecutor:
        await session.start()
        executor = session.start_executor(PositionExecutor, config)
        await session.advance(1)
        exchange.apply_book(PAIR, _book(T0 + 2, bid="59980", ask="59990"))
        await session.advance(3)
        return executor

    executor = session.run(scenario())
    failures = [e for e in exchange.journal.events if isinstance(e, MarketOrderFailureEvent)]
    assert failures and "would cross" in failures[0].error_message
    assert failures[0].order_type is OrderType.LIMIT_MAKER
    assert executor._current_retries >= 1  # the executor saw the failure and counts a retry
    assert exchange.ledger.entries == [] and exchange.get_balance("USDT") == D(10000)


@pytest.mark.parametrize(
    ("amount", "price", "message"),
    [
        (D("0.00001"), None, "lower than minimum notional"),
        (D("1"), None, "insufficient USDT balance"),
    ],
)
def test_orders_the_venue_would_refuse_fail_clearly(
    tmp_path: Path, amount: Decimal, price: Decimal | None, message: str
) -> None:
    exchange = _make_exchange()
    session = _session(tmp_path, exchange)

    async def scenario() -> None:
        await session.start()
        exchange.buy(PAIR, amount, OrderType.MARKET, price or D("NaN"))
        await session.advance(1)

    session.run(scenario())
    failures = [e for e in exchange.journal.events if isinstance(e, MarketOrderFailureEvent)]
    assert len(failures) == 1 and message in failures[0].error_message
    assert exchange.ledger.entries == []


def test_amount_and_price_are_quantised_to_the_trading_rules(tmp_path: Path) -> None:
    exchange = _make_exchange()
    session = _session(tmp_path, exchange)

    async def scenario() -> None:
        await session.start()
        exchange.buy(PAIR, D("0.0123456"), OrderType.LIMIT, D("59000.009"))
        await session.advance(1)

    session.run(scenario())
    created = exchange.journal.events[0]
    assert (created.amount, created.price) == (D("0.01234"), D("59000.00"))


def test_order_latency_keeps_the_order_out_of_the_book(tmp_path: Path) -> None:
    exchange = _make_exchange(order_latency_s=2.0)
    session = _session(tmp_path, exchange)

    async def scenario() -> list[str]:
        await session.start()
        exchange.buy(PAIR, D("0.01"), OrderType.LIMIT, D(60000.5))
        await session.advance(1)
        exchange.apply_trade(PAIR, _trade("60000.5", "1", Side.SELL, T0 + 2))  # before the order arrives
        seen = _names(exchange)
        await session.advance(3)
        exchange.apply_trade(PAIR, _trade("60000.5", "1", Side.SELL, T0 + 5))
        await session.advance(1)
        return seen

    assert session.run(scenario()) == []
    assert _names(exchange) == ["BuyOrderCreatedEvent", "OrderFilledEvent", "BuyOrderCompletedEvent"]


def _position_config(**barrier: Any) -> PositionExecutorConfig:
    fields: dict[str, Any] = {
        "stop_loss": D("0.01"),
        "take_profit": D("0.001"),
        "time_limit": 600,
        "open_order_type": OrderType.MARKET,
        "take_profit_order_type": OrderType.LIMIT,
    }
    fields.update(barrier)
    return PositionExecutorConfig(
        timestamp=T0,
        trading_pair=PAIR,
        connector_name="binance",
        side=TradeType.BUY,
        amount=D("0.01"),
        triple_barrier_config=TripleBarrierConfig(**fields),
    )


def test_position_executor_take_profit_through_resting_limit(tmp_path: Path) -> None:
    exchange = _make_exchange()
    session = _session(tmp_path, exchange)

    async def scenario() -> PositionExecutor:
        await session.start()
        executor = session.start_executor(PositionExecutor, _position_config())
        await session.advance(3)
        exchange.apply_trade(PAIR, _trade("60100", "1", Side.BUY, T0 + 5))  # buyers lift through our TP
        await session.advance(3)
        return executor

    executor = session.run(scenario())
    assert executor.close_type is CloseType.TAKE_PROFIT and executor.is_closed
    assert _names(exchange) == [
        "BuyOrderCreatedEvent",
        "OrderFilledEvent",
        "BuyOrderCompletedEvent",
        "SellOrderCreatedEvent",
        "OrderFilledEvent",
        "SellOrderCompletedEvent",
    ]
    tp_fill = exchange.ledger.entries[-1]
    assert tp_fill.price == D("60061.00") and tp_fill.is_maker  # 60001 × 1.001, quantised
    expected = D("0.01") * (D("60061.00") - D(60001)) - sum(e.fee_quote for e in exchange.ledger.entries)
    assert abs(Decimal(str(executor.net_pnl_quote)) - expected) < D("0.000001")
    _assert_reconciles(exchange)


def test_position_executor_time_limit_cancels_and_closes(tmp_path: Path) -> None:
    exchange = _make_exchange()
    session = _session(tmp_path, exchange)

    async def scenario() -> PositionExecutor:
        await session.start()
        executor = session.start_executor(PositionExecutor, _position_config(time_limit=30))
        await session.advance(60)
        return executor

    executor = session.run(scenario())
    assert executor.close_type is CloseType.TIME_LIMIT
    names = _names(exchange)
    assert "OrderCancelledEvent" in names and names[-1] == "SellOrderCompletedEvent"
    assert exchange.get_balance("BTC") == D(1)  # flat again
    _assert_reconciles(exchange)


def test_connector_surface_for_executors() -> None:
    exchange = _make_exchange()
    assert not exchange.ready
    exchange.apply_book(PAIR, _book())
    assert exchange.ready and is_simulated_connector(exchange)
    assert exchange.get_price_by_type(PAIR, PriceType.MidPrice) == D("60000.5")
    assert exchange.get_price_by_type(PAIR, PriceType.BestAsk) == D(60001)
    assert exchange.trading_rules[PAIR].min_notional_size == D(5)
    assert exchange.get_order_book(PAIR).get_price(False) == 60000.0


def test_virtual_time_loop_runs_simulated_days_without_waiting() -> None:
    import asyncio

    from hummingbot_plugin.simulation.exchange.virtual_loop import VirtualTimeLoop, current_loop, restore_loop

    loop = VirtualTimeLoop(T0)
    seen: list[tuple[float, str]] = []

    async def sleeper(name: str, every: float, times: int) -> None:
        for _ in range(times):
            await asyncio.sleep(every)
            seen.append((loop.time() - T0, name))

    async def both() -> None:
        await asyncio.gather(sleeper("hourly", 3600.0, 48), sleeper("daily", 86400.0, 2))

    previous = current_loop()
    try:
        loop.run_until_complete(both())
    finally:
        loop.close()
        restore_loop(previous)
    # (finishing at all shows nothing slept in real time: two simulated days passed)
    assert [t for t, _ in seen] == sorted(t for t, _ in seen)  # simulated time never goes back
    assert seen[-1][0] == 172800.0 and {name for t, name in seen if t == 86400.0} == {"hourly", "daily"}
    assert len(seen) == 50


def test_replay_market_data_provider_serves_only_closed_candles() -> None:
    import pandas as pd
    from hummingbot.data_feed.candles_feed.data_types import CandlesConfig

    from hummingbot_plugin.simulation.engine.candle_store import CandleStore
    from hummingbot_plugin.simulation.exchange.market_data import ReplayMarketDataProvider

    bars = pd.DataFrame(
        {
            "timestamp": [T0 + 60 * i for i in range(10)],
            "open": 1.0,
            "high": 2.0,
            "low": 0.5,
            "close": [float(i) for i in range(10)],
            "volume": 1.0,
        }
    )
    store = CandleStore()
    store.add("binance", PAIR, bars, "1m")
    clock = {"now": T0 + 60 * 5 + 30}  # bar 5 is still forming
    provider = ReplayMarketDataProvider({}, candles=store, now=lambda: clock["now"])
    assert provider.time() == T0 + 330
    df = provider.get_candles_df("binance", PAIR, "1m", 100)
    assert df["close"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    feed = provider.get_candles_feed(
        CandlesConfig(connector="binance", trading_pair=PAIR, interval="1m", max_records=2)
    )
    clock["now"] = T0 + 600
    assert feed.ready and feed.candles_df["close"].tolist() == [8.0, 9.0]
