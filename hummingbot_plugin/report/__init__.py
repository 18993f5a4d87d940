"""One report for every mode (backtest, replay, paper): a frozen :class:`RunReport` and :func:`write_report`.

Pure: no Hummingbot import. The HTML page is self-contained (inline CSS, plots as base64 PNG, no script,
no URL) and every string in it is escaped. :func:`report_from_ledger` fills the headline rows, equity
curve and trade list from a :class:`~hummingbot_plugin.ledger.LedgerBook`.
"""

from hummingbot_plugin.report.build import STRATEGY_CURVE, report_from_ledger
from hummingbot_plugin.report.model import KINDS, EquityCurves, ReportKind, RiskChange, RunReport, Section
from hummingbot_plugin.report.page import MAX_TRADE_ROWS, render_html
from hummingbot_plugin.report.plots import drawdown_pct_series
from hummingbot_plugin.report.write import REPORT_SUFFIXES, write_report

__all__ = [
    "KINDS",
    "MAX_TRADE_ROWS",
    "REPORT_SUFFIXES",
    "STRATEGY_CURVE",
    "EquityCurves",
    "ReportKind",
    "RiskChange",
    "RunReport",
    "Section",
    "drawdown_pct_series",
    "render_html",
    "report_from_ledger",
    "write_report",
]
