"""RiskGate adapter, real Hummingbot classes: ExecutorInfo, CreateExecutorAction, PositionExecutorConfig."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.executors.order_executor.data_types import ExecutionStrategy, OrderExecutorConfig
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction
from risk_hb_factories import (
    PAIR,
    T0,
    VENUE,
    Clock,
    make_closed_stop_loss,
    make_controller,
    make_create,
    make_executor_info,
)

from hummingbot_plugin.audit import DecisionRecord, ExecutorActionRecord, iter_records, verify_chain
from hummingbot_plugin.errors import RiskError
from hummingbot_plugin.risk import DenialReason, RiskState


def test_create_passes_when_active_and_is_audited(tmp_path: Path) -> None:
    controller = make_controller(tmp_path, Clock())
    action = make_create()
    assert controller.risk_gate.filter_actions(controller, [action]) == [action]
    records = list(iter_records(tmp_path / "audit"))
    assert [type(r) for r in records] == [DecisionRecord, ExecutorActionRecord]
    assert records[1].executor_id == action.executor_config.id


@pytest.mark.parametrize(("close_positions", "keep"), [(True, False), (False, True)])
def test_drawdown_breach_stops_every_executor_within_one_tick_and_no_order_follows(
    tmp_path: Path, close_positions: bool, keep: bool
) -> None:
    clock = Clock()
    controller = make_controller(
        tmp_path, clock, max_drawdown_pct=Decimal("0.1"), close_positions_on_halt=close_positions
    )
    controller.executors_info = [
        make_executor_info("a"),
        make_executor_info("b", is_trading=True),
        make_executor_info("c", is_active=False),
    ]
    assert controller.risk_gate.filter_actions(controller, []) == []
    # an executor that names no order (the gate then takes its own PnL): -150 on a capital of 1000
    controller.executors_info[1] = make_executor_info("b", is_trading=True, net_pnl_quote=Decimal("-150"))
    clock.now += 1
    out = controller.risk_gate.filter_actions(controller, [make_create(), make_create()])
    assert controller.risk_gate.guard.state is RiskState.HALTED
    assert all(isinstance(a, StopExecutorAction) for a in out)
    assert sorted((a.executor_id, a.keep_position) for a in out) == [("a", keep), ("b", keep)]
    clock.now += 1
    assert controller.risk_gate.filter_actions(controller, [make_create()]) == []  # no order after the breach
    denials = [r for r in iter_records(tmp_path / "audit") if isinstance(r, DecisionRecord) and not r.allowed]
    assert {d.reason_code for d in denials} == {"STATE_HALTED"} and len(denials) == 3


def test_stale_book_pulls_resting_quotes_within_the_bound(tmp_path: Path) -> None:
    clock = Clock()
    controller = make_controller(tmp_path, clock, max_book_age_seconds=30)
    controller.executors_info = [make_executor_info("quote"), make_executor_info("filled", is_trading=True)]
    assert controller.risk_gate.filter_actions(controller, []) == []
    clock.now = T0 + 30  # book unchanged for exactly the bound: still fine
    assert controller.risk_gate.filter_actions(controller, []) == []
    clock.now = T0 + 31
    out = controller.risk_gate.filter_actions(controller, [make_create()])
    assert [(type(a), a.executor_id) for a in out] == [(StopExecutorAction, "quote")]
    denial = [r for r in iter_records(tmp_path / "audit") if isinstance(r, DecisionRecord)][-1]
    assert denial.reason_code == DenialReason.STALE_BOOK.value


def test_fresh_book_update_keeps_quotes(tmp_path: Path) -> None:
    clock = Clock()
    controller = make_controller(tmp_path, clock, max_book_age_seconds=30)
    exchange = controller.market_data_provider.connectors[VENUE]
    controller.executors_info = [make_executor_info("quote")]
    controller.risk_gate.filter_actions(controller, [])
    clock.now = T0 + 25
    exchange.apply_price(PAIR, Decimal("100.5"), clock.now)
    controller.risk_gate.filter_actions(controller, [])
    clock.now = T0 + 50
    assert controller.risk_gate.filter_actions(controller, []) == []


def test_101_creates_against_a_cap_of_100_give_exactly_100(tmp_path: Path) -> None:
    controller = make_controller(tmp_path, Clock(), max_executors_per_window=100)
    actions = [make_create(amount=Decimal("0.01")) for _ in range(101)]
    out = controller.risk_gate.filter_actions(controller, actions)
    assert len(out) == 100 and all(isinstance(a, CreateExecutorAction) for a in out)


def test_stop_loss_streak_blocks_new_entries(tmp_path: Path) -> None:
    controller = make_controller(tmp_path, Clock(), stop_loss_streak=2, stop_loss_cooldown_seconds=600)
    controller.executors_info = [make_closed_stop_loss("s1", T0 - 30), make_closed_stop_loss("s2", T0 - 10)]
    assert controller.risk_gate.filter_actions(controller, [make_create()]) == []


def test_order_executor_sell_closing_a_position_is_allowed_in_reducing(tmp_path: Path) -> None:
    controller = make_controller(tmp_path, Clock())
    controller.executors_info = [
        make_executor_info("long", is_trading=True, filled_amount_quote=Decimal("50"))
    ]
    controller.risk_gate.guard.reduce("operator", T0)
    close = CreateExecutorAction(
        controller_id="ctrl-1",
        executor_config=OrderExecutorConfig(
            timestamp=T0,
            connector_name=VENUE,
            trading_pair=PAIR,
            side=TradeType.SELL,
            amount=Decimal("0.2"),
            execution_strategy=ExecutionStrategy.MARKET,
        ),
    )
    more = make_create()
    out = controller.risk_gate.filter_actions(controller, [close, more])
    assert out == [close]


def test_control_task_routes_through_the_gate_even_without_proposals(tmp_path: Path) -> None:
    clock = Clock()
    controller = make_controller(tmp_path, clock)
    controller.executors_info = [make_executor_info("a", timestamp=T0 - 3600)]  # older than the cooldown
    controller.next_signal = 1
    controller.executors_update_event.set()
    loop = asyncio.new_event_loop()  # private loop: the global one stays usable by other tests
    try:
        loop.run_until_complete(controller.control_task())
        sent = controller.actions_queue.get_nowait()
        assert len(sent) == 1 and isinstance(sent[0], CreateExecutorAction)
        controller.risk_gate.guard.halt("kill switch", clock.now)
        assert not controller.executors_update_event.is_set()  # the controller proposes nothing this tick
        loop.run_until_complete(controller.control_task())
    finally:
        loop.close()
    halted = controller.actions_queue.get_nowait()
    assert [(type(a), a.executor_id) for a in halted] == [(StopExecutorAction, "a")]


def test_direct_buy_from_a_gated_controller_is_refused(tmp_path: Path) -> None:
    controller = make_controller(tmp_path, Clock())
    with pytest.raises(RiskError, match="bypass the risk gate"):
        controller.buy(VENUE, PAIR, Decimal("1"), price=Decimal("100"))
    assert controller.actions_queue.empty()


def test_audit_chain_of_a_gated_session_verifies(tmp_path: Path) -> None:
    controller = make_controller(tmp_path, Clock())
    controller.risk_gate.filter_actions(controller, [make_create(), make_create(leverage=5)])
    assert verify_chain(tmp_path / "audit").ok
    decisions = [r for r in iter_records(tmp_path / "audit") if isinstance(r, DecisionRecord)]
    assert [(d.allowed, d.reason_code) for d in decisions] == [(True, None), (False, "LEVERAGE")]


def _xemm(maker_side: TradeType) -> CreateExecutorAction:
    from hummingbot.strategy_v2.executors.data_types import ConnectorPair
    from hummingbot.strategy_v2.executors.xemm_executor.data_types import XEMMExecutorConfig

    maker = ConnectorPair(connector_name=VENUE, trading_pair=PAIR)
    taker = ConnectorPair(connector_name="kucoin", trading_pair=PAIR)
    buy = maker_side == TradeType.BUY
    return CreateExecutorAction(
        controller_id="ctrl-1",
        executor_config=XEMMExecutorConfig(
            timestamp=T0,
            buying_market=maker if buy else taker,
            selling_market=taker if buy else maker,
            maker_side=maker_side,
            order_amount=Decimal("0.1"),
            min_profitability=Decimal("0.001"),
            target_profitability=Decimal("0.002"),
            max_profitability=Decimal("0.004"),
        ),
    )


def test_xemm_executors_are_reviewed_on_their_maker_market(tmp_path: Path) -> None:
    clock = Clock()
    controller = make_controller(
        tmp_path, clock, max_pair_exposure_quote=Decimal("15"), max_total_exposure_quote=Decimal("100")
    )
    first, second = _xemm(TradeType.BUY), _xemm(TradeType.BUY)
    assert controller.risk_gate.filter_actions(controller, [first, second]) == [first]  # 10 + 10 > 15
    clock.now += 60  # maker book unchanged for 60 s > 30 s
    assert controller.risk_gate.filter_actions(controller, [_xemm(TradeType.SELL)]) == []
    reasons = [r.reason_code for r in iter_records(tmp_path / "audit") if isinstance(r, DecisionRecord)]
    assert reasons == [None, "PAIR_EXPOSURE", "STALE_BOOK"]
