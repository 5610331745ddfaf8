"""VCR.py cassettes: one YAML file holding N recorded HTTP interactions (docs/cassettes.md).

``parse`` turns a cassette's bytes into exchanges, whatever the layout: VCR.py's
default (``interactions:`` with ``body: {string: ...}``), pydantic-ai's
(``parsed_body:`` mappings, literal SSE blocks) and LangChain's gzip-compressed
files (``requests:`` and ``responses:`` lists). Bodies stored as ``!!binary`` are
decoded, gzip and deflate bodies decompressed (``bodies``), header values read as
lists whether stored as lists or strings. YAML is read safely (``yaml_safe``).
pydantic-ai's xAI gRPC recordings and realtime WebSocket sessions, kept among its
cassettes, are read as exchanges too (``vcrpy_sessions``). Other YAML raises
``NotExchanges``: a note, not an error.
"""

from __future__ import annotations

import gzip
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from recctl import budget, io
from recctl.containers import http, sniff, vcrpy_sessions
from recctl.containers.bodies import gunzip, header_lists, headers_written, message
from recctl.containers.yaml_safe import load_yaml
from recctl.exchange import CannotRewrite, Exchange, Message, NotExchanges, Place, RecordedFile
from recctl.io import json_text

if TYPE_CHECKING:
    from recctl.containers import Container
    from recctl.secrets import Secret

# What every HTTP container shares (``containers.http``):
answer = http.answer
answers = http.answers
body_places = http.body_places
broken_code = http.broken_code
details = http.details
facts = http.facts
one_per_file = http.one_per_file
renamed = http.renamed
searchable = http.searchable
stored = http.stored
volatile = http.volatile

name = "vcrpy"
title: str = "VCR.py"
noun: str = "cassette"
directories: tuple[str, ...] = ("cassettes", "vcr_cassettes")
dedicated: tuple[str, ...] = ("cassettes", "vcr_cassettes")
suffixes: tuple[str, ...] = (".yaml", ".yml", ".yaml.gz")
suffix_alone: bool = True
#: pytest-recording names a cassette after its test (``containers.vcrpy_layouts``).
tests: str = "layout"


def claims(head: bytes, path: str) -> bool | None:
    """A top-level ``interactions:`` list whose first item is VCR.py's (``uri``, a
    status mapping), or LangChain's ``requests:`` (``sniff.cassette_dialect``)."""
    if head[:2] == b"\x1f\x8b":
        return True if path.endswith(".yaml.gz") else None
    outline = sniff.yaml_outline(head)
    if outline is None:
        return None
    if "interactions" in outline.keys:
        return sniff.cassette_dialect(outline) == "vcrpy"
    if "request_sample" in outline.keys:  # a gRPC recording pydantic-ai keeps beside them
        return True
    return "requests" in outline.keys and "http_interactions" not in outline.keys


@budget.per_file
def parse(raw: bytes, path: str) -> RecordedFile:
    size = len(raw)
    if raw[:2] == b"\x1f\x8b":
        raw = gunzip(raw, "the file")
    layout, exchanges, issues = _cassette(load_yaml(raw), path)
    return RecordedFile(path, size, _self(), layout, exchanges, issues, raw=raw)


def _self() -> Container:
    return sys.modules[__name__]


def rewrite(raw: bytes, replace: Callable[[bytes], bytes]) -> tuple[bytes, bool]:
    """Edit inside a cassette that is gzip as a whole, and inside its ``!!binary``
    bodies (``http.rewrite_yaml``). An xAI gRPC recording whose protobuf bytes hold
    what is replaced is left alone (``CannotRewrite``): they are not decoded, and
    an edit of a length-prefixed string would break them."""
    if raw[:2] == b"\x1f\x8b":
        inner = gunzip(raw, "the file")
        edited, _ = http.rewrite_yaml(inner, replace)
        return (gzip.compress(edited, mtime=0), True) if edited != inner else (raw, False)
    edited, reencoded = http.rewrite_yaml(raw, replace)
    if reencoded and _is_grpc(raw):
        raise CannotRewrite(
            "an xAI gRPC recording's protobuf bytes (raw) hold it, and recctl does not "
            "re-encode protobuf: record it again with the key kept out"
        )
    return edited, reencoded


def _is_grpc(raw: bytes) -> bool:
    outline = sniff.yaml_outline(raw)
    if outline is None:
        return False
    item = outline.first("interactions")
    return bool(sniff.GRPC_KEYS.intersection(outline.keys)) or (
        item is not None and bool(sniff.GRPC_KEYS.intersection(item))
    )


Parsed = tuple[str, list[Exchange], list[tuple[Place, str]]]  # layout, exchanges, issues


def replay_notes(file: RecordedFile, secrets: list[Secret]) -> list[str]:
    return http.uri_notes(file, secrets, ADVICE)


ADVICE = http.Advice(
    "VCR.py",
    ignore_query="add filter_query_parameters=[{names}] to the VCR configuration "
    "(pytest-recording: vcr_config)",
    hide="add filter_headers=[{names}] (headers) and filter_query_parameters (the query)",
)


