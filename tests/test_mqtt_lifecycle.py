"""Control-channel lifecycle on a real broker: broker outage, late or restarted bridge, stop, broker ACL."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from hummingbot.remote_iface.mqtt import MQTTGateway
from mosquitto_fixture import BridgeHarness, MosquittoBroker
from mqtt_channel_helpers import make_channel, poll_until, subscribed_channel
from mqtt_factories import (
    OVR_TOPIC,
    PRED_TOPIC,
    Operator,
    make_override,
    make_prediction,
    wait_until,
)

from hummingbot_plugin.hb.bridge_runtime import wait_for_bridge
from hummingbot_plugin.mqtt import DirectionalView, PredictionMode, combine_views


@pytest.fixture
def operator(mosquitto: MosquittoBroker) -> Iterator[Operator]:
    op = Operator(mosquitto.host, mosquitto.port, mosquitto.admin.username, mosquitto.admin.password)
    yield op
    op.close()


def test_broker_down_falls_back_without_stale_prediction(
    hb_bridge: BridgeHarness, mosquitto: MosquittoBroker, operator: Operator, tmp_path: Path
) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path)
    operator.publish(PRED_TOPIC, make_prediction())
    poll_until(channel, hb_bridge, lambda u: u.prediction is not None)
    operator.close()
    mosquitto.stop()
    update = poll_until(channel, hb_bridge, lambda u: not u.connected)
    assert update.prediction is None
    local = DirectionalView(0.3, 0.4, 0.3, 0.01)
    assert (
        combine_views(
            local, update.prediction, now=time.time(), max_signal_age=60.0, mode=PredictionMode.REPLACE
        )
        is local
    )


def test_bridge_starting_late_subscribes_when_it_appears(
    hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path
) -> None:
    channel = make_channel(tmp_path)
    first = channel.poll()
    assert MQTTGateway.main() is None and not first.subscribed and first.prediction is None
    hb_bridge.start()
    assert channel.poll().subscribed
    hb_bridge.pump(0.2)
    operator.publish(PRED_TOPIC, make_prediction((0.2, 0.2, 0.6)))
    update = poll_until(channel, hb_bridge, lambda u: u.prediction is not None)
    assert update.prediction is not None and update.prediction.long == 0.6


def test_stop_removes_subscriptions(hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path)
    gateway = MQTTGateway.main()
    assert OVR_TOPIC in gateway._sub_callbacks and PRED_TOPIC in gateway._sub_callbacks
    channel.stop()
    assert OVR_TOPIC not in gateway._sub_callbacks and PRED_TOPIC not in gateway._sub_callbacks
    operator.publish(PRED_TOPIC, make_prediction())
    hb_bridge.pump(0.3)
    assert channel._mailbox.received == 0


def test_broker_acl_denies_anonymous_and_bot_override_writes(
    hb_bridge: BridgeHarness, mosquitto: MosquittoBroker, tmp_path: Path
) -> None:
    anonymous = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    codes: list[Any] = []
    anonymous.on_connect = lambda _c, _u, _f, code, _p: codes.append(code)
    anonymous.connect(mosquitto.host, mosquitto.port)
    anonymous.loop_start()
    assert wait_until(lambda: bool(codes), lambda s: time.sleep(s))
    anonymous.loop_stop()
    assert codes[0].is_failure
    channel = subscribed_channel(hb_bridge, tmp_path)
    as_bot = Operator(mosquitto.host, mosquitto.port, mosquitto.bot.username, mosquitto.bot.password)
    try:
        as_bot.publish(OVR_TOPIC, json.dumps(make_override({"paused": True})).encode())
        hb_bridge.pump(0.3)
        assert channel.poll().new_config is None and channel._mailbox.received == 0
    finally:
        as_bot.close()


def test_bridge_restart_resubscribes_on_the_new_gateway(
    hb_bridge: BridgeHarness, operator: Operator, tmp_path: Path
) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path)
    old_gateway = MQTTGateway.main()
    hb_bridge.app.mqtt_stop()  # Hummingbot's `mqtt stop` / `mqtt start` commands
    hb_bridge.pump(0.2)
    assert channel.poll().prediction is None
    hb_bridge.app.mqtt_start()
    hb_bridge.loop.run_until_complete(wait_for_bridge(10.0))
    new_gateway = MQTTGateway.main()
    assert new_gateway is not old_gateway
    poll_until(channel, hb_bridge, lambda u: PRED_TOPIC in new_gateway._sub_callbacks)
    hb_bridge.pump(0.2)
    operator.publish(PRED_TOPIC, make_prediction((0.3, 0.3, 0.4)))
    update = poll_until(channel, hb_bridge, lambda u: u.prediction is not None)
    assert update.prediction is not None and update.prediction.long == 0.4


@pytest.mark.slow
def test_broker_restart_resubscribes(
    hb_bridge: BridgeHarness, mosquitto: MosquittoBroker, tmp_path: Path
) -> None:
    channel = subscribed_channel(hb_bridge, tmp_path)
    mosquitto.stop()
    poll_until(channel, hb_bridge, lambda u: not u.connected)
    mosquitto.start()
    poll_until(channel, hb_bridge, lambda u: u.connected, timeout=15.0)  # bridge reconnects every 5 s
    hb_bridge.pump(0.2)
    op = Operator(mosquitto.host, mosquitto.port, mosquitto.admin.username, mosquitto.admin.password)
    try:
        op.publish(PRED_TOPIC, make_prediction((0.6, 0.3, 0.1)))
        update = poll_until(channel, hb_bridge, lambda u: u.prediction is not None)
        assert update.prediction is not None and update.prediction.short == 0.6
    finally:
        op.close()
