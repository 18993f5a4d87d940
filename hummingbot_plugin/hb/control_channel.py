"""The control channel over Hummingbot's own MQTT bridge (``MQTTGateway`` + ``ExternalTopicFactory``).

Controllers build one :class:`ControlChannel` and call :meth:`ControlChannel.poll` every tick. If the
bridge is not running yet the channel subscribes as soon as it appears; if it is restarted the channel
subscribes again on the new gateway; on stop the subscriptions are removed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from hummingbot.remote_iface.mqtt import ExternalTopicFactory, MQTTGateway
from pydantic import BaseModel

from hummingbot_plugin.audit import AuditSink
from hummingbot_plugin.mqtt.channel import ChannelCore, ChannelUpdate
from hummingbot_plugin.mqtt.mailbox import Inbound
from hummingbot_plugin.mqtt.settings import ControlChannelSettings
from hummingbot_plugin.mqtt.signing import Keyring, load_keyring

__all__ = ["BridgeTransport", "ControlChannel"]

_LOG = logging.getLogger("hummingbot_plugin.mqtt")
_ACK_QOS = 1


class BridgeTransport:
    """:class:`~hummingbot_plugin.mqtt.channel.Transport` backed by ``MQTTGateway.main()``.

    The bridge hands callbacks an already-parsed JSON payload and no retain flag, so the guard checks
    the byte cap on the re-encoded payload and infers retained overrides from ``issued_at``.
    """

    def __init__(self) -> None:
        self._gateway: MQTTGateway | None = None

    def available(self) -> bool:
        return MQTTGateway.main() is not None

    def connection_id(self) -> int:
        gateway = MQTTGateway.main()
        if self._gateway is not None and gateway is not self._gateway:
            return -1
        if gateway is None or not gateway.health:
            return 0
        # The bridge keeps one aiomqtt client per connection; its identity tells a reconnect apart.
        return id(getattr(gateway, "_client", None)) or 1

    def subscribe(self, topic: str, on_message: Callable[[Inbound], None]) -> object:
        self._gateway = MQTTGateway.main()

        def deliver(payload: Any, delivered_topic: str) -> None:
            on_message(Inbound(delivered_topic, payload))

        return ExternalTopicFactory.create_async(topic=topic, callback=deliver, use_bot_prefix=False)

    def unsubscribe(self, handle: object) -> None:
        ExternalTopicFactory.remove_listener(handle)

    def publish(self, topic: str, payload: dict[str, Any]) -> None:
        gateway = MQTTGateway.main()
        if gateway is not None:
            gateway.publish(topic, payload, qos=_ACK_QOS)


class ControlChannel(ChannelCore):
    """A controller's MQTT control channel on Hummingbot's bridge (see ``/work/team/mqtt_api.md``)."""

    def __init__(
        self,
        controller_config: BaseModel,
        settings: ControlChannelSettings,
        clock: Callable[[], float],
        keyring: Keyring | None = None,
        logger: logging.Logger | None = None,
        audit: AuditSink | None = None,
    ) -> None:
        self._clock = clock
        keys = keyring if keyring is not None else load_keyring(settings.keyring_file)
        super().__init__(
            controller_config,
            settings,
            BridgeTransport(),
            now=clock(),
            keyring=keys,
            logger=logger or _LOG,
            audit=audit,
        )
        if settings.require_signed_overrides and len(keys) == 0:
            (logger or _LOG).warning(
                "MQTT overrides for %s require signatures but the keyring is empty: every override will be "
                "refused (set keyring_file or HBP_MQTT_KEYS)",
                self.controller_id,
            )

    def poll(self, now: float | None = None, current_config: BaseModel | None = None) -> ChannelUpdate:
        """See :meth:`ChannelCore.poll`; ``now`` defaults to the controller clock."""
        return super().poll(self._clock() if now is None else now, current_config)
