"""Factories for risk-layer tests (pure objects, no Hummingbot)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from hummingbot_plugin.audit import AuditLog
from hummingbot_plugin.risk import (
    ExecutorRequest,
    JsonStateStore,
    PairSnapshot,
    PortfolioSnapshot,
    RiskGuard,
    RiskLimits,
    Side,
)

NOW = 1_700_000_000.0  # 2023-11-14T22:13:20Z


def make_limits(**overrides: Any) -> RiskLimits:
    values: dict[str, Any] = {
        "capital_quote": Decimal("1000"),
        "max_drawdown_pct": Decimal("0.10"),
        "max_open_executors": 1000,
        "max_total_exposure_quote": Decimal("1000000"),
    }
    values.update(overrides)
    return RiskLimits(**values)


def make_pair(**overrides: Any) -> PairSnapshot:
    values: dict[str, Any] = {
        "connector_name": "sim_exchange",
        "trading_pair": "BTC-USDT",
        "mid_price": Decimal("100"),
        "last_price": Decimal("100"),
        "book_updated_at": NOW,
    }
    values.update(overrides)
    return PairSnapshot(**values)


def make_snapshot(pairs: tuple[PairSnapshot, ...] | None = None, **overrides: Any) -> PortfolioSnapshot:
    values: dict[str, Any] = {
        "capital_quote": Decimal("1000"),
        "pnl_quote": Decimal("0"),
        "pairs": pairs if pairs is not None else (make_pair(),),
    }
    values.update(overrides)
    return PortfolioSnapshot(**values)


def make_request(**overrides: Any) -> ExecutorRequest:
    values: dict[str, Any] = {
        "controller_id": "ctrl",
        "connector_name": "sim_exchange",
        "trading_pair": "BTC-USDT",
        "side": Side.BUY,
        "amount_base": Decimal("0.1"),
        "price": Decimal("100"),
    }
    values.update(overrides)
    return ExecutorRequest(**values)


def make_guard(
    tmp_path: Path, limits: RiskLimits | None = None, *, audit: bool = True, scope: str = "ctrl"
) -> RiskGuard:
    log = AuditLog(tmp_path / "audit") if audit else None
    return RiskGuard(limits or make_limits(), JsonStateStore(tmp_path / f"{scope}.json"), log, scope=scope)
