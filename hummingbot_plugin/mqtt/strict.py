"""Strict JSON typing of override values: no string → number, no bool → number, no number → bool.

Pydantic's lax mode would turn ``"0.7"`` into 0.7 and ``true`` into 1.0; an override must say what it
means. Checked against the field annotation before the config class validates ranges and rules.
"""

from __future__ import annotations

import types
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

__all__ = ["type_problem"]

_NUMBERS = (int, float, Decimal)


def type_problem(annotation: Any, value: Any, where: str) -> str | None:
    """Why ``value`` (decoded JSON) does not strictly fit ``annotation``, or None when it does."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return type_problem(get_args(annotation)[0], value, where)
    if origin in (Union, types.UnionType):
        options = get_args(annotation)
        if value is None:
            return None if type(None) in options else f"{where}: null is not allowed"
        problems = [type_problem(a, value, where) for a in options if a is not type(None)]
        return None if any(p is None for p in problems) else problems[0]
    if origin is Literal:
        allowed = get_args(annotation)
        return None if value in allowed else f"{where}: {value!r} is not one of {allowed}"
    if isinstance(annotation, type):
        return _scalar_problem(annotation, value, where)
    return None  # containers and other types: the config class validates them


def _scalar_problem(annotation: type, value: Any, where: str) -> str | None:
    kind = type(value).__name__
    if annotation is bool:
        return None if isinstance(value, bool) else f"{where}: expected true/false, got {kind}"
    if annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else f"{where}: expected an integer, got {kind}"
    if issubclass(annotation, (float, Decimal)):
        ok = isinstance(value, _NUMBERS) and not isinstance(value, bool)
        return None if ok else f"{where}: expected a number, got {kind}"
    if issubclass(annotation, Enum):
        values = [m.value for m in annotation]
        return None if value in values and not isinstance(value, bool) else f"{where}: not one of {values}"
    if annotation is str:
        return None if isinstance(value, str) else f"{where}: expected a string, got {kind}"
    if issubclass(annotation, BaseModel):
        return _model_problem(annotation, value, where)
    return None


def _model_problem(model: type[BaseModel], value: Any, where: str) -> str | None:
    if not isinstance(value, dict):
        return f"{where}: expected an object, got {type(value).__name__}"
    for name, item in value.items():
        info = model.model_fields.get(name)
        if info is None:
            return f"{where}.{name}: no such field"
        problem = type_problem(info.annotation, item, f"{where}.{name}")
        if problem is not None:
            return problem
    return None
