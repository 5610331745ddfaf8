"""Bodies as containers store them, decoded: decompressed within bounds, then parsed
JSON, text, or bytes when binary. Shared by every container that stores HTTP."""

from __future__ import annotations

import gzip
import zlib
from typing import Any

import orjson

from recctl import io
from recctl.exchange import Message
from recctl.protocols.sse import text_events


def decode(raw: bytes, binary: bool) -> Any:
    """JSON when it parses, else text when it is UTF-8, else the bytes."""
    stripped = raw.lstrip()
    if stripped[:1] in (b"{", b"["):
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
    """Decompress, refusing output beyond the file size limit and truncated input."""
    out = decompressor.decompress(raw, io.MAX_FILE_BYTES + 1)
    if len(out) > io.MAX_FILE_BYTES or decompressor.unconsumed_tail:
        raise io.LoadError(f"{what} decompresses to more than {io.MAX_FILE_BYTES // 2**20} MiB")
    if not decompressor.eof:
        raise io.LoadError(f"{what} is truncated compressed data")
    return bytes(out)


def header_lists(raw: Any) -> dict[str, list[str]]:
    """Headers as lower-cased names to lists of values, stored as lists or as strings."""
    headers: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        return headers
    for key, value in raw.items():
        values = value if isinstance(value, list) else [value]
        headers.setdefault(str(key).lower(), []).extend(str(v) for v in values)
    return headers


def stream_events(response: Message) -> list[dict[str, Any]] | None:
    """The data events of a server-sent event stream body, else None."""
    body = response.body
    content_type = ",".join(response.headers.get("content-type", []))
    if not isinstance(body, str):
        return None
    if "text/event-stream" in content_type or body.lstrip().startswith(("data:", "event:")):
        return text_events(body)
    return None


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
