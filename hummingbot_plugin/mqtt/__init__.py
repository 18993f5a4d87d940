"""Secure MQTT control channel (pure logic, no Hummingbot import).

External predictions in upstream's AI-livestream format, validated config overrides with acks,
message-layer protection (byte cap, strict schema, freshness, persisted replay protection, HMAC),
a bounded latest-wins mailbox, and :class:`ChannelCore` which a controller polls once per tick.
Hummingbot's bridge is plugged in by ``hummingbot_plugin.hb.control_channel``.
"""

from hummingbot_plugin.mqtt.anti_replay import ReplayStore
from hummingbot_plugin.mqtt.blend import DirectionalView, PredictionMode, ViewSource, combine_views
from hummingbot_plugin.mqtt.channel import ChannelCore, ChannelCounters, ChannelUpdate, Transport
from hummingbot_plugin.mqtt.guard import MessageGuard
from hummingbot_plugin.mqtt.mailbox import Inbound, LatestMailbox
from hummingbot_plugin.mqtt.messages import ExternalPrediction, OverrideAck, OverrideRequest, PredictionWire
from hummingbot_plugin.mqtt.overrides import OverrideOutcome, build_overridden_config, updatable_fields
from hummingbot_plugin.mqtt.rejections import Rejection, RejectionLedger, RejectionReason
from hummingbot_plugin.mqtt.settings import (
    ControlChannelSettings,
    ack_topic,
    override_topic,
    prediction_topic,
    status_topic,
)
from hummingbot_plugin.mqtt.signing import KEYRING_ENV, Keyring, canonical_bytes, load_keyring, sign_payload

__all__ = [
    "KEYRING_ENV",
    "ChannelCore",
    "ChannelCounters",
    "ChannelUpdate",
    "ControlChannelSettings",
    "DirectionalView",
    "ExternalPrediction",
    "Inbound",
    "Keyring",
    "LatestMailbox",
    "MessageGuard",
    "OverrideAck",
    "OverrideOutcome",
    "OverrideRequest",
    "PredictionMode",
    "PredictionWire",
    "Rejection",
    "RejectionLedger",
    "RejectionReason",
    "ReplayStore",
    "Transport",
    "ViewSource",
    "ack_topic",
    "build_overridden_config",
    "canonical_bytes",
    "combine_views",
    "load_keyring",
    "override_topic",
    "prediction_topic",
    "sign_payload",
    "status_topic",
    "updatable_fields",
]
