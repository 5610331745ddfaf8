"""``recctl stats --audit`` as lines: the largest files and bodies, and the ages."""

from __future__ import annotations

from typing import Any

from recctl.render import Line


def _kib(size: int) -> str:
    return f"{size / 1024:,.1f} KiB"


def audit_lines(audit: dict[str, Any]) -> list[Line]:
    lines = [Line([("Largest files", "bold")])]
    lines += [
        Line([(f"{_kib(f['bytes']):>12}  ", ""), (f["path"], "")], 2)
        for f in audit["largest_files"]
    ]
    lines.append(Line([("Largest bodies", "bold")]))
    for body in audit["largest_bodies"]:
        where = f"{body['path']} #{body['exchange']} {body['side']}"
        lines.append(
            Line([(f"{_kib(body['bytes']):>12}  {body['kind']:<13} ", ""), (where, "")], 2)
        )
    kinds = ", ".join(
        f"{kind} {k['bodies']:,} ({_kib(k['bytes'])})"
        for kind, k in audit["bodies_by_kind"].items()
    )
    lines.append(Line([("bodies by kind: " + kinds, "dim")], 2))
    ages = audit["ages"]
    lines.append(Line([("Age", "bold")]))
    days = ages["days"]
    if ages["files"]:
        lines.append(
            Line(
                [
                    (
                        f"newest {days['newest']:,.0f} days, median {days['median']:,.0f}, "
                        f"oldest {days['oldest']:,.0f}; "
                        + ", ".join(f"{label} {n:,}" for label, n in ages["buckets"].items()),
                        "",
                    )
                ],
                2,
            )
        )
    sources = ages["sources"]
    lines.append(
        Line(
            [
                (
                    f"by file: its oldest exchange's recording time ({sources['recorded']:,}), "
                    f"else its last commit ({sources['commit']:,}); "
                    f"{sources['unknown']:,} never committed",
                    "dim",
                )
            ],
            2,
        )
    )
    return lines
