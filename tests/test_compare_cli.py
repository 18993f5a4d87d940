"""The compare command lays result JSONs side by side, refuses files that are not results, and refuses
(or labels, on request) results over different periods or scopes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hummingbot_plugin.cli import main

PERIOD = {"first_bar": "2023-01-01T00:00:00Z", "last_bar": "2023-12-31T23:00:00Z"}


def _make_result(path: Path, **overrides: Any) -> Path:
    document: dict[str, Any] = {
        "return_pct": 12.5,
        "sharpe_daily_annualized": 1.1,
        "max_drawdown_pct": 7.0,
        "net_pnl_quote": 125.0,
        "trades": 9,
        "win_rate": 0.5,
        "fees_quote": 3.0,
        "exposure_time_pct": 40.0,
        "buy_and_hold_return_pct": 80.0,
        "buy_and_hold_sharpe_daily_annualized": 2.0,
        "buy_and_hold_max_drawdown_pct": 20.0,
        "period": PERIOD,
        "metrics_scope": "account (every market and venue)",
    }
    document.update(overrides)
    path.write_text(json.dumps(document))
    return path


def test_columns_follow_the_files_and_buy_and_hold_comes_last(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _make_result(tmp_path / "a.json")
    second = _make_result(tmp_path / "b.json", return_pct=-3.25, trades=4)
    assert main(["compare", str(first), str(second), "--labels", "trend", "ai"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "period 2023-01-01T00:00:00Z → 2023-12-31T23:00:00Z, scope account (every market and venue)"
    )
    assert lines[1].split() == ["trend", "ai", "buy", "&", "hold", "(trend)"]
    assert lines[2].split()[-3:] == ["+12.50", "-3.25", "+80.00"]
    trades_row = next(line for line in lines if line.startswith("trades"))
    assert trades_row.split()[-3:] == ["9", "4", "-"]


def test_different_periods_are_refused_unless_labelled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _make_result(tmp_path / "a.json")
    other = {"first_bar": "2023-01-01T00:00:00Z", "last_bar": "2023-03-31T23:00:00Z"}
    second = _make_result(tmp_path / "b.json", period=other)
    assert main(["compare", str(first), str(second)]) == 2
    assert "not comparable: different periods" in capsys.readouterr().err
    assert main(["compare", str(first), str(second), "--allow-mixed"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    assert "2023-03-31T23:00:00Z" in header and "2023-12-31T23:00:00Z" in header


def test_different_scopes_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = _make_result(tmp_path / "a.json")
    second = _make_result(tmp_path / "b.json", metrics_scope="binance BTC-USDT only")
    assert main(["compare", str(first), str(second)]) == 2
    assert "different scopes" in capsys.readouterr().err


def test_a_file_without_metrics_is_refused_with_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"hello": 1}))
    assert main(["compare", str(bad)]) == 2
    assert "written by the backtest or replay command" in capsys.readouterr().err


def test_label_count_must_match(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    result = _make_result(tmp_path / "a.json")
    assert main(["compare", str(result), "--labels", "x", "y"]) == 2
    assert "labels for 1 files" in capsys.readouterr().err
