"""Paper guard: trading is simulated unless live trading is confirmed twice (config AND environment).

Checked by the guarded script before Hummingbot creates any connector (so no API key is read) and
again on the connector instances it receives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from hummingbot_plugin.errors import RiskError

__all__ = [
    "LIVE_CONFIRM_ENV",
    "LIVE_CONFIRM_VALUE",
    "SIMULATED_MARKER",
    "PaperGuardError",
    "check_connectors",
    "in_simulation_run",
    "is_simulated_connector",
    "live_trading_confirmed",
    "require_live_confirmation",
    "simulation_run",
]

#: Attribute set to ``True`` on every connector instance of the simulated exchange (the contract this guard
#: reads; :class:`hummingbot_plugin.simulation.exchange.exchange.SimulatedExchange` sets it).
SIMULATED_MARKER = "is_simulated"


def is_simulated_connector(connector: Any) -> bool:
    """True only for our simulated exchange."""
    return getattr(connector, SIMULATED_MARKER, False) is True


LIVE_CONFIRM_ENV = "HBP_CONFIRM_LIVE_TRADING"
LIVE_CONFIRM_VALUE = "yes-i-understand"


class PaperGuardError(RiskError):
    """Refusal to start: a non-simulated connector without a double live-trading confirmation."""


_SIMULATION_RUN: ContextVar[bool] = ContextVar("hbp_simulation_run", default=False)


@contextmanager
def simulation_run() -> Iterator[None]:
    """Mark a block in which the replay runner builds the script with simulated connectors only.

    Inside it, a script's ``init_markets`` may list venue names (e.g. ``binance``) without live
    confirmation, because the runner (not Hummingbot) creates the connectors; the connector instances
    are still checked with :func:`check_connectors` when the script is constructed.
    """
    token = _SIMULATION_RUN.set(True)
    try:
        yield
    finally:
        _SIMULATION_RUN.reset(token)


def in_simulation_run() -> bool:
    return _SIMULATION_RUN.get()


def live_trading_confirmed(live_trading: bool, environ: Mapping[str, str]) -> bool:
    return live_trading is True and environ.get(LIVE_CONFIRM_ENV) == LIVE_CONFIRM_VALUE


def require_live_confirmation(
    live_trading: bool, environ: Mapping[str, str], connector_names: Iterable[str]
) -> None:
    """Raise unless both ``live_trading: true`` and the environment variable confirm live trading."""
    if live_trading_confirmed(live_trading, environ):
        return
    names = ", ".join(sorted(set(connector_names))) or "(none)"
    if not live_trading:
        raise PaperGuardError(
            f"paper mode: refusing to start with connectors that may be live: {names}",
            fix="run through the simulator (python -m hummingbot_plugin replay ...), or set "
            f"`live_trading: true` in the script config AND export {LIVE_CONFIRM_ENV}={LIVE_CONFIRM_VALUE}",
        )
    raise PaperGuardError(
        f"live_trading is true but {LIVE_CONFIRM_ENV} is not set to the confirmation value "
        f"(connectors: {names})",
        fix=f"export {LIVE_CONFIRM_ENV}={LIVE_CONFIRM_VALUE} to confirm live trading deliberately",
    )


def check_connectors(connectors: Mapping[str, Any], live_trading: bool, environ: Mapping[str, str]) -> None:
    """Every connector instance must be the simulated exchange unless live trading is confirmed."""
    live = [name for name, connector in connectors.items() if not is_simulated_connector(connector)]
    if live:
        require_live_confirmation(live_trading, environ, live)
