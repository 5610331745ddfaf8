"""Output for people (Rich, colour only on a TTY) and for machines (JSON).

Rich is imported only when text is printed: the JSON path and the start-up of
every command stay free of it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import orjson

from recctl.findings import Severity

if TYPE_CHECKING:
    from rich.console import Console

    from recctl.validate import Report


Segment = tuple[str, str]  # (text, Rich style)


def console(stderr: bool = False) -> Console:
    """A Rich console: colour only on a terminal and never with NO_COLOR; no hard wraps."""
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True, highlight=False)


def print_lines(lines: list[list[Segment]], stderr: bool = False) -> None:
    """Print styled lines: through Rich on a terminal, as plain text otherwise.

    Off a terminal Rich would print the same characters; writing them directly
    keeps Rich's import (40 ms) off the pre-commit path.
    """
    stream = sys.stderr if stderr else sys.stdout
    if stream.isatty() or os.environ.get("FORCE_COLOR"):
        from rich.text import Text

        out = console(stderr)
        for line in lines:
            out.print(Text.assemble(*line))
    else:
        stream.write("".join(text for line in lines for text, _ in (*line, ("\n", ""))))
        stream.flush()


def write_json(document: Any) -> None:
    sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    sys.stdout.flush()


def error(message: str) -> None:
    """One line on stderr: ``recctl: error: ...``."""
    print_lines([[("recctl: ", ""), ("error", "bold red"), (": " + message, "")]], stderr=True)


# --- validate ------------------------------------------------------------------


def validate_json(report: Report) -> dict[str, Any]:
    return {
        "status": "ok" if report.ok else "fail",
        "files_checked": report.files_checked,
        "files_invalid": report.files_invalid,
        "findings": [
            {
                "path": finding.path,
                "pointer": finding.pointer,
                "code": finding.code,
                "severity": finding.severity.value,
                "message": finding.message,
            }
            for finding in report.findings
        ],
    }


def validate_text(report: Report) -> None:
    """``path::$.json.path: CODE message`` per finding, then one summary line."""
    lines: list[list[Segment]] = []
    for finding in report.findings:
        colour = "red" if finding.severity is Severity.ERROR else "yellow"
        lines.append(
            [
                (finding.path, "bold"),
                ("::" + finding.pointer, "cyan"),
                (": ", ""),
                (finding.code, f"bold {colour}"),
                (" " + finding.message, ""),
            ]
        )
    files = _plural(report.files_checked, "recording")
    if report.ok and not report.findings:
        every = "" if report.files_checked == 1 else "All "
        lines.append([(f"{every}{files} valid.", "green")])
    elif report.ok:
        lines.append([(f"{files} valid, {_plural(len(report.findings), 'warning')}.", "yellow")])
    else:
        lines.append(
            [
                (
                    f"{_plural(report.files_invalid, 'invalid recording')} of "
                    f"{report.files_checked:,} checked, "
                    f"{_plural(len(report.findings), 'finding')}.",
                    "bold red",
                )
            ]
        )
    print_lines(lines)


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
