"""One recording as a person reads it: header, conversation, answer, usage.

``build_view`` is pure: it turns a parsed recording into a ``View`` of plain
values that the renderers print (Rich for people, plain text for git, JSON for
machines). Long strings and base64 data URLs are shortened unless ``full``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from recctl.answer import Answer
from recctl.containers.cassette import Cassette
from recctl.containers.recording import reassemble
from recctl.io import json_text
from recctl.protocols.detect import read_answer
from recctl.shapes import RequestShape, Shape, classify
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
class View:
    path: str
    size: int
    shape: Shape
    test_id: str | None
    endpoint: str | None
    provider: str | None
    model: str | None
    messages: list[Message]
    tools: list[str]
    parameters: dict[str, Any]
    answer: Answer
    #: Facts of bodies that are not an answer: model ids, embedding sizes, tool results...
    details: dict[str, Any]


def build_view(path: str, size: int, recording: Any, full: bool = False) -> View:
    shape = classify(recording)
    top = recording if isinstance(recording, dict) else {}
    request = as_dict(top.get("request"))
    payload = as_dict(request.get("body") or request.get("payload"))
    answer = reassemble(recording, shape)
    shorten = (lambda text: text) if full else short
    if shape.request is RequestShape.TOOL:
        messages: list[Message] = []
        parameters = {"tool": request.get("tool_name"), **as_dict(request.get("kwargs"))}
    elif shape.request is RequestShape.FILE_PROCESSOR:
        messages = []
        parameters = {key: request.get(key) for key in ("api", "file_id")}
    else:
        messages, parameters = conversation(payload, shorten), request_parameters(payload)
    model = as_str(request.get("model")) or as_str(payload.get("model"))
    return View(
        path=path,
        size=size,
        shape=shape,
        test_id=as_str(top.get("test_id")) or as_str(request.get("test_id")),
        endpoint=shape.endpoint,
        provider=provider_of(request),
        model=answer.model or model,
        messages=messages,
        tools=tools_offered(payload),
        parameters=parameters,
        answer=answer,
        details=details(recording, answer.kind, shorten),
    )


def request_parameters(payload: dict[str, Any]) -> dict[str, Any]:
    """Sampling and other parameters of a request: everything but model, messages, tools."""
    parameters = {k: v for k, v in payload.items() if k not in _NOT_PARAMETERS}
    parameters.update(_genai_config(payload))
    return parameters


# --- cassettes ----------------------------------------------------------------------


@dataclass
class InteractionView:
    """One interaction of a cassette, as ``show`` presents it."""

    index: int
    method: str
    url: str
    status: int | None
    response: str  # what the response body is: "JSON, 1,234 bytes", "binary, ... sha256 ..."
    answer: Answer | None  # None: a call that holds no LLM answer
    model: str | None = None  # the model answering, else the model asked for
    messages: list[Message] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass
class CassetteView:
    path: str
    size: int
    layout: str
    interactions: list[InteractionView]


def cassette_view(path: str, size: int, cassette: Cassette, full: bool = False) -> CassetteView:
    shorten = (lambda text: text) if full else short
    interactions = []
    for exchange in cassette.exchanges:
        answer = read_answer(exchange.url, exchange.status, exchange.response.body, exchange.events)
        view = InteractionView(
            exchange.index,
            exchange.method,
            exchange.url,
            exchange.status,
            _body_summary(exchange.response.body, exchange.response.size, exchange.events),
            answer,
        )
        payload = exchange.request.body
        asked = as_str(payload.get("model")) if isinstance(payload, dict) else None
        in_url = _MODEL_IN_URL.search(exchange.url)
        view.model = (
            (answer.model if answer is not None else None)
            or asked
            or (in_url.group(1) if in_url else None)
        )
        if answer is not None and isinstance(payload, dict):
            view.messages = conversation(payload, shorten)
            view.tools = tools_offered(payload)
            view.parameters = request_parameters(payload)
        interactions.append(view)
    return CassetteView(path, size, cassette.layout, interactions)


#: Gemini and Bedrock name the model in the path: .../models/gemini-2.0-flash:generateContent
_MODEL_IN_URL = re.compile(r"/(?:models|model)/([^/:?]+)")


def _body_summary(body: Any, size: int, events: list[dict[str, Any]] | None) -> str:
    if body is None:
        return "no body"
    if events is not None:
        return f"a stream of {len(events):,} events, {size:,} bytes"
    if isinstance(body, bytes):
        return f"binary, {size:,} bytes, sha256 {hashlib.sha256(body).hexdigest()[:16]}…"
    return f"{'JSON' if isinstance(body, (dict, list)) else 'text'}, {size:,} bytes"


# --- shortening -----------------------------------------------------------------


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

_PROVIDERS = (
    ("openai.azure.com", "azure"),
    ("cognitiveservices.azure.com", "azure"),
    ("api.openai.com", "openai"),
    ("anthropic.com", "anthropic"),
    ("bedrock", "bedrock"),
    ("generativelanguage.googleapis.com", "gemini"),
    ("cerebras", "cerebras"),
    ("together", "together"),
    ("fireworks", "fireworks"),
    ("groq", "groq"),
    ("ml.cloud.ibm.com", "watsonx"),
    ("databricks", "databricks"),
    (":11434", "ollama"),
    ("nvidia", "nvidia"),
    ("sambanova", "sambanova"),
    ("mistral", "mistral"),
)


def provider_of(request: dict[str, Any]) -> str | None:
    """A provider name from the request url's host (or the recorded provider)."""
    metadata = as_dict(request.get("provider_metadata"))
    if isinstance(metadata.get("provider"), str):
        return str(metadata["provider"])
    if isinstance(request.get("provider"), str):
        return str(request["provider"])
    url = as_str(request.get("url")) or ""
    if url.startswith("vertexai:"):
        return "vertexai"
    try:
        host = urlsplit(url).netloc or url.split("/", 1)[0]
    except ValueError:
        return None
    for needle, name in _PROVIDERS:
        if needle in host:
            return name
    return host or None


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


# --- bodies that are not an answer ------------------------------------------------


def details(recording: Any, kind: str, shorten: Any) -> dict[str, Any]:
    body = as_dict(as_dict(recording).get("response")).get("body")
    data = as_dict(as_dict(body).get("__data__"))
    if kind == "model_list":
        return {
            "models": [
                as_str(as_dict(as_dict(item).get("__data__")).get("id")) for item in as_list(body)
            ]
        }
    if kind == "embedding":
        vectors = [as_dict(item).get("embedding") for item in as_list(data.get("data"))]
        first = vectors[0] if vectors else None
        return {
            "embeddings": len(vectors),
            "dimensions": len(first) if isinstance(first, list) else None,
        }
    if kind == "ollama_embedding":
        vectors = as_list(data.get("embeddings"))
        return {
            "embeddings": len(vectors),
            "dimensions": len(vectors[0]) if vectors and isinstance(vectors[0], list) else None,
        }
    if kind in ("ollama_ps", "ollama_tags"):
        return {
            "models": [
                as_str(as_dict(m).get("name")) or as_str(as_dict(m).get("model"))
                for m in as_list(data.get("models"))
            ]
        }
    if kind == "ollama_pull":
        return {"status": data.get("status")}
    if kind == "tool_result":
        content = data.get("content")
        text = content if isinstance(content, str) else _arguments_text(content)
        return {"result": shorten(text), "error": data.get("error_message")}
    if kind == "file_processor_result":
        return {"chunks": len(as_list(data.get("chunks"))), "metadata": data.get("metadata")}
    return {}
