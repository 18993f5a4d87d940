"""``replay`` command: run a V2 script and Hummingbot's real executors against replayed market data."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import ConfigError

__all__ = ["parse_balances", "register", "run"]


def register(subparsers: Any) -> None:
    """Add the ``replay`` sub-command."""
    parser = subparsers.add_parser(
        "replay",
        help="replay market data through a V2 script, its controllers and Hummingbot's real executors",
        description="Builds Hummingbot's runtime headless (BACKTEST clock, MarketsRecorder, the script, its "
        "controllers, ExecutorOrchestrator, real executors) on a simulated exchange fed by the files. "
        "Trades + L2 files give queue-aware fills; candle files an intrabar path (see docs/simulator.md).",
    )
    parser.add_argument(
        "--script-config",
        required=True,
        type=Path,
        help="script YAML (conf/scripts/x.yml) naming script_file_name and controllers_config",
    )
    parser.add_argument(
        "--data",
        required=True,
        nargs="+",
        type=Path,
        help="data files: <venue>_<PAIR>_trades_*.csv + *_l2_top20_*.csv, or candle CSVs",
    )
    parser.add_argument(
        "--start", help="first day/time (UTC, inclusive), e.g. 2024-08-01 or 2024-08-01T06:00"
    )
    parser.add_argument("--end", help="last day/time (UTC, inclusive)")
    parser.add_argument(
        "--balance",
        action="append",
        default=[],
        metavar="ASSET=AMOUNT",
        help="starting balance, repeatable (e.g. --balance USDT=10000 --balance BTC=0.1)",
    )
    parser.add_argument("--sim-config", type=Path, help="simulated venue settings YAML (conf/sim/*.yml)")
    parser.add_argument(
        "--points-per-bar",
        type=int,
        default=4,
        choices=[2, 4, 8],
        help="candle mode: intrabar path points per bar (default 4: open, extreme, extreme, close)",
    )
    parser.add_argument(
        "--closed-executors-buffer",
        type=int,
        metavar="N",
        help="closed executors kept in memory before Hummingbot stores them (its default: 100); fewer is "
        "faster on long replays, but controllers that read closed executors see fewer of them",
    )
    parser.add_argument("--speed", default="max", help="'max' (as fast as possible; the only mode offline)")
    parser.add_argument(
        "--keep-open",
        action="store_true",
        help="do not close executors at the end (default: stop them as an operator would)",
    )
    parser.add_argument(
        "--db", type=Path, help="keep Hummingbot's MarketsRecorder SQLite here (default: temporary)"
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        help="risk-guard state folder (high-water mark, HALTED locks). Default: a fresh folder per replay, "
        "so a simulation never reads or writes the live bot's persisted risk state",
    )
    parser.add_argument("--quiet", action="store_true", help="no live status line")
    parser.add_argument(
        "--json", required=True, type=Path, help="where to write metrics, orders, fills (JSON)"
    )
    parser.add_argument("--report", type=Path, help="optional equity report: .png or .html")
    parser.add_argument(
        "--audit",
        type=Path,
        help="where to keep the audit trail (signals, risk decisions, orders; one hash-chained JSONL). "
        "Default: <json stem>.audit.jsonl next to --json",
    )
    parser.set_defaults(func=run)


def parse_balances(items: list[str]) -> dict[str, Decimal]:
    """``["USDT=10000", "BTC=0.1"]`` → ``{"USDT": Decimal("10000"), ...}`` with clear errors."""
    balances: dict[str, Decimal] = {}
    for item in items:
        asset, sep, amount = item.partition("=")
        try:
            value = Decimal(amount)
        except InvalidOperation:
            value = Decimal(-1)
        if not sep or not asset.strip() or value < 0:
            raise ConfigError(
                f"--balance {item!r} is not ASSET=AMOUNT with AMOUNT >= 0",
                fix="write it like --balance USDT=10000",
            )
        balances[asset.strip().upper()] = value
    return balances


def audit_path_for(json_path: Path, explicit: Path | None) -> Path:
    """``--audit``, else ``<json stem>.audit.jsonl`` in the folder of the JSON."""
    return explicit if explicit is not None else json_path.with_name(f"{json_path.stem}.audit.jsonl")


def run(args: argparse.Namespace) -> int:
    """Check the inputs can trade, run the replay, write its JSON (and optional report) and audit trail."""
    from hummingbot_plugin.simulation.engine.report_file import replay_summary, write_report
    from hummingbot_plugin.simulation.replay.request import preflight
    from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

    if args.closed_executors_buffer is not None and args.closed_executors_buffer < 1:
        raise ConfigError(
            f"--closed-executors-buffer {args.closed_executors_buffer} must be >= 1",
            fix="give a positive count, or leave it out for Hummingbot's default",
        )
    if args.speed != "max":
        raise ConfigError(
            f"--speed {args.speed!r} is not supported for file replays",
            fix="use --speed max (live pacing is what paper trading mode is for)",
        )
    request = ReplayRequest(
        script_config=args.script_config,
        data=tuple(args.data),
        start=args.start,
        end=args.end,
        balances=parse_balances(args.balance),
        sim_config=args.sim_config,
        points_per_bar=args.points_per_bar,
        close_at_end=not args.keep_open,
        closed_executors_buffer=args.closed_executors_buffer,
        status_stream=None if args.quiet else sys.stderr,
        db_path=args.db,
        state_dir=args.state_dir,
        audit_path=audit_path_for(args.json, args.audit),
        notes=sys.stderr,
    )
    for note in preflight(request):
        print(note, file=sys.stderr)
    result = run_replay(request)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result.payload, indent=1, default=str))
    if args.report:
        write_report(result.payload, result.ledger, args.report)
    print(replay_summary(result.payload))
    print(f"wrote {args.json}" + (f" and {args.report}" if args.report else ""))
    audit = result.payload.get("audit") or {}
    print(
        f"audit trail: {audit.get('path')} ({audit.get('records', 0)} records; "
        f"check it with `python -m hummingbot_plugin audit verify {audit.get('path')}`)"
    )
    return 0
