"""Sealed model artifacts (issue 13 item 5): the manifest's own bytes are covered, the manifest is checked
against itself at load (never at predict time), and a config may pin the seal. Real shipped models, real
files, real LightGBM."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ai_factories import HOUR, Clock, copy_model, make_config, make_controller, real_candles, tick

from hummingbot_plugin.cli import main
from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.artifacts import sha256_hex
from hummingbot_plugin.ml.forecaster import Forecaster
from hummingbot_plugin.ml.seal import SEAL_NAME, verify_seal, write_seal
from hummingbot_plugin.settings import models_dir

NOW = 1672628400.0 + HOUR + 1  # 2023-01-02 03:00 UTC bar closed: a valid BTC forecast
SHIPPED = ("btc_usdt_1h", "btc_usdt_1h_oos2023", "eth_usdt_1h", "eth_usdt_1h_oos2023")


def _edit(model: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Edit manifest.json the way the issue's attacker did: change a field, keep the file list valid."""
    path = model / "manifest.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")


def _shift_calibration(m: dict[str, Any]) -> None:
    m["calibration"]["shifts"] = [s + 0.004 for s in m["calibration"]["shifts"]]


def test_shipped_models_verify_and_resealing_them_is_byte_identical(tmp_path: Path) -> None:
    assert main(["model", "verify", *(str(models_dir() / n) for n in SHIPPED)]) == 0
    for name in SHIPPED:
        copy = copy_model(tmp_path, name)
        write_seal(copy)  # the tool re-seals from the files; it never retrains
        assert (copy / SEAL_NAME).read_bytes() == (models_dir() / name / SEAL_NAME).read_bytes()


TAMPERS: list[tuple[str, Callable[[dict[str, Any]], object], str]] = [
    ("calibration shifted", _shift_calibration, "manifest.json does not match its sha256 in seal.json"),
    (
        "cut-off moved into training",
        lambda m: m.__setitem__("data_cutoff", "2022-06-01T00:00:00Z"),
        "before the last training label",
    ),
    ("one calibration shift missing", lambda m: m["calibration"]["shifts"].pop(), "has 2 values for 3"),
    ("quantile order reversed", lambda m: m["quantiles"].reverse(), "not strictly increasing"),
    (
        "calibration fitted after training",
        lambda m: m["calibration"].__setitem__("fitted_on_end", "2023-06-01T00:00:00Z"),
        "fitted_on_end",
    ),
]


@pytest.mark.parametrize(("name", "change", "message"), TAMPERS, ids=[t[0] for t in TAMPERS])
def test_an_edited_manifest_is_refused_at_load(
    name: str, change: Callable[[dict[str, Any]], object], message: str, tmp_path: Path
) -> None:
    model = copy_model(tmp_path)
    _edit(model, change)
    with pytest.raises(ModelError, match=message):
        Forecaster.load(model, probe=False)
    controller = make_controller(
        make_config(model_dir=str(model), long_threshold=0.01), real_candles(), Clock(NOW)
    )
    tick(controller)
    assert controller.processed_data["signal"] == 0
    assert "model unavailable" in controller.processed_data["reason"]


@pytest.mark.parametrize("change", [TAMPERS[1][1], TAMPERS[2][1], TAMPERS[3][1]])
def test_the_seal_tool_refuses_an_inconsistent_manifest(
    change: Callable[[dict[str, Any]], object], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = copy_model(tmp_path)
    _edit(model, change)
    assert main(["model", "seal", str(model)]) == 2
    assert "inconsistent" in capsys.readouterr().err


def test_seal_edits_and_missing_seal_are_refused(tmp_path: Path) -> None:
    model = copy_model(tmp_path)
    seal_path = model / SEAL_NAME
    original = seal_path.read_text()
    seal_path.write_text(original.replace('"valid_from": "2023-01-01', '"valid_from": "2022-01-01'))
    with pytest.raises(ModelError, match="digest does not match"):
        verify_seal(model)
    seal_path.unlink()
    with pytest.raises(ModelError, match=r"no seal\.json"):
        Forecaster.load(model, probe=False)
    with pytest.raises(ModelError, match="before the data cut-off"):
        write_seal(model, valid_from="2022-12-01T00:00:00Z")  # would trade its own training data
    write_seal(model)
    assert seal_path.read_text() == original


def test_a_resealed_tampering_needs_the_pin_to_be_caught(tmp_path: Path) -> None:
    # A seal beside the model is not a signature: whoever can write the folder can re-seal a consistent
    # edit. Pinning model_sha256 in the controller config is what refuses it.
    pin = json.loads((models_dir() / "btc_usdt_1h_oos2023" / SEAL_NAME).read_text())["digest"]
    model = copy_model(tmp_path)
    pinned = make_controller(
        make_config(model_dir=str(model), model_sha256=pin, long_threshold=0.01), real_candles(), Clock(NOW)
    )
    tick(pinned)
    assert pinned.processed_data["reason"] == "" and pinned.engine.info.sha256 == pin
    _edit(model, _shift_calibration)
    resealed = write_seal(model)
    assert resealed.digest != pin
    Forecaster.load(model, probe=False)  # consistent and re-sealed: loads without a pin
    controller = make_controller(
        make_config(model_dir=str(model), model_sha256=pin), real_candles(), Clock(NOW)
    )
    tick(controller)
    assert controller.processed_data["signal"] == 0
    assert "the config pins" in controller.processed_data["reason"]
    assert any("REFUSED" in line for line in controller.to_format_status())


def test_a_model_file_changed_after_sealing_is_refused_by_the_seal_itself(tmp_path: Path) -> None:
    model = copy_model(tmp_path)
    path = model / "quantile_90.txt"
    path.write_text(path.read_text() + "\n")
    with pytest.raises(ModelError, match=r"quantile_90\.txt does not match its sha256 in seal\.json"):
        verify_seal(model)
    assert (
        sha256_hex(path.read_bytes())
        != json.loads((model / SEAL_NAME).read_text())["files"]["quantile_90.txt"]
    )
