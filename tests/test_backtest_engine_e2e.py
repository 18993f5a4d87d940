"""End to end through Hummingbot's real BacktestingEngineBase, offline, on real data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from hummingbot_plugin.baseline.trend_signal import TrendParams, trend_features
from hummingbot_plugin.cli import main
from hummingbot_plugin.data import load_candles, to_epoch_bound
from hummingbot_plugin.hb.controller_config import load_controller_config
from hummingbot_plugin.ledger import Marks, account_figures, build_ledger
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.backtest.offline_run import EngineRun, run_offline

pytestmark = pytest.mark.slow

BTC_CONFIG = PROJECT_ROOT / "conf" / "controllers" / "baseline_trend_btc_usdt_1h.yml"
FEE = 0.001
LOOSE = {"max_drawdown_pct": "0.5"}


def _run(candles_file: Path, start: str, end: str, resolution: str, **overrides: Any) -> EngineRun:
    candles = load_candles(candles_file)
    interval = "5m" if "5m" in candles_file.name else "1h"
    config = load_controller_config(BTC_CONFIG, overrides)
    lower, upper = to_epoch_bound(start, is_end=False), to_epoch_bound(end, is_end=True)
    assert lower is not None and upper is not None
    return run_offline(
        config,
        candles,
        interval,
        start=int(lower),
        end=int(upper),
        resolution=resolution,
        fee=FEE,
        source=str(candles_file),
    )


@pytest.fixture(scope="module")
def hourly_run(shared_data_dir: Path) -> EngineRun:
    # a loose drawdown limit: this module checks the engine and the ledger, not the risk gate
    return _run(shared_data_dir / "binance_BTC-USDT_1h.csv", "2023-01-01", "2023-04-30", "1h", risk=LOOSE)


def test_our_metrics_match_independent_recomputation_from_executors(hourly_run: EngineRun) -> None:
    capital = 1000.0
    marks = Marks(hourly_run.timestamps, {hourly_run.market: hourly_run.closes})
    ledger = build_ledger(hourly_run.fills, hourly_run.start_balances, marks)
    metrics, equity = account_figures(ledger), ledger.equity
    filled = [e for e in hourly_run.executors if float(e.filled_amount_quote) > 0]
    assert len(filled) >= 3, "the baseline should trade in four months of 2023"
    pnls = [float(e.net_pnl_quote) for e in filled]
    assert metrics.trades == len(filled)
    assert metrics.net_pnl_quote == pytest.approx(sum(pnls), abs=1e-6)
    assert equity[-1] == pytest.approx(capital + sum(pnls), abs=1e-6)
    assert metrics.fees_quote == pytest.approx(sum(float(e.cum_fees_quote) for e in filled))
    assert metrics.win_rate == pytest.approx(sum(p > 0 for p in pnls) / len(pnls))
    gains, losses = sum(p for p in pnls if p > 0), -sum(p for p in pnls if p < 0)
    assert metrics.profit_factor == pytest.approx(gains / losses)
    assert hourly_run.hummingbot_summary["net_pnl_quote"] == pytest.approx(sum(pnls), abs=1e-6)


def test_simulated_bars_are_exactly_the_requested_period(
    hourly_run: EngineRun, shared_data_dir: Path
) -> None:
    expected = load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", start="2023-01-01", end="2023-04-30")
    np.testing.assert_array_equal(hourly_run.timestamps, expected["timestamp"].to_numpy())
    np.testing.assert_array_equal(hourly_run.closes, expected["close"].to_numpy())


def test_trades_follow_the_trend_signal(hourly_run: EngineRun, shared_data_dir: Path) -> None:
    """Entries happen on bars whose warm (history-fed) signal is +1; early stops where it is not."""
    candles = load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", end="2023-04-30")
    features = trend_features(candles, TrendParams(50, 200)).set_index("timestamp")
    for record in hourly_run.records:
        assert features.loc[record.created_ts, "signal"] == 1
        if record.close_type == "EARLY_STOP":
            assert features.loc[record.close_ts, "signal"] == 0


def test_finer_resolution_uses_hourly_features_only_once_the_hour_closed(shared_data_dir: Path) -> None:
    """At 5m resolution, the 5m bar closing at C sees the hourly SMA of the last hour closed by C."""
    run = _run(shared_data_dir / "binance_BTC-USDT_5m.csv", "2023-01-01", "2023-01-21", "5m")
    hourly = trend_features(run.provider.candles_at("1h"), TrendParams(50, 200)).set_index("timestamp")
    seen = run.features.set_index("timestamp")["fast_sma"]
    bar_close = seen.index.to_numpy() + 300
    last_closed_hour_open = np.floor(bar_close / 3600) * 3600 - 3600
    np.testing.assert_array_equal(
        seen.to_numpy(), hourly["fast_sma"].reindex(last_closed_hour_open).to_numpy()
    )
    assert len(seen) == 21 * 24 * 12  # every 5m bar of 1–21 January was simulated


def test_cli_writes_json_and_png(shared_data_dir: Path, tmp_path: Path, no_network: list[Any]) -> None:
    out, png = tmp_path / "bt.json", tmp_path / "bt.png"
    argv = [
        "backtest",
        "--config",
        str(BTC_CONFIG),
        "--candles",
        "binance_BTC-USDT_1h.csv",
        "--start",
        "2023-02-01",
        "--end",
        "2023-03-31",
        "--fee",
        "0.001",
        "--capital",
        "2000",
        "--json",
        str(out),
        "--report",
        str(png),
    ]
    assert main(argv) == 0
    document = json.loads(out.read_text())
    for key in (
        "net_pnl_quote",
        "return_pct",
        "sharpe_daily_annualized",
        "max_drawdown_pct",
        "trades",
        "win_rate",
        "profit_factor",
        "fees_quote",
        "volume_quote",
        "exposure_time_pct",
        "buy_and_hold_return_pct",
        "buy_and_hold_sharpe_daily_annualized",
        "equity_curve",
        "config",
        "data_file",
        "period",
        "fee",
    ):
        assert key in document, key
    assert document["capital"] == 2000.0 and float(document["config"]["total_amount_quote"]) == 2000.0
    curve = document["equity_curve"]
    expected_bars = len(
        load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", start="2023-02-01", end="2023-03-31")
    )
    assert len(curve) == document["period"]["bars"] == expected_bars
    assert curve[-1]["equity"] == pytest.approx(2000.0 + document["net_pnl_quote"])
    assert document["return_pct"] == pytest.approx(document["net_pnl_quote"] / 20.0)
    assert sum(e["net_pnl_quote"] for e in document["executors"]) == pytest.approx(document["net_pnl_quote"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert no_network == []


def test_zero_trade_period_gives_a_zero_trade_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hours = 24 * 30
    close = 1000.0 * np.exp(-0.001 * np.arange(hours))  # a steady fall: the fast SMA never crosses above
    candles = pd.DataFrame(
        {
            "timestamp": 1_672_531_200 + 3600 * np.arange(hours),
            "open": close * 1.0005,
            "high": close * 1.001,
            "low": close * 0.999,
            "close": close,
            "volume": 1.0,
        }
    )
    source = tmp_path / "falling.csv"
    candles.to_csv(source, index=False)
    out, html = tmp_path / "zero.json", tmp_path / "zero.html"
    argv = [
        "backtest",
        "--config",
        str(BTC_CONFIG),
        "--candles",
        str(source),
        "--start",
        "2023-01-15",
        "--json",
        str(out),
        "--report",
        str(html),
    ]
    assert main(argv) == 0
    document = json.loads(out.read_text())
    assert document["trades"] == 0 and document["net_pnl_quote"] == 0.0 and document["win_rate"] is None
    assert document["buy_and_hold_return_pct"] < -10
    assert "zero-trade report" in capsys.readouterr().out
    assert "<img" in html.read_text()


def test_5m_file_at_1h_resolution_equals_the_1h_file(hourly_run: EngineRun, shared_data_dir: Path) -> None:
    """Resampling in the provider is exact: same bars, same executors, same PnL as Binance's own 1h bars."""
    from_5m = _run(shared_data_dir / "binance_BTC-USDT_5m.csv", "2023-01-01", "2023-04-30", "1h", risk=LOOSE)
    np.testing.assert_array_equal(from_5m.timestamps, hourly_run.timestamps)
    np.testing.assert_array_equal(from_5m.closes, hourly_run.closes)
    assert [(r.entry_ts, r.close_ts, r.close_type) for r in from_5m.records] == [
        (r.entry_ts, r.close_ts, r.close_type) for r in hourly_run.records
    ]
    assert sum(r.net_pnl_quote for r in from_5m.records) == pytest.approx(
        sum(r.net_pnl_quote for r in hourly_run.records), rel=1e-12
    )
