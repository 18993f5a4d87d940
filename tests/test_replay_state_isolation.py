"""A replay is a simulation: it must never read or write the live bot's persisted risk state."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hummingbot_plugin.cli import main
from hummingbot_plugin.settings import PROJECT_ROOT

SCRIPT = PROJECT_ROOT / "conf" / "scripts" / "sim_baseline_replay.yml"


def _replay(shared_data_dir: Path, out: Path, *extra: str) -> dict[str, object]:
    code = main([
        "replay", "--script-config", str(SCRIPT), "--data", str(shared_data_dir / "binance_BTC-USDT_1h.csv"),
        "--start", "2023-01-01", "--end", "2023-01-20", "--balance", "USDT=1010", "--quiet",
        "--json", str(out), *extra,
    ])
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
    state_files = sorted(p.name for p in kept.iterdir())
    assert state_files == ["baseline_trend_btc_usdt_1h.json"]
    assert json.loads((kept / state_files[0]).read_text())["scope"] == "baseline_trend_btc_usdt_1h"
