"""``backtest`` command: run a V2 controller config offline through Hummingbot's backtesting engine.

Before the engine starts, a run that could not trade fails with the reason and the fix: a period outside
the candle file, a model the controller cannot use, a period wholly outside the model's validity. A period
partly outside the file runs on the covered part, says so on stderr and records it in the JSON.
"""

from __future__ import annotations

import argparse
import sys
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
    """Check the run can trade, run the backtest described by ``args``, write its JSON (and report)."""
    from hummingbot_plugin.simulation.backtest.runner import BacktestRequest, run_backtest_command

    request = BacktestRequest.from_args(args)
    return run_backtest_command(request, period=preflight(request))


def preflight(request: Any) -> dict[str, Any]:
    """The used period (JSON fields); ConfigError/DataError when the backtest could not trade at all."""
    from hummingbot_plugin.data import infer_interval, interval_seconds, load_candles, to_epoch_bound
    from hummingbot_plugin.data.coverage import DataSpan, coverage
    from hummingbot_plugin.errors import DataError
    from hummingbot_plugin.hb.controller_config import load_controller_config
    from hummingbot_plugin.validate.refusals import (
        ModelVerifier,
        controller_refusals,
        refuse,
        validity_problems,
    )

    candles = load_candles(request.candles)
    if candles.empty:
        raise DataError(f"{request.candles} holds no candles", fix="pass a non-empty candle file")
    stamps = candles["timestamp"]
    step = interval_seconds(infer_interval(candles))
    span = DataSpan(str(request.candles), float(stamps.iloc[0]), float(stamps.iloc[-1]), step)
    used = coverage(
        [span], to_epoch_bound(request.start, is_end=False), to_epoch_bound(request.end, is_end=True)
    )
    overrides = {} if request.capital is None else {"total_amount_quote": request.capital}
    config = load_controller_config(request.config, overrides)
    file = str(request.config)
    check = controller_refusals(file, config, ModelVerifier(), offline=True, at=used.used_end)
    late, notes = validity_problems(check.cutoffs, used.used_start, used.used_end)
    refuse(check.problems + late, f"backtest of {file}")
    for note in ([used.note()] if used.clipped else []) + notes:
        print(note, file=sys.stderr)
    return used.as_json()
