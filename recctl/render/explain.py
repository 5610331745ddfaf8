"""``recctl explain`` output, as lines or JSON. Pure functions."""

from __future__ import annotations

from typing import Any

from recctl.diff import MISSING
from recctl.ogx.explain import Candidate, Query
from recctl.render import Line
from recctl.render.diff import request_change_line


def _value(value: Any) -> Any:
    return None if value is MISSING else value


def explain_json(
    query: Query, found: str | None, closest: list[Candidate], stale: bool = False
) -> dict[str, Any]:
    return {
        "hash": query.hash,
        "found": found,
        "stale_name": stale,
        "test_id": query.test_id,
        "endpoint": query.endpoint,
        "closest": [
            {
                "path": candidate.path,
                "same_test": candidate.same_test,
                "differences": candidate.differences,
                "changes": [
                    {"part": c.part, "old": _value(c.old), "new": _value(c.new), "detail": c.detail}
                    for c in candidate.changes
                ],
            }
            for candidate in closest
        ],
    }


def explain_lines(
    query: Query, found: str | None, closest: list[Candidate], stale: bool = False
) -> list[Line]:
    lines = [Line([("request hash: ", "bold"), (query.hash or "?", "")])]
    if query.test_id:
        lines.append(Line([("test: ", "dim"), (query.test_id, "")]))
    if query.endpoint:
        lines.append(Line([("endpoint: ", "dim"), (f"{query.method or ''} {query.endpoint}", "")]))
    if found:
        lines.append(Line([("found: ", "bold green"), (found, "")]))
        return lines
    if stale:
        lines.append(
            Line(
                [
                    ("stored under a stale name: ", "bold red"),
                    ("the recorder looks for ", ""),
                    (f"{query.hash}.json", "bold"),
                    ("; run `recctl hash --fix` to rename it", ""),
                ]
            )
        )
        return lines
    lines.append(Line([("no recording has this name.", "bold red")]))
    if not closest:
        why = (
            "the message holds only the hash: paste its Model/Request line too, or give the request"
            if query.recording is None and query.endpoint is None
            else "no recording of this endpoint to compare with"
        )
        lines.append(Line([(why, "dim")]))
        return lines
    lines.append(Line([]))
    lines.append(Line([("Closest recordings, best first:", "bold")]))
    for number, candidate in enumerate(closest, 1):
        where = "same test" if candidate.same_test else "another test"
        lines.append(
            Line(
                [
                    (f"{number}. ", "bold"),
                    (candidate.path, ""),
                    (f"  ({where}, {candidate.differences} differences)", "dim"),
                ],
                2,
            )
        )
        lines += [request_change_line(change, 6) for change in candidate.changes]
    return lines
