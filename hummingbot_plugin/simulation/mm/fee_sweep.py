"""Quoters × fee presets on one data set: net PnL from the one ledger, the PnL split and break-even fee.

Each (quoter, preset) pair is a separate run: the quoter knows its fee tier (its quote floor is two maker
fees + margin, so a cheaper tier quotes tighter) and every fill is charged that tier's maker fee.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from hummingbot_plugin.fees import FeeSchedule
from hummingbot_plugin.mm.analytics import MMReport, backtest_metrics, mm_report
from hummingbot_plugin.simulation.mm.quote_replay import ReplayResult

__all__ = ["Quoter", "SweepRow", "format_table", "sweep"]

#: Runs one quoter at one fee schedule on the sweep's data set.
RunFn = Callable[[FeeSchedule], ReplayResult]


@dataclass(frozen=True)
class Quoter:
    name: str
    run: RunFn


@dataclass(frozen=True)
class SweepRow:
    dataset: str
    quoter: str
    preset: str
    net_pnl_quote: float  # the ledger's account figure (held at −budget once the account is ruined)
    report: MMReport
    seconds: float
    ruined: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "quoter": self.quoter,
            "preset": self.preset,
            "ruined": self.ruined,
            "net_pnl_quote": self.net_pnl_quote,
            "seconds": self.seconds,
            **self.report.to_dict(),
        }


def sweep(
    dataset: str, quoters: Sequence[Quoter], presets: Iterable[FeeSchedule], budget: float
) -> list[SweepRow]:
    """Every quoter at every preset; the ledger's net PnL must equal the analytics split (checked) unless
    the account was ruined (the ledger then holds it at −budget, the split goes on)."""
    rows = []
    for schedule in presets:
        for quoter in quoters:
            t0 = time.perf_counter()
            result = quoter.run(schedule)
            seconds = time.perf_counter() - t0
            report = mm_report(result.fills, result.mids, n_orders=result.n_orders, schedule=schedule)
            figures = backtest_metrics(result.fills, result.mids, capital=budget)
            net = figures.net_pnl_quote
            tolerance = 1e-6 * max(1.0, report.volume_quote)
            if not figures.ruined and abs(net - report.net_pnl_quote) > tolerance:
                raise AssertionError(f"{dataset}/{quoter.name}: ledger {net} != split {report.net_pnl_quote}")
            rows.append(SweepRow(dataset, quoter.name, schedule.name, net, report, seconds, figures.ruined))
    return rows


def _cell(rows: list[SweepRow], quoter: str, preset: str, value: Callable[[SweepRow], str]) -> str:
    hit = [r for r in rows if r.quoter == quoter and r.preset == preset]
    return value(hit[0]) if hit else "-"


def format_table(rows: list[SweepRow], value: Callable[[SweepRow], str], title: str) -> str:
    """A Markdown table: one line per (data set, quoter), one column per preset."""
    presets = list(dict.fromkeys(r.preset for r in rows))
    lines = [
        title,
        "",
        "| data set | quoter | " + " | ".join(presets) + " |",
        "|---|---|" + "---:|" * len(presets),
    ]
    for dataset in dict.fromkeys(r.dataset for r in rows):
        sub = [r for r in rows if r.dataset == dataset]
        for quoter in dict.fromkeys(r.quoter for r in sub):
            cells = [_cell(sub, quoter, p, value) for p in presets]
            lines.append(f"| {dataset} | {quoter} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def with_fee(settings: Any, schedule: FeeSchedule) -> Any:
    """PMM settings (a pydantic model or a dataclass) quoting at ``schedule``'s maker fee."""
    if isinstance(settings, BaseModel):
        return settings.model_copy(update={"maker_fee": schedule.maker})
    return replace(settings, maker_fee=schedule.maker)
