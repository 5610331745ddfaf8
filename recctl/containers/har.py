"""Polly.JS recordings: HAR files (``recording.har``) of Mirascope's TypeScript
tests, openllmetry-js.

JSON ``{log: {creator: {name: "Polly.JS"}, entries: [...]}}``; each entry has
``request`` (``method``, ``url``, ``headers`` as ``[{name, value}]``,
``postData.text``) and ``response`` (``status``, ``headers``, ``content:
{mimeType, text, encoding?}``). With ``encoding: base64`` the text is base64 of
the bytes, or a JSON array of base64 strings, the chunks as received (pieces of
one gzip stream). Text is stored decoded even when a ``content-encoding`` header
remains. An empty answer has no ``text``.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from recctl import budget, io
from recctl.containers import http, sniff
from recctl.exchange import CannotRewrite, Exchange, Message, NotExchanges, Place, RecordedFile
from recctl.values import as_dict, as_list

if TYPE_CHECKING:
    from recctl.containers import Container
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

name = "har"
title: str = "Polly.JS HAR"
noun: str = "HAR file"
#: Polly's ``recordingsDir`` (``recordings``; ``__recordings__`` with setupPolly for
#: Jest; Mirascope's ``cassettes``); ``*.har`` is read anywhere.
directories: tuple[str, ...] = ("recordings", "__recordings__", "cassettes")
dedicated: tuple[str, ...] = ("recordings", "__recordings__", "cassettes")
suffixes: tuple[str, ...] = (".har",)
suffix_alone: bool = True
#: How a file maps to its test is not certain from its place and name alone (Go's
#: ``t.Name()``, Ruby's ``use_cassette`` names): prune reports it unmapped, never stale.
tests: str = "unmapped"
#: A broken file is "not valid JSON" (RC002).
broken_code: str = "RC002"


def claims(head: bytes, path: str) -> bool | None:
    """A JSON object with a top-level ``log``."""
    keys = sniff.json_keys(head[:65536])
    return None if keys is None else "log" in keys


@budget.per_file
def parse(raw: bytes, path: str) -> RecordedFile:
    budget.charge("values", budget.json_values(raw))
    document = io.parse(raw)
    log = document.get("log") if isinstance(document, dict) else None
    entries = log.get("entries") if isinstance(log, dict) else None
    if not isinstance(entries, list):
        raise NotExchanges("not a HAR file: no log.entries")
    budget.charge("exchanges", len(entries))  # before any is built
    exchanges: list[Exchange] = []
    issues: list[tuple[Place, str]] = []
    for index, entry in enumerate(entries):
        at: Place = ("log", "entries", index)
        request, response = (
            as_dict(as_dict(entry).get("request")),
            as_dict(as_dict(entry).get("response")),
        )
        method, url = request.get("method"), request.get("url")
        if not isinstance(method, str) or not isinstance(url, str):
            issues.append(((*at, "request"), "the request has no method or url"))
        status = http.status_code(response.get("status"))
        if status is None:
            issues.append(((*at, "response", "status"), "the response has no status"))
        post = as_dict(request.get("postData"))
        exchanges.append(
            http.exchange(
                index,
                str(method or "").upper(),
                str(url or ""),
                status,
                _side(request, post.get("text"), "request", (*at, "request"), issues),
                _side(
                    response,
                    _content(response, (*at, "response"), issues),
                    "response",
                    (*at, "response"),
                    issues,
                ),
                issues,
            )
        )
        http.stamp(exchanges[-1], as_dict(entry).get("startedDateTime"))
    creator = as_dict(as_dict(log).get("creator")).get("name")
    layout = str(creator) if isinstance(creator, str) else "har"
    return RecordedFile(path, len(raw), _self(), layout, exchanges, issues, raw=raw)


def _content(response: dict[str, Any], place: Place, issues: list[tuple[Place, str]]) -> Any:
    """The response body: text, or the bytes base64 text (or a JSON array of base64
    chunks) stands for."""
    content = as_dict(response.get("content"))
    text = content.get("text")
    if content.get("encoding") != "base64" or not isinstance(text, str):
        return text
    pieces = [text]
    if text.lstrip().startswith("["):
        try:
            pieces = [str(piece) for piece in as_list(orjson.loads(text))]
        except orjson.JSONDecodeError:
            pieces = [text]
    try:
        return b"".join(base64.b64decode(piece) for piece in pieces)
    except (binascii.Error, ValueError):
        issues.append(((*place, "content", "text"), "encoding is base64 but the text is not"))
        return None


def _side(
    side: dict[str, Any], body: Any, which: str, place: Place, issues: list[tuple[Place, str]]
) -> Message:
    headers: dict[str, list[str]] = {}
    for header in as_list(side.get("headers")):
        header = as_dict(header)
        if isinstance(header.get("name"), str):
            headers.setdefault(header["name"], []).append(str(header.get("value", "")))
    return http.side(headers, body, which, place, issues, "content")


#: A base64 ``text``: one string, or Polly's JSON array of base64 chunks (escaped).
#: JSON may write base64's ``/`` as ``\\/``.
_B64 = rb"(?:[A-Za-z0-9+=]|\\?/)"
_CHUNK = rb'\\"' + _B64 + rb'*\\"'
_BASE64_TEXT = re.compile(
    rb'("text":\s*")((?:\[' + _CHUNK + rb"(?:," + _CHUNK + rb")*\])|" + _B64 + rb'{8,})(")'
)


def rewrite(raw: bytes, replace: Callable[[bytes], bytes]) -> tuple[bytes, bool]:
    """Edit the JSON text, and inside base64 bodies (gzip within, Polly's chunk arrays
    joined): each is decoded, edited, and encoded again, a chunk array as one chunk.
    An entry whose request changed gets the ``_id`` Polly computes for the new one
    (``follow_requests``)."""
    new, changed = _rewrite_text(raw, replace)
    return follow_requests(raw, new), changed


def _rewrite_text(raw: bytes, replace: Callable[[bytes], bytes]) -> tuple[bytes, bool]:
    changed = False

    def text(match: re.Match[bytes]) -> bytes:
        nonlocal changed
        stored = match.group(2).replace(b"\\/", b"/")
        chunks = re.findall(rb"[A-Za-z0-9+/=]+", stored) if stored.startswith(b"[") else [stored]
        encoded = http.edit_base64(chunks, replace)
        if encoded is None:
            return match.group(0)
        changed = True
        if stored.startswith(b"["):
            encoded = b'[\\"' + encoded + b'\\"]'
        return match.group(1) + encoded + match.group(3)

    return _BASE64_TEXT.sub(text, replace(raw)), changed


_ID = re.compile(rb'"_id":\s*"([^"\\]*)"')


def follow_requests(old: bytes, new: bytes) -> bytes:
    """``new`` with the ``_id`` of each entry whose request differs from ``old``'s
    recomputed as Polly computes it, under the ``matchRequestsBy`` the file's ids
    were made with (``polly_id``). ``CannotRewrite`` when an edited entry's ``_id``
    is one no known configuration reproduces: Polly could not find it afterwards."""
    from recctl.containers import polly_id

    if new == old:
        return new
    try:
        before, after = _entries(old), _entries(new)
    except (io.LoadError, NotExchanges):
        return new  # parsing the result says why
    if len(before) != len(after):
        return new
    match = polly_id.match_of_file(before)
    ids: dict[int, str] = {}
    for index, (was, now) in enumerate(zip(before, after, strict=True)):
        request, edited = as_dict(was).get("request"), as_dict(now).get("request")
        stored = as_dict(was).get("_id")
        if request == edited or not isinstance(stored, str) or not isinstance(edited, dict):
            continue
        if match is None or polly_id.entry_id(as_dict(request), match) != stored:
            raise CannotRewrite(
                f"entry {index}'s _id is not one Polly computes under any known "
                "matchRequestsBy: with its request edited, it could not be given the new one"
            )
        ids[index] = polly_id.entry_id(edited, match) or stored
    return with_ids(new, ids)


def _entries(raw: bytes) -> list[Any]:
    log = as_dict(as_dict(io.parse(raw)).get("log"))
    entries = log.get("entries")
    if not isinstance(entries, list):
        raise NotExchanges("not a HAR file: no log.entries")
    return entries


def with_ids(raw: bytes, ids: dict[int, str]) -> bytes:
    """``raw`` with the ``_id`` of entry ``i`` set to ``ids[i]``, every other byte
    kept. Entry ``_id`` keys are the only ``"_id": "`` in Polly's HAR (a body is a
    JSON string, its quotes escaped); when the ones found are not the entries' own,
    in order, ``CannotRewrite``."""
    if not ids:
        return raw
    found = list(_ID.finditer(raw))
    stored = [as_dict(entry).get("_id") for entry in _entries(raw)]
    holding = [index for index, value in enumerate(stored) if isinstance(value, str)]
    if [m.group(1).decode("utf-8", "replace") for m in found] != [stored[i] for i in holding]:
        raise CannotRewrite("the entries' _id keys cannot be told apart in the text")
    where = {index: found[number] for number, index in enumerate(holding)}
    out, at = [], 0
    for index, new_id in sorted(ids.items()):
        place = where[index]
        out += [raw[at : place.start(1)], new_id.encode()]
        at = place.end(1)
    return b"".join([*out, raw[at:]])


def replay_notes(file: RecordedFile, secrets: list[Secret]) -> list[str]:
    return http.uri_notes(file, secrets, ADVICE)


ADVICE = http.Advice(
    "Polly.JS",
    ignore_query="configure matchRequestsBy.url.query as a function that drops {names} "
    "(each entry's _id follows the request as scrubbed; run recctl hash --fix after a "
    "change of matchRequestsBy)",
    hide="remove {names} in a server.any().on('beforePersist', ...) handler",
    ignore_headers="configure matchRequestsBy.headers as {{exclude: [{names}]}}",
    spell=lambda name: repr(name.lower()),  # Polly compares header names lower-cased
)


def _self() -> Container:
    return sys.modules[__name__]
