"""VCR.py cassettes: one YAML file holding N recorded HTTP interactions (docs/cassettes.md).

``parse_cassette`` turns a cassette's bytes into ``Exchange`` objects, whatever
the layout: VCR.py's default (``interactions:`` with ``body: {string: ...}``),
pydantic-ai's (``parsed_body:`` mappings, literal SSE blocks) and LangChain's
gzip-compressed files (``requests:`` and ``responses:`` lists). Bodies stored as
``!!binary`` are decoded, gzip and deflate bodies decompressed, header values
read as lists whether stored as lists or strings.

Cassettes are untrusted: YAML is read with a safe loader only (a ``!!python/...``
tag is an error, never executed) that builds only what JSON can hold (mapping
keys as text, ``!!set`` as a list, timestamps as their text). Its size is
bounded before anything is built (``_within_budget``: nodes counted, aliases
expanded, from the bytes or from libyaml's events), libyaml refuses nesting
deeper than 1,000 levels, and decompression is bounded.
Files that are not HTTP cassettes (gRPC recordings, WebSocket sessions, other
YAML) raise ``NotACassette``: a note, not an error.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from recctl import io
from recctl.answer import Answer
from recctl.io import json_text
from recctl.protocols.detect import read_answer
from recctl.protocols.sse import text_events

#: YAML nodes (aliases expanded) a cassette may hold: a hundred times the largest of
#: 151 real cassettes (2,118), and about 75 MB while PyYAML builds them.
NODE_BUDGET = 200_000
#: An anchor or an alias, where one can start (a false match only costs the event count).
_ANCHOR_OR_ALIAS = re.compile(rb"(?:^|[\s\[{,:-])[&*][^\s\[\]{},]", re.MULTILINE)
#: A node needs one of these before it: a YAML document of N of them holds at most
#: 2N + 2 nodes (each flow item, mapping value and block entry follows one).
_SEPARATORS = (b",", b":", b"\n", b"[", b"{", b"-", b"?")
Place = list[str | int]  # a path into the YAML document


class NotACassette(Exception):
    """A YAML file that holds no HTTP interactions; ``str(error)`` says what it is."""


@dataclass(frozen=True)
class Message:
    """One side of an HTTP interaction."""

    headers: dict[str, list[str]]  # names lower-cased
    body: Any  # parsed JSON, text, bytes (binary content), or None
    size: int  # bytes of the body as recorded (after decompression)
    #: Where each header is in the file: lower-cased name -> (name as written, a list?).
    written: dict[str, tuple[str, bool]] = field(default_factory=dict)


@dataclass(frozen=True)
class Exchange:
    """One recorded call: the request, the response, and its stream events if it streamed."""

    index: int  # position in the cassette, from 0
    method: str
    url: str
    status: int | None
    request: Message
    response: Message
    events: list[dict[str, Any]] | None  # the JSON data of each SSE event, when streamed


@dataclass(frozen=True)
class Cassette:
    layout: str  # "vcr", "parsed_body" or "langchain"
    exchanges: list[Exchange]
    #: What does not fit the layout: (path into the YAML document, what is wrong).
    issues: list[tuple[list[str | int], str]] = field(default_factory=list)


def answers(cassette: Cassette) -> list[tuple[int, Answer]]:
    """(interaction index, answer) of every interaction that holds an LLM answer."""
    found = []
    for exchange in cassette.exchanges:
        answer = read_answer(exchange.url, exchange.status, exchange.response.body, exchange.events)
        if answer is not None:
            found.append((exchange.index, answer))
    return found


def load_cassette(path: str) -> Cassette:
    """Read and parse one cassette; ``io.LoadError`` or ``NotACassette`` otherwise."""
    return parse_cassette(io.read_bytes(path), path)


def parse_cassette(raw: bytes, name: str = "") -> Cassette:
    if raw[:2] == b"\x1f\x8b":
        raw = _gunzip(raw, "the file")
    if not raw.strip():
        raise io.LoadError("empty file")
    import yaml  # 10 ms: only when a cassette is read

    loader = _loader()
    try:
        _within_budget(raw, loader)
        document = yaml.load(raw, Loader=loader)  # a safe loader, always
    except yaml.constructor.ConstructorError as error:
        tag = getattr(error, "problem", "") or str(error)
        raise io.LoadError(f"unsafe or unknown YAML tag, never constructed: {tag}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid"
        if "nesting depth" in problem:
            problem = "nested more than 1,000 levels deep (libyaml's limit)"
        raise io.LoadError(
            f"not valid YAML: {problem}{where}", mark.line + 1 if mark else None
        ) from None
    except (UnicodeDecodeError, RecursionError) as error:
        raise io.LoadError(f"not valid YAML: {type(error).__name__}") from None
    return _cassette(document, name)


def _within_budget(raw: bytes, loader: Any) -> None:
    """Refuse a document of more than ``NODE_BUDGET`` nodes, aliases expanded, before
    PyYAML builds it (8 MiB of ``[0,0,…]`` would take 1.5 GB, an alias bomb more).

    Counting separators bounds the nodes at memory speed; only a document that
    might exceed the budget, or holds anchors, has libyaml's events counted, one
    at a time, each alias adding the size of what it repeats.
    """
    import yaml

    if 2 * sum(raw.count(c) for c in _SEPARATORS) + 2 <= NODE_BUDGET and not (
        b"&" in raw and _ANCHOR_OR_ALIAS.search(raw)
    ):
        return
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for
    open_collections: list[tuple[str | None, int]] = []  # (anchor, total so far)
    total = 0
    for event in yaml.parse(raw, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_collections.append((event.anchor, total))
            size = 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, start = open_collections.pop()
            if anchor is not None:
                sizes[anchor] = total - start
            continue
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor or "", 1)
        else:
            continue
        total += size
        if total > NODE_BUDGET:
            raise io.LoadError(
                f"YAML of more than {NODE_BUDGET:,} nodes, aliases expanded: not read"
            )


_LOADER: Any = None


def _loader() -> Any:
    """PyYAML's safe loader (libyaml's, when present), building JSON-shaped values only."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class JsonShapedLoader(base):  # type: ignore[misc, valid-type]
            def construct_mapping(self, node: Any, deep: bool = False) -> dict[str, Any]:
                mapping: dict[Any, Any] = super().construct_mapping(node, deep)
                if all(type(key) is str for key in mapping):
                    return mapping
                return {_key_text(key): value for key, value in mapping.items()}

        def as_text(loader: Any, node: Any) -> str:
            return str(node.value)

        def as_list(loader: Any, node: Any) -> list[Any]:
            return list(loader.construct_mapping(node))

        JsonShapedLoader.add_constructor("tag:yaml.org,2002:timestamp", as_text)
        JsonShapedLoader.add_constructor("tag:yaml.org,2002:set", as_list)
        _LOADER = JsonShapedLoader
    return _LOADER


