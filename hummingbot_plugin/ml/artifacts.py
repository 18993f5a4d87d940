"""Persistence: write and verify model directories (LightGBM text files + manifest.json, no pickles).

Loading order, each step failing with a ModelError that names the file and the fix:
1. ``manifest.json`` parses and validates (strict schema), spec version and feature list match this code;
2. every model file exists and its sha256 equals the manifest's — checked on the bytes in memory, BEFORE
   LightGBM sees them (a truncated model file can abort the whole process inside LightGBM, exit 134/139);
3. a structural check (UTF-8 text, starts with ``tree``, has ``end of trees``);
4. optionally (``probe=True``) LightGBM parses the files in a child process first, so even a file that
   passes the hash yet crashes the parser only kills the child;
5. the boosters are built from the verified text and their feature names compared with the manifest;
6. the seal (``seal.json``, :mod:`hummingbot_plugin.ml.seal`) covers the manifest's own bytes and every
   file: an edited and re-hashed manifest is refused here, at load, never at predict time.

``read_manifest`` also checks the manifest against itself (:func:`~hummingbot_plugin.ml.manifest.
consistency_problems`). ``write_model_dir`` seals the directory it writes.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.manifest import (
    RESEARCH_SPEC_VERSION,
    Manifest,
    consistency_problems,
    model_file_name,
    research_spec_problem,
)
from hummingbot_plugin.ml.spec import FEATURE_SPEC_VERSION, FeatureSet

__all__ = [
    "MANIFEST_NAME",
    "load_model_texts",
    "probe_in_subprocess",
    "read_manifest",
    "sha256_hex",
    "write_model_dir",
]

MANIFEST_NAME = "manifest.json"
PROBE_TIMEOUT_S = 120
_PROBE_CODE = (
    "import sys, lightgbm as lgb, numpy as np\n"
    "for p in sys.argv[1:]:\n"
    "    b = lgb.Booster(model_str=open(p, encoding='utf-8').read())\n"
    "    b.predict(np.zeros((1, b.num_feature())))\n"
)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_model_dir(
    out_dir: Path, model_texts: dict[float, str], manifest_fields: dict[str, Any]
) -> Manifest:
    """Write the quantile text files, a manifest holding their sha256, then the seal; returns the manifest."""
    from hummingbot_plugin.ml.seal import write_seal  # the seal module builds on this one

    out_dir.mkdir(parents=True, exist_ok=True)
    hashes: dict[str, str] = {}
    for level, text in sorted(model_texts.items()):
        data = text.encode("utf-8")
        name = model_file_name(level)
        (out_dir / name).write_bytes(data)
        hashes[name] = sha256_hex(data)
    manifest = Manifest(**manifest_fields, files=hashes)
    payload = json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"
    (out_dir / MANIFEST_NAME).write_text(payload, encoding="utf-8")
    write_seal(out_dir)
    return manifest


def read_manifest(model_dir: Path, *, accept_research: bool = False) -> Manifest:
    """Parse and validate ``manifest.json`` and check it against this code's feature specification
    (``accept_research``: a walk-forward research model, spec ``research-1``, is accepted too)."""
    path = model_dir / MANIFEST_NAME
    if not path.is_file():
        raise ModelError(
            f"no {MANIFEST_NAME} in {model_dir}", fix="point --model at a directory written by `train`"
        )
    try:
        manifest = Manifest.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise ModelError(f"{path} is not a valid manifest: {exc}", fix="retrain the model") from exc
    if accept_research and manifest.feature_spec_version == RESEARCH_SPEC_VERSION:
        problem = research_spec_problem(manifest)
        if problem:
            raise ModelError(f"{path}: {problem}", fix="retrain the model with this version of the plugin")
    elif manifest.feature_spec_version != FEATURE_SPEC_VERSION:
        raise ModelError(
            f"{path}: feature spec version {manifest.feature_spec_version!r} "
            f"!= code's {FEATURE_SPEC_VERSION!r}",
            fix="retrain the model with this version of the plugin",
        )
    try:
        if manifest.feature_spec_version != RESEARCH_SPEC_VERSION:
            FeatureSet.from_names(manifest.features)
    except ValueError as exc:
        raise ModelError(
            f"{path}: feature list does not match feature spec {FEATURE_SPEC_VERSION}",
            fix="retrain the model with this version of the plugin",
        ) from exc
    problems = consistency_problems(manifest)
    if problems:
        raise ModelError(f"{path} is inconsistent: {'; '.join(problems)}", fix="retrain the model")
    return manifest


def _verified_text(model_dir: Path, name: str, expected_sha: str) -> str:
    path = model_dir / name
    if not path.is_file():
        raise ModelError(f"model file {path} is missing", fix="restore the directory or retrain")
    data = path.read_bytes()
    if sha256_hex(data) != expected_sha:
        raise ModelError(
            f"model file {path} does not match its sha256 in {MANIFEST_NAME} (truncated or modified)",
            fix="restore the original file or retrain the model",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(f"model file {path} is not UTF-8 text", fix="retrain the model") from exc
    if not text.startswith("tree\n") or "end of trees" not in text:
        raise ModelError(f"model file {path} is not a complete LightGBM text model", fix="retrain the model")
    return text


def load_model_texts(model_dir: Path, manifest: Manifest) -> dict[float, str]:
    """Verified model texts per quantile level (hash + structure), read once from disk."""
    texts: dict[float, str] = {}
    for level in manifest.quantiles:
        name = model_file_name(level)
        if name not in manifest.files:
            raise ModelError(
                f"{MANIFEST_NAME} in {model_dir} lists no hash for {name}", fix="retrain the model"
            )
        texts[level] = _verified_text(model_dir, name, manifest.files[name])
    return texts


def probe_in_subprocess(model_dir: Path, manifest: Manifest) -> None:
    """Parse every model file with LightGBM in a child process; ModelError if the child fails or dies."""
    paths = [str(model_dir / model_file_name(level)) for level in manifest.quantiles]
    try:
        done = subprocess.run(
            [sys.executable, "-c", _PROBE_CODE, *paths],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ModelError(f"LightGBM probe of {model_dir} timed out", fix="retrain the model") from exc
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
        raise ModelError(
            f"LightGBM cannot load the model files in {model_dir} "
            f"(probe exit code {done.returncode}: {tail[0]})",
            fix="restore the original files or retrain the model",
        )
