"""Aligning two sequences (words, lines, interactions) in bounded time.

difflib's ``SequenceMatcher`` is quadratic at worst: one changed word in a
40,000-word message never finished. Here the common head and tail are matched
first, in linear time, and only the middle that differs goes to
``SequenceMatcher``, and only while it holds at most ``BUDGET`` items; a longer
middle counts as replaced whole (``Alignment.exact`` is then False, and the
callers say so).
"""

from __future__ import annotations

import difflib
from collections.abc import Hashable, Iterator, Sequence
from typing import NamedTuple

#: Items (of both sides together) in the middle that ``SequenceMatcher`` aligns:
#: about a second at its worst.
BUDGET = 2_000

Opcode = tuple[str, int, int, int, int]  # as SequenceMatcher.get_opcodes gives them


class Alignment(NamedTuple):
    opcodes: list[Opcode]
    exact: bool  # False: a middle too long to align was taken as replaced whole


def align(a: Sequence[Hashable], b: Sequence[Hashable]) -> Alignment:
    """The opcodes that turn ``a`` into ``b`` (``SequenceMatcher``'s, within the budget)."""
    head = 0
    shortest = min(len(a), len(b))
    while head < shortest and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < shortest - head and a[len(a) - 1 - tail] == b[len(b) - 1 - tail]:
        tail += 1
    a_end, b_end = len(a) - tail, len(b) - tail
    opcodes: list[Opcode] = [("equal", 0, head, 0, head)] if head else []
    exact = True
    if head < a_end or head < b_end:
        if (a_end - head) + (b_end - head) <= BUDGET:
            matcher = difflib.SequenceMatcher(None, a[head:a_end], b[head:b_end], autojunk=False)
            opcodes += [
                (tag, i1 + head, i2 + head, j1 + head, j2 + head)
                for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            ]
        else:
            exact = False
            tag = "replace" if head < a_end and head < b_end else "delete"
            tag = "insert" if head == a_end else tag
            opcodes.append((tag, head, a_end, head, b_end))
    if tail:
        opcodes.append(("equal", a_end, len(a), b_end, len(b)))
    return Alignment(opcodes, exact)


def unified(a: Sequence[str], b: Sequence[str], context: int = 2) -> list[str]:
    """``difflib.unified_diff(a, b, "old", "new", n=context, lineterm="")``, aligned here."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matcher.opcodes = align(a, b).opcodes  # type: ignore[attr-defined]  # its cache
    lines: list[str] = []
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        lines.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@")
        lines += _hunk(a, b, group)
    return ["--- old", "+++ new", *lines] if lines else []


def _hunk(a: Sequence[str], b: Sequence[str], group: list[Opcode]) -> Iterator[str]:
    for tag, i1, i2, j1, j2 in group:
        if tag == "equal":
            yield from (" " + line for line in a[i1:i2])
            continue
        yield from ("-" + line for line in a[i1:i2])
        yield from ("+" + line for line in b[j1:j2])


def _range(start: int, stop: int) -> str:
    """A unified diff's range, as difflib spells it."""
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start if not length else start + 1},{length}"
