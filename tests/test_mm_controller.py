"""PMM controller: config validation, per-level replacement, risk-state quote pulling, Hummingbot's engine."""

from __future__ import annotations

import asyncio
import importlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.executors.data_types import PositionSummary
from hummingbot.strategy_v2.executors.order_executor.data_types import ExecutionStrategy, OrderExecutorConfig
from hummingbot.strategy_v2.models.base import RunnableStatus
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction
from hummingbot.strategy_v2.models.executors import CloseType
from hummingbot.strategy_v2.models.executors_info import ExecutorInfo
from pydantic import ValidationError
from risk_hb_factories import make_executor_info

from hummingbot_plugin.data import load_candles
from hummingbot_plugin.hb.config_discovery import ensure_project_importable
from hummingbot_plugin.hb.risk_gate import RiskGate
from hummingbot_plugin.simulation.backtest.offline_provider import OfflineDataProvider
from hummingbot_plugin.simulation.backtest.offline_run import run_offline

ensure_project_importable()
_pmm = importlib.import_module("controllers.market_making.pmm_forecast")
PMMForecastConfig = _pmm.PMMForecastConfig
PMMForecastController = _pmm.PMMForecastController

ONE_MINUTE = "binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv"


def _make_config(**overrides: Any) -> PMMForecastConfig:
    base: dict[str, Any] = {
        "id": "pmm_test",
        "connector_name": "binance",
        "trading_pair": "BTC-USDT",
        "buy_spreads": "0.003,0.006",
        "sell_spreads": "0.003,0.006",
        "total_amount_quote": 1000,
        "executor_refresh_time": 10_000,
        "filled_order_delay": 60,
        "volatility_window": 20,
        "candles_interval": "1m",
    }
    base.update(overrides)
    return PMMForecastConfig(**base)


@pytest.fixture(scope="module")
def candles(shared_data_dir: Path) -> Any:
    return load_candles(shared_data_dir / ONE_MINUTE).iloc[:900].reset_index(drop=True)


def _make_controller(candles: Any, **overrides: Any) -> tuple[PMMForecastController, float]:
    provider = OfflineDataProvider(candles, "1m", source="test")
    now = float(candles["timestamp"].iloc[-1])
    provider.update_backtesting_time(int(candles["timestamp"].iloc[0]), int(now))
    provider.prices = {"binance_BTC-USDT": Decimal(str(candles["close"].iloc[-1]))}
    provider._time = now
    controller = PMMForecastController(
        _make_config(**overrides), market_data_provider=provider, actions_queue=asyncio.Queue()
    )
    asyncio.run(controller.update_processed_data())
    return controller, now


def _make_executor(level_id: str, now: float, **overrides: Any) -> ExecutorInfo:
    side = TradeType.BUY if level_id.startswith("buy") else TradeType.SELL
    config = OrderExecutorConfig(
        timestamp=now - 30,
        connector_name="binance",
        trading_pair="BTC-USDT",
        side=side,
        amount=Decimal("0.001"),
        price=Decimal("60000"),
        level_id=level_id,
        execution_strategy=ExecutionStrategy.LIMIT_MAKER,
        id=f"ex-{level_id}",
    )
    values: dict[str, Any] = {
        "timestamp": now - 30,
        "type": "order_executor",
        "config": config,
        "custom_info": {"level_id": level_id, "side": side},
        "controller_id": "pmm_test",
    }
    return make_executor_info(f"ex-{level_id}", **(values | overrides))


def _split(actions: list[Any]) -> tuple[list[str], list[str]]:
    creates = [a.executor_config.level_id for a in actions if isinstance(a, CreateExecutorAction)]
    stops = [a.executor_id for a in actions if isinstance(a, StopExecutorAction)]
    return creates, stops


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"connector_name": None}, "connector_name"),
        ({"trading_pair": "btcusdt"}, "trading_pair"),
        ({"leverage": 0}, "leverage"),
        ({"buy_spreads": "-0.01"}, "buy_spreads"),
        ({"maker_fee": "0.5"}, "maker_fee"),
        ({"price_floor": 70_000, "price_ceiling": 60_000}, "price_floor"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"quote_risk_override": "PANIC"}, "quote_risk_override"),
    ],
)
def test_invalid_config_names_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        _make_config(**overrides)


def test_defaults_are_safe() -> None:
    cfg = _make_config()
    assert cfg.leverage == 1 and cfg.skip_rebalance is True and cfg.model_dir is None
    with pytest.raises(ValidationError):
        PMMForecastConfig(id="x", buy_spreads="0.01", sell_spreads="0.01")  # venue and pair are required
    assert cfg.price_ceiling is None and _make_config(price_ceiling=-1).price_ceiling is None


