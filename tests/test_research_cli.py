"""The walkforward command: registered, and refusing to overwrite a run or run on a short history."""

from __future__ import annotations

from pathlib import Path

import pytest

from hummingbot_plugin.cli import main


def test_an_existing_run_folder_needs_resume(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "report.json").write_text("{}")
    code = main(
        [
            "walkforward",
            "--candles",
            "binance_BTC-USDT_1h.csv",
            "--pair",
            "BTC-USDT",
            "--start",
            "2020-01-01",
            "--end",
            "2020-03-31",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 2 and "--resume" in capsys.readouterr().err


def test_a_period_without_enough_history_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "walkforward",
            "--candles",
            "binance_BTC-USDT_1h.csv",
            "--pair",
            "BTC-USDT",
            "--start",
            "2018-01-01",
            "--end",
            "2018-03-31",
            "--out",
            str(tmp_path / "run"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "500 days before 2018-01-01" in err
