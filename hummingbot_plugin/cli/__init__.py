"""Command-line entry point.

Each command lives in its own module ``hummingbot_plugin.cli.<name>`` exposing
``register(subparsers) -> None`` which adds a sub-parser whose ``func(args) -> int`` runs it.
Modules are imported lazily so ``--help`` stays fast and a broken optional command cannot
break the others.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from hummingbot_plugin.errors import PluginError

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

# Order is the order shown in --help. Add a module name here to add a command.
COMMAND_MODULES: tuple[str, ...] = (
    "backtest",
    "data",
    "audit",
    "publish",
    "docs",
    "train",
    "model",
    "predict",
    "evaluate",
    "validate",
    "replay",
    "compare",
    "walkforward",
    "sweep",
    "client",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hummingbot_plugin",
        description="Quantile forecasts, market making and risk controls for Hummingbot V2.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="<command>", required=True)
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"hummingbot_plugin.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except PluginError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
