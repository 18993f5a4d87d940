"""Model lifecycle of the running AI controller (issue 12 item 2): hot swap at bar boundaries only, audited;
refusal of a model for another market or feature spec and fallback on a corrupt version (the current model
keeps trading); expiry stops opening; and a real replay through the guarded script in which a retrained
version becomes valid mid-run. Real models, real files, real Hummingbot classes."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from ai_factories import HOUR, Clock, make_config, make_controller, real_candles, tick
from hummingbot.core.data_type.common import TradeType
from ml_factories import train_small_model
from risk_hb_factories import make_executor_info

from hummingbot_plugin.ai.config_rules import signal_rule
from hummingbot_plugin.audit import AuditLog, ModelRecord, SignalRecord, iter_records, verify_chain
from hummingbot_plugin.hb.risk_gate import RiskGate
from hummingbot_plugin.ml.artifacts import sha256_hex
from hummingbot_plugin.ml.seal import SEAL_NAME, write_seal
from hummingbot_plugin.settings import PROJECT_ROOT, data_file, models_dir
from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

T = pd.Timestamp("2023-01-02 04:00", tz="UTC").timestamp()  # bar 03:00 has just closed: valid forecast


def _iso(ts: float) -> str:
    return pd.Timestamp(ts, unit="s", tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")


def _version(
    root: Path, name: str, source: str = "btc_usdt_1h_oos2023", valid_from: float | None = None
) -> Path:
    """A retrain job's output: a copy of a shipped model, sealed (last) as version ``name`` of ``root``."""
    path = root / name
    shutil.copytree(models_dir() / source, path)
    (path / SEAL_NAME).unlink()
    write_seal(path, None if valid_from is None else _iso(valid_from))
    return path


def _controller(root: Path, clock: Clock, tmp_path: Path, **overrides: Any) -> Any:
    config = make_config(model_dir=str(root), long_threshold=0.01, **overrides)
    controller = make_controller(config, real_candles(), clock)
    audit = AuditLog(tmp_path / "audit")
    controller.risk_gate = RiskGate.for_controller(controller, state_dir=tmp_path / "state", audit=audit)
    return controller


def _model_records(tmp_path: Path) -> list[ModelRecord]:
    return [r for r in iter_records(tmp_path / "audit") if isinstance(r, ModelRecord)]


def test_a_new_version_is_swapped_in_at_the_next_bar_boundary_only_and_audited(tmp_path: Path) -> None:
    root = tmp_path / "btc_usdt_1h"
    _version(root, "v1")
    clock = Clock(T + 1)
    controller = _controller(root, clock, tmp_path)
    tick(controller)
    assert controller.engine.info.version == "v1" and controller.processed_data["signal"] == 1
    v2 = _version(root, "v2", valid_from=T + 600)
    clock.now = T + 1800  # v2 is valid, but this is the same bar: no look, no swap
    tick(controller)
    assert controller.engine.info.version == "v1"
    clock.now = T + HOUR + 1  # the next bar
    tick(controller)
    assert controller.engine.info.version == "v2" and controller.processed_data["reason"] == ""
    v2_digest = json.loads((v2 / SEAL_NAME).read_text())["digest"]
    loaded, swapped = _model_records(tmp_path)
    assert (loaded.event, loaded.version) == ("loaded", "v1")
    assert (swapped.event, swapped.version, swapped.model_sha256) == ("swapped", "v2", v2_digest)
    assert swapped.previous_sha256 == loaded.model_sha256 != v2_digest and swapped.ts == T + HOUR + 1
    signals = [r for r in iter_records(tmp_path / "audit") if isinstance(r, SignalRecord)]
    assert signals[-1].model_sha256 == v2_digest and signals[0].model_sha256 == loaded.model_sha256
    assert any("model version v2" in line for line in controller.to_format_status())


def _other_pair(root: Path, ts: float) -> Path:
    return _version(root, "v2", "eth_usdt_1h_oos2023", valid_from=ts)


