"""Wire protocols: what a provider sends back, read into an ``Answer`` (``recctl.answer``).

One module per protocol family: ``openai_chat`` (chat completions and legacy
completions), ``openai_responses``, ``anthropic`` (messages), ``google`` (genai
``generateContent`` and Gemini interactions), ``bedrock`` (Converse), ``ollama``
(native API), ``openai_audio`` (transcriptions), ``openai_realtime`` (Realtime
WebSocket sessions), ``xai_grpc`` (xAI's gRPC chat API, as JSON), and ``sse``
(event streams). Each
takes a body or a list of event dicts, never a container: every container hands
them the same objects.

Each protocol module in ``PROTOCOLS`` says how it recognizes what it reads:
``stream_answer(events, kinds)`` and ``body_answer(body, url)`` return its
answer, or None when the stream or body is not its own; and ``volatile``, the
fields of its objects that change on every re-record, relative to the object
(a container adds where its objects are), and ``request_volatile``, the ids a
request echoes (tool-call ids, relative to the body); ``request(payload, shorten)``,
what a request of its own asks (history, tools offered, parameters), or None. Many
providers speak another's protocol (OpenAI's chat API is served by Mistral,
DeepSeek, OpenRouter, vLLM, ...), so the body decides, not the host.
"""

from __future__ import annotations

import re
from typing import Any, Protocol
from urllib.parse import unquote

from recctl.answer import Answer
from recctl.io import json_text
from recctl.protocols import (
    anthropic,
    bedrock,
    cohere,
    google,
    ollama,
    openai_audio,
    openai_chat,
    openai_realtime,
    openai_responses,
    xai_grpc,
)
from recctl.request import Request, Shorten, parameters_but
from recctl.values import as_dict, as_str


class WireProtocol(Protocol):
    volatile: tuple[str, ...]
    request_volatile: tuple[str, ...]

    def stream_answer(self, events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
        """The answer of a stream of this protocol's events, else None."""

    def body_answer(self, body: dict[str, Any], url: str) -> Answer | None:
        """The answer of a body of this protocol, else None."""

    def request(self, payload: dict[str, Any], shorten: Shorten) -> Request | None:
        """What a request of this protocol asks, else None."""


#: In the order they are tried: each recognizes what the others cannot have.
PROTOCOLS: tuple[WireProtocol, ...] = (
    xai_grpc,
    bedrock,
    openai_realtime,
    openai_responses,
    anthropic,
    google,
    cohere,
    openai_audio,
    openai_chat,
    ollama,
)

#: Every protocol's ids a request echoes (tool-call ids), relative to the request body.
REQUEST_VOLATILE: tuple[str, ...] = tuple(
    dict.fromkeys(path for protocol in PROTOCOLS for path in protocol.request_volatile)
)

#: Every protocol's volatile fields, relative to its objects.
VOLATILE: tuple[str, ...] = tuple(
    dict.fromkeys(path for protocol in PROTOCOLS for path in protocol.volatile)
)


def read_request(payload: Any, shorten: Shorten) -> Request:
    """What a request body asks, read by the protocol whose request it is: every
    provider's history, tools and parameters the same way. A body no protocol
    claims is all parameters. A list of objects is what a client sent over a
    WebSocket: read as ``{"sent": [...]}``."""
    if isinstance(payload, list) and all(isinstance(item, dict) for item in payload):
        payload = {"sent": payload}
    if not isinstance(payload, dict):
        return Request()
    for protocol in PROTOCOLS:
        found = protocol.request(payload, shorten)
        if found is not None:
            return found
    return Request(parameters=parameters_but(payload, frozenset({"model"})))


def read_answer(
    url: str, status: int | None, body: Any, events: list[dict[str, Any]] | None
) -> Answer | None:
    """The answer an HTTP exchange holds, from its stream events or its body; an
    error body when it holds none; None for a call that holds no LLM answer (an
    upload, an auth call, a GET)."""
    answer = read_stream(events) if events else read_body(body, url)
    if answer is None:
        answer = http_error(body, status)
    if answer is not None and answer.model is None:
        answer.model = model_in_url(url)
    return answer.close() if answer is not None else None


#: Bedrock, Gemini and Vertex name the model in the path:
#: ``/model/{id}/converse``, ``/models/gemini-2.5-flash:generateContent``.
_MODEL_IN_URL = re.compile(r"/models?/([^/?#]+)(/?)")


def model_in_url(url: str) -> str | None:
    """The model a path names, whole (Bedrock's ``…-v1:0``, written ``%3A0`` or not);
    a ``:verb`` ends a path only as Google's custom methods (``:generateContent``)."""
    found = _MODEL_IN_URL.search(url)
    if not found:
        return None
    segment = found.group(1)
    if not found.group(2) and ":" in segment:  # the last segment: ``{model}:{method}``
        segment = segment.rpartition(":")[0]
    return unquote(segment) or None


def read_stream(events: list[dict[str, Any]]) -> Answer | None:
    kinds = {kind for event in events if isinstance(kind := event.get("type"), str)}
    for protocol in PROTOCOLS:
        answer = protocol.stream_answer(events, kinds)
        if answer is not None:
            return answer
    return None


def read_body(body: Any, url: str = "") -> Answer | None:
    if isinstance(body, list) and body and all(isinstance(item, dict) for item in body):
        return read_stream(body)  # a JSON array of chunks: Gemini's stream without SSE
    if not isinstance(body, dict):
        return None
    for protocol in PROTOCOLS:
        answer = protocol.body_answer(body, url)
        if answer is not None:
            return answer
    return None


def http_error(body: Any, status: int | None) -> Answer | None:
    """An error the provider answered with: an ``error`` object, or a status of 400 up
    (with or without a body)."""
    if (status or 200) >= 500 and not body:
        return Answer("http_error", False, error=f"HTTP {status}: no body")
    if not isinstance(body, dict):
        return None
    if not isinstance(body.get("error"), dict) and (status or 200) < 400:
        return None
    error = as_dict(body.get("error"))
    message = as_str(error.get("message")) or json_text(body)[:200]
    return Answer("http_error", False, error=(f"HTTP {status}: " if status else "") + message)
