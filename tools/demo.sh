#!/usr/bin/env bash
# Demo (`make demo`): what the plugin's controllers would have done on real data, strictly out of sample.
#
#   1. data check of the candle file (validation + gap report);
#   2. offline backtests through Hummingbot's own BacktestingEngineBase, 2023, fee 0.1 %, capital 1000, as a
#      funded account behind each controller's risk gate: the baseline trend controller, the AI-livestream
#      controller with the client's formulas and with the walk-forward cost-aware layer (models <= 2022);
#   3. a replay through Hummingbot's REAL runtime (V2 script, controllers, ExecutorOrchestrator, real
#      executors) on the simulated exchange, under the risk guard, with a live-updating status line:
#      the AI-livestream script on BTC-USDT and ETH-USDT 1h candles of 2023-Q1;
#   4. a market-making replay on the recorded Binance order book + trades (queue-aware fills);
#   5. a side-by-side summary. Everything is written to out/demo/ (JSON, HTML reports, audit trails).
# Every figure comes from the one ledger (hummingbot_plugin/ledger): the account at the top, the markets
# adding up to it, buy-and-hold beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export HBP_DATA_DIR="${HBP_DATA_DIR:-$(cd .. && pwd)/shared/data}"
OUT=out/demo
mkdir -p "$OUT"
hbp() { "$PY" -m hummingbot_plugin "$@"; }

echo "== 1. data check: binance_BTC-USDT_1h.csv"
hbp data check binance_BTC-USDT_1h.csv --max-gaps 3

for controller in baseline_trend ai_livestream ai_costaware; do
  echo
  echo "== 2. backtest (Hummingbot's engine): ${controller} on BTC-USDT 1h, 2023, fee 0.001, capital 1000"
  config="conf/controllers/${controller}_btc_usdt_1h.yml"
  [ "$controller" = ai_costaware ] && config="conf/controllers/ai_costaware_btc_usdt_1h_oos2023.yml"
  hbp backtest --config "$config" \
    --candles binance_BTC-USDT_1h.csv --start 2023-01-01 --end 2023-12-31 --fee 0.001 --capital 1000 \
    --json "$OUT/backtest_${controller}.json" --report "$OUT/backtest_${controller}.html"
done

echo
echo "== 3. replay (Hummingbot's runtime + simulated exchange + risk guard): AI livestream, BTC+ETH 1h, 2023-Q1"
hbp replay --script-config conf/scripts/ai_livestream_1h.yml \
  --data binance_BTC-USDT_1h.csv binance_ETH-USDT_1h.csv --start 2023-01-01 --end 2023-03-31 \
  --balance USDT=2020 --json "$OUT/replay_ai_livestream.json" --report "$OUT/replay_ai_livestream.html"

echo
echo "== 4. replay: forecast-aware market making on the recorded Binance book + trades (11 minutes)"
hbp replay --script-config conf/scripts/market_making_pmm_replay.yml \
  --data binance_BTC-USDT_l2_top20_1s_20240808T2354Z_20240809T0005Z.csv \
         binance_BTC-USDT_trades_20240808T2354Z_20240809T0005Z.csv \
  --balance USDT=10000 --balance BTC=0.15 --quiet --json "$OUT/replay_pmm.json" --report "$OUT/replay_pmm.html"

echo
echo "== 5. summary: BTC-USDT 2023 (out of sample, fees included)"
hbp compare "$OUT/backtest_baseline_trend.json" "$OUT/backtest_ai_livestream.json" \
  "$OUT/backtest_ai_costaware.json" --labels baseline_trend ai_livestream ai_costaware
echo
echo "reports (open in a browser): $OUT/backtest_*.html, $OUT/replay_*.html"
echo "every order, fill and trade: $OUT/*.json; audit trails: $OUT/replay_*.audit.jsonl"
