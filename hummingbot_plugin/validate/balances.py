"""Starting balances that cannot trade the script's markets: an unknown asset, or no quote to buy with."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from decimal import Decimal

from hummingbot_plugin.validate.problems import Problem

__all__ = ["balance_problems", "market_assets", "missing_quotes", "unknown_assets"]

Markets = Mapping[str, Iterable[str]]


def market_assets(markets: Markets) -> tuple[set[str], set[str]]:
    """(every base and quote asset, the quote assets) of ``{connector: {BASE-QUOTE, ...}}``."""
    assets: set[str] = set()
    quotes: set[str] = set()
    for pairs in markets.values():
        for pair in pairs:
            base, _, quote = str(pair).partition("-")
            assets.update((base, quote))
            quotes.add(quote)
    return assets, quotes


def _path(field: str, asset: str) -> str:
    return f"{field}.{asset}" if field else asset


def unknown_assets(file: str, field: str, balances: Mapping[str, Decimal], markets: Markets) -> list[Problem]:
    """Each balance asset that is neither the base nor the quote of any traded market."""
    assets, _ = market_assets(markets)
    traded = ", ".join(f"{c} {p}" for c in sorted(markets) for p in sorted(markets[c]))
    problems = []
    for asset in sorted(set(balances) - assets):
        close = difflib.get_close_matches(asset, sorted(assets), n=1, cutoff=0.6)
        hint = f"did you mean {close[0]}? " if close else ""
        problems.append(
            Problem(
                file,
                _path(field, asset),
                f"{asset} is neither the base nor the quote asset of any market the script trades ({traded})",
                f"{hint}use one of {sorted(assets)}, or remove {asset}",
            )
        )
    return problems


def missing_quotes(
    file: str, field: str, balances: Mapping[str, Decimal], markets: Markets, example: str = "{asset}: 1000"
) -> list[Problem]:
    """Each quote asset of a traded market without a positive balance (nothing can be bought)."""
    _, quotes = market_assets(markets)
    pairs = sorted({str(p) for ps in markets.values() for p in ps})
    problems = []
    for quote in sorted(quotes):
        if Decimal(str(balances.get(quote, 0))) > 0:
            continue
        buyers = ", ".join(p for p in pairs if p.endswith(f"-{quote}"))
        problems.append(
            Problem(
                file,
                _path(field, quote),
                f"no {quote} balance: {buyers} cannot be bought without {quote}, so no order could be funded",
                f"give a positive {quote} balance, e.g. {example.format(asset=quote)}",
            )
        )
    return problems


def balance_problems(
    file: str, field: str, balances: Mapping[str, Decimal], markets: Markets
) -> list[Problem]:
    """:func:`unknown_assets` then :func:`missing_quotes` (``field`` prefixes each reported path)."""
    return unknown_assets(file, field, balances, markets) + missing_quotes(file, field, balances, markets)
