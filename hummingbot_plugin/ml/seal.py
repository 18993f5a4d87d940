"""The seal of a model directory (``seal.json``): the artifact verified as a whole.

``seal.json`` holds the sha256 of ``manifest.json`` and of every model file, the time from which the
version may trade (``valid_from``, never before the manifest's data cut-off) and ``digest``: the sha256
of those fields in canonical JSON. The digest is the model's identity — what the audit records and what a
controller config may pin (``model_sha256``). Editing the manifest (calibration, cut-off, quantile order)
and re-hashing its file list no longer loads: the manifest's own bytes no longer match the seal. A seal
beside the model is not a signature: pin ``model_sha256`` where whoever can write the model folder must
not choose the model.

``write_seal`` seals a directory that already verifies (manifest consistent, files match the manifest);
it never retrains. It writes through a temporary file and an atomic rename, last, so a reader never sees
a half-written version as sealed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.artifacts import MANIFEST_NAME, load_model_texts, read_manifest, sha256_hex
from hummingbot_plugin.ml.manifest import Manifest, epoch_seconds

__all__ = [
    "SEAL_FORMAT",
    "SEAL_NAME",
    "Seal",
    "check_seal_matches",
    "read_seal",
    "verify_seal",
    "verify_sealed",
    "write_seal",
]

SEAL_NAME = "seal.json"
SEAL_FORMAT = 1
_RESEAL = "re-seal an untouched copy with `python -m hummingbot_plugin model seal <dir>` or retrain"


class Seal(BaseModel):
    """The content of ``seal.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: int = SEAL_FORMAT
    model_id: str = Field(min_length=1)
    manifest_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    files: dict[str, str] = Field(min_length=1, description="model file name -> sha256 hex digest")
    valid_from: str
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")

    @property
    def valid_from_s(self) -> float:
        return epoch_seconds(self.valid_from)


def _digest(model_id: str, manifest_sha256: str, files: dict[str, str], valid_from: str) -> str:
    body = {
        "format": SEAL_FORMAT,
        "model_id": model_id,
        "manifest_sha256": manifest_sha256,
        "files": dict(sorted(files.items())),
        "valid_from": valid_from,
    }
    return sha256_hex(json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8"))


def write_seal(model_dir: Path, valid_from: str | None = None) -> Seal:
    """Verify ``model_dir`` (manifest, consistency, file hashes) and write its ``seal.json``."""
    manifest = read_manifest(model_dir, accept_research=True)  # research models are sealed too
    load_model_texts(model_dir, manifest)  # every model file matches the manifest's sha256
    stamp = valid_from or manifest.data_cutoff
    _check_valid_from(model_dir, manifest, stamp)
    manifest_sha = sha256_hex((model_dir / MANIFEST_NAME).read_bytes())
    files = {name: manifest.files[name] for name in sorted(manifest.files)}
    seal = Seal(
        model_id=manifest.model_id,
        manifest_sha256=manifest_sha,
        files=files,
        valid_from=stamp,
        digest=_digest(manifest.model_id, manifest_sha, files, stamp),
    )
    tmp = model_dir / f".{SEAL_NAME}.tmp"
    tmp.write_text(json.dumps(seal.model_dump(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, model_dir / SEAL_NAME)
    return seal


def read_seal(model_dir: Path) -> Seal:
    """Parse ``seal.json`` (ModelError if missing or malformed); the files are NOT checked here."""
    path = model_dir / SEAL_NAME
    if not path.is_file():
        raise ModelError(f"no {SEAL_NAME} in {model_dir} (unsealed model)", fix=_RESEAL)
    try:
        return Seal.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, ValidationError) as exc:
        raise ModelError(f"{path} is not a valid seal: {exc}", fix=_RESEAL) from exc


def verify_seal(model_dir: Path, pin: str | None = None) -> Seal:
    """The seal of ``model_dir`` after checking its digest, the pin, and the bytes of every sealed file."""
    seal = read_seal(model_dir)
    expected = _digest(seal.model_id, seal.manifest_sha256, seal.files, seal.valid_from)
    if seal.digest != expected:
        raise ModelError(f"{model_dir / SEAL_NAME}: digest does not match its content (edited)", fix=_RESEAL)
    if pin is not None and seal.digest != pin.lower():
        raise ModelError(
            f"model {model_dir} has seal sha256 {seal.digest[:12]}…, the config pins {pin[:12]}…",
            fix="point model_dir at the pinned model or update model_sha256 after reviewing the new model",
        )
    for name, digest in {MANIFEST_NAME: seal.manifest_sha256, **seal.files}.items():
        path = model_dir / name
        if not path.is_file():
            raise ModelError(f"sealed file {path} is missing", fix=_RESEAL)
        if sha256_hex(path.read_bytes()) != digest:
            raise ModelError(
                f"{path} does not match its sha256 in {SEAL_NAME} (modified after sealing)", fix=_RESEAL
            )
    return seal


def check_seal_matches(model_dir: Path, manifest: Manifest, seal: Seal) -> None:
    """The sealed file list is the manifest's, and ``valid_from`` is not before the data cut-off."""
    if seal.files != manifest.files or seal.model_id != manifest.model_id:
        raise ModelError(f"{model_dir / SEAL_NAME} does not describe this manifest's files", fix=_RESEAL)
    _check_valid_from(model_dir, manifest, seal.valid_from)


def _check_valid_from(model_dir: Path, manifest: Manifest, valid_from: str) -> None:
    try:
        early = epoch_seconds(valid_from) < epoch_seconds(manifest.data_cutoff)
    except ValueError as exc:
        raise ModelError(f"{model_dir}: valid_from {valid_from!r} is not a UTC time", fix=_RESEAL) from exc
    if early:
        raise ModelError(
            f"{model_dir}: valid_from {valid_from} is before the data cut-off {manifest.data_cutoff}",
            fix="a model may only trade after the data it was trained on: use a later --valid-from",
        )


def verify_sealed(model_dir: Path, manifest: Manifest, pin: str | None = None) -> Seal:
    """:func:`verify_seal` plus :func:`check_seal_matches` for an already parsed manifest."""
    seal = verify_seal(model_dir, pin)
    check_seal_matches(model_dir, manifest, seal)
    return seal
