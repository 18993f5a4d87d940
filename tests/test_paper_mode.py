"""Paper trading is ONE switch of the guarded script: with ``paper_trading:`` set, Hummingbot's own start
path (TradingCore.load_v2_class -> init_markets -> initialize_markets -> the strategy) builds every venue
the controllers name as the simulated exchange, fed by that venue's PUBLIC books; no key is read, no
connection is made. With the switch off the paper guard still refuses to start."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hummingbot.client.config.security import Security
from hummingbot.core.clock import Clock
from hummingbot.core.clock_mode import ClockMode
from hummingbot.core.data_type.common import OrderType, PriceType
from pydantic import ValidationError

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.risk.paper_guard import LIVE_CONFIRM_ENV, PaperGuardError, is_simulated_connector
from hummingbot_plugin.settings import PROJECT_ROOT
from hummingbot_plugin.simulation.engine.ws_capture import iter_capture
from hummingbot_plugin.simulation.paper.book_feed import CaptureBooks, OrderBookFeed
from hummingbot_plugin.simulation.paper.mode import PaperConnectorFactory, public_book_source

D = Decimal
CAPTURE = "binance_BTC-USDT_spot_ws_raw_20240808T2354Z_20240809T0005Z.txt.gz"
XEMM = "xemm_binance_kucoin_btc_usdt.yml"  # names binance (maker) AND kucoin (taker); needs no candles
PAPER = {"balances": {"USDT": 10000, "BTC": 0.1}, "maker_fee": 0.0008, "taker_fee": 0.002}
SECURE_READS = ("api_keys", "decrypt_all", "decrypt_connector_config", "login", "decrypted_value")


@dataclass
class HummingbotStart:
    """A headless Hummingbot application (the one ``start --v2`` runs in) and its event loop."""

    app: Any
    loop: asyncio.AbstractEventLoop
    secure_reads: list[str]

    def start(self, script_yml: Path) -> Any:
        """TradingCore.start_strategy minus its clock and rate oracle (they would go to the network)."""
        core = self.app.trading_core
        core.strategy_name = "v2_guarded_controllers"
        core._config_source = str(script_yml)
        self.loop.run_until_complete(core._initialize_v2_strategy())
        return core.strategy


@pytest.fixture()
def hummingbot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HummingbotStart]:
    from hummingbot.client import settings
    from hummingbot.client.config.client_config_map import ClientConfigMap
    from hummingbot.client.config.config_helpers import ClientConfigAdapter
    from hummingbot.client.hummingbot_application import HummingbotApplication
    from hummingbot.core.rate_oracle.rate_oracle import RateOracle

    from hummingbot_plugin.simulation.exchange.runtime import markets_recorder

    monkeypatch.setattr(settings, "CONTROLLERS_CONF_DIR_PATH", PROJECT_ROOT / "conf" / "controllers")
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    monkeypatch.delenv(LIVE_CONFIRM_ENV, raising=False)
    reads: list[str] = []
    for name in SECURE_READS:
        monkeypatch.setattr(Security, name, _recording(getattr(Security, name), name, reads))
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    app = HummingbotApplication(client_config_map=ClientConfigAdapter(ClientConfigMap()), headless_mode=True)
    monkeypatch.setattr(HummingbotApplication, "_main_app", app)
    core = app.trading_core
    core.scripts_path = PROJECT_ROOT / "scripts"
    # a recorder on tmp_path, not on Hummingbot's data/ folder
    core.markets_recorder = markets_recorder(tmp_path / "trades.sqlite", [], "paper")
    try:
        yield HummingbotStart(app, loop, reads)
    finally:
        core.markets_recorder.stop()
        core.gateway_monitor.stop_monitor()
        for name in list(core.connector_manager.connectors):
            RateOracle.get_instance().unregister_connector(name)
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.close()
        asyncio.set_event_loop(None)


def _recording(original: Any, name: str, calls: list[str]) -> Any:
    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return original(*args, **kwargs)

    return spy


def _script_yml(tmp_path: Path, **fields: Any) -> Path:
    path = tmp_path / "paper.yml"
    body = {
        "script_file_name": "v2_guarded_controllers.py",
        "controllers_config": [XEMM],
        "state_dir": str(tmp_path / "state"),
        **fields,
    }
    path.write_text(yaml.safe_dump(body))
    return path


def test_paper_switch_makes_hummingbot_build_simulated_venues_under_the_real_names(
    hummingbot: HummingbotStart, tmp_path: Path, shared_data_dir: Path, no_network: list[Any]
) -> None:
    from hummingbot.connector.connector_metrics_collector import DummyMetricsCollector
    from hummingbot.connector.exchange.binance.binance_exchange import BinanceExchange

    strategy = hummingbot.start(_script_yml(tmp_path, paper_trading=PAPER))
    assert set(strategy.connectors) == {"binance", "kucoin"}  # the controller YAML is unchanged
    for name, venue in strategy.connectors.items():
        assert is_simulated_connector(venue) and venue.name == name
        assert hummingbot.app.trading_core.connector_manager.connectors[name] is venue
        assert venue.get_balance("USDT") == D(10000) and venue.get_balance("BTC") == D("0.1")
        assert (venue.sim_config.maker_fee, venue.sim_config.taker_fee) == (D("0.0008"), D("0.002"))
        # TradingCore skips names with a collector: no simulated fill is reported as real volume
        assert type(hummingbot.app.trading_core._metrics_collectors[name]) is DummyMetricsCollector
    source = strategy.connectors["binance"]._feed._source
    assert isinstance(source, BinanceExchange) and source.is_trading_required is False
    assert hummingbot.secure_reads == []  # no API key or secure config was read
    assert no_network == []  # nothing was started: no connection attempted

    # The exchange's network cannot exist here: Binance's public book is rebuilt from a recorded capture;
    # kucoin (no recording) gets an empty feed. The venues then run on a clock as in Hummingbot.
    venues = strategy.connectors
    books = CaptureBooks(shared_data_dir / CAPTURE, "BTC-USDT")
    venues["binance"].attach_feed(OrderBookFeed(lambda: books.books))
    venues["kucoin"].attach_feed(OrderBookFeed(dict))
    now = float(int(next(iter_capture(shared_data_dir / CAPTURE)).received_at)) + 5
    books.advance_to(now)
    core = hummingbot.app.trading_core
    core.clock = Clock(ClockMode.BACKTEST, tick_size=1.0, start_time=now - 1, end_time=now + 60)
    for venue in venues.values():
        core.clock.add_iterator(venue)
    core.clock.backtest_til(now)
    binance = venues["binance"]
    assert binance.get_price_by_type("BTC-USDT", PriceType.BestBid) == D(str(books.book.get_price(False)))
    ask = binance.get_price_by_type("BTC-USDT", PriceType.BestAsk)
    assert ask == D(str(books.book.get_price(True)))
    binance.buy("BTC-USDT", D("0.01"), OrderType.MARKET, ask)
    hummingbot.loop.run_until_complete(asyncio.sleep(0.05))
    fills = binance.ledger.entries
    assert fills and sum(f.amount for f in fills) == D("0.01")
    assert sum(f.fee_quote for f in fills) == sum(f.price * f.amount for f in fills) * D("0.002")
    assert binance.get_balance("BTC") == D("0.11")
    assert no_network == []

    # Hummingbot's `stop`: the strategy's on_stop, then remove_connector for each one on the clock
    hummingbot.loop.run_until_complete(strategy.on_stop())
    assert all(core.remove_connector(name) for name in ("binance", "kucoin"))
    hummingbot.loop.run_until_complete(asyncio.sleep(0.01))  # the connectors' stop_network tasks run
    assert core.connector_manager.connectors == {} and core._metrics_collectors == {}


def test_switch_off_without_live_confirmation_refuses_before_any_connector(
    hummingbot: HummingbotStart, tmp_path: Path, no_network: list[Any]
) -> None:
    hummingbot.start(_script_yml(tmp_path, paper_trading=PAPER))  # an earlier paper start this session
    manager = hummingbot.app.trading_core.connector_manager
    manager.connectors.clear()
    with pytest.raises(PaperGuardError, match="binance, kucoin"):
        hummingbot.start(_script_yml(tmp_path, paper_trading=None))
    assert not isinstance(manager.create_connector, PaperConnectorFactory)  # paper install removed
    assert manager.connectors == {} and hummingbot.secure_reads == [] and no_network == []


def test_paper_and_live_together_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    from scripts.v2_guarded_controllers import GuardedControllersConfig

    body = yaml.safe_load(_script_yml(tmp_path, paper_trading=PAPER, live_trading=True).read_text())
    with pytest.raises(ValidationError, match="paper_trading: null"):
        GuardedControllersConfig(**body)
    with pytest.raises(ValidationError, match="balances"):
        GuardedControllersConfig(**{**body, "live_trading": False, "paper_trading": {"balances": {}}})
    with pytest.raises(ValidationError, match="extra"):
        GuardedControllersConfig(**{**body, "live_trading": False, "paper_trading": {**PAPER, "fee": 1}})


def test_replay_ignores_the_paper_switch_of_the_shipped_config(hummingbot: HummingbotStart) -> None:
    from hummingbot_plugin.simulation.exchange.runtime import load_script

    shipped = PROJECT_ROOT / "conf" / "scripts" / "ai_livestream_1h.yml"
    bundle = load_script(shipped)  # what `python -m hummingbot_plugin replay` does (simulation_run)
    assert bundle.config.paper_trading is not None and bundle.markets == {"binance": {"BTC-USDT", "ETH-USDT"}}
    manager = hummingbot.app.trading_core.connector_manager
    assert not isinstance(manager.create_connector, PaperConnectorFactory)  # Hummingbot's factory untouched


def test_shipped_guarded_configs_default_to_paper_trading() -> None:
    """No shipped script config is live; every terminal config the README lists paper-trades by default."""
    readme = (PROJECT_ROOT / "README.md").read_text()
    listed = set(re.findall(r"^- `conf/scripts/([a-z0-9_]+\.yml)`", readme, flags=re.MULTILINE))
    assert len(listed) >= 5
    for path in sorted((PROJECT_ROOT / "conf" / "scripts").glob("*.yml")):
        body = yaml.safe_load(path.read_text())
        assert body.get("live_trading") is not True, path.name
        if path.name in listed:
            assert body.get("paper_trading"), f"{path.name} is a terminal config without paper_trading"
    assert listed <= {p.name for p in (PROJECT_ROOT / "conf" / "scripts").glob("*.yml")}


def test_public_book_source_is_the_real_connector_without_keys_or_trading(
    monkeypatch: pytest.MonkeyPatch, no_network: list[Any]
) -> None:
    reads: list[str] = []
    for name in SECURE_READS:
        monkeypatch.setattr(Security, name, _recording(getattr(Security, name), name, reads))
    loop = asyncio.new_event_loop()  # Hummingbot connectors bind to the current loop when built
    asyncio.set_event_loop(loop)
    try:
        source = public_book_source("kucoin", ["BTC-USDT"])
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    assert type(source).__name__ == "KucoinExchange" and source.is_trading_required is False
    assert reads == [] and no_network == []
    with pytest.raises(ConfigError, match="nowhere"):
        public_book_source("nowhere", ["BTC-USDT"])
