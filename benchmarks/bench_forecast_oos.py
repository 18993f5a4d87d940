"""Out-of-sample forecast quality on 2023 with models trained only on data up to 2022-12-31.

For each pair: pinball loss per quantile versus the naive baseline (rolling unconditional quantiles of
realised returns), coverage per quantile (target: within +-2 points of nominal), q10-q90 interval
coverage, and directional accuracy by confidence tier for both probability methods. Any other file and
period can be passed; 2022 and earlier only serves as warm-up history.

    .venv/bin/python benchmarks/bench_forecast_oos.py [--start 2023-01-01 --end 2023-12-31]
"""

from __future__ import annotations

import argparse
from datetime import datetime

from hummingbot_plugin.data import load_candles, to_epoch_bound
from hummingbot_plugin.ml.evaluation import EvaluationReport, evaluate, format_report
from hummingbot_plugin.ml.forecaster import Forecaster
from hummingbot_plugin.settings import data_file, models_dir

COVERAGE_TOLERANCE = 0.02


def coverage_verdict(report: EvaluationReport) -> str:
    """Per quantile: empirical coverage and whether it is within +-2 points of nominal."""
    cells = []
    for level, got in zip(report.levels, report.coverage_model, strict=True):
        ok = abs(got - level) <= COVERAGE_TOLERANCE
        cells.append(f"q{round(level * 100)} {got:.3f} ({'ok' if ok else 'off'})")
    return "  ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", nargs="+", default=["BTC-USDT", "ETH-USDT"])
    parser.add_argument("--start", default="2023-01-01")
    parser.add_argument("--end", default="2023-12-31")
    parser.add_argument("--model-suffix", default="_1h_oos2023")
    args = parser.parse_args()
    start = float(to_epoch_bound(args.start, is_end=False) or 0.0)
    end = float(to_epoch_bound(args.end, is_end=True) or 0.0)
    for pair in args.pairs:
        model_dir = models_dir() / (pair.lower().replace("-", "_") + args.model_suffix)
        forecaster = Forecaster.load(model_dir)
        manifest = forecaster.manifest
        cutoff = datetime.fromisoformat(manifest.data_cutoff.replace("Z", "+00:00")).timestamp()
        if cutoff > start:  # the close of the last training bar may equal the start, not exceed it
            print(f"WARNING: {model_dir.name} saw data up to {manifest.data_cutoff}: not out-of-sample")
        candles = load_candles(data_file(f"binance_{pair}_1h.csv"), end=args.end)
        report, _ = evaluate(forecaster, candles, start, end, f"{args.start}..{args.end}")
        print(
            f"== {pair}: model trained {manifest.train_start[:10]}..{manifest.train_end[:10]}, "
            f"horizon {manifest.horizon_bars} bar(s), default method {forecaster.method.value}"
        )
        print(format_report(report))
        print(f"coverage within +-{COVERAGE_TOLERANCE * 100:.0f} points: {coverage_verdict(report)}")
        print()


if __name__ == "__main__":
    main()
