"""Feed health on a real Mosquitto broker read through Hummingbot's real MQTT bridge: the broker stops
(one line, creations vetoed when the kill switch travels over MQTT), then restarts (one recovery line)."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import pytest
from hummingbot.core.data_type.common import TradeType
from hummingbot.remote_iface.mqtt import MQTTGateway
from hummingbot.strategy_v2.executors.position_executor.data_types import PositionExecutorConfig
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction
from mosquitto_fixture import BridgeHarness, MosquittoBroker
from mqtt_factories import wait_until

from hummingbot_plugin.hb.feed_monitor import FeedMonitor
from hummingbot_plugin.prometheus import PluginMetrics


def _create() -> CreateExecutorAction:
    config = PositionExecutorConfig(
        timestamp=0,
        connector_name="binance",
        trading_pair="BTC-USDT",
        side=TradeType.BUY,
        amount=Decimal("0.001"),
    )
    return CreateExecutorAction(controller_id="ai_btc", executor_config=config)


def _connected() -> bool:
    gateway = MQTTGateway.main()
    return gateway is not None and bool(gateway.health)


@pytest.mark.slow
def test_broker_outage_one_line_no_new_positions_then_recovery(
    hb_bridge: BridgeHarness, mosquitto: MosquittoBroker, caplog: pytest.LogCaptureFixture
) -> None:
    hb_bridge.start()
    metrics = PluginMetrics()
    monitors = {
        kill_switch_over_mqtt: FeedMonitor(
            {},
            {},
            max_book_age=30.0,
            watch_broker=kill_switch_over_mqtt,
            metrics=metrics if kill_switch_over_mqtt else None,
            logger=logging.getLogger(f"test.feeds.{kill_switch_over_mqtt}"),
        )
        for kill_switch_over_mqtt in (True, False)
    }
    executed: list[Any] = []
    strict, relaxed = monitors[True].wrap(executed.append), monitors[False].wrap(executed.append)
    clock = [0.0]

    def tick(seconds: int) -> None:
        for _ in range(seconds):
            clock[0] += 1.0
            for monitor in monitors.values():
                monitor.tick(clock[0])
            hb_bridge.pump(0.01)

    def lines(prefix: str) -> list[str]:
        return [r.getMessage() for r in caplog.records if r.getMessage().startswith(prefix)]

    try:
        with caplog.at_level(logging.INFO, logger="test.feeds"):
            tick(5)
            assert (
                not lines("FEED")
                and 'hbp_feed_up{kind="broker",source="mqtt"} 1.0' in metrics.render().decode()
            )
            mosquitto.stop()
            assert wait_until(lambda: not _connected(), hb_bridge.pump, 10.0)
            tick(120)  # 2 minutes of trading clock with the broker gone
            down = lines("FEED DOWN: MQTT broker")
            assert len(down) == 2 and not lines("FEED STILL DOWN")  # one per monitor, no repetition
            host = f"{mosquitto.host}:{mosquitto.port}"
            assert all(host in line for line in down)
            assert any("no new positions on any venue" in line for line in down)
            assert any("controllers trade on their own models" in line for line in down)
            strict(_create())
            relaxed(_create())
            stop = StopExecutorAction(controller_id="ai_btc", executor_id="x")
            strict(stop)
            assert [type(a).__name__ for a in executed] == ["CreateExecutorAction", "StopExecutorAction"]
            assert "DOWN for" in "\n".join(monitors[True].status_lines(clock[0]))
            text = metrics.render().decode()
            assert 'hbp_feed_up{kind="broker",source="mqtt"} 0.0' in text
            assert 'hbp_risk_denials_total{controller_id="ai_btc",reason="FEED_DOWN"} 1.0' in text

            mosquitto.start()
            assert wait_until(_connected, hb_bridge.pump, 15.0)  # Hummingbot's bridge retries every 5 s
            tick(5)
            assert len(lines("FEED RECOVERED: MQTT broker")) == 2 and len(lines("FEED DOWN")) == 2
            executed.clear()
            strict(_create())
            assert len(executed) == 1
            assert 'hbp_feed_up{kind="broker",source="mqtt"} 1.0' in metrics.render().decode()
    finally:
        for monitor in monitors.values():
            monitor.close()
