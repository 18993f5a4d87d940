"""Pure per-request checks. Each returns a denial :class:`Decision` or None when the rule passes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from hummingbot_plugin.risk.limits import RiskLimits
from hummingbot_plugin.risk.models import (
    Decision,
    DenialReason,
    ExecutorRequest,
    PairSnapshot,
    PortfolioSnapshot,
    Side,
)

if TYPE_CHECKING:
    from hummingbot_plugin.risk.store import PersistedRiskState

__all__ = [
    "Inflight",
    "check_counts",
    "check_exposure",
    "check_market_data",
    "check_rate",
    "check_request_valid",
    "count_in_window",
    "effective_pairs",
    "is_reducing",
    "track_stop_losses",
]


@dataclass(frozen=True)
class Inflight:
    """An approved request not yet visible in the snapshot (counted as pending exposure)."""

    executor_id: str
    connector_name: str
    trading_pair: str
    side: Side
    notional_quote: Decimal
    approved_at: float


def check_request_valid(request: ExecutorRequest) -> Decision | None:
    for name in ("amount_base", "price"):
        value: Decimal = getattr(request, name)
        if not value.is_finite() or value <= 0:
            return Decision.deny(DenialReason.INVALID_REQUEST, f"{name}={value} must be a finite number > 0")
    if request.leverage < 1:
        return Decision.deny(DenialReason.INVALID_REQUEST, f"leverage={request.leverage} must be >= 1")
    return None


def check_market_data(
    limits: RiskLimits, pair: PairSnapshot | None, now: float, order_price: Decimal | None = None
) -> Decision | None:
    """Stale order book, stale candles, or a price spike (last vs mid, order vs mid)."""
    if pair is None or pair.mid_price is None or not pair.mid_price.is_finite() or pair.mid_price <= 0:
        return Decision.deny(DenialReason.NO_MARKET_DATA, "no valid mid price for this pair")
    if pair.book_updated_at is None or now - pair.book_updated_at > limits.max_book_age_seconds:
        age = "never updated" if pair.book_updated_at is None else f"{now - pair.book_updated_at:.1f}s old"
        return Decision.deny(DenialReason.STALE_BOOK, f"order book {age} > {limits.max_book_age_seconds}s")
    if limits.max_candles_age_seconds is not None and (
        pair.candles_updated_at is None or now - pair.candles_updated_at > limits.max_candles_age_seconds
    ):
        return Decision.deny(
            DenialReason.STALE_CANDLES, f"candles older than {limits.max_candles_age_seconds}s"
        )
    band = limits.max_price_deviation_pct
    for label, price in (("last trade", pair.last_price), ("order", order_price)):
        if price is None:
            continue
        deviation = abs(price - pair.mid_price) / pair.mid_price
        if deviation > band:
            return Decision.deny(
                DenialReason.PRICE_BAND, f"{label} price {price} is {deviation:.2%} from mid {pair.mid_price}"
            )
    return None


def is_reducing(pair: PairSnapshot | None, request: ExecutorRequest) -> bool:
    """True when the request closes part of the net position and cannot flip it, even if every pending
    order on the same side fills too; such a request can never raise the true worst-case exposure,
    however conservative (over-counted) the view of pending orders is."""
    if pair is None:
        return False
    net, notional = pair.net_position_quote, request.notional_quote
    if request.side is Side.SELL:
        return net > 0 and notional <= net - pair.pending_sell_quote
    return net < 0 and notional <= -net - pair.pending_buy_quote


def check_exposure(
    limits: RiskLimits, capital: Decimal, pairs: Iterable[PairSnapshot], request: ExecutorRequest
) -> Decision | None:
    pair_list = list(pairs)
    pair = next((p for p in pair_list if p.key == (request.connector_name, request.trading_pair)), None)
    pair = pair or PairSnapshot(request.connector_name, request.trading_pair)
    if is_reducing(pair, request):
        return None
    # No "does not increase the view" shortcut: the view may over-count pending orders, and an order
    # that leaves the view unchanged can still raise the true exposure. Pending orders only add to
    # worst-case exposure, so "view after <= cap" implies "truth after <= cap".
    after = _after(pair, request)
    same_pair = sum(
        (
            p.worst_case_exposure()
            for p in pair_list
            if p.trading_pair == request.trading_pair and p.key != pair.key
        ),
        Decimal(0),
    )
    pair_cap = limits.pair_exposure_cap(capital)
    if same_pair + after > pair_cap:
        return Decision.deny(
            DenialReason.PAIR_EXPOSURE,
            f"{request.trading_pair} worst-case exposure {same_pair + after:.2f} > cap {pair_cap:.2f}",
        )
    total = sum((p.worst_case_exposure() for p in pair_list if p.key != pair.key), Decimal(0)) + after
    total_cap = limits.total_exposure_cap(capital)
    if total > total_cap:
        return Decision.deny(
            DenialReason.TOTAL_EXPOSURE, f"total worst-case exposure {total:.2f} > cap {total_cap:.2f}"
        )
    return None


def effective_pairs(snapshot: PortfolioSnapshot, inflight: Iterable[Inflight]) -> tuple[PairSnapshot, ...]:
    """The snapshot's pairs with not-yet-visible approved requests added as pending exposure."""
    extra: dict[tuple[str, str], list[Decimal]] = {}
    for item in inflight:
        sums = extra.setdefault((item.connector_name, item.trading_pair), [Decimal(0), Decimal(0)])
        sums[0 if item.side is Side.BUY else 1] += item.notional_quote
    pairs = {p.key: p for p in snapshot.pairs}
    for key, (buys, sells) in extra.items():
        base = pairs.get(key) or PairSnapshot(*key)
        pairs[key] = dataclasses.replace(
            base,
            pending_buy_quote=base.pending_buy_quote + buys,
            pending_sell_quote=base.pending_sell_quote + sells,
        )
    return tuple(pairs.values())


