"""The documentation holds together: README's first commands, relative links and anchors, unit links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces become hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {_slug(line.lstrip("#")) for line in text.splitlines() if line.startswith("#")}


def test_readme_starts_with_the_two_commands() -> None:
    """A new user's first two commands come first; CI runs the second one verbatim."""
    lines = (ROOT / "README.md").read_text().splitlines()
    assert lines[2] == "```sh"
    assert lines[3].endswith(".venv/bin/watcher demo")
    assert lines[4] in (ROOT / ".ci" / "run").read_text().splitlines()
    assert len(lines) <= 250


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_relative_links_resolve(doc: Path) -> None:
    for target in LINK.findall(FENCE.sub("", doc.read_text())):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked here
        path_part, _, anchor = target.partition("#")
        path = (doc.parent / path_part).resolve() if path_part else doc
        assert path.exists(), f"{doc.name}: broken link {target}"
        if anchor:
            assert anchor in _anchors(path), f"{doc.name}: no heading for #{anchor} in {path.name}"


def test_units_link_to_existing_docs() -> None:
    for unit in (ROOT / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("Documentation="):
                doc = line.split("/blob/main/", 1)[1]
                assert (ROOT / doc).is_file(), f"{unit.name}: {doc} does not exist"
