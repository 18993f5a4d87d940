"""Extract the code blocks of README.md and docs/*.md with their run markers (see docs/contributing-docs.md).

Convention:
- A fenced ```bash block is EXECUTED (bash -euo pipefail, cwd = a temporary copy of the project,
  HBP_DATA_DIR set, the venv's python first on PATH, no network but loopback).
- ```yaml blocks are validated: a controller config (has `controller_name`) with its config class, a script
  config (has `script_file_name`) with the script's config class, any other YAML must parse.
- ```python blocks must compile. Other languages (text, json, console, ...) are documentation only.
- HTML comments on the lines right above the fence change that:
    <!-- not-run: reason -->        skip the block (the reason is required: docker, live exchange, ...)
    <!-- expect-exit: 2 -->         the block must exit with this code (show an error on purpose)
    <!-- expect-output: text -->    the block's stdout+stderr must contain this text (repeatable)
    <!-- terminal: reason -->        the block is typed in the Hummingbot client, not a shell: it is run
                                    through tests/client_terminal.py (the real client in tmux, recorded
                                    feed) line by line, each line one the driver can check
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Snippet", "SnippetError", "broken_links", "documents", "heading_anchors", "parse_snippets"]

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>```+|~~~+)\s*(?P<info>[^`\s]*)[^`]*$")
_KEYS = "not-run|expect-exit|expect-output|terminal"
_MARKER = re.compile(rf"^\s*<!--\s*(?P<key>{_KEYS})\s*:?\s*(?P<value>.*?)\s*-->\s*$")


class SnippetError(ValueError):
    """A malformed marker or fence in a document."""


@dataclass
class Snippet:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    code: str
    not_run: str | None = None
    expect_exit: int = 0
    expect_output: list[str] = field(default_factory=list)
    terminal: str | None = None  # typed in the Hummingbot client (see the module doc)

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def _markers(lines: list[str], fence_index: int, path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    index = fence_index - 1
    while index >= 0 and lines[index].strip() == "":
        index -= 1
    while index >= 0 and (match := _MARKER.match(lines[index])):
        found.setdefault(match["key"], []).insert(0, match["value"])
        index -= 1
    if found.get("terminal") and found.get("not-run"):
        raise SnippetError(f"{path.name}:{fence_index + 1}: a block is either `terminal` or `not-run`")
    if any(not reason for reason in found.get("not-run", []) + found.get("terminal", [])):
        raise SnippetError(
            f"{path.name}:{fence_index + 1}: `not-run` needs a reason, e.g. "
            "<!-- not-run: needs a Docker engine -->"
        )
    return found


def _first(markers: dict[str, list[str]], key: str) -> str | None:
    values = markers.get(key)
    return values[0] if values else None


def parse_snippets(path: Path) -> list[Snippet]:
    """Every fenced block of a Markdown file, with its markers applied."""
    lines = path.read_text(encoding="utf-8").splitlines()
    snippets: list[Snippet] = []
    index = 0
    while index < len(lines):
        match = _FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        fence, start = match["fence"], index
        body: list[str] = []
        index += 1
        while index < len(lines) and not lines[index].strip().startswith(fence):
            body.append(lines[index][len(match["indent"]) :])
            index += 1
        if index >= len(lines):
            raise SnippetError(f"{path.name}:{start + 1}: code fence never closed")
        markers = _markers(lines, start, path)
        exit_codes = markers.get("expect-exit", ["0"])
        if len(exit_codes) != 1 or not exit_codes[0].isdigit():
            raise SnippetError(f"{path.name}:{start + 1}: expect-exit takes one integer")
        snippets.append(
            Snippet(
                path=path,
                line=start + 1,
                lang=match["info"].lower(),
                code="\n".join(body) + "\n",
                not_run=_first(markers, "not-run"),
                expect_exit=int(exit_codes[0]),
                expect_output=markers.get("expect-output", []),
                terminal=_first(markers, "terminal"),
            )
        )
        index += 1
    return snippets


def documents(project_root: Path) -> list[Path]:
    """README.md (when present) and every docs/*.md."""
    readme = project_root / "README.md"
    return ([readme] if readme.is_file() else []) + sorted((project_root / "docs").glob("*.md"))


_LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)\s*#*\s*$")


def heading_anchors(path: Path) -> set[str]:
    """GitHub-style anchors of the headings (outside code fences) of a Markdown file."""
    anchors: set[str] = set()
    in_fence = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        match = None if in_fence else _HEADING.match(line)
        if match:
            text = re.sub(r"[^\w\- ]", "", match["text"].strip().lower())
            anchors.add(text.replace(" ", "-"))
    return anchors


def broken_links(path: Path, project_root: Path) -> list[str]:
    """Relative links of a document whose file or heading anchor does not exist."""
    broken: list[str] = []
    in_fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            continue
        for match in _LINK.finditer(line):
            target = match["target"]
            if re.match(r"^[a-z]+:", target):
                continue  # http(s), mailto: not checked (no network in tests)
            file_part, _, anchor = target.partition("#")
            file = (path.parent / file_part).resolve() if file_part else path
            if not file.exists() or project_root.resolve() not in (file, *file.parents):
                broken.append(f"{path.name}:{number}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in heading_anchors(file):
                broken.append(f"{path.name}:{number}: {target} (no such heading)")
    return broken
