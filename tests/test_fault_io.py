"""Fail closed on I/O: a real read-only folder and a real full tmpfs under the risk state and the audit.

Whatever cannot be written, the guard goes HALTED in memory and the real Hummingbot gate still acts
(protective stops out, no new executor), an alarm is logged, and the write is retried every tick.
"""

from __future__ import annotations

import logging
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from fault_fs import FullDisk, remount
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction
from risk_factories import NOW, make_limits, make_snapshot
from risk_hb_factories import Clock, make_controller, make_create, make_executor_info

from hummingbot_plugin.audit import AuditLog, FillRecord, RiskTransitionRecord, iter_records, verify_chain
from hummingbot_plugin.hb.guarded_runtime import audit_alarm, gate_for
from hummingbot_plugin.hb.risk_gate import RiskGate
from hummingbot_plugin.risk import DenialReason, JsonStateStore, RiskGuard, RiskState

SCOPE = "ctrl-1"


def _gate_on(controller: object, state_dir: Path, audit: AuditLog) -> RiskGate:
    limits = controller.risk_gate.guard.limits  # type: ignore[attr-defined]
    guard = RiskGuard(limits, JsonStateStore(state_dir / f"{SCOPE}.json"), audit, scope=SCOPE)
    gate = RiskGate(guard, audit)
    controller.risk_gate = gate  # type: ignore[attr-defined]
    return gate


def _kinds(actions: list[object]) -> list[tuple[str, str | None]]:
    return [(type(a).__name__, getattr(a, "executor_id", None)) for a in actions]


def _restart(state_dir: Path) -> RiskGuard:
    return RiskGuard(make_limits(), JsonStateStore(state_dir / f"{SCOPE}.json"), None, scope=SCOPE)


