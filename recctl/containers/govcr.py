"""go-vcr cassettes (``gopkg.in/dnaeon/go-vcr``): fantasy, crush, anthropic-sdk-go.

YAML with ``version:`` then ``interactions:``. Version 1: each item is ``{request:
{body, form, headers, url, method}, response: {body, headers, status: "200 OK",
code, duration}}``. Version 2 adds an ``id`` and, on both sides, ``proto``,
``content_length``, ``host``, sometimes ``transfer_encoding`` and ``uncompressed:
true`` (Go's transport removed the gzip coding already). Bodies are strings, or
``!!binary`` bytes; the key is ``url``, not VCR.py's ``uri``.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from recctl import budget
from recctl.containers import http, sniff
from recctl.containers.bodies import decoded_under_encoding
from recctl.containers.yaml_safe import load_yaml
from recctl.exchange import Exchange, Message, NotExchanges, Place, RecordedFile

if TYPE_CHECKING:
    from recctl.containers import Container
    from recctl.containers.testsource import Verdict
    from recctl.secrets import Secret

answer = http.answer
answers = http.answers
body_places = http.body_places
broken_code = http.broken_code
details = http.details
facts = http.facts
one_per_file = http.one_per_file
rewrite = http.rewrite_yaml
renamed = http.renamed
searchable = http.searchable
stored = http.stored
volatile = http.volatile

name = "govcr"
title: str = "go-vcr"
noun: str = "cassette"
#: Go keeps test fixtures under ``testdata/`` (``testdata/cassettes/`` or per test);
#: go-vcr's own examples under ``fixtures/``.
directories: tuple[str, ...] = ("testdata", "cassettes", "fixtures")
dedicated: tuple[str, ...] = ("cassettes",)
suffixes: tuple[str, ...] = (".yaml", ".yml")
suffix_alone: bool = True
#: How a file maps to its test: read from the test sources where certain
#: (``containers.testsource``), else unmapped, never stale.
tests: str = "sources"


def claims(head: bytes, path: str) -> bool | None:
    """A top-level ``interactions:`` list whose first item is go-vcr's (``url``, a
    response ``code``, an ``id``), whatever the order of keys
    (``sniff.cassette_dialect``)."""
    outline = sniff.yaml_outline(head)
    if outline is None:
        return None
    return "interactions" in outline.keys and sniff.cassette_dialect(outline) == "go-vcr"


@budget.per_file
def parse(raw: bytes, path: str) -> RecordedFile:
    document = load_yaml(raw)
    items = document.get("interactions") if isinstance(document, dict) else None
    if not isinstance(items, list) or not isinstance(document.get("version"), int):
        raise NotExchanges("not a go-vcr cassette: no version and interactions")
    why = sniff.not_http(items)
    if why is not None:
        raise NotExchanges(why)
    budget.charge("exchanges", len(items))  # before any is built
    exchanges: list[Exchange] = []
    issues: list[tuple[Place, str]] = []
    warnings: list[tuple[Place, str]] = []
    for index, item in enumerate(items):
        at: Place = ("interactions", index)
        request = item.get("request") if isinstance(item, dict) else None
        response = item.get("response") if isinstance(item, dict) else None
        if not isinstance(request, dict) or not isinstance(response, dict):
            issues.append((at, "an interaction needs a request and a response"))
            continue
        method, url = request.get("method"), request.get("url")
        code = http.status_code(response.get("code")) or http.status_code(response.get("status"))
        issues += http.call_issues(
            (*at, "request"), (*at, "response", "code"), method, url, code, "url"
        )
        if response.get("uncompressed") is not True:  # Go's transport decoded it: fine
            why = decoded_under_encoding(response.get("headers"), response.get("body"))
            if why is not None:
                warnings.append(((*at, "response", "body"), why))
        exchanges.append(
            http.exchange(
                index,
                str(method or "").upper(),
                str(url or ""),
                code,
                _side(request, "request", (*at, "request"), issues),
                _side(response, "response", (*at, "response"), issues),
                issues,
            )
        )
        http.stamp(exchanges[-1], item.get("recorded_at") or request.get("recorded_at"))
    layout = f"version {document['version']}"
    return RecordedFile(path, len(raw), _self(), layout, exchanges, issues, warnings, raw=raw)


def _side(
    side: dict[str, Any], which: str, place: Place, issues: list[tuple[Place, str]]
) -> Message:
    body = side.get("body")
    if body is not None and not isinstance(body, (str, bytes)):
        issues.append(((*place, "body"), "the body must be text or binary"))
        body = None
    return http.side(side.get("headers"), body or None, which, place, issues)


def replay_notes(file: RecordedFile, secrets: list[Secret]) -> list[str]:
    """go-vcr's default matcher compares method and URL."""
    return http.uri_notes(file, secrets, ADVICE)


ADVICE = http.Advice(
    "go-vcr",
    ignore_query="give the recorder a matcher (SetMatcher, v4: WithMatcher) that compares "
    "the URL without the query parameters {names}",
    hide="add a hook (AddFilter, v2+: AddHook with BeforeSaveHook) that removes {names}",
    spell=lambda name: f'"{name}"',
)


def judge_tests(paths: list[str], root: str) -> list[Verdict]:
    from recctl.containers.testsource import judge_go  # prune only

    return judge_go(paths, root)


def _self() -> Container:
    return sys.modules[__name__]
