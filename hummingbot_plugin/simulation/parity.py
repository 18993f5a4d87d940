"""Run one directional controller config through the backtest and the replay on the same period.

Both runs start from the same funded account (``capital`` of the quote asset, enough for the
controller's order and its fee), use the same fee and the same ``risk:`` limits, and are booked on
the one ledger; :func:`hummingbot_plugin.ledger.parity.parity` then compares them bar by bar.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from hummingbot_plugin.data import infer_interval, interval_seconds, load_candles, to_epoch_bound
from hummingbot_plugin.errors import SimulationError
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.ledger import LedgerBook, Marks, build_ledger
from hummingbot_plugin.ledger.parity import ParityReport, parity
from hummingbot_plugin.settings import data_file
from hummingbot_plugin.simulation.backtest.offline_run import run_offline
from hummingbot_plugin.simulation.replay.request import ReplayRequest
from hummingbot_plugin.simulation.replay.run import run_replay

__all__ = ["ParityRun", "run_parity"]


@dataclass(frozen=True)
class ParityRun:
    """The two ledgers and their comparison."""

    backtest: LedgerBook
    replay: LedgerBook
    report: ParityReport


def run_parity(config: Path, candles: str, start: str, end: str, capital: float, fee: float) -> ParityRun:
    """Backtest and replay ``config`` (a controller YAML in conf/controllers) on ``candles``."""
    path = data_file(candles)
    frame = load_candles(path)
    interval = infer_interval(frame)
    lo, hi = to_epoch_bound(start, is_end=False), to_epoch_bound(end, is_end=True)
    if lo is None or hi is None:
        raise SimulationError("a parity run needs a start and an end", fix="give both dates")
    run = run_offline(
        load_controller_config(config, {}),
        frame,
        interval,
        start=int(lo),
        end=int(hi),
        resolution=interval,
        fee=fee,
        source=str(path),
        capital=capital,
    )
    backtest = build_ledger(run.fills, run.start_balances, Marks(run.timestamps, {run.market: run.closes}))
    with tempfile.TemporaryDirectory(prefix="hbp-parity-") as folder:
        script = Path(folder) / "parity.yml"
        script.write_text(
            f"script_file_name: v2_plugin_controllers.py\ncontrollers_config:\n  - {config.name}\n"
        )
        result = run_replay(
            ReplayRequest(
                script_config=script,
                data=(path,),
                start=start,
                end=end,
                balances={run.market.quote: Decimal(str(capital))},
            )
        )
    if result.ledger is None:
        raise SimulationError("the replay produced no ledger", fix="check the replay's data and period")
    return ParityRun(backtest, result.ledger, parity(backtest, result.ledger, interval_seconds(interval)))
