"""``validate <conf-dir-or-file>``: load every config as Hummingbot does; report problems with field paths."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import ConfigError

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate", help="validate controller/script YAML (fields, conflicts, MQTT security); exit 0 if valid"
    )
    parser.add_argument(
        "path", type=Path, nargs="?", default=Path("conf"), help="conf/ directory or one YAML file"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not args.path.exists():
        raise ConfigError(f"{args.path} does not exist", fix="pass the conf/ directory or a YAML file")
    from hummingbot_plugin.hb.conf_validation import validate_path

    report = validate_path(args.path)
    for problem in report.problems:
        print(problem.line())
    warnings = len(report.problems) - len(report.errors)
    verdict = "OK" if report.ok else "INVALID"
    print(
        f"{verdict}: {len(report.files)} file(s) checked, "
        f"{len(report.errors)} error(s), {warnings} warning(s)"
    )
    return 0 if report.ok else 1
