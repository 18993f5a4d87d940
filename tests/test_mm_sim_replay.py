"""Market-making controllers end to end on the simulated exchange (real executors and orchestrator)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

CAPTURE = "20240808T2354Z_20240809T0005Z"
BALANCES = {"USDT": Decimal(10_000), "BTC": Decimal("0.2")}


def _fills(payload: dict[str, Any], connector: str) -> list[dict[str, Any]]:
    return [f for f in payload["fills"] if f["connector"] == connector]


@pytest.mark.slow
def test_pmm_replays_on_the_recorded_book_through_the_simulated_exchange(shared_data_dir: Path) -> None:
    result = run_replay(
        ReplayRequest(
            script_config=PROJECT_ROOT / "conf" / "scripts" / "market_making_pmm_replay.yml",
            data=(
                shared_data_dir / f"binance_BTC-USDT_l2_top20_1s_{CAPTURE}.csv",
                shared_data_dir / f"binance_BTC-USDT_trades_{CAPTURE}.csv",
            ),
            balances=BALANCES,
        )
    )
    payload = result.payload
    orders = payload["orders"]
    assert orders and all(o["order_type"] == "LIMIT_MAKER" for o in orders)
    assert {o["side"] for o in orders} == {"buy", "sell"}
    fills = _fills(payload, "binance")
    assert fills and all(f["is_maker"] for f in fills)
    assert all(Decimal(v) == 0 for v in payload["connectors"]["binance"]["reconciliation"].values())
    # Quotes never cross: every buy is below every sell placed at the same instant.
    by_time: dict[float, dict[str, list[Decimal]]] = {}
    for o in orders:
        by_time.setdefault(o["created_at"], {"buy": [], "sell": []})[o["side"]].append(Decimal(o["price"]))
    assert all(max(s["buy"]) < min(s["sell"]) for s in by_time.values() if s["buy"] and s["sell"])


@pytest.mark.slow
def test_xemm_hedges_maker_fills_on_the_taker_venue(shared_data_dir: Path) -> None:
    result = run_replay(
        ReplayRequest(
            script_config=PROJECT_ROOT / "conf" / "scripts" / "market_making_xemm_kucoin.yml",
            data=(
                shared_data_dir / "binance_BTC-USDT_5m.csv",
                shared_data_dir / "kucoin_BTC-USDT_1m_2023-02-18_2023-03-20.csv",
            ),
            start="2023-02-19 14:00",
            end="2023-02-19 16:30",
            balances=BALANCES,
        )
    )
    # Every fill of the maker order on Binance is followed by the opposite hedge on KuCoin. (The executor's
    # "maker" order is a LIMIT order: placed while Binance is already through its price, it takes.)
    maker, taker = _fills(result.payload, "binance"), _fills(result.payload, "kucoin")
    assert maker and len(taker) == len(maker)
    for m, t in zip(maker, taker, strict=True):
        assert t["side"] != m["side"] and not t["is_maker"]
        assert Decimal(t["amount"]) == pytest.approx(Decimal(m["amount"]), rel=Decimal("0.01"))
        assert t["timestamp"] >= m["timestamp"]
