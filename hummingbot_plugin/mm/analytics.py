"""Market-making analytics from a fill ledger and a mid-price path (pure, vectorised).

PnL split (all in quote): with fills marked at the mid at fill time,

- ``spread_capture`` = Σ amount × (mid − price) for buys and amount × (price − mid) for sells;
- ``inventory_pnl``  = Σ inventory × Δmid between consecutive fills and up to the final mid;
- ``fees``           = Σ fees;

so that ``gross_pnl = spread_capture + inventory_pnl`` exactly (cash + inventory × final mid, fees aside)
and ``net_pnl = gross_pnl − fees`` (a rebate is a negative fee). The break-even maker fee is the maker
rate at which the same fills would net zero: ``(gross − taker fees) / maker notional`` (the fills are held
fixed: a quoter that prices its fee in would quote differently). Hedge slippage (cross-exchange) is the
extra cost of a hedge versus the taker price expected when the maker order was placed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.fees import FeeSchedule, break_even_maker_fee
from hummingbot_plugin.ledger import Figures, Fill, Market, Marks, account_figures, build_ledger

__all__ = [
    "FILL_COLUMNS",
    "MMReport",
    "backtest_metrics",
    "equity_curve",
    "metrics_json",
    "mm_report",
    "risk_metrics",
]

#: Columns of a fill ledger: time (s), side (+1 buy / -1 sell), price, amount (base), fee (quote), mid.
#: ``mid`` is the mid price when the filled quote was PLACED, so spread capture is the edge quoted and
#: everything that happened after (adverse selection, inventory drift) is inventory PnL. An optional
#: ``venue`` column marks hedges (``"taker"``); they are not counted as maker fills in the fill rate. With an
#: ``order_id`` column the fill rate counts filled ORDERS (partial fills of one order count once).
DEFAULT_MARKET = Market("binance", "BTC-USDT")
FILL_COLUMNS = ("timestamp", "side", "price", "amount", "fee", "mid")


@dataclass(frozen=True)
class MMReport:
    """Summary of one market-making run (quote currency unless stated)."""

    net_pnl_quote: float
    gross_pnl_quote: float
    spread_capture_quote: float
    inventory_pnl_quote: float
    fees_quote: float
    n_orders: int
    n_fills: int
    fill_rate: float
    volume_quote: float
    final_inventory_base: float
    max_abs_inventory_base: float
    inventory_std_quote: float
    time_at_limit_pct: float
    max_drawdown_quote: float
    sharpe_per_period: float
    hedge_slippage_quote: float = 0.0
    n_hedge_failures: int = 0
    fee_schedule: str = "as booked in the fills"
    maker_fee: float = float("nan")
    taker_fee: float = float("nan")
    maker_volume_quote: float = 0.0
    break_even_maker_fee: float = float("nan")

    def to_dict(self) -> dict[str, float | int | str]:
        return asdict(self)

    def fee_line(self) -> str:
        """``fee spot_vip0 (maker 0.1000 %, ...); break-even maker fee 0.0123 %`` for every MM report."""
        return f"fee {self.fee_schedule}; break-even maker fee {self.break_even_maker_fee * 100:.4f} %"


def _check(fills: pd.DataFrame) -> None:
    missing = [c for c in FILL_COLUMNS if c not in fills.columns]
    if missing:
        raise DataError(f"fill ledger lacks columns {missing}", fix=f"provide {', '.join(FILL_COLUMNS)}")


def _pnl_split(fills: pd.DataFrame, final_mid: float) -> tuple[float, float, float]:
    side = fills["side"].to_numpy(dtype=np.float64)
    amount = fills["amount"].to_numpy(dtype=np.float64)
    price = fills["price"].to_numpy(dtype=np.float64)
    mid = fills["mid"].to_numpy(dtype=np.float64)
    spread = float(np.sum(side * amount * (mid - price)))
    inventory_after = np.cumsum(side * amount)
    next_mid = np.append(mid[1:], final_mid)
    inventory_pnl = float(np.sum(inventory_after * (next_mid - mid)))
    return spread, inventory_pnl, float(fills["fee"].sum())


def equity_curve(fills: pd.DataFrame, mids: pd.DataFrame) -> pd.DataFrame:
    """Mark-to-market net PnL and inventory at every mid sample (``mids``: timestamp, mid)."""
    _check(fills)
    f = fills.sort_values("timestamp", kind="stable")
    ts = mids["timestamp"].to_numpy(dtype=np.float64)
    idx = np.searchsorted(f["timestamp"].to_numpy(dtype=np.float64), ts, side="right")
    signed = (f["side"] * f["amount"]).to_numpy(dtype=np.float64)
    cash_flow = (-f["side"] * f["amount"] * f["price"] - f["fee"]).to_numpy(dtype=np.float64)
    inv = np.concatenate([[0.0], np.cumsum(signed)])[idx]
    cash = np.concatenate([[0.0], np.cumsum(cash_flow)])[idx]
    mid = mids["mid"].to_numpy(dtype=np.float64)
    return pd.DataFrame({"timestamp": ts, "mid": mid, "inventory": inv, "equity": cash + inv * mid})


def risk_metrics(equity: pd.DataFrame) -> tuple[float, float]:
    """(max drawdown in quote, mean/std of equity changes per sample)."""
    eq = equity["equity"].to_numpy(dtype=np.float64)
    if len(eq) < 2:
        return 0.0, 0.0
    drawdown = float(np.min(eq - np.maximum.accumulate(eq)))
    changes = np.diff(eq)
    std = float(np.std(changes, ddof=1)) if len(changes) > 1 else 0.0
    return drawdown, float(np.mean(changes) / std) if std > 0 else 0.0


def _maker_taker(fills: pd.DataFrame) -> tuple[float, float]:
    """(maker notional, taker fees) of a ledger; rows with ``venue == "taker"`` are hedges."""
    if fills.empty:
        return 0.0, 0.0
    taker = (fills["venue"] == "taker").to_numpy() if "venue" in fills.columns else np.zeros(len(fills), bool)
    notional = (fills["amount"] * fills["price"]).to_numpy(dtype=np.float64)
    return float(notional[~taker].sum()), float(fills["fee"].to_numpy(dtype=np.float64)[taker].sum())


def _filled_orders(fills: pd.DataFrame) -> int:
    """Maker orders with at least one fill (hedges excluded; partial fills of one order count once)."""
    maker = fills[fills["venue"] != "taker"] if "venue" in fills.columns else fills
    return int(maker["order_id"].nunique()) if "order_id" in maker.columns else len(maker)


def mm_report(
    fills: pd.DataFrame,
    mids: pd.DataFrame,
    *,
    n_orders: int,
    inventory_limit_base: float | None = None,
    hedge_slippage_quote: float = 0.0,
    n_hedge_failures: int = 0,
    schedule: FeeSchedule | None = None,
) -> MMReport:
    """Summarise a run from its fills, the mid path and the number of orders placed.

    ``schedule``: the fee schedule the fills were charged at (stated in the report); the fee column is
    used as it is.
    """
    _check(fills)
    if mids.empty:
        raise DataError("empty mid path", fix="pass the mid price sampled over the run")
    f = fills.sort_values("timestamp", kind="stable").reset_index(drop=True)
    final_mid = float(mids["mid"].iloc[-1])
    spread, inventory_pnl, fees = _pnl_split(f, final_mid) if len(f) else (0.0, 0.0, 0.0)
    eq = equity_curve(f, mids)
    drawdown, sharpe = risk_metrics(eq)
    inv = eq["inventory"].to_numpy(dtype=np.float64)
    n_maker = _filled_orders(f)
    at_limit = (
        float(np.mean(np.abs(inv) >= inventory_limit_base * (1 - 1e-9))) if inventory_limit_base else 0.0
    )
    gross = spread + inventory_pnl
    maker_volume, taker_fees = _maker_taker(f)
    return MMReport(
        net_pnl_quote=gross - fees,
        gross_pnl_quote=gross,
        spread_capture_quote=spread,
        inventory_pnl_quote=inventory_pnl,
        fees_quote=fees,
        n_orders=int(n_orders),
        n_fills=n_maker,
        fill_rate=n_maker / n_orders if n_orders else 0.0,
        volume_quote=float((f["amount"] * f["price"]).sum()) if len(f) else 0.0,
        final_inventory_base=float(inv[-1]) if len(inv) else 0.0,
        max_abs_inventory_base=float(np.max(np.abs(inv))) if len(inv) else 0.0,
        inventory_std_quote=float(np.std(inv * eq["mid"].to_numpy(dtype=np.float64))),
        time_at_limit_pct=at_limit * 100.0,
        max_drawdown_quote=drawdown,
        sharpe_per_period=sharpe,
        hedge_slippage_quote=hedge_slippage_quote,
        n_hedge_failures=n_hedge_failures,
        fee_schedule=schedule.label if schedule is not None else "as booked in the fills",
        maker_fee=float(schedule.maker) if schedule is not None else float("nan"),
        taker_fee=float(schedule.taker) if schedule is not None else float("nan"),
        maker_volume_quote=maker_volume,
        break_even_maker_fee=break_even_maker_fee(gross, maker_volume, taker_fees),
    )


def backtest_metrics(
    fills: pd.DataFrame,
    mids: pd.DataFrame,
    *,
    capital: float,
    market: Market = DEFAULT_MARKET,
) -> Figures:
    """The headline figures of a market-making run on the one ledger (account funded with ``capital``).

    Marks are the mid samples; inventory starts at zero (the quoter may sell short what it does not hold:
    the pure research simulators do not fund the base side).
    """
    _check(fills)
    ts = mids["timestamp"].to_numpy(dtype=np.float64)
    marks = Marks(ts, {market: mids["mid"].to_numpy(dtype=np.float64)})
    booked = [
        Fill(
            float(r.timestamp),
            market,
            int(r.side),
            float(r.price),
            float(r.amount),
            float(r.fee),
            True,
            str(getattr(r, "order_id", i)),
        )
        for i, r in enumerate(fills.itertuples(index=False))
        if float(r.amount) > 0
    ]
    return account_figures(build_ledger(booked, {market.venue: {market.quote: capital}}, marks))


def metrics_json(report: MMReport, metrics: Figures) -> dict[str, Any]:
    """One JSON-ready dict: the ledger's figures plus the market-making split."""
    return {"metrics": asdict(metrics), "market_making": report.to_dict()}
