"""Model cards in Markdown, generated from ``models/<model_id>/manifest.json`` (pure, no Hummingbot)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from hummingbot_plugin.errors import ModelError
from hummingbot_plugin.ml.manifest import Manifest

__all__ = ["load_manifests", "render_model_card", "render_model_cards"]


def load_manifests(models_dir: Path) -> list[Manifest]:
    """Every ``<models_dir>/*/manifest.json``, validated; a broken shipped manifest is an error."""
    manifests = []
    for path in sorted(models_dir.glob("*/manifest.json")):
        try:
            manifests.append(Manifest.model_validate(json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, ValidationError) as exc:
            raise ModelError(
                f"{path} is not a valid manifest: {exc}", fix="retrain the model or remove the directory"
            ) from exc
    return manifests


def _pct(value: float) -> str:
    return f"{value * 100:.1f} %"


def _num(value: float) -> str:
    return f"{value:.6g}"


def _quantile_table(m: Manifest) -> list[str]:
    cv, cal = m.cv_metrics, m.calibration
    lines = [
        "| quantile | mean pinball | naive pinball | coverage before calibration | after | shift |",
        "|---|---|---|---|---|---|",
    ]
    for i, level in enumerate(m.quantiles):
        cells = (
            f"Q{round(level * 100)}",
            _num(cv.mean_pinball[i]),
            _num(cv.mean_naive_pinball[i]),
            _pct(cal.coverage_before[i]),
            _pct(cal.coverage_after[i]),
            _num(cal.shifts[i]),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _fold_table(m: Manifest) -> list[str]:
    lines = [
        "| fold | train rows | validation rows | validation period | coverage per quantile |",
        "|---|---|---|---|---|",
    ]
    for fold in m.cv_metrics.folds:
        coverage = " / ".join(_pct(c) for c in fold.coverage)
        lines.append(
            f"| {fold.fold} | {fold.train_rows} | {fold.valid_rows} "
            f"| {fold.valid_start} → {fold.valid_end} | {coverage} |"
        )
    return lines


def _probability_table(m: Manifest) -> list[str]:
    lines = ["| method | Brier | log loss | top-tier accuracy | top-tier rows |", "|---|---|---|---|---|"]
    for score in m.cv_metrics.probability_scores:
        chosen = " (used)" if score.method == m.calibration.probability_method else ""
        lines.append(
            f"| {score.method}{chosen} | {_num(score.brier)} | {_num(score.log_loss)} "
            f"| {_pct(score.top_tier_accuracy)} | {score.top_tier_rows} |"
        )
    return lines


def _limits(m: Manifest) -> list[str]:
    verdict = ("beats" if m.cv_metrics.skill > 0 else "does NOT beat") + " the naive quantile baseline"
    return [
        f"- Trained on {m.trading_pair} {m.interval} bars only; for another pair or interval retrain it.",
        f"- No data after {m.data_cutoff} was used; every figure above is out-of-fold (walk-forward, "
        f"{m.cv_metrics.embargo_bars}-bar embargo). Performance after the cut-off is unknown until you run "
        "`python -m hummingbot_plugin backtest` on newer data.",
        f"- Skill {m.cv_metrics.skill:+.4f}: the model {verdict} on pinball loss.",
        f"- Probabilities assume a round-trip cost of {_pct(m.calibration.round_trip_cost)}; "
        "other fees change which moves are worth trading.",
        "- Regime changes (volatility, liquidity, exchange rules) are not modelled; watch coverage drift.",
    ]


def render_model_card(m: Manifest) -> str:
    """One card: data, period, features, validation metrics, calibration, files, limits."""
    lines = [
        f"## `{m.model_id}`",
        "",
        f"- **Market**: {m.trading_pair}, {m.interval} bars, forecasts the return over {m.horizon_bars} "
        f"bar{'s' if m.horizon_bars != 1 else ''}",
        f"- **Quantiles**: {', '.join(f'Q{round(q * 100)}' for q in m.quantiles)}",
        f"- **Training data**: {m.train_start} → {m.train_end} (data cut-off {m.data_cutoff})",
        f"- **Features** ({len(m.features)}, spec {m.feature_spec_version}): {', '.join(m.features)}",
        f"- **Daily inputs**: {', '.join(m.daily_inputs) or 'none'}",
        f"- **Boosting rounds**: {', '.join(str(n) for n in m.num_boost_round)}",
        f"- **Created** (last candle close, not wall clock): {m.created_at}",
        *([f"- **Notes**: {m.notes}"] if m.notes else []),
        "",
        f"### Validation ({m.cv_metrics.n_folds} walk-forward folds, skill {m.cv_metrics.skill:+.4f})",
        "",
        *_quantile_table(m),
        "",
        *_fold_table(m),
        "",
        "### Direction probabilities",
        "",
        f"Calibrated on {m.calibration.fitted_on_start} → {m.calibration.fitted_on_end} "
        f"({m.calibration.rows} rows, {m.calibration.method}).",
        "",
        *_probability_table(m),
        "",
        "### Limits",
        "",
        *_limits(m),
        "",
        "### Files (verified by sha256 before loading)",
        "",
        *[f"- `{name}`: `{digest}`" for name, digest in sorted(m.files.items())],
        f"- libraries: {', '.join(f'{k} {v}' for k, v in sorted(m.library_versions.items()))}",
        "",
    ]
    return "\n".join(lines)


def render_model_cards(manifests: Sequence[Manifest]) -> str:
    """The models page: one card per shipped model, sorted by model id."""
    head = [
        "# Model cards",
        "",
        "<!-- GENERATED by `python -m hummingbot_plugin docs` from models/*/manifest.json: "
        "do not edit by hand. -->",
        "",
    ]
    if not manifests:
        return "\n".join(
            [
                *head,
                "No model is shipped in `models/` yet. Train one with "
                "`python -m hummingbot_plugin train` (see docs/runbook.md).",
                "",
            ]
        )
    cards = [render_model_card(m) for m in sorted(manifests, key=lambda m: m.model_id)]
    return "\n".join(head) + "\n" + "\n".join(cards)
