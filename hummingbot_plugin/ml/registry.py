"""Versioned model folders: which sealed version a controller should run at a given trading time.

``model_dir`` is either one model directory (it holds ``manifest.json``: a fixed model) or a REGISTRY:
a folder of version directories, e.g. ``models/btc_usdt_1h/<version>/``, each written by a retrain job
and sealed last (``seal.json`` appears atomically, so a half-written version is never a candidate).

The version to run at time ``now`` (the trading clock, epoch seconds):

* with a pointer file ``CURRENT`` in the registry (one line: a version name, written atomically by the
  job, e.g. write ``CURRENT.tmp`` then rename): that version;
* otherwise the sealed version with the latest ``valid_from`` not after ``now`` (ties: the greatest
  name). A version whose seal cannot be read is offered first, so that its refusal is seen.

Nothing here verifies a model: the caller tries the candidates in order, skips those it already refused
(by ``key``) and keeps its current model when none loads.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from hummingbot_plugin.ml.artifacts import MANIFEST_NAME, sha256_hex
from hummingbot_plugin.ml.manifest import epoch_seconds
from hummingbot_plugin.ml.seal import SEAL_NAME

__all__ = ["POINTER_NAME", "Candidate", "is_registry", "versions_at"]

POINTER_NAME = "CURRENT"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A version directory offered for ``now``; ``key`` changes whenever its seal (or pointer) does."""

    version: str
    path: Path
    valid_from: float
    key: str


def is_registry(path: Path) -> bool:
    """True if ``path`` is a folder of versions rather than one model directory."""
    return path.is_dir() and not (path / MANIFEST_NAME).exists()


def _candidate(path: Path) -> Candidate | None:
    seal_path = path / SEAL_NAME
    try:
        data = seal_path.read_bytes()
    except OSError:
        return None  # not sealed (yet): not a version
    try:
        valid_from = epoch_seconds(str(json.loads(data)["valid_from"]))
    except (ValueError, KeyError, TypeError):
        valid_from = -math.inf  # unreadable seal: offered so that its refusal is audited
    return Candidate(path.name, path, valid_from, sha256_hex(data))


def _pointed(root: Path) -> Candidate:
    name = (root / POINTER_NAME).read_text(encoding="utf-8").strip()
    path = root / name
    if not name or "/" in name or name.startswith(".") or not path.is_dir():
        return Candidate(name or "<empty>", path, -math.inf, f"pointer:{name}")
    return _candidate(path) or Candidate(name, path, -math.inf, f"unsealed:{name}")


def versions_at(root: Path, now: float) -> list[Candidate]:
    """The versions of registry ``root`` that may run at ``now``, preferred first (see module doc)."""
    if (root / POINTER_NAME).is_file():
        return [_pointed(root)]
    found = [c for p in sorted(root.iterdir()) if p.is_dir() and (c := _candidate(p)) is not None]
    broken = [c for c in found if c.valid_from == -math.inf]
    valid = sorted(
        (c for c in found if -math.inf < c.valid_from <= now),
        key=lambda c: (c.valid_from, c.version),
        reverse=True,
    )
    return broken + valid
