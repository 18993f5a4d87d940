"""A validation problem: which file, which field path, what is wrong, how to fix it."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Problem", "fix_for_error", "suggest_key"]


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str
    fix: str
    severity: str = "error"

    def line(self) -> str:
        return (
            f"{self.severity.upper()} {self.file}: {self.path or '<file>'}: {self.message} -> fix: {self.fix}"
        )


def suggest_key(key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    return (
        f"did you mean {close[0]!r}? otherwise remove it"
        if close
        else "remove it (not a field of this config)"
    )


def fix_for_error(error: Any) -> str:
    """A concrete correction for one pydantic error dict (type + ctx)."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    bounds = {
        "greater_than": "> {gt}",
        "greater_than_equal": ">= {ge}",
        "less_than": "< {lt}",
        "less_than_equal": "<= {le}",
    }
    if kind in bounds:
        return "use a value " + bounds[kind].format(**{k: ctx.get(k) for k in ("gt", "ge", "lt", "le")})
    if kind == "missing":
        return "add this required field"
    if kind == "extra_forbidden":
        return "remove this key (unknown field)"
    if kind in ("finite_number", "float_parsing", "decimal_parsing", "int_parsing", "int_from_float"):
        return "use a finite number of the right type (no NaN/inf, no text)"
    if kind == "literal_error" or kind == "enum":
        return f"use one of: {ctx.get('expected', 'the allowed values')}"
    if kind == "string_pattern_mismatch":
        return f"match the pattern {ctx.get('pattern')}"
    return "correct the value (see message)"
