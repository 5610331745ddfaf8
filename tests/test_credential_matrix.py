"""Every credential kind, planted in every place of one call, in every HTTP container and
stored encoding: validate finds each, scrub leaves none, and no reading command prints
one in any output format (not in full, nor more of it than the mask shows)."""

from __future__ import annotations

import base64
import contextlib
import gzip
import json
import re
import shutil
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from recctl import masking
from recctl.containers import httprr, polly_id

from conftest import run

#: (kind, value, shaped): a shaped value is a credential wherever it stands; the others
#: only under a credential's name.
KINDS = (
    ("openai", "sk-proj-" + "Qw3rTy7uI9oP2aS4dF6gH8jK1lZ5xC0vB" * 2, True),
    ("anthropic", "sk-ant-api03-" + "Zq8Wv4Xp1Ls9Km3Jn7Hb2Gc6Fd0Sa5Rt" * 3, True),
    ("google", "AIzaSyDbRtWqPmNsKcVxJhLgFdSaZyXwVuTsRqP", True),  # no digit after AIza
    ("aws", "AKIAZ7Q4R2M6T8W3X5Y9", True),
    ("github", "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", True),
    (
        "jwt",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        True,
    ),
    ("refresh", "1//0gLm3Xk9Qw2Er7Ty5Ui1Op4As8Df6Gh0JkLz3Xc", True),
    ("vendor", "3f2b8c1e-9d4a-4e7b-8c2f-1a5b6d7e8f90", False),
    ("session", "Zk39aKd82LsQpW0xYt7eRb5NvC1mH4gJ", False),
    ("sts", "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD3kX9pL2mN8qR", False),
)


@dataclass
class Call:
    """One HTTP call, as every container stores it."""

    url: str = "https://api.example.com/v1/chat/completions"
    request_headers: list[tuple[str, str]] = field(
        default_factory=lambda: [("Content-Type", "application/json")]
    )
    request_body: str = '{"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}'
    response_headers: list[tuple[str, str]] = field(
        default_factory=lambda: [("Content-Type", "application/json")]
    )
    response_body: str = (
        '{"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o", "choices": '
        '[{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, '
        '"finish_reason": "stop"}], "usage": {"prompt_tokens": 8, "completion_tokens": 2}}'
    )
    #: How the response body is stored: as text, as binary (base64), as gzip.
    encoding: str = "text"


def _json_with(text: str, **fields: Any) -> str:
    document = json.loads(text)
    document.update(fields)
    return json.dumps(document)


