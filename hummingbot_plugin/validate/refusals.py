"""Controller configs that would refuse every bar, found before any run (validate, backtest, replay).

Duck-typed on the config's fields (no Hummingbot import):

* a model the controller cannot use — missing, unsealed, failing its seal/pin/sha256/structure/LightGBM
  checks, or trained for another pair or interval — checked with the controller's own loaders
  (:class:`ModelLifecycle` for the directional controller, ``pmm_logic.load_forecast_fn`` for market
  making);
* a model outside its validity: expired (``model_max_age_days``) at ``now`` for a live config, or over the
  whole period of a backtest/replay; in-sample (before its data cutoff) over the whole period;
* a threshold no probability can reach (``>= 1``);
* an order size below ``min_order_quote`` at every signal (``position_quote`` always None);
* offline only: no in-process model, so nothing ever arrives to trade on (no MQTT in a backtest/replay).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hummingbot_plugin.ai import config_rules
from hummingbot_plugin.ai.engine import ModelInfo
from hummingbot_plugin.ai.lifecycle import ModelLifecycle, engine_settings
from hummingbot_plugin.data import interval_seconds
from hummingbot_plugin.data.coverage import iso
from hummingbot_plugin.errors import ConfigError, ModelError
from hummingbot_plugin.ml.artifacts import read_manifest
from hummingbot_plugin.settings import models_dir
from hummingbot_plugin.validate.problems import Problem

__all__ = [
    "ModelCutoff",
    "ModelVerifier",
    "Refusals",
    "controller_refusals",
    "models_for",
    "refuse",
    "validity_problems",
]

#: "any time": the newest version of a registry (a finite number: the lifecycle counts bars from it)
_FAR_FUTURE = 1e12


@dataclass(frozen=True, slots=True)
class ModelCutoff:
    """A model's validity: from its data cutoff (earlier bars are in-sample) to its expiry (None = never)."""

    file: str
    model_id: str
    cutoff: float
    expires: float | None = None


@dataclass
class Refusals:
    problems: list[Problem] = field(default_factory=list)
    cutoffs: list[ModelCutoff] = field(default_factory=list)


def refuse(problems: list[Problem], what: str) -> None:
    """Raise one ConfigError listing every problem (file, field, reason, fix) when there is any."""
    if problems:
        lines = "\n  ".join(p.line() for p in problems)
        raise ConfigError(
            f"the {what} cannot trade:\n  {lines}", fix="correct each field named above, then run it again"
        )


def models_for(pair: str, interval: str | None) -> list[str]:
    """Model folders under models/ trained for ``pair`` (and ``interval`` when given)."""
    names = []
    root = models_dir()
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        try:
            manifest = read_manifest(folder)
        except ModelError:
            continue
        if manifest.trading_pair == pair and interval in (None, manifest.interval):
            names.append(folder.name)
    return names


def _model_fix(pair: str, interval: str | None, prefix: str = "") -> str:
    known = [prefix + name for name in models_for(pair, interval)]
    where = f"one of {known}" if known else "a directory written by `train`"
    return f"point model_dir at {where} for {pair}" + (f" {interval}" if interval else "")


class ModelVerifier:
    """Verifies each model once, as the controller would at trading time ``now`` (None: the newest
    registry version, no expiry check). The LightGBM probe runs in a child process."""

    def __init__(self, *, now: float | None = None, probe: bool = True) -> None:
        self.now = now
        self.probe = probe
        self._directional: dict[tuple[str, Any, float], tuple[ModelInfo, float | None]] = {}
        self._quoting: dict[str, tuple[str, str]] = {}

    def directional(self, path: Path, config: Any, at: float | None = None) -> tuple[ModelInfo, float | None]:
        """(model info, expiry time) of an ai_livestream-like config's model at ``at`` (default ``now``)."""
        when = at if at is not None else (self.now if self.now is not None else _FAR_FUTURE)
        settings = replace(engine_settings(config), probe=self.probe)
        key = (str(path), settings, when)
        if key not in self._directional:
            engine = ModelLifecycle(path, settings, when).engine
            self._directional[key] = (engine.info, engine.expires_at())
        return self._directional[key]

    def quoting(self, model_dir: str) -> tuple[str, str]:
        """(error, pair:interval of the model) for a market-making ``model_dir``."""
        if model_dir not in self._quoting:
            from hummingbot_plugin.mm.pmm_logic import load_forecast_fn

            try:
                forecast: Any = load_forecast_fn(model_dir)
            except ModelError as exc:
                self._quoting[model_dir] = (f"model unavailable: {exc.message}", "")
            else:
                manifest = forecast.forecaster.manifest
                self._quoting[model_dir] = ("", f"{manifest.trading_pair}:{manifest.interval}")
        return self._quoting[model_dir]


