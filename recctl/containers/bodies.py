"""Bodies as containers store them, decoded: decompressed within bounds, then parsed
JSON, text, or bytes when binary. Shared by every container that stores HTTP."""

from __future__ import annotations

import base64
import gzip
import re
import struct
import zlib
from collections.abc import Callable
from typing import Any

import orjson

from recctl import budget, io
from recctl.exchange import Message, Place


def decode(raw: bytes, binary: bool) -> Any:
    """JSON when it parses, else text when it is UTF-8, else the bytes."""
    stripped = raw.lstrip()
    if stripped[:1] in (b"{", b"["):
        budget.charge("values", budget.json_values(raw))
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw if binary else raw.decode("utf-8", "replace")


def gunzip(raw: bytes, what: str) -> bytes:
    try:
        return _bounded(zlib.decompressobj(wbits=31), raw, what)
    except (zlib.error, EOFError, gzip.BadGzipFile) as error:
        raise io.LoadError(f"{what} is not valid gzip: {error}") from None


def inflate(raw: bytes, what: str) -> bytes:
    for wbits in (15, -15):  # zlib-wrapped, then raw deflate
        try:
            return _bounded(zlib.decompressobj(wbits=wbits), raw, what)
        except zlib.error:
            continue
    raise io.LoadError(f"{what} is not valid deflate data")


def _bounded(decompressor: Any, raw: bytes, what: str) -> bytes:
    """Decompress, refusing truncated input and output beyond what is left of the
    file's budget (``budget``: every body of a file together, not each alone)."""
    spending = budget.current()
    room = spending.room("decompressed")
    out = decompressor.decompress(raw, room + 1)
    if len(out) > room or decompressor.unconsumed_tail:
        spending.charge("decompressed", room + 1)  # raises OverBudget, naming the budget
    if not decompressor.eof:
        raise io.LoadError(f"{what} is truncated compressed data")
    spending.charge("decompressed", len(out))
    return bytes(out)


def message(
    raw_headers: Any, body: Any, which: str, place: Place, body_key: str = "body"
) -> Message:
    """One side of an exchange from its stored headers (a mapping of values or lists)
    and body (text, bytes, or None): gzip (whatever the headers say) and a deflate
    binary body decompressed, then decoded."""
    headers, written = header_lists(raw_headers), headers_written(raw_headers)
    if body is None:
        return Message(headers, None, 0, place, body_key, written=written)
    raw = body if isinstance(body, bytes) else str(body).encode("utf-8", "surrogatepass")
    encoding = ",".join(headers.get("content-encoding", [])).lower()
    if raw[:2] == b"\x1f\x8b":  # gzip, whatever the headers say (decoding was off)
        raw = gunzip(raw, f"the {which} body")
    elif "deflate" in encoding and isinstance(body, bytes):
        raw = inflate(raw, f"the {which} body")
    if "amazon.eventstream" in ",".join(headers.get("content-type", [])).lower():
        # Binary framing, whatever its bytes: a stream cut short can be valid UTF-8,
        # and read as text its framing would never be checked.
        return Message(headers, raw, len(raw), place, body_key, written=written)
    decoded = decode(raw, isinstance(body, bytes))
    return Message(headers, decoded, len(raw), place, body_key, written=written)


def decoded_under_encoding(raw_headers: Any, body: Any) -> str | None:
    """Why a stored body will be decoded twice on replay: its ``Content-Encoding``
    header says gzip, deflate, br or zstd, but the body is stored decoded."""
    coding = ",".join(header_lists(raw_headers).get("content-encoding", [])).lower()
    named = [name for name in ("gzip", "deflate", "br", "zstd") if name in coding]
    if not named or body is None or body == "" or body == b"":
        return None
    raw = body if isinstance(body, bytes) else str(body).encode("utf-8", "surrogatepass")
    if raw[:2] == b"\x1f\x8b" or (named != ["gzip"] and isinstance(body, bytes)):
        return None  # compressed as the header says (br and deflate: stored as bytes)
    return (
        f"the body is stored decoded but its Content-Encoding header says {named[0]}: "
        "the client will try to decode it again"
    )


def headers_written(raw: Any) -> dict[str, tuple[str, bool]]:
    """Where each header is: lower-cased name -> (name as written, stored as a list?)."""
    if not isinstance(raw, dict):
        return {}
    return {str(k).lower(): (str(k), isinstance(v, list)) for k, v in raw.items()}


