"""Per-file jobs for commands that run over many files (see ``parallel``).

Each job reads one file and returns a small, picklable result, with a load
failure as a one-line reason instead of an exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from recctl import io
from recctl.containers import is_cassette
from recctl.containers.recording import reassemble
from recctl.printable import json_bytes, printable
from recctl.render_answer import answer_json, answer_text

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


def reassemble_json(path: str) -> Output:
    """One compact JSON object, the file's element of ``reassemble -o json``.

    A cassette gives one object per interaction that holds an answer, with its
    ``interaction`` index.
    """
    if is_cassette(path):
        return _cassette_output(path, as_json=True)
    try:
        recording = io.load(path)
    except io.LoadError as error:
        reason = f"{path}: {error}"
        return Output(path, json_bytes_unmasked({"path": path, "error": reason}), reason)
    return Output(path, json_bytes_unmasked(answer_json(path, reassemble(recording))))


def reassemble_plain(path: str) -> Output:
    """The answer as plain text (``reassemble`` without -o json), masked by the caller."""
    if is_cassette(path):
        return _cassette_output(path, as_json=False)
    try:
        recording = io.load(path)
    except io.LoadError as error:
        return Output(path, b"", f"{path}: {error}")
    return Output(path, printable(answer_text(reassemble(recording)), multiline=True).encode())


def _cassette_output(path: str, as_json: bool) -> Output:
    from recctl.containers.cassette import NotACassette, answers, load_cassette

    try:
        cassette = load_cassette(path)
    except io.LoadError as error:
        reason = f"{path}: {error}"
        return Output(
            path, json_bytes_unmasked({"path": path, "error": reason}) if as_json else b"", reason
        )
    except NotACassette as note:
        return Output(path, b"", note=f"{path}: {note}")
    found = answers(cassette)
    if as_json:
        objects = [{**answer_json(path, answer), "interaction": n} for n, answer in found]
        return Output(path, b",\n".join(json_bytes_unmasked(item) for item in objects))
    texts = [f"[interaction {n}]\n{answer_text(answer)}" for n, answer in found]
    return Output(path, printable("".join(texts), multiline=True).encode())


def stats_row(path: str) -> Rows:
    """One file's rows of ``recctl stats``, or (path, reason) when it cannot be read."""
    from recctl.stats import cassette_stats, file_stats  # only stats needs the view module

    if is_cassette(path):
        from recctl.containers.cassette import NotACassette, parse_cassette

        try:
            raw = io.read_bytes(path)
            return cassette_stats(path, len(raw), parse_cassette(raw, path))
        except io.LoadError as error:
            return (path, str(error))
        except NotACassette as note:
            return (path, str(note), None)
    try:
        raw = io.read_bytes(path)
        recording = io.parse(raw)
    except io.LoadError as error:
        return (path, str(error))
    return file_stats(path, len(raw), recording)
