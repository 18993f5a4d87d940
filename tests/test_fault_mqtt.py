"""Commands outrank data, nothing unsigned reaches a log unescaped, an unwritable anti-replay folder never
wedges the controller: a real Mosquitto, Hummingbot's real MQTT bridge, a real read-only folder."""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from mosquitto_fixture import BridgeHarness, MosquittoBroker
from mqtt_channel_helpers import ACK_TOPIC
from mqtt_factories import KEY_ID, OVR_TOPIC, SECRET, Operator, make_override, wait_until
from risk_factories import NOW, make_limits, make_snapshot

from controllers.directional_trading.ai_livestream import AiLivestreamConfig
from hummingbot_plugin.audit import AuditSink
from hummingbot_plugin.hb.control_channel import ControlChannel
from hummingbot_plugin.mqtt import ChannelUpdate, ControlChannelSettings, Keyring, sign_payload
from hummingbot_plugin.risk import DenialReason, JsonStateStore, RiskGuard, RiskState

OPERATOR_KEY = "root"
OPERATOR_SECRET = secrets.token_bytes(32)  # new for every test session


def ai_config(**overrides: Any) -> AiLivestreamConfig:
    """The real AI controller config (its bounds are the ones under test)."""
    values: dict[str, Any] = {
        "id": "ctrl_1",
        "connector_name": "binance",
        "trading_pair": "BTC-USDT",
        "model_dir": "btc_usdt_1h",
        "total_amount_quote": Decimal(1000),
        "risk": {"max_drawdown_quote": 100, "daily_loss_limit_quote": 50, "max_drawdown_pct": 0.05},
    }
    values.update(overrides)
    return AiLivestreamConfig(**values)


def make_channel(state_dir: Path | None, audit: AuditSink | None = None, **settings: Any) -> ControlChannel:
    options: dict[str, Any] = {"replay_state_dir": state_dir, "operator_key_ids": (OPERATOR_KEY,), **settings}
    return ControlChannel(
        ai_config(),
        ControlChannelSettings(**options),
        clock=time.time,
        keyring=Keyring({KEY_ID: SECRET, OPERATOR_KEY: OPERATOR_SECRET}),
        audit=audit,
    )


def operator_override(changes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = make_override(changes, sign=False, **extra)
    return sign_payload(OPERATOR_SECRET, OPERATOR_KEY, OVR_TOPIC, body)


@pytest.fixture
def operator(mosquitto: MosquittoBroker) -> Iterator[Operator]:
    op = Operator(mosquitto.host, mosquitto.port, mosquitto.admin.username, mosquitto.admin.password)
    op.subscribe(ACK_TOPIC)
    yield op
    op.close()


def _subscribed(hb_bridge: BridgeHarness, channel: ControlChannel) -> ControlChannel:
    assert channel.poll().subscribed
    hb_bridge.pump(0.2)
    return channel


def _guard() -> RiskGuard:
    return RiskGuard(
        make_limits(), JsonStateStore(Path("/nonexistent/never_written.json")), None, scope="ctrl_1"
    )


def test_kill_switch_then_a_flood_in_one_tick_is_applied(
    hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path, clean_alarms: None
) -> None:
    hb_bridge.start()
    channel = _subscribed(hb_bridge, make_channel(tmp_path))
    operator.publish(OVR_TOPIC, make_override({"manual_kill_switch": True}))
    for _ in range(12):
        operator.publish(OVR_TOPIC, {})
    assert wait_until(lambda: channel._mailbox.received >= 13, hb_bridge.pump)  # all in before one tick
    update = channel.poll()
    assert update.new_config is not None and update.new_config.manual_kill_switch is True
    assert update.counters.rejected.get("mailbox_overflow") == 4  # data evicted, never the command
    guard = _guard()
    guard.observe(make_snapshot(), NOW)  # the controller's gate in the same tick
    assert (guard.state, guard.status.reason_code) == (RiskState.HALTED, DenialReason.KILL_SWITCH)


def test_unwritable_anti_replay_folder_never_wedges_the_kill_switch(
    hb_bridge: BridgeHarness, operator: Operator, readonly_dir: Path
) -> None:
    hb_bridge.start()
    channel = _subscribed(hb_bridge, make_channel(readonly_dir))
    operator.publish(OVR_TOPIC, make_override({"long_threshold": 0.6}))  # data: refused, not wedged
    operator.publish(OVR_TOPIC, make_override({"manual_kill_switch": True}))
    updates: list[ChannelUpdate] = []

    def tick(seconds: float) -> None:
        updates.append(channel.poll())  # never raises
        hb_bridge.pump(seconds)

    assert wait_until(lambda: len(operator.messages(ACK_TOPIC)) >= 2, tick)
    acks = {a["reason"] for a in operator.messages(ACK_TOPIC)}
    assert acks == {"accepted", "state_unwritable"}
    assert any(u.new_config is not None and u.new_config.manual_kill_switch for u in updates)
    assert "Read-only file system" in (updates[-1].persist_error or "")
    guard = _guard()
    guard.observe(make_snapshot(), NOW)
    assert guard.state is RiskState.HALTED


def test_msg_id_with_a_newline_is_refused_and_logged_escaped(
    hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    hb_bridge.start()
    channel = _subscribed(hb_bridge, make_channel(tmp_path))
    forged = "x\nINFO override fake applied to ctrl_1"
    operator.publish(OVR_TOPIC, make_override({"long_threshold": 0.6}, msg_id=forged, sign=False))
    with caplog.at_level(logging.DEBUG):
        update = poll_until(channel, hb_bridge, lambda u: u.counters.rejected_total >= 1)
    assert update.new_config is None
    messages = [r.getMessage() for r in caplog.records if "rejected MQTT message" in r.getMessage()]
    assert messages and all("\n" not in m for m in messages)
    assert "x\\nINFO override fake" in messages[0]  # the id is shown escaped, on one line
    assert wait_until(lambda: operator.messages(ACK_TOPIC), hb_bridge.pump)
    ack = operator.messages(ACK_TOPIC)[-1]
    assert ack["msg_id"] is None and ack["reason"] == "schema" and not ack["accepted"]


def poll_until(
    channel: ControlChannel, bridge: BridgeHarness, check: Any, timeout: float = 5.0
) -> ChannelUpdate:
    last: list[ChannelUpdate] = []

    def done() -> bool:
        last.append(channel.poll())
        return bool(check(last[-1]))

    assert wait_until(done, bridge.pump, timeout)
    return last[-1]
