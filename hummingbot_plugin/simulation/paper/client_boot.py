"""The client process on a recorded feed: the live client's boot plus the offline services.

``python -m hummingbot_plugin.simulation.paper.client_boot [quickstart args]`` with ``HBP_CLIENT_ROOT``
and ``HBP_PAPER_FEED*`` set (``python -m hummingbot_plugin client --feed recorded|candles`` does this):

* the root as for the live client (:func:`hummingbot_plugin.hb.client_boot.prepare`);
* an audit hook that refuses (and writes to ``logs/network_refused.log``) any connection to a
  non-loopback host;
* every candle connector of ``CandlesFactory`` serves recorded files, the rate oracle and the strategies'
  price polling use the paper venues (:mod:`hummingbot_plugin.simulation.paper.offline_services`).
"""

from __future__ import annotations

import os
import sys

from hummingbot_plugin.errors import ConfigError
from hummingbot_plugin.hb.client_boot import install_network_guard, prepare, run_quickstart

__all__ = ["main"]


def main(argv: list[str]) -> int:
    """Prepare the root, go offline on the recorded feed, then run Hummingbot's quickstart."""
    root = prepare()
    # imported only now: they import hummingbot.client, whose paths come from the root set by prepare()
    from hummingbot_plugin.simulation.paper.offline_services import install_offline_services
    from hummingbot_plugin.simulation.paper.recorded_candles import install_recorded_candles
    from hummingbot_plugin.simulation.paper.recorded_feed import ENV_FEED, settings_from_env

    recorded = settings_from_env(os.environ)
    if recorded is None:
        raise ConfigError(f"client: {ENV_FEED} names no recorded feed", fix="use --feed recorded or candles")
    install_network_guard(root / "logs" / "network_refused.log")
    install_recorded_candles(recorded)
    install_offline_services()
    return run_quickstart(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
