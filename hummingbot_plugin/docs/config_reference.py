"""Configuration reference in Markdown, generated from pydantic config classes (pure: no Hummingbot import).

Every field gets: type, default, allowed range, whether Hummingbot applies a change while running
(``json_schema_extra["is_updatable"]``, read by ``ControllerBase.update_config``), and its prompt or
description. Nested pydantic models (e.g. ``risk: RiskLimits``) get their own table, once.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

__all__ = ["ConfigEntry", "FieldDoc", "describe_model", "render_reference"]

_BOUNDS = (
    ("ge", "≥"),
    ("gt", ">"),
    ("le", "≤"),
    ("lt", "<"),
    ("min_length", "len ≥"),
    ("max_length", "len ≤"),
    ("multiple_of", "multiple of"),
)


@dataclass(frozen=True)
class ConfigEntry:
    """One documented config class: where Hummingbot finds it and how it is referred to."""

    kind: str  # "controller" or "script"
    import_path: str  # e.g. controllers.market_making.pmm_forecast
    model: type[BaseModel]


@dataclass(frozen=True)
class FieldDoc:
    name: str
    type_text: str
    default: str
    allowed: str
    updatable: str
    text: str
    origin: str
    nested: tuple[type[BaseModel], ...]


def _type_text(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_text(args[0])
    if origin in (typing.Union, types.UnionType):
        parts = [_type_text(a) for a in args if a is not type(None)]
        return " | ".join(parts) + (" | None" if type(None) in args else "")
    if origin is typing.Literal:
        return "one of " + ", ".join(f"`{a}`" for a in args)
    if origin is not None:
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{', '.join(_type_text(a) for a in args)}]"
    if isinstance(annotation, type):
        if issubclass(annotation, enum.Enum):
            return f"{annotation.__name__} (" + ", ".join(f"`{_member(m)}`" for m in annotation) + ")"
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _member(member: enum.Enum) -> str:
    """How a YAML file names an enum member: its value when a string, else its name."""
    return member.value if isinstance(member.value, str) else member.name


def _value_text(value: Any) -> str:
    if isinstance(value, enum.Enum):
        return f"`{_member(value)}`"
    if isinstance(value, BaseModel):
        return f"see `{type(value).__name__}`"
    if isinstance(value, (Decimal, PurePath)):
        return f"`{value}`"
    return f"`{value!r}`"


def _default_text(info: FieldInfo) -> str:
    if info.default_factory is not None:
        factory: Any = info.default_factory
        try:
            return _value_text(factory())
        except TypeError:  # factory needing validated data: not a constant
            return "computed"
    if info.default is PydanticUndefined:
        return "**required**"
    return _value_text(info.default)


def _allowed_text(info: FieldInfo) -> str:
    bounds: list[str] = []
    for item in info.metadata:
        for attr, symbol in _BOUNDS:
            value = getattr(item, attr, None)
            if value is not None:
                bounds.append(f"{symbol} {value}")
        pattern = getattr(item, "pattern", None)
        if pattern:
            bounds.append(f"matches `{pattern}`")
    return ", ".join(bounds)


def _updatable_text(extra: dict[str, Any], origin: str) -> str:
    if "is_updatable" not in extra:
        return "no" if origin == "Hummingbot" else "no (flag missing)"
    return "**yes**" if extra["is_updatable"] else "no"


def _nested_models(annotation: Any) -> tuple[type[BaseModel], ...]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in typing.get_args(annotation):
        found.extend(_nested_models(arg))
    return tuple(found)


def _origin(model: type[BaseModel], name: str) -> str:
    """Who declares the field as it applies: the most derived class annotating it."""
    for klass in model.__mro__:
        if name in vars(klass).get("__annotations__", {}):
            return "Hummingbot" if klass.__module__.startswith("hummingbot.") else "plugin"
    return "plugin"


def describe_model(model: type[BaseModel]) -> list[FieldDoc]:
    """One :class:`FieldDoc` per field, in declaration order."""
    docs = []
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        prompt = extra.get("prompt")
        text = info.description or (prompt if isinstance(prompt, str) else "")
        origin = _origin(model, name)
        docs.append(
            FieldDoc(
                name=name,
                type_text=_type_text(info.annotation),
                default=_default_text(info),
                allowed=_allowed_text(info),
                updatable=_updatable_text(dict(extra), origin),
                text=" ".join(str(text).split()).rstrip(": "),
                origin=origin,
                nested=_nested_models(info.annotation),
            )
        )
    return docs


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(fields: Sequence[FieldDoc]) -> list[str]:
    lines = [
        "| field | type | default | allowed | live update | from | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in fields:
        cells = (f"`{f.name}`", f.type_text, f.default, f.allowed, f.updatable, f.origin, f.text)
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _section(title: str, model: type[BaseModel], note: str) -> tuple[list[str], list[type[BaseModel]]]:
    fields = describe_model(model)
    summary = (model.__doc__ or "").strip().split("\n\n")[0]
    lines = [title, "", *([" ".join(summary.split()), ""] if summary else []), note, "", *_table(fields), ""]
    nested = [m for f in fields for m in f.nested]
    return lines, nested


def render_reference(entries: Sequence[ConfigEntry]) -> str:
    """The whole reference page; deterministic (sorted, no timestamps, no machine paths)."""
    lines = [
        "# Configuration reference",
        "",
        "<!-- GENERATED by `python -m hummingbot_plugin docs`: do not edit by hand. -->",
        "",
        "Every field of every controller and script config shipped in `controllers/` and `scripts/`.",
        "*live update* = Hummingbot applies a change to the YAML file (re-read every ~10 s) or an MQTT",
        "override while the bot runs; other fields need a restart of the controller.",
        "*from* = declared by Hummingbot's base class or by this plugin.",
        "",
    ]
    pending: list[type[BaseModel]] = []
    for entry in sorted(entries, key=lambda e: (e.kind != "controller", e.import_path)):
        title = f"## {entry.kind.capitalize()} `{entry.import_path}` — `{entry.model.__name__}`"
        section, nested = _section(title, entry.model, f"Loaded by Hummingbot from `{entry.import_path}`.")
        lines += section
        pending += nested
    seen: set[type[BaseModel]] = set()
    blocks: list[str] = []
    while pending:
        model = pending.pop(0)
        if model in seen:
            continue
        seen.add(model)
        section, nested = _section(f"### `{model.__name__}`", model, f"Defined in `{model.__module__}`.")
        blocks += section
        pending += nested
    if blocks:
        lines += [
            "## Nested settings blocks",
            "",
            "A block is replaced as a whole: it is live-updatable when the field holding it is; the "
            "*live update* column below is the flag declared inside the block.",
            "",
            *blocks,
        ]
    return "\n".join(lines).rstrip() + "\n"
