"""A real replay agrees with its own fills: executor timestamps, and the drawdown the risk gate acted on.

One replay of the PRODUCTION guarded script with the shipped ETH AI controller on real Binance 1h
candles (January 2023), a tight drawdown limit so that the gate halts. Then, from the replay's fills
alone (the simulated exchange's ledger, through ``hummingbot_plugin.ledger``):

* every executor opens before it closes, and closes after its last fill;
* the equity, high-water mark and drawdown in each DRAWDOWN transition record are recomputed exactly:
  capital + the controller's fills dated before each gate observation, valued at the venue's mid then.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from hummingbot_plugin.audit import RiskTransitionRecord, iter_records
from hummingbot_plugin.ledger import Fill, Market, Marks, build_ledger
from hummingbot_plugin.settings import PROJECT_ROOT, data_file
from hummingbot_plugin.simulation.engine.candle_path import synthetic_book
from hummingbot_plugin.simulation.engine.events import EventKind, feed_events
from hummingbot_plugin.simulation.engine.feeds import load_feed
from hummingbot_plugin.simulation.replay.run import ReplayRequest, ReplayResult, run_replay

pytestmark = pytest.mark.slow

PAIR = "ETH-USDT"
DATA = "binance_ETH-USDT_1h.csv"
START, END = "2023-01-10", "2023-01-31"
CAPITAL = 1000.0


def _script(tmp_path: Path) -> Path:
    """The shipped guarded script running the shipped ETH controller, with a 3 % drawdown limit."""
    script: dict[str, Any] = yaml.safe_load((PROJECT_ROOT / "conf/scripts/ai_livestream_1h.yml").read_text())
    controller: dict[str, Any] = yaml.safe_load(
        (PROJECT_ROOT / "conf/controllers/ai_livestream_eth_usdt_1h.yml").read_text()
    )
    assert float(controller["total_amount_quote"]) == CAPITAL
    controller["mqtt"] = {**controller.get("mqtt", {}), "replay_state_dir": None}
    controller["risk"] = {"max_drawdown_pct": "0.03"}
    (tmp_path / "eth.yml").write_text(yaml.safe_dump(controller))
    script.update(
        controllers_config=[str(tmp_path / "eth.yml")],
        config_file=None,
        state_dir=str(tmp_path / "st"),
    )
    (tmp_path / "script.yml").write_text(yaml.safe_dump(script))
    return tmp_path / "script.yml"


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[ReplayResult, Path]:
    tmp_path = tmp_path_factory.mktemp("ledger_consistency")
    request = ReplayRequest(
        script_config=_script(tmp_path),
        data=(data_file(DATA),),
        start=START,
        end=END,
        balances={"USDT": Decimal(2000)},
    )
    return run_replay(request), tmp_path / "st" / "audit"


def test_every_executor_opens_before_it_closes(replay: tuple[ReplayResult, Path]) -> None:
    result, _ = replay
    fills = {e.order_id: float(e.timestamp) for e in result.exchanges["binance"].ledger.entries}
    executors = [e for e in result.payload["executors"] if e["close_timestamp"] is not None]
    traded = [e for e in executors if any(o in fills for o in e["order_ids"])]
    assert len(traded) >= 3, "the controller should trade in these three weeks"
    # closes are dated at the intrabar control point where the executor saw its close order filled (a
    # clock ticking once per bar dated them at the bar's start, before an intrabar open) ...
    assert any(e["close_timestamp"] % 3600 for e in traded)
    for e in executors:
        assert e["timestamp"] <= e["close_timestamp"], e
        last_fill = max((fills[o] for o in e["order_ids"] if o in fills), default=e["timestamp"])
        assert last_fill <= e["close_timestamp"], e  # ... and close once their last order has filled


def _gate_marks(result: ReplayResult, times: np.ndarray) -> np.ndarray:
    """The venue's mid at each time: the synthetic book of the last candle-path point replayed by then."""
    exchange = result.exchanges["binance"]
    cfg = exchange.sim_config
    tick = exchange.trading_rules[PAIR].min_price_increment
    feed = load_feed(data_file(DATA), start=START, end=END)
    points = [
        (e.timestamp, e.price)
        for e in feed_events(feed, "binance", path_mode=cfg.candle_path, points_per_bar=4)
        if e.kind is EventKind.PRICE and e.price is not None
    ]
    stamps = np.array([t for t, _ in points])
    mids = []
    for price in (points[i][1] for i in np.searchsorted(stamps, times, side="right") - 1):
        book = synthetic_book(
            price, 0.0, half_spread_bps=cfg.candle_half_spread_bps, depth=cfg.candle_depth, tick=tick
        )
        mids.append(float((book.bids[0].price + book.asks[0].price) / 2))
    return np.array(mids)


def _gate_equity(result: ReplayResult, controller_id: str, times: np.ndarray) -> np.ndarray:
    """Capital + the ledger PnL of the controller's fills, at each gate observation time."""
    payload = result.payload
    orders = {
        o: e["id"]
        for e in payload["executors"]
        if e["controller_id"] == controller_id
        for o in e["order_ids"]
    }
    market = Market("binance", PAIR)
    fills = [
        Fill(
            float(f.timestamp),
            market,
            1 if f.side.name == "BUY" else -1,
            float(f.price),
            float(f.amount),
            float(f.fee_quote),
            f.is_maker,
            f.order_id,
            orders[f.order_id],
        )
        for f in result.exchanges["binance"].ledger.entries
        if f.order_id in orders and float(f.timestamp) < times[-1]
    ]
    # A fill counts from the first observation strictly after it: book it on a timeline just before each.
    marks = Marks(times - 1e-3, {market: _gate_marks(result, times)})
    ledger = build_ledger(fills, {"binance": {"USDT": 0.0}}, marks)
    return CAPITAL + ledger.markets[market].pnl


def test_the_drawdown_the_gate_acted_on_is_the_ledgers(replay: tuple[ReplayResult, Path]) -> None:
    result, audit = replay
    halts = [
        r
        for r in iter_records(audit)
        if isinstance(r, RiskTransitionRecord) and r.reason_code == "DRAWDOWN_PCT"
    ]
    halts = [r for r in halts if r.scope == "ai_livestream_eth_usdt_1h"]
    assert len(halts) == 1, "the 3 % limit should halt the controller in these three weeks"
    step = float(result.payload["executor_update_seconds"])
    for record in halts:
        assert record.equity_quote is not None and record.high_water_mark_quote is not None
        assert record.drawdown_quote is not None and record.drawdown_pct is not None
        times = np.arange(result.payload["start"], record.ts + step / 2, step)  # every gate observation
        equity = _gate_equity(result, "ai_livestream_eth_usdt_1h", times)
        hwm, drawdown = float(equity.max()), float(equity.max() - equity[-1])
        assert float(record.equity_quote) == pytest.approx(equity[-1], rel=1e-6)
        assert float(record.high_water_mark_quote) == pytest.approx(hwm, rel=1e-6)
        assert float(record.drawdown_quote) == pytest.approx(drawdown, rel=1e-6)
        assert float(record.drawdown_pct) == pytest.approx(drawdown / CAPITAL, rel=1e-6)
        assert float(record.capital_quote or 0) == CAPITAL
        # the gate acted at the first observation past the limit
        assert drawdown >= 0.03 * CAPITAL > float(equity[:-1].max() - equity[-2])
