"""The pure simulated exchange: matching engine, balances, replay feeds, ws captures (no Hummingbot import).

The Hummingbot connector built on it lives in :mod:`hummingbot_plugin.simulation.exchange`.
"""
