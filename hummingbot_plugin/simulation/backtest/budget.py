"""A funded account for backtests: free balance, position sizing, refusals and ruin (pure maths).

Rules (the ledger's: fees in quote, ``fee_rate`` × that fill's notional):

* Free quote = capital + realised PnL of closed positions − Σ open positions' lock, where a lock is
  ``notional + entry fee``. A spot long locks what it paid; a short (perpetual-style SELL) locks a
  margin equal to its notional, plus its fee.
* A position opens only when its notional ≥ the venue's min notional and ``lock ≤ free``;
  otherwise it is refused with a reason. Realised PnL of a close is
  ``side × amount × (exit − entry) − entry fee − exit fee``.
* Equity(mark) = capital + realised + Σ filled positions' ``side × amount × (mark − entry) − entry fee``
  (the ledger's equity at the same mark). Free ≥ 0 always; a spot long-only account's equity ≥ 0.
* Ruin: equity below the venue's min notional (or ≤ 0): no order can be funded any more, so the
  account stops trading from that point (:attr:`SpotAccount.ruined_at`).
* Sizing: ``fixed`` keeps the controller's amount; ``compound`` scales it by equity / capital;
  ``fraction:f`` buys ``f × equity / price``. Every size is capped at what the free balance can fund,
  fee included (a controller that commits its whole capital buys capital / (1 + fee)); a position whose
  capped notional is below the venue minimum, or that nothing can fund, is refused.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.ledger.document import iso

__all__ = ["OpenPosition", "Refusal", "Sizing", "SpotAccount"]

_EPS = 1e-9  # relative slack for float comparisons of balances


@dataclass(frozen=True, slots=True)
class Sizing:
    """How a backtest sizes each new position (see module docstring)."""

    mode: Literal["fixed", "compound", "fraction"] = "fixed"
    fraction: float = 1.0

    @classmethod
    def parse(cls, text: str) -> Sizing:
        """``fixed``, ``compound`` or ``fraction:<f>`` with 0 < f ≤ 1."""
        value = text.strip().lower()
        if value in ("fixed", "compound"):
            return cls(value)  # type: ignore[arg-type]
        if value.startswith("fraction:"):
            try:
                fraction = float(value.split(":", 1)[1])
            except ValueError:
                fraction = float("nan")
            if 0.0 < fraction <= 1.0:
                return cls("fraction", fraction)
        raise ConfigError(
            f"sizing {text!r} is not fixed, compound or fraction:<f> with 0 < f <= 1",
            fix="use e.g. fixed, compound or fraction:0.5",
        )

    @property
    def label(self) -> str:
        return f"fraction:{self.fraction:g}" if self.mode == "fraction" else self.mode


@dataclass(frozen=True, slots=True)
class OpenPosition:
    """A funded position; ``fill_ts`` None: its (limit) order never fills but its balance is reserved."""

    side: int  # +1 long, -1 short
    amount: float
    entry_price: float
    entry_fee: float
    fill_ts: float | None

    @property
    def lock(self) -> float:
        return self.amount * self.entry_price + self.entry_fee

    def pnl(self, mark: float, now: float) -> float:
        """Unrealised PnL at ``mark`` (0 before the fill), entry fee included."""
        if self.fill_ts is None or now < self.fill_ts:
            return 0.0
        return self.side * self.amount * (mark - self.entry_price) - self.entry_fee


@dataclass(frozen=True, slots=True)
class Refusal:
    """A position the account would not open, and why."""

    timestamp: float
    executor_id: str
    reason: Literal["ruined", "below_min_notional", "insufficient_balance", "invalid_amount"]
    detail: str


@dataclass
class SpotAccount:
    """Capital, open positions and realised PnL of one backtest (one quote asset)."""

    capital: float
    fee_rate: float
    min_notional: float = 0.0
    realized: float = 0.0
    positions: dict[str, OpenPosition] = field(default_factory=dict)
    refusals: list[Refusal] = field(default_factory=list)
    ruined_at: float | None = None

    def free(self) -> float:
        return self.capital + self.realized - sum(p.lock for p in self.positions.values())

    def equity(self, mark: float, now: float) -> float:
        return self.capital + self.realized + sum(p.pnl(mark, now) for p in self.positions.values())

    def refusal_counts(self) -> dict[str, int]:
        return dict(Counter(r.reason for r in self.refusals))

    def observe(self, mark: float, now: float) -> bool:
        """Mark the account at ``now``; True (and ``ruined_at`` set once) when it is ruined."""
        if self.ruined_at is None:
            equity = self.equity(mark, now)
            if equity <= 0 or equity < self.min_notional:
                self.ruined_at = now
        return self.ruined_at is not None

    def size(self, sizing: Sizing, amount: float, price: float, mark: float, now: float) -> float:
        """The amount (base) to request under ``sizing``; ``amount`` is the controller's own."""
        if price <= 0:
            return amount
        equity = max(self.equity(mark, now), 0.0)
        wanted = {
            "fixed": amount,
            "compound": amount * equity / self.capital,
            "fraction": sizing.fraction * equity / price,
        }[sizing.mode]
        fundable = max(self.free(), 0.0) / (price * (1.0 + self.fee_rate))
        return max(min(wanted, fundable), 0.0)

    def check(self, executor_id: str, amount: float, price: float, now: float) -> Refusal | None:
        """Why a position of ``amount`` at ``price`` cannot be opened now, or None when it can."""
        notional = amount * price
        need = notional * (1.0 + self.fee_rate)
        free = self.free()
        refusal: tuple[Literal["ruined", "below_min_notional", "insufficient_balance", "invalid_amount"], str]
        if self.ruined_at is not None:
            refusal = ("ruined", f"the account was ruined at {iso(self.ruined_at)}")
        elif not (amount > 0 and price > 0):
            refusal = ("invalid_amount", f"amount {amount} at price {price}")
        elif notional < self.min_notional:
            refusal = ("below_min_notional", f"notional {notional:.4f} < venue minimum {self.min_notional:g}")
        elif need > free + _EPS * max(1.0, abs(free)):
            refusal = ("insufficient_balance", f"needs {need:.4f} (fee included), free {free:.4f}")
        else:
            return None
        found = Refusal(now, executor_id, refusal[0], refusal[1])
        self.refusals.append(found)
        return found

    def open(
        self, executor_id: str, side: int, amount: float, price: float, fill_ts: float | None
    ) -> OpenPosition:
        position = OpenPosition(side, amount, price, self.fee_rate * amount * price, fill_ts)
        self.positions[executor_id] = position
        return position

    def close(self, executor_id: str, exit_price: float | None) -> float:
        """Close a position at ``exit_price`` (None: it never filled; its reservation is released)."""
        position = self.positions.pop(executor_id, None)
        if position is None or position.fill_ts is None or exit_price is None:
            return 0.0
        exit_fee = self.fee_rate * position.amount * exit_price
        pnl = position.side * position.amount * (exit_price - position.entry_price)
        realized = pnl - position.entry_fee - exit_fee
        self.realized += realized
        return realized
