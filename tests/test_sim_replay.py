"""Replay runner end to end: real script, two controllers, real executors, real data."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hummingbot_plugin.cli import main
from hummingbot_plugin.cli.replay import parse_balances
from hummingbot_plugin.errors import ConfigError, DataError
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.replay.run import ReplayRequest, run_replay

CAPTURE = "20240808T2354Z_20240809T0005Z"
SCRIPT = PROJECT_ROOT / "conf" / "scripts" / "sim_two_probes.yml"
SIM = PROJECT_ROOT / "conf" / "sim" / "binance_default.yml"
MONTH_1M = "binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv"


def _book_request(data: Path, **overrides: Any) -> ReplayRequest:
    fields: dict[str, Any] = {
        "script_config": SCRIPT,
        "sim_config": SIM,
        "data": (
            data / f"binance_BTC-USDT_trades_{CAPTURE}.csv",
            data / f"binance_BTC-USDT_l2_top20_1s_{CAPTURE}.csv",
            data / MONTH_1M,
        ),
        "end": "2024-08-08T23:57:30",
    }
    fields.update(overrides)
    return ReplayRequest(**fields)


def _fill_keys(payload: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (f["timestamp"], f["order_id"], f["side"], f["price"], f["amount"], f["fee_quote"], f["is_maker"])
        for f in payload["fills"]
    ]


def test_book_replay_is_deterministic_and_reconciles(shared_data_dir: Path) -> None:
    first = run_replay(_book_request(shared_data_dir)).payload
    second = run_replay(_book_request(shared_data_dir)).payload
    assert first["fills"], "the probes should trade in this window"
    assert _fill_keys(first) == _fill_keys(second)
    assert [o["status"] for o in first["orders"]] == [o["status"] for o in second["orders"]]
    recon = first["connectors"]["binance"]["reconciliation"]
    assert {Decimal(v) for v in recon.values()} == {Decimal(0)}
    assert first["speed"]["events"] > 1000  # trades and book updates were replayed, not just ticks


@pytest.mark.slow
def test_two_controllers_on_half_a_day_of_1m_candles_reconcile_to_the_cent(shared_data_dir: Path) -> None:
    result = run_replay(
        ReplayRequest(
            script_config=SCRIPT,
            sim_config=SIM,
            data=(shared_data_dir / MONTH_1M,),
            start="2024-08-02T00:00",
            end="2024-08-02T12:00",
        )
    )
    payload = result.payload
    controllers = {e["controller_id"] for e in payload["executors"]}
    assert controllers == {"sim_probe_fast", "sim_probe_slow"}
    venue = payload["connectors"]["binance"]
    start = {k: Decimal(v) for k, v in venue["start_balances"].items()}
    end = {k: Decimal(v) for k, v in venue["end_balances"].items()}
    signed_quote = sum(
        (
            Decimal(f["price"]) * Decimal(f["amount"]) * (-1 if f["side"] == "buy" else 1)
            for f in payload["fills"]
        ),
        Decimal(0),
    )
    fees = sum((Decimal(f["fee_quote"]) for f in payload["fills"]), Decimal(0))
    signed_base = sum(
        (Decimal(f["amount"]) * (1 if f["side"] == "buy" else -1) for f in payload["fills"]), Decimal(0)
    )
    assert abs(start["USDT"] + signed_quote - fees - end["USDT"]) < Decimal("0.01")
    assert start["BTC"] + signed_base == end["BTC"]
    assert all(
        o["status"] in {"filled", "cancelled", "failed"} for o in payload["orders"]
    )  # nothing left open
    assert payload["trades"] == sum(1 for e in payload["executors"] if Decimal(e["filled_amount_quote"]) > 0)
    # half a day has no daily return series: no Sharpe is made up; the drawdown is reported
    assert payload["sharpe_daily_annualized"] is None and payload["max_drawdown_pct"] >= 0.0


def test_cli_replay_writes_the_json(shared_data_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "replay.json"
    code = main(
        [
            "replay",
            "--script-config",
            str(SCRIPT),
            "--data",
            str(shared_data_dir / MONTH_1M),
            "--start",
            "2024-08-01T00:00",
            "--end",
            "2024-08-01T02:00",
            "--balance",
            "USDT=5000",
            "--balance",
            "BTC=0.1",
            "--quiet",
            "--json",
            str(out),
            "--report",
            str(tmp_path / "r.html"),
        ]
    )
    assert code == 0
    payload = json.loads(out.read_text())
    assert payload["kind"] == "replay" and payload["connectors"]["binance"]["start_balances"] == {
        "BTC": "0.1",
        "USDT": "5000",
    }
    for key in ("net_pnl_quote", "return_pct", "max_drawdown_pct", "trades", "fees_quote", "orders", "fills"):
        assert key in payload
    # candle mode: the clock ticks at the controllers' and executors' update interval (a quarter bar), so
    # every executor is stamped with the time its open and close really happened
    assert payload["tick_seconds"] == payload["executor_update_seconds"] == 15.0
    assert (tmp_path / "r.html").read_text().startswith("<!doctype html>")


@pytest.mark.parametrize("item", ["USDT", "USDT=-5", "=5", "USDT=abc"])
def test_bad_balance_arguments_are_rejected(item: str) -> None:
    with pytest.raises(ConfigError, match="ASSET=AMOUNT"):
        parse_balances([item])


def test_data_without_the_traded_pair_is_refused(shared_data_dir: Path) -> None:
    with pytest.raises(DataError, match="no market data for binance BTC-USDT"):
        run_replay(
            ReplayRequest(
                script_config=SCRIPT,
                sim_config=SIM,
                data=(shared_data_dir / "binance_ETH-USDT_1m_2024-07-26_2024-08-25.csv",),
                start="2024-08-01",
                end="2024-08-01",
            )
        )


def test_keep_open_reports_the_open_executors(shared_data_dir: Path) -> None:
    payload = run_replay(_book_request(shared_data_dir, close_at_end=False)).payload
    open_executors = [e for e in payload["executors"] if e["close_type"] is None]
    assert open_executors, "without the final stop, executors are still running"
    known_orders = {o["order_id"] for o in payload["orders"]}
    assert all(set(e["order_ids"]) <= known_orders for e in open_executors)
    assert {Decimal(v) for v in payload["connectors"]["binance"]["reconciliation"].values()} == {Decimal(0)}


def test_candle_replay_is_deterministic(shared_data_dir: Path) -> None:
    def once() -> dict[str, Any]:
        request = ReplayRequest(
            script_config=SCRIPT,
            sim_config=SIM,
            data=(shared_data_dir / MONTH_1M,),
            start="2024-08-01T00:00",
            end="2024-08-01T03:00",
        )
        return run_replay(request).payload

    first, second = once(), once()
    assert first["fills"] and _fill_keys(first) == _fill_keys(second)
    assert [e["close_type"] for e in first["executors"]] == [e["close_type"] for e in second["executors"]]
    assert first["account"] == second["account"]


def test_status_lines_into_a_file_are_whole_lines_not_carriage_returns(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    log = io.StringIO()  # not a terminal: a log file or a pipe
    run_replay(
        ReplayRequest(
            script_config=PROJECT_ROOT / "conf" / "scripts" / "sim_baseline_replay.yml",
            data=(shared_data_dir / "binance_BTC-USDT_1h.csv",),
            start="2023-01-01",
            end="2023-01-10",
            balances={"USDT": Decimal("1010")},
            status_stream=log,
            audit_path=tmp_path / "a.jsonl",
        )
    )
    text = log.getvalue()
    assert "\r" not in text and text.endswith("\n") and "100.0%" in text.splitlines()[-1]
