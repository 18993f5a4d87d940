"""``docs``: regenerate (or ``--check``) the generated pages docs/configuration.md and docs/models.md."""

from __future__ import annotations

import argparse
import difflib
from pathlib import Path
from typing import Any

from hummingbot_plugin.settings import PROJECT_ROOT

__all__ = ["GENERATED_PAGES", "generate_pages", "register", "run"]

GENERATED_PAGES = ("configuration.md", "models.md")


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "docs",
        help="regenerate the configuration reference and model cards (docs/)",
        description="Writes docs/configuration.md from every controller/script config class (found as "
        "Hummingbot finds them) and docs/models.md from models/*/manifest.json.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and show a diff if a committed page is out of date",
    )
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs", help="folder of the pages")
    parser.set_defaults(func=run)


def generate_pages(project_root: Path) -> dict[str, str]:
    """Page name → generated Markdown."""
    from hummingbot_plugin.docs.config_reference import render_reference
    from hummingbot_plugin.docs.model_cards import load_manifests, render_model_cards
    from hummingbot_plugin.hb.config_discovery import discover_configs

    return {
        "configuration.md": render_reference(discover_configs(project_root)),
        "models.md": render_model_cards(load_manifests(project_root / "models")),
    }


def run(args: argparse.Namespace) -> int:
    pages = generate_pages(PROJECT_ROOT)
    out: Path = args.out
    stale = []
    for name, text in pages.items():
        path = out / name
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current == text:
            continue
        stale.append(name)
        if args.check:
            diff = difflib.unified_diff(
                current.splitlines(),
                text.splitlines(),
                f"{path} (committed)",
                f"{path} (from the code)",
                lineterm="",
                n=1,
            )
            print("\n".join(list(diff)[:60]))
        else:
            out.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if args.check and stale:
        print(
            f"out of date: {', '.join(stale)}; run `python -m hummingbot_plugin docs` and commit the result"
        )
        return 1
    if not stale:
        print(f"docs up to date: {', '.join(pages)}")
    return 0
