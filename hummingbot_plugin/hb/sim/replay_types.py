"""Inputs and outputs of a replay, and the small file helpers the runner uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

import yaml

from hummingbot_plugin.data.loader import TimeBound
from hummingbot_plugin.errors import ConfigError, SimulationError
from hummingbot_plugin.hb.sim.exchange import SimulatedExchange
from hummingbot_plugin.sim.report import EquityPoint

__all__ = ["ReplayRequest", "ReplayResult", "interval_name", "read_sim_file"]


@dataclass(frozen=True)
class ReplayRequest:
    """Everything one replay needs; built by the CLI or by tests."""

    script_config: Path
    data: tuple[Path, ...]
    start: TimeBound = None
    end: TimeBound = None
    balances: dict[str, Decimal] = field(default_factory=dict)
    sim_config: Path | None = None
    points_per_bar: int = 4
    closed_executors_buffer: int | None = None  # None: Hummingbot's StrategyV2Base default (100)
    tick_s: float | None = None
    close_at_end: bool = True
    status_stream: TextIO | None = None
    db_path: Path | None = None
    equity_every_s: float = 60.0
    # risk-guard state (high-water marks, HALTED locks): None = a fresh folder per replay, so a simulation
    # never reads or writes the live bot's state, nor a previous replay's
    state_dir: Path | None = None


@dataclass
class ReplayResult:
    payload: dict[str, Any]
    exchanges: dict[str, SimulatedExchange]
    equity: list[EquityPoint]
    events: int
    wall_seconds: float


def read_sim_file(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read sim config {path}: {exc}", fix="pass a readable YAML file") from exc
    unknown = set(data) - {"default", "connectors"}
    if unknown:
        raise ConfigError(
            f"{path}: unknown top-level keys {sorted(unknown)}", fix="use 'default' and 'connectors'"
        )
    return dict(data)


def interval_name(seconds: int) -> str:
    names = {60: "1m", 300: "5m", 900: "15m", 3600: "1h", 14400: "4h", 86400: "1d"}
    if seconds not in names:
        raise SimulationError(
            f"unsupported candle interval of {seconds}s", fix="use 1m/5m/15m/1h/4h/1d candles"
        )
    return names[seconds]
