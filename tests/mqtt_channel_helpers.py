"""Helpers for the control-channel tests that run on a real broker and Hummingbot's real bridge."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mosquitto_fixture import BridgeHarness
from mqtt_factories import make_config, make_keyring, make_settings, wait_until

from hummingbot_plugin.audit import AuditSink
from hummingbot_plugin.hb.control_channel import ControlChannel
from hummingbot_plugin.mqtt import ChannelUpdate

ACK_TOPIC = "hbot/control/ctrl_1/ack"
STATUS_TOPIC = "hbot/control/ctrl_1/status"


def make_channel(state_dir: Path, audit: AuditSink | None = None, **settings: Any) -> ControlChannel:
    return ControlChannel(
        make_config(),
        make_settings(state_dir, **settings),
        clock=time.time,
        keyring=make_keyring(),
        audit=audit,
    )


def poll_until(
    channel: ControlChannel, bridge: BridgeHarness, check: Any, timeout: float = 5.0
) -> ChannelUpdate:
    last: list[ChannelUpdate] = []

    def done() -> bool:
        last.append(channel.poll())
        return bool(check(last[-1]))

    assert wait_until(done, bridge.pump, timeout), f"condition not met; last update: {last[-1]}"
    return last[-1]


def subscribed_channel(
    hb_bridge: BridgeHarness, tmp_path: Path, audit: AuditSink | None = None, **settings: Any
) -> ControlChannel:
    hb_bridge.start()
    channel = make_channel(tmp_path, audit, **settings)
    assert channel.poll().subscribed
    hb_bridge.pump(0.2)  # let the SUBSCRIBE reach the broker
    return channel
