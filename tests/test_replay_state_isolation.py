"""A replay is a simulation: it must never read or write the live bot's persisted risk state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hummingbot_plugin.cli import main
from hummingbot_plugin.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "conf" / "scripts" / "sim_baseline_replay.yml"


def _replay(shared_data_dir: Path, out: Path, *extra: str) -> dict[str, object]:
    code = main(
        [
            "replay",
            "--script-config",
            str(SCRIPT),
            "--data",
            str(shared_data_dir / "binance_BTC-USDT_1h.csv"),
            "--start",
            "2023-01-01",
            "--end",
            "2023-01-20",
            "--balance",
            "USDT=1010",
            "--quiet",
            "--json",
            str(out),
            *extra,
        ]
    )
    assert code == 0
    payload: dict[str, object] = json.loads(out.read_text())
    return payload


@pytest.mark.slow
def test_replay_leaves_the_live_state_folder_untouched(
    shared_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live_state = tmp_path / "live_state"
    live_state.mkdir()
    monkeypatch.setenv("HBP_STATE_DIR", str(live_state))
    _replay(shared_data_dir, tmp_path / "a.json")
    assert list(live_state.iterdir()) == []


@pytest.mark.slow
def test_explicit_state_dir_persists_the_guard_between_replays(
    shared_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HBP_STATE_DIR", raising=False)
    kept = tmp_path / "kept"
    _replay(shared_data_dir, tmp_path / "a.json", "--state-dir", str(kept))
    state_files = sorted(p.name for p in kept.iterdir())  # the guarded script: + global gate, audit trail
    assert state_files == ["audit", "audit.key", "baseline_trend_btc_usdt_1h.json", "global.json"]
    scoped = json.loads((kept / "baseline_trend_btc_usdt_1h.json").read_text())
    assert scoped["scope"] == "baseline_trend_btc_usdt_1h"


@pytest.mark.slow
def test_two_pair_replay_reports_every_market_and_every_executor(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    script = tmp_path / "two_pairs.yml"
    script.write_text(
        "script_file_name: v2_plugin_controllers.py\n"
        "controllers_config:\n  - baseline_trend_btc_usdt_1h.yml\n  - baseline_trend_eth_usdt_1h.yml\n"
    )
    out = tmp_path / "two.json"
    data = [str(shared_data_dir / f"binance_{pair}_1h.csv") for pair in ("BTC-USDT", "ETH-USDT")]
    code = main(
        [
            "replay",
            "--script-config",
            str(script),
            "--data",
            *data,
            "--start",
            "2023-01-01",
            "--end",
            "2023-03-31",
            "--balance",
            "USDT=2020",
            "--quiet",
            "--json",
            str(out),
        ]
    )
    assert code == 0
    payload = json.loads(out.read_text())
    per_market = payload["per_market"]
    assert sorted(per_market) == ["binance BTC-USDT", "binance ETH-USDT"]
    traded = {e["trading_pair"] for e in payload["executors"] if float(e["filled_amount_quote"]) > 0}
    assert traded == {"BTC-USDT", "ETH-USDT"}
    executor_fees = sum(float(e["cum_fees_quote"]) for e in payload["executors"])
    assert sum(m["fees_quote"] for m in per_market.values()) == pytest.approx(executor_fees, rel=1e-9)
    # the headline is the account, and the markets add up to it (one ledger)
    assert payload["metrics_scope"].startswith("account")
    for key in ("net_pnl_quote", "fees_quote", "return_pct", "trades"):
        assert sum(m[key] for m in per_market.values()) == pytest.approx(payload[key], rel=1e-9, abs=1e-9)
