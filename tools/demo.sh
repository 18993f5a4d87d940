#!/usr/bin/env bash
# Demo: backtest the baseline trend controller on Binance BTC-USDT 1h bars of 2023, offline, through
# Hummingbot's own BacktestingEngineBase; prints the strategy next to buy-and-hold and writes
# out/demo/backtest.json and out/demo/report.png.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export HBP_DATA_DIR="${HBP_DATA_DIR:-$(cd .. && pwd)/shared/data}"
mkdir -p out/demo

echo "== data check: binance_BTC-USDT_1h.csv"
"$PY" -m hummingbot_plugin data check binance_BTC-USDT_1h.csv --max-gaps 3

echo
echo "== backtest: baseline_trend on BTC-USDT 1h, 2023, fee 0.001, capital 1000"
"$PY" -m hummingbot_plugin backtest \
  --config conf/controllers/baseline_trend_btc_usdt_1h.yml \
  --candles binance_BTC-USDT_1h.csv \
  --start 2023-01-01 --end 2023-12-31 \
  --fee 0.001 --capital 1000 \
  --json out/demo/backtest.json --report out/demo/report.png
