"""``model seal <dir>...`` (seal verified model directories, no retraining) and ``model verify <dir>...``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("model", help="seal or verify model directories (seal.json)")
    commands = parser.add_subparsers(dest="model_command", metavar="<model-command>", required=True)
    seal = commands.add_parser(
        "seal", help="verify a model directory (manifest, consistency, file hashes) and write its seal.json"
    )
    seal.add_argument("dirs", type=Path, nargs="+", help="model directories (holding manifest.json)")
    seal.add_argument(
        "--valid-from",
        default=None,
        help="ISO UTC time from which this version may trade (default: the manifest's data_cutoff)",
    )
    verify = commands.add_parser("verify", help="check seal, manifest and files as the controller loads them")
    verify.add_argument("dirs", type=Path, nargs="+", help="model directories")
    verify.add_argument("--pin", default=None, help="the seal sha256 the controller config pins")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from hummingbot_plugin.ml.artifacts import load_model_texts, read_manifest
    from hummingbot_plugin.ml.seal import verify_sealed, write_seal

    for directory in args.dirs:
        if args.model_command == "seal":
            seal = write_seal(directory, args.valid_from)
            print(f"sealed {directory}: {seal.model_id} valid_from {seal.valid_from} sha256 {seal.digest}")
            continue
        manifest = read_manifest(directory)
        load_model_texts(directory, manifest)
        seal = verify_sealed(directory, manifest, args.pin)
        print(f"OK {directory}: {seal.model_id} valid_from {seal.valid_from} sha256 {seal.digest}")
    return 0
