"""Output for people (Rich, colour only on a TTY) and for machines (JSON).

Rich is imported only when text is printed: the JSON path and the start-up of
every command stay free of it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any, NamedTuple

import orjson

from recctl.masking import mask_text
from recctl.printable import ci_safe, json_bytes, printable

if TYPE_CHECKING:
    from rich.console import Console

    from recctl.findings import Finding
    from recctl.validate import Report


Segment = tuple[str, str]  # (text, Rich style)


class Line(NamedTuple):
    """One line of output: styled segments, indented by ``indent`` spaces.

    Text is made terminal-safe when printed, newlines included: a line is one
    line (multi-line text is split into lines before it gets here). A line that
    would start with ``::`` is made CI-safe (``printable.ci_safe``), and every
    credential is masked (``masking.mask_text``).
    """

    segments: list[Segment]
    indent: int = 0

    @property
    def plain(self) -> str:
        text = "".join(mask_text(printable(text)) for text, _ in self.segments)
        return ci_safe(" " * self.indent + text)

    def safe_segments(self) -> list[Segment]:
        """The segments, terminal-safe, the line's leading ``::`` made CI-safe."""
        safe = [(mask_text(printable(text)), style) for text, style in self.segments if text]
        joined = "".join(text for text, _ in safe)
        if ci_safe(joined) == joined:
            return safe
        for index, (text, style) in enumerate(safe):  # the segment holding the first colon
            if text.strip():
                safe[index] = (text.replace(":", "\\x3a", 1), style)
                break
        return safe


def console(stderr: bool = False, wrap: bool = False) -> Console:
    """A Rich console: colour only on a terminal and never with NO_COLOR."""
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=not wrap, highlight=False)


def is_terminal(stderr: bool = False) -> bool:
    stream = sys.stderr if stderr else sys.stdout
    return stream.isatty() or bool(os.environ.get("FORCE_COLOR"))


def print_lines(
    lines: list[Line], stderr: bool = False, wrap: bool = False, plain: bool = False
) -> None:
    """Print lines: through Rich on a terminal, as plain text otherwise (or when ``plain``).

    Off a terminal Rich would print the same characters; writing them directly
    keeps Rich's import (40 ms) off the pre-commit path. With ``wrap``, Rich
    wraps long lines at the terminal width, keeping their indentation.
    """
    if plain or not is_terminal(stderr):
        stream = sys.stderr if stderr else sys.stdout
        stream.write("".join(line.plain + "\n" for line in lines))
        stream.flush()
        return
    from rich.padding import Padding
    from rich.text import Text

    out = console(stderr, wrap)
    for line in lines:
        text = Text.assemble(*line.safe_segments())
        out.print(Padding(text, (0, 0, 0, line.indent)) if line.indent else text)