def header_lists(raw: Any) -> dict[str, list[str]]:
    """Headers as lower-cased names to lists of values, stored as lists or as strings."""
    headers: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        return headers
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        headers.setdefault(str(key).lower(), []).extend(map(_header_text, values))
    return headers


def _header_text(value: Any) -> str:
    """A header value as text: one stored as bytes (VCR.py's ``!!binary`` for an AWS
    session token) decoded, not shown as ``b'...'``."""
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.decode("latin-1")
    return str(value)


def stream_events(response: Message) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """The events of a streamed body -- server-sent events, newline-delimited JSON
    (Ollama), or AWS event-stream frames (Bedrock) -- else None; and what is wrong with
    an event stream's framing (CRCs, lengths)."""
    body = response.body
    content_type = ",".join(response.headers.get("content-type", [])).lower()
    if isinstance(body, bytes):
        if "amazon.eventstream" in content_type or looks_like_event_stream(body):
            return event_stream(body)
        return None, []
    if not isinstance(body, str):
        return None, []
    if "text/event-stream" in content_type or body.lstrip().startswith(("data:", "event:")):
        from recctl.protocols.sse import text_events  # loads the protocol registry

        return text_events(body), []
    if "ndjson" in content_type:
        return ndjson_events(body), []
    return None, []


def ndjson_events(text: str) -> list[dict[str, Any]]:
    """One JSON object per line (``application/x-ndjson``); other lines skipped."""
    events = []
    spending = budget.current()
    for line in text.splitlines():
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            continue
        if isinstance(event, dict):
            spending.charge("events", 1)
            events.append(event)
    return events


def looks_like_event_stream(raw: bytes) -> bool:
    """An AWS event-stream frame: a total length, a headers length, a prelude CRC."""
    if len(raw) < 16:
        return False
    total, headers = struct.unpack(">II", raw[:8])
    (prelude_crc,) = struct.unpack(">I", raw[8:12])
    return bool(16 <= total <= len(raw) and headers < total and zlib.crc32(raw[:8]) == prelude_crc)


def event_stream(raw: bytes) -> tuple[list[dict[str, Any]], list[str]]:
    """The messages of an AWS event stream (Bedrock's streams), and what is wrong with
    its framing (a CRC that does not check, a frame cut short): never an exception.

    Each message becomes its JSON payload, its ``:event-type`` (or
    ``:exception-type``) header under ``":event-type"``; an InvokeModel chunk's
    ``bytes`` (base64 of the model's own event) is decoded into ``"chunk"``.
    """
    events: list[dict[str, Any]] = []
    problems: list[str] = []
    spending = budget.current()
    at = 0
    while at + 16 <= len(raw):
        total, length = struct.unpack(">II", raw[at : at + 8])
        if total < 16 or at + total > len(raw) or length > total - 16:
            problems.append(f"the frame at byte {at:,} is cut short or malformed")
            break
        spending.charge("events", 1)
        (prelude_crc,) = struct.unpack(">I", raw[at + 8 : at + 12])
        (message_crc,) = struct.unpack(">I", raw[at + total - 4 : at + total])
        if zlib.crc32(raw[at : at + 8]) != prelude_crc:
            problems.append(f"the frame at byte {at:,}: its prelude CRC does not check")
        if zlib.crc32(raw[at : at + total - 4]) != message_crc:
            problems.append(f"the frame at byte {at:,}: its message CRC does not check")
        headers, cut = _event_headers(raw[at + 12 : at + 12 + length])
        if cut:
            problems.append(f"the frame at byte {at:,}: {cut}")
        payload = raw[at + 12 + length : at + total - 4]
        at += total
        try:
            event = orjson.loads(payload) if payload else {}
        except orjson.JSONDecodeError:
            continue
        if not isinstance(event, dict):
            continue
        kind = headers.get(":event-type") or headers.get(":exception-type")
        if kind:
            event = {":event-type": kind, **event}
        chunk = event.get("bytes")
        if isinstance(chunk, str):
            try:
                inner = orjson.loads(base64.b64decode(chunk, validate=True))
            except (ValueError, orjson.JSONDecodeError):
                inner = None
            if isinstance(inner, dict):
                event = {**event, "chunk": inner}
        events.append(event)
    if at != len(raw) and not problems:
        problems.append(f"{len(raw) - at:,} bytes after the last frame")
    return events, problems


