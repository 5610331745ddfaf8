"""The answer an LLM call returned, whatever the wire protocol: the shared model.

Each protocol module (``recctl.protocols``) turns what a provider sent, a body
or a stream of events, into an ``Answer``: per choice the text, reasoning,
refusal, tool calls and finish reason, plus usage and model. Usage is taken as
the provider reported it, never summed over chunks and never made up: an answer
without usage has ``usage = None`` ("not recorded").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from recctl.io import json_text
from recctl.values import as_dict, as_int, as_str


@dataclass
class ToolCall:
    index: int
    id: str | None = None
    type: str | None = None
    name: str | None = None
    arguments: str = ""  # as the provider sent it, concatenated; JSON text for object arguments
    parsed: Any = None  # the arguments parsed as JSON, when they parse
    valid: bool = False  # whether ``arguments`` parsed as JSON

    def finish(self) -> None:
        try:
            self.parsed, self.valid = orjson.loads(self.arguments), True
        except orjson.JSONDecodeError:
            self.parsed, self.valid = None, False


@dataclass
class Choice:
    index: int
    role: str | None = None
    text: str | None = None
    reasoning: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    logprobs: int = 0  # logprob entries recorded for this choice


@dataclass
class Usage:
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    raw: Any  # the provider's own usage object


@dataclass
class Answer:
    kind: str  # chat_completion, completion, genai, anthropic_message, interaction, ...
    streamed: bool
    model: str | None = None
    chunks: int = 0
    truncated: bool = False
    choices: list[Choice] = field(default_factory=list)
    usage: Usage | None = None
    error: str | None = None  # the recorded exception or HTTP error

    def close(self) -> Answer:
        """Once read: parse each tool call's arguments, and call a stream that should
        carry choices but has none, or one without a finish reason, truncated."""
        unfinished = not self.choices or any(c.finish_reason is None for c in self.choices)
        if self.streamed and self.kind not in NO_ANSWER and unfinished:
            self.truncated = True
        for choice in self.choices:
            for call in choice.tool_calls:
                call.finish()
        return self


NO_ANSWER = frozenset(
    {
        "model_list",
        "embedding",
        "ollama_embedding",
        "ollama_ps",
        "ollama_tags",
        "ollama_pull",
        "tool_result",
        "file_processor_result",
        "exception",
        "http_error",
        "unknown",
    }
)


def append(current: str | None, piece: Any) -> str | None:
    if not isinstance(piece, str):
        return current
    return piece if current is None else current + piece


def total(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if len(present) == len(values) else None


class Choices:
    """Choices by index, in order of first appearance."""

    def __init__(self) -> None:
        self.by_index: dict[int, Choice] = {}

    def get(self, index: Any) -> Choice:
        key = index if isinstance(index, int) else 0
        if key not in self.by_index:
            self.by_index[key] = Choice(key)
        return self.by_index[key]

    def sorted(self) -> list[Choice]:
        return [self.by_index[k] for k in sorted(self.by_index)]


def add_call_delta(
    choice: Choice, open_calls: dict[tuple[int, int], ToolCall], delta: dict[str, Any]
) -> None:
    """One tool-call delta: a piece of an open call, or a new call.

    A new non-null id at an index already in use starts a new call (providers
    that send several whole calls at index 0).
    """
    index = as_int(delta.get("index"))
    index = index if index is not None else len(choice.tool_calls)
    call_id = as_str(delta.get("id"))
    function = as_dict(delta.get("function"))
    call = open_calls.get((choice.index, index))
    if call is None or (call_id is not None and call.id is not None and call_id != call.id):
        call = ToolCall(index)
        choice.tool_calls.append(call)
        open_calls[(choice.index, index)] = call
    call.id = call.id or call_id
    call.type = call.type or as_str(delta.get("type"))
    call.name = call.name or as_str(function.get("name"))
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        call.arguments += arguments
    elif isinstance(arguments, (dict, list)):
        call.arguments += json_text(arguments)


def add_whole_call(choice: Choice, call_id: Any, kind: str, name: Any, arguments: Any) -> None:
    """A tool call that arrives whole (not in deltas): appended as the choice's next call."""
    add_call_delta(
        choice,
        {},
        {
            "index": len(choice.tool_calls),
            "id": call_id,
            "type": kind,
            "function": {"name": name, "arguments": arguments},
        },
    )


# --- the answer for machines and for grep -------------------------------------------


def tool_call_json(call: ToolCall) -> dict[str, Any]:
    return {
        "index": call.index,
        "id": call.id,
        "type": call.type,
        "name": call.name,
        "arguments": call.parsed if call.valid else call.arguments,
        "arguments_valid": call.valid,
    }


def choice_json(choice: Choice) -> dict[str, Any]:
    return {
        "index": choice.index,
        "role": choice.role,
        "text": choice.text,
        "reasoning": choice.reasoning,
        "refusal": choice.refusal,
        "tool_calls": [tool_call_json(call) for call in choice.tool_calls],
        "finish_reason": choice.finish_reason,
        "logprobs": choice.logprobs,
    }


def usage_json(usage: Usage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "raw": usage.raw,
    }


def answer_json(path: str, answer: Answer) -> dict[str, Any]:
    """One element of ``recctl reassemble --output-format json``."""
    return {
        "path": path,
        "kind": answer.kind,
        "streamed": answer.streamed,
        "model": answer.model,
        "chunks": answer.chunks,
        "truncated": answer.truncated,
        "choices": [choice_json(choice) for choice in answer.choices],
        "usage": usage_json(answer.usage),
        "error": answer.error,
    }


def answer_text(answer: Answer) -> str:
    """The answer as plain text: each choice's text, then its tool calls as
    ``name(arguments)``, one per line; an error as ``error: ...``."""
    parts: list[str] = []
    for choice in answer.choices:
        if len(answer.choices) > 1:
            parts.append(f"[choice {choice.index}]")
        if choice.text:
            parts.append(choice.text.rstrip("\n"))
        if choice.refusal:
            parts.append(f"refusal: {choice.refusal}")
        parts.extend(f"{call.name}({call.arguments})" for call in choice.tool_calls)
    if answer.error:
        parts.append(f"error: {answer.error}")
    return "\n".join(parts) + ("\n" if parts else "")
