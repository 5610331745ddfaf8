"""Fuzzing every container and framing (issue 29): what the fuzz tests and
``bench/fuzz.py`` share.

Two fuzzers feed ``read_everything``, which reads a file as every command does
(parse, answers, show's view, stats, the key search) and fails on any exception
but a reader's own (``LoadError``, ``NotExchanges``; ``ParseFailed``, the net
under parsing, is a bug caught):

- structured: ``encode`` writes exchanges in each container's encoding (gzip and
  chunked bodies, SSE, NDJSON and AWS event streams, base64), then ``mutate``
  damages the bytes; the sound file must also read back the same after a rewrite
  (``round_trip``: what scrub writes);
- mutation: ``mutate`` over the real files of ``fixtures/formats/``.

Budgets are small while fuzzing (``LIMITS``) so that mutations reach them; a
parse that returns stayed within every one (``within_budget``).
"""

from __future__ import annotations

import base64
import gzip
import json
import random
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from recctl import budget, io
from recctl.containers import govcr, har, httprr, ogx, rubyvcr, vcrpy
from recctl.exchange import CannotRewrite, NotExchanges, RecordedFile

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted(
    path
    for path in (ROOT / "fixtures/formats").rglob("*")
    if path.is_file() and path.suffix in (".yaml", ".yml", ".httprr", ".har", ".json", ".gz")
)
KEY = "sk-proj-" + "Z1x2C3v4B5n6M7a8" * 3
LIMITS = budget.Limits(decompressed=2 * 2**20, events=2_000, exchanges=200, values=200_000)
#: Each container, and a name its files may have.
NAMES = {
    "ogx": (ogx, "tests/x/recordings/r.json"),
    "vcrpy": (vcrpy, "tests/cassettes/c.yaml"),
    "rubyvcr": (rubyvcr, "spec/cassettes/c.yml"),
    "govcr": (govcr, "testdata/c.yaml"),
    "httprr": (httprr, "testdata/t.httprr"),
    "har": (har, "recordings/r.har"),
}
#: Bytes a mutation may insert: lengths, signs, framings, tags, numbers, escapes.
TOKENS = [
    b"-10",
    b"+5",
    b"0x5",
    b"\r\n",
    b"\n\n",
    b"\x00\x00\xff\xff",
    b"\xff\xfe",
    b"9" * 5000,
    b"!!python/object:os.system",
    b"!!binary",
    b"&a [*a, *a]",
    b"\x1f\x8b",
    b"data: {}\n\n",
    b"Transfer-Encoding: chunked\r\n",
    b"Content-Encoding: gzip\r\n",
    b"Content-Length: 99999999\r\n",
    b"999999999999 1\n",
    b'"encoding": "base64"',
    b"[" * 50,
    b"\\u0000",
    b"\xe2\x80",
]


@dataclass
class Call:
    """One exchange to encode."""

    method: str = "POST"
    path: str = "/v1/chat/completions"
    status: int = 200
    prompt: str = "hi"
    answer: str = "hello"
    #: json, sse, ndjson, eventstream
    stream: str = "json"
    gzip: bool = False
    chunked: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def response_body(call: Call) -> tuple[bytes, str]:
    """The response body's bytes and content type."""
    chunk = {"object": "chat.completion.chunk", "choices": [{"delta": {"content": call.answer}}]}
    if call.stream == "sse":
        return f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode(), "text/event-stream"
    if call.stream == "ndjson":
        line = {"model": "m", "message": {"content": call.answer}, "done": True}
        return (json.dumps(line) + "\n").encode(), "application/x-ndjson"
    if call.stream == "eventstream":
        inner = base64.b64encode(json.dumps({"type": "content_block_delta"}).encode()).decode()
        payload = json.dumps({"bytes": inner}).encode()
        name, value = b":event-type", b"chunk"
        headers = bytes([len(name)]) + name + b"\x07" + struct.pack(">H", len(value)) + value
        total = 16 + len(headers) + len(payload)
        prelude = struct.pack(">II", total, len(headers))
        head = prelude + struct.pack(">I", zlib.crc32(prelude)) + headers + payload
        return head + struct.pack(">I", zlib.crc32(head)), "application/vnd.amazon.eventstream"
    body = {"object": "chat.completion", "choices": [{"message": {"content": call.answer}}]}
    return json.dumps(body).encode(), "application/json"


def request_body(call: Call) -> bytes:
    return json.dumps(
        {"model": "gpt-4o", "messages": [{"role": "user", "content": call.prompt}]}
    ).encode()


