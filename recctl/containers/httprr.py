"""httprr traces (golang/oscar's ``internal/httprr``; adk-go and langchaingo carry
copies): ``*.httprr``, or ``*.httprr.gz`` gzipped whole.

A line ``httprr trace v1``, then per exchange a line ``<request bytes> <response
bytes>`` followed by exactly that many bytes of raw HTTP/1.1 request (request line
with the full URL, headers, blank line, body) and raw response (status line,
headers, blank line, body). Only the byte counts delimit exchanges. A body of
unknown length is written with ``Transfer-Encoding: chunked`` framing: it is
de-chunked before it is read.
"""

from __future__ import annotations

import gzip
import re
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from recctl import budget, io
from recctl.containers import http
from recctl.containers.bodies import edit_body, gunzip
from recctl.exchange import Exchange, Message, Place, RecordedFile

if TYPE_CHECKING:
    from recctl.containers import Container
    from recctl.containers.testsource import Verdict
    from recctl.secrets import Secret

answer = http.answer
answers = http.answers
body_places = http.body_places
details = http.details
facts = http.facts
one_per_file = http.one_per_file
renamed = http.renamed
searchable = http.searchable
stored = http.stored
volatile = http.volatile

name = "httprr"
title: str = "httprr"
noun: str = "trace"
directories: tuple[str, ...] = ("testdata",)
dedicated: tuple[str, ...] = ()
suffixes: tuple[str, ...] = (".httprr", ".httprr.gz")
suffix_alone: bool = True
#: How a file maps to its test: read from the test sources where certain
#: (``containers.testsource``), else unmapped, never stale.
tests: str = "sources"
#: A broken trace: its counts do not match its bytes (RC003).
broken_code: str = "RC003"
MAGIC = b"httprr trace v1\n"
_COUNTS = re.compile(rb"(\d{1,12}) (\d{1,12})\n")


def claims(head: bytes, path: str) -> bool | None:
    return True if head.startswith(MAGIC) else None


@budget.per_file
def parse(raw: bytes, path: str) -> RecordedFile:
    size = len(raw)
    exchanges: list[Exchange] = []
    issues: list[tuple[Place, str]] = []
    for request, response in _frames(_unzipped(raw)):
        budget.charge("exchanges")
        exchanges.append(_exchange(len(exchanges), request, response, issues))
    return RecordedFile(path, size, _self(), "v1", exchanges, issues, raw=raw)


def _unzipped(raw: bytes) -> bytes:
    """The trace of a file, ``.httprr.gz`` unzipped; ``io.LoadError`` when it is none."""
    if raw[:2] == b"\x1f\x8b":
        raw = gunzip(raw, "the file")
    if not raw.startswith(MAGIC):
        raise io.LoadError("not an httprr trace: the first line is not 'httprr trace v1'")
    return raw


def _frames(raw: bytes) -> Iterator[tuple[bytes, bytes]]:
    """Each exchange's raw request and raw response, cut by its byte counts."""
    at = len(MAGIC)
    while at < len(raw):
        counts = _COUNTS.match(raw, at)
        if counts is None:
            raise io.LoadError(f"byte {at:,}: expected '<request bytes> <response bytes>'")
        request_size, response_size = int(counts.group(1)), int(counts.group(2))
        start = counts.end()
        if start + request_size + response_size > len(raw):
            raise io.LoadError(f"byte {at:,}: the exchange is cut short")
        at = start + request_size + response_size
        yield raw[start : start + request_size], raw[start + request_size : at]


def rewrite(raw: bytes, replace: Callable[[bytes], bytes]) -> tuple[bytes, bool]:
    """``raw`` with ``replace`` applied to each message, the framing made true again:
    every exchange's byte counts, a ``Content-Length`` that was true, a chunked body
    (written again as one chunk), a gzip body and a gzipped file (compressed again);
    and whether anything compressed was. An edit of the whole file's bytes would
    move the counts off their exchanges. A trace that does not read is edited as
    bytes: parsing the result says why."""
    try:
        frames = list(_frames(_unzipped(raw)))
    except io.LoadError:
        return replace(raw), False
    recompressed = False
    out = [MAGIC]
    for request, response in frames:
        new_request, zipped_request = _edit_message(request, replace)
        new_response, zipped_response = _edit_message(response, replace)
        recompressed |= zipped_request or zipped_response
        out += [b"%d %d\n" % (len(new_request), len(new_response)), new_request, new_response]
    trace = b"".join(out)
    if raw[:2] != b"\x1f\x8b":
        return trace, recompressed
    if trace == _unzipped(raw):
        return raw, False
    return gzip.compress(trace, mtime=0), True


_CONTENT_LENGTH = re.compile(rb"(?im)^(content-length[ \t]*:[ \t]*)(\d{1,15})([ \t]*\r?)$")


