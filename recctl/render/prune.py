"""``recctl prune`` output, as lines or JSON. Pure functions."""

from __future__ import annotations

import os
from itertools import groupby
from typing import Any

from recctl.prune import PruneReport
from recctl.render import Line, plural


def prune_json(
    report: PruneReport, deleted: int | None, root: str, root_from: str
) -> dict[str, Any]:
    return {
        "root": root,
        "root_from": root_from,
        "stale": [{"path": s.path, "test_id": s.test_id, "reason": s.reason} for s in report.stale],
        "live": report.live,
        "shared": report.shared,
        "unreadable": [{"path": path, "reason": reason} for path, reason in report.unreadable],
        "elsewhere": [{"path": path, "test_id": test_id} for path, test_id in report.elsewhere],
        "unsafe": [
            {"path": path, "test_id": test_id, "reason": why}
            for path, test_id, why in report.unsafe
        ],
        "unmapped": report.unmapped,
        "notes": [{"path": path, "note": note} for path, note in report.notes],
        "cassette_layouts": [{"tree": tree, "layout": layout} for tree, layout in report.layouts],
        "delete_refused": report.refusal,
        "deleted": deleted,
        "known": [{"path": s.path, "test_id": s.test_id} for s in report.known],
    }


def _shown(path: str) -> str:
    """A path under the current directory relative to it, as git shows paths."""
    relative = os.path.relpath(path)
    return path if relative.startswith(".." + os.sep) or relative == ".." else relative


def prune_lines(report: PruneReport, deleted: int | None, root: str, root_from: str) -> list[Line]:
    lines: list[Line] = []
    if root_from not in ("--root", "the git work tree"):
        lines.append(Line([(f"note: test ids read relative to {root} ({root_from})", "dim")]))
    lines += [
        Line([(f"note: cassettes under {tree} lie in the {layout} layout", "dim")])
        for tree, layout in report.layouts
    ]
    ordered = sorted(report.stale, key=lambda s: (s.test_id, s.reason, s.path))
    for (test_id, reason), group in groupby(ordered, key=lambda s: (s.test_id, s.reason)):
        lines.append(Line([(test_id, "bold"), (f"  ({reason})", "yellow")]))
        lines += [Line([(_shown(item.path), "")], 4) for item in group]
    if report.elsewhere:
        lines.append(
            Line([("Not in the recordings/ directory of their test (not pruned):", "bold")])
        )
        lines += [Line([(_shown(path), "")], 4) for path, _ in report.elsewhere]
    if report.unsafe:
        lines.append(Line([("Test id leads outside the root (never pruned):", "bold red")]))
        lines += [
            Line([(_shown(path), ""), (f": {why}", "red")], 4) for path, _, why in report.unsafe
        ]
    if report.unmapped:
        lines.append(Line([("Cassettes whose name names no test (never pruned):", "bold")]))
        lines += [Line([(_shown(path), "")], 4) for path in report.unmapped]
    lines += [Line([("note ", "dim"), (f"{path}: {note}", "dim")]) for path, note in report.notes]
    lines += [
        Line([("unreadable ", "red"), (f"{path}: {reason}", "")])
        for path, reason in report.unreadable
    ]
    counts = [
        f"{report.live:,} live",
        f"{report.shared:,} shared",
        f"{len(report.stale):,} stale",
        f"{len(report.unreadable):,} unreadable",
    ]
    if report.elsewhere:
        counts.append(f"{len(report.elsewhere):,} elsewhere")
    if report.unsafe:
        counts.append(f"{len(report.unsafe):,} unsafe")
    if report.unmapped:
        counts.append(f"{len(report.unmapped):,} unmapped")
    if report.known:
        counts.append(f"{len(report.known):,} known (baseline)")
    summary = ", ".join(counts) + "."
    if report.unsure:
        summary += f" ({plural(report.unsure, 'recording')} kept because recctl cannot be sure.)"
    refusal = report.refusal
    if deleted is not None:
        summary += f" Deleted {plural(deleted, 'recording')}."
    elif refusal is not None:
        lines.append(Line([(f"Not safe to delete: {refusal}", "bold red")]))
    elif report.stale:
        summary += " Run with --delete to remove the stale ones."
    if lines:
        lines.append(Line([]))
    lines.append(Line([(summary, "bold")]))
    return lines