#: Where a credential goes: (place, shaped kinds only, how to plant it).
PLACES: tuple[tuple[str, bool, Callable[[Call, str], Call]], ...] = (
    (
        "request header",
        False,
        lambda c, v: replace(c, request_headers=[*c.request_headers, ("X-Api-Key", v)]),
    ),
    (
        "bearer header",
        False,
        lambda c, v: replace(
            c, request_headers=[*c.request_headers, ("Authorization", f"Bearer {v}")]
        ),
    ),
    (
        "response header",
        False,
        lambda c, v: replace(c, response_headers=[*c.response_headers, ("X-Api-Key", v)]),
    ),
    (
        "cookie",
        False,
        lambda c, v: replace(
            c, request_headers=[*c.request_headers, ("Cookie", f"a=1; session_token={v}")]
        ),
    ),
    (
        "set-cookie",
        False,
        lambda c, v: replace(
            c,
            response_headers=[
                *c.response_headers,
                ("Set-Cookie", f"auth_session={v}; Path=/; HttpOnly"),
            ],
        ),
    ),
    ("query", False, lambda c, v: replace(c, url=f"{c.url}?api_key={v}")),
    ("query any name", True, lambda c, v: replace(c, url=f"{c.url}?session={v}")),
    (
        "location",
        True,
        lambda c, v: replace(
            c,
            response_headers=[*c.response_headers, ("Location", f"https://x.example.com/?key={v}")],
        ),
    ),
    (
        "form",
        False,
        lambda c, v: replace(
            c,
            request_headers=[("Content-Type", "application/x-www-form-urlencoded")],
            request_body=f"grant_type=refresh_token&client_id=abc&refresh_token={v}",
        ),
    ),
    (
        "json field",
        False,
        lambda c, v: replace(c, request_body=_json_with(c.request_body, api_key=v)),
    ),
    (
        "json key",
        True,
        lambda c, v: replace(c, request_body=_json_with(c.request_body, metadata={v: 1})),
    ),
    (
        "text",
        True,
        lambda c, v: replace(
            c, request_body=c.request_body.replace('"Hi"', json.dumps(f"use {v} now"))
        ),
    ),
    (
        "env text",
        False,
        lambda c, v: replace(
            c, request_body=c.request_body.replace('"Hi"', json.dumps(f"OPENAI_API_KEY={v}"))
        ),
    ),
    (
        "answer",
        True,
        lambda c, v: replace(
            c, response_body=c.response_body.replace('"Hello!"', json.dumps(f"key {v}"))
        ),
    ),
    (
        "binary answer",
        True,
        lambda c, v: replace(
            c,
            response_body=c.response_body.replace('"Hello!"', json.dumps(f"key {v}")),
            encoding="binary",
        ),
    ),
    (
        "gzip answer",
        True,
        lambda c, v: replace(
            c,
            response_body=c.response_body.replace('"Hello!"', json.dumps(f"key {v}")),
            encoding="gzip",
        ),
    ),
    (
        "escaped",
        True,
        lambda c, v: replace(
            c, request_body=c.request_body.replace('"Hi"', '"' + _escape_third(v) + '"')
        ),
    ),
)


def _escape_third(value: str) -> str:
    """A JSON string of ``value`` with its fourth character written as ``\\u00XX``."""
    return value[:3] + f"\\u{ord(value[3]):04x}" + value[4:]


# --- one writer per container ---------------------------------------------------------


def _body_bytes(call: Call) -> bytes:
    data = call.response_body.encode()
    return gzip.compress(data, mtime=0) if call.encoding == "gzip" else data


def _response_headers(call: Call) -> list[tuple[str, str]]:
    extra = [("Content-Encoding", "gzip")] if call.encoding == "gzip" else []
    return [*call.response_headers, *extra]


def _mapping(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    for name, value in pairs:
        headers.setdefault(name, []).append(value)
    return headers


def _vcrpy(call: Call) -> bytes:
    body: Any = call.response_body if call.encoding == "text" else _body_bytes(call)
    document = {
        "interactions": [
            {
                "request": {
                    "body": call.request_body,
                    "headers": _mapping(call.request_headers),
                    "method": "POST",
                    "uri": call.url,
                },
                "response": {
                    "body": {"string": body},
                    "headers": _mapping(_response_headers(call)),
                    "status": {"code": 200, "message": "OK"},
                },
            }
        ],
        "version": 1,
    }
    text: str = yaml.safe_dump(document, width=4096)
    return text.encode()


def _govcr(call: Call) -> bytes:
    body: Any = call.response_body if call.encoding == "text" else _body_bytes(call)
    document = {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "body": call.request_body,
                    "form": {},
                    "headers": _mapping(call.request_headers),
                    "url": call.url,
                    "method": "POST",
                },
                "response": {
                    "body": body,
                    "headers": _mapping(_response_headers(call)),
                    "status": "200 OK",
                    "code": 200,
                    "duration": "1ms",
                },
            }
        ],
    }
    text: str = yaml.safe_dump(document, width=4096, sort_keys=False)
    return ("---\n" + text).encode()


