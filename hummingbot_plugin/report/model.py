"""What a run report holds: one frozen record, the same for backtest, replay and paper."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

from hummingbot_plugin.audit.records import RiskTransitionRecord
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.ledger import Figures, Trade
from hummingbot_plugin.ledger.types import FloatArray

__all__ = [
    "KINDS",
    "Cell",
    "EquityCurves",
    "ReportKind",
    "RiskChange",
    "RunReport",
    "Section",
    "sorted_trades",
]

ReportKind = Literal["backtest", "replay", "paper"]
KINDS: tuple[str, ...] = get_args(ReportKind)
Cell = str | int | float | None


def _timeline(timestamps: FloatArray) -> FloatArray:
    ts = np.asarray(timestamps, dtype=np.float64)
    ordered = ts.ndim == 1 and ts.size > 0 and not bool(np.any(np.diff(ts) <= 0))
    if not ordered or not bool(np.all(np.isfinite(ts))):
        raise DataError(
            "report equity timestamps must be a non-empty, finite, strictly increasing series",
            fix="pass the ledger's timeline (LedgerBook.timestamps)",
        )
    return ts


def _curve(name: str, values: FloatArray, ts: FloatArray) -> FloatArray:
    arr = np.asarray(values, dtype=np.float64)
    if arr.shape != ts.shape or not bool(np.all(np.isfinite(arr))):
        raise DataError(
            f"equity curve {name!r}: {ts.size} finite values expected (one per timestamp), got {arr.shape}",
            fix="value every curve on the same timeline as the strategy",
        )
    return arr


@dataclass(frozen=True, eq=False)
class EquityCurves:
    """Named equity curves on one timeline; the first curve is the strategy's (the account).

    ``starts`` gives a curve's starting equity when it differs from its first point (e.g. a fee paid in
    the first bar); drawdown counts from it, as the ledger's figures do.
    """

    timestamps: FloatArray
    curves: Mapping[str, FloatArray]
    starts: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        ts = _timeline(self.timestamps)
        curves = {str(name): _curve(name, values, ts) for name, values in self.curves.items()}
        if not curves:
            raise DataError("a report needs at least one equity curve", fix="pass the account equity first")
        unknown = sorted(set(self.starts) - set(curves))
        if unknown or not all(math.isfinite(v) for v in self.starts.values()):
            raise DataError(
                f"equity starts {dict(self.starts)}: finite values keyed by curve name expected",
                fix=f"drop or rename the starts of {unknown}" if unknown else "pass finite starts",
            )
        object.__setattr__(self, "timestamps", ts)
        object.__setattr__(self, "curves", curves)
        object.__setattr__(self, "starts", {k: float(v) for k, v in self.starts.items()})

    def start_of(self, name: str) -> float:
        """The equity a curve's drawdown counts from."""
        return self.starts.get(name, float(self.curves[name][0]))

    @property
    def strategy(self) -> tuple[str, FloatArray]:
        name = next(iter(self.curves))
        return name, self.curves[name]


@dataclass(frozen=True, slots=True)
class RiskChange:
    """One change of risk state (ACTIVE / REDUCING / HALTED) and why."""

    ts: float
    scope: str
    from_state: str
    to_state: str
    reason: str
    text: str = ""

    @classmethod
    def from_record(cls, record: RiskTransitionRecord) -> RiskChange:
        """The change an audit trail recorded."""
        return cls(
            record.ts,
            record.scope,
            record.from_state,
            record.to_state,
            record.reason_code,
            record.reason_text,
        )


@dataclass(frozen=True, slots=True)
class Section:
    """An extra named section: free text, a table (headers + rows), or both."""

    title: str
    text: str = ""
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[Cell, ...], ...] = ()

    def __post_init__(self) -> None:
        wrong = [i for i, row in enumerate(self.rows) if self.headers and len(row) != len(self.headers)]
        if wrong:
            raise DataError(
                f"report section {self.title!r}: rows {wrong[:5]} do not have {len(self.headers)} cells",
                fix="give every row one cell per header",
            )


@dataclass(frozen=True, eq=False)
class RunReport:
    """Everything one report shows. Times are epoch seconds (shown as ISO UTC); money is in ``quote_asset``.

    ``figures`` are headline rows (the account, each market, comparison rows such as buy-and-hold);
    ``scope`` says what the account covers (derived from the figures when empty).
    """

    kind: ReportKind
    title: str
    subtitle: str
    period_start: float
    period_end: float
    fee: str
    quote_asset: str
    figures: tuple[Figures, ...]
    equity: EquityCurves
    risk_changes: tuple[RiskChange, ...] = ()
    trades: tuple[Trade, ...] = ()
    sections: tuple[Section, ...] = ()
    scope: str = ""
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise DataError(f"report kind {self.kind!r} is not one of {list(KINDS)}", fix="name the mode")
        bounds = (self.period_start, self.period_end)
        if not all(math.isfinite(b) for b in bounds) or self.period_end < self.period_start:
            raise DataError(
                f"report period {self.period_start} → {self.period_end} is not a finite, ordered range",
                fix="pass the first and last bar's epoch seconds",
            )
        if not self.figures:
            raise DataError("a report needs at least one headline row", fix="pass account_figures(ledger)")
        for name in ("figures", "risk_changes", "trades", "sections", "notes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def heading(self) -> str:
        """``"Backtest report — <title>"``: the page's <title> and <h1>."""
        return f"{self.kind.capitalize()} report — {self.title}"

    @property
    def scope_text(self) -> str:
        """What the figures cover: the explicit ``scope``, else every headline row's label."""
        return self.scope or ", ".join(f.scope for f in self.figures)

    @property
    def ruined(self) -> tuple[str, ...]:
        """Scopes whose equity reached zero."""
        return tuple(f.scope for f in self.figures if f.ruined)


def sorted_trades(trades: Sequence[Trade]) -> tuple[Trade, ...]:
    """Trades in closing order (then market, then order id): the order the trade list shows."""
    return tuple(sorted(trades, key=lambda t: (t.close_timestamp, t.market, t.order_id)))