#: The sizes of event-stream header values of fixed size, by type.
_HEADER_SIZES = {0: 0, 1: 0, 2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}


def edit_body(body: bytes, replace: Callable[[bytes], bytes]) -> bytes:
    """A decoded body with ``replace`` applied: inside each frame of an AWS event
    stream (``edit_event_stream``), else to its bytes."""
    if looks_like_event_stream(body):
        edited = edit_event_stream(body, replace)
        if edited is not None:
            return edited
    return replace(body)


def edit_event_stream(raw: bytes, replace: Callable[[bytes], bytes]) -> bytes | None:
    """An AWS event stream with ``replace`` applied to each frame's payload, and inside
    an InvokeModel chunk's base64 ``bytes``, every frame's lengths and CRCs computed
    again (an edit of the bytes as they are would break them); None when the
    framing does not read (the stream is left as it is)."""
    out = []
    at = 0
    while at < len(raw):
        if at + 16 > len(raw):
            return None
        total, length = struct.unpack(">II", raw[at : at + 8])
        if total < 16 or at + total > len(raw) or length > total - 16:
            return None
        headers = raw[at + 12 : at + 12 + length]
        payload = _edit_payload(raw[at + 12 + length : at + total - 4], replace)
        at += total
        prelude = struct.pack(">II", 16 + len(headers) + len(payload), len(headers))
        prelude += struct.pack(">I", zlib.crc32(prelude))
        message = prelude + headers + payload
        out.append(message + struct.pack(">I", zlib.crc32(message)))
    return b"".join(out)


def _edit_payload(payload: bytes, replace: Callable[[bytes], bytes]) -> bytes:
    """A frame's payload edited, and the base64 of a ``"bytes"`` field inside it."""
    edited = replace(payload)

    def inner(match: re.Match[bytes]) -> bytes:
        try:
            decoded = base64.b64decode(match.group(2), validate=True)
        except ValueError:
            return match.group(0)
        changed = replace(decoded)
        if changed == decoded:
            return match.group(0)
        return match.group(1) + base64.b64encode(changed) + match.group(3)

    return _BYTES_FIELD.sub(inner, edited)


_BYTES_FIELD = re.compile(rb'("bytes"\s*:\s*")([A-Za-z0-9+/=]+)(")')


def _event_headers(raw: bytes) -> tuple[dict[str, str], str]:
    """The string headers of an event-stream message (values of other types skipped),
    and what is wrong with them: every length is checked against the bytes that
    remain of the headers before it is used."""
    headers: dict[str, str] = {}
    at = 0
    while at < len(raw):
        size = raw[at]
        if at + 1 + size + 1 > len(raw):
            return headers, f"the header at byte {at:,} of its headers is cut short"
        name = raw[at + 1 : at + 1 + size].decode("utf-8", "replace")
        at += 1 + size
        kind = raw[at]
        at += 1
        if kind in (6, 7):  # bytes, string: a 2-byte length first
            if at + 2 > len(raw):
                return headers, f"the length of header {name[:40]!r} is cut short"
            (length,) = struct.unpack(">H", raw[at : at + 2])
            if at + 2 + length > len(raw):
                return headers, f"header {name[:40]!r} is longer than the headers"
            if kind == 7:
                headers[name] = raw[at + 2 : at + 2 + length].decode("utf-8", "replace")
            at += 2 + length
        elif kind in _HEADER_SIZES:
            if at + _HEADER_SIZES[kind] > len(raw):
                return headers, f"header {name[:40]!r} is longer than the headers"
            at += _HEADER_SIZES[kind]
        else:
            return headers, f"header {name[:40]!r} has an unknown type ({kind})"
    return headers, ""


def body_summary(body: Any, size: int, events: list[dict[str, Any]] | None) -> str:
    """What a response body is: "JSON, 1,234 bytes", "a stream of 12 events, ..."."""
    if body is None:
        return "no body"
    if events is not None:
        return f"a stream of {len(events):,} events, {size:,} bytes"
    if isinstance(body, bytes):
        import hashlib  # 3 ms: only show describes binary bodies

        return f"binary, {size:,} bytes, sha256 {hashlib.sha256(body).hexdigest()[:16]}…"
    return f"{'JSON' if isinstance(body, (dict, list)) else 'text'}, {size:,} bytes"


# --- shortening -----------------------------------------------------------------