def count_in_window(timestamps: Iterable[float], now: float, window: float) -> int:
    return sum(1 for ts in timestamps if now - window < ts <= now)


def _after(pair: PairSnapshot, request: ExecutorRequest) -> Decimal:
    notional = request.notional_quote
    if request.side is Side.BUY:
        return pair.worst_case_exposure(extra_buy=notional)
    return pair.worst_case_exposure(extra_sell=notional)


def check_counts(limits: RiskLimits, st: PersistedRiskState, open_count: int, now: float) -> Decision | None:
    """Open-executor cap and the stop-loss cooldown (not applied to exposure-reducing requests)."""
    if open_count >= limits.max_open_executors:
        return Decision.deny(
            DenialReason.MAX_OPEN_EXECUTORS, f"{open_count} open executors >= max {limits.max_open_executors}"
        )
    if st.cooldown_until is not None and now < st.cooldown_until:
        return Decision.deny(
            DenialReason.STOP_LOSS_COOLDOWN,
            f"{limits.stop_loss_streak} consecutive stop losses; cooldown until {st.cooldown_until:.0f}",
        )
    return None


def check_rate(limits: RiskLimits, creations: Iterable[float], now: float) -> Decision | None:
    """Executor-creation rate cap: denies rather than queues."""
    if count_in_window(creations, now, limits.rate_window_seconds) < limits.max_executors_per_window:
        return None
    return Decision.deny(
        DenialReason.RATE_LIMIT,
        f"{limits.max_executors_per_window} executors already created in the last "
        f"{limits.rate_window_seconds:g}s (denied, not queued)",
    )


def track_stop_losses(st: PersistedRiskState, limits: RiskLimits, snapshot: PortfolioSnapshot) -> None:
    """Count consecutive stop losses among newly closed executors; start the cooldown on a streak."""
    seen = set(st.seen_closed_ids)
    for closed in sorted(snapshot.closed_executors, key=lambda c: c.close_timestamp):
        if closed.executor_id in seen:
            continue
        st.remember_closed(closed.executor_id)
        st.consecutive_stop_losses = st.consecutive_stop_losses + 1 if closed.stop_loss else 0
        if st.consecutive_stop_losses >= limits.stop_loss_streak:
            st.cooldown_until = closed.close_timestamp + limits.stop_loss_cooldown_seconds
            st.consecutive_stop_losses = 0
