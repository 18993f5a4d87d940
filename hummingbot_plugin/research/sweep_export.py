"""``sweep export``: the best feasible trial as controller configs plus sealed models, per pair.

The sweep's decision layer is the walk-forward's cost-aware one, which the ``ai_livestream`` controller
runs as ``decision_mode: cost_aware``. For each pair of the sweep the export writes

* ``models/<pair>_<interval>_<study>/``: one model with the trial's settings, fitted by
  ``ship.train_shipped`` on the candles ``data_start .. train_end`` only (the training window, the
  sweep's LightGBM settings, candle-only features as in the trials) and sealed (``seal.json``), so every
  bar up to ``train_end`` is in-sample and refused by the controller;
* ``controllers/ai_costaware_<pair>_<interval>_<study>.yml``: an ``ai_livestream`` controller config
  whose ``cost_aware:`` block is the trial's decision settings with the sweep's fee, ``model_dir``
  pointing at that model (absolute path);
* ``chosen.yml``: the trial, its parameters and where they were chosen.

Backtest a config on a period after ``train_end``:
``python -m hummingbot_plugin backtest --config <yml> --candles <file> --start <after train_end> ...``
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
import yaml

from hummingbot_plugin.data import load_candles
from hummingbot_plugin.research.selection import Candidate, candidate_from
from hummingbot_plugin.research.ship import cost_aware_block, train_shipped
from hummingbot_plugin.research.sweep import finished_trials
from hummingbot_plugin.research.sweep_config import SweepConfig
from hummingbot_plugin.research.sweep_ledger import CAPITAL
from hummingbot_plugin.research.sweep_report import best_trial

__all__ = ["controller_config", "export_best"]


def controller_config(
    name: str, pair: str, config: SweepConfig, candidate: Candidate, model_dir: Path
) -> dict[str, Any]:
    """An ``ai_livestream`` cost-aware controller config (same fields as conf/controllers/ai_costaware_*)."""
    return {
        "id": name,
        "controller_type": "directional_trading",
        "controller_name": "ai_livestream",
        "connector_name": config.connector,
        "trading_pair": pair,
        "interval": config.interval,
        "model_dir": str(model_dir.resolve()),
        "decision_mode": "cost_aware",
        "total_amount_quote": CAPITAL,
        "leverage": 1,
        "position_mode": "ONEWAY",
        "allow_short": False,
        "sizing_mode": "fixed",
        "max_position_quote": CAPITAL,
        "min_order_quote": 10,
        "max_executors_per_side": 1,
        "cooldown_time": 60,
        "time_limit": None,
        "stale_after_intervals": 2,
        "cost_aware": cost_aware_block(candidate),
        "risk": {"max_drawdown_pct": config.max_drawdown, "daily_loss_limit_quote": CAPITAL / 10},
    }


def _header(study: str, trial: int, config: SweepConfig) -> str:
    return (
        f"# Exported by `python -m hummingbot_plugin sweep export` from study {study}, trial {trial}:\n"
        f"# chosen on the training folds {config.folds_start} .. {config.train_end}; the model is trained\n"
        f"# on {config.data_start} .. {config.train_end} only: backtest after {config.train_end}.\n"
    )


def export_best(study: optuna.Study, config: SweepConfig, out: Path) -> dict[str, Any]:
    """Write ``chosen.yml``, one controller config and one sealed model per pair into ``out``."""
    best = best_trial(study)
    params = {**config.fixed, **best.params}
    candidate = candidate_from(params, config.search_space())
    configs: dict[str, str] = {}
    for spec in config.pairs:
        slug = f"{spec.pair.replace('-', '_').lower()}_{config.interval}_{study.study_name}"
        model_dir = out / "models" / slug
        candles = load_candles(spec.candles, end=config.train_end)
        start = pd.Timestamp(config.data_start, tz="UTC").timestamp()
        candles = candles[candles["timestamp"] >= start].reset_index(drop=True)
        train_shipped(candles, spec.pair, config.interval, config.train_end, params, model_dir, slug,
                      config.search_space())  # fmt: skip
        path = out / "controllers" / f"ai_costaware_{slug}.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = controller_config(f"ai_costaware_{slug}", spec.pair, config, candidate, model_dir)
        text = yaml.safe_dump(body, sort_keys=False)
        path.write_text(_header(study.study_name, best.number, config) + text, encoding="utf-8")
        configs[spec.pair] = str(path)
    payload = {
        "source": {
            "study": study.study_name,
            "trial": best.number,
            "trials_finished": len(finished_trials(study)),
            "chosen_on": f"training folds {config.folds_start} .. {config.train_end} (nothing later read)",
            "pairs": [p.pair for p in config.pairs],
        },
        "params": params,
        "model": asdict(candidate.model),
        "decision": {k: getattr(v, "value", v) for k, v in asdict(candidate.decision).items()},
        "gate": candidate.gate,
        "controllers": configs,
    }
    (out / "chosen.yml").write_text(yaml.safe_dump(payload, sort_keys=False), encoding="utf-8")
    return payload
