"""One backtest executor reduced to plain numbers (the JSON's ``executors`` list; figures come from fills)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ExecutorRecord"]


@dataclass(frozen=True, slots=True)
class ExecutorRecord:
    """What Hummingbot's engine reported for one executor (no Hummingbot types)."""

    executor_id: str
    side: int  # +1 long, -1 short
    created_ts: float
    entry_ts: float | None  # fill bar (None: never filled)
    close_ts: float | None  # exit bar (None: still open at the end)
    amount_base: float
    entry_price: float | None
    net_pnl_quote: float  # as reported by the engine at its last state
    fees_quote: float
    close_type: str | None

    @property
    def filled(self) -> bool:
        return self.entry_ts is not None and self.amount_base > 0
