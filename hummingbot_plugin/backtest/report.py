"""Visual report: equity vs buy-and-hold, drawdown, and trades on price (PNG or HTML)."""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from hummingbot_plugin.backtest.metrics import ExecutorRecord, FloatArray
from hummingbot_plugin.errors import ConfigError

__all__ = ["render_png", "write_report"]


def render_png(
    timestamps: FloatArray,
    closes: FloatArray,
    equity: FloatArray,
    hold: FloatArray,
    records: Sequence[ExecutorRecord],
    title: str,
) -> bytes:
    """Three stacked panels as PNG bytes (matplotlib, Agg backend, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    when = timestamps.astype("datetime64[s]")
    fig, (ax_eq, ax_dd, ax_px) = plt.subplots(
        3, 1, figsize=(11, 9), sharex=True, gridspec_kw={"height_ratios": [3, 1.3, 3]}
    )
    ax_eq.plot(when, equity, label="strategy", color="tab:blue", lw=1.2)
    ax_eq.plot(when, hold, label="buy & hold", color="tab:gray", lw=1.0, alpha=0.8)
    ax_eq.set_ylabel("equity (quote)")
    ax_eq.set_title(title, fontsize=10)
    ax_eq.legend(loc="upper left")
    for curve, color in ((equity, "tab:blue"), (hold, "tab:gray")):
        drawdown = (curve / np.maximum.accumulate(curve) - 1.0) * 100.0
        ax_dd.fill_between(when, drawdown, 0, color=color, alpha=0.35, step="post")
    ax_dd.set_ylabel("drawdown %")
    ax_px.plot(when, closes, color="black", lw=0.7)
    _mark_trades(ax_px, timestamps, closes, records)
    ax_px.set_ylabel("close")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    return buffer.getvalue()


def _mark_trades(
    axis: Any, timestamps: FloatArray, closes: FloatArray, records: Sequence[ExecutorRecord]
) -> None:
    index = {float(t): i for i, t in enumerate(timestamps)}
    entries = [(r.entry_ts, r.side) for r in records if r.filled and r.entry_ts in index]
    exits = [r.close_ts for r in records if r.filled and r.close_ts in index]
    for stamps, marker, color, label in (
        ([t for t, s in entries if s > 0], "^", "tab:green", "long entry"),
        ([t for t, s in entries if s < 0], "v", "tab:red", "short entry"),
        (exits, "x", "tab:orange", "exit"),
    ):
        if stamps:
            rows = [index[float(t)] for t in stamps if t is not None]
            axis.scatter(
                timestamps[rows].astype("datetime64[s]"),
                closes[rows],
                marker=marker,
                color=color,
                s=28,
                label=label,
                zorder=3,
            )
    if entries or exits:
        axis.legend(loc="upper left")


def write_report(path: Path, png: bytes, summary: str) -> None:
    """``.png`` writes the figure; ``.html`` embeds it next to the summary table."""
    path.parent.mkdir(parents=True, exist_ok=True)
    suffix = path.suffix.lower()
    if suffix == ".png":
        path.write_bytes(png)
    elif suffix in (".html", ".htm"):
        image = base64.b64encode(png).decode("ascii")
        path.write_text(
            "<!doctype html><meta charset='utf-8'><title>backtest report</title>"
            f"<pre>{html.escape(summary)}</pre><img alt='equity, drawdown, trades' "
            f"src='data:image/png;base64,{image}'>\n"
        )
    else:
        raise ConfigError(f"--report {path}: unknown format {suffix!r}", fix="use a .png or .html file name")
