"""Sweep results: trial counts, the best feasible trial and its deflated Sharpe, Optuna plots.

The deflated Sharpe (``stats.deflated_sharpe``) of the best trial's pooled daily returns is deflated by
every finished trial (COMPLETE and PRUNED count as tried); the variance of the trial Sharpe ratios comes
from the completed ones. All of it is on the training folds: it says how much of the best in-sample
score survives the number of configurations tried, not how the configuration does out of sample.
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from sqlalchemy.engine import make_url

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.research.stats import deflated_sharpe
from hummingbot_plugin.research.sweep import finished_trials, open_storage

__all__ = ["best_trial", "open_study", "summarize", "write_report"]

COMPLETE = optuna.trial.TrialState.COMPLETE


def open_study(url: str, name: str) -> optuna.Study:
    """An existing study (fails closed when the storage holds no such study)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = open_storage(url)
    names = [s.study_name for s in optuna.get_all_study_summaries(storage, include_best_trial=False)]
    if name not in names:
        where = make_url(url).render_as_string(hide_password=True)
        raise ConfigError(f"no study {name!r} in {where}", fix=f"studies there: {', '.join(names) or 'none'}")
    return optuna.load_study(study_name=name, storage=storage)


def _result(trial: optuna.trial.FrozenTrial) -> dict[str, Any]:
    return dict(trial.user_attrs.get("result") or {})


def best_trial(study: optuna.Study) -> optuna.trial.FrozenTrial:
    """The highest-scoring COMPLETE trial that meets the declared constraints."""
    feasible = [
        t for t in study.get_trials(deepcopy=False) if t.state == COMPLETE and _result(t).get("feasible")
    ]
    if not feasible:
        raise ConfigError(
            "no completed trial meets the constraints", fix="run more trials or relax constraints in the YAML"
        )
    return max(feasible, key=lambda t: float(t.value if t.value is not None else -np.inf))


def _finite(value: float) -> float | None:
    """None where the statistic is undefined (e.g. the best trial never traded)."""
    return value if np.isfinite(value) else None


def summarize(study: optuna.Study) -> dict[str, Any]:
    """Counts per state, the best feasible trial and its deflated Sharpe."""
    trials = study.get_trials(deepcopy=False)
    states = Counter(t.state.name for t in trials)
    tried = len(finished_trials(study))
    best = best_trial(study)
    sharpes = [float(_result(t)["daily_sharpe"]) for t in trials if t.state == COMPLETE]
    returns = np.asarray(_result(best)["daily_returns"], dtype=np.float64)
    return {
        "study": study.study_name,
        "trials": len(trials),
        "trials_finished": tried,
        "states": dict(sorted(states.items())),
        "best": {
            "number": best.number,
            "sharpe_annualized": best.value,
            "params": best.params,
            "entries": _result(best).get("entries"),
            "trades": _result(best).get("trades"),
            "fees_quote": _result(best).get("fees_quote"),
            "max_drawdown": _result(best).get("max_drawdown"),
            "deflated_sharpe": _finite(deflated_sharpe(returns, sharpes, max(tried, 1))),
        },
        "note": "training folds only, scored on the ledger's fills; deflated by every finished trial",
    }


def _plots(study: optuna.Study, out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from optuna.visualization import matplotlib as ovm

    written = []
    makers: dict[str, Callable[[optuna.Study], Any]] = {
        "history": ovm.plot_optimization_history,
        "importance": ovm.plot_param_importances,
        "parallel_coordinate": ovm.plot_parallel_coordinate,
    }
    for name, maker in makers.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            warnings.simplefilter("ignore", UserWarning)  # matplotlib: a parameter with one value
            ax = maker(study)
        figure = ax.figure if hasattr(ax, "figure") else ax.flat[0].figure
        figure.set_size_inches(11, 6)
        path = out / f"{name}.png"
        figure.savefig(path, dpi=90, bbox_inches="tight")
        plt.close(figure)
        written.append(path)
    return written


def write_report(study: optuna.Study, out: Path) -> tuple[dict[str, Any], list[Path]]:
    """``report.json`` plus the three Optuna plots in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(study)
    path = out / "report.json"
    path.write_text(json.dumps(summary, indent=2, default=str) + "\n", encoding="utf-8")
    return summary, [path, *_plots(study, out)]
