"""``walkforward`` command: nested walk-forward research run with baselines on one ledger."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add ``walkforward``."""
    parser = subparsers.add_parser(
        "walkforward",
        help="nested walk-forward research run: retrain per block, choose without peeking, compare",
        description="Retrain LightGBM quantile models every --step-months, choose horizon, model and "
        "decision settings with Optuna on the blocks before each one, evaluate the stitched "
        "out-of-sample decisions against buy-and-hold, MA 50/200 and 50-day momentum on one ledger. "
        "Writes report.json, table.txt and PNGs into --out.",
    )
    parser.add_argument("--candles", required=True, help="candle file (path or name in the data directory)")
    parser.add_argument("--pair", required=True, help="trading pair, e.g. BTC-USDT")
    parser.add_argument("--start", required=True, help="first evaluated day (YYYY-MM-DD)")
    parser.add_argument("--end", required=True, help="last evaluated day (inclusive); nothing later is read")
    parser.add_argument("--out", required=True, type=Path, help="run folder (models, optuna.db, report)")
    parser.add_argument("--fee", type=float, default=0.001, help="fee per side (default 0.001 = 0.1 %%)")
    parser.add_argument("--capital", type=float, default=1000.0, help="starting quote balance (default 1000)")
    parser.add_argument("--trials", type=int, default=40, help="Optuna trials per outer block (default 40)")
    parser.add_argument("--step-months", type=int, default=3, help="retrain every N months (default 3)")
    parser.add_argument("--inner-blocks", type=int, default=6, help="inner blocks that choose (default 6)")
    parser.add_argument("--resume", action="store_true", help="continue the run already in --out")
    parser.add_argument("--cross", help="another market's candles for cross-asset features ('none' to skip)")
    parser.add_argument("--venue", help="same market on another venue, for the premium ('none' to skip)")
    parser.add_argument("--fear-greed", help="daily Fear & Greed CSV ('none' to skip)")
    parser.add_argument("--dominance", help="daily BTC dominance CSV ('none' to skip)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the Optuna samplers (default 7)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hummingbot_plugin.errors import ConfigError
    from hummingbot_plugin.research.engine import RunSettings
    from hummingbot_plugin.research.runner import default_inputs, output_paths, run_and_write

    if args.trials < 1 or args.step_months < 1 or args.inner_blocks < 1 or not 0 <= args.fee < 0.1:
        raise ConfigError(
            "--trials, --step-months and --inner-blocks must be >= 1, --fee in [0, 0.1)",
            fix="e.g. --trials 40 --step-months 3 --inner-blocks 4 --fee 0.001",
        )
    files = default_inputs(args.candles, args.pair, args.cross, args.venue, args.fear_greed, args.dominance)
    settings = RunSettings(
        trading_pair=args.pair,
        start=args.start,
        end=args.end,
        out=args.out,
        fee=args.fee,
        capital=args.capital,
        trials=args.trials,
        step_months=args.step_months,
        inner_blocks=args.inner_blocks,
        seed=args.seed,
    )
    _, table = run_and_write(files, settings, args.resume)
    print(table)
    print("wrote " + ", ".join(str(p) for p in output_paths(args.out)))
    return 0
