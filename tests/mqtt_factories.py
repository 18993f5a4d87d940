"""Factories shared by the MQTT tests: settings, a controller config, signed messages, a paho operator."""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from hummingbot.strategy_v2.controllers.directional_trading_controller_base import (
    DirectionalTradingControllerConfigBase,
)
from pydantic import Field, model_validator

from hummingbot_plugin.mqtt import (
    ControlChannelSettings,
    Keyring,
    override_topic,
    prediction_topic,
    sign_payload,
)

KEY_ID = "ops"
SECRET = secrets.token_bytes(32)  # HMAC key, new for every test session
CONTROLLER_ID = "ctrl_1"
PAIR = "BTC-USDT"
PRED_TOPIC = prediction_topic("hbot/predictions", PAIR)
OVR_TOPIC = override_topic("hbot/control", CONTROLLER_ID)


class DemoDirectionalConfig(DirectionalTradingControllerConfigBase):
    """A real Hummingbot directional config with updatable thresholds and a cross-field rule."""

    controller_name: str = "mqtt_demo"
    long_threshold: float = Field(default=0.6, ge=0.0, le=1.0, json_schema_extra={"is_updatable": True})
    short_threshold: float = Field(default=0.6, ge=0.0, le=1.0, json_schema_extra={"is_updatable": True})
    min_signal_pct: float = Field(default=0.001, gt=0.0, json_schema_extra={"is_updatable": True})
    max_signal_pct: float = Field(default=0.05, gt=0.0, json_schema_extra={"is_updatable": True})
    paused: bool = Field(default=False, json_schema_extra={"is_updatable": True})
    max_position_quote: Decimal = Field(
        default=Decimal("500"), gt=0, json_schema_extra={"is_updatable": True}
    )
    model_tag: str = Field(default="q-lgbm", json_schema_extra={"is_updatable": False})

    @model_validator(mode="after")
    def _signal_band(self) -> DemoDirectionalConfig:
        if self.min_signal_pct > self.max_signal_pct:
            raise ValueError("min_signal_pct must not exceed max_signal_pct")
        return self


def make_config(**overrides: Any) -> DemoDirectionalConfig:
    values: dict[str, Any] = {
        "id": CONTROLLER_ID,
        "connector_name": "binance_perpetual",
        "trading_pair": PAIR,
        "leverage": 1,
    }
    values.update(overrides)
    return DemoDirectionalConfig(**values)


def make_settings(state_dir: Path | None, **overrides: Any) -> ControlChannelSettings:
    values: dict[str, Any] = {"replay_state_dir": state_dir}
    values.update(overrides)
    return ControlChannelSettings(**values)


def make_keyring() -> Keyring:
    return Keyring({KEY_ID: SECRET})


def make_override(
    changes: dict[str, Any],
    *,
    issued_at: float | None = None,
    msg_id: str | None = None,
    controller_id: str = CONTROLLER_ID,
    sign: bool = True,
    topic: str = OVR_TOPIC,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "msg_id": msg_id or uuid.uuid4().hex[:16],
        "issued_at": time.time() if issued_at is None else issued_at,
        "controller_id": controller_id,
        "changes": changes,
        **extra,
    }
    return sign_payload(SECRET, KEY_ID, topic, body) if sign else body


def make_prediction(
    probabilities: tuple[float, float, float] = (0.1, 0.2, 0.7),
    *,
    timestamp: float | None = None,
    target_pct: float = 0.01,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "probabilities": list(probabilities),
        "target_pct": target_pct,
        "timestamp": time.time() if timestamp is None else timestamp,
        **extra,
    }


class Operator:
    """A paho client logged in as ``admin``: publishes and records what arrives on subscribed topics."""

    def __init__(self, host: str, port: int, username: str, password: str) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        self._client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"op-{uuid.uuid4().hex[:8]}")
        self._client.username_pw_set(username, password)
        self._client.on_message = self._on_message
        self._client.connect(host, port)
        self._client.loop_start()

    def _on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        with self._lock:
            self.received.append((message.topic, json.loads(message.payload)))

    def subscribe(self, topic: str) -> None:
        self._client.subscribe(topic, qos=1)
        time.sleep(0.1)

    def publish(self, topic: str, payload: dict[str, Any] | bytes, *, retain: bool = False) -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self._client.publish(topic, data, qos=1, retain=retain).wait_for_publish(5)

    def messages(self, topic: str) -> list[dict[str, Any]]:
        with self._lock:
            return [body for got, body in self.received if got == topic]

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


def wait_until(condition: Callable[[], bool], pump: Callable[[float], None], timeout: float = 5.0) -> bool:
    """Pump the event loop until ``condition()`` holds (bounded)."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return True
        pump(0.02)
    return condition()


def ticking(
    channel: Any, pump: Callable[[float], None], sink: list[Any] | None = None
) -> Callable[[float], None]:
    """A pump that also polls ``channel`` every step (like a controller tick), keeping updates in ``sink``."""

    def step(seconds: float) -> None:
        update = channel.poll()
        if sink is not None:
            sink.append(update)
        pump(seconds)

    return step
