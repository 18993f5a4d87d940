"""Pytest fixtures: a real Mosquitto (see hummingbot_plugin.mqtt.local_broker) and Hummingbot's bridge.

Users: ``admin`` (read/write everything), ``bot`` (reads override and prediction topics, writes ack and
status topics, and its own Hummingbot bridge topics under ``hbot/<instance>/``); anonymous is denied.
Their passwords are generated once per test session (``secrets``), never written in the source.
Fixtures: ``mosquitto`` (the broker) and ``hb_bridge`` (Hummingbot's real MQTT bridge connected as ``bot``).
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.mqtt.local_broker import BrokerUser, LocalMosquitto

__all__ = ["BRIDGE_INSTANCE", "BridgeHarness", "MosquittoBroker", "hb_bridge", "mosquitto"]

BRIDGE_INSTANCE = "testbot"
MosquittoBroker = LocalMosquitto
ADMIN = BrokerUser("admin", secrets.token_hex(24))
BOT = BrokerUser("bot", secrets.token_hex(24))


@pytest.fixture
def mosquitto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalMosquitto]:
    """A fresh real broker for one test, stopped afterwards."""
    workdir = tmp_path_factory.mktemp("mosquitto")
    broker = LocalMosquitto(workdir=workdir, admin=ADMIN, bot=BOT, bot_instance=BRIDGE_INSTANCE)
    try:
        broker.start()
    except ConfigError as exc:
        pytest.fail(str(exc))
    try:
        yield broker
    finally:
        broker.stop()


@dataclass
class BridgeHarness:
    """Hummingbot's real bridge in a headless HummingbotApplication, driven by :meth:`pump`."""

    broker: LocalMosquitto
    loop: asyncio.AbstractEventLoop
    app: Any = None

    def start(self, timeout: float = 10.0) -> None:
        from hummingbot_plugin.hb.bridge_runtime import headless_app, wait_for_bridge

        self.app = headless_app(
            host=self.broker.host,
            port=self.broker.port,
            username=self.broker.bot.username,
            password=self.broker.bot.password,
            instance_id=BRIDGE_INSTANCE,
        )
        self.app.mqtt_start()
        self.loop.run_until_complete(wait_for_bridge(timeout))

    def pump(self, seconds: float = 0.05) -> None:
        """Let the event loop (and so the bridge) run for ``seconds``."""
        self.loop.run_until_complete(asyncio.sleep(seconds))

    def stop(self) -> None:
        from hummingbot_plugin.hb.bridge_runtime import forget_bridge

        if self.app is not None:
            self.app.mqtt_stop()
            self.pump(0.1)
            self.app = None
        forget_bridge()


@pytest.fixture
def hb_bridge(mosquitto: LocalMosquitto) -> Iterator[BridgeHarness]:
    """An event loop with Hummingbot's bridge NOT yet started (call ``.start()``); torn down afterwards."""
    from hummingbot_plugin.hb.bridge_runtime import forget_bridge

    forget_bridge()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    harness = BridgeHarness(mosquitto, loop)
    try:
        yield harness
    finally:
        harness.stop()
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)
