"""Optional Prometheus metrics, one registry per instance (never the process-wide default registry).

Off by default. ``MetricsSettings.from_env()`` reads ``HBP_METRICS_PORT`` (unset/empty = off) and
``HBP_METRICS_HOST`` (default 127.0.0.1, loopback). Names match the Grafana dashboard.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from threading import Thread
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, start_http_server
from pydantic import BaseModel, ConfigDict, Field

from hummingbot_plugin.errors import ConfigError

__all__ = ["RISK_STATE_CODES", "MetricsServer", "MetricsSettings", "PluginMetrics"]

PORT_ENV = "HBP_METRICS_PORT"
HOST_ENV = "HBP_METRICS_HOST"
RISK_STATE_CODES = {"ACTIVE": 0, "REDUCING": 1, "HALTED": 2}


class MetricsSettings(BaseModel):
    """Where to serve metrics; ``port=None`` disables the endpoint."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    port: int | None = Field(default=None, ge=1, le=65535)
    host: str = Field(default="127.0.0.1", min_length=1)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MetricsSettings:
        env = os.environ if environ is None else environ
        raw_port = env.get(PORT_ENV, "").strip()
        try:
            port = int(raw_port) if raw_port else None
        except ValueError as exc:
            raise ConfigError(
                f"{PORT_ENV}={raw_port!r} is not a port number", fix="use e.g. 9400, or unset it"
            ) from exc
        return cls(port=port, host=env.get(HOST_ENV, "").strip() or "127.0.0.1")


@dataclass
class MetricsServer:
    server: Any
    thread: Thread

    @property
    def port(self) -> int:
        return int(self.server.server_port)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class PluginMetrics:
    """Signal, probabilities, latency, risk state, drawdown, exposure, rejections, executors, feeds."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.signal = Gauge("hbp_signal", "last signal (-1/0/1)", ["controller_id"], registry=r)
        self.probability = Gauge(
            "hbp_signal_probability", "class probability", ["controller_id", "class"], registry=r
        )
        self.quantile = Gauge(
            "hbp_forecast_quantile", "forecast return quantile", ["controller_id", "quantile"], registry=r
        )
        self.latency = Histogram(
            "hbp_inference_latency_seconds",
            "model inference latency",
            ["controller_id"],
            registry=r,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
        )
        self.risk_state = Gauge(
            "hbp_risk_state", "0=ACTIVE 1=REDUCING 2=HALTED", ["controller_id"], registry=r
        )
        self.drawdown_pct = Gauge(
            "hbp_drawdown_pct", "drawdown from the high-water mark / capital", ["controller_id"], registry=r
        )
        self.drawdown_quote = Gauge(
            "hbp_drawdown_quote", "drawdown from the high-water mark", ["controller_id"], registry=r
        )
        self.pnl = Gauge("hbp_pnl_quote", "net PnL incl. fees", ["controller_id"], registry=r)
        self.exposure = Gauge(
            "hbp_exposure_quote",
            "worst-case notional exposure",
            ["controller_id", "trading_pair"],
            registry=r,
        )
        self.denials = Counter(
            "hbp_risk_denials", "risk denials by reason", ["controller_id", "reason"], registry=r
        )
        self.rejections = Counter(
            "hbp_mqtt_rejections", "rejected MQTT messages by reason", ["controller_id", "reason"], registry=r
        )
        self.executors = Gauge("hbp_executors", "executors by state", ["controller_id", "state"], registry=r)
        feed = ["source", "kind"]
        self.feed_up = Gauge("hbp_feed_up", "1 = venue feed / MQTT broker up, 0 = down", feed, registry=r)
        self.feed_down_seconds = Gauge("hbp_feed_down_seconds", "current outage length", feed, registry=r)
        self.feed_outages = Gauge("hbp_feed_outages", "outages since start", feed, registry=r)

    def observe_signal(self, controller_id: str, signal: int, probabilities: Mapping[str, float]) -> None:
        self.signal.labels(controller_id).set(signal)
        for name, value in probabilities.items():
            self.probability.labels(controller_id, name).set(value)

    def observe_risk(
        self,
        controller_id: str,
        state: str,
        drawdown_pct: float,
        drawdown_quote: float,
        pnl_quote: float,
        exposures: Mapping[str, float],
    ) -> None:
        self.risk_state.labels(controller_id).set(RISK_STATE_CODES[state])
        self.drawdown_pct.labels(controller_id).set(drawdown_pct)
        self.drawdown_quote.labels(controller_id).set(drawdown_quote)
        self.pnl.labels(controller_id).set(pnl_quote)
        for pair, value in exposures.items():
            self.exposure.labels(controller_id, pair).set(value)

    def set_executors(self, controller_id: str, counts: Mapping[str, int]) -> None:
        for state, count in counts.items():
            self.executors.labels(controller_id, state).set(count)

    def observe_feed(self, source: str, kind: str, up: bool, down_seconds: float, outages: int) -> None:
        """A venue's public feed or the MQTT broker (hummingbot_plugin/risk/feed_health.py)."""
        self.feed_up.labels(source, kind).set(1 if up else 0)
        self.feed_down_seconds.labels(source, kind).set(down_seconds)
        self.feed_outages.labels(source, kind).set(outages)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def serve(self, settings: MetricsSettings) -> MetricsServer | None:
        """Start the HTTP endpoint on ``settings.host:port`` (None when disabled)."""
        if settings.port is None:
            return None
        server, thread = start_http_server(settings.port, addr=settings.host, registry=self.registry)
        return MetricsServer(server, thread)
