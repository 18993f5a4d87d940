"""XEMM controller on two simulated venues: markets, per-level executors, size caps, risk hooks."""

from __future__ import annotations

import asyncio
import importlib
from decimal import Decimal
from typing import Any

import pytest
from hummingbot.core.data_type.common import MarketDict, TradeType
from hummingbot.strategy_v2.executors.data_types import ConnectorPair
from hummingbot.strategy_v2.executors.xemm_executor.data_types import XEMMExecutorConfig
from hummingbot.strategy_v2.models.base import RunnableStatus
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction
from hummingbot.strategy_v2.models.executors import CloseType
from hummingbot.strategy_v2.models.executors_info import ExecutorInfo
from pydantic import ValidationError
from risk_hb_factories import make_executor_info

from hummingbot_plugin.hb.config_discovery import ensure_project_importable
from hummingbot_plugin.mm import xemm_logic
from hummingbot_plugin.simulation.engine.candle_store import CandleStore
from hummingbot_plugin.simulation.engine.config import SimExchangeConfig
from hummingbot_plugin.simulation.engine.models import BookLevel, BookSnapshot
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.exchange.market_data import ReplayMarketDataProvider

ensure_project_importable()
_xemm = importlib.import_module("controllers.generic.xemm_forecast")
XEMMForecastConfig = _xemm.XEMMForecastConfig
XEMMForecastController = _xemm.XEMMForecastController
NOW = 1_700_000_000.0


def _make_config(**overrides: Any) -> Any:
    base: dict[str, Any] = {
        "id": "xemm_test",
        "maker_connector": "binance",
        "maker_trading_pair": "BTC-USDT",
        "taker_connector": "kucoin",
        "taker_trading_pair": "BTC-USDT",
        "buy_targets": "0.003,0.006",
        "buy_amounts_quote": "200,200",
        "sell_targets": "0.003",
        "sell_amounts_quote": "200",
        "min_profitability": "0.002",
    }
    base.update(overrides)
    return XEMMForecastConfig(**base)


def _venue(name: str, btc: str, mid: float, depth: str = "2") -> SimulatedExchange:
    # The exchanges' network cannot exist here: the team's simulated venue stands in for it.
    ex = SimulatedExchange(
        SimExchangeConfig(
            connector_name=name,
            trading_pairs=("BTC-USDT",),
            balances={"USDT": Decimal(20_000), "BTC": Decimal(btc)},
        )
    )
    half = Decimal(str(mid)) * Decimal("0.00005")
    bids = tuple(BookLevel(Decimal(str(mid)) - half - i, Decimal(depth)) for i in range(5))
    asks = tuple(BookLevel(Decimal(str(mid)) + half + i, Decimal(depth)) for i in range(5))
    ex.apply_book("BTC-USDT", BookSnapshot(NOW, bids, asks))
    return ex


@pytest.fixture(autouse=True)
def loop() -> Any:
    """Hummingbot connectors need a current event loop when they are built."""
    new_loop = asyncio.new_event_loop()
    asyncio.set_event_loop(new_loop)
    yield new_loop
    asyncio.set_event_loop(None)
    new_loop.close()


def _make_controller(
    maker_btc: str = "0.5", taker_btc: str = "0.5", depth: str = "2", **overrides: Any
) -> Any:
    venues = {
        "binance": _venue("binance", maker_btc, 60_000.0, depth),
        "kucoin": _venue("kucoin", taker_btc, 60_010.0, depth),
    }
    provider = ReplayMarketDataProvider(venues, candles=CandleStore(), now=lambda: NOW)
    controller = XEMMForecastController(
        _make_config(**overrides), market_data_provider=provider, actions_queue=asyncio.Queue()
    )
    asyncio.get_event_loop().run_until_complete(controller.update_processed_data())
    return controller


def _executor(level_id: str, **overrides: Any) -> ExecutorInfo:
    maker = ConnectorPair(connector_name="binance", trading_pair="BTC-USDT")
    taker = ConnectorPair(connector_name="kucoin", trading_pair="BTC-USDT")
    is_buy = level_id.startswith("buy")
    eid = xemm_logic.executor_id(level_id, "xemm_test", NOW - 500)
    config = XEMMExecutorConfig(
        id=eid,
        timestamp=NOW - 500,
        buying_market=maker if is_buy else taker,
        selling_market=taker if is_buy else maker,
        maker_side=TradeType.BUY if is_buy else TradeType.SELL,
        order_amount=Decimal("0.003"),
        min_profitability=Decimal("0.002"),
        target_profitability=Decimal("0.003"),
        max_profitability=Decimal("0.005"),
    )
    values: dict[str, Any] = {
        "timestamp": NOW - 500,
        "type": "xemm_executor",
        "config": config,
        "custom_info": {},
        "controller_id": "xemm_test",
    }
    return make_executor_info(eid, **(values | overrides))


