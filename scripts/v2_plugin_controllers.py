"""Generic V2 script: run the controller configs listed in the script config, nothing else.

Start it in Hummingbot with ``start --v2 <conf>.yml`` where the YAML is e.g.::

    script_file_name: v2_plugin_controllers.py
    controllers_config:
      - baseline_trend_btc.yml
      - pmm_forecast_btc.yml

The same file runs unchanged in ``python -m hummingbot_plugin replay``. Markets come from the
controller configs (their ``update_markets``); executor actions are proposed by the controllers
themselves through the actions queue, so the script proposes none of its own. Each plugin controller
gets its risk gate here, its state in ``state_dir`` (blank: ``$HBP_STATE_DIR``, read once here). No
global guard, paper guard or audit trail: ``v2_guarded_controllers.py`` is the production runner.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hummingbot.connector.connector_base import ConnectorBase
from hummingbot.strategy.strategy_v2_base import StrategyV2Base, StrategyV2ConfigBase
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction
from pydantic import Field

from hummingbot_plugin.config_prompts import prompt_extra
from hummingbot_plugin.hb.risk_gate import RiskGate, RiskGatedController
from hummingbot_plugin.risk import state_dir_from_env


class V2PluginControllersConfig(StrategyV2ConfigBase):
    """Script config: the controller config files (under conf/controllers) and the risk state folder."""

    script_file_name: str = os.path.basename(__file__)
    state_dir: str | None = Field(
        default=None, json_schema_extra=prompt_extra("Risk state dir (blank=$HBP_STATE_DIR): ", False)
    )


class V2PluginControllers(StrategyV2Base):
    """Runs the configured controllers through Hummingbot's ExecutorOrchestrator."""

    def __init__(self, connectors: dict[str, ConnectorBase], config: V2PluginControllersConfig) -> None:
        # before super(): it adds the controllers, and add_controller gives each its gate
        self.state_dir = Path(config.state_dir) if config.state_dir else state_dir_from_env(os.environ)
        super().__init__(connectors, config)
        self.config: V2PluginControllersConfig = config

    def add_controller(self, config: Any) -> None:
        super().add_controller(config)
        controller = self.controllers.get(config.id)
        if isinstance(controller, RiskGatedController):
            controller.risk_gate = RiskGate.for_controller(controller, self.state_dir)

    def create_actions_proposal(self) -> list[CreateExecutorAction]:
        return []

    def stop_actions_proposal(self) -> list[StopExecutorAction]:
        return []
