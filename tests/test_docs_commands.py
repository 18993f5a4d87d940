"""Every runnable snippet of README.md and docs/*.md runs, every config snippet validates: docs cannot rot.

Convention (tests/docs_snippets.py, docs/writing-docs.md): ```bash blocks are executed in a temporary copy of
the project unless preceded by `<!-- not-run: reason -->`; ```yaml controller/script configs are loaded with
their config class; ```python blocks must compile.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from docs_snippets import Snippet, SnippetError, broken_links, documents, parse_snippets

ROOT = Path(__file__).resolve().parent.parent
DOCS = documents(ROOT)
BLOCK_TIMEOUT_S = 300
_ANYWHERE = shutil.ignore_patterns(
    "__pycache__",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".pytest_cache",
    "*.password",
    "*.tmp",
    "*.swp",
)
# runtime output, at the project root only (hummingbot_plugin/data is a package)
_TOP_LEVEL = {".venv", ".git", "out", "logs", "data"}


def _copy_ignore(directory: str, names: list[str]) -> set[str]:
    ignored = set(_ANYWHERE(directory, names))
    if Path(directory).resolve() == ROOT:
        ignored |= _TOP_LEVEL.intersection(names)
    return ignored


def _ids(paths: list[Path]) -> list[str]:
    return [p.relative_to(ROOT).as_posix() for p in paths]


@pytest.fixture(scope="module")
def isolate() -> list[str]:
    """`unshare -rn` (own network namespace, loopback only) when this machine allows it."""
    if shutil.which("unshare") is None:
        return []
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True)
    return ["unshare", "-rn"] if probe.returncode == 0 else []


@pytest.fixture
def project_copy(tmp_path: Path, shared_data_dir: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    copy = tmp_path / "project"
    try:
        shutil.copytree(ROOT, copy, ignore=_copy_ignore, ignore_dangling_symlinks=True)
        assert (copy / "hummingbot_plugin" / "data" / "__init__.py").is_file()
    except shutil.Error as exc:  # files deleted while copying (an editor's temp file): fine if gone
        still_there = [src for src, _dst, _why in exc.args[0] if Path(src).exists()]
        assert not still_there, f"could not copy {still_there}"
    env = {
        "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
        "HOME": str(tmp_path),
        "HBP_DATA_DIR": str(shared_data_dir),
        "HBP_STATE_DIR": str(tmp_path / "state"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "MPLBACKEND": "Agg",
    }
    yield copy, env


def _run_bash(snippet: Snippet, cwd: Path, env: dict[str, str], isolate: list[str]) -> str:
    script = "ip link set lo up 2>/dev/null || true\nset -euo pipefail\n" + snippet.code
    done = subprocess.run(
        [*isolate, "bash", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=BLOCK_TIMEOUT_S,
    )
    output = done.stdout + done.stderr
    assert done.returncode == snippet.expect_exit, (
        f"{snippet.where}: exit {done.returncode} (expected {snippet.expect_exit})\n"
        f"{snippet.code}\n{output[-3000:]}"
    )
    for text in snippet.expect_output:
        assert text in output, f"{snippet.where}: output lacks {text!r}\n{output[-3000:]}"
    return output


def test_marker_parsing(tmp_path: Path) -> None:
    doc = tmp_path / "x.md"
    doc.write_text(
        "a\n<!-- not-run: needs docker -->\n\n```bash\necho hi\n```\n"
        "<!-- expect-exit: 2 -->\n<!-- expect-output: boom -->\n```bash\nexit 2\n```\n"
        "```yaml\nk: v\n```\n"
    )
    first, second, third = parse_snippets(doc)
    assert (first.not_run, first.line, first.code) == ("needs docker", 4, "echo hi\n")
    assert (second.not_run, second.expect_exit, second.expect_output) == (None, 2, ["boom"])
    assert (third.lang, third.not_run) == ("yaml", None)
    doc.write_text("<!-- not-run: -->\n```bash\necho\n```\n")
    with pytest.raises(SnippetError, match="needs a reason"):
        parse_snippets(doc)
    doc.write_text("```bash\necho\n")
    with pytest.raises(SnippetError, match="never closed"):
        parse_snippets(doc)


def test_harness_detects_a_failing_command(tmp_path: Path, isolate: list[str]) -> None:
    failing = Snippet(path=tmp_path / "x.md", line=1, lang="bash", code="false\necho never\n")
    with pytest.raises(AssertionError, match="exit 1"):
        _run_bash(failing, tmp_path, {"PATH": os.environ["PATH"]}, isolate)


@pytest.mark.slow
@pytest.mark.parametrize("doc", DOCS, ids=_ids(DOCS))
def test_bash_snippets_run(doc: Path, project_copy: tuple[Path, dict[str, str]], isolate: list[str]) -> None:
    cwd, env = project_copy
    for snippet in parse_snippets(doc):
        if snippet.lang in ("bash", "sh", "shell") and snippet.not_run is None and snippet.terminal is None:
            _run_bash(snippet, cwd, env, isolate)


TERMINAL_BLOCKS = [s for d in DOCS for s in parse_snippets(d) if s.terminal is not None]


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.parametrize("snippet", TERMINAL_BLOCKS, ids=[s.where for s in TERMINAL_BLOCKS])
def test_terminal_blocks_run_in_the_real_client(snippet: Snippet, tmp_path: Path) -> None:
    """Blocks typed in the Hummingbot client run there: the real client in tmux, recorded feed, offline."""
    from client_terminal import TmuxClient, run_terminal_block

    env = {"CONFIG_PASSWORD": "docs-terminal", "HBP_STATE_DIR": str(tmp_path / "state")}
    env["HBP_METRICS_PORT"] = ""  # metrics off
    root = tmp_path / "hb"
    client = TmuxClient(root=root, env=env, args=["--feed", "recorded", "--speed", "5", "--root", str(root)])
    client.start()
    try:
        run_terminal_block(client, snippet.code)
    finally:
        client.close()
    assert not (root / "logs" / "network_refused.log").exists(), f"{snippet.where}: the client went online"


def test_terminal_marker_is_parsed_and_exclusive(tmp_path: Path) -> None:
    from client_terminal import terminal_lines

    doc = tmp_path / "t.md"
    doc.write_text("<!-- terminal: typed in the client -->\n```bash\nstart --v2 x.yml  # go\n\nstatus\n```\n")
    (block,) = parse_snippets(doc)
    assert block.terminal == "typed in the client"
    assert terminal_lines(block.code) == ["start --v2 x.yml", "status"]
    doc.write_text("<!-- not-run: docker -->\n<!-- terminal: client -->\n```bash\nstatus\n```\n")
    with pytest.raises(SnippetError, match="either"):
        parse_snippets(doc)


def _validate_controller(data: dict[str, Any], tmp_path: Path, where: str) -> None:
    from hummingbot_plugin.hb.controller_config import load_controller_config

    path = tmp_path / f"{data.get('id', 'snippet')}.yml"
    path.write_text(yaml.safe_dump(data))
    config = load_controller_config(path)
    assert config.controller_name == data["controller_name"], where


def _validate_script(data: dict[str, Any], tmp_path: Path, where: str) -> None:
    import importlib

    from hummingbot_plugin.hb.config_discovery import ensure_project_importable, script_config_class

    ensure_project_importable(ROOT)
    module = importlib.import_module(f"scripts.{Path(data['script_file_name']).stem}")
    config_class = script_config_class(module)
    assert config_class is not None, f"{where}: scripts/{data['script_file_name']} has no config class"
    config = config_class(**data)
    for name in getattr(config, "controllers_config", []):
        controller_file = ROOT / "conf" / "controllers" / name
        assert controller_file.is_file(), f"{where}: conf/controllers/{name} does not exist"
        _validate_controller(yaml.safe_load(controller_file.read_text()), tmp_path, where)


@pytest.mark.parametrize("doc", DOCS, ids=_ids(DOCS))
def test_yaml_and_python_snippets_validate(doc: Path, tmp_path: Path) -> None:
    for snippet in parse_snippets(doc):
        if snippet.not_run is not None:
            continue
        if snippet.lang == "python":
            compile(snippet.code, snippet.where, "exec")
        elif snippet.lang in ("yaml", "yml"):
            data = yaml.safe_load(snippet.code)
            if isinstance(data, dict) and "controller_name" in data:
                _validate_controller(data, tmp_path, snippet.where)
            elif isinstance(data, dict) and "script_file_name" in data:
                _validate_script(data, tmp_path, snippet.where)


@pytest.mark.parametrize("doc", DOCS, ids=_ids(DOCS))
def test_relative_links_point_to_existing_files_and_headings(doc: Path) -> None:
    assert broken_links(doc, ROOT) == []


def test_link_checker_reports_missing_files_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "# Title\n## Step 2: run it\n[ok](b.md#the-end) [self](#step-2-run-it)\n"
        "[gone](c.md) [bad](b.md#nope) [web](https://example.org/x)\n"
    )
    (tmp_path / "b.md").write_text("## The end\n")
    assert broken_links(tmp_path / "a.md", tmp_path) == [
        "a.md:4: c.md (no such file)",
        "a.md:4: b.md#nope (no such heading)",
    ]