def _split(actions: list[Any]) -> tuple[dict[str, XEMMExecutorConfig], list[str]]:
    creates = {
        xemm_logic.level_of_executor(a.executor_config.id) or "": a.executor_config
        for a in actions
        if isinstance(a, CreateExecutorAction)
    }
    return creates, [a.executor_id for a in actions if isinstance(a, StopExecutorAction)]


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"maker_connector": ""}, "maker_connector"),
        ({"taker_trading_pair": "BTCUSDT"}, "taker_trading_pair"),
        ({"buy_targets": "0.001"}, "buy_targets"),
        ({"buy_amounts_quote": "200"}, "same number"),
        ({"taker_connector": "binance"}, "must differ"),
        ({"taker_trading_pair": "BTC-USDC"}, "quote asset"),
        ({"order_size_taker_volume_factor": "1.5"}, "order_size_taker_volume_factor"),
        ({"connector_name": "binance"}, "connector_name"),  # extra fields are forbidden
    ],
)
def test_invalid_config_is_rejected(overrides: dict[str, Any], match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        _make_config(**overrides)


def test_both_markets_are_registered_and_maker_is_the_connector_name() -> None:
    cfg = _make_config()
    assert cfg.update_markets(MarketDict()) == {"binance": {"BTC-USDT"}, "kucoin": {"BTC-USDT"}}
    assert (cfg.connector_name, cfg.trading_pair) == ("binance", "BTC-USDT")


def test_every_level_gets_its_own_xemm_executor() -> None:
    controller = _make_controller()
    creates, stops = _split(controller.determine_executor_actions())
    assert sorted(creates) == ["buy_0", "buy_1", "sell_0"] and stops == []
    buy = creates["buy_1"]
    assert buy.maker_side == TradeType.BUY and buy.buying_market.connector_name == "binance"
    assert buy.selling_market.connector_name == "kucoin"
    assert buy.target_profitability == Decimal("0.006") and buy.max_profitability == Decimal("0.008")
    assert creates["sell_0"].selling_market.connector_name == "binance"
    assert all(c.timestamp == NOW for c in creates.values())


def test_a_done_level_is_replaced_while_the_others_run() -> None:
    controller = _make_controller()
    controller.executors_info = [
        _executor(
            "buy_0",
            is_active=False,
            status=RunnableStatus.TERMINATED,
            close_type=CloseType.COMPLETED,
            close_timestamp=NOW - 120,
            filled_amount_quote=Decimal(180),
        ),
        _executor("buy_1"),
        _executor("sell_0"),
    ]
    creates, stops = _split(controller.determine_executor_actions())
    assert list(creates) == ["buy_0"] and stops == []


def test_size_is_capped_by_taker_depth() -> None:
    controller = _make_controller(depth="0.001")  # 5 levels x 0.001 BTC, 25 % usable
    creates, _ = _split(controller.determine_executor_actions())
    assert all(c.order_amount == pytest.approx(Decimal("0.00125")) for c in creates.values())


def test_base_concentrated_on_the_maker_venue_stops_maker_buys() -> None:
    controller = _make_controller(maker_btc="0.95", taker_btc="0.05")
    controller.executors_info = [_executor("buy_1")]
    creates, stops = _split(controller.determine_executor_actions())
    assert list(creates) == ["sell_0"] and stops == [controller.executors_info[0].id]
    assert controller.processed_data["risk_state"] == "REDUCING"


def test_repeated_hedge_failures_halt_both_venues() -> None:
    controller = _make_controller()
    failed = [
        _executor(
            f"buy_{i % 2}",
            is_active=False,
            status=RunnableStatus.TERMINATED,
            close_type=CloseType.FAILED,
            close_timestamp=NOW - 60 * i,
        )
        for i in range(3)
    ]
    controller.executors_info = [*failed, _executor("sell_0")]
    creates, stops = _split(controller.determine_executor_actions())
    assert creates == {} and stops == [controller.executors_info[-1].id]
    assert "hedge failures" in " ".join(controller.processed_data["risk_reasons"])


def test_missing_venue_data_fails_closed() -> None:
    controller = _make_controller()
    del controller.market_data_provider.connectors["kucoin"]
    controller.processed_data.clear()
    creates, _ = _split(controller.determine_executor_actions())
    assert creates == {} and controller.processed_data["risk_state"] == "HALTED"


def test_an_unknown_venue_or_price_is_no_price_but_a_coding_bug_raises() -> None:
    module = importlib.import_module("controllers.generic.xemm_forecast")
    read = module.XEMMForecastController._read

    def missing_venue() -> float:
        raise KeyError("kucoin")

    def no_book() -> float:
        raise ValueError("No order book exists for 'BTC-USDT'.")

    def bug() -> float:
        raise AttributeError("'NoneType' object has no attribute 'get_price'")

    assert read(None, missing_venue) is None
    assert read(None, no_book) is None
    assert read(None, lambda: None) is None
    assert read(None, lambda: Decimal("101.5")) == 101.5
    with pytest.raises(AttributeError):
        read(None, bug)