def encode(container: str, calls: list[Call]) -> bytes:
    """``calls`` in the container's encoding, as its recorder writes them."""
    url = "https://api.openai.com"
    if container == "ogx":
        call = calls[0]
        body, _ = response_body(call)
        return json.dumps(
            {
                "test_id": "tests/x/test_x.py::test_x",
                "request": {
                    "method": call.method,
                    "url": url + call.path,
                    "headers": call.headers,
                    "body": json.loads(request_body(call)),
                    "endpoint": call.path,
                    "model": "gpt-4o",
                },
                "response": {
                    "body": json.loads(body) if call.stream == "json" else None,
                    "is_streaming": False,
                },
            },
            indent=2,
        ).encode()
    if container == "httprr":
        return _httprr(url, calls)
    if container == "har":
        return _har(url, calls)
    items = []
    for call in calls:
        body, kind = response_body(call)
        headers = {"Content-Type": [kind], **{k: [v] for k, v in call.headers.items()}}
        stored: Any = body.decode() if call.stream != "eventstream" else body
        if call.gzip:
            headers["Content-Encoding"] = ["gzip"]
            stored = gzip.compress(body, mtime=0)
        items.append((call, headers, stored))
    if container == "vcrpy":
        document: Any = {
            "interactions": [
                {
                    "request": {
                        "method": call.method,
                        "uri": url + call.path,
                        "body": request_body(call).decode(),
                        "headers": {k: [v] for k, v in call.headers.items()},
                    },
                    "response": {
                        "status": {"code": call.status, "message": "OK"},
                        "headers": headers,
                        "body": {"string": stored},
                    },
                }
                for call, headers, stored in items
            ],
            "version": 1,
        }
    elif container == "rubyvcr":
        document = {
            "http_interactions": [
                {
                    "request": {
                        "method": call.method.lower(),
                        "uri": url + call.path,
                        "body": {"encoding": "UTF-8", "string": request_body(call).decode()},
                        "headers": {k: [v] for k, v in call.headers.items()},
                    },
                    "response": {
                        "status": {"code": call.status, "message": "OK"},
                        "headers": headers,
                        "body": (
                            {
                                "encoding": "ASCII-8BIT",
                                "base64_string": base64.b64encode(stored).decode(),
                            }
                            if isinstance(stored, bytes)
                            else {"encoding": "UTF-8", "string": stored}
                        ),
                    },
                    "recorded_at": "Mon, 01 Jan 2024 00:00:00 GMT",
                }
                for call, headers, stored in items
            ],
            "recorded_with": "VCR 6.2.0",
        }
    else:  # govcr
        document = {
            "version": 2,
            "interactions": [
                {
                    "id": n,
                    "request": {
                        "body": request_body(call).decode(),
                        "headers": {k: [v] for k, v in call.headers.items()},
                        "url": url + call.path,
                        "method": call.method,
                    },
                    "response": {
                        "body": stored,
                        "headers": headers,
                        "status": f"{call.status} OK",
                        "code": call.status,
                        "duration": "1ms",
                    },
                }
                for n, (call, headers, stored) in enumerate(items)
            ],
        }
    text: str = yaml.safe_dump(document, sort_keys=False)
    return text.encode()


