"""What a request asks, as a person reads it: its history of messages, the tools it
offers and its other parameters (``show``, ``diff``).

Each protocol module (``recctl.protocols``) says how its requests list these
(``read_request``); this module holds the model they fill and what they share:
content flattened to text, media parts described, never inlined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from recctl.io import json_text
from recctl.values import as_dict, as_str

#: How long strings are shown: whole, or shortened (``show.short``).
Shorten = Callable[[str], str]


@dataclass
class ToolCallView:
    name: str | None
    arguments: str
    id: str | None = None

    @classmethod
    def of(cls, name: Any, arguments: Any, call_id: Any, shorten: Shorten) -> ToolCallView:
        """A call as a request stores it: its arguments as JSON text (or as they are),
        shortened for display; a name or id that is not text reads as none."""
        return cls(as_str(name), shorten(arguments_text(arguments)), as_str(call_id))


@dataclass
class Message:
    role: str
    text: str | None = None
    tool_calls: list[ToolCallView] = field(default_factory=list)
    tool_call_id: str | None = None


@dataclass
class Request:
    """A request's history, tools offered (by name) and every other parameter."""

    messages: list[Message] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)


def parameters_but(payload: dict[str, Any], content: frozenset[str]) -> dict[str, Any]:
    """The request's fields that are not its content (model, history, tools)."""
    return {k: v for k, v in payload.items() if k not in content}


def flatten(content: Any) -> str:
    """Message content as text: strings as they are, parts joined by newlines."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(text for text in (flatten(part) for part in content) if text)
    if isinstance(content, dict):
        for key in ("text", "content", "thinking", "output", "parts"):
            if isinstance(content.get(key), (str, list)):
                return flatten(content[key])
        for key in (
            "image_url",
            "input_audio",
            "file",
            "image",
            "source",
            "inline_data",
            "inlineData",
            "file_data",
            "fileData",
        ):
            if key in content:
                return media(str(content.get("type", key)), content[key])
        return json_text(content)
    return "" if content is None else json_text(content)


def media(kind: str, inner: Any) -> str:
    """An image, audio or file part: its URL (a data URL, which ``short`` shortens to
    its type and size unless --full), or its format and size, never inline base64
    data: ``[input_audio: wav, 48,000 bytes]``."""
    if isinstance(inner, str):
        return f"[{kind}: {inner}]"
    inner = as_dict(inner)
    url = inner.get("url") or inner.get("file_data") or inner.get("fileUri")
    url = url or inner.get("file_uri")
    described = [str(inner[k]) for k in ("filename", "file_id") if isinstance(inner.get(k), str)]
    if isinstance(url, str):
        described.append(url)
    kind_of = (
        inner.get("format")
        or inner.get("media_type")
        or inner.get("mime_type")
        or inner.get("mimeType")
    )
    if isinstance(kind_of, str):
        described.append(kind_of)
    data = inner.get("data")
    if isinstance(data, str):
        padding = len(data) - len(data.rstrip("="))
        described.append(f"{len(data) * 3 // 4 - padding:,} bytes")
    return f"[{kind}: {', '.join(described) or '…'}]"


def arguments_text(arguments: Any) -> str:
    """Tool-call arguments as text: a string as it is, JSON otherwise."""
    if isinstance(arguments, str):
        return arguments
    return json_text(arguments) if arguments is not None else ""


def tool_names(tools: list[Any]) -> list[str]:
    """Names of OpenAI-style (``function.name``) or flat (``name``, ``type``) tools."""
    names: list[str] = []
    for tool in map(as_dict, tools):
        function = as_dict(tool.get("function"))
        name = function.get("name") or tool.get("name") or tool.get("type")
        names.append(name if isinstance(name, str) and name else "?")
    return names
