"""The five silent failures of issue 11 are loud: the real CLI exits non-zero with the reason and the fix.

Each test runs ``python -m hummingbot_plugin`` in a child process, as a user would, and reads its exit code,
stdout and stderr. Dates in every message are ISO times (UTC), never epoch seconds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hummingbot_plugin.data.coverage import DataSpan, coverage, iso
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.validate.refusals import ModelCutoff, validity_problems

CONTROLLERS = PROJECT_ROOT / "conf" / "controllers"
AI_BTC = CONTROLLERS / "ai_livestream_btc_usdt_1h.yml"
EPOCH = re.compile(r"\b1[4-9]\d{8}(\.\d+)?\b")  # 2014..2033 in epoch seconds


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HBP_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "hummingbot_plugin", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _ai_config(path: Path, **changes: object) -> Path:
    data = yaml.safe_load(AI_BTC.read_text())
    data.update(changes)
    path.write_text(yaml.safe_dump(data))
    return path


def _no_epoch(text: str) -> None:
    assert not EPOCH.search(text), f"raw epoch seconds in: {text}"


# ----- 1. validate --------------------------------------------------------------------------------------
def test_validate_fails_on_a_missing_model_a_refusing_controller_and_an_unknown_balance_asset(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    conf = tmp_path / "conf"
    (conf / "controllers").mkdir(parents=True)
    (conf / "scripts").mkdir()
    missing = _ai_config(conf / "controllers" / "ai_missing.yml", id="ai_missing", model_dir="no_such_model")
    other_pair = _ai_config(
        conf / "controllers" / "ai_eth_model.yml", id="ai_eth", model_dir="eth_usdt_1h_oos2023"
    )
    never = _ai_config(
        conf / "controllers" / "ai_never.yml", id="ai_never", long_threshold=1.0, min_order_quote=5000
    )
    script = conf / "scripts" / "paper.yml"
    script.write_text(
        yaml.safe_dump(
            {
                "script_file_name": "v2_guarded_controllers.py",
                "controllers_config": ["ai_never.yml"],
                "paper_trading": {"balances": {"USD": 1000, "BTC": 0}},
                "live_trading": False,
            }
        )
    )
    done = _cli(shared_data_dir, "validate", str(conf))
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()

    def line(file: Path, field: str) -> str:
        found = [x for x in lines if x.startswith(f"ERROR {file}: {field}:")]
        assert found, f"no error for {file.name} {field} in:\n{done.stdout}"
        return found[0]

    assert "no_such_model" in line(missing, "model_dir")
    fix = "fix: point model_dir at one of ['btc_usdt_1h', 'btc_usdt_1h_oos2023']"
    assert fix in line(missing, "model_dir")
    assert "trained on ETH-USDT 1h" in line(other_pair, "model_dir")
    assert "can never be met" in line(never, "long_threshold")
    assert "below min_order_quote 5000" in line(never, "min_order_quote")
    unknown = line(script, "paper_trading.balances.USD")
    assert "neither the base nor the quote" in unknown and "did you mean USDT?" in unknown
    assert "no USDT balance" in line(script, "paper_trading.balances.USDT")
    assert lines[-1] == "INVALID: 4 file(s) checked, 6 error(s), 0 warning(s)"


def test_validate_on_the_shipped_conf_still_exits_0(shared_data_dir: Path) -> None:
    done = _cli(shared_data_dir, "validate", "conf")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("OK:") and " 0 error(s)" in done.stdout


# ----- 2. no (usable) model: backtest and replay refuse before the run ---------------------------------
@pytest.mark.slow
def test_backtest_and_replay_refuse_a_missing_model_before_the_run(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    config = _ai_config(tmp_path / "ai_missing.yml", id="ai_missing", model_dir="no_such_model")
    out = tmp_path / "bt.json"
    done = _cli(
        shared_data_dir,
        "backtest",
        "--config",
        str(config),
        "--candles",
        "binance_BTC-USDT_1h.csv",
        "--start",
        "2023-03-01",
        "--end",
        "2023-03-31",
        "--json",
        str(out),
    )
    assert done.returncode == 2 and not out.exists()
    assert f"{config}: model_dir: model unavailable" in done.stderr
    assert "fix: point model_dir at" in done.stderr
    script = tmp_path / "script.yml"  # Hummingbot joins an absolute controller path as given
    script.write_text(
        yaml.safe_dump({"script_file_name": "v2_plugin_controllers.py", "controllers_config": [str(config)]})
    )
    out = tmp_path / "rp.json"
    done = _cli(
        shared_data_dir,
        "replay",
        "--script-config",
        str(script),
        "--data",
        "binance_BTC-USDT_1h.csv",
        "--start",
        "2023-03-01",
        "--end",
        "2023-03-03",
        "--balance",
        "USDT=1000",
        "--quiet",
        "--json",
        str(out),
    )
    assert done.returncode == 2 and not out.exists()
    assert f"{config}: model_dir: model unavailable" in done.stderr and "fix:" in done.stderr


@pytest.mark.slow
def test_backtest_refuses_a_period_wholly_inside_the_models_training_data(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    done = _cli(
        shared_data_dir,
        "backtest",
        "--config",
        str(AI_BTC),
        "--candles",
        "binance_BTC-USDT_1h.csv",
        "--start",
        "2022-06-01",
        "--end",
        "2022-06-30",
        "--json",
        str(tmp_path / "x.json"),
    )
    assert done.returncode == 2
    assert "is in-sample for model btc_usdt_1h_oos2023" in done.stderr
    assert "choose a period from 2023-01-01T00:00:00Z on" in done.stderr
    _no_epoch(done.stderr)


# ----- 3. no balance in the quote asset -------------------------------------------------------------------
@pytest.mark.slow
def test_replay_refuses_a_balance_in_an_asset_the_script_does_not_trade(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "r.json"
    done = _cli(
        shared_data_dir,
        "replay",
        "--script-config",
        "conf/scripts/sim_baseline_replay.yml",
        "--data",
        "binance_BTC-USDT_1h.csv",
        "--start",
        "2023-01-01",
        "--end",
        "2023-01-05",
        "--balance",
        "USD=1000",
        "--quiet",
        "--json",
        str(out),
    )
    assert done.returncode == 2 and not out.exists()
    assert "--balance: USD: USD is neither the base nor the quote asset" in done.stderr
    assert "--balance: USDT: no USDT balance: BTC-USDT cannot be bought" in done.stderr
    assert "fix: give a positive USDT balance, e.g. --balance USDT=1000" in done.stderr


# ----- 4. a period outside, or partly outside, the data ---------------------------------------------------
@pytest.mark.slow
def test_a_period_outside_the_data_fails_with_iso_times(shared_data_dir: Path, tmp_path: Path) -> None:
    backtest = _cli(
        shared_data_dir,
        "backtest",
        "--config",
        "conf/controllers/baseline_trend_btc_usdt_1h.yml",
        "--candles",
        "binance_BTC-USDT_1h.csv",
        "--start",
        "2030-01-01",
        "--end",
        "2030-02-01",
        "--json",
        str(tmp_path / "b.json"),
    )
    replay = _cli(
        shared_data_dir,
        "replay",
        "--script-config",
        "conf/scripts/sim_baseline_replay.yml",
        "--data",
        "binance_BTC-USDT_1h.csv",
        "--start",
        "2030-01-01",
        "--end",
        "2030-02-01",
        "--balance",
        "USDT=1010",
        "--quiet",
        "--json",
        str(tmp_path / "r.json"),
    )
    for done in (backtest, replay):
        assert done.returncode == 2, done.stderr
        assert "2030-01-01T00:00:00Z" in done.stderr and "2017-08-17T04:00:00Z" in done.stderr
        assert "fix: choose --start/--end inside" in done.stderr
        _no_epoch(done.stderr)


@pytest.mark.slow
def test_a_backtest_partly_outside_the_data_says_which_part_it_used(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "b.json"
    done = _cli(
        shared_data_dir,
        "backtest",
        "--config",
        "conf/controllers/baseline_trend_btc_usdt_1h.yml",
        "--candles",
        "binance_BTC-USDT_1h.csv",
        "--start",
        "2023-12-20",
        "--end",
        "2024-01-31",
        "--json",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    used = "partly outside the data (its end); using 2023-12-20T00:00:00Z → 2023-12-31T23:00:00Z"
    assert used in done.stderr
    period = json.loads(out.read_text())["period"]
    assert period["clipped"] is True
    assert (period["used_start"], period["used_end"]) == ("2023-12-20T00:00:00Z", "2023-12-31T23:00:00Z")
    assert period["last_bar"] == period["used_end"]


# ----- 5. a replay keeps its audit trail next to its JSON ---------------------------------------------------
@pytest.mark.slow
def test_a_default_replay_keeps_its_audit_trail_and_reports_a_clipped_period(
    shared_data_dir: Path, tmp_path: Path
) -> None:
    script = tmp_path / "ai_plain.yml"  # the plain runner: no audit of its own before this change
    script.write_text(
        yaml.safe_dump(
            {
                "script_file_name": "v2_plugin_controllers.py",
                "controllers_config": ["ai_livestream_btc_usdt_1h.yml"],
            }
        )
    )
    out = tmp_path / "run" / "ai.json"
    done = _cli(
        shared_data_dir,
        "replay",
        "--script-config",
        str(script),
        "--data",
        "binance_BTC-USDT_1h.csv",
        "--start",
        "2023-12-29",
        "--end",
        "2024-01-03",
        "--balance",
        "USDT=1000",
        "--quiet",
        "--json",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    used = "partly outside the data (its end); using 2023-12-29T00:00:00Z → 2024-01-01T00:00:00Z"
    assert used in done.stderr
    payload = json.loads(out.read_text())
    assert payload["period"]["clipped"] is True and payload["period"]["used_end"] == "2024-01-01T00:00:00Z"
    audit = tmp_path / "run" / "ai.audit.jsonl"
    assert payload["audit"]["path"] == str(audit) and f"audit trail: {audit}" in done.stdout
    entries = [json.loads(line) for line in audit.read_text().splitlines()]
    assert len(entries) == payload["audit"]["records"] > 0
    signals = [e["record"] for e in entries if e["record"]["type"] == "signal"]
    assert signals and all(s["source"] == "ai_livestream_btc_usdt_1h" for s in signals)
    verified = _cli(shared_data_dir, "audit", "verify", str(audit))
    assert verified.returncode == 0 and "chain intact" in verified.stdout


# ----- the shared coverage rule -----------------------------------------------------------------------
def test_coverage_cuts_the_request_to_the_common_data_and_flags_only_real_cuts() -> None:
    day = 86_400.0
    btc, eth = DataSpan("btc.csv", 0.0, 10 * day, 3600), DataSpan("eth.csv", 2 * day, 8 * day, 3600)
    inside = coverage([btc, eth], 3 * day, 5 * day - 1e-6)
    assert (inside.used_start, inside.clipped) == (3 * day, False)
    cut = coverage([btc, eth], day, 9 * day)
    assert (cut.used_start, cut.used_end) == (2 * day, 8 * day)
    assert cut.start_clipped and cut.end_clipped
    assert cut.note().startswith("note: the requested period 1970-01-02T00:00:00Z → 1970-01-10T00:00:00Z")
    assert coverage([btc], None, 10 * day + 3599).clipped is False  # less than one bar past the last one
    with pytest.raises(DataError, match="outside the data") as error:
        coverage([btc, eth], 20 * day, 21 * day)
    assert "eth.csv covers 1970-01-03T00:00:00Z → 1970-01-09T00:00:00Z" in error.value.message
    assert iso(1672531200.9) == "2023-01-01T00:00:00Z"


def test_a_period_wholly_outside_a_models_validity_is_an_error_and_partly_outside_a_note() -> None:
    day = 86_400.0
    model = ModelCutoff("ai.yml", "m1", cutoff=10 * day, expires=20 * day)
    assert validity_problems([model], 11 * day, 19 * day) == ([], [])
    before, _ = validity_problems([model], 2 * day, 9 * day)
    after, _ = validity_problems([model], 21 * day, 30 * day)
    assert [p.path for p in before + after] == ["model_dir", "model_max_age_days"]
    assert "in-sample for model m1" in before[0].message and "1970-01-11T00:00:00Z" in before[0].fix
    assert "expired at 1970-01-21T00:00:00Z" in after[0].message
    problems, notes = validity_problems([model], 5 * day, 25 * day)
    assert problems == [] and len(notes) == 2
    assert "bars before 1970-01-11T00:00:00Z are in-sample" in notes[0] and "expires at" in notes[1]
