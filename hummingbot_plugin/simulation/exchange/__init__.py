"""Hummingbot side of the simulated exchange: connector, virtual-time loop, replay, paper trading.

See docs/simulator.md and /work/team/sim_api.md. Import the submodules you need
(``exchange``, ``session``, ``replay``, ``live``); this package imports nothing eagerly.
"""

__all__: list[str] = []
