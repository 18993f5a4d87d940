"""The one model loader of every controller: path, integrity, feature version, pair and interval.

Order of checks: the manifest (feature specification version), the seal (digest, optional pin, every
sealed file), the market (pair; interval equal, or for market making no finer than the quoting bars is
the caller's check), the decision mode (client vs research spec), and only then LightGBM. Every refusal
is a :class:`~hummingbot_plugin.errors.ModelError` (message + fix): the directional engine turns it into
signal 0 with the reason, the market makers into a refused start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hummingbot_plugin.ai.research_model import ResearchForecaster
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.artifacts import read_manifest
from hummingbot_plugin.ml.forecaster import Forecaster
from hummingbot_plugin.ml.manifest import RESEARCH_SPEC_VERSION, Manifest
from hummingbot_plugin.ml.seal import check_seal_matches, verify_seal
from hummingbot_plugin.settings import PROJECT_ROOT, models_dir

__all__ = ["LoadedModel", "ModelCheck", "open_model", "resolve_model_dir"]


@dataclass(frozen=True, slots=True)
class ModelCheck:
    """What the caller trades: the model must match it (``interval=None``: the caller checks it)."""

    trading_pair: str | None
    interval: str | None
    pin: str | None = None
    probe: bool = True
    research: bool = False  # decision_mode cost_aware: a research-spec model is required


@dataclass(frozen=True, slots=True)
class LoadedModel:
    """A verified model: the forecaster, its manifest, seal digest and data cut-off (epoch seconds)."""

    forecaster: Forecaster | ResearchForecaster
    manifest: Manifest
    sha256: str
    data_cutoff: float


def resolve_model_dir(model_dir: str | Path) -> Path:
    """Absolute as given; ``models/...`` under the project; else under models/ (or as given if only
    that exists, relative to the working directory)."""
    path = Path(model_dir).expanduser()
    if path.is_absolute():
        return path
    if path.parts[:1] == ("models",):
        return PROJECT_ROOT / path
    shipped = models_dir() / path
    return path if path.exists() and not shipped.exists() else shipped


def _check_market(manifest: Manifest, check: ModelCheck) -> None:
    pair_ok = check.trading_pair is None or manifest.trading_pair == check.trading_pair
    interval_ok = check.interval is None or manifest.interval == check.interval
    if not (pair_ok and interval_ok):
        trades = f"{check.trading_pair or manifest.trading_pair} {check.interval or manifest.interval}"
        raise ModelError(
            f"model {manifest.model_id} was trained on {manifest.trading_pair} {manifest.interval} bars, "
            f"the controller trades {trades}",
            fix="point model_dir at a model of the same pair and interval",
        )


def _check_mode(manifest: Manifest, check: ModelCheck) -> bool:
    is_research = manifest.feature_spec_version == RESEARCH_SPEC_VERSION
    if is_research != check.research:
        needed = "decision_mode: cost_aware" if is_research else "decision_mode: client"
        raise ModelError(
            f"model {manifest.model_id} (feature spec {manifest.feature_spec_version!r}) needs {needed}",
            fix=f"set {needed}, or point model_dir at a model made for the configured decision_mode",
        )
    return is_research


def open_model(model_dir: Path, check: ModelCheck) -> LoadedModel:
    """Verify and load ``model_dir`` against ``check``; ModelError (message + fix) when refused."""
    manifest = read_manifest(model_dir, accept_research=True)
    seal = verify_seal(model_dir, check.pin)
    check_seal_matches(model_dir, manifest, seal)
    _check_market(manifest, check)
    forecaster: Forecaster | ResearchForecaster
    if _check_mode(manifest, check):
        forecaster = ResearchForecaster.load(model_dir, probe=check.probe)
    else:
        forecaster = Forecaster.load(model_dir, probe=check.probe)
    cutoff = pd.Timestamp(manifest.data_cutoff).timestamp()
    return LoadedModel(forecaster, manifest, seal.digest, cutoff)
