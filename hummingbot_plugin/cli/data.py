"""``data`` command: check, resample and download candle files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hummingbot_plugin.data import (
    INTERVAL_SECONDS,
    find_gaps,
    infer_interval,
    load_candles,
    resample_candles,
    write_candles_csv,
)
from hummingbot_plugin.data.sanity import DEFAULT_LIMITS, SanityLimits, check_bars
from hummingbot_plugin.data.validation import sanity_problems
from hummingbot_plugin.errors import DataError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    """Add ``data`` with its sub-commands ``check``, ``resample`` and ``download``."""
    parser = subparsers.add_parser("data", help="check, resample or download candle files")
    actions = parser.add_subparsers(dest="data_command", metavar="<action>", required=True)

    check = actions.add_parser("check", help="validate a candle file and report its gaps")
    check.add_argument("file", help="CSV/Parquet candle file (path or name inside the data directory)")
    check.add_argument("--interval", choices=list(INTERVAL_SECONDS), help="expected interval (inferred)")
    check.add_argument("--max-gaps", type=int, default=20, help="list at most this many gaps (default 20)")
    _sanity_arguments(check)
    check.set_defaults(func=run, data_action=_check)

    resample = actions.add_parser("resample", help="aggregate candles exactly to a coarser interval")
    resample.add_argument("file", help="source candle file")
    resample.add_argument("--interval", required=True, choices=list(INTERVAL_SECONDS), help="target interval")
    resample.add_argument("--out", required=True, type=Path, help="output CSV")
    resample.add_argument(
        "--incomplete",
        choices=["keep", "drop", "raise"],
        default="keep",
        help="buckets missing source bars: keep (exchange semantics, default), drop, or raise",
    )
    resample.set_defaults(func=run, data_action=_resample)

    from hummingbot_plugin.cli.data_download import register_download

    register_download(actions, run)


def _sanity_arguments(check: Any) -> None:
    """Thresholds of the bar sanity checks (log-return units; see hummingbot_plugin.data.sanity)."""
    d = DEFAULT_LIMITS
    check.add_argument("--max-flags", type=int, default=20, help="list at most this many bad bars (20)")
    for name, default, what in (
        ("return-multiple", d.return_multiple, "return outlier: multiple of the recent median |return|"),
        ("return-floor", d.return_floor, "never flag a |log return| below this"),
        ("range-floor", d.range_floor, "never flag a log(high/low) wick below this"),
        ("gap-limit", d.gap_limit, "largest |log(open / previous close)| accepted"),
    ):
        check.add_argument(f"--{name}", type=float, default=default, help=f"{what} (default {default:g})")


def run(args: argparse.Namespace) -> int:
    """Dispatch to the chosen action."""
    return int(args.data_action(args))


def _check(args: argparse.Namespace) -> int:
    frame = load_candles(args.file)
    if frame.empty:
        raise DataError(f"{args.file}: no candles", fix="pass a file with at least one row")
    interval = args.interval or infer_interval(frame)
    gaps = find_gaps(frame, interval)
    first, last = frame["timestamp"].iloc[0], frame["timestamp"].iloc[-1]
    print(f"file:      {args.file}")
    print(f"rows:      {len(frame)}  (valid: sorted, unique, OHLC consistent, prices > 0)")
    print(f"interval:  {interval}")
    print(f"period:    {_fmt(first)} → {_fmt(last)} UTC")
    print(f"gaps:      {len(gaps)} ({sum(g.missing_bars for g in gaps)} missing bars; left as gaps)")
    shown = max(args.max_gaps, 0)
    for gap in gaps[:shown]:
        print(f"  - {gap.describe()}")
    if len(gaps) > shown:
        print(f"  … and {len(gaps) - shown} more")
    return _report_sanity(args, frame, interval)


def _report_sanity(args: argparse.Namespace, frame: Any, interval: str) -> int:
    """List the bars failing the sanity checks (file, row, line, fix); exit 1 when there is one."""
    limits = SanityLimits(
        return_multiple=args.return_multiple,
        return_floor=args.return_floor,
        range_floor=args.range_floor,
        gap_limit=args.gap_limit,
    )
    flags = check_bars(frame, INTERVAL_SECONDS[interval], limits)
    print(f"sanity:    {len(flags)} bad bars (OHLC, volume, return/wick outliers, open gaps)")
    offset = 0 if Path(str(args.file)).suffix.lower() in (".parquet", ".pq") else 2
    shown = max(args.max_flags, 0)
    for line in sanity_problems(flags[:shown], str(args.file), line_offset=offset):
        print(f"  - {line}")
    if len(flags) > shown:
        print(f"  … and {len(flags) - shown} more")
    return 1 if flags else 0


def _resample(args: argparse.Namespace) -> int:
    frame = load_candles(args.file)
    out = resample_candles(frame, args.interval, incomplete=args.incomplete)
    write_candles_csv(out, args.out)
    print(f"wrote {len(out)} {args.interval} bars to {args.out} (from {len(frame)} source bars)")
    return 0


def _fmt(timestamp: float) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(timestamp, tz=UTC).strftime("%Y-%m-%d %H:%M")