def _key_text(key: Any) -> str:
    """A mapping key as JSON would hold it: ``1`` -> ``"1"``, ``~`` -> ``"null"``."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json_text(key)
    return str(key)


def _cassette(document: Any, name: str) -> Cassette:
    if not isinstance(document, dict):
        raise NotACassette("not an HTTP cassette: the YAML is not a mapping")
    if "request_sample" in document or name.endswith(".xai.yaml"):
        raise NotACassette("not an HTTP cassette: a gRPC recording")
    interactions = document.get("interactions")
    if isinstance(interactions, list):
        if interactions and all(_is_http(item) for item in interactions):
            layout = "parsed_body" if any(_has_parsed_body(i) for i in interactions) else "vcr"
            pairs = [(item["request"], _httpx_response(item["response"])) for item in interactions]
            places: list[tuple[Place, Place]] = [
                (["interactions", n, "request"], ["interactions", n, "response"])
                for n in range(len(pairs))
            ]
            return Cassette(layout, _exchanges(pairs), _issues(pairs, places))
        if interactions and all(isinstance(i, dict) and "kind" in i for i in interactions):
            raise NotACassette("not an HTTP cassette: a WebSocket session")
        if not interactions:
            return Cassette("vcr", [])
        raise NotACassette("not an HTTP cassette: its interactions are not requests and responses")
    requests, responses = document.get("requests"), document.get("responses")
    if isinstance(requests, list) and isinstance(responses, list):
        if len(requests) != len(responses):
            raise io.LoadError(
                f"{len(requests)} requests but {len(responses)} responses: not a cassette VCR "
                "can replay"
            )
        if all(isinstance(r, dict) for r in [*requests, *responses]):
            pairs = list(zip(requests, responses, strict=True))
            sides: list[tuple[Place, Place]] = [
                (["requests", n], ["responses", n]) for n in range(len(pairs))
            ]
            return Cassette("langchain", _exchanges(pairs), _issues(pairs, sides))
    raise NotACassette("not an HTTP cassette: no interactions")


def _httpx_response(response: dict[str, Any]) -> dict[str, Any]:
    """A response as older VCR.py recorded httpx calls (``status_code``, ``content``), in
    the layout of the others; VCR.py still replays it the same way."""
    if "status_code" not in response or "status" in response:
        return response
    return {
        **response,
        "status": {"code": response["status_code"]},
        "body": {"string": response.get("content")},
    }


def _is_http(item: Any) -> bool:
    return (
        isinstance(item, dict)
        and isinstance(item.get("request"), dict)
        and isinstance(item.get("response"), dict)
    )


def _has_parsed_body(item: dict[str, Any]) -> bool:
    return "parsed_body" in item["request"] or "parsed_body" in item["response"]


def _exchanges(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[Exchange]:
    exchanges = []
    for index, (request, response) in enumerate(pairs):
        status = response.get("status")
        code = status.get("code") if isinstance(status, dict) else status
        request_message = _message(request, "request")
        response_message = _message(response, "response")
        exchanges.append(
            Exchange(
                index,
                str(request.get("method") or "").upper(),
                str(request.get("uri") or request.get("url") or ""),
                code if isinstance(code, int) and not isinstance(code, bool) else None,
                request_message,
                response_message,
                _events(response_message),
            )
        )
    return exchanges


def _issues(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]], places: list[tuple[Place, Place]]
) -> list[tuple[list[str | int], str]]:
    """What VCR.py could not replay: a request without method or uri, a response without
    a status code, headers that are not a mapping, a body of another type."""
    issues: list[tuple[list[str | int], str]] = []
    for (request, response), (at_request, at_response) in zip(pairs, places, strict=True):
        if not isinstance(request.get("method"), str) or not request.get("method"):
            issues.append(([*at_request, "method"], "the request has no method"))
        uri = request.get("uri")
        if not isinstance(uri, str) or not uri.startswith(("http://", "https://")):
            issues.append(([*at_request, "uri"], "the request has no http(s) uri"))
        status = response.get("status")
        code = status.get("code") if isinstance(status, dict) else None
        if not isinstance(code, int) or isinstance(code, bool) or not 100 <= code < 600:
            issues.append(([*at_response, "status"], "the response has no status code"))
        for side, at in ((request, at_request), (response, at_response)):
            headers = side.get("headers")
            if headers is not None and not isinstance(headers, dict):
                issues.append(([*at, "headers"], "headers must be a mapping"))
        body = request.get("body")
        if body is not None and not isinstance(body, (str, bytes, dict)):
            issues.append(([*at_request, "body"], "the body must be text, binary or a mapping"))
        if "parsed_body" not in response:
            body = response.get("body")
            if not isinstance(body, dict) or not isinstance(body.get("string"), (str, bytes)):
                issues.append(([*at_response, "body"], "the response body must be {string: ...}"))
    return issues


def _message(side: dict[str, Any], which: str) -> Message:
    headers = _headers(side.get("headers"))
    raw_headers = side.get("headers")
    written = (
        {str(k).lower(): (str(k), isinstance(v, list)) for k, v in raw_headers.items()}
        if isinstance(raw_headers, dict)
        else {}
    )
    if "parsed_body" in side:
        parsed = side["parsed_body"]
        return Message(headers, parsed, len(json_text(parsed, default=str).encode()), written)
    body = side.get("body")
    if which == "response" and isinstance(body, dict):
        body = body.get("string")
    elif isinstance(body, dict) and "string" in body:  # some request bodies nest it too
        body = body["string"]
    if body is None:
        return Message(headers, None, 0, written)
    raw = body if isinstance(body, bytes) else str(body).encode("utf-8", "surrogatepass")
    encoding = ",".join(headers.get("content-encoding", [])).lower()
    if raw[:2] == b"\x1f\x8b":  # gzip, whatever the headers say (decoding was off)
        raw = _gunzip(raw, f"the {which} body")
    elif "deflate" in encoding and isinstance(body, bytes):
        raw = _inflate(raw, f"the {which} body")
    return Message(headers, _decode(raw, isinstance(body, bytes)), len(raw), written)


def _headers(raw: Any) -> dict[str, list[str]]:
    headers: dict[str, list[str]] = {}
    if not isinstance(raw, dict):
        return headers
    for name, value in raw.items():
        values = value if isinstance(value, list) else [value]
        headers.setdefault(str(name).lower(), []).extend(str(v) for v in values)
    return headers


def _decode(raw: bytes, binary: bool) -> Any:
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


def _events(response: Message) -> list[dict[str, Any]] | None:
    body = response.body
    content_type = ",".join(response.headers.get("content-type", []))
    if not isinstance(body, str):
        return None
    if "text/event-stream" in content_type or body.lstrip().startswith(("data:", "event:")):
        return text_events(body)
    return None


def _gunzip(raw: bytes, what: str) -> bytes:
    try:
        return _bounded(zlib.decompressobj(wbits=31), raw, what)
    except (zlib.error, EOFError, gzip.BadGzipFile) as error:
        raise io.LoadError(f"{what} is not valid gzip: {error}") from None


def _inflate(raw: bytes, what: str) -> bytes:
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
