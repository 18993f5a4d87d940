"""Choose the default forecast horizon by walk-forward validation on data up to 2022-12-31 only.

For each candidate horizon it runs the same purged walk-forward CV as `train` and prints the pinball
skill versus the naive rolling-quantile baseline (1 - model/naive, summed over q10/q50/q90) and the
interval coverage. The default horizon is the one with the highest mean skill over BTC and ETH.
2023 is never read, so it stays out-of-sample for `benchmarks/bench_forecast_oos.py`.

    .venv/bin/python tools/select_horizon.py [--horizons 1 4 12 24] [--end 2022-12-31]
"""

from __future__ import annotations

import argparse

import numpy as np

from hummingbot_plugin.data import interval_seconds, load_candles
from hummingbot_plugin.ml import metrics
from hummingbot_plugin.ml.dataset import build_dataset
from hummingbot_plugin.ml.spec import FeatureSet
from hummingbot_plugin.ml.training import TrainConfig, run_walk_forward
from hummingbot_plugin.settings import data_file


def horizon_skill(pair: str, horizon: int, start: str, end: str) -> tuple[float, float]:
    candles = load_candles(data_file(f"binance_{pair}_1h.csv"), start=start, end=end)
    config = TrainConfig(horizon_bars=horizon)
    data = build_dataset(
        candles, horizon_bars=horizon, interval_s=interval_seconds("1h"), feature_set=FeatureSet()
    )
    results = run_walk_forward(data, config, show_progress=False)
    model = naive = 0.0
    inside = []
    for result in results:
        y = data.labels[result.fold.valid]
        for j, level in enumerate(config.quantiles):
            model += metrics.pinball_loss(y, result.raw[:, j], level)
            naive += metrics.pinball_loss(y, result.naive[:, j], level)
        inside.append(np.mean((y > result.raw[:, 0]) & (y <= result.raw[:, -1])))
    return 1.0 - model / naive, float(np.mean(inside))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--horizons", type=int, nargs="+", default=[1, 4, 12, 24])
    parser.add_argument("--pairs", nargs="+", default=["BTC-USDT", "ETH-USDT"])
    parser.add_argument("--start", default="2019-01-01")
    parser.add_argument("--end", default="2022-12-31")
    args = parser.parse_args()
    print(f"walk-forward pinball skill vs naive, data {args.start}..{args.end}")
    print(f"{'horizon':>8} " + " ".join(f"{p:>20}" for p in args.pairs) + f" {'mean skill':>11}")
    for horizon in args.horizons:
        cells, skills = [], []
        for pair in args.pairs:
            skill, cover = horizon_skill(pair, horizon, args.start, args.end)
            skills.append(skill)
            cells.append(f"skill {skill:+.4f} cov {cover:.2f}")
        print(
            f"{horizon:>8} " + " ".join(f"{c:>20}" for c in cells) + f" {np.mean(skills):>+11.4f}", flush=True
        )


if __name__ == "__main__":
    main()
