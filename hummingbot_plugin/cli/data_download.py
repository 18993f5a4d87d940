"""``data download``: fetch candles through Hummingbot's own candles feed (needs exchange access).

Argument handling and validation live here and run offline; the network part is
``hummingbot_plugin.hb.candles_download`` and is imported only when a download really runs.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hummingbot_plugin.data import INTERVAL_SECONDS, to_epoch_bound, write_candles_csv
from hummingbot_plugin.data.download import DownloadRequest
from hummingbot_plugin.errors import ConfigError

__all__ = ["DownloadRequest", "register_download", "request_from_args"]


def register_download(actions: Any, run: Callable[[argparse.Namespace], int]) -> None:
    """Add the ``download`` action to the ``data`` command."""
    download = actions.add_parser(
        "download", help="download candles with Hummingbot's candles feed (needs internet access)"
    )
    download.add_argument("--connector", required=True, help="Hummingbot connector (binance, okx…)")
    download.add_argument("--pair", required=True, help="trading pair in Hummingbot form, e.g. BTC-USDT")
    download.add_argument("--interval", required=True, choices=list(INTERVAL_SECONDS))
    download.add_argument("--start", required=True, help="first day, YYYY-MM-DD (UTC, inclusive)")
    download.add_argument("--end", required=True, help="last day, YYYY-MM-DD (UTC, inclusive)")
    download.add_argument("--out", type=Path, help="output CSV (default: <connector>_<pair>_<interval>.csv)")
    download.set_defaults(func=run, data_action=_download)


def request_from_args(args: argparse.Namespace) -> DownloadRequest:
    """Validate the arguments (offline) into a DownloadRequest, or raise ConfigError."""
    pair = str(args.pair).upper()
    base, sep, quote = pair.partition("-")
    if not sep or not base or not quote or "-" in quote:
        raise ConfigError(f"--pair {args.pair!r} is not BASE-QUOTE", fix="write the pair like BTC-USDT")
    start = to_epoch_bound(args.start, is_end=False)
    end = to_epoch_bound(args.end, is_end=True)
    if start is None or end is None or end <= start:
        raise ConfigError(f"--end {args.end} is not after --start {args.start}", fix="give a later --end")
    out = args.out or Path(f"{args.connector}_{pair}_{args.interval}.csv")
    return DownloadRequest(
        connector=str(args.connector),
        trading_pair=pair,
        interval=str(args.interval),
        start=int(start),
        end=int(end),
        out=Path(out),
    )


def _download(args: argparse.Namespace) -> int:
    request = request_from_args(args)
    from hummingbot_plugin.hb.candles_download import download_candles

    frame = download_candles(request)
    write_candles_csv(frame, request.out)
    market = f"{request.connector} {request.trading_pair}"
    print(f"wrote {len(frame)} {request.interval} bars of {market} to {request.out}")
    return 0