def _httprr(url: str, calls: list[Call]) -> bytes:
    out = [b"httprr trace v1\n"]
    for call in calls:
        body = request_body(call)
        extra = "".join(f"{k}: {v}\r\n" for k, v in call.headers.items())
        request = (
            f"{call.method} {url}{call.path} HTTP/1.1\r\nHost: api.openai.com\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        answer, kind = response_body(call)
        head = f"HTTP/1.1 {call.status} OK\r\nContent-Type: {kind}\r\n"
        if call.gzip:
            answer = gzip.compress(answer, mtime=0)
            head += "Content-Encoding: gzip\r\n"
        if call.chunked:
            head += "Transfer-Encoding: chunked\r\n"
            half = len(answer) // 2
            answer = (
                b"".join(
                    b"%x\r\n%s\r\n" % (len(piece), piece)
                    for piece in (answer[:half], answer[half:])
                )
                + b"0\r\n\r\n"
            )
        else:
            head += f"Content-Length: {len(answer)}\r\n"
        response = (head + "\r\n").encode() + answer
        out += [b"%d %d\n" % (len(request), len(response)), request, response]
    return b"".join(out)


def _har(url: str, calls: list[Call]) -> bytes:
    entries = []
    for call in calls:
        answer, kind = response_body(call)
        headers = [{"name": "content-type", "value": kind}]
        content: dict[str, Any] = {"mimeType": kind}
        if call.gzip or call.stream == "eventstream":
            if call.gzip:
                answer = gzip.compress(answer, mtime=0)
                headers.append({"name": "content-encoding", "value": "gzip"})
            content.update(encoding="base64", text=base64.b64encode(answer).decode())
        else:
            content["text"] = answer.decode()
        entries.append(
            {
                "request": {
                    "method": call.method,
                    "url": url + call.path,
                    "headers": [{"name": k, "value": v} for k, v in call.headers.items()],
                    "postData": {
                        "mimeType": "application/json",
                        "text": request_body(call).decode(),
                    },
                },
                "response": {"status": call.status, "headers": headers, "content": content},
            }
        )
    return json.dumps({"log": {"creator": {"name": "Polly.JS"}, "entries": entries}}).encode()


# --- damage -------------------------------------------------------------------------


def mutate(raw: bytes, rng: random.Random, rounds: int | None = None) -> bytes:
    """``raw`` damaged a few times: bytes flipped, cut, repeated, tokens inserted, the
    end cut off, or (for gzip) the inside damaged and compressed again."""
    data = bytearray(raw)
    if raw[:2] == b"\x1f\x8b" and rng.random() < 0.5:
        try:
            return gzip.compress(mutate(gzip.decompress(raw), rng, rounds), mtime=0)
        except (OSError, EOFError, zlib.error):
            pass
    for _ in range(rounds if rounds is not None else rng.randint(1, 6)):
        if not data:
            data += rng.choice(TOKENS)
            continue
        at = rng.randrange(len(data))
        kind = rng.randrange(6)
        if kind == 0:
            data[at] = rng.randrange(256)
        elif kind == 1:
            del data[at : at + rng.randint(1, 64)]
        elif kind == 2:
            data[at:at] = rng.choice(TOKENS)
        elif kind == 3:
            piece = data[at : at + rng.randint(1, 200)]
            data[at:at] = piece * rng.randint(1, 50)
        elif kind == 4:
            del data[at:]
        else:  # a digit changed: lengths, counts and sizes are digits
            digits = [n for n in range(at, min(len(data), at + 400)) if 48 <= data[n] <= 57]
            if digits:
                data[rng.choice(digits)] = rng.choice(b"0123456789")
    return bytes(data)


# --- reading ------------------------------------------------------------------------


class Unexpected(AssertionError):
    """An exception no reader should let out, or a budget overrun: a bug."""


_spent: list[budget.Budget] = []


def within_budget() -> None:
    """Every budget made since the last call stayed within its limits."""
    for spent in _spent:
        for which in budget.KEYS:
            if getattr(spent, which) > getattr(spent.limits, which):
                raise Unexpected(f"{which} over its budget: {getattr(spent, which):,}")
    _spent.clear()


def read_everything(container: Any, raw: bytes, name: str) -> RecordedFile | None:
    """Read ``raw`` as every reading command does; None when a reader refuses it (a
    finding). ``Unexpected`` for anything else."""
    from recctl.render.answer import show_lines, view_json
    from recctl.secrets import check_secrets
    from recctl.show import build_view
    from recctl.stats import exchange_rows

    budget.set_limits(LIMITS)
    _spent.clear()
    try:
        file: RecordedFile = container.parse(raw, name)
    except budget.ParseFailed as error:
        raise Unexpected(str(error)) from None
    except (io.LoadError, NotExchanges):
        return None
    within_budget()
    try:
        file.answers()
        view = build_view(file)
        show_lines(view)
        json.dumps(view_json(view))
        exchange_rows(file)
        check_secrets(file)
    except Exception as error:
        raise Unexpected(f"{type(error).__name__}: {error}") from error
    return file


def round_trip(container: Any, raw: bytes, name: str) -> str | None:
    """What a rewrite replacing ``KEY`` would break (``proof.difference``), if anything:
    what recctl writes must read back the same."""
    from recctl.proof import Replacements, difference

    before = read_everything(container, raw, name)
    if before is None:
        return None
    replaced = Replacements([(KEY, "REDACTED-openai-key")])
    try:
        new, _ = container.rewrite(raw, replaced.data)
    except CannotRewrite:
        return None  # refused, with why: the file is left alone
    after = read_everything(container, new, name)
    if after is None:
        return "the rewritten file does not read"
    return difference(before, after, replaced)


def seeds() -> Iterator[tuple[Any, bytes, str]]:
    """(container, bytes, name) of each file of ``fixtures/formats/``."""
    from recctl import containers

    for path in SEEDS:
        relative = str(path.relative_to(ROOT))
        container = containers.identify(relative)
        if container is not None:
            yield container, path.read_bytes(), relative


def _record_budgets() -> None:
    """Keep every budget made, for ``within_budget``."""
    made = budget.Budget.__init__

    def init(self: budget.Budget, limits: budget.Limits) -> None:
        made(self, limits)
        _spent.append(self)
        del _spent[:-1000]

    budget.Budget.__init__ = init  # type: ignore[method-assign]


_record_budgets()
