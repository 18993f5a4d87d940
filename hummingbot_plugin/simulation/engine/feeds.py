"""Read replay market data (trades, L2 top-N, book ticker, candles) into time-ordered engine events.

File kinds are recognised by name (``*_trades_*``, ``*_l2_top*``, ``*_bookticker_*``, anything else is
candles read through :func:`hummingbot_plugin.data.load_candles`). Values are parsed from text
into :class:`~decimal.Decimal` exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from pathlib import Path

import pandas as pd

from hummingbot_plugin.data import infer_interval, interval_seconds, load_candles, to_epoch_bound
from hummingbot_plugin.data.coverage import iso
from hummingbot_plugin.data.loader import TimeBound
from hummingbot_plugin.errors import DataError
from hummingbot_plugin.settings import data_file
from hummingbot_plugin.simulation.engine.models import Bar, BookLevel, BookSnapshot, Side, TradePrint

__all__ = ["FeedKind", "MarketFeed", "detect_kind", "load_feed", "pair_from_filename", "venue_from_filename"]

_PAIR = re.compile(r"_([A-Z0-9]+-[A-Z0-9]+)_")


class FeedKind(Enum):
    TRADES = "trades"
    L2 = "l2"
    BOOKTICKER = "bookticker"
    CANDLES = "candles"
    WS_RAW = "ws_raw"


@dataclass(frozen=True)
class MarketFeed:
    """One loaded file: its kind, pair and events (book snapshots, trades or bars)."""

    path: Path
    kind: FeedKind
    trading_pair: str
    books: tuple[BookSnapshot, ...] = ()
    trades: tuple[TradePrint, ...] = ()
    bars: tuple[Bar, ...] = ()
    bar_seconds: int = 0
    history: pd.DataFrame | None = None  # candle files: every bar of the file (served only once closed)

    @property
    def first_timestamp(self) -> float:
        items = self.books or self.trades or self.bars
        return items[0].timestamp if items else 0.0

    @property
    def last_timestamp(self) -> float:
        if self.bars:
            return self.bars[-1].timestamp + self.bar_seconds
        items = self.books or self.trades
        return items[-1].timestamp if items else 0.0


def detect_kind(path: Path) -> FeedKind:
    name = path.name.lower()
    if "_ws_raw_" in name:
        return FeedKind.WS_RAW
    if "_trades_" in name:
        return FeedKind.TRADES
    if "_l2_" in name:
        return FeedKind.L2
    if "_bookticker_" in name:
        return FeedKind.BOOKTICKER
    return FeedKind.CANDLES


def pair_from_filename(path: Path) -> str:
    match = _PAIR.search(path.name)
    if not match:
        raise DataError(
            f"cannot tell the trading pair from file name {path.name!r}",
            fix="name the file <venue>_<BASE>-<QUOTE>_... or pass --pair",
        )
    return match.group(1)


def venue_from_filename(path: Path) -> str:
    return path.name.split("_", 1)[0].lower()


def load_feed(
    path: Path, *, start: TimeBound = None, end: TimeBound = None, pair: str | None = None
) -> MarketFeed:
    """Load one file; ``start``/``end`` are inclusive bounds accepted by ``load_candles``."""
    path = data_file(path)  # a path, or a name inside the data directory
    kind = detect_kind(path)
    trading_pair = pair or pair_from_filename(path)
    lo = to_epoch_bound(start, is_end=False)
    hi = to_epoch_bound(end, is_end=True)
    if kind is FeedKind.CANDLES:
        history = load_candles(path)  # the whole file: bars before --start are indicator warm-up
        ts = history["timestamp"].to_numpy()
        keep = (ts >= (lo if lo is not None else -float("inf"))) & (
            ts <= (hi if hi is not None else float("inf"))
        )
        df = history.loc[keep]
        if df.empty:
            covers = f"{iso(float(ts[0]))} → {iso(float(ts[-1]))}" if len(ts) else "nothing"
            raise DataError(
                f"{path.name}: no candles in the requested period {iso(lo)} → {iso(hi)} (the file covers "
                f"{covers})",
                fix="choose --start/--end inside the file, or pass data for that period",
            )
        return MarketFeed(
            path,
            kind,
            trading_pair,
            bars=_bars(df),
            history=history,
            bar_seconds=interval_seconds(infer_interval(history)),
        )
    if kind is FeedKind.WS_RAW:
        raise DataError(
            f"{path.name}: raw websocket captures are replayed by the live bridge",
            fix="use the trades/l2 CSV files for replay, or hummingbot_plugin.simulation.paper.book_feed",
        )
    raw = _read_text_csv(path)
    if kind is FeedKind.TRADES:
        return MarketFeed(path, kind, trading_pair, trades=_trades(raw, path, lo, hi))
    if kind is FeedKind.L2:
        return MarketFeed(path, kind, trading_pair, books=_l2(raw, path, lo, hi))
    return MarketFeed(path, kind, trading_pair, books=_bookticker(raw, path, lo, hi))


def _read_text_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str)
    except (OSError, ValueError) as exc:
        raise DataError(f"cannot read {path}: {exc}", fix="pass a readable CSV file") from exc


def _dec(value: str, path: Path, row: int, column: str) -> Decimal:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:
        raise DataError(
            f"{path.name} line {row + 2}, column {column!r}: {value!r} is not a number",
            fix="repair or drop that row",
        ) from exc


def _in_range(ts: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or ts >= lo) and (hi is None or ts <= hi)


def _require(raw: pd.DataFrame, path: Path, columns: list[str]) -> None:
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise DataError(f"{path.name}: missing columns {missing}", fix=f"expected columns {columns}")


def _trades(raw: pd.DataFrame, path: Path, lo: float | None, hi: float | None) -> tuple[TradePrint, ...]:
    _require(raw, path, ["timestamp_ms", "trade_id", "price", "qty", "is_buyer_maker"])
    out: list[TradePrint] = []
    for i, (ts, tid, px, qty, bm) in enumerate(
        raw[["timestamp_ms", "trade_id", "price", "qty", "is_buyer_maker"]].itertuples(index=False)
    ):
        t = int(ts) / 1000.0
        if not _in_range(t, lo, hi):
            continue
        aggressor = Side.SELL if str(bm).strip() in ("1", "True", "true") else Side.BUY
        out.append(TradePrint(t, _dec(px, path, i, "price"), _dec(qty, path, i, "qty"), aggressor, str(tid)))
    return tuple(out)


def _l2(raw: pd.DataFrame, path: Path, lo: float | None, hi: float | None) -> tuple[BookSnapshot, ...]:
    _require(raw, path, ["timestamp_ms", "bid_px_0", "bid_qty_0", "ask_px_0", "ask_qty_0"])
    depth = sum(1 for c in raw.columns if c.startswith("bid_px_"))
    out: list[BookSnapshot] = []
    for i, row in enumerate(raw.itertuples(index=False)):
        record = row._asdict()
        t = int(record["timestamp_ms"]) / 1000.0
        if not _in_range(t, lo, hi):
            continue
        bids = _levels(record, "bid", depth, path, i)
        asks = _levels(record, "ask", depth, path, i)
        out.append(BookSnapshot(t, bids, asks))
    return tuple(out)


def _levels(record: dict[str, str], side: str, depth: int, path: Path, row: int) -> tuple[BookLevel, ...]:
    levels = []
    for k in range(depth):
        px, qty = record.get(f"{side}_px_{k}"), record.get(f"{side}_qty_{k}")
        if px is None or qty is None or pd.isna(px) or pd.isna(qty):
            break
        levels.append(
            BookLevel(_dec(px, path, row, f"{side}_px_{k}"), _dec(qty, path, row, f"{side}_qty_{k}"))
        )
    return tuple(levels)


def _bookticker(
    raw: pd.DataFrame, path: Path, lo: float | None, hi: float | None
) -> tuple[BookSnapshot, ...]:
    _require(raw, path, ["local_ts_ns", "bid_px", "bid_qty", "ask_px", "ask_qty"])
    out: list[BookSnapshot] = []
    cols = raw[["local_ts_ns", "bid_px", "bid_qty", "ask_px", "ask_qty"]]
    for i, (ts, bp, bq, ap, aq) in enumerate(cols.itertuples(index=False)):
        t = int(ts) / 1e9
        if not _in_range(t, lo, hi):
            continue
        out.append(
            BookSnapshot(
                t,
                (BookLevel(_dec(bp, path, i, "bid_px"), _dec(bq, path, i, "bid_qty")),),
                (BookLevel(_dec(ap, path, i, "ask_px"), _dec(aq, path, i, "ask_qty")),),
            )
        )
    return tuple(out)


def _bars(df: pd.DataFrame) -> tuple[Bar, ...]:
    cols = df[["timestamp", "open", "high", "low", "close", "volume"]]
    return tuple(
        Bar(
            float(ts),
            Decimal(repr(o)),
            Decimal(repr(h)),
            Decimal(repr(lo)),
            Decimal(repr(c)),
            Decimal(repr(v)),
        )
        for ts, o, h, lo, c, v in cols.itertuples(index=False)
    )