class MaskedOutput:
    """Bytes for stdout, credentials masked, written 64 KiB at a time: one masking scan
    of many small pieces (reassemble's answers) costs a tenth of one scan each."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0

    def write(self, data: bytes) -> None:
        self._parts.append(data)
        self._size += len(data)
        if self._size >= 1 << 16:
            self.flush()

    def flush(self) -> None:
        from recctl.masking import mask_bytes

        sys.stdout.buffer.write(mask_bytes(b"".join(self._parts)))
        sys.stdout.buffer.flush()
        self._parts.clear()
        self._size = 0


class Progress:
    """``checked 1,234 files…`` on stderr, rewritten in place at most ten times a second,
    and only when stderr is a terminal: never in a pipe, a log or a CI job."""

    def __init__(self, noun: str = "files") -> None:
        self.noun = noun
        self.count = 0
        self._shown = 0.0
        self.live = sys.stderr.isatty() and not os.environ.get("CI")

    def step(self) -> None:
        self.count += 1
        if not self.live:
            return
        import time

        now = time.monotonic()
        if now - self._shown >= 0.1:
            self._shown = now
            sys.stderr.write(f"\rchecked {self.count:,} {self.noun}…")
            sys.stderr.flush()

    def done(self) -> None:
        if self.live and self._shown:
            sys.stderr.write("\r\x1b[2K")  # the line cleared: the summary follows
            sys.stderr.flush()


def write_raw_lines(lines: list[str]) -> None:
    """Lines for a machine (workflow commands, Markdown): the caller made them
    terminal- and CI-safe; credentials are masked here."""
    sys.stdout.write(mask_text("".join(line + "\n" for line in lines)))
    sys.stdout.flush()


def write_json(document: Any) -> None:
    # orjson appends the newline: adding it here would copy the whole document again.
    option = orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE
    sys.stdout.buffer.write(json_bytes(document, option))
    sys.stdout.flush()


def error(message: str) -> None:
    """One line on stderr: ``recctl: error: ...``."""
    print_lines(
        [Line([("recctl: ", ""), ("error", "bold red"), (": " + message, "")])], stderr=True
    )


# --- validate ------------------------------------------------------------------


def validate_json(report: Report, baseline: str | None = None) -> dict[str, Any]:
    known = {}
    if baseline is not None:  # the known findings, apart from the new ones
        known = {
            "baseline": {"file": baseline, "known": report.known_count},
            "known": [_finding_json(finding) for finding in report.known],
        }
    return {
        "status": "ok" if report.ok else "fail",
        "files_checked": report.files_checked,
        "errors": report.error_count,
        "warnings": report.warning_count,
        "files_invalid": report.files_invalid,
        "findings": [_finding_json(finding) for finding in report.findings],
        "notes": [{"path": path, "note": note} for path, note in report.notes]
        + [
            {
                "path": path,
                "pointer": pointer,
                "note": f"a placeholder the replayer fills in: {what}",
            }
            for path, pointer, what in report.placeholders
        ],
        **known,
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "path": finding.path,
        "pointer": finding.pointer,
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
    }


def finding_lines(findings: list[Finding]) -> list[Line]:
    """``path::$.json.path: CODE message``, one line per finding."""
    lines = []
    for finding in findings:
        colour = "red" if finding.severity.value == "error" else "yellow"
        lines.append(
            Line(
                [
                    (finding.path, "bold"),
                    ("::" + finding.pointer, "cyan"),
                    (": ", ""),
                    (finding.code, f"bold {colour}"),
                    (" " + finding.message, ""),
                ]
            )
        )
    return lines


def validate_summary(report: Report, baseline: str | None = None) -> None:
    """The notes, then one summary line (the findings were printed before it), and
    with a baseline, how many known findings were passed over."""
    lines = [Line([(f"note: {path}: {note}", "dim")]) for path, note in report.notes]
    if baseline is not None:
        known = plural(report.known_count, "known finding")
        lines.append(Line([(f"{known} passed over (baseline {baseline}).", "dim")]))
    files, kinds = checked_files(report.checked, len(report.notes))
    warnings = plural(report.warning_count, "warning")
    if report.placeholders:
        held = len({path for path, _, _ in report.placeholders})
        lines.append(
            Line(
                [
                    (
                        f"note: {plural(len(report.placeholders), '<NAME> placeholder')} in "
                        f"{plural(held, 'file')}, left for the replayer to fill in "
                        "(-o json lists them)",
                        "dim",
                    )
                ]
            )
        )
    if report.ok and not report.finding_count:
        every = "" if report.files_checked == 1 else "All "
        lines.append(Line([(f"{every}{files} valid{kinds}.", "green")]))
    elif report.ok:
        lines.append(Line([(f"{files} valid{kinds}, {warnings}.", "yellow")]))
    else:
        errors = plural(report.error_count, "error")
        summary = f"{report.files_invalid:,} of {files} invalid{kinds}: {errors}, {warnings}."
        lines.append(Line([(summary, "bold red")]))
    print_lines(lines)


def checked_files(counts: dict[str, int], noted: int = 0) -> tuple[str, str]:
    """The files checked, counted once, and by kind when of several (in ``counts``'
    order; files noted as no HTTP recording, ``noted``, last): (``143 recordings``,
    ``""``), (``145 files``, ``" (143 recordings, 2 cassettes)"``)."""
    shown = [plural(count, noun) for noun, count in counts.items() if count]
    if noted:
        shown.append(f"{noted:,} not {'an HTTP recording' if noted == 1 else 'HTTP recordings'}")
    if not shown:
        return plural(0, next(iter(counts), "file")), ""
    if len(shown) == 1 and not noted:
        return shown[0], ""
    total = sum(counts.values()) + noted
    return plural(total, "file"), f" ({', '.join(shown)})"


def number(value: object) -> str:
    """A count as every output writes one: ``8,306``; none as ``—``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "—" if value is None else str(value)


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def file_failed(path: str, reason: str) -> Line:
    """A file a writing command could not read or write, and why."""
    return Line([(path, "bold"), (f": {reason}", "red")])


def file_left_alone(path: str, why: str) -> Line:
    """A file a writing command refused to touch, and why."""
    return Line([("left alone ", "bold red"), (path, ""), (f": {why}", "red")])
