"""``validate <conf-dir-or-file>...``: load every config as Hummingbot does; report problems with field paths.

Beyond each config's own fields it fails on what would make a run unable to trade: a missing or
unverifiable model, a model for another pair or interval, thresholds no probability can reach, orders
below their minimum, and paper-trading balances with an unknown asset or no quote asset.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import ConfigError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="validate controller/script YAML (fields, models, balances, conflicts, MQTT security); "
        "exit 0 if valid",
    )
    parser.add_argument(
        "paths",
        type=Path,
        nargs="*",
        default=[Path("conf")],
        metavar="path",
        help="conf/ directories or YAML files (default: conf)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        raise ConfigError(f"{missing[0]} does not exist", fix="pass the conf/ directory or a YAML file")
    from hummingbot_plugin.hb.conf_validation import ValidationReport, validate_path
    from hummingbot_plugin.validate.refusals import ModelVerifier

    verifier = ModelVerifier(now=time.time())  # a live config is checked against today (model expiry)
    report = ValidationReport()
    for path in args.paths:
        part = validate_path(path, verifier)
        report.files += part.files
        report.problems += [p for p in part.problems if p not in report.problems]
    for problem in report.problems:
        print(problem.line())
    warnings = len(report.problems) - len(report.errors)
    verdict = "OK" if report.ok else "INVALID"
    print(
        f"{verdict}: {len(report.files)} file(s) checked, "
        f"{len(report.errors)} error(s), {warnings} warning(s)"
    )
    return 0 if report.ok else 1
