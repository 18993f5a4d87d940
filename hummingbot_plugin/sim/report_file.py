"""Replay report: account equity, drawdown and fills on price, as PNG or HTML (matplotlib, Agg)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np

from hummingbot_plugin.backtest.report import write_report as write_png_or_html

__all__ = ["render_replay_png", "replay_summary", "write_report"]


def replay_summary(payload: dict[str, Any]) -> str:
    account = payload.get("account", {})
    files = ", ".join(Path(d).name for d in payload.get("data", []))
    lines = [f"replay of {payload.get('script_config')} on {files}"]
    per_market = payload.get("per_market") or {}
    for market, metrics in per_market.items() if len(per_market) > 1 else [(None, payload)]:
        prefix = f"{market}: " if market else ""
        for key in ("net_pnl_quote", "return_pct", "max_drawdown_pct", "trades", "win_rate", "fees_quote"):
            if key in metrics:
                lines.append(f"  {prefix + key:<26} {metrics[key]}")
    for key in ("net_pnl_quote", "return_pct", "max_drawdown_pct", "n_fills", "maker_fills", "fees_quote"):
        lines.append(f"  account.{key:<18} {account.get(key)}")
    speed = payload.get("speed", {})
    lines.append(
        f"  speed: {speed.get('sim_s_per_wall_s', 0):,.0f} simulated s per wall s, "
        f"{speed.get('events_per_s', 0):,.0f} events/s"
    )
    return "\n".join(lines)


def render_replay_png(payload: dict[str, Any]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    curve = np.asarray(payload.get("equity_curve") or [[0.0, 0.0]], dtype=np.float64)
    when = curve[:, 0].astype("datetime64[s]")
    fig, (ax_eq, ax_dd, ax_px) = plt.subplots(
        3, 1, figsize=(11, 9), sharex=True, gridspec_kw={"height_ratios": [3, 1.3, 3]}
    )
    ax_eq.plot(when, curve[:, 1], color="tab:blue", lw=1.2)
    ax_eq.set_ylabel("account equity (quote)")
    ax_eq.set_title(replay_summary(payload).splitlines()[0], fontsize=9)
    peak = np.maximum.accumulate(curve[:, 1])
    ax_dd.fill_between(
        when, (curve[:, 1] / np.where(peak > 0, peak, 1) - 1) * 100, 0, color="tab:red", alpha=0.4
    )
    ax_dd.set_ylabel("drawdown %")
    for side, marker, color in (("buy", "^", "tab:green"), ("sell", "v", "tab:red")):
        pts = [(f["timestamp"], float(f["price"])) for f in payload.get("fills", []) if f["side"] == side]
        if pts:
            arr = np.asarray(pts, dtype=np.float64)
            ax_px.scatter(
                arr[:, 0].astype("datetime64[s]"), arr[:, 1], marker=marker, color=color, s=18, label=side
            )
    ax_px.set_ylabel("fill price")
    if payload.get("fills"):
        ax_px.legend(loc="upper left")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    plt.close(fig)
    return buffer.getvalue()


def write_report(payload: dict[str, Any], path: Path) -> None:
    """Write ``path`` (.png or .html) for a replay payload."""
    write_png_or_html(path, render_replay_png(payload), replay_summary(payload))
