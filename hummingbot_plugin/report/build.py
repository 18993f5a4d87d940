"""Build a :class:`RunReport` straight from the ledger, so every headline figure comes from it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from hummingbot_plugin.ledger import Figures, LedgerBook, account_figures, market_figures
from hummingbot_plugin.ledger.figures import held_at_ruin
from hummingbot_plugin.ledger.types import FloatArray
from hummingbot_plugin.report.model import (
    EquityCurves,
    ReportKind,
    RiskChange,
    RunReport,
    Section,
    sorted_trades,
)

__all__ = ["STRATEGY_CURVE", "report_from_ledger"]

STRATEGY_CURVE = "strategy (account)"


def _shown(curve: FloatArray) -> FloatArray:
    """A ruined curve is held at zero, as the ledger's figures define it."""
    return held_at_ruin(curve)


def report_from_ledger(
    ledger: LedgerBook,
    *,
    kind: ReportKind,
    title: str,
    subtitle: str = "",
    fee: str,
    comparisons: Sequence[tuple[Figures, FloatArray]] = (),
    risk_changes: Sequence[RiskChange] = (),
    sections: Sequence[Section] = (),
    notes: Sequence[str] = (),
    scope: str = "",
) -> RunReport:
    """Account and per-market figures, the account equity, every trade; plus comparison rows.

    ``comparisons`` are (figures, equity curve on the ledger's timeline) pairs, e.g. buy-and-hold; each
    curve is named by its figures' ``scope``. The period is the ledger's first to last mark.
    """
    account = account_figures(ledger)
    markets = [market_figures(ledger, m) for m in sorted(ledger.markets)]
    curves = {STRATEGY_CURVE: _shown(ledger.equity)}
    curves.update({fig.scope: _shown(np.asarray(curve, dtype=np.float64)) for fig, curve in comparisons})
    starts = {STRATEGY_CURVE: ledger.start_equity} | {f.scope: f.start_equity_quote for f, _ in comparisons}
    ts = ledger.timestamps
    return RunReport(
        kind=kind,
        title=title,
        subtitle=subtitle,
        period_start=float(ts[0]),
        period_end=float(ts[-1]),
        fee=fee,
        quote_asset=ledger.quote_asset,
        figures=(account, *markets, *(fig for fig, _ in comparisons)),
        equity=EquityCurves(ts, curves, starts),
        risk_changes=tuple(risk_changes),
        trades=sorted_trades([t for book in ledger.markets.values() for t in book.trades]),
        sections=tuple(sections),
        scope=scope or "account = " + " + ".join(m.label for m in sorted(ledger.markets)),
        notes=tuple(notes),
    )
