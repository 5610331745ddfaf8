"""Text from a recording or a file name, made safe to print on a terminal.

Recordings are untrusted: an answer, a model name, a test id or a file name may
hold escape sequences that retitle the window, clear the screen or overwrite
lines. ``printable`` shows every such character visibly instead (``\\x1b``,
``\\u202e``): C0 controls but tab (and newline in multi-line text), DEL, C1
controls, the bidirectional overrides and isolates, and the bytes of a file name
that is not UTF-8 (Python holds them as lone surrogates; printed raw, 0x9b is
the C1 CSI). JSON output does not need it: JSON escapes control characters itself.

A line that starts with ``::`` is a workflow command to GitHub Actions when a CI
job prints it (``::add-mask::``, ``::stop-commands::``): ``ci_safe`` shows its
first colon as ``\x3a``, so that text from a recording never steers the runner.
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from recctl.masking import mask_bytes

_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\udc80-\udcff"
_UNSAFE = re.compile(f"[{_CONTROLS}]")
_UNSAFE_ONE_LINE = re.compile(f"[\n{_CONTROLS}]")
_LINE_BREAK = re.compile("\r?\n")
_WORKFLOW_COMMAND = re.compile(r"^([ \t]*):(?=:)", re.MULTILINE)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, multiline: bool = False) -> str:
    """``text`` with every terminal control character shown as an escape.

    One-line fields (paths, test ids, models, headers) get newlines escaped too;
    with ``multiline`` newlines are kept.
    """
    if multiline:
        return ci_safe(_UNSAFE.sub(_escape, text) if _UNSAFE.search(text) else text)
    return _UNSAFE_ONE_LINE.sub(_escape, text) if _UNSAFE_ONE_LINE.search(text) else text


def ci_safe(text: str) -> str:
    """``text`` with every line that starts with ``::`` shown as ``\\x3a:`` instead."""
    return _WORKFLOW_COMMAND.sub(r"\1\\x3a", text) if "::" in text else text


def text_lines(text: str) -> list[str]:
    """``text`` split at its line breaks, ``\\n`` or ``\\r\\n``, like ``str.splitlines``.

    Unlike ``splitlines``, a lone ``\\r`` (or form feed, or U+0085) does not
    break the line: it stays in it, for ``printable`` to show.
    """
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def json_bytes(document: Any, option: int = 0, mask: bool = True) -> bytes:
    """``document`` as JSON for output: credentials masked (unless the caller masks
    the output in bulk), and a file name that is not UTF-8 (lone surrogates, which
    JSON cannot hold) spelt with ``\\xNN`` escapes; nesting beyond orjson's 255 levels
    takes the standard library."""
    try:
        data = orjson.dumps(document, option=option)
    except orjson.JSONEncodeError:
        from recctl.io import json_text

        text = json_text(_valid_utf8(document), indent=bool(option & orjson.OPT_INDENT_2))
        newline = "\n" if option & orjson.OPT_APPEND_NEWLINE else ""
        data = (text + newline).encode()
    return mask_bytes(data) if mask else data


def _valid_utf8(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {_valid_utf8(key): _valid_utf8(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_valid_utf8(item) for item in value]
    return value
