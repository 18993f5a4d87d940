"""``python -m hummingbot_plugin <command>``."""

from hummingbot_plugin.cli import main

raise SystemExit(main())
