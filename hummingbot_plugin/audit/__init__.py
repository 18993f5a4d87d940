"""Append-only, sha256-chained audit trail of signals, decisions, overrides, risk transitions and orders."""

from hummingbot_plugin.audit.chain import GENESIS_HASH, ChainEntry
from hummingbot_plugin.audit.log import AuditLog, AuditSink, AuditWriteError, load_or_create_key
from hummingbot_plugin.audit.records import (
    AuditRecord,
    DecisionRecord,
    ExecutorActionRecord,
    FillRecord,
    ModelRecord,
    OrderRecord,
    OverrideRecord,
    RecoveryRecord,
    RiskTransitionRecord,
    SignalRecord,
    parse_record,
)
from hummingbot_plugin.audit.report import AuditSummary, summarise
from hummingbot_plugin.audit.verify import ChainBreak, VerifyResult, find_anchor, iter_records, verify_chain

__all__ = [
    "GENESIS_HASH",
    "AuditLog",
    "AuditRecord",
    "AuditSink",
    "AuditSummary",
    "AuditWriteError",
    "ChainBreak",
    "ChainEntry",
    "DecisionRecord",
    "ExecutorActionRecord",
    "FillRecord",
    "ModelRecord",
    "OrderRecord",
    "OverrideRecord",
    "RecoveryRecord",
    "RiskTransitionRecord",
    "SignalRecord",
    "VerifyResult",
    "find_anchor",
    "iter_records",
    "load_or_create_key",
    "parse_record",
    "summarise",
    "verify_chain",
]
