"""Audit trail: typed records, sha256 chain, tamper detection, rotation, torn-tail recovery, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hummingbot_plugin.audit import (
    AuditLog,
    AuditWriteError,
    DecisionRecord,
    FillRecord,
    OverrideRecord,
    RecoveryRecord,
    RiskTransitionRecord,
    SignalRecord,
    iter_records,
    summarise,
    verify_chain,
)
from hummingbot_plugin.cli import main

T0 = 1_600_000_000.0


def _make_signal(i: int, **overrides: object) -> SignalRecord:
    values: dict[str, object] = {
        "ts": T0 + i,
        "source": "ml",
        "model_id": "lgbm-q",
        "model_sha256": "ab" * 32,
        "trading_pair": "BTC-USDT",
        "signal": 1,
        "probabilities": {"q50": 0.001},
    }
    values.update(overrides)
    return SignalRecord(**values)  # type: ignore[arg-type]


def _write(directory: Path, count: int, **log_kwargs: int) -> AuditLog:
    log = AuditLog(directory, **log_kwargs)
    for i in range(count):
        log.append(_make_signal(i))
    return log


def _lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_records_round_trip_typed_and_the_chain_verifies(tmp_path: Path) -> None:
    log = AuditLog(tmp_path)
    log.append(_make_signal(0))
    log.append(DecisionRecord(ts=T0 + 1, source="ctrl", allowed=False, reason_code="RATE_LIMIT"))
    log.append(
        FillRecord(
            ts=T0 + 2,
            source="ctrl",
            order_id="o1",
            connector_name="sim",
            trading_pair="BTC-USDT",
            side="BUY",
            amount_base="0.1",
            price="100",
        )
    )
    records = list(iter_records(tmp_path))
    assert [type(r) for r in records] == [SignalRecord, DecisionRecord, FillRecord]
    assert records[1] == DecisionRecord(ts=T0 + 1, source="ctrl", allowed=False, reason_code="RATE_LIMIT")
    result = verify_chain(tmp_path)
    assert result.ok and result.records == 3 and log.seq == 3


def test_records_reject_unknown_fields() -> None:
    with pytest.raises(ValueError, match="extra"):
        SignalRecord(ts=T0, source="x", model_id="m", model_sha256="h", trading_pair="p", signal=1, oops=1)  # type: ignore[call-arg]


def _edit(lines: list[str]) -> list[str]:
    entry = json.loads(lines[4])
    entry["record"]["signal"] = -1
    return [*lines[:4], json.dumps(entry), *lines[5:]]


@pytest.mark.parametrize(
    ("tamper", "line", "problem"),
    [
        (_edit, 5, "edited"),
        (lambda lines: lines[:4] + lines[5:], 5, "deleted"),
        (lambda lines: [*lines[:4], lines[5], lines[4], *lines[6:]], 5, "reordered"),
        (lambda lines: [*lines[:4], "{broken", *lines[5:]], 5, "not a chain entry"),
    ],
    ids=["edit", "delete", "reorder", "garbage"],
)
def test_tampering_is_detected_at_the_first_broken_record(
    tmp_path: Path, tamper, line: int, problem: str
) -> None:  # type: ignore[no-untyped-def]
    _write(tmp_path, 10)
    path = tmp_path / "audit-000001.jsonl"
    path.write_text("\n".join(tamper(_lines(path))) + "\n")
    result = verify_chain(tmp_path)
    assert not result.ok and result.first_break is not None
    assert result.first_break.line == line and result.records == 4
    assert problem in result.first_break.problem


def test_rotation_continues_the_chain_across_files(tmp_path: Path) -> None:
    log = _write(tmp_path, 40, max_bytes=2048)
    files = sorted(tmp_path.glob("audit-*.jsonl"))
    assert len(files) > 3 and all(f.stat().st_size <= 2048 for f in files)
    first_of_second = json.loads(_lines(files[1])[0])
    last_of_first = json.loads(_lines(files[0])[-1])
    assert first_of_second["prev_hash"] == last_of_first["hash"]
    assert verify_chain(tmp_path).ok and verify_chain(tmp_path).records == 40 == log.seq
    assert verify_chain(files[2]).ok  # a single rotated file verifies on its own


def test_removing_a_rotated_file_is_detected(tmp_path: Path) -> None:
    _write(tmp_path, 40, max_bytes=2048)
    files = sorted(tmp_path.glob("audit-*.jsonl"))
    files[1].unlink()
    result = verify_chain(tmp_path)
    assert not result.ok and result.first_break is not None and result.first_break.file == files[2]


def test_reopening_resumes_the_chain(tmp_path: Path) -> None:
    _write(tmp_path, 3)
    log = AuditLog(tmp_path)
    assert log.seq == 3
    log.append(_make_signal(3))
    assert verify_chain(tmp_path).ok and verify_chain(tmp_path).records == 4


def test_torn_tail_is_set_aside_not_lost_and_recorded(tmp_path: Path) -> None:
    _write(tmp_path, 3)
    path = tmp_path / "audit-000001.jsonl"
    with open(path, "a") as handle:
        handle.write('{"seq": 4, "prev_')  # crash mid-write
    log = AuditLog(tmp_path)
    assert (tmp_path / "audit-000001.jsonl.torn").read_text() == '{"seq": 4, "prev_\n'
    records = list(iter_records(tmp_path))
    assert isinstance(records[-1], RecoveryRecord) and records[-1].torn_bytes == 17
    assert log.seq == 4 and verify_chain(tmp_path).ok


def test_cli_verify_reports_ok_and_the_first_broken_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write(tmp_path, 5)
    assert main(["audit", "verify", str(tmp_path)]) == 0
    assert "OK: 5 records" in capsys.readouterr().out
    path = tmp_path / "audit-000001.jsonl"
    path.write_text(path.read_text().replace('"signal":1', '"signal":0', 1))
    assert main(["audit", "verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "BROKEN" in out and "line 1 (seq 1)" in out and "edited" in out


def test_report_summarises_a_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = AuditLog(tmp_path)
    log.append(_make_signal(0))
    log.append(DecisionRecord(ts=T0 + 10, source="c", allowed=False, reason_code="RATE_LIMIT"))
    log.append(DecisionRecord(ts=T0 + 20, source="c", allowed=False, reason_code="STALE_BOOK"))
    log.append(DecisionRecord(ts=T0 + 30, source="c", allowed=True))
    log.append(
        OverrideRecord(ts=T0 + 40, source="mqtt", accepted=False, command="set", reason="bad signature")
    )
    log.append(
        RiskTransitionRecord(
            ts=T0 + 50,
            source="c",
            scope="c",
            from_state="ACTIVE",
            to_state="HALTED",
            reason_code="KILL_SWITCH",
            reason_text="operator",
        )
    )
    log.append(DecisionRecord(ts=T0 + 500, source="c", allowed=False, reason_code="RATE_LIMIT"))
    summary = summarise(tmp_path, T0 + 5, T0 + 100)
    assert summary.records == 5
    assert summary.counts_by_type == {"decision": 3, "override": 1, "risk_transition": 1}
    assert summary.denials_by_reason == {"RATE_LIMIT": 1, "STALE_BOOK": 1}
    assert summary.overrides_rejected == 1 and summary.transitions[0].to_state == "HALTED"
    assert (
        main(["audit", "report", str(tmp_path), "--start", str(T0 + 5), "--end", "2020-09-13T12:28:20"]) == 0
    )
    out = capsys.readouterr().out
    assert "RATE_LIMIT: 1" in out and "ACTIVE -> HALTED (KILL_SWITCH: operator)" in out


def test_a_second_writer_on_the_same_directory_is_refused(tmp_path: Path) -> None:
    first = AuditLog(tmp_path)
    with pytest.raises(AuditWriteError, match="already open"):
        AuditLog(tmp_path)
    first.close()
    AuditLog(tmp_path).append(_make_signal(0))
    assert verify_chain(tmp_path).ok
