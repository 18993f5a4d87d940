"""Walk-forward research: causal long-horizon features, per-block quantile models, cost-aware decisions,
nested selection without peeking, and a comparison with baselines on the one ledger.

Pure (numpy, pandas, LightGBM, Optuna, SciPy); nothing here imports Hummingbot.
"""
