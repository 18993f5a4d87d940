"""The report as one self-contained HTML page: inline CSS, plots as base64 PNG, no script, no URL."""

from __future__ import annotations

import base64
import re
from collections.abc import Container, Sequence
from html import escape

from hummingbot_plugin.report.formatting import (
    HEADLINE_HEADERS,
    TRADE_HEADERS,
    duration,
    headline_row,
    iso_utc,
    number,
    trade_row,
)
from hummingbot_plugin.report.model import Cell, RunReport, Section, sorted_trades
from hummingbot_plugin.report.plots import drawdown_png, equity_png

__all__ = ["MAX_TRADE_ROWS", "render_html"]

MAX_TRADE_ROWS = 500
_TRADE_NUMERIC = frozenset({0, 6, 7, 8, 9, 10})

_CSS = """
body{font-family:system-ui,-apple-system,"DejaVu Sans",sans-serif;margin:1.5rem auto;max-width:1180px;
 padding:0 1rem;color:#1b1f24;background:#fff}
h1{font-size:1.5rem;margin:0 0 .3rem}
h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #d0d7de}
.subtitle{color:#57606a;margin:.2rem 0 .8rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.ruined{background:#ffebe9;border:1px solid #cf222e;color:#82071e;padding:.5rem .8rem;margin:.8rem 0;
 font-weight:600}
.note{color:#57606a;font-style:italic}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:.85rem;font-variant-numeric:tabular-nums}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;white-space:nowrap}
th{background:#f6f8fa}td.num{text-align:right}
#headline th,#headline td:first-child{font-weight:600}
img.plot{display:block;max-width:100%;height:auto;margin:.3rem 0}
"""


def _cell(value: Cell) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return number(value, 4)
    return value


def _table(
    table_id: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    numeric: Container[int] = (),
) -> str:
    """A table; the ``numeric`` columns are right-aligned."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(
            ('<td class="num">' if j in numeric else "<td>") + escape(_cell(v)) + "</td>"
            for j, v in enumerate(row)
        )
        body.append(f"<tr>{cells}</tr>")
    return (
        f'<div class="scroll"><table id="{escape(table_id)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _header(report: RunReport) -> str:
    span = report.period_end - report.period_start
    period = f"{iso_utc(report.period_start)} → {iso_utc(report.period_end)} ({duration(span)})"
    facts = (
        ("Period (UTC)", "period", period),
        ("Scope", "scope", report.scope_text),
        ("Fees", "fee", report.fee),
        ("Quote asset", "quote", report.quote_asset),
    )
    parts = [f"<h1>{escape(report.heading)}</h1>"]
    if report.subtitle:
        parts.append(f'<p class="subtitle">{escape(report.subtitle)}</p>')
    parts.append(
        '<dl class="facts">'
        + "".join(
            f'<dt>{escape(label)}</dt><dd id="{key}">{escape(value)}</dd>' for label, key, value in facts
        )
        + "</dl>"
    )
    if report.ruined:
        scopes = escape(", ".join(report.ruined))
        parts.append(
            f'<p class="ruined" id="ruined">Ruined: equity reached zero in {scopes}: '
            "its curve is shown clipped at zero and has no Sharpe.</p>"
        )
    parts.extend(f'<p class="note">{escape(note)}</p>' for note in report.notes)
    return "<header>" + "".join(parts) + "</header>"


def _headline(report: RunReport) -> str:
    """One column per scope, one row per figure (scopes side by side read best)."""
    columns = [headline_row(f, report.quote_asset) for f in report.figures]
    rows = [(label, *(column[i] for column in columns)) for i, label in enumerate(HEADLINE_HEADERS) if i]
    headers = ("Figure", *(column[0] for column in columns))
    table = _table("headline", headers, rows, range(1, len(headers)))
    note = (
        "<p class=\"note\">Market columns: the account's start equity plus that market's PnL, so the "
        "markets' returns add up to the account's. Sharpe: daily UTC closes, annualised with √365. "
        "Drawdown: from the running peak.</p>"
    )
    return f'<section id="headline-section"><h2>Headline figures</h2>{table}{note}</section>'


def _img(img_id: str, alt: str, png: bytes) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img class="plot" id="{img_id}" alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _plots(report: RunReport) -> str:
    names = ", ".join(report.equity.curves)
    equity = equity_png(report.equity, report.quote_asset, report.risk_changes)
    return (
        '<section id="plots"><h2>Equity</h2>'
        + _img("equity-plot", f"equity curves: {names}", equity)
        + "<h2>Drawdown</h2>"
        + _img("drawdown-plot", f"drawdown from peak: {names}", drawdown_png(report.equity))
        + "</section>"
    )


def _risk(report: RunReport) -> str:
    if not report.risk_changes:
        return '<section id="risk-section"><h2>Risk state changes</h2><p id="risk-none">none</p></section>'
    rows = [
        (iso_utc(c.ts), c.scope, f"{c.from_state} → {c.to_state}", c.reason, c.text)
        for c in sorted(report.risk_changes, key=lambda c: c.ts)
    ]
    return (
        '<section id="risk-section"><h2>Risk state changes</h2>'
        + _table("risk", ("Time (UTC)", "Scope", "Change", "Reason", "Detail"), rows)
        + "</section>"
    )


def _slug(title: str, index: int) -> str:
    return f"section-{index}-" + (re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "untitled")


def _section(index: int, section: Section) -> str:
    parts = [f'<section class="extra" id="{_slug(section.title, index)}"><h2>{escape(section.title)}</h2>']
    if section.text:
        parts.append(f"<p>{escape(section.text)}</p>")
    if section.rows or section.headers:
        numeric = {j for row in section.rows for j, v in enumerate(row) if isinstance(v, int | float)}
        parts.append(_table(_slug(section.title, index) + "-table", section.headers, section.rows, numeric))
    return "".join(parts) + "</section>"


def _trades(report: RunReport) -> str:
    trades = sorted_trades(report.trades)
    head = f'<section id="trades-section"><h2>Trades ({len(trades):,})</h2>'
    if not trades:
        return head + '<p id="trades-none">none</p></section>'
    shown = trades[:MAX_TRADE_ROWS]
    note = ""
    if len(trades) > len(shown):
        note = (
            f'<p class="note" id="trades-cut">Showing the first {len(shown):,} of {len(trades):,} trades '
            "(the full list is in the run's JSON).</p>"
        )
    rows = [trade_row(i + 1, t, report.quote_asset) for i, t in enumerate(shown)]
    return head + note + _table("trades", TRADE_HEADERS, rows, _TRADE_NUMERIC) + "</section>"


def render_html(report: RunReport) -> str:
    """The whole page. Every string from the report is HTML-escaped."""
    body = "".join(
        (
            _header(report),
            _headline(report),
            _plots(report),
            _risk(report),
            *(_section(i, s) for i, s in enumerate(report.sections)),
            _trades(report),
        )
    )
    return (
        f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(report.heading)}</title><style>{_CSS}</style></head>\n"
        f'<body data-report-kind="{escape(report.kind)}">{body}</body></html>\n'
    )
