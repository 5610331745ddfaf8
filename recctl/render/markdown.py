"""``recctl diff --output-format markdown``: a report for a pull request or a step summary.

A heading, a table of counts by verdict, a table of the changed, renamed, added
and removed recordings, then each changed answer's diff in a collapsed
``<details>`` block. The report stays under GitHub's comment limit
(``LIMIT``, counted in UTF-8 bytes, so that it holds however the limit is
counted): what does not fit is left out, and a closing note says what. Text
from recordings is CI-safe: no line starts with ``::`` (``printable.ci_safe``).
Pure functions.
"""

from __future__ import annotations

import re
from collections import Counter

from recctl.diff import ExchangeDiff
from recctl.diff_files import FileDiff
from recctl.diff_trees import Pair, TreeDiff
from recctl.printable import ci_safe, printable
from recctl.render.diff import diff_lines, diff_summary, file_diff_lines

#: GitHub's limit for a comment (and the step summary's per-step budget is larger).
LIMIT = 65_536
_NOTE_ROOM = 400  # kept free for the note that says what was left out


def _cell(text: str | None) -> str:
    """Table cell text: one line, pipes escaped, control characters shown."""
    if not text:
        return ""
    return printable(text).replace("\\", "\\\\").replace("|", "\\|")


def _code(text: str | None) -> str:
    """A code span for a table cell, whatever backticks the text holds."""
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    escaped = printable(text).replace("|", "\\|")
    return f"{fence}{pad}{escaped}{pad}{fence}"


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``."""
    return "`" * (max((len(run) for run in re.findall(r"`{3,}", text)), default=2) + 1)


def _block(summary: str, body: list[str], fence: str | None = None) -> str:
    """A collapsed ``<details>`` block holding a ``diff`` code block."""
    text = "\n".join(printable(line).rstrip() for line in body)
    fence = fence or _fence(text)
    return f"<details><summary>{summary}</summary>\n\n{fence}diff\n{text}\n{fence}\n\n</details>\n"


def _size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))


def _html(text: str) -> str:
    return printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Report:
    """Markdown pieces added while they fit; what does not is counted, then noted."""

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.budget = limit - _NOTE_ROOM
        self.left_out: Counter[str] = Counter()

    def add(self, text: str, what: str | None = None) -> None:
        """Add ``text`` while everything before it fitted, else count it as ``what``
        (headings, ``what`` None, are left out uncounted)."""
        text = ci_safe(text)
        size = _size(text)
        if self.left_out or self.size + size > self.budget:
            if what is not None:
                self.left_out[what] += 1
            return
        self.parts.append(text)
        self.size += size

    def text(self) -> str:
        if self.left_out:
            missing = ", ".join(f"{count:,} {what}" for what, count in self.left_out.items())
            self.parts.append(
                f"\n_Cut to stay under GitHub's {LIMIT:,}-character limit: {missing} "
                "left out. Run `recctl diff` for the whole report._\n"
            )
        return "".join(self.parts)


def tree_markdown(tree: TreeDiff, title: str, limit: int = LIMIT) -> str:
    report = _Report(limit)
    report.add(f"## recctl diff: {_cell(title)}\n\n")
    counts: Counter[str] = Counter()
    for pair in tree.changed:
        counts[pair.verdict] += 1
    for pair in tree.renamed:
        counts[f"renamed, {pair.verdict}"] += 1
    counts["added"] = len(tree.added)
    counts["removed"] = len(tree.removed)
    counts["only volatile fields differ"] = tree.volatile_only
    counts["unchanged"] = tree.unchanged
    if tree.unreadable:
        counts["unreadable"] = len(tree.unreadable)
    report.add("| verdict | recordings |\n|---|---:|\n")
    for verdict, count in counts.items():
        if count:
            report.add(f"| {_cell(verdict)} | {count:,} |\n")
    rows = [
        *(("changed", p.new, p.test_id, p.verdict) for p in tree.changed),
        *(("renamed", f"{p.old} → {p.new}", p.test_id, p.verdict) for p in tree.renamed),
        *(("added", path, None, "") for path in tree.added),
        *(("removed", path, None, "") for path in tree.removed),
        *(("unreadable", path, None, reason) for path, reason in tree.unreadable),
    ]
    if rows:
        report.add("\n| | recording | test id | verdict |\n|---|---|---|---|\n")
    for status, path, test_id, verdict in rows:
        report.add(f"| {status} | {_code(path)} | {_code(test_id)} | {_cell(verdict)} |\n", "rows")
    diffs = [p for p in [*tree.changed, *tree.renamed] if p.diff is not None and p.diff.differs]
    if diffs:
        report.add("\n### What changed\n\n")
    for pair in diffs:
        if report.left_out:  # the budget is spent: count the rest, do not render them
            report.left_out["diffs"] += 1
        else:
            report.add(_pair_block(pair), "diffs")
    if not tree.differs:
        report.add("\nNo recording differs.\n")
    return report.text()


def _pair_block(pair: Pair) -> str:
    assert pair.diff is not None
    name = pair.new if pair.old == pair.new else f"{pair.old} → {pair.new}"
    body = [line.plain for line in file_diff_lines(pair.diff, summary=False)]
    return _block(f"<code>{_html(name)}</code>: {_html(pair.verdict)}", body)


def pair_markdown(diff: ExchangeDiff, old: str, new: str, limit: int = LIMIT) -> str:
    report = _Report(limit)
    report.add(f"## recctl diff: {_cell(old)} → {_cell(new)}\n\n")
    report.add(f"**{_cell(diff.verdict)}**: {_cell(diff_summary(diff).plain)}\n\n")
    if diff.differs:
        body = [printable(line.plain).rstrip() for line in diff_lines(diff)]
        summary = _html(diff.verdict)
        fence = _fence("\n".join(body))
        room = report.budget - report.size - _size(_block(summary, [], fence))
        kept = 0
        for line in body:
            room -= _size(ci_safe(line)) + 1
            if room < 0:
                break
            kept += 1
        report.add(_block(summary, body[:kept], fence), "diff lines")
        if kept < len(body):  # a long diff keeps its head
            report.left_out["diff lines"] += len(body) - kept
    return report.text()


def file_markdown(diff: FileDiff, old: str, new: str, limit: int = LIMIT) -> str:
    """Two files: a pair of one-exchange files as that pair (``pair_markdown``), else
    the verdict, then each exchange that differs in a ``<details>``."""
    if diff.single is not None:
        return pair_markdown(diff.single, old, new, limit)
    report = _Report(limit)
    report.add(f"## recctl diff: {_cell(old)} → {_cell(new)}\n\n**{_cell(diff.verdict)}**\n\n")
    report.add("| interaction | verdict |\n|---|---|\n")
    for i, j, pair in diff.pairs:
        name = f"{i}" if i == j else f"{i} → {j}"
        report.add(f"| {name} | {_cell(pair.verdict)} |\n", "rows")
    for j in diff.added:
        report.add(f"| {j} (new) | added |\n", "rows")
    for i in diff.removed:
        report.add(f"| {i} (old) | removed |\n", "rows")
    changed = [(i, j, pair) for i, j, pair in diff.pairs if pair.differs]
    if changed:
        report.add("\n")
    for i, _, pair in changed:
        if report.left_out:  # the budget is spent: count the rest, do not render them
            report.left_out["diffs"] += 1
            continue
        body = [line.plain for line in diff_lines(pair)]
        report.add(_block(f"interaction {i}: {_html(pair.verdict)}", body), "diffs")
    return report.text()
