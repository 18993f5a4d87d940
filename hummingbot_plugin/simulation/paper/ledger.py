"""Paper trading on the one ledger: the simulated venues' fills, marked at sampled mids, as a report.

The guarded script samples every paper market's mid once per ``every_s`` of the trading clock; on stop
(or on demand) the fills of every simulated venue are booked with :func:`hummingbot_plugin.ledger.
build_ledger` — the same record and the same figures as a backtest or a replay — and written as JSON and
an HTML report of kind "paper".
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from hummingbot.core.data_type.common import PriceType

from hummingbot_plugin.ledger import LedgerBook, Market, Marks, build_ledger
from hummingbot_plugin.ledger.document import buy_and_hold, hold_figures, iso
from hummingbot_plugin.report import report_from_ledger, write_report
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.replay.output import ledger_payload, replay_fills

__all__ = ["PaperLedger"]


class PaperLedger:
    """Mid samples of every market of the simulated venues, and the ledger they value."""

    def __init__(self, exchanges: dict[str, SimulatedExchange], every_s: float = 60.0) -> None:
        self.exchanges = exchanges
        self.every_s = every_s
        self._marks: dict[Market, list[tuple[float, float]]] = defaultdict(list)
        self._last = -np.inf

    def sample(self, now: float) -> None:
        """Record each market's mid at ``now`` (the trading clock), at most once per ``every_s``."""
        if now - self._last < self.every_s:
            return
        for name, exchange in self.exchanges.items():
            for pair in exchange.trading_pairs:
                try:
                    mid = float(exchange.get_price_by_type(pair, PriceType.MidPrice))
                except Exception:
                    continue
                if np.isfinite(mid) and mid > 0:
                    self._marks[Market(name, pair)].append((now, mid))
        self._last = now

    def ledger(self, executors: list[Any]) -> LedgerBook | None:
        """The paper account booked so far; None before every market has a mark."""
        wanted = {Market(n, p) for n, ex in self.exchanges.items() for p in ex.trading_pairs}
        if not wanted or any(not self._marks.get(m) for m in wanted):
            return None
        series = {
            m: (np.array([t for t, _ in pts]), np.array([p for _, p in pts]))
            for m, pts in self._marks.items()
            if m in wanted
        }
        start = {
            n: {a: float(v) for a, v in ex.ledger.starting_balances.items()}
            for n, ex in self.exchanges.items()
        }
        return build_ledger(replay_fills(self.exchanges, executors), start, Marks.aligned(series))

    def write(self, out_dir: Path, name: str, executors: list[Any]) -> Path | None:
        """Write ``<name>.json`` and ``<name>.html`` in ``out_dir``; the JSON path, or None without marks."""
        ledger = self.ledger(executors)
        if ledger is None:
            return None
        taker = max(float(ex.sim_config.taker_fee) for ex in self.exchanges.values())
        out_dir.mkdir(parents=True, exist_ok=True)
        payload = {
            **ledger_payload(ledger, taker),
            "kind": "paper",
            "period": {
                "first_bar": iso(float(ledger.timestamps[0])),
                "last_bar": iso(float(ledger.timestamps[-1])),
            },
        }
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(payload, indent=1, allow_nan=False, default=str))
        hold = buy_and_hold(sorted(ledger.markets), ledger.marks, ledger.start_equity, taker)
        report = report_from_ledger(
            ledger,
            kind="paper",
            title=name,
            fee=f"taker {taker:g}",
            comparisons=[(hold_figures(hold), hold.equity)],
        )
        write_report(out_dir / f"{name}.html", report)
        return path
