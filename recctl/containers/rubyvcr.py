"""Ruby VCR cassettes (the ``vcr`` gem): ruby_llm, activeagent, ruby-openai, boxcars.

A YAML document with ``http_interactions:``, each ``{request: {method, uri, body:
{encoding, string}, headers}, response: {status: {code, message}, headers, body},
recorded_at}``. The method is lower case; header values are lists. A body that is
not UTF-8 is ``string: !binary`` (base64, read as bytes by ``yaml_safe``) or
``base64_string:``; ``encoding: ASCII-8BIT`` alone does not mean base64.
"""

from __future__ import annotations

import base64
import binascii
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

name = "rubyvcr"
title: str = "Ruby VCR"
noun: str = "cassette"
#: The gem's ``cassette_library_dir``: ``spec/fixtures/vcr_cassettes`` (its README),
#: ``spec/cassettes``, ``spec/vcr``, ``test/fixtures/...``.
directories: tuple[str, ...] = ("cassettes", "vcr_cassettes", "fixtures", "vcr")
dedicated: tuple[str, ...] = ("cassettes", "vcr_cassettes")
suffixes: tuple[str, ...] = (".yml", ".yaml")
suffix_alone: bool = True
#: How a file maps to its test: read from the test sources where certain
#: (``containers.testsource``), else unmapped, never stale.
tests: str = "sources"


def claims(head: bytes, path: str) -> bool | None:
    """A YAML mapping with a top-level ``http_interactions`` key."""
    outline = sniff.yaml_outline(head)
    return None if outline is None else "http_interactions" in outline.keys


@budget.per_file
def parse(raw: bytes, path: str) -> RecordedFile:
    document = load_yaml(raw)
    items = document.get("http_interactions") if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise NotExchanges("not a Ruby VCR cassette: no http_interactions")
    budget.charge("exchanges", len(items))  # before any is built
    exchanges: list[Exchange] = []
    issues: list[tuple[Place, str]] = []
    warnings: list[tuple[Place, str]] = []
    for index, item in enumerate(items):
        at: Place = ("http_interactions", index)
        request = item.get("request") if isinstance(item, dict) else None
        response = item.get("response") if isinstance(item, dict) else None
        if not isinstance(request, dict) or not isinstance(response, dict):
            issues.append((at, "an interaction needs a request and a response"))
            continue
        method, uri = request.get("method"), request.get("uri")
        status = response.get("status")
        code = http.status_code(status.get("code") if isinstance(status, dict) else status)
        issues += http.call_issues(
            (*at, "request"), (*at, "response", "status"), method, uri, code, "uri"
        )
        body = response.get("body")
        stored = body.get("string") if isinstance(body, dict) else None
        why = decoded_under_encoding(response.get("headers"), stored)
        if why is not None:
            warnings.append(((*at, "response", "body"), why))
        exchanges.append(
            http.exchange(
                index,
                str(method or "").upper(),
                str(uri or ""),
                code,
                _side(request, "request", (*at, "request"), issues),
                _side(response, "response", (*at, "response"), issues),
                issues,
            )
        )
        http.stamp(exchanges[-1], item.get("recorded_at"))
    return RecordedFile(path, len(raw), _self(), "vcr", exchanges, issues, warnings, raw=raw)


def _side(
    side: dict[str, Any], which: str, place: Place, issues: list[tuple[Place, str]]
) -> Message:
    body = side.get("body")
    stored: Any = None
    if isinstance(body, dict):
        if isinstance(body.get("base64_string"), str):
            try:
                stored = base64.b64decode(body["base64_string"])
            except (binascii.Error, ValueError):
                issues.append(((*place, "body"), "base64_string is not base64"))
        else:
            stored = body.get("string")
    elif body is not None:
        issues.append(((*place, "body"), "the body must be {encoding, string}"))
    return http.side(side.get("headers"), stored, which, place, issues)


def replay_notes(file: RecordedFile, secrets: list[Secret]) -> list[str]:
    return http.uri_notes(file, secrets, ADVICE)


ADVICE = http.Advice(
    "Ruby VCR",
    ignore_query="set default_cassette_options "
    "match_requests_on: [:method, VCR.request_matchers.uri_without_params({names})]",
    hide="hide the values of {names} with config.filter_sensitive_data('<NAME>') {{ ENV['NAME'] }}",
    spell=lambda name: f":{name}" if name.isidentifier() else f":{name!r}",
)


def judge_tests(paths: list[str], root: str) -> list[Verdict]:
    from recctl.containers.testsource import judge_ruby  # prune only

    return judge_ruby(paths, root)


def _self() -> Container:
    return sys.modules[__name__]
