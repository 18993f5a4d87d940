"""Market data reaches everything waking at the same simulated time; the book reports its freshness."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from hummingbot_plugin.simulation.engine.config import SimExchangeConfig
from hummingbot_plugin.simulation.engine.models import BookLevel, BookSnapshot
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.exchange.virtual_loop import VirtualTimeLoop, current_loop, restore_loop

T0 = 1_700_000_000.0
PAIR = "BTC-USDT"


def _run(loop: VirtualTimeLoop, coro: object) -> None:
    previous = current_loop()
    try:
        loop.run_until_complete(coro)  # type: ignore[arg-type]
    finally:
        loop.close()
        restore_loop(previous)


@pytest.mark.parametrize("controller_first", [True, False])
def test_data_due_at_t_runs_before_every_other_timer_due_at_t(controller_first: bool) -> None:
    loop = VirtualTimeLoop(T0)
    seen: list[tuple[float, str]] = []

    async def controller() -> None:
        await asyncio.sleep(900.0)
        seen.append((loop.time() - T0, "controller"))

    async def driver() -> None:
        await loop.data_due(T0 + 900.0)
        seen.append((loop.time() - T0, "data"))

    async def both() -> None:
        first, second = (controller(), driver()) if controller_first else (driver(), controller())
        await asyncio.gather(first, second)

    _run(loop, both())
    assert seen == [(900.0, "data"), (900.0, "controller")]


def test_a_data_waiter_alone_still_jumps_simulated_time() -> None:
    loop = VirtualTimeLoop(T0)

    async def driver() -> float:
        await loop.data_due(T0 + 86_400.0)
        return loop.time()

    result: list[float] = []

    async def main() -> None:
        result.append(await driver())

    _run(loop, main())
    assert result == [T0 + 86_400.0]


def test_book_timestamp_is_data_time_in_book_mode_and_until_the_next_point_in_candle_mode() -> None:
    previous = current_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)  # connectors bind to the current loop when they are built
    try:
        exchange = SimulatedExchange(
            SimExchangeConfig(connector_name="binance", trading_pairs=(PAIR,), balances={"USDT": Decimal(1)})
        )
        assert exchange.book_timestamp(PAIR) is None
        level = BookLevel(Decimal(100), Decimal(1))
        exchange.apply_book(PAIR, BookSnapshot(T0, (level,), (BookLevel(Decimal(101), Decimal(1)),)))
        assert exchange.book_timestamp(PAIR) == T0
        exchange.apply_price(PAIR, Decimal(100), T0 + 900.0, hold_s=900.0)
        assert exchange.book_timestamp(PAIR) == T0 + 1800.0
    finally:
        loop.close()
        restore_loop(previous)