def controller_refusals(
    file: str, config: Any, verifier: ModelVerifier, *, offline: bool, at: float | None = None
) -> Refusals:
    """Why ``config`` would refuse every bar (``offline``: a backtest or replay, with no MQTT; ``at``:
    the trading time whose registry version to check, e.g. the end of the period)."""
    if hasattr(config, "long_threshold") and hasattr(config, "model_dir"):
        return _directional(file, config, verifier, offline, at)
    if getattr(config, "model_dir", None) and hasattr(config, "candles_interval"):
        return Refusals(_quoting(file, config, verifier))
    return Refusals()


def _directional(
    file: str, config: Any, verifier: ModelVerifier, offline: bool, at: float | None
) -> Refusals:
    out = Refusals(_threshold_problems(file, config) + _sizing_problems(file, config))
    path = config_rules.model_path(config.model_dir)
    if path is None:
        if offline:
            out.problems.append(
                Problem(
                    file,
                    "model_dir",
                    "no in-process model: this controller trades only external MQTT predictions, "
                    "which a backtest or replay never receives",
                    _model_fix(config.trading_pair, config.interval),
                )
            )
        return out
    info, expires = verifier.directional(path, config, at)
    if info.error:
        out.problems.append(
            Problem(file, "model_dir", info.error, _model_fix(config.trading_pair, config.interval))
        )
    elif info.data_cutoff is not None:
        out.cutoffs.append(ModelCutoff(file, info.model_id, info.data_cutoff, expires))
        if not offline and verifier.now is not None and expires is not None and verifier.now > expires:
            out.problems.append(_expired(file, info.model_id, expires, "now"))
    return out


def _expired(file: str, model_id: str, expires: float, when: str) -> Problem:
    return Problem(
        file,
        "model_max_age_days",
        f"model {model_id} expired at {iso(expires)} (data cutoff + model_max_age_days), before {when}: "
        "every bar would be refused",
        "retrain the model (or point model_dir at a newer one), or raise model_max_age_days",
    )


def _threshold_problems(file: str, config: Any) -> list[Problem]:
    sides = [("long_threshold", "p_long")] + ([("short_threshold", "p_short")] if config.allow_short else [])
    return [
        Problem(
            file,
            name,
            f"{name} {getattr(config, name)} can never be met: {prob} is a model probability and stays "
            "below 1, so every bar would be refused",
            f"use a probability below 1, e.g. {name}: 0.55",
        )
        for name, prob in sides
        if float(getattr(config, name)) >= 1.0
    ]


def _sizing_problems(file: str, config: Any) -> list[Problem]:
    rule = config_rules.sizing_rule(config)
    budget = rule.budget()
    if budget >= rule.min_order_quote:
        return []
    return [
        Problem(
            file,
            "min_order_quote",
            f"every order would be at most {budget} quote (total_amount_quote / max_executors_per_side, "
            f"capped by max_position_quote), below min_order_quote {rule.min_order_quote}: no order is sent",
            "lower min_order_quote, or raise total_amount_quote / max_position_quote",
        )
    ]


def _quoting(file: str, config: Any, verifier: ModelVerifier) -> list[Problem]:
    pair = str(config.trading_pair)
    error, trained = verifier.quoting(str(config.model_dir))
    if error:
        return [Problem(file, "model_dir", error, _model_fix(pair, None, "models/") + ", or leave it empty")]
    model_pair, model_interval = trained.split(":")
    if model_pair != pair:
        message = f"the model was trained on {model_pair}, the controller quotes {pair}"
    elif interval_seconds(str(config.candles_interval)) > interval_seconds(model_interval):
        message = f"candles_interval {config.candles_interval} is coarser than the model's {model_interval}"
    else:
        return []
    fix = _model_fix(pair, None, "models/") + ", with candles_interval no coarser than its interval"
    return [Problem(file, "model_dir", message, fix)]


def validity_problems(
    cutoffs: list[ModelCutoff], used_start: float, used_end: float
) -> tuple[list[Problem], list[str]]:
    """Errors for a period wholly outside a model's validity (in-sample or expired), notes for a period
    partly outside it."""
    problems, notes = [], []
    period = f"{iso(used_start)} → {iso(used_end)}"
    for item in cutoffs:
        if used_end < item.cutoff:
            problems.append(
                Problem(
                    item.file,
                    "model_dir",
                    f"every bar of {period} is in-sample for model {item.model_id} (trained on data up to "
                    f"its cutoff {iso(item.cutoff)}), so every bar would be refused",
                    f"choose a period from {iso(item.cutoff)} on, or a model trained before the period "
                    "(e.g. an *_oos<year> model)",
                )
            )
            continue
        if item.expires is not None and used_start > item.expires:
            problems.append(_expired(item.file, item.model_id, item.expires, f"the period {period}"))
            continue
        if used_start < item.cutoff:
            notes.append(
                f"note: {item.file}: bars before {iso(item.cutoff)} are in-sample for model {item.model_id} "
                "and are not traded"
            )
        if item.expires is not None and used_end > item.expires:
            notes.append(
                f"note: {item.file}: model {item.model_id} expires at {iso(item.expires)}; "
                "no position is opened after that"
            )
    return problems, notes
