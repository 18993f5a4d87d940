"""The ``backtest`` command: inputs → Hummingbot's engine (offline) → our metrics → JSON/report."""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from hummingbot_plugin.data import infer_interval, interval_seconds, load_candles, to_epoch_bound
from hummingbot_plugin.data.coverage import DataSpan, coverage
from hummingbot_plugin.errors import ConfigError, DataError
from hummingbot_plugin.ledger import LedgerBook, Marks, build_ledger
from hummingbot_plugin.ledger.document import buy_and_hold, hold_figures
from hummingbot_plugin.report import RiskChange, RunReport, report_from_ledger, write_report
from hummingbot_plugin.settings import data_file
from hummingbot_plugin.simulation.backtest.results import (
    RunContext,
    RunOutcome,
    build_results,
    format_summary,
    write_json,
)

__all__ = ["BacktestRequest", "run_backtest_command"]


@dataclass(frozen=True, slots=True)
class BacktestRequest:
    """Validated command inputs."""

    config: Path
    candles: str
    start: str | None
    end: str | None
    fee: float
    capital: float | None
    resolution: str | None
    trading_rules: Path | None
    json_out: Path
    report: Path | None

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BacktestRequest:
        if not 0.0 <= args.fee < 0.1:
            raise ConfigError(
                f"--fee {args.fee} is outside [0, 0.1)", fix="give the fee as a fraction, e.g. 0.001"
            )
        if args.capital is not None and args.capital <= 0:
            raise ConfigError(f"--capital {args.capital} must be positive", fix="e.g. --capital 1000")
        if args.report is not None and args.report.suffix.lower() not in (".png", ".html", ".htm"):
            raise ConfigError(f"--report {args.report}: unknown format", fix="use a .png or .html file name")
        for flag in ("start", "end"):
            to_epoch_bound(getattr(args, flag), is_end=flag == "end")  # fail early on a bad date
        return cls(
            config=args.config,
            candles=args.candles,
            start=args.start,
            end=args.end,
            fee=args.fee,
            capital=args.capital,
            resolution=args.resolution,
            trading_rules=args.trading_rules,
            json_out=args.json,
            report=args.report,
        )


def _period(request: BacktestRequest, first: float, last: float) -> tuple[int, int]:
    """The bars used: the request cut to the file (DataError with ISO times when they do not meet)."""
    span = DataSpan(str(request.candles), first, last)
    start = to_epoch_bound(request.start, is_end=False)
    used = coverage([span], start, to_epoch_bound(request.end, is_end=True))
    return int(used.used_start), int(used.used_end)


def run_backtest_command(request: BacktestRequest, period: dict[str, Any] | None = None) -> int:
    """Run, write the JSON (and report), print the summary; 0 on success. ``period``: the used-period
    fields of the preflight (``used_start``, ``clipped`` ...), merged into the JSON's ``period``."""
    from hummingbot_plugin.hb.controller_config import load_controller_config
    from hummingbot_plugin.simulation.backtest.offline_run import run_offline

    candles = load_candles(request.candles)
    if candles.empty:
        raise DataError(f"{request.candles} holds no candles", fix="pass a non-empty candle file")
    interval = infer_interval(candles)
    resolution = request.resolution or interval
    if interval_seconds(resolution) < interval_seconds(interval):
        raise DataError(
            f"--resolution {resolution} is finer than the {interval} candle file",
            fix=f"use --resolution {interval} or coarser, or a finer candle file",
        )
    overrides: dict[str, Any] = {} if request.capital is None else {"total_amount_quote": request.capital}
    config = load_controller_config(request.config, overrides)
    capital = float(config.total_amount_quote)
    start, end = _period(request, float(candles["timestamp"].iloc[0]), float(candles["timestamp"].iloc[-1]))
    source = str(data_file(request.candles))
    run = run_offline(
        config,
        candles,
        interval,
        start=start,
        end=end,
        resolution=resolution,
        fee=request.fee,
        source=source,
        rules_path=request.trading_rules,
    )
    marks = Marks(run.timestamps, {run.market: run.closes})
    ledger = build_ledger(run.fills, run.start_balances, marks)
    hold = buy_and_hold([run.market], marks, ledger.start_equity, request.fee)
    context = RunContext(
        config_file=str(request.config),
        config=config.model_dump(mode="json"),
        data_file=source,
        interval=interval,
        resolution=resolution,
        requested_start=request.start,
        requested_end=request.end,
        fee=request.fee,
        capital=capital,
        sizing=run.sizing,
    )
    outcome = RunOutcome(
        executors=[asdict(r) for r in run.records],
        risk_transitions=list(run.risk_transitions),
        risk_denials=dict(run.risk_denials),
        budget_refusals=run.refusal_counts,
        ruined_at=run.ruined_at,
        hummingbot_summary=run.hummingbot_summary,
    )
    document = build_results(context, ledger, hold, outcome)
    document["quarantine"] = run.provider.quarantine_report()  # bad bars the engine never saw
    document["period"] = {**(period or {}), **document["period"]}
    write_json(document, request.json_out)
    summary = format_summary(document)
    print(summary)
    if request.report is not None:
        write_report(request.report, _report(document, ledger, hold, run.risk_transitions))
    print(f"wrote {request.json_out}" + (f" and {request.report}" if request.report else ""))
    return 0


def _report(
    document: dict[str, Any], ledger: LedgerBook, hold: LedgerBook, transitions: list[Any]
) -> RunReport:
    """The HTML/PNG report of a backtest: the account and buy-and-hold on one ledger, risk changes."""
    changes = [
        RiskChange(t.timestamp, t.scope, t.from_state, t.to_state, t.reason_code, t.text) for t in transitions
    ]
    return report_from_ledger(
        ledger,
        kind="backtest",
        title=f"{document['config'].get('id', '')} on {Path(document['data_file']).name}",
        subtitle=document["config_file"],
        fee=f"{document['fee']:g} per side (taker), sizing {document['sizing']}",
        comparisons=[(hold_figures(hold), hold.equity)],
        risk_changes=changes,
    )
