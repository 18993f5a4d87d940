#!/usr/bin/env bash
# Reproduce the shipped forecast models (deterministic: same data + code -> byte-identical files).
#
#   models/<pair>_1h          trained on 2018-01-01 .. 2023-12-31 (all data handed out): for live/paper use.
#   models/<pair>_1h_oos2023  trained on 2018-01-01 .. 2022-12-31 only: for backtests and evaluations
#                             of 2023, which that model has never seen (strictly out-of-sample).
#
# Candle-only features: adding Fear & Greed / dominance did not improve walk-forward skill on <= 2022
# (BTC +0.0375 without vs +0.0372 with), and it would make live use depend on a daily feed.
# Usage: bash tools/train_models.sh   (about 2-4 minutes per model on one core)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export HBP_DATA_DIR="${HBP_DATA_DIR:-$(cd .. && pwd)/shared/data}"

train() {  # pair, end, out
  local pair=$1 end=$2 out=$3
  echo "== $out (data 2018-01-01 .. $end)"
  $PY -m hummingbot_plugin train --candles "binance_${pair}_1h.csv" --pair "$pair" --interval 1h \
    --start 2018-01-01 --end "$end" --out "$out" \
    --notes "Binance spot ${pair} 1h, trained only on data up to ${end}."
}

for pair in BTC-USDT ETH-USDT; do
  id=$(echo "$pair" | tr 'A-Z-' 'a-z_')_1h
  train "$pair" 2022-12-31 "models/${id}_oos2023"
  train "$pair" 2023-12-31 "models/${id}"
done
