"""What every container that stores HTTP exchanges shares (VCR.py, Ruby VCR, go-vcr,
httprr, Polly HAR): building an exchange from its two sides, reading its answer
through the protocol registry, what ``show`` says of it, what scrub may tell a
replayer that matches on the URI. Each container module re-exports what it uses
unchanged, so that the module is the whole ``Container``."""

from __future__ import annotations

import base64
import gzip
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from recctl import budget, io
from recctl.containers.bodies import (
    body_summary,
    edit_body,
    gunzip,
    message,
    stream_events,
)
from recctl.exchange import Exchange, Message, Place, RecordedFile, answers_of

if TYPE_CHECKING:
    from recctl.answer import Answer
    from recctl.secrets import Secret

one_per_file: bool = False
#: A broken file is "not valid YAML" or not what its format says (RC003).
broken_code: str = "RC003"
#: Where a provider's response object is in an exchange's ``source``: the body, or
#: each event of a stream.
body_places: tuple[str, ...] = ("$.response.body", "$.response.body[*]")
#: Headers change on every re-record (dates, request ids, rate limits, cookies).
volatile: tuple[str, ...] = (
    "$.request.headers.*",
    "$.request.headers.*[*]",
    "$.response.headers.*",
    "$.response.headers.*[*]",
)


def exchange(
    index: int,
    method: str,
    url: str,
    status: int | None,
    request: Message,
    response: Message,
    issues: list[tuple[Place, str]] | None = None,
) -> Exchange:
    """One exchange; its events read from the response body (SSE, NDJSON, AWS event
    stream), its ``source`` the plain data ``diff`` compares. An event stream whose
    framing is broken is an issue (with ``issues``), never an exception."""
    events, problems = stream_events(response)
    if issues is not None:
        at: Place = (*response.place, response.body_key)
        issues += [(at, f"the event stream: {problem}") for problem in problems]
    source = {
        "request": {
            "method": method,
            "uri": url,
            "headers": request.headers,
            "body": _plain(request.body),
        },
        "response": {
            "status": status,
            "headers": response.headers,
            "body": events if events is not None else _plain(response.body),
        },
    }
    return Exchange(index, method, url, status, request, response, events, source=source)


def stamp(exchange: Exchange, recorded_at: Any) -> None:
    """Keep the time an exchange was recorded, where its container stores one (Ruby
    VCR's ``recorded_at``, HAR's ``startedDateTime``): ``audit`` reads it."""
    if isinstance(recorded_at, str) or hasattr(recorded_at, "isoformat"):
        exchange.extras["recorded_at"] = recorded_at


def _plain(body: Any) -> Any:
    return f"<{len(body):,} bytes>" if isinstance(body, bytes) else body


#: A value the replayer fills in on replay (Ruby VCR's ``filter_sensitive_data``, go-vcr
#: and Polly hooks): ``<OLLAMA_API_BASE>``, ``<ANTHROPIC_API_KEY>``.
PLACEHOLDER = re.compile(r"<[A-Za-z_][A-Za-z0-9_.-]*>")


def call_issues(
    request: Place, response: Place, method: Any, url: Any, code: int | None, url_key: str
) -> list[tuple[Place, str]]:
    """What a YAML cassette's replayer cannot match or answer: a request without a
    method or an http(s) URL (stored under ``url_key``; a URL that starts with a
    ``<NAME>`` placeholder is the replayer's to fill: a note, ``placeholders``), a
    response without a status."""
    issues: list[tuple[Place, str]] = []
    if not isinstance(method, str) or not method:
        issues.append(((*request, "method"), "the request has no method"))
    if not isinstance(url, str) or not (
        url.startswith(("http://", "https://")) or PLACEHOLDER.match(url)
    ):
        issues.append(((*request, url_key), f"the request has no http(s) {url_key}"))
    if code is None:
        issues.append((response, "the response has no status code"))
    return issues


def side(
    raw_headers: Any,
    body: Any,
    which: str,
    place: Place,
    issues: list[tuple[Place, str]],
    stored_at: str = "body",
) -> Message:
    """One side of an exchange (``bodies.message``); a body that does not decode is an
    issue of the file (at ``stored_at``), and the side is kept without it."""
    try:
        return message(raw_headers, body, which, place)
    except budget.OverBudget:
        raise  # the whole file's, not this body's: one finding names it
    except io.LoadError as error:
        issues.append(((*place, stored_at), str(error)))
        return message(raw_headers, None, which, place)


def placeholders(exchange: Exchange) -> list[tuple[Place, str]]:
    """The ``<NAME>`` placeholders of an exchange's URL (its start or host) and header
    values, which its replayer fills in on replay: (where, what), notes, never errors."""
    found: list[tuple[Place, str]] = []
    request = exchange.request
    url_at = exchange.url.split("?", 1)[0]
    named = PLACEHOLDER.findall(url_at)
    if named:
        place: Place = (*request.place, exchange.url_key) if exchange.url_key else request.place
        found.append((place, f"the {exchange.url_key or 'URL'} holds {', '.join(named)}"))
    for side in (request, exchange.response):
        for name, values in side.headers.items():
            named = [v for v in values if isinstance(v, str) and PLACEHOLDER.fullmatch(v)]
            if named:
                written = side.written.get(name, (name, False))[0]
                found.append(((*side.place, "headers", written), f"{written}: {named[0]}"))
    return found


