"""Load a market's inputs, run the walk-forward, write the report, table and pictures."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hummingbot_plugin.data import interval_seconds, load_candles
from hummingbot_plugin.errors import ConfigError, DataError
from hummingbot_plugin.ml.daily import DailyInputs
from hummingbot_plugin.research.data import build_research_data
from hummingbot_plugin.research.engine import RunSettings, WalkForwardResult, run_walkforward, write_report
from hummingbot_plugin.research.features import FeatureInputs
from hummingbot_plugin.research.folds import Block
from hummingbot_plugin.research.report import format_table, write_plots
from hummingbot_plugin.settings import data_file

__all__ = ["InputFiles", "default_inputs", "load_inputs", "run_and_write"]

NONE = "none"


@dataclass(frozen=True)
class InputFiles:
    """Data files of a run; ``None`` leaves those feature columns NaN."""

    candles: str
    cross: str | None = None
    venue: str | None = None
    fear_greed: str | None = None
    dominance: str | None = None


def _exists(name: str) -> str | None:
    try:
        return str(data_file(name))
    except DataError:
        return None


def default_inputs(
    candles: str,
    pair: str,
    cross: str | None = None,
    venue: str | None = None,
    fear_greed: str | None = None,
    dominance: str | None = None,
) -> InputFiles:
    """Defaults from the shared data: BTC for ETH (ETH for BTC), Coinbase for the premium, daily files."""
    base = pair.split("-", 1)[0]
    other = "ETH" if base == "BTC" else "BTC"

    def pick(given: str | None, default: str) -> str | None:
        if given is not None:
            return None if given == NONE else given
        return _exists(default)

    return InputFiles(
        candles=candles,
        cross=pick(cross, f"binance_{other}-USDT_1h.csv"),
        venue=pick(venue, f"coinbase_{base}-USD_1h.csv"),
        fear_greed=pick(fear_greed, "fear_greed_index_daily.csv"),
        dominance=pick(dominance, "btc_dominance_daily_coingecko.csv"),
    )


def load_inputs(files: InputFiles, end: str) -> tuple[pd.DataFrame, FeatureInputs]:
    """Candles and feature inputs up to ``end`` (inclusive); nothing later is read."""
    history = load_candles(files.candles, end=end)
    cross = load_candles(files.cross, end=end) if files.cross else None
    venue = load_candles(files.venue, end=end) if files.venue else None
    daily = DailyInputs.from_files(
        data_file(files.fear_greed) if files.fear_greed else None,
        data_file(files.dominance) if files.dominance else None,
    )
    return history, FeatureInputs(cross=cross, venue=venue, daily=daily)


def _check_period(history: pd.DataFrame, settings: RunSettings) -> None:
    start = pd.Timestamp(settings.start, tz="UTC").timestamp()
    end = (pd.Timestamp(settings.end, tz="UTC") + pd.Timedelta(hours=23)).timestamp()
    first, last = float(history["timestamp"].iloc[0]), float(history["timestamp"].iloc[-1])
    if first > start - 500 * 86_400 or last < end:
        raise DataError(
            f"candles cover {pd.Timestamp(first, unit='s')} .. {pd.Timestamp(last, unit='s')}; the run needs "
            f"~500 days before {settings.start} (training and inner folds) and data up to {settings.end}",
            fix="pass a longer candle file or a later --start / earlier --end",
        )


def _tqdm(blocks: Iterable[Block]) -> Iterable[Block]:
    from tqdm import tqdm

    shown: Iterable[Block] = tqdm(list(blocks), desc="walk-forward blocks", file=sys.stderr, unit="block")
    return shown


def run_and_write(files: InputFiles, settings: RunSettings, resume: bool) -> tuple[WalkForwardResult, str]:
    """Run, then write report.json, table.txt and the PNGs into ``settings.out``."""
    out = settings.out
    if out.exists() and any(out.iterdir()) and not resume:
        raise ConfigError(f"{out} already holds a run", fix="pass --resume to continue it, or another --out")
    out.mkdir(parents=True, exist_ok=True)
    history, inputs = load_inputs(files, settings.end)
    _check_period(history, settings)
    data = build_research_data(history, inputs, interval_seconds(settings.interval))
    result = run_walkforward(data, history, settings, progress=_tqdm)
    title = (
        f"{settings.trading_pair} walk-forward {settings.start} .. {settings.end}, "
        f"fee {settings.fee:.4%} per side, capital {settings.capital:,.0f}"
    )
    table = format_table(title, result.rows, result.summary)
    write_report(result, settings, table)
    write_plots(out, result.ledgers, [(b.label, m) for b, _, m in result.selections])
    return result, table


def output_paths(out: Path) -> list[Path]:
    return [
        out / n
        for n in (
            "report.json",
            "table.txt",
            "equity.png",
            "drawdown.png",
            "rolling_sharpe.png",
            "coverage.png",
        )
    ]
