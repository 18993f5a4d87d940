"""External predictions and overrides reach the AI controller over a REAL Mosquitto + Hummingbot's bridge.

The controller runs on real 2023 candles with its own (simulated) clock; message timestamps follow that
clock, so the channel's freshness rules are exercised exactly as live.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pandas as pd
import pytest
from ai_factories import HOUR, Clock, make_config, make_controller, real_candles, tick
from hummingbot.core.data_type.common import TradeType
from mosquitto_fixture import BridgeHarness, MosquittoBroker
from mqtt_factories import KEY_ID, SECRET, Operator, make_override, make_prediction, wait_until

from hummingbot_plugin.mqtt import ControlChannelSettings, PredictionMode, ack_topic, override_topic

NOW_BAR = pd.Timestamp("2023-01-02 03:00", tz="UTC").timestamp()
CTRL = "ai-test"
PRED = "hbot/predictions/btc_usdt/ML_SIGNALS"
OVR = override_topic("hbot/control", CTRL)
ACK = ack_topic("hbot/control", CTRL)


@pytest.fixture
def operator(mosquitto: MosquittoBroker) -> Iterator[Operator]:
    op = Operator(mosquitto.host, mosquitto.port, mosquitto.admin.username, mosquitto.admin.password)
    op.subscribe(ACK)
    yield op
    op.close()


@pytest.fixture(autouse=True)
def keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HBP_MQTT_KEYS", f"{KEY_ID}:{SECRET.hex()}")


def _controller(hb_bridge: BridgeHarness, clock: Clock, mode: PredictionMode, **overrides: Any) -> Any:
    settings = ControlChannelSettings(replay_state_dir=None, prediction_mode=mode, max_signal_age=60)
    controller = make_controller(make_config(mqtt=settings, **overrides), real_candles(), clock)
    return controller


def _next_tick_after_delivery(controller: Any, bridge: BridgeHarness, received: int) -> dict[str, Any]:
    """Pump (no tick) until the bridge handed the message to the channel, then run exactly ONE tick."""
    assert wait_until(lambda: controller.channel.counters().received >= received, bridge.pump)
    tick(controller)
    return dict(controller.processed_data)


def test_external_prediction_replaces_local_view_while_fresh(
    hb_bridge: BridgeHarness, operator: Operator
) -> None:
    clock = Clock(NOW_BAR + HOUR + 1)
    controller = _controller(hb_bridge, clock, PredictionMode.REPLACE, long_threshold=0.6)
    tick(controller)  # broker bridge not running yet: the in-process model decides
    assert controller.processed_data["source"] == "local" and controller.processed_data["signal"] == 0
    assert "connected=False" in " ".join(controller.to_format_status())
    hb_bridge.start()
    tick(controller)
    hb_bridge.pump(0.2)
    operator.publish(PRED, make_prediction((0.05, 0.15, 0.8), timestamp=clock.now, target_pct=0.3))
    data = _next_tick_after_delivery(controller, hb_bridge, 1)
    assert (data["signal"], data["source"]) == (1, "external")
    assert controller.processed_data["target_pct"] == 0.05  # clipped to the forecaster's bound
    # barriers stay inside their caps whatever the message says
    barrier = controller.get_executor_config(TradeType.BUY, Decimal(100), Decimal(1)).triple_barrier_config
    assert float(barrier.stop_loss) <= 0.03 and float(barrier.take_profit) <= 0.05
    clock.now += 120  # older than max_signal_age: back to the in-process model
    tick(controller)
    assert controller.processed_data["source"] == "local" and controller.processed_data["signal"] == 0


def test_signed_override_changes_threshold_within_a_tick_and_is_acked(
    hb_bridge: BridgeHarness, operator: Operator
) -> None:
    clock = Clock(NOW_BAR + HOUR + 1)
    controller = _controller(hb_bridge, clock, PredictionMode.LOCAL_ONLY, long_threshold=0.9)
    hb_bridge.start()
    tick(controller)
    hb_bridge.pump(0.2)
    assert controller.processed_data["signal"] == 0
    body = make_override({"long_threshold": 0.01}, issued_at=clock.now, controller_id=CTRL, topic=OVR)
    operator.publish(OVR, body)
    assert _next_tick_after_delivery(controller, hb_bridge, 1)["signal"] == 1
    assert controller.config.long_threshold == 0.01
    assert wait_until(lambda: bool(operator.messages(ACK)), hb_bridge.pump)
    assert operator.messages(ACK)[-1]["accepted"] is True
    assert "long_threshold" in " ".join(controller.to_format_status())
    reloaded = make_config(mqtt=controller.config.mqtt, long_threshold=0.9)  # Hummingbot's YAML reload
    controller.update_config(reloaded)
    assert controller.config.long_threshold == 0.01, "the accepted override stays on top of the file"
    refused = make_override({"leverage": 5}, issued_at=clock.now, controller_id=CTRL, topic=OVR)
    operator.publish(OVR, refused)
    assert wait_until(
        lambda: len(operator.messages(ACK)) >= 2, lambda s: (tick(controller), hb_bridge.pump(s))
    )
    assert operator.messages(ACK)[-1]["accepted"] is False and controller.config.leverage == 1


def test_external_only_fails_closed_when_the_prediction_expires(
    hb_bridge: BridgeHarness, operator: Operator
) -> None:
    clock = Clock(NOW_BAR + HOUR + 1)
    controller = _controller(hb_bridge, clock, PredictionMode.REPLACE, model_dir=None)
    hb_bridge.start()
    tick(controller)
    hb_bridge.pump(0.2)
    assert controller.processed_data["reason"] == "no external prediction received yet"
    operator.publish(PRED, make_prediction((0.05, 0.15, 0.8), timestamp=clock.now))
    assert _next_tick_after_delivery(controller, hb_bridge, 1)["signal"] == 1
    clock.now += 90
    tick(controller)
    assert controller.processed_data["signal"] == 0
    assert controller.processed_data["reason"].startswith("external prediction expired")
    assert any("external prediction expired" in line for line in controller.to_format_status())
