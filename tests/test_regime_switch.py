"""The regime-switch V2 script in a replay: one controller at a time, switches mid-position leave nothing."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from hummingbot_plugin.audit import (
    ExecutorActionRecord,
    FillRecord,
    OrderRecord,
    OverrideRecord,
    iter_records,
    verify_chain,
)
from hummingbot_plugin.settings import PROJECT_ROOT, data_file
from hummingbot_plugin.simulation.replay.run import ReplayRequest, ReplayResult, run_replay

pytestmark = pytest.mark.slow

CONTROLLERS = PROJECT_ROOT / "conf" / "controllers"
GRACE_S = 2 * 3600  # a switch's stops finish within two bars


def _script(tmp_path: Path) -> Path:
    shipped = yaml.safe_load((PROJECT_ROOT / "conf" / "scripts" / "regime_switch_btc.yml").read_text())
    trend = yaml.safe_load((CONTROLLERS / "baseline_trend_btc_usdt_1h.yml").read_text())
    trend.update(fast_window=12, slow_window=48, risk={"max_drawdown_pct": "0.5"})  # trades within weeks
    grid = yaml.safe_load((CONTROLLERS / "fib_grid_btc_usdt_1h.yml").read_text())
    grid.update(min_score=2, risk={"max_drawdown_pct": "0.5"})
    files = []
    for name, body in (("trend.yml", trend), ("grid.yml", grid)):
        (tmp_path / name).write_text(yaml.safe_dump(body))
        files.append(str(tmp_path / name))
    shipped.update(
        controllers_config=files,
        config_file=None,
        state_dir=str(tmp_path / "st"),
        regime_records=1500,
        regime={"vol_bars": 24, "trend_bars": 48, "min_dwell": 6, "train_days": 30},
        routes={
            "trend_up": trend["id"],
            "trend_down": "none",
            "range": grid["id"],
            "high_vol": "none",
        },
    )
    script = tmp_path / "regime.yml"
    script.write_text(yaml.safe_dump(shipped))
    return script


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReplayResult, Path]:
    tmp = tmp_path_factory.mktemp("regime_switch")
    result = run_replay(
        ReplayRequest(
            script_config=_script(tmp),
            data=(data_file("binance_BTC-USDT_1h.csv"),),
            start="2023-03-08",
            end="2023-03-14",
            balances={"USDT": Decimal(10_000)},
        )
    )
    return result, tmp / "st" / "audit"


def test_switches_are_audited_and_only_the_active_controller_creates(
    replay: tuple[ReplayResult, Path],
) -> None:
    _, audit = replay
    assert verify_chain(audit).ok
    records = list(iter_records(audit))
    switches = [r for r in records if isinstance(r, OverrideRecord) and r.source == "regime_switch"]
    assert len(switches) >= 3, "the short regime windows should switch several times in a week"
    active_at = [(s.ts, s.command.removeprefix("activate ")) for s in switches]
    creates = [r for r in records if isinstance(r, ExecutorActionRecord) and r.action == "create"]
    assert creates, "some controller should trade"
    for record in creates:
        current = [target for ts, target in active_at if ts <= record.ts]
        assert current and current[-1] == record.controller_id


def test_a_switch_mid_position_leaves_no_order_behind(replay: tuple[ReplayResult, Path]) -> None:
    result, audit = replay
    records = list(iter_records(audit))
    switches = [r for r in records if isinstance(r, OverrideRecord) and r.source == "regime_switch"]
    mid_position = [s for s in switches if not s.reason.endswith("stopped []")]
    assert mid_position, "at least one switch should have had executors to close"
    sells = [r.ts for r in records if isinstance(r, FillRecord) and r.side.upper() == "SELL"]
    closed = [s for s in mid_position if any(s.ts <= ts <= s.ts + GRACE_S for ts in sells)]
    assert closed, "a switch should have closed a held position with a sell"
    orders = [r for r in records if isinstance(r, OrderRecord)]
    finished = {r.order_id: r.ts for r in orders if r.event in ("cancelled", "completed", "failed")}
    for switch in switches:
        # orders of the controller left behind were created before the switch (the new one starts at it)
        before = [r for r in orders if r.event == "created" and r.ts < switch.ts]
        for order in before:
            assert finished.get(order.order_id, float("inf")) <= switch.ts + GRACE_S, order.order_id
    reconciliation = result.payload["connectors"]["binance"]["reconciliation"]
    assert {Decimal(v) for v in reconciliation.values()} == {Decimal(0)}
    fills = result.exchanges["binance"].ledger.entries
    assert fills and min(float(f.timestamp) for f in fills) >= result.payload["start"]
