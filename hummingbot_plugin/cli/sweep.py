"""``sweep`` command: Optuna studies of walk-forward trials on shared storage (run, report, export)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]

DEFAULT_DIR = Path("out/sweeps")


def register(subparsers: Any) -> None:
    """Add ``sweep run|report|export``."""
    parser = subparsers.add_parser(
        "sweep",
        help="parameter sweep as an Optuna study (SQLite or PostgreSQL), many workers, resumable",
        description="Each trial is a walk-forward over the training folds of a declared search space "
        "(conf/sweeps/*.yml). Workers on any machine join the same study with the same --storage.",
    )
    actions = parser.add_subparsers(dest="action", metavar="<action>", required=True)
    for name, text in (
        ("run", "run (or resume) the study until it holds --trials finished trials"),
        ("report", "trial counts, best trial and its deflated Sharpe, Optuna plots, report.json"),
        ("export", "best feasible trial → controller YAML + sealed model (training window) per pair"),
    ):
        sub = actions.add_parser(name, help=text, description=text)
        sub.add_argument("--storage", help="database URL (default: sqlite:///out/sweeps/<study>.db)")
        sub.add_argument("--study", required=True, help="study name")
        if name in ("run", "export"):
            sub.add_argument("--config", required=True, type=Path, help="sweep YAML (conf/sweeps/...)")
        sub.set_defaults(func=run)
    actions.choices["run"].add_argument("--workers", type=int, default=1, help="local processes (default 1)")
    actions.choices["run"].add_argument("--trials", type=int, default=40, help="finished trials (default 40)")
    actions.choices["run"].add_argument("--seed", type=int, help="TPE seed (worker k uses seed + k)")
    actions.choices["report"].add_argument("--out", type=Path, help="folder (default out/sweeps/<study>)")
    actions.choices["export"].add_argument(
        "--out", type=Path, help="folder (default out/sweeps/<study>_export)"
    )


def _url(args: argparse.Namespace) -> str:
    if args.storage:
        return str(args.storage)
    return f"sqlite:///{(DEFAULT_DIR / f'{args.study}.db').resolve()}"


def run(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from hummingbot_plugin.research import sweep, sweep_report
    from hummingbot_plugin.research.sweep_config import load_sweep_config

    url = _url(args)
    if args.action == "run":
        study = sweep.run_sweep(
            args.config, url, args.study, trials=args.trials, workers=args.workers, seed=args.seed
        )
        shown = make_url(url).render_as_string(hide_password=True)
        print(f"study {args.study}: {len(sweep.finished_trials(study))} finished trials in {shown}")
    elif args.action == "report":
        out = args.out or DEFAULT_DIR / args.study
        summary, paths = sweep_report.write_report(sweep_report.open_study(url, args.study), out)
        print(json.dumps(summary, indent=2, default=str))
        print("wrote " + ", ".join(str(p) for p in paths))
    else:
        from hummingbot_plugin.research.sweep_export import export_best

        out = args.out or DEFAULT_DIR / f"{args.study}_export"
        config = load_sweep_config(args.config)  # fail closed before opening the study
        payload = export_best(sweep_report.open_study(url, args.study), config, out)
        print(f"trial {payload['source']['trial']}: wrote {out / 'chosen.yml'}")
        for pair, path in payload["controllers"].items():
            print(f"{pair}: {path}")
    return 0
