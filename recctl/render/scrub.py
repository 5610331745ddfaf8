"""``recctl scrub`` output, as lines or JSON. Pure functions; no secret is in
what they get but inside ``old`` and ``new``, which a diff shows masked."""

from __future__ import annotations

from typing import Any

from recctl.render import Line, file_failed, file_left_alone, plural
from recctl.scrub import Scrubbed, mask_secrets

_HISTORY = (
    "a scrubbed key is still in git history: rotate it (and rewrite history if the "
    "repository is public)."
)


def scrub_json(
    results: list[Scrubbed], commits: list[tuple[str, list[str]]], written: bool
) -> dict[str, Any]:
    return {
        "written": written,
        "scrubbed": [
            {
                "path": r.path,
                "secrets": [
                    {"kind": s.kind, "pointer": s.pointer, "masked": s.masked} for s in r.removed
                ],
                "renamed_to": r.renamed_to,
                "reencoded": r.reencoded,
                "replay": r.replay,
            }
            for r in results
            if r.new is not None and not r.known
        ],
        "known": [r.path for r in results if r.known],
        "clean": sum(1 for r in results if r.new is None and not (r.error or r.refused or r.note)),
        "errors": [{"path": r.path, "reason": r.error} for r in results if r.error],
        "refused": [{"path": r.path, "reason": r.refused} for r in results if r.refused],
        "notes": [{"path": r.path, "note": r.note} for r in results if r.note],
        "history": [{"secret": masked, "commits": ids} for masked, ids in commits],
    }


def scrub_lines(
    results: list[Scrubbed], commits: list[tuple[str, list[str]]], written: bool, show_diff: bool
) -> list[Line]:
    lines: list[Line] = []
    verb = "scrubbed" if written else "would scrub"
    for result in results:
        if result.error:
            lines.append(file_failed(result.path, result.error))
        elif result.refused:
            lines.append(file_left_alone(result.path, result.refused))
        elif result.note:
            lines.append(Line([(f"note: {result.path}: {result.note}", "dim")]))
        elif result.new is not None and not result.known:
            personal = sum(r.code == "RC208" for r in result.removed)
            secrets = len(result.removed) - personal
            counts = ((secrets, "secret"), (personal, "personal value"))
            count = ", ".join(plural(n, noun) for n, noun in counts if n)
            lines.append(
                Line(
                    [
                        (f"{verb} ", "bold"),
                        (result.path, ""),
                        (f" → {result.renamed_to}" if result.renamed_to else "", "bold"),
                        (f"  ({count}{', re-encoded' if result.reencoded else ''})", "dim"),
                    ]
                )
            )
            for removed in result.removed:
                where = f"{removed.pointer}: {removed.masked} → {removed.kind}"
                lines.append(Line([(where, "")], 2))
            lines += [Line([("replay: ", "yellow"), (note, "")], 2) for note in result.replay]
            if show_diff:
                lines += _diff(result)
    changed = sum(1 for r in results if r.new is not None and not r.known)
    clean = sum(1 for r in results if r.new is None and not (r.error or r.refused or r.note))
    summary = (
        f"{plural(changed, 'file')} {verb.replace('would scrub', 'to scrub')}, {clean:,} clean"
    )
    left = sum(1 for r in results if r.refused)
    errors = sum(1 for r in results if r.error)
    if left:
        summary += f", {left:,} left alone"
    if errors:
        summary += f", {plural(errors, 'error')}"
    lines.append(Line([(summary + ".", "bold")]))
    if changed:
        lines.append(Line([(f"note: {_HISTORY}", "yellow")]))
        for masked, ids in commits:
            lines.append(Line([(f"{masked} is in commits {', '.join(ids)}", "")], 2))
    return lines


def known_lines(results: list[Scrubbed], baseline: str | None) -> list[Line]:
    """How many files the baseline passed over (every value in them known)."""
    if baseline is None:
        return []
    known = plural(sum(r.known for r in results), "file")
    return [Line([(f"{known} with known findings passed over (baseline {baseline}).", "dim")])]


def _diff(result: Scrubbed) -> list[Line]:
    import difflib  # --diff only

    assert result.old is not None and result.new is not None
    old = mask_secrets(result.old.decode("utf-8", "replace"), result.secrets).splitlines()
    new = result.new.decode("utf-8", "replace").splitlines()
    target = result.renamed_to or result.path
    lines = []
    for text in difflib.unified_diff(old, new, f"a/{result.path}", f"b/{target}", n=1, lineterm=""):
        style = {"-": "red", "+": "green", "@": "cyan"}.get(text[:1], "")
        lines.append(Line([(text, style)]))
    return lines
