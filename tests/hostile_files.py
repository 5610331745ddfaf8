"""Hostile files of issue 29, made to measure: what a hostile contributor would commit
to hang, crash or exhaust every command that meets it. ``tests/test_hostile.py``
makes them small, ``bench/hostile.py`` at the sizes of the issue.

Each function returns a file's bytes; the file names and directories that make a
walk find them are the caller's (``CASSETTES``, ``TESTDATA``, ``RECORDINGS``).
"""

from __future__ import annotations

import base64
import gzip
import json
import struct
import zlib
from functools import cache
from typing import Any

import yaml

#: A key of the shape RC203 finds, and where each kind of file must lie.
KEY = "sk-proj-" + "Q9w8E7r6T5y4U3i2" * 4
CASSETTES = "tests/cassettes"
TESTDATA = "testdata"
RECORDINGS = "recordings"
MiB = 2**20


def vcr_cassette(interactions: list[dict[str, Any]]) -> bytes:
    """A VCR.py cassette (YAML) holding ``interactions``."""
    text: str = yaml.safe_dump({"interactions": interactions, "version": 1})
    return text.encode()


def interaction(
    body: Any = "{}", headers: dict[str, list[str]] | None = None, request_headers: Any = None
) -> dict[str, Any]:
    return {
        "request": {
            "method": "POST",
            "uri": "https://api.openai.com/v1/chat/completions",
            "body": None,
            "headers": request_headers or {},
        },
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": headers or {},
            "body": {"string": body},
        },
    }


def key_cassette() -> bytes:
    """A sound cassette whose request carries a key: RC203, whatever else the run meets."""
    return vcr_cassette([interaction(request_headers={"Authorization": [f"Bearer {KEY}"]})])


# --- framings -------------------------------------------------------------------------


def httprr(exchanges: list[tuple[bytes, bytes]]) -> bytes:
    """An httprr trace of (raw request, raw response) pairs, byte counts true."""
    out = [b"httprr trace v1\n"]
    for request, response in exchanges:
        out += [b"%d %d\n" % (len(request), len(response)), request, response]
    return b"".join(out)


REQUEST = (
    b"POST https://api.openai.com/v1/chat/completions HTTP/1.1\r\n"
    b"Host: api.openai.com\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
)


def http_response(body: bytes, *headers: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + body


def httprr_chunk_size(size: bytes = b"-10") -> bytes:
    """A chunked body whose chunk size is not hex digits (``int("-10", 16)`` is -16)."""
    body = size + b"\r\nabcdefghijklmnop\r\n0\r\n\r\n"
    response = http_response(body, b"Transfer-Encoding: chunked", b"Content-Type: text/plain")
    return httprr([(REQUEST, response)])


def httprr_content_length(said: int = 99_999_999) -> bytes:
    """A response whose Content-Length says far more than the body holds."""
    body = json.dumps({"object": "chat.completion", "choices": []}).encode()
    response = http_response(body, b"Content-Length: %d" % said, b"Content-Type: application/json")
    return httprr([(REQUEST, response)])


def frame(headers: bytes, payload: bytes) -> bytes:
    """One AWS event-stream frame, lengths and CRCs true for the bytes given."""
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    head = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers + payload
    return head + struct.pack(">I", zlib.crc32(head))


def string_header(name: bytes, value: bytes) -> bytes:
    return bytes([len(name)]) + name + b"\x07" + struct.pack(">H", len(value)) + value


def bedrock_cassette(body: bytes | str) -> bytes:
    """A VCR.py cassette of one Bedrock stream, ``body`` stored as it is given."""
    item = interaction(body, {"Content-Type": ["application/vnd.amazon.eventstream"]})
    item["request"]["uri"] = (
        "https://bedrock-runtime.us-east-1.amazonaws.com/model/m/invoke-with-response-stream"
    )
    return vcr_cassette([item])


def event_stream_cut_header() -> bytes:
    """A frame whose CRCs check, whose string header's 2-byte length is cut to one."""
    good = frame(string_header(b":event-type", b"chunk"), b'{"bytes":"e30="}')
    cut = frame(b"\x0b:event-type\x07\x00", b'{"bytes":"e30="}')
    return bedrock_cassette(good + cut)


def event_stream_truncated_utf8() -> bytes:
    """An event stream cut short whose bytes are valid UTF-8 (stored as text)."""
    return bedrock_cassette("\x00\x00\x01\x00\x00\x00\x00\x10ABCDEFGH:event-type")


# --- integers and YAML ------------------------------------------------------------


def yaml_long_integer(digits: int = 4_301) -> bytes:
    """A cassette whose ``version`` is an integer Python refuses to read from text."""
    return vcr_cassette([interaction()]).replace(b"version: 1", b"version: " + b"9" * digits)


def yaml_over_node_budget(size: int = 29 * MiB) -> bytes:
    """A cassette of ``size`` bytes, most of it a flow list of zeros (over the YAML node
    budget), holding a key."""
    head = key_cassette()
    zeros = (size - len(head)) // 2
    return head + b"padding: [" + b"0," * zeros + b"0]\n"


# --- decompression --------------------------------------------------------------------


@cache
def gzip_zeros(mib: int) -> bytes:
    return gzip.compress(b"\0" * (mib * MiB), 9, mtime=0)


@cache
def deflate_zeros(mib: int) -> bytes:
    return zlib.compress(b"\0" * (mib * MiB), 9)


def har(entries: list[dict[str, Any]]) -> bytes:
    return json.dumps({"log": {"creator": {"name": "Polly.JS"}, "entries": entries}}).encode()


def har_entry(content: dict[str, Any], headers: list[dict[str, str]] | None = None) -> Any:
    return {
        "request": {
            "method": "POST",
            "url": "https://api.openai.com/v1/chat/completions",
            "headers": [],
            "postData": {"mimeType": "application/json", "text": "{}"},
        },
        "response": {"status": 200, "headers": headers or [], "content": content},
    }


def har_gzip_bodies(bodies: int = 40, mib: int = 99) -> bytes:
    """A HAR whose entries each hold a base64 gzip body of ``mib`` MiB decompressed."""
    text = base64.b64encode(gzip_zeros(mib)).decode()
    content = {"mimeType": "application/json", "encoding": "base64", "text": text}
    header = [{"name": "content-encoding", "value": "gzip"}]
    return har([har_entry(content, header) for _ in range(bodies)])


def httprr_gzip_bodies(bodies: int = 40, mib: int = 99) -> bytes:
    packed = gzip_zeros(mib)
    response = http_response(packed, b"Content-Encoding: gzip", b"Content-Length: %d" % len(packed))
    return httprr([(REQUEST, response)] * bodies)


def deflate_cassette(bodies: int = 40, mib: int = 99) -> bytes:
    """A VCR.py cassette of ``bodies`` deflate bodies (``!!binary``, one line each)."""
    line = base64.b64encode(deflate_zeros(mib))
    items = [interaction("BODY", {"Content-Encoding": ["deflate"]}) for _ in range(bodies)]
    return vcr_cassette(items).replace(b"string: BODY", b"string: !!binary " + line)


def har_many_entries(entries: int = 80_000) -> bytes:
    content = {"mimeType": "application/json", "text": '{"object":"chat.completion"}'}
    return har([har_entry(content) for _ in range(entries)])
