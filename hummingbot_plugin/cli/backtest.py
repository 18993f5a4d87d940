"""``backtest`` command: run a V2 controller config offline through Hummingbot's backtesting engine."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hummingbot_plugin.data import INTERVAL_SECONDS

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``backtest`` sub-command."""
    parser = subparsers.add_parser(
        "backtest",
        help="backtest a controller config on a local candle file (offline, Hummingbot's engine)",
    )
    parser.add_argument("--config", required=True, type=Path, help="controller YAML (conf/controllers/x.yml)")
    parser.add_argument("--candles", required=True, help="candle file (path, or name in the data directory)")
    parser.add_argument("--start", help="first day YYYY-MM-DD (UTC, inclusive; default: file start)")
    parser.add_argument("--end", help="last day YYYY-MM-DD (UTC, inclusive; default: file end)")
    parser.add_argument("--fee", type=float, default=0.001, help="fee per trade, a fraction (0.001)")
    parser.add_argument("--capital", type=float, help="capital in quote (default: config total_amount_quote)")
    parser.add_argument(
        "--resolution",
        choices=list(INTERVAL_SECONDS),
        help="bar size the engine steps through (default: the candle file's interval)",
    )
    parser.add_argument("--trading-rules", type=Path, help="trading-rules JSON (default: the shipped one)")
    parser.add_argument("--json", required=True, type=Path, help="where to write the results JSON")
    parser.add_argument("--report", type=Path, help="optional report: .png or .html")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the backtest described by ``args`` and write its JSON (and report)."""
    from hummingbot_plugin.backtest.runner import BacktestRequest, run_backtest_command

    request = BacktestRequest.from_args(args)
    return run_backtest_command(request)
