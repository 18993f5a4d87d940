"""Per-level lifecycle: a filled level is replaced alone; refresh tolerance; risk sides."""

from __future__ import annotations

import pytest

from hummingbot_plugin.mm.levels import LevelTimers, LevelView, level_ids, levels_to_create, levels_to_refresh
from hummingbot_plugin.mm.risk import (
    QuoteRiskDecision,
    RiskState,
    from_guard_state,
    hedge_failure_check,
    side_permission,
    worst,
)

ALL = level_ids(2, 2)


def _make_timers(**overrides: float) -> LevelTimers:
    base = {
        "refresh_time": 30.0,
        "max_order_age": 600.0,
        "refresh_tolerance_pct": 0.001,
        "filled_order_delay": 60.0,
        "anti_hysteresis": 0.0,
    }
    base.update(overrides)
    return LevelTimers(**base)


def _make_view(level_id: str, **overrides: object) -> LevelView:
    base: dict[str, object] = {
        "executor_id": f"ex-{level_id}",
        "level_id": level_id,
        "created_at": 0.0,
        "is_active": True,
        "is_trading": False,
        "filled": False,
        "price": 100.0,
    }
    base.update(overrides)
    return LevelView(**base)  # type: ignore[arg-type]


def _resting_except(filled_level: str, closed_at: float) -> list[LevelView]:
    views = [_make_view(lid) for lid in ALL if lid != filled_level]
    views.append(_make_view(filled_level, is_active=False, filled=True, closed_at=closed_at))
    return views


def test_a_filled_level_is_replaced_alone_after_the_delay() -> None:
    views = _resting_except("buy_0", closed_at=100.0)
    assert levels_to_create(ALL, views, now=130.0, timers=_make_timers()) == []
    assert levels_to_create(ALL, views, now=161.0, timers=_make_timers()) == ["buy_0"]


def test_other_levels_of_the_side_keep_resting_while_one_is_replaced() -> None:
    views = _resting_except("sell_1", closed_at=0.0)
    stops = levels_to_refresh(views, {lid: 100.0 for lid in ALL}, now=200.0, timers=_make_timers())
    assert levels_to_create(ALL, views, now=200.0, timers=_make_timers()) == ["sell_1"]
    assert stops == []  # nothing else is touched while prices have not moved


@pytest.mark.parametrize(
    ("desired", "age", "expected"),
    [
        (100.05, 40.0, []),  # moved 0.05 % < tolerance: kept
        (100.5, 40.0, ["ex-buy_0"]),  # moved 0.5 %: refreshed
        (100.5, 10.0, []),  # too young to refresh
        (100.0, 700.0, ["ex-buy_0"]),  # older than max_order_age: always replaced
    ],
)
def test_refresh_tolerance_and_max_age(desired: float, age: float, expected: list[str]) -> None:
    views = [_make_view("buy_0")]
    assert levels_to_refresh(views, {"buy_0": desired}, now=age, timers=_make_timers()) == expected


def test_a_partly_filled_quote_is_left_to_finish_and_pulled_levels_are_stopped() -> None:
    views = [_make_view("buy_0", is_trading=True), _make_view("sell_0")]
    stops = levels_to_refresh(views, {}, now=40.0, timers=_make_timers(), pulled_levels=["buy_0", "sell_0"])
    assert stops == ["ex-sell_0"]


def test_anti_hysteresis_delays_a_new_executor_on_the_same_level() -> None:
    views = [_make_view("buy_0", is_active=False, created_at=100.0, closed_at=110.0)]
    timers = _make_timers(anti_hysteresis=60.0)
    assert levels_to_create(["buy_0"], views, now=150.0, timers=timers) == []
    assert levels_to_create(["buy_0"], views, now=161.0, timers=timers) == ["buy_0"]


@pytest.mark.parametrize(
    ("state", "dev", "buy", "sell"),
    [
        (RiskState.ACTIVE, 0.0, True, True),
        (RiskState.ACTIVE, 1.0, False, True),
        (RiskState.ACTIVE, -1.0, True, False),
        (RiskState.REDUCING, 0.4, False, True),
        (RiskState.REDUCING, -0.4, True, False),
        (RiskState.REDUCING, 0.0, False, False),
        (RiskState.HALTED, 0.5, False, False),
    ],
)
def test_side_permission(state: RiskState, dev: float, buy: bool, sell: bool) -> None:
    allowed = side_permission(state, dev)
    assert (allowed.buy, allowed.sell) == (buy, sell)


def test_risk_decisions_combine_to_the_worst_with_reasons() -> None:
    combined = worst(
        QuoteRiskDecision(),
        from_guard_state("REDUCING", "drawdown"),
        hedge_failure_check([10.0, 20.0, 30.0], now=40.0, window_s=60.0, max_failures=3),
    )
    assert combined.state == RiskState.HALTED
    assert any("drawdown" in r for r in combined.reasons) and any("hedge" in r for r in combined.reasons)
    assert from_guard_state("ACTIVE") == QuoteRiskDecision()
    assert from_guard_state("SOMETHING_NEW").state == RiskState.HALTED  # unknown: fail closed
    assert hedge_failure_check([10.0], now=100.0, window_s=60.0, max_failures=1).state == RiskState.ACTIVE


def test_one_ordered_risk_state_serves_the_gate_and_the_quoters() -> None:
    from hummingbot_plugin.mm import risk as mm_risk
    from hummingbot_plugin.risk.models import RiskState as GateState

    assert mm_risk.RiskState is GateState  # no second vocabulary
    assert [s.severity for s in GateState] == [0, 1, 2]
    assert worst(QuoteRiskDecision(GateState.HALTED), QuoteRiskDecision(GateState.REDUCING)).state == "HALTED"


@pytest.mark.parametrize(
    ("old", "new", "loosens"),
    [
        ("HALTED", "ACTIVE", True),
        ("REDUCING", "ACTIVE", True),
        ("ACTIVE", "REDUCING", False),
        ("REDUCING", "HALTED", False),
    ],
)
def test_a_less_severe_manual_state_from_outside_is_a_loosening(old: str, new: str, loosens: bool) -> None:
    from hummingbot_plugin.mqtt.tighten import changed_fields, loosened

    before, after = {"quote_risk_override": old}, {"quote_risk_override": new}
    assert (loosened(changed_fields(before, after), before, after) == ["quote_risk_override"]) is loosens


@pytest.mark.parametrize("spelling", ["NORMAL", "ACTIVE"])
def test_the_former_normal_spelling_is_read_as_active(spelling: str) -> None:
    from decimal import Decimal

    from hummingbot_plugin.mm.params import PMMParams

    def make(override: str) -> PMMParams:
        return PMMParams(
            buy_spreads=[0.001],
            sell_spreads=[0.001],
            total_amount_quote=Decimal(1000),
            quote_risk_override=override,  # type: ignore[arg-type]
        )

    assert make(spelling).quote_risk_override == "ACTIVE"
    with pytest.raises(ValueError, match="quote_risk_override"):
        make("PANIC")
