"""``evaluate`` command: out-of-sample scores and plots of a model over any file and period."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add ``evaluate``."""
    parser = subparsers.add_parser(
        "evaluate",
        help="pinball loss, coverage, directional accuracy by tier and plots vs a naive baseline",
        description="Scores bars opening in [--start, --end] whose outcome is known; history before --start "
        "is used only as warm-up. The baseline is rolling unconditional quantiles of realised returns.",
    )
    parser.add_argument("--model", required=True, type=Path, help="model directory (models/<id>)")
    parser.add_argument("--candles", required=True, help="candle file (path or name in the data directory)")
    parser.add_argument("--start", required=True, help="first scored day (inclusive, YYYY-MM-DD)")
    parser.add_argument("--end", required=True, help="last scored day (inclusive)")
    parser.add_argument("--fear-greed", help="daily Fear & Greed CSV (required if the model uses it)")
    parser.add_argument("--dominance", help="daily BTC dominance CSV (required if the model uses it)")
    parser.add_argument("--out-dir", required=True, type=Path, help="folder for report.json and PNG plots")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hummingbot_plugin.cli.predict import load_forecaster
    from hummingbot_plugin.data import load_candles, to_epoch_bound
    from hummingbot_plugin.ml.evaluation import evaluate, format_report
    from hummingbot_plugin.ml.plots import plot_coverage, plot_reliability

    forecaster = load_forecaster(args)
    candles = load_candles(args.candles, end=args.end)
    start, end = to_epoch_bound(args.start, is_end=False), to_epoch_bound(args.end, is_end=True)
    report, scored = evaluate(
        forecaster, candles, float(start or 0.0), float(end or 0.0), f"{args.start}..{args.end}"
    )
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "report.json").write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    levels = tuple(forecaster.manifest.quantiles)
    plot_coverage(scored, levels, args.out_dir / "coverage.png")
    plot_reliability(
        scored, levels, forecaster.manifest.calibration.round_trip_cost, args.out_dir / "reliability.png"
    )
    print(format_report(report))
    print(f"wrote {args.out_dir}/report.json, coverage.png, reliability.png")
    return 0
