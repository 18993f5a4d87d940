"""Write candle frames in the shared-data CSV format."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from hummingbot_plugin.data.validation import CANDLE_COLUMNS

__all__ = ["write_candles_csv"]


def write_candles_csv(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as ``timestamp,open,high,low,close,volume`` with integer epoch-second timestamps."""
    out = df.loc[:, list(CANDLE_COLUMNS)].copy()
    out["timestamp"] = out["timestamp"].round().astype("int64")
    path.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(path, index=False)
