"""Per-file jobs for commands that run over many files (see ``parallel``).

Each job reads one file and returns a small, picklable result, with a load
failure as a one-line reason instead of an exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from recctl import containers, io
from recctl.answer import answer_json, answer_text
from recctl.exchange import NotExchanges, RecordedFile
from recctl.printable import json_bytes, printable

if TYPE_CHECKING:
    from recctl.stats import Rows


class Output(NamedTuple):
    path: str
    content: bytes  # what to print for this file (JSON or text); empty: nothing
    error: str | None = None  # why the file could not be read
    note: str | None = None  # why there is nothing to print (not an HTTP cassette)


def json_bytes_unmasked(document: Any) -> bytes:
    """JSON of one file's answers: ``reassemble`` masks its whole output in batches
    (``printable.json_bytes`` per file cost a tenth of the command)."""
    return json_bytes(document, mask=False)


def _load(path: str) -> RecordedFile | Output:
    """The file, or the ``Output`` that says why there is nothing to print."""
    try:
        return containers.load(path, remember=False)
    except io.LoadError as error:
        reason = f"{path}: {error}"
        return Output(path, json_bytes_unmasked({"path": path, "error": reason}), reason)
    except NotExchanges as note:
        return Output(path, b"", note=f"{path}: {note}")


def reassemble_json(path: str) -> Output:
    """Compact JSON objects, the file's elements of ``reassemble -o json``: one per
    exchange that holds an answer, with its ``interaction`` position when a file
    holds many."""
    file = _load(path)
    if isinstance(file, Output):
        return file
    many = not file.container.one_per_file
    objects = [
        {**answer_json(path, answer), **({"interaction": n} if many else {})}
        for n, answer in file.answers()
    ]
    return Output(path, b",\n".join(json_bytes_unmasked(item) for item in objects))


def reassemble_plain(path: str) -> Output:
    """The answers as plain text (``reassemble`` without -o json), masked by the caller."""
    file = _load(path)
    if isinstance(file, Output):
        return file._replace(content=b"")
    many = not file.container.one_per_file
    texts = [
        (f"[interaction {n}]\n" if many else "") + answer_text(answer)
        for n, answer in file.answers()
    ]
    return Output(path, printable("".join(texts), multiline=True).encode())


def stats_row(path: str) -> Rows:
    """One file's rows of ``recctl stats``, or (path, reason) when it cannot be read."""
    from recctl.stats import exchange_rows  # only stats needs the providers

    try:
        return exchange_rows(containers.load(path, remember=False))
    except io.LoadError as error:
        return (path, str(error))
    except NotExchanges as note:
        return (path, str(note), None)
