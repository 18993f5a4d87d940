"""Risk snapshot and requests on Hummingbot's REAL XEMMExecutorConfig (two venues, no connector_name)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.executors.data_types import ConnectorPair
from hummingbot.strategy_v2.executors.xemm_executor.data_types import XEMMExecutorConfig
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction
from risk_hb_factories import PAIR, T0, VENUE, Clock, make_controller, make_executor_info

from hummingbot_plugin.hb.risk_snapshot import markets_of, pair_keys, request_from_action
from hummingbot_plugin.risk import Side

TAKER = "kucoin"


def _make_xemm_config(maker_side: TradeType = TradeType.BUY, **overrides: object) -> XEMMExecutorConfig:
    maker = ConnectorPair(connector_name=VENUE, trading_pair=PAIR)
    taker = ConnectorPair(connector_name=TAKER, trading_pair=PAIR)
    buy = maker_side == TradeType.BUY
    fields: dict[str, object] = {
        "id": "xemm-1",
        "timestamp": T0,
        "buying_market": maker if buy else taker,
        "selling_market": taker if buy else maker,
        "maker_side": maker_side,
        "order_amount": Decimal("0.1"),
        "min_profitability": Decimal("0.001"),
        "target_profitability": Decimal("0.002"),
        "max_profitability": Decimal("0.004"),
    }
    fields.update(overrides)
    return XEMMExecutorConfig(**fields)  # type: ignore[arg-type]


def test_executor_info_of_an_xemm_has_no_connector_name() -> None:
    """The Hummingbot behaviour the snapshot must not rely on."""
    info = make_executor_info("xemm-1", type="xemm_executor", config=_make_xemm_config())
    with pytest.raises(AttributeError):
        _ = info.connector_name
    assert markets_of(info.config) == [(VENUE, PAIR), (TAKER, PAIR)]


def test_pair_keys_cover_both_venues_of_an_xemm_executor() -> None:
    info = make_executor_info("xemm-1", type="xemm_executor", config=_make_xemm_config(TradeType.SELL))
    keys = pair_keys(object(), [info], [])
    assert sorted(keys) == sorted([(VENUE, PAIR), (TAKER, PAIR)])


def test_gate_with_a_running_xemm_executor_builds_its_snapshot_and_keeps_reviewing(tmp_path: Path) -> None:
    clock = Clock()
    controller = make_controller(tmp_path, clock, max_pair_exposure_quote=Decimal("15"))
    running = make_executor_info("xemm-1", type="xemm_executor", config=_make_xemm_config())
    controller.executors_info = [running]
    second = CreateExecutorAction(controller_id="ctrl-1", executor_config=_make_xemm_config(id="xemm-2"))
    # the running maker BUY of 0.1 at mid 100 already pends 10 quote: another 10 breaks the 15 cap
    assert controller.risk_gate.filter_actions(controller, [second]) == []
    snapshot = controller.risk_gate.last_snapshot
    assert snapshot is not None
    maker, taker = snapshot.pair(VENUE, PAIR), snapshot.pair(TAKER, PAIR)
    assert maker is not None and taker is not None
    assert maker.pending_buy_quote == Decimal("10") and maker.mid_price == Decimal("100")
    assert taker.mid_price is None  # no such connector in this test: unknown price, never a crash


@pytest.mark.parametrize(("maker_side", "side"), [(TradeType.BUY, Side.BUY), (TradeType.SELL, Side.SELL)])
def test_request_from_an_xemm_create_is_the_maker_leg(maker_side: TradeType, side: Side) -> None:
    action = CreateExecutorAction(controller_id="ctrl-1", executor_config=_make_xemm_config(maker_side))
    request = request_from_action(action, Decimal("101"))
    assert request is not None
    assert (request.connector_name, request.trading_pair, request.side) == (VENUE, PAIR, side)
    assert request.amount_base * request.price == Decimal("0.1") * Decimal("101")
    assert request.executor_id == "xemm-1"


def test_xemm_create_without_a_maker_price_cannot_be_assessed() -> None:
    action = CreateExecutorAction(controller_id="ctrl-1", executor_config=_make_xemm_config())
    assert request_from_action(action, None) is None
