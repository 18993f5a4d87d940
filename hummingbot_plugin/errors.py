"""One error hierarchy for the whole plugin.

Every error names what was wrong and how to fix it, so a user never has to read a traceback.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "MessageError",
    "ModelError",
    "PluginError",
    "RiskError",
    "SimulationError",
]


class PluginError(Exception):
    """Base class of every error raised on purpose by the plugin."""

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(f"{message} (fix: {fix})" if fix else message)


class ConfigError(PluginError):
    """A configuration file or field is invalid."""


class DataError(PluginError):
    """Market data is missing, malformed or unusable."""


class ModelError(PluginError):
    """A model artifact is missing, corrupt or does not match the features."""


class MessageError(PluginError):
    """An external (MQTT) message was rejected."""


class RiskError(PluginError):
    """The risk layer refused an action or could not restore its state."""


class SimulationError(PluginError):
    """The simulated exchange or replay runner could not proceed."""
