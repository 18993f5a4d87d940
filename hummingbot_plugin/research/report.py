"""The comparison table (text) and the pictures of a walk-forward run (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from hummingbot_plugin.ledger import LedgerBook
from hummingbot_plugin.research.data import LEVELS
from hummingbot_plugin.research.evaluate import daily_returns

__all__ = ["format_table", "write_plots"]

ROLLING_DAYS = 90


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None or not np.isfinite(value) else f"{value:,.{digits}f}"


def format_table(title: str, rows: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """Strategy vs baselines: Sharpe, return, max DD, per-year returns, turnover, fees, time in market."""
    years = sorted({y for r in rows for y in r["per_year_return_pct"]})
    head = [
        "",
        "Sharpe",
        "return %",
        "max DD %",
        *(f"{y} %" for y in years),
        "turnover/yr",
        "fees",
        "in market %",
        "fills",
    ]
    lines = [title, " | ".join(head), " | ".join("---" for _ in head)]
    for r in rows:
        cells = [
            r["name"],
            _num(r["sharpe_daily_annualized"]),
            _num(r["return_pct"], 1),
            _num(-r["max_drawdown_pct"], 1),
            *(_num(r["per_year_return_pct"].get(y), 1) for y in years),
            _num(r["turnover_per_year"], 1),
            _num(r["fees_quote"], 1),
            _num(r["time_in_market_pct"], 1),
            str(r["n_fills"]),
        ]
        lines.append(" | ".join(cells))
    low, high = summary["sharpe_bootstrap_90"]
    lines.append(
        f"strategy: configurations tried {summary['configs_tried']}, deflated Sharpe probability "
        f"{_num(summary['deflated_sharpe'], 3)} (N = all; {_num(summary['deflated_sharpe_per_block'], 3)} "
        f"with N = trials per block), block-bootstrap 90 % Sharpe interval "
        f"[{_num(low)}, {_num(high)}]"
    )
    return "\n".join(lines)


def write_plots(
    out: Path, ledgers: dict[str, LedgerBook], fold_metrics: list[tuple[str, dict[str, Any]]]
) -> list[Path]:
    """equity.png, drawdown.png, rolling_sharpe.png, coverage.png in ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = [out / n for n in ("equity.png", "drawdown.png", "rolling_sharpe.png", "coverage.png")]
    figs = [plt.subplots(figsize=(10, 4.5)) for _ in paths]
    for name, ledger in ledgers.items():
        days = ledger.timestamps.astype("datetime64[s]")
        figs[0][1].plot(days, ledger.equity, label=name, lw=1)
        peak = np.maximum.accumulate(ledger.equity)
        figs[1][1].plot(days, (ledger.equity / peak - 1.0) * 100.0, label=name, lw=1)
        returns = daily_returns(ledger)
        if returns.size > ROLLING_DAYS:
            window = np.lib.stride_tricks.sliding_window_view(returns, ROLLING_DAYS)
            std = window.std(axis=1, ddof=1)
            rolling = np.where(std > 0, window.mean(axis=1) / np.where(std > 0, std, 1.0), 0.0) * np.sqrt(365)
            day_index = np.floor(ledger.timestamps / 86_400.0)
            ends = np.flatnonzero(np.append(day_index[1:] != day_index[:-1], True))
            figs[2][1].plot(days[ends][ROLLING_DAYS - 1 :], rolling, label=name, lw=1)
    figs[0][1].set_yscale("log")
    _coverage(figs[3][1], fold_metrics)
    titles = (
        "equity (quote, log scale)",
        "drawdown (%)",
        f"rolling {ROLLING_DAYS}-day Sharpe (annualised)",
        "out-of-sample coverage per block (dashed: nominal)",
    )
    for (fig, ax), path, title in zip(figs, paths, titles, strict=True):
        ax.set_title(title)
        ax.legend(fontsize=8)
        ax.grid(alpha=0.3)
        fig.tight_layout()
        fig.savefig(path, dpi=90)
        plt.close(fig)
    return paths


def _coverage(ax: Any, fold_metrics: list[tuple[str, dict[str, Any]]]) -> None:
    labels = [label for label, _ in fold_metrics]
    x = np.arange(len(labels))
    for j, level in enumerate(LEVELS):
        values = [m["coverage"][j] for _, m in fold_metrics]
        ax.plot(x, values, marker="o", label=f"q{int(level * 100)}")
        ax.axhline(level, ls="--", lw=0.8, color="grey")
    ax.set_xticks(x, labels, rotation=60, fontsize=7)
    ax.set_ylim(0, 1)
