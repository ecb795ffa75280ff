"""Line diffs between two texts, for the vision's revision history (pure).

The diff is returned as data (kind and text per line), never as HTML, so templates escape it
like any other user text.

Examples:
    >>> [(d.kind, d.text) for d in diff_lines("a\\nb\\n", "a\\nc\\n")]
    [('context', 'a'), ('removed', 'b'), ('added', 'c')]
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

DiffKind = Literal["context", "added", "removed", "skip"]


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff: unchanged, added, removed, or a marker for skipped lines."""

    kind: DiffKind
    text: str


def diff_lines(old: str, new: str, *, context: int = 3) -> list[DiffLine]:
    """Compare two texts line by line; unchanged runs longer than ``context`` are skipped.

    Args:
        old: the earlier text.
        new: the later text.
        context: unchanged lines kept around each change.

    Returns:
        The diff, in order; an empty list when the texts are equal.
    """
    a, b = old.splitlines(), new.splitlines()
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for i, group in enumerate(matcher.get_grouped_opcodes(context)):
        if i > 0:
            out.append(DiffLine("skip", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(DiffLine("context", line) for line in a[i1:i2])
                continue
            if tag in ("replace", "delete"):
                out.extend(DiffLine("removed", line) for line in a[i1:i2])
            if tag in ("replace", "insert"):
                out.extend(DiffLine("added", line) for line in b[j1:j2])
    return out


def diff_stats(lines: list[DiffLine]) -> tuple[int, int]:
    """Return (added, removed) line counts of a diff.

    Examples:
        >>> diff_stats(diff_lines("a\\nb\\n", "a\\nc\\nd\\n"))
        (2, 1)
    """
    added = sum(1 for d in lines if d.kind == "added")
    removed = sum(1 for d in lines if d.kind == "removed")
    return added, removed
