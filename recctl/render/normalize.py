"""``recctl normalize`` output, as lines or JSON. Pure functions."""

from __future__ import annotations

from typing import Any

from recctl.ogx.normalize_files import Normalized
from recctl.render import Line, file_failed, file_left_alone, plural


def normalize_json(results: list[Normalized], aborted: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "changed": [
            {"path": r.path, "rules": list(r.rules), "renamed_to": r.renamed_to}
            for r in results
            if r.rules
        ],
        "unchanged": sum(1 for r in results if not r.rules and not r.error and not r.refused),
        "errors": [{"path": r.path, "reason": r.error} for r in results if r.error],
        "refused": [{"path": r.path, "reason": r.refused} for r in results if r.refused],
        "aborted": [{"test_id": test_id, "reason": why} for test_id, why in aborted],
    }


def normalize_lines(
    results: list[Normalized], aborted: list[tuple[str, str]], written: bool, show_diff: bool
) -> list[Line]:
    lines: list[Line] = []
    verb = "normalized" if written else "would normalize"
    for result in results:
        if result.error:
            lines.append(file_failed(result.path, result.error))
        elif result.refused:
            lines.append(file_left_alone(result.path, result.refused))
        elif result.rules:
            lines.append(
                Line(
                    [
                        (f"{verb} ", "bold"),
                        (result.path, ""),
                        (f" → {result.renamed_to}" if result.renamed_to else "", "bold"),
                        (f"  ({', '.join(result.rules)})", "dim"),
                    ]
                )
            )
            if show_diff and result.old is not None and result.new is not None:
                lines += _diff(result)
    lines += [
        Line([("left alone ", "bold yellow"), (test_id, ""), (f": {why}", "yellow")])
        for test_id, why in aborted
    ]
    changed = sum(1 for r in results if r.rules)
    unchanged = sum(1 for r in results if not r.rules and not r.error and not r.refused)
    done = "normalized" if written else "would be normalized"
    summary = f"{plural(changed, 'file')} {done}, {unchanged:,} unchanged"
    errors = sum(1 for r in results if r.error)
    if errors:
        summary += f", {plural(errors, 'error')}"
    refused = sum(1 for r in results if r.refused)
    if refused:
        summary += f", {refused:,} left alone"
    lines.append(Line([(summary + ".", "bold")]))
    return lines


def _diff(result: Normalized) -> list[Line]:
    import difflib  # --diff only

    assert result.old is not None and result.new is not None
    old = result.old.decode("utf-8", "replace").splitlines()
    new = result.new.decode("ascii").splitlines()
    lines = []
    for text in difflib.unified_diff(
        old, new, f"a/{result.path}", f"b/{result.path}", n=2, lineterm=""
    ):
        style = {"-": "red", "+": "green", "@": "cyan"}.get(text[:1], "")
        lines.append(Line([(text, style)]))
    return lines
