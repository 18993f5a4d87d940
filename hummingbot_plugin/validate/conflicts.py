"""Cross-controller conflicts among controllers that run together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from hummingbot_plugin.validate.problems import Problem

__all__ = ["ControllerView", "find_conflicts"]


@dataclass(frozen=True)
class ControllerView:
    """What the conflict rules need from one loaded controller config."""

    file: str
    controller_id: str
    controller_type: str
    connector_name: str
    trading_pair: str
    can_long: bool = True
    can_short: bool = True
    coordination_group: str = ""


def find_conflicts(views: Iterable[ControllerView]) -> list[Problem]:
    items = list(views)
    problems = _duplicate_ids(items)
    by_market: dict[tuple[str, str], list[ControllerView]] = defaultdict(list)
    for view in items:
        if view.connector_name and view.trading_pair:
            by_market[(view.connector_name, view.trading_pair)].append(view)
    for (connector, pair), group in by_market.items():
        problems += _opposite_directions(
            connector, pair, [v for v in group if v.controller_type == "directional_trading"]
        )
        problems += _overlapping_quotes(
            connector, pair, [v for v in group if v.controller_type == "market_making"]
        )
    return problems


def _duplicate_ids(items: list[ControllerView]) -> list[Problem]:
    seen: dict[str, str] = {}
    problems = []
    for view in items:
        if view.controller_id in seen:
            problems.append(
                Problem(
                    view.file,
                    "id",
                    f"id {view.controller_id!r} is also used by {seen[view.controller_id]}",
                    "give every controller a unique id (it keys risk state and executors)",
                )
            )
        seen.setdefault(view.controller_id, view.file)
    return problems


def _coordinated(a: ControllerView, b: ControllerView) -> bool:
    return bool(a.coordination_group) and a.coordination_group == b.coordination_group


def _opposite_directions(connector: str, pair: str, group: list[ControllerView]) -> list[Problem]:
    problems = []
    for i, a in enumerate(group):
        for b in group[i + 1 :]:
            if _coordinated(a, b) or not ((a.can_long and b.can_short) or (a.can_short and b.can_long)):
                continue
            problems.append(
                Problem(
                    b.file,
                    "trading_pair",
                    f"{a.controller_id} and {b.controller_id} can trade {pair} on {connector} "
                    "in opposite directions",
                    "run one directional controller per pair, restrict one (allow_short: false) "
                    "or give both the same coordination_group",
                )
            )
    return problems


def _overlapping_quotes(connector: str, pair: str, group: list[ControllerView]) -> list[Problem]:
    problems = []
    for i, a in enumerate(group):
        for b in group[i + 1 :]:
            if not _coordinated(a, b):
                problems.append(
                    Problem(
                        b.file,
                        "trading_pair",
                        f"{a.controller_id} and {b.controller_id} both quote {pair} on {connector} "
                        "without coordination",
                        "quote each pair from one market-making controller, "
                        "or set the same coordination_group",
                    )
                )
    return problems
