"""What a candle download asks for (validated by ``data download``, fetched by hb/candles_download.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["DownloadRequest"]


@dataclass(frozen=True, slots=True)
class DownloadRequest:
    """A validated download: which market, which bars, where to write them."""

    connector: str
    trading_pair: str
    interval: str
    start: int
    end: int
    out: Path
