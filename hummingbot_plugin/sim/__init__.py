"""Simulated exchange: pure matching engine, balances, replay feeds (no Hummingbot import).

The Hummingbot connector built on this lives in :mod:`hummingbot_plugin.hb.sim`.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SIMULATED_MARKER", "is_simulated_connector"]

#: Attribute set to ``True`` on every connector instance of the simulated exchange.
SIMULATED_MARKER = "is_simulated"


def is_simulated_connector(connector: Any) -> bool:
    """True only for our simulated exchange (paper guard for the risk layer)."""
    return getattr(connector, SIMULATED_MARKER, False) is True
