"""A clone must stand on its own: the Markdown files link only to what the repository holds.

Every relative link (and image) in the README, `docs/` and the other Markdown files must name a
file or folder inside this repository that exists, and an `#anchor` must name a heading of its
file. A path written as code (`` `../shared/DESIGN.md` ``) that starts with `./` or `../` is held
to the same rule: that is how the README once sent readers to files a clone does not have.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# Not the project's documents: tools' caches, virtualenvs, data of the embedded servers.
_SKIPPED_DIRS = {".git", ".venv", ".skyfare", "node_modules", "build", "dist"}

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]"  # [text], which may hold one [nested] pair
    r"\(\s*(<[^>]*>|[^)\s]+)(?:\s+\"[^\"]*\")?\s*\)"  # (target "optional title")
)
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^//")


def markdown_files() -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(REPO):
        # Pruned, not filtered: walking a virtualenv would cost the suite seconds.
        dirs[:] = [d for d in dirs if d not in _SKIPPED_DIRS and not d.endswith(".egg-info")]
        found += [Path(folder, name) for name in files if name.endswith(".md")]
    return sorted(found)


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks (a link in a code sample is not a link)."""
    lines, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").lower()
    kept = (c for c in text if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    for line in prose_lines(path.read_text()):
        match = _HEADING.match(line)
        if match:
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            if count:
                seen[f"{base}-{count}"] = 1
    return set(seen)


def link_targets(text: str) -> list[str]:
    """Inline links, images and reference definitions; code spans are not links."""
    targets = []
    for line in prose_lines(text):
        targets += [m.group(1).strip("<>") for m in _REFERENCE.finditer(line)]
        bare = _CODE_SPAN.sub("", line)
        targets += [m.group(1).strip("<>") for m in _INLINE_LINK.finditer(bare)]
    return targets


def relative_paths_in_code(text: str) -> list[str]:
    found = []
    for line in prose_lines(text):
        for match in _CODE_SPAN.finditer(line):
            code = match.group(2).strip()
            if code.startswith(("./", "../")) and " " not in code:
                found.append(code)
    return found


def broken(source: Path, target: str) -> str | None:
    """Why `target`, written in `source`, does not stand in this repository (None if it does)."""
    if not target or _SCHEME.match(target):
        return None  # a URL: not ours to check here
    path_part, _, anchor = target.partition("#")
    if path_part.startswith("/"):
        path = (REPO / path_part.lstrip("/")).resolve()
    else:
        path = (source.parent / path_part).resolve() if path_part else source
    if not path.is_relative_to(REPO):
        return f"{target}: outside the repository ({path})"
    if not path.exists():
        return f"{target}: no such file in the repository"
    if anchor and path.suffix == ".md" and anchor not in anchors(path):
        return f"{target}: no heading #{anchor} in {path.relative_to(REPO)}"
    return None


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(REPO)) for p in paths]


FILES = markdown_files()


def test_the_readme_and_the_docs_are_checked() -> None:
    names = _ids(FILES)

    assert "README.md" in names
    assert {"docs/architecture.md", "docs/api.md", "docs/conventions.md"} <= set(names)


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_every_relative_link_points_into_the_repository(path: Path) -> None:
    problems = [p for t in link_targets(path.read_text()) if (p := broken(path, t))]

    assert problems == []


@pytest.mark.parametrize("path", FILES, ids=_ids(FILES))
def test_every_relative_path_written_as_code_points_into_the_repository(path: Path) -> None:
    problems = [p for t in relative_paths_in_code(path.read_text()) if (p := broken(path, t))]

    assert problems == []


def test_a_link_outside_the_clone_is_refused_even_when_this_machine_has_it() -> None:
    readme = REPO / "README.md"

    assert broken(readme, "docs/architecture.md") is None
    assert broken(readme, "#settings") is None
    assert broken(readme, "https://example.com/x.md") is None
    assert "outside the repository" in (broken(readme, "../shared/DESIGN.md") or "")
    assert "no such file" in (broken(readme, "docs/nothing-here.md") or "")
    assert "no heading" in (broken(readme, "docs/api.md#no-such-heading") or "")


def test_headings_become_the_anchors_github_gives_them() -> None:
    assert slug("Events and notifications") == "events-and-notifications"
    assert slug("The composition root: `skyfare/app.py`") == "the-composition-root-skyfareapppy"
    assert slug("Bulk fares and the fare calendar (partners)") == (
        "bulk-fares-and-the-fare-calendar-partners"
    )
