"""The guarded script in replay, with the Prometheus endpoint switched on: the gate feeds it live."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from test_risk_guarded_script import _conf, _replay, probe_controller  # noqa: F401  (fixture)

from hummingbot_plugin.prometheus import MetricsServer, MetricsSettings, PluginMetrics


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
@pytest.mark.usefixtures("probe_controller")
def test_replay_serves_metrics_on_loopback_with_risk_state_and_executors(
    tmp_path: Path, shared_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HBP_METRICS_PORT", str(_free_loopback_port()))
    served: list[tuple[PluginMetrics, MetricsServer | None]] = []
    real_serve = PluginMetrics.serve

    def recording_serve(self: PluginMetrics, settings: MetricsSettings) -> Any:
        server = real_serve(self, settings)
        served.append((self, server))
        return server

    monkeypatch.setattr(PluginMetrics, "serve", recording_serve)
    conf = _conf(tmp_path, {"max_drawdown_pct": 0.02, "capital_quote": 1000})
    _replay(conf, "2022-05-03", "2022-05-12", shared_data_dir)

    assert len(served) == 1
    metrics, server = served[0]
    assert server is not None and server.server.server_address[0] == "127.0.0.1"
    body = metrics.render().decode()
    assert 'hbp_risk_state{controller_id="probe"} 2.0' in body  # HALTED by the 2 % drawdown limit
    assert 'hbp_executors{controller_id="probe"' in body
    assert "hbp_drawdown_pct" in body
