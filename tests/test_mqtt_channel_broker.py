"""The control channel end to end: real Mosquitto (password + ACL) and Hummingbot's real MQTT bridge."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from mosquitto_fixture import BridgeHarness, MosquittoBroker
from mqtt_channel_helpers import ACK_TOPIC, STATUS_TOPIC, make_channel, poll_until, subscribed_channel
from mqtt_factories import (
    OVR_TOPIC,
    PRED_TOPIC,
    Operator,
    make_config,
    make_override,
    make_prediction,
    ticking,
    wait_until,
)

from hummingbot_plugin.audit import (
    AuditLog,
    AuditWriteError,
    OverrideRecord,
    iter_records,
    verify_chain,
)
from hummingbot_plugin.mqtt import DirectionalView, PredictionMode, ViewSource, combine_views


@pytest.fixture
def operator(mosquitto: MosquittoBroker) -> Iterator[Operator]:
    op = Operator(mosquitto.host, mosquitto.port, mosquitto.admin.username, mosquitto.admin.password)
    op.subscribe(ACK_TOPIC)
    yield op
    op.close()


def test_good_override_applied_atomically_and_acked(
    hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path
) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path, AuditLog(tmp_path / "audit"))
    operator.publish(OVR_TOPIC, make_override({"min_signal_pct": 0.1, "max_signal_pct": 0.2, "paused": True}))
    update = poll_until(channel, hb_bridge, lambda u: u.new_config is not None)
    cfg = update.new_config
    assert (cfg.min_signal_pct, cfg.max_signal_pct, cfg.paused) == (0.1, 0.2, True)
    assert wait_until(lambda: operator.messages(ACK_TOPIC), hb_bridge.pump)
    ack = operator.messages(ACK_TOPIC)[-1]
    assert ack["accepted"] is True and ack["applied"]["paused"] is True
    assert channel.overlay(make_config()).paused is True  # survives Hummingbot's periodic config reload
    records = [r for r in iter_records(tmp_path / "audit") if isinstance(r, OverrideRecord)]
    assert [(r.accepted, r.sender) for r in records] == [(True, "ops")] and len(
        records[0].payload_sha256
    ) == 64
    assert verify_chain(tmp_path / "audit").ok


BAD_WIRE: list[tuple[str, Any, str]] = [
    ("oversized", lambda: make_override({"paused": True}, note="z" * 6000), "oversized"),
    ("stale", lambda: make_override({"paused": True}, issued_at=time.time() - 300), "stale"),
    ("future", lambda: make_override({"paused": True}, issued_at=time.time() + 300), "future"),
    ("unsigned", lambda: make_override({"paused": True}, sign=False), "unsigned"),
    (
        "bad_signature",
        lambda: {**make_override({"paused": True}), "changes": {"paused": False}},
        "bad_signature",
    ),
    ("out_of_range", lambda: make_override({"long_threshold": 7.0}), "invalid_config"),
    ("unknown_field", lambda: make_override({"paused": True}, extra_field=1), "unknown_field"),
    ("non_updatable", lambda: make_override({"leverage": 50}), "not_updatable"),
    ("unknown_config", lambda: make_override({"no_such_knob": 1}), "unknown_config_field"),
]


def test_bad_overrides_over_the_wire_refused_counted_acked(
    hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path
) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path, AuditLog(tmp_path / "audit"), override_mailbox=32)
    operator.publish(OVR_TOPIC, b"{this is not json")  # Hummingbot's bridge drops it before us
    for _name, build, _reason in BAD_WIRE:
        operator.publish(OVR_TOPIC, build())
    assert wait_until(
        lambda: len(operator.messages(ACK_TOPIC)) >= len(BAD_WIRE),
        ticking(channel, hb_bridge.pump),
    )
    acks = operator.messages(ACK_TOPIC)
    # signed command-shaped messages ({"paused": true}) travel in the command lane, so order is not kept
    assert sorted(a["reason"] for a in acks) == sorted(reason for _n, _b, reason in BAD_WIRE)
    assert not any(a["accepted"] for a in acks)
    counters = channel.counters()
    assert counters.overrides_accepted == 0 and counters.rejected_total == len(BAD_WIRE)
    audited = [r for r in iter_records(tmp_path / "audit") if isinstance(r, OverrideRecord)]
    assert len(audited) == len(BAD_WIRE) and not any(r.accepted for r in audited)
    operator.publish(OVR_TOPIC, make_override({"long_threshold": 0.75}))  # the loop is still alive
    update = poll_until(channel, hb_bridge, lambda u: u.new_config is not None)
    assert update.new_config.long_threshold == 0.75 and update.new_config.paused is False


def test_replayed_override_refused_after_channel_restart(
    hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path
) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path)
    message = make_override({"long_threshold": 0.8})
    operator.publish(OVR_TOPIC, message)
    poll_until(channel, hb_bridge, lambda u: u.new_config is not None)
    channel.stop()
    restarted = make_channel(tmp_path)  # same replay_state_dir, fresh process state
    assert restarted.poll().subscribed
    hb_bridge.pump(0.2)
    operator.publish(OVR_TOPIC, message)
    poll_until(restarted, hb_bridge, lambda u: u.counters.rejected.get("replayed") == 1)
    assert restarted.counters().overrides_accepted == 0


def test_retained_override_ignored(hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path) -> None:
    hb_bridge.start()
    operator.publish(OVR_TOPIC, make_override({"paused": True}), retain=True)
    time.sleep(0.05)
    channel = make_channel(tmp_path)
    update = poll_until(channel, hb_bridge, lambda u: u.counters.rejected.get("retained") == 1)
    assert update.new_config is None and channel.counters().overrides_accepted == 0


def test_prediction_changes_channel_output_within_a_tick(
    hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path
) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path, prediction_mode=PredictionMode.BLEND)
    local = DirectionalView(0.3, 0.4, 0.3, 0.01)
    assert channel.poll().prediction is None
    operator.publish(PRED_TOPIC, make_prediction((0.05, 0.15, 0.8), target_pct=0.02))
    hb_bridge.pump(0.1)  # less than one 1 s controller tick
    update = channel.poll()
    assert update.prediction is not None and update.prediction.long == 0.8
    operator.subscribe(STATUS_TOPIC)
    channel.publish_status(time.time())
    assert wait_until(lambda: operator.messages(STATUS_TOPIC), hb_bridge.pump)
    assert operator.messages(STATUS_TOPIC)[0]["received"] == 1
    view = combine_views(
        local, update.prediction, now=time.time(), max_signal_age=60.0, mode=PredictionMode.BLEND
    )
    assert view is not None and view.source is ViewSource.BLEND and view.long == pytest.approx(0.55)


def test_flood_coalesces_to_latest(hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path)
    start = time.time()
    total = 2000
    for i in range(total):
        operator.publish(PRED_TOPIC, make_prediction((0.1, 0.2, 0.7), timestamp=start + i * 1e-4))
    wait_until(lambda: channel._mailbox.received >= total, hb_bridge.pump, timeout=20.0)
    update = channel.poll()
    assert update.prediction is not None and update.prediction.timestamp == pytest.approx(
        start + (total - 1) * 1e-4
    )
    assert update.counters.predictions_accepted == 1
    assert update.counters.rejected.get("mailbox_overflow") == channel._mailbox.received - 1


class _BrokenDisk:
    """An audit sink whose disk fails (a failing disk cannot be produced on demand: simulated)."""

    def append(self, record: object) -> object:
        raise AuditWriteError("disk full", fix="free space")


def test_override_not_applied_when_audit_log_unwritable(
    hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path
) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path, _BrokenDisk())
    operator.publish(OVR_TOPIC, make_override({"paused": True}))
    update = poll_until(channel, hb_bridge, lambda u: u.counters.rejected.get("audit_unavailable") == 1)
    assert update.new_config is None and channel.counters().overrides_accepted == 0
