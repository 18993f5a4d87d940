"""No order path bypasses the risk gate: every plugin controller class routes through RiskGatedController."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import sys

from hummingbot.strategy_v2.controllers.controller_base import ControllerBase

from hummingbot_plugin.hb.risk_gate import GATED_METHODS, RiskGatedController
from hummingbot_plugin.settings import PROJECT_ROOT


def _plugin_controller_classes() -> list[type]:
    if str(PROJECT_ROOT) not in sys.path:  # Hummingbot imports controllers.<type>.<name> from its root
        sys.path.insert(0, str(PROJECT_ROOT))
    controllers = importlib.import_module("controllers")
    found = []
    for info in pkgutil.walk_packages(controllers.__path__, prefix="controllers."):
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, ControllerBase) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


def test_every_plugin_controller_inherits_the_gate_and_does_not_override_it() -> None:
    classes = _plugin_controller_classes()
    assert classes, "no controller found under controllers/"
    offenders = []
    for cls in classes:
        if not issubclass(cls, RiskGatedController):
            offenders.append(f"{cls.__module__}.{cls.__name__}: does not inherit RiskGatedController")
            continue
        for name in GATED_METHODS:
            if getattr(cls, name) is not getattr(RiskGatedController, name):
                offenders.append(f"{cls.__module__}.{cls.__name__}.{name} overrides the gate")
    assert not offenders, "\n".join(offenders)


def test_the_gate_mixin_is_never_taken_for_the_controller_class() -> None:
    # Hummingbot picks the first ControllerBase subclass in a module: the mixin must not be one.
    assert not issubclass(RiskGatedController, ControllerBase)
