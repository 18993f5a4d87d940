"""Model directories: sha256 verified before LightGBM reads a byte; corrupt artifacts fail closed."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from ml_factories import train_small_model

from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.artifacts import sha256_hex
from hummingbot_plugin.ml.forecaster import Forecaster

MODEL_FILE = "quantile_50.txt"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("artifacts") / "small_b"
    train_small_model(out)
    return out


@pytest.fixture
def model_dir(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "model"))


def _edit_manifest(model_dir: Path, edit: Callable[[dict], None]) -> None:  # type: ignore[type-arg]
    path = model_dir / "manifest.json"
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def _truncate(model_dir: Path, keep_end_marker: bool) -> None:
    path = model_dir / MODEL_FILE
    text = path.read_text()
    bad = text[: len(text) // 2] + ("\nend of trees\n" if keep_end_marker else "")
    path.write_text(bad)


def _rehash(model_dir: Path) -> None:
    digest = sha256_hex((model_dir / MODEL_FILE).read_bytes())
    _edit_manifest(model_dir, lambda m: m["files"].__setitem__(MODEL_FILE, digest))


def test_pristine_directory_loads(model_dir: Path) -> None:
    forecaster = Forecaster.load(model_dir, probe=True)
    assert forecaster.manifest.model_id == "small_b"


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (lambda d: _truncate(d, keep_end_marker=False), "does not match its sha256"),
        (
            lambda d: (d / MODEL_FILE).write_bytes((d / MODEL_FILE).read_bytes() + b"x"),
            "does not match its sha256",
        ),
        (lambda d: (d / MODEL_FILE).unlink(), "is missing"),
        (lambda d: (d / "manifest.json").unlink(), "no manifest.json"),
        (lambda d: (d / "manifest.json").write_text("{not json"), "not a valid manifest"),
        (lambda d: _edit_manifest(d, lambda m: m.__setitem__("surprise", 1)), "not a valid manifest"),
        (
            lambda d: _edit_manifest(d, lambda m: m.__setitem__("feature_spec_version", "0")),
            "feature spec version",
        ),
        (lambda d: _edit_manifest(d, lambda m: m["features"].reverse()), "feature list does not match"),
        (lambda d: _edit_manifest(d, lambda m: m["files"].pop(MODEL_FILE)), "lists no hash"),
        (lambda d: (_truncate(d, keep_end_marker=False), _rehash(d)), "not a complete LightGBM text model"),
    ],
)
def test_corrupt_artifacts_raise_model_error_before_lightgbm_parses(
    corrupt: Callable[[Path], object], message: str, model_dir: Path
) -> None:
    corrupt(model_dir)
    with pytest.raises(ModelError, match=message):
        Forecaster.load(model_dir, probe=False)  # in-process: must never reach LightGBM's parser


def test_model_trained_on_other_features_is_refused(model_dir: Path, tmp_path: Path) -> None:
    text = (model_dir / MODEL_FILE).read_text().replace("feature_names=ret_1 ", "feature_names=other_1 ", 1)
    (model_dir / MODEL_FILE).write_text(text)
    _rehash(model_dir)
    with pytest.raises(ModelError, match="other features"):
        Forecaster.load(model_dir, probe=False)


_LOAD_IN_CHILD = (
    "import sys\n"
    "from hummingbot_plugin.errors import ModelError\n"
    "from hummingbot_plugin.ml.forecaster import Forecaster\n"
    "try:\n"
    "    Forecaster.load(sys.argv[1], probe=sys.argv[2] == 'probe')\n"
    "except ModelError as exc:\n"
    "    print('MODEL_ERROR', exc)\n"
    "    sys.exit(3)\n"
)


def test_a_file_that_crashes_lightgbm_is_caught_by_the_subprocess_probe(model_dir: Path) -> None:
    # A half file with the end marker re-appended and a matching hash passes every static check, yet
    # LightGBM's parser aborts the process (SIGABRT). Show both: without the probe the loading process
    # dies; with it, loading fails with a ModelError and the process lives.
    _truncate(model_dir, keep_end_marker=True)
    _rehash(model_dir)
    unprobed = subprocess.run(
        [sys.executable, "-c", _LOAD_IN_CHILD, str(model_dir), "no"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert unprobed.returncode < 0 or unprobed.returncode in (134, 139), unprobed.returncode
    probed = subprocess.run(
        [sys.executable, "-c", _LOAD_IN_CHILD, str(model_dir), "probe"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probed.returncode == 3, probed.stderr
    assert "LightGBM cannot load the model files" in probed.stdout
