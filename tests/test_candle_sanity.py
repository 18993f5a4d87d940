"""Candle sanity at the edge: one causal check, used by `data check`, the live controller and the backtest.

Real files: every shipped 1h/5m file passes at the default thresholds (March 2020, May 2021 and the
Aug 2023 5m crash included) except one real bad print. Synthetic corruption of real bars: each kind is
flagged on its own bar only. Hypothesis: the check is causal (a prefix gives the same flags) and
scale-free.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from ai_factories import HOUR, Clock, make_config, make_controller, real_candles, tick
from hypothesis import given, settings
from hypothesis import strategies as st

from hummingbot_plugin.audit import AuditLog, SignalRecord, iter_records
from hummingbot_plugin.cli import main
from hummingbot_plugin.data import load_candles, write_candles_csv
from hummingbot_plugin.data.sanity import SanityLimits, check_bars
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.hb.risk_gate import RiskGate
from hummingbot_plugin.simulation.backtest.offline_provider import OfflineDataProvider

SHIPPED = [
    "binance_BTC-USDT_1h.csv",
    "binance_BTC-USDT_5m.csv",
    "binance_ETH-USDT_5m.csv",
    "okx_BTC-USDT_1h.csv",
    "kucoin_BTC-USDT_1h.csv",
    "kucoin_ETH-USDT_1h.csv",
    "coinbase_BTC-USD_1h.csv",
    "coinbase_ETH-USD_1h.csv",
    "kraken_BTC-USDT_1h.csv",
    "kraken_ETH-USDT_1h.csv",
]
NOW_BAR = pd.Timestamp("2023-01-02 03:00", tz="UTC").timestamp()  # a bar with a valid forecast


def _checks(
    df: pd.DataFrame, interval_s: int = 3600, limits: SanityLimits | None = None
) -> list[tuple[int, str]]:
    return [(f.row, f.check) for f in check_bars(df, interval_s, limits or SanityLimits())]


# -- real data --------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_files_pass_data_check(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check", name, "--max-gaps", "0"]) == 0
    assert "sanity:    0 bad bars" in capsys.readouterr().out


def test_the_one_real_bad_print_is_flagged_with_file_line_and_fix(capsys: pytest.CaptureFixture[str]) -> None:
    """Binance ETH-USDT, 2017-08-22 04:00: opens at 144.21 after a 280 close, closes at 287 (launch month)."""
    assert main(["data", "check", "binance_ETH-USDT_1h.csv", "--max-gaps", "0"]) == 1
    out = capsys.readouterr().out
    assert "sanity:    1 bad bars" in out
    assert "binance_ETH-USDT_1h.csv: row 120 (line 122): 2017-08-22 04:00 UTC: gap" in out and "fix:" in out


@pytest.mark.parametrize(
    ("start", "end", "worst"),
    [
        ("2020-01-15", "2020-03-31", -0.18),
        ("2021-04-01", "2021-05-31", -0.05),
        ("2022-10-01", "2022-11-30", -0.05),
    ],
    ids=["covid-march-2020", "may-2021", "ftx-nov-2022"],
)
def test_real_crashes_are_not_flagged(shared_data_dir: Path, start: str, end: str, worst: float) -> None:
    for pair in ("BTC", "ETH"):
        bars = load_candles(shared_data_dir / f"binance_{pair}-USDT_1h.csv", start=start, end=end)
        returns = np.diff(np.log(bars["close"].to_numpy()))
        assert returns.min() < worst, "the period must hold the crash"
        assert _checks(bars) == []


# -- synthetic corruption of real bars -------------------------------------------------------------
def _crash(bar: pd.Series) -> None:
    bar["close"] *= 0.5
    bar["low"] = min(bar["low"], bar["close"])


def _spike(bar: pd.Series) -> None:
    bar["close"] *= 1.5
    bar["high"] = max(bar["high"], bar["close"])


def _wick(bar: pd.Series) -> None:
    bar["high"] = 10 * bar["close"]


def _gap(bar: pd.Series) -> None:
    bar["open"] *= 1.2
    bar["high"] = max(bar["high"], bar["open"])


def _set(**values: float) -> Callable[[pd.Series], None]:
    def edit(bar: pd.Series) -> None:
        for key, value in values.items():
            bar[key] = value

    return edit


def _swap_high_low(bar: pd.Series) -> None:
    bar["high"], bar["low"] = bar["low"], bar["high"]


CORRUPTIONS = [
    ("50% crash", _crash, "return"),
    ("50% spike", _spike, "return"),
    ("x10 wick", _wick, "range"),
    ("20% open gap", _gap, "gap"),
    ("zero volume", _set(volume=0.0), "volume"),
    ("negative volume", _set(volume=-1.0), "ohlc"),
    ("high below low", _swap_high_low, "ohlc"),
    ("NaN close", _set(close=float("nan")), "ohlc"),
]


def _corrupted(bars: pd.DataFrame, row: int, edit: Callable[[pd.Series], None]) -> pd.DataFrame:
    out = bars.copy()
    bar = out.iloc[row].copy()
    edit(bar)
    out.iloc[row] = bar
    return out


@pytest.fixture(scope="module")
def calm(shared_data_dir: Path) -> pd.DataFrame:
    return load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", start="2023-06-01", end="2023-07-15")


@pytest.mark.parametrize(("name", "edit", "check"), CORRUPTIONS, ids=[c[0] for c in CORRUPTIONS])
def test_each_corruption_flags_its_bar_and_only_it(
    calm: pd.DataFrame, name: str, edit: Callable[[pd.Series], None], check: str
) -> None:
    assert _checks(calm) == []
    for row in (3, 500):  # during the warm-up (floor only) and with a week of history
        assert _checks(_corrupted(calm, row, edit)) == [(row, check)], name


def test_data_check_lists_corrupt_bars_with_file_line_and_fix(
    calm: pd.DataFrame, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "binance_BTC-USDT_1h.csv"
    write_candles_csv(_corrupted(_corrupted(calm, 500, _crash), 700, _set(volume=0.0)), path)
    assert main(["data", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "sanity:    2 bad bars" in out
    assert f"{path}: row 500 (line 502)" in out and f"{path}: row 700 (line 702)" in out
    assert out.count("fix:") == 2
    assert (
        main(
            [
                "data",
                "check",
                str(path),
                "--return-floor",
                "0.8",
                "--range-floor",
                "0.9",
                "--gap-limit",
                "0.8",
            ]
        )
        == 1
    )
    assert "sanity:    1 bad bars" in capsys.readouterr().out  # the thresholds are configurable


# -- maths -----------------------------------------------------------------------------------------
@st.composite
def candle_series(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(2, 160))
    steps = np.array(draw(st.lists(st.floats(-0.05, 0.05), min_size=n, max_size=n)))
    close = 100.0 * np.exp(np.cumsum(steps))
    opens = np.concatenate([[100.0], close[:-1]])
    bars = pd.DataFrame(
        {
            "timestamp": 3600.0 * np.arange(n) + 1.7e9,
            "open": opens,
            "high": np.maximum(opens, close) * 1.002,
            "low": np.minimum(opens, close) * 0.998,
            "close": close,
            "volume": 1.0 + np.arange(n) % 7,
        }
    )
    for row, factor in draw(st.lists(st.tuples(st.integers(0, n - 1), st.sampled_from([0.3, 1.8, 10.0])))):
        bars.loc[row, ["open", "high", "low", "close"][row % 4]] *= factor  # may break OHLC too
    drop = draw(st.sets(st.integers(1, n - 1), max_size=n // 5))  # missing bars
    return bars.drop(index=sorted(drop)).reset_index(drop=True)


SMALL = SanityLimits(vol_window=12, min_history=4, return_multiple=8.0, return_floor=0.1, range_floor=0.1)


@settings(max_examples=150, deadline=None)
@given(candle_series(), st.integers(1, 160), st.sampled_from([SanityLimits(), SMALL]))
def test_the_check_is_causal_a_prefix_gives_the_same_flags(
    bars: pd.DataFrame, cut: int, limits: SanityLimits
) -> None:
    whole = _checks(bars, limits=limits)
    prefix = bars.iloc[: min(cut, len(bars))]
    assert _checks(prefix, limits=limits) == [f for f in whole if f[0] < len(prefix)]


@settings(max_examples=100, deadline=None)
@given(candle_series(), st.floats(1e-3, 1e3))
def test_flags_do_not_depend_on_the_price_unit(bars: pd.DataFrame, scale: float) -> None:
    scaled = bars.copy()
    scaled[["open", "high", "low", "close"]] *= scale
    assert _checks(scaled, limits=SMALL) == _checks(bars, limits=SMALL)


# -- live: the AI controller ------------------------------------------------------------------------
@pytest.mark.parametrize(("bars_ago", "refused"), [(0, True), (10, True), (30, False)])
def test_a_bad_bar_in_the_last_24_closed_bars_gives_signal_zero_in_status_and_audit(
    tmp_path: Path, bars_ago: int, refused: bool
) -> None:
    candles = real_candles()
    target = NOW_BAR - bars_ago * HOUR
    row = int(np.flatnonzero(candles["timestamp"].to_numpy() == target)[0])
    controller = make_controller(
        make_config(long_threshold=0.01), _corrupted(candles, row, _crash), Clock(NOW_BAR + HOUR + 1)
    )
    audit = AuditLog(tmp_path / "audit")
    controller.risk_gate = RiskGate.for_controller(controller, state_dir=tmp_path / "state", audit=audit)
    tick(controller)
    reason = str(controller.processed_data["reason"])
    if not refused:  # the backtest forecasts again 24 bars after a quarantined bar: so does live
        assert "bad candle" not in reason
        return
    assert controller.processed_data["signal"] == 0 and reason.startswith("bad candle")
    assert any("bad candle" in line for line in controller.to_format_status())
    assert controller.determine_executor_actions() == []
    records = [r for r in iter_records(tmp_path / "audit") if isinstance(r, SignalRecord)]
    assert records[-1].signal == 0 and "bad candle" in records[-1].detail


def test_control_the_clean_bar_signals_long() -> None:
    controller = make_controller(make_config(long_threshold=0.01), real_candles(), Clock(NOW_BAR + HOUR + 1))
    tick(controller)
    assert controller.processed_data["signal"] == 1 and controller.processed_data["reason"] == ""


# -- backtest: the offline provider quarantines -----------------------------------------------------
START = pd.Timestamp("2023-01-01", tz="UTC").timestamp()


def _provider(bars: pd.DataFrame, interval: str = "5m", **kwargs: object) -> OfflineDataProvider:
    provider = OfflineDataProvider(bars, interval, source="test candles", **kwargs)  # type: ignore[arg-type]
    provider.update_backtesting_time(int(START), int(START + 7 * 86_400))
    return provider


def test_the_provider_never_serves_a_quarantined_bar(shared_data_dir: Path) -> None:
    five = load_candles(shared_data_dir / "binance_BTC-USDT_5m.csv", start="2022-12-20", end="2023-01-10")
    row = int(np.flatnonzero(five["timestamp"].to_numpy() == START + 86_400 + 1500)[0])
    provider = _provider(_corrupted(five, row, _spike))
    bad = float(five["timestamp"].iloc[row])
    assert provider.quarantined == [bad]
    served = asyncio.run(provider.get_candles_feed(_feed("5m")))
    assert bad not in set(served["timestamp"]) and len(served) > 2000
    hourly = provider.get_candles_df("binance", "BTC-USDT", "1h", max_records=24)
    assert START + 86_400 not in set(hourly["timestamp"])  # the hour built from the bad 5m bar
    assert START + 86_400 - 3600 in set(hourly["timestamp"]) and START + 86_400 + 3600 in set(
        hourly["timestamp"]
    )
    report = provider.quarantine_report()
    assert report["quarantined_bars"] == 1 and "return" in report["reasons"][0]
    assert _provider(five).quarantined == []


def test_too_many_bad_bars_refuse_the_backtest(calm: pd.DataFrame) -> None:
    bars = calm
    for row in range(100, 1000, 50):
        bars = _corrupted(bars, row, _set(volume=0.0))
    with pytest.raises(DataError, match="fail the candle sanity checks") as caught:
        _provider(bars, "1h")
    assert "data check" in (caught.value.fix or "")


def _feed(interval: str) -> object:
    from hummingbot.data_feed.candles_feed.data_types import CandlesConfig

    return CandlesConfig(connector="binance", trading_pair="BTC-USDT", interval=interval, max_records=300)


@pytest.mark.slow
def test_a_backtest_through_hummingbots_engine_never_trades_on_a_quarantined_bar(
    shared_data_dir: Path,
) -> None:
    """Traded on, a +50 % print while a long is open adds three positions; quarantined, nothing changes."""
    from hummingbot_plugin.hb.controller_config import load_controller_config
    from hummingbot_plugin.settings import PROJECT_ROOT
    from hummingbot_plugin.simulation.backtest.offline_run import EngineRun, run_offline

    candles = load_candles(shared_data_dir / "binance_BTC-USDT_1h.csv", start="2022-09-01", end="2023-02-28")
    config = load_controller_config(PROJECT_ROOT / "conf" / "controllers" / "ai_livestream_btc_usdt_1h.yml")
    start, end = pd.Timestamp("2023-02-01", tz="UTC").timestamp(), pd.Timestamp("2023-02-28 23:00", tz="UTC")

    def run(bars: pd.DataFrame) -> EngineRun:
        return run_offline(
            config,
            bars,
            "1h",
            start=int(start),
            end=int(end.timestamp()),
            resolution="1h",
            fee=0.001,
            source="t",
        )

    clean = run(candles)
    assert clean.executors, "the control run must hold a position to corrupt"
    entry = float(clean.executors[0].timestamp)
    bad_ts = entry + 3 * HOUR  # while the first long is open
    row = int(np.flatnonzero(candles["timestamp"].to_numpy() == bad_ts)[0])
    dirty = run(_corrupted(candles, row, _spike))
    assert dirty.provider.quarantined == [bad_ts]
    assert bad_ts not in set(dirty.features["timestamp"])

    def trades(r: EngineRun) -> list[tuple[float, str, float]]:
        return [(float(e.timestamp), str(e.close_type), float(e.net_pnl_quote)) for e in r.executors]

    assert trades(dirty) == trades(clean)
