"""Generic V2 script: run the controller configs listed in the script config, nothing else.

Start it in Hummingbot with ``start --v2 <conf>.yml`` where the YAML is e.g.::

    script_file_name: v2_plugin_controllers.py
    controllers_config:
      - baseline_trend_btc.yml
      - pmm_forecast_btc.yml

The same file runs unchanged in ``python -m hummingbot_plugin replay``. Markets come from the
controller configs (their ``update_markets``); executor actions are proposed by the controllers
themselves through the actions queue, so the script proposes none of its own.
"""

from __future__ import annotations

import os

from hummingbot.connector.connector_base import ConnectorBase
from hummingbot.strategy.strategy_v2_base import StrategyV2Base, StrategyV2ConfigBase
from hummingbot.strategy_v2.models.executor_actions import CreateExecutorAction, StopExecutorAction


class V2PluginControllersConfig(StrategyV2ConfigBase):
    """Script config: only the list of controller config files (under conf/controllers)."""

    script_file_name: str = os.path.basename(__file__)


class V2PluginControllers(StrategyV2Base):
    """Runs the configured controllers through Hummingbot's ExecutorOrchestrator."""

    def __init__(self, connectors: dict[str, ConnectorBase], config: V2PluginControllersConfig) -> None:
        super().__init__(connectors, config)
        self.config: V2PluginControllersConfig = config

    def create_actions_proposal(self) -> list[CreateExecutorAction]:
        return []

    def stop_actions_proposal(self) -> list[StopExecutorAction]:
        return []
