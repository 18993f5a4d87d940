"""Parse a raw Binance websocket capture (``<receive ns> <json>`` per line, optionally gzipped).

Yields typed messages in receive order: the REST depth snapshot, ``depth@100ms`` diffs, trades and
book-ticker updates. Used to test the paper-trading seam offline with real exchange messages.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from hummingbot_plugin.errors import DataError
from hummingbot_plugin.simulation.engine.models import Side

__all__ = ["CaptureKind", "CaptureMessage", "iter_capture"]


class CaptureKind(Enum):
    SNAPSHOT = "snapshot"
    DIFF = "diff"
    TRADE = "trade"
    BOOK_TICKER = "book_ticker"


@dataclass(frozen=True)
class CaptureMessage:
    """One message. ``bids``/``asks`` are (price, amount) with amount 0 meaning 'level removed'."""

    kind: CaptureKind
    received_at: float
    first_update_id: int = 0
    last_update_id: int = 0
    bids: tuple[tuple[Decimal, Decimal], ...] = ()
    asks: tuple[tuple[Decimal, Decimal], ...] = ()
    price: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)
    aggressor: Side = Side.BUY
    trade_id: str = ""
    trade_time: float = 0.0


def _levels(raw: list[list[str]]) -> tuple[tuple[Decimal, Decimal], ...]:
    return tuple((Decimal(p), Decimal(q)) for p, q in raw)


def _parse(received_at: float, body: dict[str, Any]) -> CaptureMessage | None:
    if "lastUpdateId" in body:
        uid = int(body["lastUpdateId"])
        return CaptureMessage(
            CaptureKind.SNAPSHOT, received_at, uid, uid, _levels(body["bids"]), _levels(body["asks"])
        )
    stream, data = str(body.get("stream", "")), body.get("data", {})
    if stream.endswith("@trade"):
        return CaptureMessage(
            CaptureKind.TRADE,
            received_at,
            price=Decimal(data["p"]),
            amount=Decimal(data["q"]),
            aggressor=Side.SELL if data["m"] else Side.BUY,
            trade_id=str(data["t"]),
            trade_time=int(data["T"]) / 1000.0,
        )
    if "@depth" in stream:
        return CaptureMessage(
            CaptureKind.DIFF,
            received_at,
            int(data["U"]),
            int(data["u"]),
            _levels(data["b"]),
            _levels(data["a"]),
        )
    if stream.endswith("@bookTicker"):
        uid = int(data["u"])
        return CaptureMessage(
            CaptureKind.BOOK_TICKER,
            received_at,
            uid,
            uid,
            ((Decimal(data["b"]), Decimal(data["B"])),),
            ((Decimal(data["a"]), Decimal(data["A"])),),
        )
    return None


def iter_capture(path: Path) -> Iterator[CaptureMessage]:
    """Messages of a capture file in receive order; a malformed line raises naming the line."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        for number, line in enumerate(handle, start=1):
            stamp, _, payload = line.partition(" ")
            try:
                message = _parse(int(stamp) / 1e9, json.loads(payload))
            except (ValueError, KeyError, TypeError) as exc:
                raise DataError(
                    f"{path.name} line {number}: not a '<ns> <json>' capture line ({exc})",
                    fix="pass a raw websocket capture file",
                ) from exc
            if message is not None:
                yield message
