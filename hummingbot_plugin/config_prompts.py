"""``json_schema_extra`` for config fields: Hummingbot's prompt and an explicit ``is_updatable`` decision.

Hummingbot's config prompts read ``prompt`` / ``prompt_on_new``; ``ControllerBase.update_config`` applies a
change while running only to fields whose ``is_updatable`` is true. Pure: imports no Hummingbot.
"""

from __future__ import annotations

from pydantic.config import JsonDict

__all__ = ["prompt_extra"]


def prompt_extra(prompt: str, updatable: bool, on_new: bool = False) -> JsonDict:
    """The ``json_schema_extra`` of one field (``on_new``: also ask when a new config is created)."""
    return {"prompt": prompt, "prompt_on_new": on_new, "is_updatable": updatable}
