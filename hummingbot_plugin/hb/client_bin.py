"""What Hummingbot's ``hummingbot_quickstart.py`` imports from ``bin/hummingbot.py``.

The PyPI package ships the quickstart script but not the repository's ``bin/`` folder; the prepared
root (:mod:`hummingbot_plugin.hb.client_root`) has a ``bin/hummingbot.py`` that re-exports these two
names. :class:`UIStartListener` does what the repository's does for a ``--v2`` start in the UI: once the
terminal is up, run ``start --v2 <conf>`` exactly as typed.
"""

from __future__ import annotations

from typing import Any
from weakref import ReferenceType, ref

from hummingbot.core.event.event_listener import EventListener
from hummingbot.core.utils import detect_available_port

__all__ = ["UIStartListener", "detect_available_port"]


class UIStartListener(EventListener):  # type: ignore[misc]
    """On the UI's Start event: start the ``--v2`` script config given on the command line, if any."""

    def __init__(
        self,
        hummingbot_app: Any,
        is_script: bool | None = False,
        script_config: str | None = None,
        is_quickstart: bool | None = False,
    ) -> None:
        super().__init__()
        self._hb_ref: ReferenceType[Any] = ref(hummingbot_app)
        self._is_script = bool(is_script)
        self._script_config = script_config
        self._is_quickstart = bool(is_quickstart)

    def __call__(self, _: Any) -> None:
        app = self._hb_ref()
        if app is None or not self._is_script or not self._script_config:
            return
        app.start(
            log_level=app.client_config_map.log_level,
            v2_conf=self._script_config,
            is_quickstart=self._is_quickstart,
        )
