"""Hummingbot plugin: quantile forecasts, market making and risk controls for Strategy V2.

Pure logic lives in this package; only ``hummingbot_plugin.hb`` imports Hummingbot.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