def test_a_filled_level_is_replaced_while_the_others_rest(candles: Any) -> None:
    controller, now = _make_controller(candles)
    controller.executors_info = [
        _make_executor(
            "buy_0",
            now,
            is_active=False,
            status=RunnableStatus.TERMINATED,
            close_timestamp=now - 90,
            close_type=CloseType.POSITION_HOLD,
            filled_amount_quote=Decimal(60),
        ),
        *[_make_executor(lid, now) for lid in ("buy_1", "sell_0", "sell_1")],
    ]
    assert _split(controller.determine_executor_actions()) == (["buy_0"], [])
    controller.executors_info[0] = controller.executors_info[0].model_copy(
        update={"close_timestamp": now - 10}
    )
    assert _split(controller.determine_executor_actions()) == ([], [])  # filled_order_delay not elapsed


def test_halted_override_pulls_every_resting_quote(candles: Any) -> None:
    controller, now = _make_controller(candles, quote_risk_override="HALTED")
    controller.executors_info = [_make_executor(lid, now) for lid in ("buy_0", "sell_0")]
    creates, stops = _split(controller.determine_executor_actions())
    assert creates == [] and sorted(stops) == ["ex-buy_0", "ex-sell_0"]
    assert controller.processed_data["risk_state"] == "HALTED"


def test_reducing_with_long_inventory_quotes_only_asks(candles: Any) -> None:
    controller, now = _make_controller(candles, quote_risk_override="REDUCING")
    controller.positions_held = [
        PositionSummary(
            connector_name="binance",
            trading_pair="BTC-USDT",
            volume_traded_quote=Decimal(300),
            side=TradeType.BUY,
            amount=Decimal("0.005"),
            breakeven_price=Decimal(60000),
            unrealized_pnl_quote=Decimal(0),
            realized_pnl_quote=Decimal(0),
            cum_fees_quote=Decimal(0),
        )
    ]
    controller.executors_info = [_make_executor("buy_1", now)]
    creates, stops = _split(controller.determine_executor_actions())
    assert sorted(creates) == ["sell_0", "sell_1"] and stops == ["ex-buy_1"]


def test_the_team_risk_gate_state_pulls_quotes(candles: Any, tmp_path: Path) -> None:
    controller, now = _make_controller(candles)
    controller.risk_gate = RiskGate.for_controller(controller, state_dir=tmp_path)
    controller.risk_gate.guard.halt("test kill switch", now)
    controller.executors_info = [_make_executor("sell_1", now)]
    assert _split(controller.determine_executor_actions()) == ([], ["ex-sell_1"])


def test_orders_respect_the_fee_floor_and_band(candles: Any) -> None:
    controller, _ = _make_controller(candles, maker_fee="0.002", price_ceiling=10)
    mid = float(candles["close"].iloc[-1])
    actions = controller.determine_executor_actions()
    sides = {a.executor_config.side for a in actions}
    assert sides == {TradeType.SELL}  # the ceiling (10) is below the market: no bids
    for a in actions:
        assert float(a.executor_config.price) >= mid * (1 + 2 * 0.002 + 0.0002) - 1e-6
        assert a.executor_config.execution_strategy == ExecutionStrategy.LIMIT_MAKER
        assert a.executor_config.leverage == 1


def test_runs_through_hummingbots_backtesting_engine(candles: Any) -> None:
    cfg = _make_config(executor_refresh_time=120, volatility_window=30)
    start = int(candles["timestamp"].iloc[60])
    run = run_offline(
        cfg,
        candles,
        "1m",
        start=start,
        end=int(candles["timestamp"].iloc[-1]),
        resolution="1m",
        fee=0.001,
        source="test",
    )
    close = dict(zip(candles["timestamp"], candles["close"], strict=True))
    configs = [e.config for e in run.executors]
    assert {c.level_id for c in configs} == {"buy_0", "buy_1", "sell_0", "sell_1"}
    assert min(c.timestamp for c in configs) >= start
    floor = 2 * float(cfg.maker_fee) + float(cfg.min_profit_margin)
    for c in configs:
        mid = close[c.timestamp]
        if c.side == TradeType.BUY:
            assert float(c.price) <= mid * (1 - floor) + 1e-6
        else:
            assert float(c.price) >= mid * (1 + floor) - 1e-6
    assert any(e.close_type == CloseType.POSITION_HOLD for e in run.executors)  # some quotes filled
