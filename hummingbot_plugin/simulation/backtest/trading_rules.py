"""Offline trading rules: a validated JSON of per-connector, per-pair exchange rules."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hummingbot_plugin.errors import ConfigError

__all__ = ["DEFAULT_RULES_FILE", "PairRule", "RulesFile", "load_rules_file", "pair_rules"]

DEFAULT_RULES_FILE = Path(__file__).resolve().parents[2] / "resources" / "trading_rules.json"


class PairRule(BaseModel):
    """One pair's rules, named like Hummingbot's ``TradingRule`` arguments."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_order_size: Decimal = Field(gt=0)
    max_order_size: Decimal = Field(gt=0)
    min_price_increment: Decimal = Field(gt=0)
    min_base_amount_increment: Decimal = Field(gt=0)
    min_quote_amount_increment: Decimal | None = Field(default=None, gt=0)
    min_notional_size: Decimal = Field(ge=0)


class RulesFile(BaseModel):
    """The whole file: ``about`` (source, date) and ``rules[connector][pair]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    about: dict[str, str]
    rules: dict[str, dict[str, PairRule]]


def load_rules_file(path: Path | None = None) -> RulesFile:
    """Read and validate a trading-rules JSON (default: the shipped one)."""
    source = path or DEFAULT_RULES_FILE
    try:
        return RulesFile.model_validate(json.loads(source.read_text()))
    except FileNotFoundError:
        raise ConfigError(
            f"trading-rules file {source} not found", fix="pass an existing --trading-rules file"
        ) from None
    except (json.JSONDecodeError, ValidationError) as exc:
        raise ConfigError(
            f"trading-rules file {source} is invalid: {exc}", fix="fix the JSON shown above"
        ) from exc


def pair_rules(rules: RulesFile, connector: str, source: Path | None = None) -> dict[str, PairRule]:
    """All pairs' rules of ``connector``, or a ConfigError naming the file and what it holds."""
    if connector not in rules.rules:
        known = ", ".join(sorted(rules.rules))
        raise ConfigError(
            f"no offline trading rules for connector {connector!r} in {source or DEFAULT_RULES_FILE} "
            f"(it has: {known})",
            fix="add the connector's rules to that JSON or pass --trading-rules with a file that has them",
        )
    return dict(rules.rules[connector])