def status_code(value: Any) -> int | None:
    """An HTTP status stored as a number, or as text that starts with one ("200 OK")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value[:3].isdigit():
        return int(value[:3])
    return None


def answer(exchange: Exchange) -> Answer | None:
    from recctl.protocols import read_answer  # not for validate and prune

    return read_answer(exchange.url, exchange.status, exchange.response.body, exchange.events)


def answers(file: RecordedFile) -> list[tuple[int, Answer]]:
    return answers_of(file)


def searchable(file: RecordedFile) -> bytes | None:
    """The file's bytes, when they hold every string as it is (escapes aside); None
    when a body may be stored encoded (base64, gzip, a chunked or event-stream
    framing that can cut a string): then the key search reads every string."""
    raw = file.raw
    if not raw or any(mark in raw for mark in _ENCODED):
        return None
    return raw


#: What says a body may be stored otherwise than as text: YAML's and Ruby's binary
#: tags, base64 (HAR, Ruby), gzip, chunked transfer coding (httprr), event streams.
_ENCODED = (b"binary", b"base64", b"\x1f\x8b", b"chunked", b"eventstream")


def stored(exchange: Exchange) -> str:
    return body_summary(exchange.response.body, exchange.response.size, exchange.events)


def facts(exchange: Exchange) -> dict[str, Any]:
    return {}


def details(exchange: Exchange, answer: Answer | None, shorten: Any) -> dict[str, Any]:
    return {}


#: A base64 block scalar of a YAML cassette: ``!!binary |`` (PyYAML, go-vcr),
#: ``!binary |-`` or ``base64_string: |`` (Ruby), then its lines, indented alike.
_BASE64_BLOCK = re.compile(
    rb"((?:!!?binary|base64_string:) \|[-+]?\n)((?:([ ]+)[A-Za-z0-9+/=]+\n)+)"
)


def edit_base64(chunks: list[bytes], replace: Callable[[bytes], bytes]) -> bytes | None:
    """The base64 of a body stored as ``chunks`` of base64 (joined), with ``replace``
    applied inside it (gzip within decompressed and compressed again); None when it
    does not decode or nothing changes."""
    try:
        stored = b"".join(base64.b64decode(chunk, validate=True) for chunk in chunks)
    except ValueError:
        return None
    zipped = stored[:2] == b"\x1f\x8b"
    try:
        body = gunzip(stored, "the body") if zipped else stored
    except io.LoadError:
        return None
    edited = edit_body(body, replace)
    if edited == body:
        return None
    return base64.b64encode(gzip.compress(edited, mtime=0) if zipped else edited)


def rewrite_yaml(raw: bytes, replace: Callable[[bytes], bytes]) -> tuple[bytes, bool]:
    """Edit a YAML cassette's text, and inside its base64 bodies (gzip within them
    too): each is decoded, edited, and encoded again with its lines as long as
    before; and whether any was."""
    changed = False

    def block(match: re.Match[bytes]) -> bytes:
        nonlocal changed
        lines = match.group(2).split()
        encoded = edit_base64(lines, replace)
        if encoded is None:
            return match.group(0)
        changed = True
        width = max(len(lines[0]), 4)
        pieces = [encoded[at : at + width] for at in range(0, len(encoded), width)]
        return match.group(1) + b"".join(match.group(3) + piece + b"\n" for piece in pieces)

    return _BASE64_BLOCK.sub(block, replace(raw)), changed


def renamed(path: str, before: RecordedFile, after: RecordedFile) -> str | None:
    return None  # a cassette is named after its test


class Advice(NamedTuple):
    """How one replayer is told, in its own terms, to keep matching once secrets are
    replaced (``{names}``: the query parameters or headers, as that language spells
    a list of them)."""

    replayer: str
    #: How it matches a request without the query parameters ``{names}``.
    ignore_query: str
    #: How a recording hides the values of ``{names}`` (quoted) before it is saved.
    hide: str
    #: When it also matches on headers (Polly.JS): how it leaves ``{names}`` out.
    ignore_headers: str = ""
    #: How one name is spelled in a list of them: ``'key'``, ``:key``, ``"key"``.
    spell: Callable[[str], str] = repr


def uri_notes(file: RecordedFile, secrets: list[Secret], advice: Advice) -> list[str]:
    """A replayer that matches requests on their URI (and headers): a key replaced in
    the query string (or a matched header) must be left out when the tests run, or
    no request matches; and what to set so that the next recording holds none."""
    values = {secret.value for secret in secrets}
    parameters: list[str] = []
    for item in file.exchanges:
        try:
            query = parse_qsl(urlsplit(item.url).query)
        except ValueError:
            continue
        parameters += [key for key, value in query if value in values and key not in parameters]
    headers = sorted(
        {
            str(secret.place[-2] if isinstance(secret.place[-1], int) else secret.place[-1])
            for secret in secrets
            if "headers" in secret.place
        }
    )

    def spelled(names: list[str]) -> str:
        return ", ".join(advice.spell(name) for name in names)

    notes = []
    if parameters:
        how = advice.ignore_query.format(names=spelled(parameters))
        notes.append(
            f"{advice.replayer} matches requests on their URI: {how}, or no request will match"
        )
    if headers and advice.ignore_headers:
        how = advice.ignore_headers.format(names=spelled(headers))
        notes.append(
            f"{advice.replayer} matches requests on their headers: {how}, or no request will match"
        )
    if parameters or headers:
        how = advice.hide.format(names=", ".join(map(repr, parameters + headers)))
        notes.append(f"when recording again, {how} so that new recordings do not hold them")
    return notes
