"""Text from a recording or a file name, made safe to print on a terminal.

Recordings are untrusted: an answer, a model name, a test id or a file name may
hold escape sequences that retitle the window, clear the screen or overwrite
lines. ``printable`` shows every such character visibly instead (``\\x1b``,
``\\u202e``): C0 controls but tab (and newline in multi-line text), DEL, C1
controls, and the bidirectional overrides and isolates. JSON output does not
need it: JSON escapes control characters itself.
"""

from __future__ import annotations

import re

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(f"[{_CONTROLS}]")
_UNSAFE_ONE_LINE = re.compile(f"[\n{_CONTROLS}]")
_LINE_BREAK = re.compile("\r?\n")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, multiline: bool = False) -> str:
    """``text`` with every terminal control character shown as an escape.

    One-line fields (paths, test ids, models, headers) get newlines escaped too;
    with ``multiline`` newlines are kept.
    """
    pattern = _UNSAFE if multiline else _UNSAFE_ONE_LINE
    return pattern.sub(_escape, text) if pattern.search(text) else text


def text_lines(text: str) -> list[str]:
    """``text`` split at its line breaks, ``\\n`` or ``\\r\\n``, like ``str.splitlines``.

    Unlike ``splitlines``, a lone ``\\r`` (or form feed, or U+0085) does not
    break the line: it stays in it, for ``printable`` to show.
    """
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines
