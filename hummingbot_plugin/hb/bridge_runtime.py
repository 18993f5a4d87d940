"""Run Hummingbot's real MQTT bridge without the terminal UI (tests, benchmarks, headless tools).

The bridge (``MQTTGateway``) needs a ``HummingbotApplication``: it reads ``client_config_map.mqtt_bridge``,
``instance_id``, ``ev_loop``, ``logger`` and ``notifiers`` from it. The minimal real way is a headless
application (``headless_mode=True`` skips the UI) started with its own ``mqtt_start()`` command.
"""

from __future__ import annotations

import asyncio

from hummingbot.client.config.client_config_map import ClientConfigMap
from hummingbot.client.config.config_helpers import ClientConfigAdapter
from hummingbot.client.hummingbot_application import HummingbotApplication
from hummingbot.remote_iface.mqtt import MQTTGateway

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.patches import forget_mqtt_gateway

__all__ = ["forget_bridge", "headless_app", "wait_for_bridge"]


def headless_app(
    *, host: str, port: int, username: str, password: str, instance_id: str, namespace: str = "hbot"
) -> HummingbotApplication:
    """A headless Hummingbot application whose bridge points at ``host:port`` (not started yet)."""
    config = ClientConfigAdapter(ClientConfigMap())
    bridge = config.mqtt_bridge
    bridge.mqtt_host = host
    bridge.mqtt_port = port
    bridge.mqtt_username = username
    bridge.mqtt_password = password
    bridge.mqtt_namespace = namespace
    bridge.mqtt_autostart = False
    config.instance_id = instance_id
    return HummingbotApplication(client_config_map=config, headless_mode=True)


async def wait_for_bridge(timeout: float = 10.0, poll_interval: float = 0.02) -> MQTTGateway:
    """Wait until ``MQTTGateway.main()`` exists and is connected."""
    steps = max(1, int(timeout / poll_interval))
    for _ in range(steps):
        gateway = MQTTGateway.main()
        if gateway is not None and gateway.health:
            return gateway
        await asyncio.sleep(poll_interval)
    raise ConfigError(
        f"Hummingbot's MQTT bridge did not connect within {timeout}s",
        fix="check mqtt_host/mqtt_port/credentials and that the broker is running",
    )


def forget_bridge() -> None:
    """Clear Hummingbot's process-wide gateway reference (``MQTTGateway._instance``) after a stop."""
    forget_mqtt_gateway()
