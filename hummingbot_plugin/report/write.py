"""Write a :class:`RunReport` to disk: a self-contained ``.html`` page, or a ``.png`` of its plots."""

from __future__ import annotations

import os
from pathlib import Path

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.report.model import RunReport
from hummingbot_plugin.report.page import render_html
from hummingbot_plugin.report.plots import combined_png

__all__ = ["REPORT_SUFFIXES", "write_report"]

REPORT_SUFFIXES = (".html", ".htm", ".png")


def write_report(path: str | Path, report: RunReport) -> Path:
    """Write ``report`` as HTML (``.html``/``.htm``) or a PNG of the same plots (``.png``); return the path.

    The file appears whole or not at all (written next to it, then renamed). Same report, same bytes.
    """
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in REPORT_SUFFIXES:
        raise ConfigError(
            f"report {target}: unknown format {suffix or '(no suffix)'!r}",
            fix="name the report file .html (the full report) or .png (its plots only)",
        )
    if suffix == ".png":
        content = combined_png(report.equity, report.quote_asset, report.heading, report.risk_changes)
    else:
        content = render_html(report).encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, target)
    return target
