"""Offline backtesting: pure metric maths, result writing and reports (engine adapter in ``hb``)."""
