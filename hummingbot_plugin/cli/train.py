"""``train`` command: fit, validate, calibrate and write a quantile model directory."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add ``train``."""
    parser = subparsers.add_parser(
        "train",
        help="train LightGBM quantile models (walk-forward CV, calibration) into models/<id>",
        description="Train q10/q50/q90 models on candles up to --end and write LightGBM text files plus "
        "manifest.json. Prints the walk-forward report.",
    )
    parser.add_argument("--candles", required=True, help="candle file (path or name in the data directory)")
    parser.add_argument("--pair", required=True, help="trading pair, e.g. BTC-USDT")
    parser.add_argument("--interval", required=True, help="candle interval, e.g. 1h")
    parser.add_argument("--start", help="first day used (inclusive, YYYY-MM-DD)")
    parser.add_argument("--end", help="last day used (inclusive); nothing after it is read")
    parser.add_argument("--horizon", type=int, help="forecast horizon in bars (default: validated default)")
    parser.add_argument("--fear-greed", help="daily Fear & Greed CSV: adds the regime features")
    parser.add_argument("--dominance", help="daily BTC dominance CSV: adds dominance features")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument(
        "--created-at", help="ISO time recorded as created_at (default: close of the last bar)"
    )
    parser.add_argument("--notes", default="", help="free text stored in the manifest")
    parser.add_argument("--out", required=True, type=Path, help="output directory, e.g. models/btc_usdt_1h")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hummingbot_plugin.data import load_candles
    from hummingbot_plugin.ml.daily import DailyInputs
    from hummingbot_plugin.ml.pipeline import TrainRequest, train_model
    from hummingbot_plugin.ml.spec import FeatureSet
    from hummingbot_plugin.ml.training import TrainConfig
    from hummingbot_plugin.settings import data_file

    candles = load_candles(args.candles, start=args.start, end=args.end)
    settings: dict[str, Any] = {"seed": args.seed}
    if args.horizon is not None:
        settings["horizon_bars"] = args.horizon
    fear_greed = data_file(args.fear_greed) if args.fear_greed else None
    dominance = data_file(args.dominance) if args.dominance else None
    request = TrainRequest(
        candles=candles,
        trading_pair=args.pair,
        interval=args.interval,
        model_id=args.out.name,
        config=TrainConfig(**settings),
        feature_set=FeatureSet(fear_greed is not None, dominance is not None),
        daily=DailyInputs.from_files(fear_greed, dominance),
        created_at=args.created_at,
        notes=args.notes,
    )
    manifest = train_model(request, args.out)
    _print_report(manifest)
    print(f"wrote {args.out} ({', '.join(sorted(manifest.files))}, manifest.json)")
    return 0


def _print_report(manifest: Any) -> None:
    cv = manifest.cv_metrics
    print(
        f"model {manifest.model_id}: {manifest.trading_pair} {manifest.interval}, "
        f"horizon {manifest.horizon_bars}"
        f" bars, trained {manifest.train_start} .. {manifest.train_end}"
    )
    print(
        f"walk-forward ({cv.n_folds} folds, embargo {cv.embargo_bars} bars), pinball per quantile "
        f"{manifest.quantiles} (model | naive), coverage:"
    )
    for fold in cv.folds:
        pins = " ".join(f"{m:.5f}|{n:.5f}" for m, n in zip(fold.pinball, fold.naive_pinball, strict=True))
        cover = " ".join(f"{c:.3f}" for c in fold.coverage)
        print(
            f"  fold {fold.fold} {fold.valid_start[:10]}..{fold.valid_end[:10]} train {fold.train_rows:>6}"
            f" rounds {fold.best_iterations}  {pins}  cov {cover}"
        )
    print(f"  skill vs naive (1 - model/naive pinball): {cv.skill:+.4f}")
    cal = manifest.calibration
    print(
        f"calibration on {cal.fitted_on_start[:10]}..{cal.fitted_on_end[:10]}: shifts "
        f"{[round(s, 5) for s in cal.shifts]}, coverage {[round(c, 3) for c in cal.coverage_before]} -> "
        f"{[round(c, 3) for c in cal.coverage_after]}"
    )
    for score in cv.probability_scores:
        print(
            f"  {score.method:>16}: brier {score.brier:.4f} log-loss {score.log_loss:.4f} "
            f"tier-A accuracy {score.top_tier_accuracy:.3f} (n={score.top_tier_rows})"
        )
    print(f"default probability method: {cal.probability_method} (lower Brier)")
