"""Two-venue candle replay of cross-exchange market making (XEMM executor semantics, per-level lifecycle).

Maker fills come from the simulated exchange's matching engine walking the maker venue's intrabar path
(strict trade-through, fill at our price). Hedge (taker) model, documented assumptions:

1. The hedge is a market order on the taker venue sent ``hedge_latency_s`` after the maker fill.
2. Taker price at the fill = maker fill price × cross-venue basis, taking the WORSE of the basis at the
   bar's open and close for our direction (venues co-move inside a bar; the basis is what we earn).
3. Cost of crossing: the taker half-spread plus a latency slippage of ``latency_z`` × per-bar volatility
   × sqrt(latency / bar length), always against us.
4. No taker bar (venue outage / data gap) → the hedge fails, is counted, and is retried at the next taker
   bar's open (plus the same costs); failures inside the window halt quoting (risk hook).

Maker orders reprice like Hummingbot's XEMM executor: at each tick a quote whose profitability after
costs left ``[min, max]`` is cancelled and re-placed at the level's target.

Two repricing models (``XEMMSimParams.repricing``):

- ``"bar"`` (pessimistic): quotes are repriced only at bar closes, so inside a bar a quote is stale and the
  maker venue's intrabar path fills it whenever the whole market moves through it (adverse selection);
- ``"continuous"`` (the executor's 1 s loop): the quote tracks the taker price, so it fills only when the
  maker venue trades below/above it while the taker venue does not — a cross-venue basis move. Candles only
  show the two venues at the same instant at bar open and close, so only those points can fill (at the
  tracked quote; hedge at the taker price with the half-spread and latency slippage against us).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from hummingbot_plugin.mm import xemm
from hummingbot_plugin.mm.levels import LevelTimers, LevelView, levels_to_create
from hummingbot_plugin.mm.risk import QuoteRiskDecision, hedge_failure_check, worst
from hummingbot_plugin.simulation.engine.candle_path import intrabar_path, path_timestamps
from hummingbot_plugin.simulation.engine.models import Fill, OrderKind, Side, SimOrder
from hummingbot_plugin.simulation.mm.quote_replay import _bars, _d
from hummingbot_plugin.simulation.mm.xemm_state import XEMMQuote, XEMMReplayResult, XEMMSimParams, XEMMState

__all__ = ["XEMMReplayResult", "XEMMSimParams", "run_xemm_replay"]


def _hedge_cost(p: XEMMSimParams, vol: float, bar_seconds: float) -> float:
    latency = p.latency_z * (0.0 if math.isnan(vol) else vol) * math.sqrt(p.hedge_latency_s / bar_seconds)
    return float(p.taker_half_spread + latency)


def _on_maker_fills(st: XEMMState, fills: list[Fill], basis: tuple[float, float] | None, cost: float) -> None:
    for f in fills:
        q = st.quotes.pop(f.order_id)
        q.active, q.filled, q.closed_at = False, True, f.timestamp
        st.last_closed[q.level.level_id] = q
        side = 1 if f.side is Side.BUY else -1
        price, amount, mid = float(f.price), float(f.amount), q.mid
        st.book(f.timestamp, side, price, amount, st.p.maker_fee, mid, "maker")
        if basis is None:
            st.failures.append(f.timestamp)
            st.pending.append((mid, -side, amount, q.expected_taker))
            continue
        worst_basis = min(basis) if side == 1 else max(basis)  # we sell on taker after a maker buy
        hedge_px = price * worst_basis * (1 - side * cost)
        st.hedge(f.timestamp + st.p.hedge_latency_s, -side, amount, q.expected_taker, hedge_px, mid)


def _track(st: XEMMState, ts: float, maker_px: float, taker_px: float, latency: float) -> None:
    """Continuous repricing: fill quotes the maker venue crossed while they tracked the taker price."""
    hs = st.p.taker_half_spread
    for q in list(st.quotes.values()):
        side = 1 if q.level.maker_side == "buy" else -1
        hedge_ref = taker_px * (1 - side * hs)
        quote = xemm.maker_price(hedge_ref, q.level.maker_side, q.level.target_profitability, st.p.tx_cost)
        if not (maker_px < quote if side == 1 else maker_px > quote):
            continue
        st.engine.cancel(q.order_id)
        del st.quotes[q.order_id]
        q.active, q.filled, q.closed_at = False, True, ts
        st.last_closed[q.level.level_id] = q
        amount = float(st.engine_amounts.pop(q.order_id))
        st.book(ts, side, quote, amount, st.p.maker_fee, q.mid, "maker")
        st.hedge(ts + st.p.hedge_latency_s, -side, amount, hedge_ref, hedge_ref * (1 - side * latency), q.mid)


def _retry_pending(st: XEMMState, ts: float, taker_open: float, cost: float) -> None:
    for mid, side, amount, expected in st.pending:
        st.hedge(ts, side, amount, expected, taker_open * (1 + side * cost), mid)
    st.pending.clear()


def _reprice(st: XEMMState, taker_px: dict[str, float], now: float) -> None:
    """Executor behaviour: cancel quotes whose net profitability left the band (re-placed below)."""
    for q in list(st.quotes.values()):
        net = (
            xemm.trade_profitability(q.price, taker_px[q.level.maker_side], q.level.maker_side) - st.p.tx_cost
        )
        if not st.p.min_profitability <= net <= q.level.target_profitability + st.p.max_profitability_margin:
            st.engine.cancel(q.order_id)
            del st.quotes[q.order_id]


def _views(st: XEMMState, now: float) -> list[LevelView]:
    out = []
    for q in [*st.quotes.values(), *st.last_closed.values()]:
        out.append(
            LevelView(
                q.order_id,
                q.level.level_id,
                q.executor_started,
                q.active,
                False,
                q.filled,
                q.closed_at,
                q.price,
            )
        )
    return out


def _place(
    st: XEMMState, level: xemm.XEMMLevel, taker: float, mid: float, depth: float, now: float, started: float
) -> None:
    amount = xemm.capped_amount(
        level.amount_quote / mid,
        taker_depth_base=depth,
        taker_balance_base=st.bal["taker_base"]
        if level.maker_side == "buy"
        else st.bal["taker_quote"] / taker,
        portfolio_base=(st.bal["maker_base"] + st.bal["taker_base"])
        + (st.bal["maker_quote"] + st.bal["taker_quote"]) / mid,
        limits=st.p.size_limits,
    )
    if amount <= 0:
        return
    price = xemm.maker_price(taker, level.maker_side, level.target_profitability, st.p.tx_cost)
    st.seq += 1
    oid = f"{level.level_id}-{st.seq}"
    side = Side.BUY if level.maker_side == "buy" else Side.SELL
    if st.engine.submit(
        SimOrder(oid, side, OrderKind.LIMIT_MAKER, _d(amount), _d(price), now), now
    ).rejection:
        return
    st.quotes[oid] = XEMMQuote(oid, level, price, taker, now, started, mid)
    st.engine_amounts[oid] = amount
    st.n_orders += 1


def _tick(st: XEMMState, now: float, mid: float, taker_close: float, depth: float) -> None:
    p = st.p
    taker_px = {
        "buy": taker_close * (1 - p.taker_half_spread),
        "sell": taker_close * (1 + p.taker_half_spread),
    }
    started = {q.level.level_id: q.executor_started for q in st.quotes.values()}
    _reprice(st, taker_px, now)
    imbalance = xemm.inventory_imbalance(st.bal["maker_base"], st.bal["taker_base"])
    risk: QuoteRiskDecision = worst(
        xemm.imbalance_check(imbalance, p.imbalance_limit),
        hedge_failure_check(st.failures, now, p.hedge_failure_window_s, p.max_hedge_failures),
    )
    allowed = xemm.xemm_permission(risk.state, imbalance, p.imbalance_limit)
    for q in list(st.quotes.values()):
        if not (allowed.buy if q.level.maker_side == "buy" else allowed.sell):
            st.engine.cancel(q.order_id)
            del st.quotes[q.order_id]
    active_levels = {q.level.level_id for q in st.quotes.values()}
    timers = LevelTimers(1e18, p.max_order_age, 0.0, p.filled_order_delay, p.anti_hysteresis)
    wanted = [lv.level_id for lv in p.levels if (allowed.buy if lv.maker_side == "buy" else allowed.sell)]
    # A level whose executor is alive (repricing) keeps its executor start; new executors obey the timers.
    for lv in p.levels:
        if lv.level_id in active_levels or lv.level_id not in wanted:
            continue
        if lv.level_id in started:
            _place(st, lv, taker_px[lv.maker_side], mid, depth, now, started[lv.level_id])
        elif lv.level_id in levels_to_create([lv.level_id], _views(st, now), now, timers):
            _place(st, lv, taker_px[lv.maker_side], mid, depth, now, now)


def run_xemm_replay(
    maker: pd.DataFrame, taker: pd.DataFrame, params: XEMMSimParams, *, bar_seconds: float
) -> XEMMReplayResult:
    """Replay on aligned candles of the maker and taker venues (same interval; taker gaps = outages)."""
    maker = maker.reset_index(drop=True)
    tk = taker.set_index("timestamp").reindex(maker["timestamp"])
    t_open, t_close = tk["open"].to_numpy(np.float64), tk["close"].to_numpy(np.float64)
    t_vol = tk["volume"].to_numpy(np.float64)
    m_open, m_close = maker["open"].to_numpy(np.float64), maker["close"].to_numpy(np.float64)
    log_ret = np.diff(np.log(t_close), prepend=np.nan)
    vol = pd.Series(log_ret).rolling(params.vol_window, min_periods=2).std().to_numpy()
    st = XEMMState(params)
    for i, bar in enumerate(_bars(maker)):
        has_taker, now = bool(np.isfinite(t_close[i])), bar.timestamp + bar_seconds
        cost = _hedge_cost(params, vol[i - 1] if i else np.nan, bar_seconds)
        if has_taker and st.pending:
            _retry_pending(st, bar.timestamp, t_open[i], cost)
        if params.repricing == "continuous":  # only bars seen on both venues can fill
            observations = ((bar.timestamp, m_open[i], t_open[i]), (now, m_close[i], t_close[i]))
            for ts, m_px, t_px in observations if has_taker else ():
                _track(st, ts, m_px, t_px, cost - params.taker_half_spread)
        else:
            basis = (t_open[i] / m_open[i], t_close[i] / m_close[i]) if has_taker else None
            for price, ts in zip(
                intrabar_path(bar), path_timestamps(bar.timestamp, bar_seconds), strict=True
            ):
                _on_maker_fills(st, st.engine.on_price(price, ts), basis, cost)
        st.mids.append((now, m_close[i]))
        if has_taker:
            _tick(st, now, m_close[i], t_close[i], t_vol[i] * 60.0 / bar_seconds)
    return _result(st)


def _result(st: XEMMState) -> XEMMReplayResult:
    fills = pd.DataFrame(st.rows, columns=["timestamp", "side", "price", "amount", "fee", "mid", "venue"])
    mids = pd.DataFrame(st.mids, columns=["timestamp", "mid"])
    return XEMMReplayResult(fills, mids, st.n_orders, st.slippage, st.failures, dict(st.bal))