def _edit_message(message: bytes, replace: Callable[[bytes], bytes]) -> tuple[bytes, bool]:
    """One raw HTTP message with ``replace`` applied to its head and its decoded body,
    the body framed again as the head says; and whether the body was gzip."""
    head, separator, body = message.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = message.partition(b"\n\n")
    if not separator:
        return replace(message), False
    new_head = replace(head)
    headers = _split(head + separator)[1]
    values = {key.lower(): ",".join(v).lower() for key, v in headers.items()}
    chunked = "chunked" in values.get("transfer-encoding", "")
    plain = body
    if chunked:
        try:
            plain = dechunk(body)
        except ValueError:
            return replace(message), False  # parsing says why
    zipped = values.get("content-encoding", "").strip() == "gzip" and plain[:2] == b"\x1f\x8b"
    if zipped:
        try:
            plain = gunzip(plain, "the body")
        except io.LoadError:
            return new_head + separator + replace(body), False
    edited = edit_body(plain, replace)
    if edited == plain:
        return new_head + separator + body, False
    if zipped:
        edited = gzip.compress(edited, mtime=0)
    if chunked:
        trailer = _trailer(body)
        new_body = b"%x\r\n%s\r\n0\r\n%s" % (len(edited), edited, trailer)
    else:
        new_body = edited
        length = _CONTENT_LENGTH.search(new_head)
        if length is not None and int(length.group(2)) == len(body):
            new_head = (
                new_head[: length.start(2)] + b"%d" % len(new_body) + new_head[length.end(2) :]
            )
    return new_head + separator + new_body, zipped


def _trailer(body: bytes) -> bytes:
    """What follows a chunked body's last chunk: its trailer fields and final line."""
    at = 0
    while True:
        end = body.find(b"\r\n", at)
        size = int(body[at:end].split(b";")[0].strip(), 16)
        at = end + 2
        if size == 0:
            return body[at:]
        at += size + 2


def _exchange(
    index: int, request: bytes, response: bytes, issues: list[tuple[Place, str]]
) -> Exchange:
    place: Place = ("exchanges", index)
    first, headers, body = _split(request)
    parts = first.split(" ")
    method, url = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
    if not url.startswith(("http://", "https://")):
        issues.append(((*place, "request"), "the request line has no method and full URL"))
    status_line, response_headers, response_body = _split(response)
    status = http.status_code(status_line.partition(" ")[2])
    if status is None:
        issues.append(((*place, "response"), "the response has no status line"))
    return http.exchange(
        index,
        method.upper(),
        url,
        status,
        _side(headers, body, "request", (*place, "request"), issues),
        _side(response_headers, response_body, "response", (*place, "response"), issues),
        issues,
    )


def _split(raw: bytes) -> tuple[str, dict[str, list[str]], bytes]:
    """The first line, the headers, and the body of a raw HTTP message."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = raw.partition(b"\n\n")
    lines = head.decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        key, colon, value = line.partition(":")
        if colon:
            headers.setdefault(key.strip(), []).append(value.strip())
    return lines[0], headers, body


def _side(
    headers: dict[str, list[str]],
    body: bytes,
    which: str,
    place: Place,
    issues: list[tuple[Place, str]],
) -> Message:
    chunked = any(
        "chunked" in value.lower()
        for key, values in headers.items()
        if key.lower() == "transfer-encoding"
        for value in values
    )
    if chunked:
        try:
            body = dechunk(body)
        except ValueError as error:
            issues.append(((*place, "body"), f"chunked body: {error}"))
    else:
        length = next(
            (v[0].strip() for k, v in headers.items() if k.lower() == "content-length"), ""
        )
        # A HEAD answer or a 304 gives a length and no body: only a body is measured.
        if body and length and length != str(len(body)):
            issues.append(
                (
                    (*place, "body"),
                    f"Content-Length says {length[:20]}, the body has {len(body):,} bytes",
                )
            )
    return http.side(headers, body or None, which, place, issues)


#: A chunk size: hex digits only (``int(..., 16)`` would take ``-10``, ``+5``, ``0x5``).
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,15}")


def dechunk(body: bytes) -> bytes:
    """A body without its chunked transfer coding (RFC 9112, section 7.1)."""
    out = bytearray()
    at = 0
    while True:
        end = body.find(b"\r\n", at)
        if end < 0:
            raise ValueError("a chunk size line is missing")
        size_text = body[at:end].split(b";")[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise ValueError(f"{size_text[:20]!r} is not a chunk size")
        size = int(size_text, 16)
        at = end + 2
        if size == 0:
            return bytes(out)
        if at + size > len(body):
            raise ValueError("a chunk is cut short")
        out += body[at : at + size]
        at += size + 2


def replay_notes(file: RecordedFile, secrets: list[Secret]) -> list[str]:
    """httprr replays a request only when its bytes match the recorded ones."""
    if not secrets:
        return []
    return [
        "httprr matches each request byte for byte: scrub the same values in the test's "
        "requests (httprr's ScrubReq), or the scrubbed requests will not match"
    ]


def judge_tests(paths: list[str], root: str) -> list[Verdict]:
    from recctl.containers.testsource import judge_go  # prune only

    return judge_go(paths, root)


def _self() -> Container:
    return sys.modules[__name__]
