"""Per-file jobs for commands that run over many files (see ``parallel``).

Each job reads one file and returns a small, picklable result, with a load
failure as a one-line reason instead of an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from recctl import io
from recctl.reassemble import reassemble
from recctl.render_answer import answer_json, answer_text

if TYPE_CHECKING:
    from recctl.stats import FileStats


@dataclass(frozen=True)
class Output:
    path: str
    content: bytes  # what to print for this file (JSON or text)
    error: str | None = None  # why the file could not be read


def reassemble_json(path: str) -> Output:
    """One compact JSON object, the file's element of ``reassemble -o json``."""
    try:
        recording = io.load(path)
    except io.LoadError as error:
        reason = f"{path}: {error}"
        return Output(path, orjson.dumps({"path": path, "error": reason}), reason)
    return Output(path, orjson.dumps(answer_json(path, reassemble(recording))))


def reassemble_plain(path: str) -> Output:
    """The answer as plain text (``reassemble`` without -o json)."""
    try:
        recording = io.load(path)
    except io.LoadError as error:
        return Output(path, b"", f"{path}: {error}")
    return Output(path, answer_text(reassemble(recording)).encode())


def stats_row(path: str) -> FileStats | tuple[str, str]:
    """One file's row of ``recctl stats``, or (path, reason) when it cannot be read."""
    from recctl.stats import file_stats  # only stats needs the view module

    try:
        raw = io.read_bytes(path)
        recording = io.parse(raw)
    except io.LoadError as error:
        return (path, str(error))
    return file_stats(path, len(raw), recording)
