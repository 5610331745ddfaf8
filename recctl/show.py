"""A recorded file as a person reads it: per exchange the call, the conversation,
the answer and its usage (``recctl show``).

``build_view`` is pure: it turns a file's exchanges into a ``FileView`` of plain
values that the renderers print (Rich for people, plain text for git, JSON for
machines). Long strings and base64 data URLs are shortened unless ``full``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from recctl.answer import Answer
from recctl.exchange import Exchange, RecordedFile
from recctl.protocols import model_in_url, read_request
from recctl.providers import provider_of
from recctl.request import Message
from recctl.values import as_dict, as_str

#: Strings longer than this are shortened unless --full.
SHORT_LIMIT = 600
_DATA_URL = re.compile(r"data:([\w/+.-]+);base64,([A-Za-z0-9+/=_-]{64,})")


@dataclass
class ExchangeView:
    """One exchange as ``show`` presents it."""

    index: int
    method: str
    url: str
    status: int | None
    stored: str  # how the response is stored: "JSON, 1,234 bytes", "typed chunks (...)"
    answer: Answer | None  # None: a call that holds no LLM answer
    model: str | None  # the model answering, else the model asked for
    provider: str | None
    call: str | None = None  # a call that is not an HTTP request: "tool", "file processor"
    messages: list[Message] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    #: What only the container records, shown as it is: test id, endpoint, its shape.
    facts: dict[str, Any] = field(default_factory=dict)
    #: Facts of bodies that are not an answer: model ids, embedding sizes, tool results...
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class FileView:
    path: str
    size: int
    noun: str  # what the file is: "recording", "cassette"
    title: str  # the container as people name it: "VCR.py"
    layout: str
    one_per_file: bool  # shown as its one exchange
    exchanges: list[ExchangeView]


def build_view(file: RecordedFile, full: bool = False, data_urls: bool = False) -> FileView:
    """The view of every exchange of a file. ``full`` keeps long strings whole;
    ``data_urls`` (with ``full``, for git) still shows base64 data as size and digest."""
    shorten: Callable[[str], str] = (shorten_data_urls if data_urls else _whole) if full else short
    views = []
    for exchange in file.exchanges:
        answer = file.answer(exchange)
        if answer is not None and data_urls:
            answer = _answer_shortened(answer)
        payload = as_dict(exchange.request.body)
        view = ExchangeView(
            exchange.index,
            exchange.method,
            exchange.url,
            exchange.status,
            file.container.stored(exchange),
            answer,
            (answer.model if answer is not None else None)
            or exchange.extras.get("model")
            or as_str(payload.get("model"))
            or model_in_url(exchange.url),
            provider_of(exchange.extras.get("provider"), exchange.url),
            exchange.extras.get("call"),
            facts=file.container.facts(exchange) | _placeholders(exchange),
            details=file.container.details(exchange, answer, shorten),
        )
        if "parameters" in exchange.extras:  # not a conversation: a tool call, say
            view.parameters = exchange.extras["parameters"]
        elif answer is not None:
            # A WebSocket session's request is the list of what its client sent.
            body = exchange.request.body
            request = read_request(body if isinstance(body, list) else payload, shorten)
            view.messages, view.tools = request.messages, request.tools
            view.parameters = request.parameters
        views.append(view)
    return FileView(
        file.path,
        file.size,
        file.container.noun,
        file.container.title,
        file.layout,
        file.container.one_per_file,
        views,
    )


def _placeholders(exchange: Exchange) -> dict[str, Any]:
    """The ``<NAME>`` placeholders its replayer fills in (``http.placeholders``)."""
    from recctl.containers.http import placeholders

    found = [what for _, what in placeholders(exchange)]
    return {"placeholders": found} if found else {}


def _whole(text: str) -> str:
    return text


def _answer_shortened(answer: Answer) -> Answer:
    """``answer`` with base64 data URLs in its text shown as size and digest."""
    for choice in answer.choices:
        for name in ("text", "reasoning", "refusal"):
            value = getattr(choice, name)
            if value:
                setattr(choice, name, shorten_data_urls(value))
        for call in choice.tool_calls:
            call.arguments = shorten_data_urls(call.arguments)
            call.parsed = map_strings(call.parsed, shorten_data_urls)
    return answer


def map_strings(value: Any, function: Callable[[str], str]) -> Any:
    """``value`` with ``function`` applied to every string in it."""
    if isinstance(value, str):
        return function(value)
    if isinstance(value, dict):
        return {key: map_strings(item, function) for key, item in value.items()}
    if isinstance(value, list):
        return [map_strings(item, function) for item in value]
    return value


def short(text: str, limit: int = SHORT_LIMIT) -> str:
    """Data URLs as type, size and digest; then at most ``limit`` characters."""
    text = shorten_data_urls(text)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters)"


def shorten_data_urls(text: str) -> str:
    """``data:image/png;base64,AAAA…`` -> ``data:image/png;base64,…(12,345 chars, sha256 1a2b…)``.

    The digest keeps a changed image visible in a diff of shortened text.
    """

    def replace(match: re.Match[str]) -> str:
        data = match.group(2)
        digest = hashlib.sha256(data.encode()).hexdigest()[:8]
        return f"data:{match.group(1)};base64,…({len(data):,} chars, sha256 {digest})"

    return _DATA_URL.sub(replace, text) if "base64," in text else text


# --- the request ----------------------------------------------------------------
# Each protocol reads its own requests (``protocols.read_request``, ``recctl.request``).
