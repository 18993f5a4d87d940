"""``audit verify <file-or-dir>`` and ``audit report <dir> --start --end``."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import ConfigError

__all__ = ["parse_time", "register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("audit", help="verify or summarise the hash-chained audit trail")
    commands = parser.add_subparsers(dest="audit_command", metavar="<audit-command>", required=True)
    verify = commands.add_parser("verify", help="check the hash chain; report the first broken record")
    verify.add_argument("path", type=Path, help="an audit-NNNNNN.jsonl file or the audit directory")
    verify.add_argument(
        "--key-file",
        type=Path,
        default=None,
        help="HMAC key of the chain (default: $HBP_AUDIT_KEY_FILE or <dir>/../audit.key when present)",
    )
    verify.add_argument(
        "--anchor",
        type=Path,
        action="append",
        default=None,
        help="risk-state JSON holding the signed head (repeatable; default: <dir>/../*.json)",
    )
    report = commands.add_parser("report", help="summarise a period: counts by type, denials, transitions")
    report.add_argument("path", type=Path, help="an audit file or directory")
    when = "YYYY-MM-DD[THH:MM:SS] (UTC) or epoch seconds"
    report.add_argument("--start", type=parse_time, default=None, help=f"first instant: {when}")
    report.add_argument("--end", type=parse_time, default=None, help=f"last instant: {when}")
    parser.set_defaults(func=run)


def parse_time(text: str) -> float:
    """Epoch seconds from an ISO date/datetime (UTC when no zone) or a number."""
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date, datetime or epoch seconds") from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def run(args: argparse.Namespace) -> int:
    from hummingbot_plugin.audit import find_anchor, summarise, verify_chain

    if not args.path.exists():
        raise ConfigError(f"audit path {args.path} does not exist", fix="pass the audit directory or a file")
    if args.audit_command == "verify":
        key, anchor = _key_of(args), find_anchor(_anchor_files(args))
        result = verify_chain(args.path, key=key, anchor=anchor)
        if result.ok:
            keyed = "keyed, " if key is not None else "unkeyed (no key file), "
            head = f"head seq {anchor['seq']} anchored" if anchor is not None else "no outside anchor found"
            print(f"OK: {result.records} records in {result.files} file(s), chain intact ({keyed}{head})")
            return 0
        brk = result.first_break
        assert brk is not None
        print(f"BROKEN: {brk.file} line {brk.line} (seq {brk.seq}): {brk.problem}")
        print(f"{result.records} records verified before the break")
        return 1
    summary = summarise(args.path, args.start, args.end)
    print("\n".join(summary.lines()))
    return 0


def _home(path: Path) -> Path:
    """The folder that holds the audit directory (the risk-state folder)."""
    return path.parent.parent if path.is_file() else path.parent


def _key_of(args: argparse.Namespace) -> bytes | None:
    path = args.key_file or Path(os.environ.get("HBP_AUDIT_KEY_FILE") or _home(args.path) / "audit.key")
    if not path.is_file():
        if args.key_file is not None:
            raise ConfigError(f"audit key file {path} does not exist", fix="pass the bot's audit.key")
        return None
    try:
        return bytes.fromhex(path.read_text(encoding="utf-8").strip())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"audit key file {path} is unreadable: {exc}", fix="restore the key file") from exc


def _anchor_files(args: argparse.Namespace) -> list[Path]:
    if args.anchor:
        return list(args.anchor)
    return sorted(_home(args.path).glob("*.json"))
