"""Prometheus metrics: per-instance registry, off by default, loopback bind, fed by the risk gate."""

from __future__ import annotations

import socket
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest
from risk_hb_factories import Clock, make_controller, make_create, make_executor_info

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.prometheus import MetricsSettings, PluginMetrics


def test_metrics_are_off_by_default_and_loopback_when_on() -> None:
    assert MetricsSettings.from_env({}).port is None
    assert PluginMetrics().serve(MetricsSettings.from_env({})) is None
    on = MetricsSettings.from_env({"HBP_METRICS_PORT": "9400"})
    assert (on.port, on.host) == (9400, "127.0.0.1")
    with pytest.raises(ConfigError, match="HBP_METRICS_PORT"):
        MetricsSettings.from_env({"HBP_METRICS_PORT": "http"})


def test_each_instance_has_its_own_registry() -> None:
    first, second = PluginMetrics(), PluginMetrics()
    first.observe_signal("a", 1, {"long": 0.7})
    assert b'hbp_signal{controller_id="a"} 1.0' in first.render()
    assert b'controller_id="a"' not in second.render()


def test_endpoint_serves_on_loopback(tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    metrics = PluginMetrics()
    metrics.observe_signal("c", -1, {"short": 0.8})
    server = metrics.serve(MetricsSettings(port=port))
    assert server is not None
    try:
        assert server.server.server_address[0] == "127.0.0.1"
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
    finally:
        server.close()
    assert b'hbp_signal_probability{class="short",controller_id="c"} 0.8' in body


def test_the_gate_publishes_state_drawdown_exposure_denials_and_executors(tmp_path: Path) -> None:
    clock = Clock()
    controller = make_controller(tmp_path, clock, max_leverage=1)
    metrics = PluginMetrics()
    controller.risk_gate.metrics = metrics
    controller.executors_info = [make_executor_info("a", is_trading=True, filled_amount_quote=Decimal("10"))]
    controller.risk_gate.filter_actions(controller, [make_create(leverage=3)])
    text = metrics.render().decode()
    assert 'hbp_risk_state{controller_id="ctrl-1"} 0.0' in text
    assert 'hbp_risk_denials_total{controller_id="ctrl-1",reason="LEVERAGE"} 1.0' in text
    assert 'hbp_exposure_quote{controller_id="ctrl-1",trading_pair="BTC-USDT"}' in text
    assert 'hbp_executors{controller_id="ctrl-1",state="trading"} 1.0' in text
    controller.risk_gate.guard.halt("test", clock.now)
    controller.risk_gate.filter_actions(controller, [])
    assert 'hbp_risk_state{controller_id="ctrl-1"} 2.0' in metrics.render().decode()
