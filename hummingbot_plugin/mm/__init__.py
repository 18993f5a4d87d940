"""Market-making maths, fill models, replays and analytics (pure; no Hummingbot import).

Modules:
- :mod:`quoting` — per-bar causal features and vectorised quote prices (fee floor, skews, price band).
- :mod:`levels` — per-level executor lifecycle decisions (create, refresh, filled-order delay).
- :mod:`risk` — quote risk (the one ``RiskState``: ACTIVE / REDUCING / HALTED) and which sides may quote.
- :mod:`fills` — fill models: queue-aware (trades + L2 book) and conservative candle fills.
- :mod:`replay` / :mod:`book_replay` — PMM market replays on candles and on the recorded book.
- :mod:`xemm` / :mod:`xemm_replay` — cross-exchange maths and a two-venue replay with hedge latency.
- :mod:`analytics` — PnL split (spread capture, inventory, fees), fill rate, inventory path.
"""
