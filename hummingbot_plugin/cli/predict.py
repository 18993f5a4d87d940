"""``predict`` command: forecasts for every bar of a candle file, as CSV."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add ``predict``."""
    parser = subparsers.add_parser(
        "predict",
        help="write q10/q50/q90, probabilities and target_pct for every bar to CSV",
        description="Row timestamp T = open time of the bar at whose CLOSE (T + interval) the forecast is "
        "made, for the log return from that close over horizon_bars bars. Bars that cannot be "
        "forecast (warm-up, recent gap, bad candle, missing input) have empty values and a reason.",
    )
    parser.add_argument("--model", required=True, type=Path, help="model directory (models/<id>)")
    parser.add_argument("--candles", required=True, help="candle file; history before --start is warm-up")
    parser.add_argument("--start", help="first bar written (inclusive, YYYY-MM-DD)")
    parser.add_argument("--end", help="last bar written (inclusive)")
    parser.add_argument("--fear-greed", help="daily Fear & Greed CSV (required if the model uses it)")
    parser.add_argument("--dominance", help="daily BTC dominance CSV (required if the model uses it)")
    parser.add_argument(
        "--method",
        choices=["client_piecewise", "calibrated_cdf"],
        help="probability method (default: the one chosen at training)",
    )
    parser.add_argument("--out", required=True, type=Path, help="output CSV")
    parser.set_defaults(func=run)


def load_forecaster(args: argparse.Namespace) -> Any:
    """The verified model named by ``--model`` with the daily inputs given on the command line."""
    from hummingbot_plugin.ml.daily import DailyInputs
    from hummingbot_plugin.ml.forecaster import Forecaster
    from hummingbot_plugin.settings import data_file

    fear_greed = data_file(args.fear_greed) if args.fear_greed else None
    dominance = data_file(args.dominance) if args.dominance else None
    daily = DailyInputs.from_files(fear_greed, dominance)
    return Forecaster.load(args.model, daily=daily, probability_method=getattr(args, "method", None))


def run(args: argparse.Namespace) -> int:
    from hummingbot_plugin.data import load_candles, to_epoch_bound
    from hummingbot_plugin.ml.forecaster import PREDICTION_COLUMNS

    forecaster = load_forecaster(args)
    candles = load_candles(args.candles, end=args.end)
    table = forecaster.predict_frame(candles)
    start = to_epoch_bound(args.start, is_end=False)
    if start is not None:
        table = table[table["timestamp"] >= start]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.loc[:, list(PREDICTION_COLUMNS)].to_csv(args.out, index=False, float_format="%.8g")
    refused = int((table["reason"] != "").sum())
    print(
        f"wrote {len(table)} rows to {args.out} ({refused} without forecast; see the reason column); "
        f"method {forecaster.method.value}, horizon {forecaster.manifest.horizon_bars} bars"
    )
    return 0
