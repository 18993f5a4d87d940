"""The compare command lays result JSONs side by side and refuses files that are not results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hummingbot_plugin.cli import main


def _make_result(path: Path, **overrides: float) -> Path:
    document = {"return_pct": 12.5, "sharpe_daily_annualized": 1.1, "max_drawdown_pct": 7.0,
                "net_pnl_quote": 125.0, "trades": 9, "win_rate": 0.5, "fees_quote": 3.0,
                "exposure_time_pct": 40.0, "buy_and_hold_return_pct": 80.0,
                "buy_and_hold_sharpe_daily_annualized": 2.0, "buy_and_hold_max_drawdown_pct": 20.0}
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
    assert lines[0].split() == ["trend", "ai", "buy", "&", "hold", "(trend)"]
    assert lines[1].split()[-3:] == ["+12.50", "-3.25", "+80.00"]
    trades_row = next(line for line in lines if line.startswith("trades"))
    assert trades_row.split()[1:] == ["9", "4", "-"]


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
