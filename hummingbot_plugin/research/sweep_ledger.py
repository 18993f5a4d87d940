"""A sweep trial's score, booked on the one ledger (the walk-forward's fills, same fee).

Per pair, the trial decides fold after fold in time order (the decision state carries over from one
fold to the next, as in the walk-forward's stitching); the held fraction decided at bar ``t - 1``'s
close trades at bar ``t``'s open with the sweep's fee per side (``evaluate.to_fills``), the fills are
booked by ``ledger.build_ledger`` and every figure (daily returns, drawdown, trades) comes from that
ledger (``evaluate.evaluate_held``). Only the training folds' bars are booked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hummingbot_plugin.ledger import Market as LedgerMarket
from hummingbot_plugin.research.data import ResearchData
from hummingbot_plugin.research.decision import DecisionState, decide
from hummingbot_plugin.research.evaluate import daily_returns, evaluate_held
from hummingbot_plugin.research.folds import Block
from hummingbot_plugin.research.models import ModelStore
from hummingbot_plugin.research.selection import Candidate, InnerView, gate_of

__all__ = ["CAPITAL", "PairTrack", "booked"]

FloatArray = NDArray[np.float64]
CAPITAL = 1000.0  # quote per pair (returns do not depend on it)
VENUE = "binance"


@dataclass
class PairTrack:
    """One pair's decisions over the folds walked so far."""

    pair: str
    data: ResearchData
    store: ModelStore
    first: int = -1  # row of the first fold's first bar
    decided: list[FloatArray] = field(default_factory=list)
    state: DecisionState | None = None

    def step(self, fold: Block, candidate: Candidate) -> None:
        """Decide the fold's bars (forecasts of the fold model trained on rows before it)."""
        view = InnerView(self.data, self.store, [fold], fold.end)
        q = view.quantiles(candidate.model)
        gate = gate_of(self.data, candidate.gate, slice(view.first, view.stop))
        held, self.state = decide(q[:, 0], q[:, 1], q[:, 2], candidate.decision, gate, self.state)
        if self.first < 0:
            self.first = view.first
        self.decided.append(held)


def booked(track: PairTrack, fee: float) -> tuple[FloatArray, dict[str, Any]]:
    """Daily ledger returns of the pair over the folds so far, and its ledger figures row."""
    decided = np.concatenate(track.decided)
    candles = track.data.candles.iloc[track.first : track.first + decided.size].reset_index(drop=True)
    held = np.concatenate([[0.0], decided[:-1]])  # decided at t-1's close, traded at t's open
    market = LedgerMarket(VENUE, track.pair)
    row, ledger = evaluate_held(
        "trial", candles, held, market, capital=CAPITAL, fee=fee, interval_s=track.data.interval_s
    )
    row["entries"] = int(np.sum((held[1:] > 0) & (held[:-1] <= 0)) + (held[:1] > 0).sum())
    return daily_returns(ledger), row
