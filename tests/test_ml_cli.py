"""train / predict / evaluate through the real CLI entry point on a real candle slice."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from ml_factories import real_candles

from hummingbot_plugin.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli")
    real_candles(start="2022-01-01", end="2022-10-31").to_csv(root / "candles.csv", index=False)
    return root


@pytest.fixture(scope="module")
def trained(workdir: Path) -> Path:
    out = workdir / "models" / "btc_cli"
    code = main(
        [
            "train",
            "--candles",
            str(workdir / "candles.csv"),
            "--pair",
            "BTC-USDT",
            "--interval",
            "1h",
            "--end",
            "2022-08-31",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def test_train_writes_a_verified_model_and_prints_the_report(
    trained: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = json.loads((trained / "manifest.json").read_text())
    assert manifest["train_end"] < "2022-09-01" and manifest["trading_pair"] == "BTC-USDT"
    assert sorted(manifest["files"]) == ["quantile_10.txt", "quantile_50.txt", "quantile_90.txt"]


def test_predict_writes_every_bar(trained: Path, workdir: Path) -> None:
    out = workdir / "preds.csv"
    assert (
        main(
            [
                "predict",
                "--model",
                str(trained),
                "--candles",
                str(workdir / "candles.csv"),
                "--start",
                "2022-09-01",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(out, keep_default_na=False, na_values=[""])
    assert list(table.columns[:8]) == [
        "timestamp",
        "q10",
        "q50",
        "q90",
        "p_short",
        "p_neutral",
        "p_long",
        "target_pct",
    ]
    assert table["timestamp"].min() == pd.Timestamp("2022-09-01", tz="UTC").timestamp()
    assert len(table) == 61 * 24 and table["q50"].notna().sum() > 1_400


def test_evaluate_writes_scores_and_plots(
    trained: Path, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = workdir / "eval"
    assert (
        main(
            [
                "evaluate",
                "--model",
                str(trained),
                "--candles",
                str(workdir / "candles.csv"),
                "--start",
                "2022-09-01",
                "--end",
                "2022-10-31",
                "--out-dir",
                str(out_dir),
            ]
        )
        == 0
    )
    report = json.loads((out_dir / "report.json").read_text())
    assert report["rows"] > 1_000 and len(report["coverage_model"]) == 3
    assert set(report["accuracy_by_tier"]) == {"client_piecewise", "calibrated_cdf"}
    for name in ("coverage.png", "reliability.png"):
        assert (out_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "pinball skill vs naive" in capsys.readouterr().out


def test_bad_model_directory_is_a_clean_error(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "predict",
            "--model",
            str(workdir / "nope"),
            "--candles",
            str(workdir / "candles.csv"),
            "--out",
            str(workdir / "x.csv"),
        ]
    )
    assert code == 2 and "no manifest.json" in capsys.readouterr().err
