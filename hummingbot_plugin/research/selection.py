"""Nested walk-forward selection with Optuna: inner blocks choose, the outer block only evaluates.

For an outer block starting at ``T``, each Optuna trial picks a model (horizon, leaves) and decision
settings; it is scored on the ``inner`` blocks just before ``T``: their forecasts come from block models
trained before each inner block (``models.ModelStore``), the decisions run over them in time order, and
the score is the annualised daily Sharpe of the net hourly PnL (position × next close-to-close return −
cost per unit of turnover). Every array the objective reads is cut at the last bar opening before ``T``
(:class:`InnerView`), so no row of the outer block is read while choosing (tested by poisoning it).
Studies live in SQLite in the run folder (one study per outer block) so an interrupted run resumes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from numpy.typing import NDArray

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.research.data import ResearchData
from hummingbot_plugin.research.decision import DecisionParams, Mode, Sizing, decide
from hummingbot_plugin.research.folds import Block
from hummingbot_plugin.research.models import ModelSettings, ModelStore
from hummingbot_plugin.research.stats import sharpe

__all__ = [
    "Candidate",
    "InnerView",
    "SearchSpace",
    "Selection",
    "candidate_from",
    "gate_of",
    "select_block",
    "storage_url",
]

FloatArray = NDArray[np.float64]
DAY = 86_400


@dataclass(frozen=True)
class SearchSpace:
    """What the inner folds may choose (models are cached per horizon × leaves × block)."""

    horizons: tuple[int, ...] = (1, 4, 12, 24, 72)
    leaves: tuple[int, ...] = (7, 15)
    base_model: ModelSettings = field(default_factory=lambda: ModelSettings(horizon_bars=24))
    base_decision: DecisionParams = field(default_factory=DecisionParams)


@dataclass(frozen=True)
class Candidate:
    """One configuration: block model settings, decision settings and the entry gate."""

    model: ModelSettings
    decision: DecisionParams
    gate: str  # "none" or "sma50" (close above its 1200-bar mean)


@dataclass(frozen=True)
class Selection:
    """The outcome of one outer block's search."""

    candidate: Candidate
    params: dict[str, Any]
    inner_sharpe: float
    n_trials: int
    trial_daily_sharpes: list[float]


def candidate_from(params: dict[str, Any], space: SearchSpace) -> Candidate:
    """The candidate named by an Optuna parameter dict (a trial's or the study's best)."""
    h = int(params["horizon"])
    model = replace(space.base_model, horizon_bars=h, num_leaves=int(params["num_leaves"]))
    mode = Mode(params["mode"])
    enter = float(params.get("enter_margin", 0.0))
    decision = replace(
        space.base_decision,
        horizon_bars=h,
        mode=mode,
        enter_margin=enter,
        exit_margin=enter - float(params.get("exit_gap", 0.0)),
        long_threshold=float(params.get("long_threshold", 0.55)),
        min_hold_bars=int(params["min_hold_bars"]),
        sizing=Sizing(params["sizing"]),
        vol_target=float(params.get("vol_target", 0.5)),
        kelly_scale=float(params.get("kelly_scale", 0.5)),
    )
    return Candidate(model, decision, str(params["gate"]))


def _suggest(trial: optuna.Trial, space: SearchSpace) -> dict[str, Any]:
    trial.suggest_categorical("horizon", list(space.horizons))
    trial.suggest_categorical("num_leaves", list(space.leaves))
    mode = trial.suggest_categorical("mode", [m.value for m in Mode])
    if mode == Mode.CLIENT.value:
        trial.suggest_float("long_threshold", 0.3, 0.7)
    else:
        trial.suggest_float("enter_margin", 0.0, 0.03)
        trial.suggest_float("exit_gap", 0.0, 0.05)
    trial.suggest_int("min_hold_bars", 1, 168, log=True)
    sizing = trial.suggest_categorical("sizing", [s.value for s in Sizing])
    if sizing == Sizing.VOL_TARGET.value:
        trial.suggest_float("vol_target", 0.2, 1.0)
    elif sizing == Sizing.KELLY.value:
        trial.suggest_float("kelly_scale", 0.1, 1.0)
    trial.suggest_categorical("gate", ["none", "sma50"])
    return dict(trial.params)


def gate_of(data: ResearchData, name: str, rows: slice | NDArray[np.int64]) -> NDArray[np.bool_] | None:
    """The entry gate over ``rows`` (None = no gate)."""
    if name == "none":
        return None
    return np.asarray(np.nan_to_num(data.column("sma_gap_1200")[rows], nan=-1.0) > 0.0)


class InnerView:
    """Read-only access to the bars before ``cutoff``, and to the inner blocks' forecasts."""

    def __init__(self, data: ResearchData, store: ModelStore, inner: list[Block], cutoff: float) -> None:
        if not inner or inner[-1].end > cutoff:
            raise DataError("inner blocks must end before the outer block starts", fix="check the schedule")
        stamps = data.timestamps
        self.first = int(np.searchsorted(stamps, inner[0].start))
        self.stop = int(np.searchsorted(stamps, cutoff))  # rows [first, stop) all open before cutoff
        self.data, self.store, self.inner = data, store, inner
        self.stamps = stamps[self.first : self.stop]
        self.close = data.close[self.first : self.stop]

    def quantiles(self, model: ModelSettings) -> FloatArray:
        out = np.full((self.stop - self.first, 3), np.nan)
        for block in self.inner:
            forecast = self.store.forecast(model, block)
            out[forecast.rows - self.first] = forecast.quantiles
        return out

    def daily_returns(self, candidate: Candidate) -> FloatArray:
        """Daily returns of the candidate over the inner blocks (close-to-close proxy of the fills)."""
        q = self.quantiles(candidate.model)
        gate = gate_of(self.data, candidate.gate, slice(self.first, self.stop))
        held, _ = decide(q[:, 0], q[:, 1], q[:, 2], candidate.decision, gate)
        step = self.close[1:] / self.close[:-1] - 1.0
        turnover = np.abs(np.diff(np.concatenate([[0.0], held])))[:-1]
        pnl = held[:-1] * step - turnover * candidate.decision.round_trip / 2.0
        days = np.floor(self.stamps[1:] / DAY)
        growth = np.log1p(pnl)
        _, start = np.unique(days, return_index=True)
        return np.asarray(np.expm1(np.add.reduceat(growth, start)), dtype=np.float64)


def select_block(
    view: InnerView, space: SearchSpace, *, storage: str, study_name: str, trials: int, seed: int
) -> Selection:
    """Run (or resume) the block's study up to ``trials`` finished trials; return the best candidate."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name=study_name,
        storage=storage,
        direction="maximize",
        sampler=optuna.samplers.TPESampler(seed=seed),
        load_if_exists=True,
    )

    def objective(trial: optuna.Trial) -> float:
        returns = view.daily_returns(candidate_from(_suggest(trial, space), space))
        trial.set_user_attr("daily_sharpe", sharpe(returns))
        return sharpe(returns, 365.0)

    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    if len(done) < trials:
        study.optimize(objective, n_trials=trials - len(done))
    done = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    best = study.best_trial
    return Selection(
        candidate=candidate_from(best.params, space),
        params=dict(best.params),
        inner_sharpe=float(best.value if best.value is not None else np.nan),
        n_trials=len(done),
        trial_daily_sharpes=[float(t.user_attrs.get("daily_sharpe", np.nan)) for t in done],
    )


def storage_url(run_dir: Path) -> str:
    """SQLite storage in the run folder (created if missing)."""
    run_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(run_dir / 'optuna.db').resolve()}"
