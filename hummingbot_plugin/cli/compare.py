"""``compare`` command: print backtest/replay result JSONs side by side, with buy-and-hold."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import ConfigError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="print result JSONs of backtest/replay side by side (with buy-and-hold)",
        description="One row per metric, one column per result file, plus buy-and-hold of the first file.",
    )
    parser.add_argument("results", nargs="+", type=Path, help="result JSON files (--json of backtest/replay)")
    parser.add_argument("--labels", nargs="+", help="column labels, one per file (default: file names)")
    parser.add_argument(
        "--allow-mixed",
        action="store_true",
        help="print results over different periods or scopes, labelled, instead of refusing",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hummingbot_plugin.simulation.backtest.compare import (
        check_comparable,
        format_comparison,
        load_result_column,
    )

    labels: list[str | None] = list(args.labels) if args.labels else [None] * len(args.results)
    if len(labels) != len(args.results):
        raise ConfigError(
            f"{len(labels)} labels for {len(args.results)} files",
            fix="give one --labels entry per result file, or none",
        )
    loaded = [load_result_column(path, label) for path, label in zip(args.results, labels, strict=True)]
    columns = [*check_comparable([strategy for strategy, _ in loaded], args.allow_mixed), loaded[0][1]]
    print(format_comparison(columns))
    return 0