def _cassette(document: Any, path: str) -> Parsed:
    if not isinstance(document, dict):
        raise NotExchanges("not an HTTP cassette: the YAML is not a mapping")
    if sniff.GRPC_KEYS.intersection(document):  # one call, not in a list
        budget.charge("exchanges", 1)
        exchanges, issues = vcrpy_sessions.grpc([document], ())
        return "xai_grpc", exchanges, issues
    interactions = document.get("interactions")
    if isinstance(interactions, list):
        if vcrpy_sessions.is_grpc(interactions):
            budget.charge("exchanges", len(interactions))
            exchanges, issues = vcrpy_sessions.grpc(interactions)
            return "xai_grpc", exchanges, issues
        if vcrpy_sessions.is_websocket(interactions):
            return "websocket", [vcrpy_sessions.websocket(document, interactions)], []
        budget.charge("exchanges", len(interactions))  # before any is built
        if interactions and all(_is_http(item) for item in interactions):
            layout = "parsed_body" if any(_has_parsed_body(i) for i in interactions) else "vcr"
            pairs = [(item["request"], _httpx_response(item["response"])) for item in interactions]
            places: list[tuple[Place, Place]] = [
                (("interactions", n, "request"), ("interactions", n, "response"))
                for n in range(len(pairs))
            ]
            issues = _issues(pairs, places)
            return layout, _exchanges(pairs, places, issues), issues
        if not interactions:
            return "vcr", [], []
        raise NotExchanges("not an HTTP cassette: its interactions are not requests and responses")
    requests, responses = document.get("requests"), document.get("responses")
    if isinstance(requests, list) and isinstance(responses, list):
        budget.charge("exchanges", max(len(requests), len(responses)))
        if len(requests) != len(responses):
            raise io.LoadError(
                f"{len(requests)} requests but {len(responses)} responses: not a cassette VCR "
                "can replay"
            )
        if all(isinstance(r, dict) for r in [*requests, *responses]):
            pairs = list(zip(requests, responses, strict=True))
            sides: list[tuple[Place, Place]] = [
                (("requests", n), ("responses", n)) for n in range(len(pairs))
            ]
            issues = _issues(pairs, sides)
            return "langchain", _exchanges(pairs, sides, issues), issues
    raise NotExchanges("not an HTTP cassette: no interactions")


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


def _exchanges(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]],
    places: list[tuple[Place, Place]],
    issues: list[tuple[Place, str]],
) -> list[Exchange]:
    """The exchanges; what is wrong with an event stream's framing goes to ``issues``."""
    exchanges = []
    for index, ((request, response), (at_request, at_response)) in enumerate(
        zip(pairs, places, strict=True)
    ):
        status = response.get("status")
        exchanges.append(
            http.exchange(
                index,
                str(request.get("method") or "").upper(),
                str(request.get("uri") or request.get("url") or ""),
                http.status_code(status.get("code") if isinstance(status, dict) else status),
                _message(request, "request", at_request),
                _message(response, "response", at_response),
                issues,
            )
        )
    return exchanges


def _issues(
    pairs: list[tuple[dict[str, Any], dict[str, Any]]], places: list[tuple[Place, Place]]
) -> list[tuple[Place, str]]:
    """What VCR.py could not replay: a request without method or uri, a response without
    a status code, headers that are not a mapping, a body of another type."""
    issues: list[tuple[Place, str]] = []
    for (request, response), (at_request, at_response) in zip(pairs, places, strict=True):
        status = response.get("status")
        code = status.get("code") if isinstance(status, dict) else None
        issues += http.call_issues(
            at_request,
            (*at_response, "status"),
            request.get("method"),
            request.get("uri"),
            code if type(code) is int and 100 <= code < 600 else None,
            "uri",
        )
        for side, at in ((request, at_request), (response, at_response)):
            headers = side.get("headers")
            if headers is not None and not isinstance(headers, dict):
                issues.append(((*at, "headers"), "headers must be a mapping"))
        body = request.get("body")
        if body is not None and not isinstance(body, (str, bytes, dict)):
            issues.append(((*at_request, "body"), "the body must be text, binary or a mapping"))
        if "parsed_body" not in response:
            body = response.get("body")
            if not isinstance(body, dict) or not isinstance(body.get("string"), (str, bytes)):
                issues.append(((*at_response, "body"), "the response body must be {string: ...}"))
    return issues


def _message(side: dict[str, Any], which: str, place: Place) -> Message:
    raw_headers = side.get("headers")
    if "parsed_body" in side:
        parsed = side["parsed_body"]
        size = len(json_text(parsed, default=str).encode())
        headers, written = header_lists(raw_headers), headers_written(raw_headers)
        return Message(headers, parsed, size, place, "body", written=written)
    body = side.get("body")
    if which == "response" and isinstance(body, dict):
        body = body.get("string")
    elif isinstance(body, dict) and "string" in body:  # some request bodies nest it too
        body = body["string"]
    return message(raw_headers, body, which, place)