def _other_feature_spec(root: Path, ts: float) -> Path:
    """A version written by a future plugin (feature spec 2), sealed correctly by that plugin."""
    path = _version(root, "v2", valid_from=ts)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["feature_spec_version"] = "2"
    (path / "manifest.json").write_text(json.dumps(manifest))
    seal = json.loads((path / SEAL_NAME).read_text())
    seal["manifest_sha256"] = sha256_hex((path / "manifest.json").read_bytes())
    body = {k: seal[k] for k in ("format", "model_id", "manifest_sha256", "files", "valid_from")}
    seal["digest"] = sha256_hex(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    (path / SEAL_NAME).write_text(json.dumps(seal))
    return path


def _corrupt_file(root: Path, ts: float) -> Path:
    path = _version(root, "v2", valid_from=ts)
    model = path / "quantile_50.txt"
    model.write_bytes(model.read_bytes()[:5000])  # truncated after sealing
    return path


def _broken_seal(root: Path, ts: float) -> Path:
    path = _version(root, "v2", valid_from=ts)
    (path / SEAL_NAME).write_text('{"valid_from": ')
    return path


BAD_VERSIONS: list[tuple[str, Callable[[Path, float], Path], str]] = [
    ("another pair", _other_pair, "trained on ETH-USDT"),
    ("another feature spec", _other_feature_spec, "feature spec version '2'"),
    ("corrupt model file", _corrupt_file, "quantile_50.txt does not match its sha256 in seal.json"),
    ("unreadable seal", _broken_seal, "is not a valid seal"),
]


@pytest.mark.parametrize(("name", "make", "reason"), BAD_VERSIONS, ids=[b[0] for b in BAD_VERSIONS])
def test_a_bad_new_version_is_refused_and_the_current_model_keeps_trading(
    name: str, make: Callable[[Path, float], Path], reason: str, tmp_path: Path
) -> None:
    root = tmp_path / "btc_usdt_1h"
    _version(root, "v1")
    clock = Clock(T + 1)
    controller = _controller(root, clock, tmp_path)
    tick(controller)
    running = controller.engine.forecaster
    make(root, T + 600)
    for bar in (1, 2):  # refused once, not again at the next boundary
        clock.now = T + bar * HOUR + 1
        tick(controller)
        assert controller.engine.forecaster is running and controller.engine.info.version == "v1"
        assert controller.processed_data["reason"] == ""  # a forecast by v1 for this bar
    refused = [r for r in _model_records(tmp_path) if r.event == "refused"]
    assert len(refused) == 1 and refused[0].version == "v2" and reason in refused[0].reason
    assert "kept btc_usdt_1h_oos2023 (v1)" in refused[0].reason
    status = controller.to_format_status()
    assert any(line.startswith("newer model refused") and reason in line for line in status)
    assert verify_chain(tmp_path / "audit").ok


def test_the_current_pointer_chooses_the_version_and_a_rewrite_swaps(tmp_path: Path) -> None:
    root = tmp_path / "btc_usdt_1h"
    _version(root, "v1")
    _version(root, "v2", valid_from=T - HOUR)  # newer, but the pointer names v1
    (root / "CURRENT").write_text("v1\n")
    clock = Clock(T + 1)
    controller = _controller(root, clock, tmp_path)
    tick(controller)
    assert controller.engine.info.version == "v1"
    (root / "CURRENT.tmp").write_text("v2\n")
    os.replace(root / "CURRENT.tmp", root / "CURRENT")  # how a retrain job publishes a version
    clock.now = T + HOUR + 1
    tick(controller)
    assert controller.engine.info.version == "v2"
    assert [r.event for r in _model_records(tmp_path)] == ["loaded", "swapped"]


def test_no_valid_version_yet_refuses_then_loads_when_one_becomes_valid(tmp_path: Path) -> None:
    root = tmp_path / "btc_usdt_1h"
    _version(root, "v1", valid_from=T + 600)
    clock = Clock(T + 1)
    controller = _controller(root, clock, tmp_path)
    tick(controller)
    assert controller.processed_data["signal"] == 0
    assert "no sealed version valid yet" in controller.processed_data["reason"]
    clock.now = T + HOUR + 1
    tick(controller)
    assert controller.engine.info.version == "v1" and controller.processed_data["reason"] == ""
    assert [r.event for r in _model_records(tmp_path)] == ["loaded"]


def test_an_expired_model_stops_opening_keeps_positions_and_says_why(tmp_path: Path) -> None:
    fresh = _controller(
        models_dir() / "btc_usdt_1h_oos2023", Clock(T + 1), tmp_path / "a", model_max_age_days=30
    )
    tick(fresh)
    assert fresh.processed_data["signal"] == 1  # the control: same bar, a younger limit
    controller = _controller(
        models_dir() / "btc_usdt_1h_oos2023", Clock(T + 1), tmp_path / "b", model_max_age_days=1
    )
    controller.executors_info = [
        make_executor_info("long-1", is_active=True, custom_info={"side": TradeType.BUY})
    ]
    tick(controller)  # cut-off 2023-01-01 00:00, now 2023-01-02 04:00: 1.17 days old
    assert controller.processed_data["signal"] == 0
    assert controller.processed_data["reason"].startswith("model expired: btc_usdt_1h_oos2023")
    assert controller.processed_data["p_long"] == fresh.processed_data["p_long"]  # forecast still shown
    assert controller.create_actions_proposal() == [] and controller.stop_actions_proposal() == []
    assert any("model expired" in line for line in controller.to_format_status())
    tick(controller)
    (expired,) = [r for r in _model_records(tmp_path / "b") if r.event == "expired"]
    assert "model_max_age_days=1" in expired.reason
    frame = controller.engine.frame(real_candles(), signal_rule(controller.config))  # the backtest path
    closes = frame["timestamp"] + HOUR
    expiry = pd.Timestamp("2023-01-02", tz="UTC").timestamp()
    late, early = frame[closes > expiry], frame[(closes <= expiry) & (frame["reason"] == "")]
    assert (late["signal"] == 0).all() and late["reason"].str.startswith("model expired").all()
    assert len(early) > 0 and (early["signal"] != 0).any()


# -- a real replay: the retrain job's version becomes valid mid-run ---------------------------------------

SWAP_AT = pd.Timestamp("2023-01-10", tz="UTC").timestamp()


def _replay_script(tmp_path: Path, registry: Path) -> Path:
    shipped = yaml.safe_load((PROJECT_ROOT / "conf/scripts/ai_livestream_1h.yml").read_text())
    controller = yaml.safe_load((PROJECT_ROOT / "conf/controllers/ai_livestream_btc_usdt_1h.yml").read_text())
    # Test-only deviations: the registry as model_dir and a low threshold so that both versions trade.
    controller.update(model_dir=str(registry), long_threshold=0.1, mqtt={"replay_state_dir": None})
    (tmp_path / "ai.yml").write_text(yaml.safe_dump(controller))
    shipped.update(
        controllers_config=[str(tmp_path / "ai.yml")], config_file=None, state_dir=str(tmp_path / "st")
    )
    (tmp_path / "guarded.yml").write_text(yaml.safe_dump(shipped))
    return tmp_path / "guarded.yml"


@pytest.mark.slow
def test_replay_swaps_to_a_retrained_version_mid_run_and_keeps_trading(tmp_path: Path) -> None:
    registry = tmp_path / "models" / "btc_usdt_1h"
    _version(registry, "2023-01-01")
    # The retrain job: a real (small) model trained on data up to 2023-01-09, valid from its cut-off.
    candles = real_candles(start="2022-07-01", end="2023-01-09")
    train_small_model(registry / "2023-01-10", candles=candles)
    v2 = json.loads((registry / "2023-01-10" / SEAL_NAME).read_text())
    assert pd.Timestamp(v2["valid_from"]).timestamp() == SWAP_AT
    result = run_replay(
        ReplayRequest(
            script_config=_replay_script(tmp_path, registry),
            data=(data_file("binance_BTC-USDT_1h.csv"),),
            start="2023-01-05",
            end="2023-01-15",
            balances={"USDT": Decimal(10_000)},
        )
    )
    audit = tmp_path / "st" / "audit"
    assert verify_chain(audit).ok
    models = [r for r in iter_records(audit) if isinstance(r, ModelRecord)]
    assert [(r.event, r.version) for r in models] == [("loaded", "2023-01-01"), ("swapped", "2023-01-10")]
    assert SWAP_AT <= models[1].ts < SWAP_AT + HOUR and models[1].model_sha256 == v2["digest"]
    fills = [float(f.timestamp) for f in result.exchanges["binance"].ledger.entries]
    assert any(t < SWAP_AT for t in fills) and any(t > SWAP_AT for t in fills)
    signals = [r for r in iter_records(audit) if isinstance(r, SignalRecord) and r.ts > models[1].ts]
    assert signals and {s.model_sha256 for s in signals} == {v2["digest"]}