def _rubyvcr(call: Call) -> bytes:
    if call.encoding == "text":
        body = "      string: " + json.dumps(call.response_body) + "\n"
        encoding = "UTF-8"
    else:
        body = (
            "      string: !binary |-\n        "
            + base64.b64encode(_body_bytes(call)).decode()
            + "\n"
        )
        encoding = "ASCII-8BIT"

    def headers(pairs: list[tuple[str, str]]) -> str:
        return "".join(
            f"      {name}:\n" + "".join(f"      - {json.dumps(v)}\n" for v in values)
            for name, values in _mapping(pairs).items()
        )

    return (
        "---\nhttp_interactions:\n- request:\n    method: post\n"
        f"    uri: {json.dumps(call.url)}\n    body:\n      encoding: UTF-8\n"
        f"      string: {json.dumps(call.request_body)}\n    headers:\n"
        + headers(call.request_headers)
        + "  response:\n    status:\n      code: 200\n      message: OK\n    headers:\n"
        + headers(_response_headers(call))
        + f"    body:\n      encoding: {encoding}\n"
        + body
        + "  recorded_at: Mon, 01 Jan 2024 00:00:00 GMT\nrecorded_with: VCR 6.2.0\n"
    ).encode()


def _httprr(call: Call) -> bytes:
    request_body = call.request_body.encode()
    request = (
        f"POST {call.url} HTTP/1.1\r\nHost: api.example.com\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in call.request_headers)
        + f"Content-Length: {len(request_body)}\r\n\r\n"
    ).encode() + request_body
    body = _body_bytes(call)
    response = (
        "HTTP/1.1 200 OK\r\n"
        + "".join(f"{name}: {value}\r\n" for name, value in _response_headers(call))
        + f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    counts = f"{len(request)} {len(response)}\n".encode()
    return httprr.MAGIC + counts + request + response


def _har(call: Call) -> bytes:
    content: dict[str, Any] = {"mimeType": "application/json", "text": call.response_body}
    if call.encoding != "text":
        content = {
            "mimeType": "application/json",
            "text": base64.b64encode(_body_bytes(call)).decode(),
            "encoding": "base64",
        }
    request = {
        "method": "POST",
        "url": call.url,
        "httpVersion": "HTTP/1.1",
        "headers": [{"name": n.lower(), "value": v} for n, v in call.request_headers],
        "postData": {"mimeType": "application/json", "text": call.request_body},
    }
    entry = {
        "_id": polly_id.entry_id(request, polly_id.DEFAULT),
        "_order": 0,
        "request": request,
        "response": {
            "status": 200,
            "statusText": "OK",
            "headers": [{"name": n.lower(), "value": v} for n, v in _response_headers(call)],
            "content": content,
        },
        "startedDateTime": "2024-01-01T00:00:00.000Z",
    }
    log = {
        "version": "1.2",
        "creator": {"name": "Polly.JS", "version": "6.0.6"},
        "entries": [entry],
    }
    return json.dumps({"log": log}, indent=2).encode()


#: (container, where its files go, suffix, writer)
CONTAINERS: tuple[tuple[str, str, str, Callable[[Call], bytes]], ...] = (
    ("vcrpy", "tests/cassettes", ".yaml", _vcrpy),
    ("rubyvcr", "spec/fixtures/vcr_cassettes", ".yml", _rubyvcr),
    ("govcr", "pkg/testdata", ".yaml", _govcr),
    ("httprr", "pkg/testdata", ".httprr", _httprr),
    ("har", "recordings", ".har", _har),
)


@dataclass(frozen=True)
class Planted:
    container: str
    kind: str
    place: str
    value: str
    path: Path


def _plant(root: Path, container: str) -> list[Planted]:
    _, directory, suffix, writer = next(c for c in CONTAINERS if c[0] == container)
    planted = []
    for kind, value, shaped in KINDS:
        for place, needs_shape, plant in PLACES:
            if needs_shape and not shaped:
                continue
            name = re.sub(r"\W+", "_", f"test_{kind}_{place}")
            path = root / directory / (name + suffix)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(writer(plant(Call(), value)))
            planted.append(Planted(container, kind, place, value, path))
    return planted


def _invoke(*args: str) -> str:
    """One run of recctl, as its own process would be: nothing remembered before it."""
    masking.forget()
    result = run(*args)
    return result.stdout + result.stderr


def _leaks(output: str, value: str) -> bool:
    """Whether ``output`` shows more of ``value`` than the mask does (its first six
    characters): any eleven of them in a row."""
    return any(value[at : at + 11] in output for at in range(0, len(value) - 10))


@pytest.fixture(scope="module", params=[c[0] for c in CONTAINERS])
def planted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> list[Planted]:
    root = tmp_path_factory.mktemp(request.param)
    return _plant(root, request.param)


def test_validate_finds_every_planted_credential(planted: list[Planted]) -> None:
    masking.forget()
    document = json.loads(run("validate", "-o", "json", *(str(p.path) for p in planted)).stdout)
    flagged = {f["path"] for f in document["findings"] if f["code"] == "RC203"}
    missed = [f"{p.kind} in {p.place}" for p in planted if str(p.path) not in flagged]
    assert missed == []


def _reading_runs(planted: list[Planted], other: Path) -> Iterator[tuple[str, ...]]:
    paths = [str(p.path) for p in planted]
    for output in ("text", "json"):
        yield ("show", "-o", output, *paths)
        yield ("show", "--full", "-o", output, *paths)
        yield ("reassemble", "-o", output, *paths)
        yield ("stats", "-o", output, *paths)
        yield ("scrub", "--check", "-o", output, *paths)
        yield ("scrub", "--diff", "-o", output, *paths)
    for output in ("text", "json", "github"):
        yield ("validate", "-o", output, *paths)
    for output in ("text", "json", "markdown"):
        yield ("diff", "-o", output, str(planted[0].path.parents[0]), str(other))


def test_no_reading_command_prints_a_planted_credential(
    planted: list[Planted], tmp_path: Path
) -> None:
    # A tree like the planted one with every credential changed: diff shows both.
    directory = planted[0].path.parent
    other = tmp_path / "other" / directory.name
    shutil.copytree(directory, other)
    for path in other.iterdir():
        data = path.read_bytes()
        for _, value, _ in KINDS:
            data = data.replace(value.encode(), value[:-6].encode() + b"Xy7Qz2")
        path.write_bytes(data)
    changed = [value[:-6] + "Xy7Qz2" for _, value, _ in KINDS]
    runs = list(_reading_runs(planted, other))
    for args in runs:
        output = _invoke(*args)
        shown = [p.value for p in planted if _leaks(output, p.value)]
        shown += [value for value in changed if _leaks(output, value)]
        assert shown == [], (args[:3], shown)


def test_scrub_leaves_no_planted_credential_in_any_encoding(
    planted: list[Planted], tmp_path: Path
) -> None:
    copies = []
    for item in planted:
        copy = tmp_path / item.path.relative_to(item.path.parents[2])
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(item.path, copy)
        copies.append((item, copy))
    masking.forget()
    done = run("scrub", "-o", "json", *(str(copy) for _, copy in copies))
    document = json.loads(done.stdout)
    refused = {r["path"]: r["reason"] for r in document.get("refused", [])}
    assert refused == {}
    for item, copy in copies:
        data = copy.read_bytes()
        decoded = _every_decoding(data)
        assert all(item.value.encode() not in d for d in decoded), (item.kind, item.place)
    masking.forget()
    after = json.loads(run("validate", "-o", "json", *(str(c) for _, c in copies)).stdout)
    assert [f for f in after["findings"] if f["code"] == "RC203"] == []


def _every_decoding(data: bytes) -> list[bytes]:
    """The bytes, and what base64 and gzip in them decode to."""
    found = [data]
    for block in re.findall(rb"[A-Za-z0-9+/=\n ]{40,}", data):
        try:
            decoded = base64.b64decode(b"".join(block.split()), validate=True)
        except ValueError:
            continue
        found.append(decoded)
        found += _gunzipped(decoded)
    return found + _gunzipped(data)


def _gunzipped(data: bytes) -> list[bytes]:
    """What each gzip member that starts in ``data`` decompresses to."""
    found = []
    start = data.find(b"\x1f\x8b")
    while start >= 0:
        with contextlib.suppress(zlib.error):
            found.append(zlib.decompressobj(wbits=31).decompress(data[start:]))
        start = data.find(b"\x1f\x8b", start + 1)
    return found
