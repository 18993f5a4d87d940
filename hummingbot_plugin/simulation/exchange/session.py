"""A small live-like runtime around simulated exchanges, for tests and scenario scripts.

It is the replay runtime without files: a :class:`VirtualTimeLoop`, one or more
:class:`SimulatedExchange` venues, a real MarketsRecorder, a plain StrategyV2Base (so executors get the
strategy object they expect) and a BACKTEST ``Clock``. Feed books/trades yourself, start real executors,
and ``await session.advance(seconds)`` to let simulated time pass::

    session = SimSession([exchange], start_ts=1_700_000_000.0, db_path=tmp / "s.sqlite")
    async def scenario():
        await session.start()
        exchange.apply_book("BTC-USDT", snapshot)
        executor = session.start_executor(PositionExecutor, config)
        await session.advance(5)
    session.run(scenario())
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

from hummingbot.core.clock import Clock
from hummingbot.core.clock_mode import ClockMode
from hummingbot.strategy.strategy_v2_base import StrategyV2Base

from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.exchange.runtime import (
    headless_application,
    markets_recorder,
    rate_oracle_connectors,
)
from hummingbot_plugin.simulation.exchange.virtual_loop import VirtualTimeLoop, current_loop, restore_loop

__all__ = ["PlainV2Strategy", "SimSession"]

T = TypeVar("T")


class PlainV2Strategy(StrategyV2Base):
    """StrategyV2Base in 'simple script' mode: no controllers, no proposals of its own."""

    def create_actions_proposal(self) -> list[Any]:
        return []

    def stop_actions_proposal(self) -> list[Any]:
        return []


class SimSession:
    """Virtual-time runtime for simulated exchanges (see module docstring)."""

    def __init__(
        self, exchanges: list[SimulatedExchange], *, start_ts: float, db_path: Path, tick_size: float = 1.0
    ) -> None:
        self.exchanges = {e.name: e for e in exchanges}
        self.loop = VirtualTimeLoop(start_ts)
        self.tick_size = tick_size
        self._db_path = db_path
        self._stack = ExitStack()
        self.strategy: PlainV2Strategy | None = None
        self.clock: Clock | None = None
        self.recorder: Any = None

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a scenario to completion on the session's loop, then tear everything down."""
        previous = current_loop()
        asyncio.set_event_loop(self.loop)
        try:
            return self.loop.run_until_complete(coro)
        finally:
            self._stack.close()
            if self.recorder is not None:
                self.recorder.stop()
                type(self.recorder)._shared_instance = None
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for task in pending:
                task.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.close()
            restore_loop(previous)

    async def start(self) -> PlainV2Strategy:
        """Build recorder, strategy and clock (inside the running loop), tick once."""
        self._stack.enter_context(headless_application())
        self._stack.enter_context(rate_oracle_connectors(list(self.exchanges.values())))
        self.recorder = markets_recorder(self._db_path, list(self.exchanges.values()), "sim_session")
        self.strategy = PlainV2Strategy(dict(self.exchanges))
        self.clock = Clock(ClockMode.BACKTEST, tick_size=self.tick_size, start_time=self.loop.time())
        for exchange in self.exchanges.values():
            self.clock.add_iterator(exchange)
        self.clock.add_iterator(self.strategy)
        await self.advance(self.tick_size)
        return self.strategy

    async def advance(self, seconds: float) -> None:
        """Let ``seconds`` of simulated time pass, ticking the clock on its grid."""
        assert self.clock is not None, "call start() first"
        end = self.loop.time() + seconds
        while True:
            next_tick = self.clock.current_timestamp + self.tick_size
            if next_tick > end + 1e-9:
                break
            await asyncio.sleep(max(0.0, next_tick - self.loop.time()))
            self.clock.backtest_til(next_tick)
        if end > self.loop.time():
            await asyncio.sleep(end - self.loop.time())

    def start_executor(self, executor_class: type[T], config: Any, update_interval: float = 1.0) -> T:
        """Instantiate a real Hummingbot executor on this session's strategy and start it."""
        assert self.strategy is not None, "call start() first"
        executor = executor_class(strategy=self.strategy, config=config, update_interval=update_interval)  # type: ignore[call-arg]
        executor.start()  # type: ignore[attr-defined]
        return executor
