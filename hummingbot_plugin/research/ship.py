"""Ship a walk-forward choice as a live model: one model on all data up to ``--end``, sealed.

    python -m hummingbot_plugin.research.ship --pair BTC-USDT --candles binance_BTC-USDT_1h.csv \\
        --end 2023-12-31 --params '{"horizon": 72, ...}' --out models/btc_usdt_1h_wf

``--params`` is one outer block's chosen Optuna parameters (``report.json`` → ``folds[i].params``). The
model is fitted exactly as a walk-forward block model (``models.ModelStore``: same LightGBM settings,
purge + embargo of the horizon, stride, expanding window, raw sorted quantiles) with the cut-off at the end
of ``--end`` and the candle-only research features (``CORE_FEATURES``: the controller has no live
cross-asset, cross-venue or daily feed). Nothing after ``--end`` is read. The decision settings to put
under ``cost_aware:`` in a controller config are printed (and kept in the manifest's notes).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hummingbot_plugin.data import interval_seconds, load_candles
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.artifacts import write_model_dir
from hummingbot_plugin.ml.dataset import Dataset
from hummingbot_plugin.ml.training import fit_booster, lightgbm_params
from hummingbot_plugin.research.data import LEVELS, ResearchData, build_research_data
from hummingbot_plugin.research.features import CORE_FEATURES, FEATURE_NAMES, FeatureInputs
from hummingbot_plugin.research.folds import Block, train_rows
from hummingbot_plugin.research.models import ModelStore, _manifest_fields
from hummingbot_plugin.research.selection import Candidate, SearchSpace, candidate_from

__all__ = ["candle_only", "cost_aware_block", "cost_aware_settings", "main", "train_shipped"]


def candle_only(data: ResearchData) -> ResearchData:
    """``data`` restricted to the candle-only research features (same rows, same usable flags)."""
    keep = [FEATURE_NAMES.index(n) for n in CORE_FEATURES]
    return ResearchData(data.candles, data.features[:, keep], data.usable, data.interval_s, CORE_FEATURES)


def cost_aware_settings(params: dict[str, Any]) -> dict[str, Any]:
    """The controller's ``cost_aware:`` block for a block's chosen parameters."""
    return cost_aware_block(candidate_from(params, SearchSpace()))


def cost_aware_block(candidate: Candidate) -> dict[str, Any]:
    """The controller's ``cost_aware:`` settings for one research candidate."""
    d = candidate.decision
    return {
        "entry_rule": "net_edge" if d.mode.value == "cost_aware" else "client_probability",
        "enter_margin": d.enter_margin,
        "exit_margin": d.exit_margin,
        "long_threshold": d.long_threshold,
        "min_hold_bars": d.min_hold_bars,
        "sizing": d.sizing.value,
        "cap": d.cap,
        "kelly_scale": d.kelly_scale,
        "vol_target": d.vol_target,
        "gate": candidate.gate,
        "fee": d.fee,
        "half_spread": d.half_spread,
        "slippage": d.slippage,
    }


def train_shipped(
    candles: pd.DataFrame,
    pair: str,
    interval: str,
    end: str,
    params: dict[str, Any],
    out: Path,
    model_id: str | None = None,
    space: SearchSpace | None = None,
) -> dict[str, Any]:
    """Fit and seal the model of ``params`` on ``candles`` up to ``end``; returns the manifest fields.

    ``space`` supplies the base LightGBM settings (a sweep's ``model:``; default: the walk-forward's)."""
    data = candle_only(build_research_data(candles, FeatureInputs(), interval_seconds(interval)))
    settings = candidate_from(params, space or SearchSpace()).model
    cutoff = (pd.Timestamp(end, tz="UTC") + pd.Timedelta(days=1)).timestamp()
    h, config = settings.horizon_bars, settings.train_config()
    labels = data.labels(h)
    rows = train_rows(
        data.timestamps,
        data.usable & np.isfinite(labels),
        cutoff,
        horizon_bars=h,
        embargo_bars=h,
        interval_s=data.interval_s,
        train_days=settings.train_days,
    )[:: -settings.stride][::-1]
    if rows.size < 1000:
        raise ModelError(f"only {rows.size} training rows up to {end}", fix="use a longer candle file")
    names = np.full(labels.size, "", dtype=object)
    table = Dataset(data.timestamps, data.features, labels, names, data.feature_names)
    texts, grid = {}, np.empty((rows[::10].size, len(LEVELS)))
    for j, level in enumerate(LEVELS):
        booster = fit_booster(table, rows, lightgbm_params(config, level), settings.rounds)
        texts[level] = booster.model_to_string(num_iteration=-1)
        grid[:, j] = booster.predict(data.features[rows[::10]])
    store = ModelStore(data, out, pair, interval)
    fields = _manifest_fields(store, settings, Block(0, cutoff, cutoff), rows, np.sort(grid, axis=1), config)
    decision = cost_aware_settings(params)
    fields["model_id"] = model_id or f"{pair}_{settings.key}_to_{end}"
    fields["notes"] = (
        "Research model for decision_mode cost_aware (candle-only research features, raw sorted quantiles, "
        "no calibration or CV here: the cv_metrics/calibration fields are placeholders; it is validated "
        "out of sample by `python -m hummingbot_plugin walkforward`). Walk-forward choice: "
        f"{json.dumps(params, sort_keys=True)}. cost_aware settings: {json.dumps(decision, sort_keys=True)}."
    )
    write_model_dir(out, texts, fields)
    return fields


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hummingbot_plugin.research.ship", description=__doc__)
    parser.add_argument("--pair", required=True)
    parser.add_argument("--candles", required=True, help="candle file (path or name in the data directory)")
    parser.add_argument("--interval", default="1h")
    parser.add_argument("--end", required=True, help="last day of training data (YYYY-MM-DD, inclusive)")
    parser.add_argument("--params", required=True, help="a block's chosen parameters (JSON)")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--model-id", help="model id (default: pair, settings and end)")
    args = parser.parse_args(argv)
    params = json.loads(args.params)
    candles = load_candles(args.candles, end=args.end)
    fields = train_shipped(candles, args.pair, args.interval, args.end, params, args.out, args.model_id)
    print(f"{args.out}: {fields['model_id']} trained {fields['train_start']} .. {fields['train_end']}")
    print("cost_aware:")
    for key, value in cost_aware_settings(params).items():
        print(f"  {key}: {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
