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
from recctl.io import json_text
from recctl.protocols import model_in_url
from recctl.providers import provider_of_url
from recctl.values import as_dict, as_list, as_str

#: Strings longer than this are shortened unless --full.
SHORT_LIMIT = 600
_DATA_URL = re.compile(r"data:([\w/+.-]+);base64,([A-Za-z0-9+/=_-]{64,})")


@dataclass
class ToolCallView:
    name: str | None
    arguments: str
    id: str | None = None


@dataclass
class Message:
    role: str
    text: str | None = None
    tool_calls: list[ToolCallView] = field(default_factory=list)
    tool_call_id: str | None = None


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
            exchange.extras.get("provider") or provider_of_url(exchange.url),
            exchange.extras.get("call"),
            facts=file.container.facts(exchange) | _placeholders(exchange),
            details=file.container.details(exchange, answer, shorten),
        )
        if "parameters" in exchange.extras:  # not a conversation: a tool call, say
            view.parameters = exchange.extras["parameters"]
        elif answer is not None:
            view.messages = conversation(payload, shorten)
            view.tools = tools_offered(payload)
            view.parameters = request_parameters(payload)
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


def request_parameters(payload: dict[str, Any]) -> dict[str, Any]:
    """Sampling and other parameters of a request: everything but model, messages, tools."""
    parameters = {k: v for k, v in payload.items() if k not in _NOT_PARAMETERS}
    parameters.update(_genai_config(payload))
    return parameters


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

_NOT_PARAMETERS = frozenset(
    {
        "model",
        "messages",
        "tools",
        "stream",
        "stream_options",
        "contents",
        "input",
        "prompt",
        "system",
        "config",
        "raw",
    }
)


def conversation(payload: dict[str, Any], shorten: Any) -> list[Message]:
    """The request as messages, for OpenAI, Anthropic, genai and interactions bodies."""
    messages: list[Message] = []
    system = payload.get("system")
    config = as_dict(payload.get("config"))
    system = system if system is not None else config.get("system_instruction")
    if system is not None:
        messages.append(Message("system", shorten(flatten(system))))
    for raw in as_list(payload.get("messages")):
        messages.append(_message(as_dict(raw), shorten))
    for raw in as_list(payload.get("contents")):
        messages.append(_genai_content(raw, shorten))
    request_input = payload.get("input")
    prompt = payload.get("prompt")
    for value in (request_input, prompt):
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            messages.extend(_message(as_dict(v), shorten) for v in value)
        elif value is not None:
            messages.append(Message("user", shorten(flatten(value))))
    return messages


def _message(raw: dict[str, Any], shorten: Any) -> Message:
    role = as_str(raw.get("role")) or as_str(raw.get("type")) or "?"
    message = Message(role, tool_call_id=as_str(raw.get("tool_call_id")))
    content = raw.get("content")
    blocks = content if isinstance(content, list) else []
    text = (
        flatten([b for b in blocks if as_dict(b).get("type") != "tool_use"])
        if blocks
        else (flatten(content) if content is not None else None)
    )
    if text is None and "parts" in raw:  # interactions turns
        text = flatten(raw.get("parts"))
    message.text = shorten(text) if text else text
    for call in as_list(raw.get("tool_calls")):
        function = as_dict(as_dict(call).get("function"))
        arguments = function.get("arguments")
        message.tool_calls.append(
            ToolCallView(
                as_str(function.get("name")),
                shorten(_arguments_text(arguments)),
                as_str(as_dict(call).get("id")),
            )
        )
    for block in blocks:
        block = as_dict(block)
        if block.get("type") == "tool_use":  # Anthropic
            message.tool_calls.append(
                ToolCallView(
                    as_str(block.get("name")),
                    shorten(_arguments_text(block.get("input"))),
                    as_str(block.get("id")),
                )
            )
        elif block.get("type") == "tool_result":
            message.tool_call_id = message.tool_call_id or as_str(block.get("tool_use_id"))
    return message


def _genai_content(raw: Any, shorten: Any) -> Message:
    content = as_dict(raw)
    role = as_str(content.get("role")) or "user"
    message = Message("assistant" if role == "model" else role)
    texts = []
    for part in as_list(content.get("parts")):
        part = as_dict(part)
        if isinstance(part.get("text"), str):
            texts.append(part["text"])
        call = as_dict(part.get("function_call"))
        if call:
            message.tool_calls.append(
                ToolCallView(
                    as_str(call.get("name")),
                    shorten(_arguments_text(call.get("args"))),
                    as_str(call.get("id")),
                )
            )
        result = as_dict(part.get("function_response"))
        if result:
            message.role = "tool"
            texts.append(_arguments_text(result.get("response")))
            message.tool_call_id = as_str(result.get("id")) or as_str(result.get("name"))
    message.text = shorten("\n".join(texts)) if texts else None
    return message


def _genai_config(payload: dict[str, Any]) -> dict[str, Any]:
    config = as_dict(payload.get("config"))
    return {k: v for k, v in config.items() if k not in ("system_instruction", "tools")}


def flatten(content: Any) -> str:
    """Message content as text: strings as they are, parts joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(text for text in (flatten(part) for part in content) if text)
    if isinstance(content, dict):
        for key in ("text", "content", "thinking", "output"):
            if isinstance(content.get(key), (str, list)):
                return flatten(content[key])
        for key in ("image_url", "input_audio", "file", "image", "source", "inline_data"):
            if key in content:
                return _media(str(content.get("type", key)), content[key])
        return json_text(content)
    return "" if content is None else json_text(content)


def _media(kind: str, inner: Any) -> str:
    """An image, audio or file part: its URL (a data URL, which ``short`` shortens to
    its type and size unless --full), or its format and size, never inline base64
    data: ``[input_audio: wav, 48,000 bytes]``."""
    if isinstance(inner, str):
        return f"[{kind}: {inner}]"
    inner = as_dict(inner)
    url = inner.get("url") or inner.get("file_data")
    described = [str(inner[k]) for k in ("filename", "file_id") if isinstance(inner.get(k), str)]
    if isinstance(url, str):
        described.append(url)
    kind_of = inner.get("format") or inner.get("media_type") or inner.get("mime_type")
    if isinstance(kind_of, str):
        described.append(kind_of)
    data = inner.get("data")
    if isinstance(data, str):
        padding = len(data) - len(data.rstrip("="))
        described.append(f"{len(data) * 3 // 4 - padding:,} bytes")
    return f"[{kind}: {', '.join(described) or '…'}]"


def _arguments_text(arguments: Any) -> str:
    if isinstance(arguments, str):
        return arguments
    return json_text(arguments) if arguments is not None else ""


def tools_offered(payload: dict[str, Any]) -> list[str]:
    """Names of the tools a request offers (OpenAI, Anthropic, genai declarations)."""
    tools = as_list(payload.get("tools")) + as_list(as_dict(payload.get("config")).get("tools"))
    names: list[str] = []
    for tool in map(as_dict, tools):
        declarations = as_list(tool.get("function_declarations"))
        if declarations:
            names.extend(as_str(as_dict(d).get("name")) or "?" for d in declarations)
            continue
        function = as_dict(tool.get("function"))
        names.append(
            as_str(function.get("name"))
            or as_str(tool.get("name"))
            or as_str(tool.get("type"))
            or "?"
        )
    return names
