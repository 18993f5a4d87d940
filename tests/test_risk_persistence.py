"""Persisted risk state: survives restarts and SIGKILL, fails closed when corrupt."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from risk_factories import NOW, make_guard, make_limits, make_request, make_snapshot

from hummingbot_plugin.risk import DenialReason, JsonStateStore, MemoryStateStore, RiskGuard, RiskState
from hummingbot_plugin.settings import PROJECT_ROOT


def test_high_water_mark_survives_a_restart(tmp_path: Path) -> None:
    first = make_guard(tmp_path, make_limits(max_drawdown_pct=Decimal("0.10")), audit=False)
    first.observe(make_snapshot(pnl_quote=Decimal("300")), NOW)
    second = make_guard(tmp_path, make_limits(max_drawdown_pct=Decimal("0.10")), audit=False)
    assert second.status.high_water_mark == Decimal("1300")
    second.observe(make_snapshot(pnl_quote=Decimal("150")), NOW + 10)  # -150 from the persisted HWM
    assert second.state is RiskState.HALTED


def test_halted_state_and_reason_survive_a_restart(tmp_path: Path) -> None:
    make_guard(tmp_path).halt("manual stop", NOW)
    restarted = make_guard(tmp_path)
    assert restarted.state is RiskState.HALTED
    assert restarted.status.reason_code is DenialReason.KILL_SWITCH
    assert restarted.review(make_request(), make_snapshot(), NOW + 1).reason is DenialReason.STATE_HALTED


def test_rate_window_survives_a_restart(tmp_path: Path) -> None:
    limits = make_limits(max_executors_per_window=3)
    guard = make_guard(tmp_path, limits, audit=False)
    for i in range(3):
        assert guard.review(make_request(executor_id=f"e{i}"), make_snapshot(), NOW).allowed
    restarted = make_guard(tmp_path, limits, audit=False)
    assert (
        restarted.review(make_request(executor_id="e4"), make_snapshot(), NOW + 1).reason
        is DenialReason.RATE_LIMIT
    )


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"{not json",
        b'{"scope": "ctrl", "state": "PAUSED"}',
        b'{"scope": "ctrl", "surprise": 1}',
        b'{"scope": "ctrl", "high_water_mark": "NaN"}',
        b'{"scope": "other"}',
        b"\x00\xff",
    ],
    ids=["empty", "not-json", "bad-state", "unknown-key", "nan", "other-scope", "binary"],
)
def test_corrupt_state_file_fails_closed_and_is_not_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "ctrl.json"
    path.write_bytes(content)
    guard = make_guard(tmp_path)
    assert guard.state is RiskState.HALTED and guard.status.reason_code is DenialReason.STATE_CORRUPT
    assert str(path) in guard.status.reason_text
    guard.observe(make_snapshot(), NOW)
    assert guard.review(make_request(), make_snapshot(), NOW).reason is DenialReason.STATE_HALTED
    assert path.read_bytes() == content  # the evidence is kept until a deliberate reset


def test_reset_after_corruption_moves_the_bad_file_aside(tmp_path: Path) -> None:
    (tmp_path / "ctrl.json").write_text("garbage")
    guard = make_guard(tmp_path)
    guard.reset(NOW, operator="bob")
    assert guard.state is RiskState.ACTIVE
    assert (tmp_path / f"ctrl.json.corrupt-{NOW:.0f}").read_text() == "garbage"
    assert json.loads((tmp_path / "ctrl.json").read_text())["state"] == "ACTIVE"


def test_memory_store_has_the_same_contract() -> None:
    store = MemoryStateStore()
    guard = RiskGuard(make_limits(), store, scope="sim")
    guard.halt("x", NOW)
    assert RiskGuard(make_limits(), store, scope="sim").state is RiskState.HALTED


_CHILD = textwrap.dedent(
    """
    import sys, time
    from decimal import Decimal
    from pathlib import Path
    sys.path.insert(0, {tests!r})
    from risk_factories import NOW, make_limits, make_snapshot
    from hummingbot_plugin.risk import JsonStateStore, RiskGuard
    limits = make_limits(max_drawdown_pct=Decimal("0.06"))
    guard = RiskGuard(limits, JsonStateStore(Path({path!r})), scope="ctrl")
    pnl = [Decimal(x) for x in ("0", "100", "200", "150", "120", "60", "40", "20")]
    for step, value in enumerate(pnl):
        guard.observe(make_snapshot(pnl_quote=value), NOW + step)
        print(step, guard.state.value, flush=True)
        if guard.state.value == "HALTED":
            time.sleep(60)  # killed here, mid-run
    time.sleep(60)
    """
)


def test_sigkill_mid_run_then_restart_keeps_hwm_and_halted(tmp_path: Path) -> None:
    state_file = tmp_path / "ctrl.json"
    code = _CHILD.format(tests=str(Path(__file__).parent), path=str(state_file))
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    lines = []
    for line in child.stdout:
        lines.append(line.split())
        if line.split()[1] == "HALTED":
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert lines[-1] == ["4", "HALTED"]  # 1200 -> 1120 = 8 % of 1000 >= 6 % (step 3: 5 %)
    restarted = RiskGuard(
        make_limits(max_drawdown_pct=Decimal("0.06")), JsonStateStore(state_file), scope="ctrl"
    )
    assert restarted.state is RiskState.HALTED
    assert restarted.status.high_water_mark == Decimal("1200")
    assert restarted.status.reason_code is DenialReason.DRAWDOWN_PCT
    later = make_snapshot(pnl_quote=Decimal("0"))
    restarted.observe(later, NOW + 100)
    assert not restarted.review(make_request(), later, NOW + 100).allowed  # no new entries after restart


def test_a_deferred_batch_is_written_once_at_the_end(tmp_path: Path) -> None:
    guard = make_guard(tmp_path, audit=False)
    with guard.deferred_save():
        assert guard.review(make_request(executor_id="a"), make_snapshot(), NOW).allowed
        assert not (tmp_path / "ctrl.json").exists()  # not yet written
        guard.halt("inside the batch", NOW)  # a transition is written at once
        assert json.loads((tmp_path / "ctrl.json").read_text())["state"] == "HALTED"
    assert json.loads((tmp_path / "ctrl.json").read_text())["recent_creations"] == [NOW]
