"""Response fixtures (vercel/ai, ``packages/<provider>/src/**/__fixtures__/``): no
request, no headers, one provider's answer per file.

``<name>.json`` is a provider's whole response body as it came (an OpenAI chat
completion, a Responses object, an Anthropic message, Gemini's
``generateContent``, a Bedrock Converse answer); ``<name>.chunks.txt`` a streamed
response, one JSON payload per line, the SSE ``data:`` framing already removed
(Bedrock's event-stream frames likewise reduced to ``{"contentBlockDelta": {...}}``).
The protocol is told by the payloads themselves (``recctl.protocols``), the
provider by the package's name. A name may carry a sequence number (``.1.json``)
for the calls of one conversation.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson

from recctl import budget, io
from recctl.containers import http, sniff
from recctl.exchange import Exchange, Message, Place, RecordedFile

if TYPE_CHECKING:
    from recctl.containers import Container
    from recctl.secrets import Secret

answer = http.answer
answers = http.answers
body_places = http.body_places
details = http.details
renamed = http.renamed
searchable = http.searchable
stored = http.stored

name = "vercel"
title: str = "vercel/ai response fixture"
noun: str = "response fixture"
#: Jest's ``__fixtures__`` holds other fixtures too: only a file whose structure is
#: a provider's response is read there.
directories: tuple[str, ...] = ("__fixtures__",)
dedicated: tuple[str, ...] = ()
suffixes: tuple[str, ...] = (".chunks.txt", ".json")
suffix_alone: bool = False
one_per_file: bool = True
#: Which test reads a fixture is not in its name: reported unmapped, never stale.
tests: str = "unmapped"
broken_code: str = "RC002"
volatile: tuple[str, ...] = ()
#: Top-level keys of the response bodies the protocols read (OpenAI chat and
#: Responses, Anthropic, Gemini, Bedrock Converse, Cohere, Ollama, errors).
RESPONSE_KEYS = frozenset(
    {
        "choices",
        "candidates",
        "output",
        "content",
        "usage",
        "usageMetadata",
        "stopReason",
        "object",
        "message",
        "generations",
        "finish_reason",
        "error",
        "type",
        "model",
        "modelVersion",
    }
)
#: Bedrock ConverseStream events, as the fixtures keep them: ``{type: payload}``.
_CONVERSE = frozenset(
    {
        "messageStart",
        "contentBlockStart",
        "contentBlockDelta",
        "contentBlockStop",
        "messageStop",
        "metadata",
    }
)
_PACKAGE = re.compile(r"(?:^|/)packages/([^/]+)/")


def claims(head: bytes, path: str) -> bool | None:
    if "/__fixtures__/" not in "/" + path.replace("\\", "/"):
        return False
    if path.endswith(".chunks.txt"):
        first = head.lstrip().split(b"\n", 1)[0]
        return first.startswith(b"{")
    keys = sniff.json_keys(head)
    if keys is None:
        return False if head.lstrip()[:1] not in (b"", b"{") else None
    return bool(RESPONSE_KEYS.intersection(keys))


@budget.per_file
def parse(raw: bytes, path: str) -> RecordedFile:
    issues: list[tuple[Place, str]] = []
    place: Place = ("response",)
    events: list[dict[str, Any]] | None = None
    body: Any
    if path.endswith(".chunks.txt"):
        events = []
        for number, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                payload = orjson.loads(line)
            except orjson.JSONDecodeError:
                issues.append((("line", number), "not a JSON payload"))
                continue
            events.append(_event(payload))
        body = events
    else:
        body = io.parse(raw)
    response = Message({}, body, len(raw), place, "body")
    exchange = Exchange(
        0,
        "",
        "",
        None,
        Message({}, None, 0, ("request",)),
        response,
        events,
        url_key="",
        source={"response": {"body": body}},
    )
    found = _PACKAGE.search(path.replace("\\", "/"))
    if found:
        exchange.extras["provider"] = found.group(1)
    return RecordedFile(path, len(raw), _self(), _layout(path), [exchange], issues, raw=raw)


def _event(payload: Any) -> dict[str, Any]:
    """One line's payload as the protocols read it: a Bedrock event as decoded from
    its frame (its type under ``:event-type``)."""
    if isinstance(payload, dict) and len(payload) == 1:
        kind, value = next(iter(payload.items()))
        if kind in _CONVERSE and isinstance(value, dict):
            return {":event-type": kind, **value}
    return payload if isinstance(payload, dict) else {"value": payload}


def _layout(path: str) -> str:
    return "chunks" if path.endswith(".chunks.txt") else "response"


def rewrite(raw: bytes, replace: Callable[[bytes], bytes]) -> tuple[bytes, bool]:
    return replace(raw), False  # JSON text: every string is where it stands


def replay_notes(file: RecordedFile, secrets: list[Secret]) -> list[str]:
    return []  # no request: nothing a replayer matches


def facts(exchange: Exchange) -> dict[str, Any]:
    provider = exchange.extras.get("provider")
    return {"provider": provider} if provider else {}


def _self() -> Container:
    return sys.modules[__name__]
