"""The report's plots as PNG bytes: equity curves and their drawdowns (matplotlib, no display, no pyplot)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from hummingbot_plugin.ledger.types import FloatArray
from hummingbot_plugin.report.model import EquityCurves, RiskChange

__all__ = ["combined_png", "drawdown_pct_series", "drawdown_png", "equity_png"]

_COLORS = ("tab:blue", "tab:gray", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink")
_RISK_COLORS = {"HALTED": "tab:red", "REDUCING": "tab:orange", "ACTIVE": "tab:green"}
_DPI = 100
_WIDTH_IN = 11.0


def drawdown_pct_series(curve: FloatArray, start: float | None = None) -> FloatArray:
    """Fall below the running peak (``start`` included) in % of that peak (≤ 0), as the ledger defines it."""
    peak = np.maximum.accumulate(curve if start is None else np.concatenate([[start], curve]))
    peak = peak if start is None else peak[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        drop = np.where(peak > 0, 1.0 - np.maximum(curve, 0.0) / peak, 0.0)
    return np.asarray(-drop * 100.0, dtype=np.float64)


def _when(equity: EquityCurves) -> Any:
    return equity.timestamps.astype("datetime64[s]")


def _style(index: int) -> dict[str, Any]:
    return {
        "color": _COLORS[index % len(_COLORS)],
        "lw": 1.5 if index == 0 else 1.0,
        "alpha": 1.0 if index == 0 else 0.85,
        "zorder": 3 if index == 0 else 2,
    }


def _date_axis(axis: Any) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator()
    axis.xaxis.set_major_locator(locator)
    axis.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    axis.grid(True, alpha=0.3)


def _draw_risk(axis: Any, changes: Sequence[RiskChange]) -> None:
    """A dashed vertical line at each risk state change, one legend entry per new state."""
    labelled: set[str] = set()
    for change in sorted(changes, key=lambda c: c.ts):
        state = change.to_state.upper()
        label = None if state in labelled else f"risk → {state}"
        labelled.add(state)
        axis.axvline(
            np.datetime64(int(change.ts), "s"),
            color=_RISK_COLORS.get(state, "tab:purple"),
            ls="--",
            lw=1.0,
            label=label,
            zorder=4,
        )


def _draw_equity(axis: Any, equity: EquityCurves, quote: str, changes: Sequence[RiskChange]) -> None:
    when = _when(equity)
    for i, (name, curve) in enumerate(equity.curves.items()):
        axis.plot(when, curve, label=name, **_style(i))
    _draw_risk(axis, changes)
    axis.set_ylabel(f"equity ({quote})")
    axis.set_title("Equity (UTC)", fontsize=10)
    axis.legend(loc="best", fontsize=8)
    _date_axis(axis)


def _draw_drawdown(axis: Any, equity: EquityCurves) -> None:
    when = _when(equity)
    for i, (name, curve) in enumerate(equity.curves.items()):
        series = drawdown_pct_series(curve, equity.start_of(name))
        label = f"{name} (max {-float(series.min()):.2f} %)"
        if i == 0:
            axis.fill_between(when, series, 0.0, color=_COLORS[0], alpha=0.35, label=label, step="post")
        else:
            axis.plot(when, series, label=label, drawstyle="steps-post", **_style(i))
    axis.set_ylabel("drawdown (%)")
    axis.set_title("Drawdown from running peak (UTC)", fontsize=10)
    axis.legend(loc="lower left", fontsize=8)
    _date_axis(axis)


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _figure(height_in: float, rows: int = 1, top_in: float = 0.35, **kwargs: Any) -> tuple[Any, Any]:
    """Fixed margins (not a layout engine), so the separate plots' time axes line up on the page."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(_WIDTH_IN, height_in))
    axes = figure.subplots(rows, 1, **kwargs)
    figure.subplots_adjust(
        left=0.08, right=0.985, top=1 - top_in / height_in, bottom=0.6 / height_in, hspace=0.25
    )
    return figure, axes


def equity_png(equity: EquityCurves, quote: str, changes: Sequence[RiskChange] = ()) -> bytes:
    """Every equity curve, the strategy first and boldest; risk state changes as dashed lines."""
    figure, axis = _figure(4.2)
    _draw_equity(axis, equity, quote, changes)
    return _png(figure)


def drawdown_png(equity: EquityCurves) -> bytes:
    """Every curve's drawdown; the legend gives each one's maximum."""
    figure, axis = _figure(2.8)
    _draw_drawdown(axis, equity)
    return _png(figure)


def combined_png(equity: EquityCurves, quote: str, heading: str, changes: Sequence[RiskChange] = ()) -> bytes:
    """Both plots stacked on one shared time axis, titled: the report as a single image."""
    figure, (ax_eq, ax_dd) = _figure(7.5, 2, 0.7, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    figure.suptitle(heading, fontsize=11)
    _draw_equity(ax_eq, equity, quote, changes)
    _draw_drawdown(ax_dd, equity)
    return _png(figure)
