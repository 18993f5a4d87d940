"""RiskGuard rules: drawdown, daily loss, exposure, counts, leverage, rate, cooldown, stale data, band."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from risk_factories import NOW, make_guard, make_limits, make_pair, make_request, make_snapshot

from hummingbot_plugin.audit import DecisionRecord, RiskTransitionRecord, iter_records, verify_chain
from hummingbot_plugin.risk import ClosedExecutor, DenialReason, RiskState, Side


def test_fresh_guard_is_active_and_allows_a_small_request(tmp_path: Path) -> None:
    guard = make_guard(tmp_path)
    snapshot = make_snapshot()
    guard.observe(snapshot, NOW)
    decision = guard.review(make_request(), snapshot, NOW)
    assert guard.state is RiskState.ACTIVE
    assert decision.allowed and decision.reason is None


@pytest.mark.parametrize(
    ("limits", "pnl", "reason"),
    [
        ({"max_drawdown_pct": Decimal("0.05")}, Decimal("-60"), DenialReason.DRAWDOWN_PCT),
        ({"max_drawdown_quote": Decimal("30")}, Decimal("-31"), DenialReason.DRAWDOWN_QUOTE),
        ({"daily_loss_limit_quote": Decimal("20")}, Decimal("-25"), DenialReason.DAILY_LOSS),
    ],
)
def test_loss_limit_breach_halts_and_denies_with_reason(
    tmp_path: Path, limits: dict[str, Decimal], pnl: Decimal, reason: DenialReason
) -> None:
    guard = make_guard(tmp_path, make_limits(**limits))
    guard.observe(make_snapshot(), NOW)
    transitions = guard.observe(make_snapshot(pnl_quote=pnl), NOW + 60)
    assert guard.state is RiskState.HALTED
    assert transitions[0].reason is reason and transitions[0].to_state is RiskState.HALTED
    decision = guard.review(make_request(), make_snapshot(pnl_quote=pnl), NOW + 61)
    assert not decision.allowed and decision.reason is DenialReason.STATE_HALTED
    assert reason.value in decision.detail


def test_drawdown_is_measured_from_the_high_water_mark_not_from_start(tmp_path: Path) -> None:
    guard = make_guard(tmp_path, make_limits(max_drawdown_pct=Decimal("0.10")))
    guard.observe(make_snapshot(pnl_quote=Decimal("500")), NOW)  # equity 1500 = hwm
    guard.observe(make_snapshot(pnl_quote=Decimal("420")), NOW + 1)  # -80 = 8 % of capital: fine
    assert guard.state is RiskState.ACTIVE
    guard.observe(make_snapshot(pnl_quote=Decimal("399")), NOW + 2)  # -101 > 10 % of capital, still +399
    assert guard.state is RiskState.HALTED
    assert guard.status.high_water_mark == Decimal("1500")


def test_daily_loss_counts_from_the_start_of_the_utc_day(tmp_path: Path) -> None:
    guard = make_guard(
        tmp_path, make_limits(daily_loss_limit_quote=Decimal("50"), max_drawdown_pct=Decimal("1"))
    )
    day = 86_400.0
    midnight = (NOW // day + 1) * day
    guard.observe(make_snapshot(pnl_quote=Decimal("0")), midnight - 10)
    guard.observe(make_snapshot(pnl_quote=Decimal("-40")), midnight - 5)  # -40 today
    guard.observe(make_snapshot(pnl_quote=Decimal("-45")), midnight + 5)  # new day starts at -45
    guard.observe(make_snapshot(pnl_quote=Decimal("-90")), midnight + 10)  # -45 today: below 50
    assert guard.state is RiskState.ACTIVE
    guard.observe(make_snapshot(pnl_quote=Decimal("-96")), midnight + 20)  # -51 today
    assert guard.state is RiskState.HALTED and guard.status.reason_code is DenialReason.DAILY_LOSS


def test_soft_drawdown_switches_to_reducing_which_allows_only_reducing_requests(tmp_path: Path) -> None:
    limits = make_limits(reducing_drawdown_pct=Decimal("0.03"), max_drawdown_pct=Decimal("0.10"))
    guard = make_guard(tmp_path, limits)
    long_pair = make_pair(net_position_quote=Decimal("50"))
    guard.observe(make_snapshot((long_pair,)), NOW)
    snapshot = make_snapshot((long_pair,), pnl_quote=Decimal("-40"))
    guard.observe(snapshot, NOW + 1)
    assert guard.state is RiskState.REDUCING
    increase = guard.review(make_request(side=Side.BUY), snapshot, NOW + 2)
    reduce = guard.review(make_request(side=Side.SELL, amount_base=Decimal("0.3")), snapshot, NOW + 2)
    overshoot = guard.review(make_request(side=Side.SELL, amount_base=Decimal("2")), snapshot, NOW + 2)
    assert not increase.allowed and increase.reason is DenialReason.STATE_REDUCING
    assert reduce.allowed
    assert not overshoot.allowed and overshoot.reason is DenialReason.STATE_REDUCING


def test_pair_and_total_exposure_caps(tmp_path: Path) -> None:
    limits = make_limits(max_pair_exposure_quote=Decimal("100"), max_total_exposure_quote=Decimal("150"))
    guard = make_guard(tmp_path, limits)
    eth = make_pair(trading_pair="ETH-USDT", net_position_quote=Decimal("-90"))
    snapshot = make_snapshot((make_pair(), eth))
    guard.observe(snapshot, NOW)
    ok = guard.review(make_request(amount_base=Decimal("0.5")), snapshot, NOW)  # 50 BTC + 90 ETH = 140
    too_big_total = guard.review(make_request(amount_base=Decimal("0.2")), snapshot, NOW)  # 160 > 150
    assert ok.allowed
    assert not too_big_total.allowed and too_big_total.reason is DenialReason.TOTAL_EXPOSURE
    eth_sell = make_request(
        trading_pair="ETH-USDT", side=Side.SELL, amount_base=Decimal("0.2")
    )  # 90 + 20 > 100
    too_big_pair = guard.review(eth_sell, make_snapshot((eth,)), NOW)
    assert not too_big_pair.allowed and too_big_pair.reason is DenialReason.PAIR_EXPOSURE


def test_max_open_executors_and_leverage(tmp_path: Path) -> None:
    guard = make_guard(tmp_path, make_limits(max_open_executors=2, max_leverage=3))
    snapshot = make_snapshot(open_executor_ids=frozenset({"a", "b"}))
    guard.observe(snapshot, NOW)
    full = guard.review(make_request(), snapshot, NOW)
    leveraged = guard.review(make_request(leverage=5), make_snapshot(), NOW)
    assert full.reason is DenialReason.MAX_OPEN_EXECUTORS
    assert leveraged.reason is DenialReason.LEVERAGE


def test_101_requests_against_a_cap_of_100_allow_exactly_100_and_deny_not_queue(tmp_path: Path) -> None:
    guard = make_guard(
        tmp_path, make_limits(max_executors_per_window=100, rate_window_seconds=60), audit=False
    )
    snapshot = make_snapshot()
    guard.observe(snapshot, NOW)
    decisions = [
        guard.review(make_request(executor_id=f"e{i}", amount_base=Decimal("0.01")), snapshot, NOW + i * 0.1)
        for i in range(101)
    ]
    assert sum(d.allowed for d in decisions) == 100
    assert decisions[-1].reason is DenialReason.RATE_LIMIT
    # denied, not queued: after the window slides only a NEW request is allowed; the old one is gone
    fresh = make_snapshot((make_pair(book_updated_at=NOW + 60),))
    later = guard.review(make_request(executor_id="new"), fresh, NOW + 60.05)
    assert later.allowed
    assert (
        guard.review(make_request(executor_id="new2"), fresh, NOW + 60.06).reason is DenialReason.RATE_LIMIT
    )


def test_consecutive_stop_losses_start_a_cooldown(tmp_path: Path) -> None:
    guard = make_guard(tmp_path, make_limits(stop_loss_streak=2, stop_loss_cooldown_seconds=300))
    closed = (ClosedExecutor("x1", NOW - 20, True), ClosedExecutor("x2", NOW - 10, True))
    snapshot = make_snapshot(closed_executors=closed)
    guard.observe(snapshot, NOW)
    assert guard.review(make_request(), snapshot, NOW).reason is DenialReason.STOP_LOSS_COOLDOWN
    fresh = make_snapshot((make_pair(book_updated_at=NOW + 290),), closed_executors=closed)
    assert guard.review(make_request(), fresh, NOW - 10 + 299).reason is DenialReason.STOP_LOSS_COOLDOWN
    assert guard.review(make_request(), fresh, NOW - 10 + 301).allowed


def test_a_win_between_stop_losses_breaks_the_streak(tmp_path: Path) -> None:
    guard = make_guard(tmp_path, make_limits(stop_loss_streak=2))
    closed = (
        ClosedExecutor("x1", NOW - 20, True),
        ClosedExecutor("x2", NOW - 15, False),
        ClosedExecutor("x3", NOW - 10, True),
    )
    snapshot = make_snapshot(closed_executors=closed)
    guard.observe(snapshot, NOW)
    assert guard.review(make_request(), snapshot, NOW).allowed


@pytest.mark.parametrize(
    ("pair_overrides", "limit_overrides", "reason"),
    [
        ({"book_updated_at": NOW - 31}, {}, DenialReason.STALE_BOOK),
        ({"book_updated_at": None}, {}, DenialReason.STALE_BOOK),
        ({"candles_updated_at": NOW - 7200}, {"max_candles_age_seconds": 3700}, DenialReason.STALE_CANDLES),
        ({"last_price": Decimal("120")}, {}, DenialReason.PRICE_BAND),
        ({"mid_price": None}, {}, DenialReason.NO_MARKET_DATA),
    ],
)
def test_market_data_problems_deny_new_executors_and_pull_quotes(
    tmp_path: Path,
    pair_overrides: dict[str, object],
    limit_overrides: dict[str, object],
    reason: DenialReason,
) -> None:
    guard = make_guard(tmp_path, make_limits(**limit_overrides))
    snapshot = make_snapshot((make_pair(**pair_overrides),))
    guard.observe(snapshot, NOW)
    assert guard.review(make_request(), snapshot, NOW).reason is reason
    quotes = guard.quotes_allowed("sim_exchange", "BTC-USDT", snapshot, NOW)
    assert not quotes.allowed and quotes.reason is reason


def test_order_price_far_from_mid_is_denied(tmp_path: Path) -> None:
    guard = make_guard(tmp_path)
    decision = guard.review(make_request(price=Decimal("200")), make_snapshot(), NOW)
    assert decision.reason is DenialReason.PRICE_BAND


@pytest.mark.parametrize("field", ["amount_base", "price"])
@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-1"), Decimal("NaN"), Decimal("Infinity")])
def test_invalid_requests_are_denied(tmp_path: Path, field: str, value: Decimal) -> None:
    guard = make_guard(tmp_path, audit=False)
    decision = guard.review(make_request(**{field: value}), make_snapshot(), NOW)
    assert decision.reason is DenialReason.INVALID_REQUEST and field in decision.detail


def test_kill_switch_halts_and_only_a_deliberate_reset_reactivates(tmp_path: Path) -> None:
    guard = make_guard(tmp_path)
    guard.observe(make_snapshot(), NOW)
    transition = guard.halt("operator pressed the kill switch", NOW)
    assert transition is not None and transition.reason is DenialReason.KILL_SWITCH
    guard.observe(make_snapshot(pnl_quote=Decimal("100")), NOW + 1)  # good news does not unlock
    assert guard.state is RiskState.HALTED
    with pytest.raises(ValueError, match="operator"):
        guard.reset(NOW + 2, operator=" ")
    guard.reset(NOW + 2, operator="alice")
    assert guard.state is RiskState.ACTIVE and guard.status.high_water_mark == Decimal("1100")


def test_every_decision_and_transition_is_audited_in_a_valid_chain(tmp_path: Path) -> None:
    guard = make_guard(tmp_path, make_limits(max_leverage=1))
    guard.observe(make_snapshot(), NOW)
    guard.review(make_request(), make_snapshot(), NOW)
    guard.review(make_request(leverage=2), make_snapshot(), NOW)
    guard.halt("test", NOW + 1)
    records = list(iter_records(tmp_path / "audit"))
    decisions = [r for r in records if isinstance(r, DecisionRecord)]
    transitions = [r for r in records if isinstance(r, RiskTransitionRecord)]
    assert [d.allowed for d in decisions] == [True, False]
    assert decisions[1].reason_code == "LEVERAGE"
    assert [(t.from_state, t.to_state, t.reason_code) for t in transitions] == [
        ("ACTIVE", "HALTED", "KILL_SWITCH")
    ]
    assert verify_chain(tmp_path / "audit").ok


def test_state_file_is_plain_json_written_atomically(tmp_path: Path) -> None:
    guard = make_guard(tmp_path)
    guard.observe(make_snapshot(pnl_quote=Decimal("12.5")), NOW)
    data = json.loads((tmp_path / "ctrl.json").read_text())
    assert data["high_water_mark"] == "1012.5" and data["state"] == "ACTIVE"
    assert not list(tmp_path.glob(".*.tmp"))
