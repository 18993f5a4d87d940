"""The ``data`` command: check, resample, and the offline part of download."""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
import pytest

from hummingbot_plugin.cli import build_parser, main
from hummingbot_plugin.cli.data_download import request_from_args
from hummingbot_plugin.data import load_candles
from hummingbot_plugin.errors import ConfigError


def test_check_reports_real_gaps(shared_data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "check", str(shared_data_dir / "binance_BTC-USDT_1h.csv")]) == 0
    out = capsys.readouterr().out
    assert "interval:  1h" in out
    assert "gaps:      28 (128 missing bars" in out


def test_check_bad_file_exits_2_with_fix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("timestamp,open,high,low,close,volume\n60,1,2,0.5,1.5,1\n0,1,2,0.5,1.5,1\n")
    assert main(["data", "check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "row 1 (line 3)" in err and "fix: sort the file" in err


def test_resample_writes_a_loadable_file(tmp_path: Path, shared_data_dir: Path) -> None:
    out = tmp_path / "btc_1h.csv"
    source = shared_data_dir / "binance_BTC-USDT_1m_2024-07-26_2024-08-25.csv"
    assert main(["data", "resample", str(source), "--interval", "1h", "--out", str(out)]) == 0
    written = load_candles(out)
    assert written["timestamp"].diff().dropna().min() == 3600
    first_line = out.read_text().splitlines()[1]
    assert "." not in first_line.split(",")[0]  # integer epoch seconds, like the shared files
    assert written["volume"].sum() == pytest.approx(load_candles(source)["volume"].sum(), rel=1e-9)


def _download_args(**overrides: str) -> argparse.Namespace:
    argv = [
        "data",
        "download",
        "--connector",
        "binance",
        "--pair",
        "BTC-USDT",
        "--interval",
        "1h",
        "--start",
        "2024-01-01",
        "--end",
        "2024-01-31",
    ]
    for key, value in overrides.items():
        argv[argv.index(f"--{key}") + 1] = value
    return build_parser().parse_args(argv)


def test_download_request_from_args() -> None:
    request = request_from_args(_download_args(pair="eth-usdt"))
    assert request.trading_pair == "ETH-USDT"
    assert request.start == 1_704_067_200
    assert request.end == 1_704_067_200 + 31 * 86_400 - 1  # the whole last day
    assert request.out == Path("binance_ETH-USDT_1h.csv")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pair", "BTCUSDT", "not BASE-QUOTE"),
        ("end", "2023-12-01", "not after --start"),
    ],
)
def test_download_rejects_bad_arguments(field: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        request_from_args(_download_args(**{field: value}))


def test_download_rejects_unknown_interval(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _download_args(interval="7m")
    assert "invalid choice" in capsys.readouterr().err


def test_hummingbot_feed_frame_converts_to_our_format() -> None:
    """The frame Hummingbot's feed returns (its 10 columns, float) becomes our validated six."""
    from hummingbot.data_feed.candles_feed.candles_base import CandlesBase

    from hummingbot_plugin.data import candles_from_frame

    rows = [[1_704_067_200.0 + 3600 * i, 10.0, 11.0, 9.0, 10.5, 1.0, 10.0, 5.0, 0.5, 5.0] for i in range(3)]
    converted = candles_from_frame(pd.DataFrame(rows, columns=CandlesBase.columns), "binance BTC-USDT 1h")
    assert list(converted.columns) == ["timestamp", "open", "high", "low", "close", "volume"]
    assert len(converted) == 3
