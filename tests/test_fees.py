"""Fee schedules as data, maker rebates booked as cash in (simulated exchange and the one ledger),
quotes rounded to the venue's grid, and the break-even maker fee of a market-making run."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hummingbot.core.data_type.common import TradeType
from hummingbot.strategy_v2.executors.order_executor.data_types import ExecutionStrategy, OrderExecutorConfig
from hummingbot.strategy_v2.executors.order_executor.order_executor import OrderExecutor
from pydantic import ValidationError

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.fees import MIN_MAKER_FEE, PRESETS, break_even_maker_fee, custom_schedule, fee_schedule
from hummingbot_plugin.hb.config_discovery import ensure_project_importable
from hummingbot_plugin.ledger import Fill, Market, Marks, build_ledger
from hummingbot_plugin.mm.analytics import mm_report
from hummingbot_plugin.mm.params import PMMParams
from hummingbot_plugin.mm.pmm_logic import quoting_params
from hummingbot_plugin.mm.quoting import QuotingParams, fee_floor, round_price, round_size
from hummingbot_plugin.simulation.engine.config import SimExchangeConfig
from hummingbot_plugin.simulation.engine.models import BookLevel, BookSnapshot, Side, TradePrint
from hummingbot_plugin.simulation.engine.paper import PaperTradingSettings
from hummingbot_plugin.simulation.exchange.exchange import SimulatedExchange
from hummingbot_plugin.simulation.exchange.session import SimSession
from hummingbot_plugin.simulation.mm.quote_replay import ReplayOptions, run_candle_replay

D = Decimal
PAIR = "BTC-USDT"
T0 = 1_723_161_600.0
REBATE = D("-0.00005")


def _params() -> PMMParams:
    return PMMParams(
        buy_spreads=[0.001],
        sell_spreads=[0.001],
        total_amount_quote=D(1000),
        maker_fee=D("0.0002"),
        volatility_window=5,
        executor_refresh_time=1,
        filled_order_delay=0,
        min_spread_multiplier=1.0,
        max_spread_multiplier=1.0,
        volatility_factor=0.0,
        inventory_skew_enabled=False,
    )


def _bars(lows: np.ndarray, highs: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "timestamp": np.arange(len(lows)) * 60.0,
            "open": 100.0,
            "high": highs,
            "low": lows,
            "close": 100.0,
            "volume": 1.0,
        }
    )


def test_presets_hold_the_published_rates_and_say_so() -> None:
    rates = {name: (s.maker, s.taker) for name, s in PRESETS.items()}
    assert rates == {
        "spot_vip0": (D("0.001"), D("0.001")),
        "spot_bnb": (D("0.00075"), D("0.00075")),
        "futures_regular": (D("0.0002"), D("0.0005")),
        "futures_vip": (D("0.00006"), D("0.0003")),
        "lp_rebate": (REBATE, D("0.0005")),
    }
    assert PRESETS["lp_rebate"].label == "lp_rebate (maker -0.0050 %, taker 0.0500 %)"
    assert PRESETS["lp_rebate"].fee_quote(D(60000), is_maker=True) == D("-3.00000")
    assert fee_schedule("futures_vip") is PRESETS["futures_vip"]
    assert fee_schedule("-0.0001, 0.0004").maker == D("-0.0001")


@pytest.mark.parametrize(("maker", "taker"), [("-0.0006", "0.0005"), ("0.0002", "-0.0001"), ("0.1", "0.1")])
def test_out_of_range_rates_are_refused_with_the_range(maker: str, taker: str) -> None:
    with pytest.raises(ConfigError) as err:
        custom_schedule(maker, taker)
    assert str(MIN_MAKER_FEE) in err.value.fix
    with pytest.raises(ConfigError):
        fee_schedule("cheap")


def test_the_simulated_venue_accepts_a_bounded_rebate_and_never_a_negative_taker_fee() -> None:
    base = {"connector_name": "binance", "trading_pairs": (PAIR,), "balances": {"USDT": D(1)}}
    assert SimExchangeConfig(**base, maker_fee=REBATE).maker_fee == REBATE
    for bad in ({"maker_fee": D("-0.001")}, {"taker_fee": D("-0.00001")}):
        with pytest.raises(ValidationError):
            SimExchangeConfig(**base, **bad)


def test_paper_trading_accepts_the_same_bounded_rebate_and_hands_it_to_its_venues() -> None:
    paper = PaperTradingSettings(balances={"USDT": D(1000)}, maker_fee=REBATE, taker_fee=D("0.0005"))
    venue = SimExchangeConfig(connector_name="binance", trading_pairs=(PAIR,), **paper.venue_fields())
    assert (venue.maker_fee, venue.taker_fee) == (REBATE, D("0.0005"))
    assert PaperTradingSettings(balances={"USDT": D(1)}, maker_fee=MIN_MAKER_FEE).maker_fee == MIN_MAKER_FEE
    with pytest.raises(ValidationError):
        PaperTradingSettings(balances={"USDT": D(1)}, maker_fee=MIN_MAKER_FEE - D("0.00001"))
    with pytest.raises(ValidationError):
        PaperTradingSettings(balances={"USDT": D(1)}, taker_fee=D("-0.00001"))


def test_the_pmm_controller_config_accepts_a_rebate_and_quotes_down_to_the_mid_floor() -> None:
    ensure_project_importable()
    from controllers.market_making.pmm_forecast import PMMForecastConfig

    base = {
        "id": "pmm_rebate",
        "connector_name": "binance",
        "trading_pair": PAIR,
        "buy_spreads": "0.0001",
        "sell_spreads": "0.0001",
        "total_amount_quote": 1000,
        "min_profit_margin": D("0.00001"),
    }
    cfg = PMMForecastConfig(**base, maker_fee=REBATE)
    params = quoting_params(cfg)
    assert params.maker_fee == float(REBATE)
    assert params.floor == 0.0  # two rebates exceed the margin: the floor never goes below the mid
    assert quoting_params(PMMForecastConfig(**base, maker_fee=D("0.0002"))).floor == pytest.approx(0.00041)
    with pytest.raises(ValidationError):
        PMMForecastConfig(**base, maker_fee=MIN_MAKER_FEE - D("0.00001"))


def _book(ts: float) -> BookSnapshot:
    return BookSnapshot(ts, (BookLevel(D(60000), D(2)),), (BookLevel(D(60001), D(3)),))


def test_a_rebate_increases_cash_by_exactly_fee_times_notional(tmp_path: Path) -> None:
    exchange = SimulatedExchange(
        SimExchangeConfig(
            connector_name="binance",
            trading_pairs=(PAIR,),
            balances={"USDT": D(10000), "BTC": D(1)},
            maker_fee=REBATE,
            taker_fee=D("0.0005"),
        )
    )
    exchange.apply_book(PAIR, _book(T0))
    session = SimSession([exchange], start_ts=T0, db_path=tmp_path / "s.sqlite")
    config = OrderExecutorConfig(
        timestamp=T0,
        trading_pair=PAIR,
        connector_name="binance",
        side=TradeType.SELL,
        amount=D("0.01"),
        price=D(60001),
        execution_strategy=ExecutionStrategy.LIMIT_MAKER,
    )

    async def scenario() -> None:
        await session.start()
        session.start_executor(OrderExecutor, config)
        await session.advance(2)
        exchange.apply_trade(PAIR, TradePrint(T0 + 3, D(60002), D(1), Side.BUY, "t1"))  # through our ask
        await session.advance(2)

    session.run(scenario())
    (entry,) = exchange.ledger.entries
    notional = D(60001) * D("0.01")
    assert entry.is_maker and entry.fee_quote == notional * REBATE < 0
    assert exchange.get_balance("USDT") == D(10000) + notional + notional * -REBATE  # 600.01 + 0.0300005
    assert set(exchange.ledger.reconcile().values()) == {D(0)}
    market = Market("binance", PAIR)
    book = build_ledger(
        [Fill(entry.timestamp, market, -1, float(entry.price), float(entry.amount), float(entry.fee_quote))],
        {"binance": {"USDT": 10000.0, "BTC": 1.0}},
        Marks(np.array([T0, T0 + 10]), {market: np.array([60000.5, 60000.5])}),
    )
    cash = book.balances[("binance", "USDT")][-1]
    assert cash == pytest.approx(float(exchange.get_balance("USDT")), abs=1e-9)
    assert book.markets[market].fees[-1] == pytest.approx(float(notional * REBATE), abs=1e-12)


def test_quotes_rest_on_the_venue_grid_never_more_aggressive_than_asked() -> None:
    tick, step = D("0.01"), D("0.00001")
    assert round_price(60000.019, tick, "buy") == D("60000.01")
    assert round_price(60000.011, tick, "sell") == D("60000.02")
    assert round_price(60000.01, tick, "sell") == D("60000.01")
    assert round_size(0.0123456, step) == D("0.01234")
    prices = np.linspace(100, 110, 200)
    result = run_candle_replay(_bars(prices - 0.3, prices + 0.3), _params(), bar_seconds=60)
    assert len(result.fills) > 0
    for price in result.fills["price"]:
        assert D(repr(price)) % tick == 0


def test_rebate_runs_book_negative_fees_and_a_break_even_above_the_rebate() -> None:
    prices = 100 + np.sin(np.linspace(0, 30, 400))
    bars = _bars(prices - 0.3, prices + 0.3)
    options = ReplayOptions(fees=PRESETS["lp_rebate"])
    paid = run_candle_replay(bars, _params(), bar_seconds=60, options=options)
    assert len(paid.fills) > 0 and (paid.fills["fee"] < 0).all()
    notional = paid.fills["price"] * paid.fills["amount"]
    assert np.allclose(paid.fills["fee"], notional * float(REBATE))
    report = mm_report(paid.fills, paid.mids, n_orders=paid.n_orders, schedule=PRESETS["lp_rebate"])
    assert report.fees_quote < 0 and report.net_pnl_quote > report.gross_pnl_quote
    # charged at its break-even maker fee, the same fills net exactly zero
    at_break_even = report.gross_pnl_quote - report.break_even_maker_fee * report.maker_volume_quote
    assert at_break_even == pytest.approx(0, abs=1e-9)
    assert "lp_rebate (maker -0.0050 %" in report.fee_line()
    assert np.isnan(break_even_maker_fee(5.0, 0.0)) and break_even_maker_fee(5.0, 1000.0, 1.0) == 0.004


def test_a_rebate_lets_the_quote_floor_reach_the_mid_but_not_cross_it() -> None:
    assert fee_floor(-0.00005, 0.00002) == 0.0 and fee_floor(0.0002, 0.0001) == pytest.approx(0.0005)
    assert QuotingParams(base_spread=0.001, maker_fee=-0.00005, min_profit_margin=0).floor == 0.0
    with pytest.raises(ConfigError):
        QuotingParams(base_spread=0.001, maker_fee=-0.001, min_profit_margin=0)
