"""Real Hummingbot objects for the risk-gate adapter tests.

The venue is the plugin's simulated exchange (a real ExchangePyBase connector fed locally) and the
market data provider is the replay provider, whose clock the test drives: nothing is mocked.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
    DirectionalTradingControllerBase,
    DirectionalTradingControllerConfigBase,
)
from hummingbot.strategy_v2.executors.position_executor.data_types import PositionExecutorConfig
from hummingbot.strategy_v2.models.base import RunnableStatus
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction
from hummingbot.strategy_v2.models.executors import CloseType
from hummingbot.strategy_v2.models.executors_info import ExecutorInfo
from pydantic import Field

from hummingbot_plugin.audit import AuditLog
from hummingbot_plugin.hb.risk_gate import RiskGate, RiskGatedController
from hummingbot_plugin.risk import JsonStateStore, RiskGuard, RiskLimits
from hummingbot_plugin.simulation.engine.candle_store import CandleStore
from hummingbot_plugin.simulation.engine.config import PairRules, SimExchangeConfig
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.exchange.market_data import ReplayMarketDataProvider

T0 = 1_700_000_000.0
PAIR = "BTC-USDT"
VENUE = "binance"


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class GateTestConfig(DirectionalTradingControllerConfigBase):
    controller_name: str = "gate_test"
    connector_name: str = VENUE
    trading_pair: str = PAIR
    leverage: int = 1
    risk: RiskLimits = Field(default_factory=RiskLimits, json_schema_extra={"is_updatable": True})


class GateTestController(RiskGatedController, DirectionalTradingControllerBase):
    """A minimal directional controller whose signal the test sets."""

    next_signal = 0

    async def update_processed_data(self) -> None:
        self.processed_data = {"signal": self.next_signal}


def ensure_event_loop() -> None:
    """Hummingbot connectors need a current event loop; a previous test may have unset it."""
    try:
        asyncio.get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())


def make_exchange(price: Decimal = Decimal("100"), now: float = T0) -> SimulatedExchange:
    ensure_event_loop()
    rules = PairRules(
        trading_pair=PAIR, min_price_increment=Decimal("0.01"), min_base_amount_increment=Decimal("0.0001")
    )
    exchange = SimulatedExchange(
        SimExchangeConfig(
            connector_name=VENUE, trading_pairs=(PAIR,), balances={"USDT": Decimal(100_000)}, rules=(rules,)
        )
    )
    exchange.apply_price(PAIR, price, now)
    return exchange


def make_controller(
    tmp_path: Path, clock: Clock, exchange: SimulatedExchange | None = None, **risk: Any
) -> GateTestController:
    exchange = exchange or make_exchange(now=clock.now)
    provider = ReplayMarketDataProvider({VENUE: exchange}, candles=CandleStore(), now=clock)
    limits = RiskLimits(**{"max_open_executors": 1000, "max_total_exposure_quote": Decimal(10**6), **risk})
    config = GateTestConfig(id="ctrl-1", total_amount_quote=Decimal(1000), risk=limits)
    controller = GateTestController(config, provider, asyncio.Queue())
    audit = AuditLog(tmp_path / "audit")
    guard = RiskGuard(limits, JsonStateStore(tmp_path / "state" / "ctrl-1.json"), audit, scope="ctrl-1")
    controller.risk_gate = RiskGate(guard, audit)
    return controller


def make_position_config(**overrides: Any) -> PositionExecutorConfig:
    values: dict[str, Any] = {
        "timestamp": T0,
        "connector_name": VENUE,
        "trading_pair": PAIR,
        "side": TradeType.BUY,
        "amount": Decimal("0.1"),
        "entry_price": Decimal("100"),
    }
    values.update(overrides)
    return PositionExecutorConfig(**values)


def make_create(**overrides: Any) -> CreateExecutorAction:
    return CreateExecutorAction(controller_id="ctrl-1", executor_config=make_position_config(**overrides))


def make_executor_info(executor_id: str, **overrides: Any) -> ExecutorInfo:
    values: dict[str, Any] = {
        "id": executor_id,
        "timestamp": T0,
        "type": "position_executor",
        "status": RunnableStatus.RUNNING,
        "config": make_position_config(id=executor_id),
        "net_pnl_pct": Decimal(0),
        "net_pnl_quote": Decimal(0),
        "cum_fees_quote": Decimal(0),
        "filled_amount_quote": Decimal(0),
        "is_active": True,
        "is_trading": False,
        "custom_info": {"side": TradeType.BUY},
        "controller_id": "ctrl-1",
    }
    values.update(overrides)
    return ExecutorInfo(**values)


def make_closed_stop_loss(executor_id: str, close_ts: float) -> ExecutorInfo:
    return make_executor_info(
        executor_id,
        status=RunnableStatus.TERMINATED,
        is_active=False,
        close_type=CloseType.STOP_LOSS,
        close_timestamp=close_ts,
    )
