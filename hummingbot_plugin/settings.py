"""Process settings read from the environment (one place, no singletons)."""

from __future__ import annotations

import os
from pathlib import Path

from hummingbot_plugin.errors import DataError

__all__ = ["PROJECT_ROOT", "data_dir", "data_file", "models_dir"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR_ENV = "HBP_DATA_DIR"


def data_dir() -> Path:
    """The market-data directory: ``$HBP_DATA_DIR`` or ``../shared/data`` from the project root."""
    raw = os.environ.get(DATA_DIR_ENV)
    path = Path(raw).expanduser() if raw else PROJECT_ROOT.parent / "shared" / "data"
    return path.resolve()


def data_file(name: str | Path) -> Path:
    """Resolve a data file: an existing path as given, else a name inside :func:`data_dir`."""
    candidate = Path(name).expanduser()
    if candidate.is_file():
        return candidate.resolve()
    inside = data_dir() / candidate
    if inside.is_file():
        return inside
    raise DataError(
        f"data file {str(name)!r} not found (looked in the working directory and {data_dir()})",
        fix=f"pass an existing path or set {DATA_DIR_ENV} to the folder holding it",
    )


def models_dir() -> Path:
    """The folder that holds shipped model artifacts."""
    return PROJECT_ROOT / "models"
