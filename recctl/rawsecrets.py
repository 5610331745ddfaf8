"""Key shapes in a file's bytes: the credential search for a file that cannot be parsed.

A file too big to read, over its budget, or broken on purpose is never parsed, and
``secrets.find_secrets`` reads parsed exchanges: without this search, size or a
stray byte would hide a key. Here the bytes themselves are searched for the key
shapes of ``masking.KEY_SHAPES`` (not for credential names: a name and its value
need the structure), a gzipped file through its decompressed stream. Each shape
is a pattern that starts with a literal, which the regular expression engine
finds at memory speed (the combined pattern, led by a look-behind, ran at 17 MB/s);
the look-around of ``KEY_SHAPES`` is then checked by hand. A file is read and
decompressed in pieces, at most ``SCAN_LIMIT`` bytes: memory stays flat.
"""

from __future__ import annotations

import os
import re
import zlib
from collections.abc import Iterator
from typing import NamedTuple

from recctl.masking import looks_real

#: ``masking.KEY_SHAPES``, one pattern per literal start (kept in step with it).
_SHAPES = tuple(
    re.compile(pattern)
    for pattern in (
        rb"sk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{20,}",
        rb"AIza[0-9A-Za-z_-]{35}",
        rb"AKIA[0-9A-Z]{16}",
        rb"ASIA[0-9A-Z]{16}",
        rb"ghp_[A-Za-z0-9]{36}",
        rb"github_pat_[A-Za-z0-9_]{40,}",
        rb"xox[abposr]-[A-Za-z0-9-]{10,}",
        rb"phc_[A-Za-z0-9]{30,}",
    )
)
#: What may not touch a key on either side (``KEY_SHAPES``' look-around).
_BEFORE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-")
_AFTER = _BEFORE - {ord("-")}
#: Bytes searched at most in one file (read, or decompressed from a gzipped file).
SCAN_LIMIT = 1 << 30
_PIECE = 8 << 20
#: Kept from one piece to the next: a key cut by a piece's end is found whole.
_OVERLAP = 4096


class Found(NamedTuple):
    """A key shape in a file's bytes."""

    offset: int  # in the bytes searched (decompressed, for a gzipped file)
    value: str
    line: int | None = None  # its line, where the bytes are the file's own


def find_in_bytes(raw: bytes) -> list[Found]:
    """Every real-looking key shape in ``raw`` (a gzipped file: in what it holds),
    once each, in order."""
    if raw[:2] == b"\x1f\x8b":
        return _unique(_in_pieces(_gunzipped([raw])))
    return _with_lines(raw, _unique(_in_pieces(iter([raw]))))


def find_in_file(path: str) -> list[Found]:
    """``find_in_bytes`` for a file too large to read whole: read in pieces."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return []
    try:
        if not _regular(fd):
            return []
        pieces = _read(fd)
        first = next(pieces, b"")
        if first[:2] == b"\x1f\x8b":
            return _unique(_in_pieces(_gunzipped(_chain(first, pieces))))
        return _unique(_in_pieces(_chain(first, pieces)))
    finally:
        os.close(fd)


def _regular(fd: int) -> bool:
    import stat

    return stat.S_ISREG(os.fstat(fd).st_mode)


def _read(fd: int) -> Iterator[bytes]:
    total = 0
    while total < SCAN_LIMIT and (piece := os.read(fd, _PIECE)):
        total += len(piece)
        yield piece


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    if first:
        yield first
    yield from rest


def _gunzipped(pieces: Iterator[bytes] | list[bytes]) -> Iterator[bytes]:
    """The decompressed stream of gzip ``pieces``, piece by piece, up to ``SCAN_LIMIT``
    (members one after the other; what does not decompress ends it)."""
    decompressor = zlib.decompressobj(wbits=31)
    total = 0
    try:
        for piece in pieces:
            data = piece
            while data and total < SCAN_LIMIT:
                out = decompressor.decompress(data, _PIECE)
                total += len(out)
                yield out
                data = decompressor.unconsumed_tail
                if decompressor.eof:
                    data = decompressor.unused_data
                    decompressor = zlib.decompressobj(wbits=31)
                    if data[:2] != b"\x1f\x8b":
                        return
    except zlib.error:
        return


def _in_pieces(pieces: Iterator[bytes]) -> Iterator[Found]:
    """Key shapes in a stream of bytes given in pieces; ``offset`` in the whole stream."""
    carried = b""  # the end of the pieces before, searched again with the next one
    start = 0  # where ``carried`` starts in the stream
    reported_to = 0  # keys that start before this were found already
    for piece in pieces:
        window = carried + piece
        for found in _in_window(window, start):
            # A key touching the window's end may go on in the next piece: later.
            if found.offset >= reported_to and found.offset + len(found.value) < start + len(
                window
            ):
                yield found
        keep = min(len(window), _OVERLAP)
        reported_to = max(reported_to, start + len(window) - keep)
        carried, start = window[len(window) - keep :], start + len(window) - keep
    for found in _in_window(carried, start):
        if found.offset >= reported_to:
            yield found


def _in_window(window: bytes, start: int) -> Iterator[Found]:
    for shape in _SHAPES:
        for match in shape.finditer(window):
            at, end = match.span()
            if at > 0 and window[at - 1] in _BEFORE:
                continue
            if end < len(window) and window[end] in _AFTER:
                continue
            value = match.group().decode("ascii")
            if looks_real(value):
                yield Found(start + at, value)


def _with_lines(raw: bytes, found: list[Found]) -> list[Found]:
    """Each key's line, counted once through the bytes (``found`` is in order)."""
    line, at, placed = 1, 0, []
    for item in found:
        line += raw.count(b"\n", at, item.offset)
        at = item.offset
        placed.append(item._replace(line=line))
    return placed


def _unique(found: Iterator[Found]) -> list[Found]:
    seen: set[str] = set()
    kept = []
    for item in sorted(found):
        if item.value not in seen:
            seen.add(item.value)
            kept.append(item)
    return kept
