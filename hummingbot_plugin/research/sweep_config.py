"""The declared sweep (``conf/sweeps/*.yml``): pairs, training period, fee, search space, objective.

Every bar a trial reads ends on ``train_end`` (inclusive): the candles are loaded with that bound, so
the sweep cannot choose on data outside its training windows. The folds are the calendar blocks of
``step_months`` from ``folds_start`` to ``train_end``; each fold's model trains on the rows before it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import optuna
import yaml

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.research.decision import DecisionParams
from hummingbot_plugin.research.models import ModelSettings
from hummingbot_plugin.research.selection import SearchSpace

__all__ = ["PairSpec", "SweepConfig", "load_sweep_config", "suggest"]

REQUIRED = ("horizon", "num_leaves", "mode", "min_hold_bars", "sizing", "gate")
KINDS = ("categorical", "int", "float")
MODEL_KEYS = ("rounds", "learning_rate", "min_data_in_leaf", "stride", "train_days")


@dataclass(frozen=True)
class PairSpec:
    """One market of the sweep."""

    pair: str
    candles: str


@dataclass(frozen=True)
class SweepConfig:
    """A parsed sweep file."""

    name: str
    pairs: tuple[PairSpec, ...]
    data_start: str
    folds_start: str
    train_end: str
    fee: float
    space: dict[str, dict[str, Any]]
    fixed: dict[str, Any]
    model: dict[str, Any] = field(default_factory=dict)
    step_months: int = 1
    min_trades: int = 0
    max_drawdown: float = 1.0
    interval: str = "1h"
    connector: str = "binance"  # the controller's exchange in `sweep export`

    def search_space(self) -> SearchSpace:
        """Base model/decision settings the trial parameters are applied to."""
        base = ModelSettings(horizon_bars=24, **self.model)
        return SearchSpace(base_model=base, base_decision=DecisionParams(fee=self.fee))


def _fail(problem: str) -> ConfigError:
    return ConfigError(f"sweep config: {problem}", fix="see conf/sweeps/example_small.yml")


def _check_space(space: dict[str, Any], fixed: dict[str, Any]) -> None:
    for name, spec in space.items():
        if not isinstance(spec, dict) or spec.get("type") not in KINDS:
            raise _fail(f"space.{name} needs type: one of {', '.join(KINDS)}")
        if spec["type"] == "categorical" and not spec.get("choices"):
            raise _fail(f"space.{name} needs a non-empty choices list")
        if spec["type"] != "categorical" and not {"low", "high"} <= spec.keys():
            raise _fail(f"space.{name} needs low and high")
    missing = [k for k in REQUIRED if k not in space and k not in fixed]
    if missing:
        raise _fail(f"{', '.join(missing)} must be in space or fixed")


def load_sweep_config(path: Path) -> SweepConfig:
    """Parse and check a sweep YAML (fails closed on a missing or malformed key)."""
    if not path.is_file():
        raise ConfigError(f"sweep config {path} not found", fix="pass --config conf/sweeps/<name>.yml")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, dict):
        raise _fail(f"{path} is not a mapping")
    try:
        pairs = tuple(PairSpec(str(p["pair"]), str(p["candles"])) for p in raw["pairs"])
        space, fixed = dict(raw["space"]), dict(raw.get("fixed") or {})
        constraints = dict(raw.get("constraints") or {})
        config = SweepConfig(
            name=str(raw["name"]),
            pairs=pairs,
            data_start=str(raw["data_start"]),
            folds_start=str(raw["folds_start"]),
            train_end=str(raw["train_end"]),
            fee=float(raw["fee"]),
            space=space,
            fixed=fixed,
            model={k: v for k, v in dict(raw.get("model") or {}).items() if k in MODEL_KEYS},
            step_months=int(raw.get("step_months", 1)),
            min_trades=int(constraints.get("min_trades", 0)),
            max_drawdown=float(constraints.get("max_drawdown", 1.0)),
            interval=str(raw.get("interval", "1h")),
            connector=str(raw.get("connector", "binance")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(f"missing or malformed key ({exc!r})") from exc
    if not pairs or not 0 <= config.fee < 0.1 or not 0 < config.max_drawdown <= 1:
        raise _fail("needs at least one pair, fee in [0, 0.1) and max_drawdown in (0, 1]")
    _check_space(space, fixed)
    return config


def suggest(trial: optuna.Trial, config: SweepConfig) -> dict[str, Any]:
    """The trial's parameters (declared space) merged over the fixed settings."""
    params = dict(config.fixed)
    for name, spec in config.space.items():
        if spec["type"] == "categorical":
            params[name] = trial.suggest_categorical(name, list(spec["choices"]))
        elif spec["type"] == "int":
            params[name] = trial.suggest_int(
                name, int(spec["low"]), int(spec["high"]), log=bool(spec.get("log"))
            )
        else:
            low, high = float(spec["low"]), float(spec["high"])
            params[name] = trial.suggest_float(name, low, high, log=bool(spec.get("log")))
    return params
