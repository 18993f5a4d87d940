"""Anchored audit chain: HMAC key outside the log folder, signed head in the risk state file.

Truncation, deleted or emptied files, a forged record with a correct sha256 and a re-chained edit are
all reported by ``audit verify`` (the real CLI, reading the real files the bot writes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from risk_factories import NOW, make_limits, make_snapshot

from hummingbot_plugin.audit import AuditLog, SignalRecord, load_or_create_key, verify_chain
from hummingbot_plugin.audit.chain import ChainEntry, audit_files, entry_hash
from hummingbot_plugin.audit.log import AuditWriteError
from hummingbot_plugin.cli import main
from hummingbot_plugin.risk import JsonStateStore, RiskGuard


def _signal(i: int) -> SignalRecord:
    return SignalRecord(
        ts=NOW + i, source="ctrl", model_id="m", model_sha256="0" * 64, trading_pair="BTC-USDT", signal=1
    )


def _bot_session(home: Path, records: int = 12) -> Path:
    """What the guarded script leaves: <home>/audit (rotated), <home>/audit.key, <home>/global.json."""
    audit_dir = home / "audit"
    log = AuditLog(audit_dir, max_bytes=1024, key=load_or_create_key(home / "audit.key", audit_dir))
    guard = RiskGuard(make_limits(), JsonStateStore(home / "global.json"), log, scope="global")
    guard.observe(make_snapshot(), NOW)
    for i in range(records):
        log.append(_signal(i))
    guard.save_now()  # the head goes to the state file (the script does it once per tick)
    log.close()
    return audit_dir


def _verify(audit_dir: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["audit", "verify", str(audit_dir)])
    return code, capsys.readouterr().out


def test_intact_session_verifies_keyed_and_anchored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_dir = _bot_session(tmp_path)
    assert len(audit_files(audit_dir)) > 3
    head = json.loads((tmp_path / "global.json").read_text())["audit_head"]
    assert head["seq"] == 12 and len(head["mac"]) == 64
    code, out = _verify(audit_dir, capsys)
    assert code == 0 and "keyed" in out and "head seq 12 anchored" in out


def _lines(file: Path) -> list[str]:
    return file.read_text().splitlines(keepends=True)


def _drop_last(audit_dir: Path, n: int) -> None:
    last = audit_files(audit_dir)[-1]
    kept = _lines(last)[:-n] if len(_lines(last)) > n else []
    last.write_text("".join(kept))


def _forge_append(audit_dir: Path) -> None:
    last = audit_files(audit_dir)[-1]
    previous = ChainEntry.model_validate_json(_lines(last)[-1])
    record = _signal(99).model_dump(mode="json")
    seq = previous.seq + 1
    forged = ChainEntry(
        seq=seq, prev_hash=previous.hash, hash=entry_hash(previous.hash, seq, record), record=record
    )
    with open(last, "a") as handle:
        handle.write(forged.to_line())


def _rechain_after_edit(audit_dir: Path) -> None:
    """Edit record 2 and recompute every sha256 after it (what an attacker without the key can do)."""
    files = audit_files(audit_dir)
    prev, seq = "0" * 64, 0
    for file in files:
        out = []
        for line in _lines(file):
            entry = ChainEntry.model_validate_json(line)
            record = dict(entry.record)
            seq += 1
            if seq == 2:
                record["signal"] = -1
            digest = entry_hash(prev, seq, record)
            out.append(ChainEntry(seq=seq, prev_hash=prev, hash=digest, record=record).to_line())
            prev = digest
        file.write_text("".join(out))


TAMPERING = {
    "last record dropped": lambda d: _drop_last(d, 1),
    "last three records dropped": lambda d: _drop_last(d, 3),
    "last rotated file deleted": lambda d: audit_files(d)[-1].unlink(),
    "every file emptied": lambda d: [f.write_text("") for f in audit_files(d)],
    "forged record with a correct sha256": _forge_append,
    "record edited and the rest re-chained": _rechain_after_edit,
}


@pytest.mark.parametrize("name", sorted(TAMPERING))
def test_tampering_is_reported_by_audit_verify(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_dir = _bot_session(tmp_path)
    TAMPERING[name](audit_dir)
    code, out = _verify(audit_dir, capsys)
    assert code == 1 and "BROKEN" in out, out
    assert (
        not verify_chain(audit_dir, key=bytes.fromhex((tmp_path / "audit.key").read_text())).ok
        or "head" in out
    )


def test_the_key_lives_outside_the_log_and_is_never_silently_replaced(tmp_path: Path) -> None:
    audit_dir = _bot_session(tmp_path)
    with pytest.raises(AuditWriteError, match="inside the log folder"):
        load_or_create_key(audit_dir / "audit.key", audit_dir)
    (tmp_path / "audit.key").unlink()
    with pytest.raises(AuditWriteError, match="missing"):
        load_or_create_key(tmp_path / "audit.key", audit_dir)
    assert (tmp_path / "audit.key").exists() is False
