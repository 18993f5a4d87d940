"""The candle-driven recorded feed (``--feed candles``): settings and start checks, the book played from the
candle path, the controllers' full candle history; and session-unique simulated order ids."""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest


def _args(**over: Any) -> argparse.Namespace:
    base = dict(script=None, feed="live", speed=1.0, start=None, headless=False, password="pw-1")
    return argparse.Namespace(**{**base, "dry_run": True, **over})


def test_candle_feed_settings_are_validated(tmp_path: Path) -> None:
    from pydantic import ValidationError

    from hummingbot_plugin.cli.client import client_command
    from hummingbot_plugin.errors import ConfigError
    from hummingbot_plugin.simulation.paper.recorded_feed import RecordedFeedSettings, settings_from_env

    env = {
        "HBP_PAPER_FEED": "candles",
        "HBP_PAPER_FEED_START": "2023-03-01T00:00Z",
        "HBP_PAPER_FEED_SPEED": "3600",
    }
    settings = settings_from_env(env)
    assert settings is not None and settings.source == "candles" and settings.start == 1677628800.0
    bad = {
        "no start": {**env, "HBP_PAPER_FEED_START": ""},
        "too fast": {**env, "HBP_PAPER_FEED_SPEED": "3601"},
        "capture too fast": {**env, "HBP_PAPER_FEED": "recorded", "HBP_PAPER_FEED_SPEED": "3600"},
        "not a time": {**env, "HBP_PAPER_FEED_START": "March"},
    }
    for what, values in bad.items():
        with pytest.raises(ConfigError, match="speed is a number from 1 to") as caught:
            settings_from_env(values)
            pytest.fail(what)
        assert caught.value.fix
    with pytest.raises(ValidationError):  # extra=forbid
        RecordedFeedSettings(data_dir=tmp_path, source="candles", start=1.0, speed=2.0, depth=3)  # type: ignore[call-arg]
    root, shipped = tmp_path / "hb", "conf/scripts/ai_livestream_1h.yml"
    args = _args(script=shipped, feed="candles", speed=3600.0, start="2023-03-09T20:00Z", root=root)
    _, out = client_command(args, {})
    assert out["HBP_PAPER_FEED"] == "candles" and float(out["HBP_PAPER_FEED_START"]) == 1678392000.0
    for start in ("2030-01-01", "2016-01-01"):  # no candle file of the script's markets covers it
        with pytest.raises(ConfigError, match="no candle file of binance"):
            client_command(_args(script=shipped, feed="candles", start=start, root=root), {})
    with pytest.raises(ConfigError, match="--start needs a recorded feed"):
        client_command(_args(script=shipped, start="2023-03-01", root=root), {})


def test_candle_feed_plays_the_candle_path_and_serves_the_full_history(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A paper venue on ``--feed candles``: books from the bars' path at 3600x, no public connector, and
    the controllers' 1h candles with the history before the start, the newest closing at the client time."""
    from hummingbot_plugin.data import load_candles
    from hummingbot_plugin.settings import data_dir
    from hummingbot_plugin.simulation.engine.paper import PaperTradingSettings
    from hummingbot_plugin.simulation.paper import mode as paper_mode
    from hummingbot_plugin.simulation.paper.recorded_candles import _Session
    from hummingbot_plugin.simulation.paper.recorded_feed import existing_clock, settings_from_env

    start = 1678608000.0  # 2023-03-12T08:00Z (a start no other test uses: one clock per settings)
    env = {"HBP_PAPER_FEED": "candles", "HBP_PAPER_FEED_SPEED": "3600", "HBP_PAPER_FEED_START": str(start)}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(paper_mode, "public_book_source", lambda *a: pytest.fail("public feed asked for"))
    venue = paper_mode.paper_venue(
        "binance", ["BTC-USDT"], PaperTradingSettings(balances={"USDT": Decimal(1000)})
    )
    hourly = load_candles(data_dir() / "binance_BTC-USDT_1h.csv").set_index("timestamp")
    for second in range(4):
        venue._feed.sync(7000.0 + second)  # one 1h bar per second of the client's clock
        bar = hourly.loc[start + 3600 * second]
        mid = (venue.get_price("BTC-USDT", False) + venue.get_price("BTC-USDT", True)) / 2
        assert abs(float(mid) - float(bar["open"])) / float(bar["open"]) < 2e-4, (second, mid, bar["open"])
        assert 7000.0 + second <= venue.book_timestamp("BTC-USDT") <= 7000.0 + second + 0.1  # type: ignore[operator]
    clock = existing_clock(settings_from_env(env))  # type: ignore[arg-type]
    assert clock is not None and clock.recorded() == start + 3 * 3600
    bars = _Session(settings_from_env(env)).closed("binance", "BTC-USDT", "1h", 1000)  # type: ignore[arg-type]
    assert len(bars) == 1000  # the AI warm-up, met at once
    assert bars["timestamp"].iloc[-1] + 3600 == 7003.0  # the bar closed at 2023-03-12T11:00Z, just now
    assert float(bars["close"].iloc[-1]) == float(hourly.loc[start + 7200, "close"])  # 5m file, resampled
    # a start inside a bar: that bar's path up to the start gives the first tick a book
    monkeypatch.setenv("HBP_PAPER_FEED_START", str(start + 200))
    inside = paper_mode.paper_venue(
        "binance", ["BTC-USDT"], PaperTradingSettings(balances={"USDT": Decimal(1)})
    )
    inside._feed.sync(9000.0)
    bar = hourly.loc[start]
    assert float(bar["low"]) * 0.999 < inside.get_price("BTC-USDT", False) < float(bar["high"]) * 1.001


def test_simulated_order_ids_never_repeat_across_sessions() -> None:
    """Each paper session seeds its ids above the previous session's: the client folder's SQLite keeps
    every order (``Order.id`` is unique). A replay keeps reproducible ids from 1."""
    import asyncio

    from hummingbot_plugin.simulation.engine.config import build_venue_config
    from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange, session_order_seed

    config = build_venue_config("binance", ["BTC-USDT"], {}, {"USDT": Decimal(1000)})

    async def ids(seed: int) -> list[str]:
        venue = SimulatedExchange(config, order_id_seed=seed)
        venue.apply_price("BTC-USDT", Decimal(20100), 0.0)
        placed = [venue.buy("BTC-USDT", Decimal("0.01"), price=Decimal(20000)) for _ in range(3)]
        await asyncio.gather(*(asyncio.all_tasks() - {asyncio.current_task()}))
        assert sorted(venue.in_flight_orders) == sorted(placed)  # resting on the simulated venue
        return placed

    replay = asyncio.run(ids(0))
    assert replay[0] == "SIMB-binance-BTC-USDT-0000001"
    first = asyncio.run(ids(session_order_seed()))
    second = asyncio.run(ids(session_order_seed()))
    assert not set(first) & set(second)
    assert int(second[0].rsplit("-", 1)[1]) > int(first[-1].rsplit("-", 1)[1])
