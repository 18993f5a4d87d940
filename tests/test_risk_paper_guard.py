"""Paper guard: with a live connector name the script refuses to start, reads no key, opens no connection."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hummingbot.client.config.security import Security
from hummingbot.core import connector_manager
from risk_hb_factories import make_exchange

from hummingbot_plugin.risk.paper_guard import (
    LIVE_CONFIRM_ENV,
    LIVE_CONFIRM_VALUE,
    PaperGuardError,
    check_connectors,
    simulation_run,
)
from hummingbot_plugin.settings import PROJECT_ROOT


@pytest.fixture()
def hb_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    from hummingbot.client import settings

    monkeypatch.setattr(settings, "CONTROLLERS_CONF_DIR_PATH", PROJECT_ROOT / "conf" / "controllers")
    monkeypatch.syspath_prepend(str(PROJECT_ROOT))
    monkeypatch.delenv(LIVE_CONFIRM_ENV, raising=False)


def _script_conf(tmp_path: Path, **fields: Any) -> Path:
    path = tmp_path / "guarded.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "script_file_name": "v2_guarded_controllers.py",
                "controllers_config": ["baseline_trend_btc_usdt_1h.yml"],
                **fields,
            }
        )
    )
    return path


def _spy(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str, calls: list[str]) -> None:
    original = getattr(owner, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)


@pytest.mark.usefixtures("hb_paths")
def test_hummingbot_start_refuses_in_paper_mode_without_reading_keys_or_connecting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_network: list[Any]
) -> None:
    from hummingbot.client.config.client_config_map import ClientConfigMap
    from hummingbot.core.trading_core import TradingCore

    calls: list[str] = []
    for name in ("api_keys", "decrypt_all", "decrypt_connector_config", "login"):
        _spy(monkeypatch, Security, name, calls)
    _spy(monkeypatch, connector_manager.ConnectorManager, "create_connector", calls)

    async def start() -> tuple[bool, Any]:
        core = TradingCore(ClientConfigMap(), scripts_path=PROJECT_ROOT / "scripts")
        started = await core.start_strategy(
            "v2_guarded_controllers", str(_script_conf(tmp_path)), "guarded.yml"
        )
        return started, core

    loop = asyncio.new_event_loop()
    try:
        started, core = loop.run_until_complete(start())
    finally:
        loop.close()
    assert started is False and core.strategy is None
    assert calls == []  # no key read, no connector created
    assert no_network == []  # no non-loopback connection attempted


@pytest.mark.usefixtures("hb_paths")
@pytest.mark.parametrize(
    ("live", "env", "refused"),
    [
        (False, None, True),
        (False, LIVE_CONFIRM_VALUE, True),
        (True, None, True),
        (True, "yes", True),
        (True, LIVE_CONFIRM_VALUE, False),
    ],
)
def test_live_trading_needs_config_and_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, live: bool, env: str | None, refused: bool
) -> None:
    from scripts.v2_guarded_controllers import GuardedControllers, GuardedControllersConfig

    if env is not None:
        monkeypatch.setenv(LIVE_CONFIRM_ENV, env)
    config = GuardedControllersConfig(**yaml.safe_load(_script_conf(tmp_path, live_trading=live).read_text()))
    if refused:
        with pytest.raises(PaperGuardError, match=LIVE_CONFIRM_ENV):
            GuardedControllers.init_markets(config)
    else:
        GuardedControllers.init_markets(config)
        assert GuardedControllers.markets == {"binance": {"BTC-USDT"}}


@pytest.mark.usefixtures("hb_paths")
def test_the_replay_runner_may_list_venue_names_inside_a_simulation_run(tmp_path: Path) -> None:
    from scripts.v2_guarded_controllers import GuardedControllers, GuardedControllersConfig

    config = GuardedControllersConfig(**yaml.safe_load(_script_conf(tmp_path).read_text()))
    with simulation_run():
        GuardedControllers.init_markets(config)
    with pytest.raises(PaperGuardError):
        GuardedControllers.init_markets(config)


class _LiveLookingConnector:
    """Any connector without the simulated-exchange marker (no network: it is never used)."""

    name = "binance"


def test_connector_instances_must_be_simulated_in_paper_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(LIVE_CONFIRM_ENV, raising=False)
    check_connectors({"binance": make_exchange(Decimal("100"))}, live_trading=False, environ={})
    with pytest.raises(PaperGuardError, match="binance"):
        check_connectors({"binance": _LiveLookingConnector()}, live_trading=False, environ={})
    check_connectors(
        {"binance": _LiveLookingConnector()},
        live_trading=True,
        environ={LIVE_CONFIRM_ENV: LIVE_CONFIRM_VALUE},
    )


@pytest.mark.usefixtures("hb_paths")
def test_the_script_refuses_a_live_connector_before_doing_anything(tmp_path: Path) -> None:
    from scripts.v2_guarded_controllers import GuardedControllers, GuardedControllersConfig

    config = GuardedControllersConfig(**yaml.safe_load(_script_conf(tmp_path).read_text()))
    with pytest.raises(PaperGuardError):
        GuardedControllers({"binance": _LiveLookingConnector()}, config)  # type: ignore[dict-item]
