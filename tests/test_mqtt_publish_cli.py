"""``python -m hummingbot_plugin publish`` against a real broker and a channel on Hummingbot's bridge."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from mosquitto_fixture import BridgeHarness
from mqtt_factories import (
    CONTROLLER_ID,
    KEY_ID,
    SECRET,
    make_config,
    make_keyring,
    make_settings,
    ticking,
    wait_until,
)

from hummingbot_plugin.cli import main
from hummingbot_plugin.hb.control_channel import ControlChannel
from hummingbot_plugin.mqtt import ChannelUpdate


def _broker_args(hb_bridge: BridgeHarness, key_file: Path) -> list[str]:
    broker = hb_bridge.broker
    return [
        "--host",
        broker.host,
        "--port",
        str(broker.port),
        "--username",
        broker.admin.username,
        "--password",
        broker.admin.password,
        "--key-id",
        KEY_ID,
        "--key-file",
        str(key_file),
    ]


def _run_in_thread(argv: list[str]) -> tuple[threading.Thread, list[int]]:
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(main(argv)), daemon=True)
    thread.start()
    return thread, codes


@pytest.mark.parametrize(("value", "accepted"), [("0.72", True), ("7.5", False)])
def test_cli_override_signed_applied_and_acked(
    hb_bridge: BridgeHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, accepted: bool
) -> None:
    key_file = tmp_path / "keys.json"
    key_file.write_text(json.dumps({KEY_ID: SECRET.hex()}), encoding="utf-8")
    hb_bridge.start()
    channel = ControlChannel(make_config(), make_settings(tmp_path), clock=time.time, keyring=make_keyring())
    assert channel.poll().subscribed
    hb_bridge.pump(0.2)
    argv = [
        "publish",
        "override",
        "--controller-id",
        CONTROLLER_ID,
        "--set",
        f"long_threshold={value}",
        "--wait-ack",
        "5",
        *_broker_args(hb_bridge, key_file),
    ]
    thread, codes = _run_in_thread(argv)
    updates: list[ChannelUpdate] = []
    assert wait_until(
        lambda: bool(codes),
        ticking(channel, hb_bridge.pump, updates),
        timeout=8.0,
    )
    thread.join(1)
    applied = [u.new_config for u in updates if u.new_config is not None]
    assert codes == [0 if accepted else 1]
    assert [c.long_threshold for c in applied] == ([0.72] if accepted else [])
    assert ('"accepted": true' in capsys.readouterr().out) is accepted


def test_cli_prediction_reaches_channel(hb_bridge: BridgeHarness, tmp_path: Path) -> None:
    hb_bridge.start()
    channel = ControlChannel(make_config(), make_settings(tmp_path), clock=time.time, keyring=make_keyring())
    channel.poll()
    hb_bridge.pump(0.2)
    broker = hb_bridge.broker
    argv = [
        "publish",
        "prediction",
        "--pair",
        "BTC-USDT",
        "--probabilities",
        "0.25",
        "0.25",
        "0.5",
        "--target-pct",
        "0.015",
        "--host",
        broker.host,
        "--port",
        str(broker.port),
        "--username",
        broker.admin.username,
        "--password",
        broker.admin.password,
    ]
    thread, codes = _run_in_thread(argv)
    updates: list[ChannelUpdate] = []
    assert wait_until(
        lambda: any(u.prediction for u in updates), ticking(channel, hb_bridge.pump, updates), 8.0
    )
    thread.join(2)
    got = next(u.prediction for u in updates if u.prediction is not None)
    assert codes == [0] and got.long == 0.5 and got.target_pct == 0.015


def test_cli_rejects_bad_set_syntax(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["publish", "override", "--controller-id", "c", "--set", "no_equals_sign"])
    assert code == 2 and "FIELD=VALUE" in capsys.readouterr().err