def test_readonly_state_folder_halts_and_the_gate_still_sends_stops(
    tmp_path: Path, readonly_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    controller = make_controller(tmp_path, Clock())
    gate = _gate_on(controller, readonly_dir, controller.risk_gate.audit)
    controller.executors_info = [make_executor_info("a")]
    with caplog.at_level(logging.ERROR, logger="hummingbot_plugin.risk"):
        out = gate.filter_actions(controller, [make_create()])  # never raises into the tick
    assert _kinds(out) == [("StopExecutorAction", "a")]
    assert isinstance(out[0], StopExecutorAction) and out[0].keep_position is False  # close on halt
    status = gate.guard.status
    assert (status.state, status.reason_code) == (RiskState.HALTED, DenialReason.PERSIST_FAILED)
    assert "Read-only file system" in (gate.guard.persist_error or "")
    assert any("HALTED in memory" in r.getMessage() for r in caplog.records)
    assert list(readonly_dir.iterdir()) == []  # nothing half-written
    assert gate.filter_actions(controller, [make_create()]) == []  # still no creation, stop sent once
    remount(readonly_dir, "rw")  # the disk comes back: the next tick's retry writes HALTED
    gate.filter_actions(controller, [])
    assert gate.guard.persist_error is None
    restarted = _restart(readonly_dir)
    assert (restarted.state, restarted.status.reason_code) == (RiskState.HALTED, DenialReason.PERSIST_FAILED)
    transitions = [r for r in iter_records(tmp_path / "audit") if isinstance(r, RiskTransitionRecord)]
    assert [t.reason_code for t in transitions] == ["PERSIST_FAILED"]


def test_full_disk_halts_while_the_drawdown_grows_and_retries_until_written(
    tmp_path: Path, full_tmpfs: FullDisk
) -> None:
    controller = make_controller(tmp_path, Clock())
    gate = _gate_on(controller, full_tmpfs.path, controller.risk_gate.audit)
    controller.executors_info = [make_executor_info("a", is_trading=True)]
    first = gate.filter_actions(controller, [make_create()])
    assert [type(a) for a in first] == [CreateExecutorAction] and gate.guard.state is RiskState.ACTIVE
    full_tmpfs.fill()
    losing = make_executor_info("a", is_trading=True, net_pnl_quote=Decimal("-20"))
    controller.executors_info = [losing]  # the drawdown grows (2 %, under the 10 % limit)
    out = gate.filter_actions(controller, [make_create()])
    assert _kinds(out) == [("StopExecutorAction", "a")]
    assert gate.guard.status.reason_code is DenialReason.PERSIST_FAILED
    assert "No space left" in (gate.guard.persist_error or "")
    assert _restart(full_tmpfs.path).state is RiskState.ACTIVE  # the disk still holds the old state
    assert sorted(p.name for p in full_tmpfs.path.iterdir()) == ["ctrl-1.json", "filler.bin"]  # no temp
    gate.filter_actions(controller, [])  # retry fails again, nothing raised
    assert gate.guard.persist_error is not None
    full_tmpfs.free()
    gate.filter_actions(controller, [])
    assert gate.guard.persist_error is None and _restart(full_tmpfs.path).state is RiskState.HALTED


def _trade(audit: AuditLog) -> AuditLog:
    audit.append(
        FillRecord(
            ts=NOW,
            source="sim",
            order_id="o1",
            connector_name="binance",
            trading_pair="BTC-USDT",
            side="BUY",
            amount_base="0.1",
            price="100",
        )
    )
    return audit


def test_deleted_state_file_after_trading_starts_halted_until_reset(tmp_path: Path) -> None:
    state = tmp_path / "state"
    guard = RiskGuard(make_limits(), JsonStateStore(state / "g.json"), None, scope="g")
    assert guard.state is RiskState.ACTIVE  # a first start: nothing has traded
    guard.observe(make_snapshot(), NOW)
    _trade(AuditLog(state / "audit")).close()  # the default audit folder, <state dir>/audit, shows a fill
    guard.halt("drawdown", NOW)
    (state / "g.json").unlink()  # someone deletes the HALTED file
    restarted = RiskGuard(make_limits(), JsonStateStore(state / "g.json"), None, scope="g")
    status = restarted.status
    assert (status.state, status.reason_code) == (RiskState.HALTED, DenialReason.STATE_MISSING)
    assert "has traded" in status.reason_text and "fill" in status.reason_text
    restarted.reset(NOW + 60, operator="alice")
    assert restarted.state is RiskState.ACTIVE
    assert (
        RiskGuard(make_limits(), JsonStateStore(state / "g.json"), None, scope="g").state is RiskState.ACTIVE
    )


def test_deleted_state_folder_with_the_audit_elsewhere_starts_the_real_gate_halted(tmp_path: Path) -> None:
    audit_dir, state = tmp_path / "audit_disk" / "audit", tmp_path / "state"
    audit = AuditLog(audit_dir)
    controller = make_controller(tmp_path, Clock())
    gate = gate_for(controller, state, audit, audit_dir, None)
    gate.filter_actions(controller, [])
    _trade(audit)
    assert (state / f"{SCOPE}.json").exists() and gate.guard.state is RiskState.ACTIVE
    shutil.rmtree(state)
    again = gate_for(controller, state, audit, audit_dir, None)
    assert again.guard.status.reason_code is DenialReason.STATE_MISSING
    controller.executors_info = [make_executor_info("a")]
    assert _kinds(again.filter_actions(controller, [make_create()])) == [("StopExecutorAction", "a")]
    fresh = gate_for(controller, tmp_path / "new_state", audit, tmp_path / "no_audit", None)
    assert fresh.guard.state is RiskState.ACTIVE  # nothing shows trading: a fresh start is fine


def test_full_audit_disk_halts_every_guard_keeps_records_and_writes_them_later(
    tmp_path: Path, full_tmpfs: FullDisk
) -> None:
    audit = AuditLog(full_tmpfs.path / "audit", buffer_on_error=True, on_failure=audit_alarm)
    try:
        controller = make_controller(tmp_path, Clock())
        gate = _gate_on(controller, tmp_path / "state", audit)
        other = RiskGuard(make_limits(), JsonStateStore(tmp_path / "other.json"), None, scope="other")
        controller.executors_info = [make_executor_info("a")]
        full_tmpfs.fill()  # before the first record: no slack left in a page of the log
        out = gate.filter_actions(controller, [make_create()])
        assert _kinds(out) == [("StopExecutorAction", "a")]  # the decision could not be audited: denied
        assert gate.guard.status.reason_code is DenialReason.PERSIST_FAILED and not audit.healthy
        other.observe(make_snapshot(), NOW)  # the alarm reaches every guard of the process
        assert (other.state, other.status.reason_code) == (RiskState.HALTED, DenialReason.PERSIST_FAILED)
        backlog = audit.seq
        assert backlog >= 3  # decision, transition, stop: kept in memory, in chain order
        full_tmpfs.free()
        audit.retry()
        result = verify_chain(full_tmpfs.path / "audit")
        assert audit.healthy and result.ok and result.records == backlog
    finally:
        audit.close()
