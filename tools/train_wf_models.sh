#!/usr/bin/env bash
# Reproduce the shipped walk-forward (cost-aware) models: deterministic, one command.
#
#   models/<pair>_1h_wf          data up to 2023-12-31, settings chosen by the walk-forward's LAST outer block
#                                (2023-10-01; inner selection on the 18 months before it): live / paper use.
#   models/<pair>_1h_wf_oos2023  data up to 2022-12-31, settings chosen by the 2023-01-01 outer block (inner
#                                selection on data before 2023 only), so 2023 is out of sample for the model
#                                AND for the choice of its settings.
#
# The parameters are the `folds[].params` of the walk-forward reports
#   python -m hummingbot_plugin walkforward --pair <PAIR> --start 2020-01-01 --end 2023-12-31 ...
# (40 Optuna trials per block, 3-month blocks, 6 inner blocks, seed 7, fee 0.1 %), copied verbatim.
# Features: the candle-only research set (CORE_FEATURES); the walk-forward also had cross-asset,
# Coinbase-premium and daily inputs, for which the controller has no live feed.
# Usage: bash tools/train_wf_models.sh   (under a minute per model on one core)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export HBP_DATA_DIR="${HBP_DATA_DIR:-$(cd .. && pwd)/shared/data}"

BTC_LAST='{"horizon": 72, "num_leaves": 15, "mode": "cost_aware", "enter_margin": 0.005403873036486184, "exit_gap": 0.025131857695989874, "min_hold_bars": 85, "sizing": "kelly", "kelly_scale": 0.5348272857494057, "gate": "sma50"}'
BTC_2023='{"horizon": 4, "num_leaves": 7, "mode": "client", "long_threshold": 0.4621723781340756, "min_hold_bars": 144, "sizing": "vol_target", "vol_target": 0.9861468414568585, "gate": "none"}'
ETH_LAST='{"horizon": 72, "num_leaves": 7, "mode": "cost_aware", "enter_margin": 0.005076990488497003, "exit_gap": 0.016707853211053735, "min_hold_bars": 1, "sizing": "vol_target", "vol_target": 0.9738834482028196, "gate": "sma50"}'
ETH_2023='{"horizon": 24, "num_leaves": 15, "mode": "client", "long_threshold": 0.3699469201614878, "min_hold_bars": 2, "sizing": "vol_target", "vol_target": 0.9788619278734715, "gate": "sma50"}'

ship() {  # pair, end, params, out
  echo "== $4 (data .. $2)"
  rm -rf "$4.tmp" && $PY -m hummingbot_plugin.research.ship --pair "$1" --candles "binance_$1_1h.csv" \
    --end "$2" --params "$3" --out "$4.tmp" --model-id "$(basename "$4")"
  rm -rf "$4" && mv "$4.tmp" "$4"
}

ship BTC-USDT 2023-12-31 "$BTC_LAST" models/btc_usdt_1h_wf
ship BTC-USDT 2022-12-31 "$BTC_2023" models/btc_usdt_1h_wf_oos2023
ship ETH-USDT 2023-12-31 "$ETH_LAST" models/eth_usdt_1h_wf
ship ETH-USDT 2022-12-31 "$ETH_2023" models/eth_usdt_1h_wf_oos2023
