"""Progress output: tqdm on a terminal, one whole line in a log file (no carriage-return redraws)."""

from __future__ import annotations

import io

from hummingbot_plugin.progress import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_log_file_gets_one_line_and_no_carriage_returns() -> None:
    log = io.StringIO()
    assert list(progress(range(300), label="walk-forward", stream=log)) == list(range(300))
    assert log.getvalue() == "walk-forward 300/300 done\n"


def test_a_terminal_gets_a_tqdm_bar() -> None:
    term = _Terminal()
    assert list(progress(range(3), total=3, label="final refit", stream=term)) == [0, 1, 2]
    assert "\r" in term.getvalue()
    assert "final refit" in term.getvalue() and "3/3" in term.getvalue()


def test_disabled_progress_writes_nothing() -> None:
    term = _Terminal()
    assert list(progress(iter("ab"), stream=term, enabled=False)) == ["a", "b"]
    assert term.getvalue() == ""
