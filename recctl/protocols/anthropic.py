"""Anthropic messages: one message object, or the events of a stream."""

from __future__ import annotations

from typing import Any

from recctl.answer import Answer, Choice, ToolCall, Usage, add_whole_call, append, total
from recctl.request import (
    Message,
    Request,
    Shorten,
    ToolCallView,
    flatten,
    parameters_but,
    tool_names,
)
from recctl.values import as_dict, as_int, as_list, as_str


def _usage(raw: Any, input_tokens: int | None = None) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    prompt = as_int(raw.get("input_tokens"))
    prompt = prompt if prompt is not None else input_tokens
    completion = as_int(raw.get("output_tokens"))
    return Usage(prompt, completion, total(prompt, completion), raw)


def _block(choice: Choice, block: dict[str, Any]) -> None:
    kind = block.get("type")
    if kind == "text":
        choice.text = append(choice.text, block.get("text"))
    elif kind == "thinking":
        choice.reasoning = append(choice.reasoning, block.get("thinking"))
    elif kind == "tool_use":
        arguments = block.get("input")
        arguments = arguments if arguments not in (None, {}) else ""
        add_whole_call(choice, block.get("id"), "tool_use", block.get("name"), arguments)


def message(body: dict[str, Any]) -> Answer:
    answer = Answer("anthropic_message", False, model=as_str(body.get("model")))
    choice = Choice(0, role=as_str(body.get("role")))
    for block in as_list(body.get("content")):
        _block(choice, as_dict(block))
    for call in choice.tool_calls:
        call.arguments = call.arguments or "{}"
    choice.finish_reason = as_str(body.get("stop_reason"))
    answer.choices = [choice]
    answer.usage = _usage(body.get("usage"))
    return answer


def stream(events: list[dict[str, Any]], lines: int) -> Answer:
    answer = Answer("anthropic_message", True, chunks=lines)
    choice = Choice(0)
    blocks: dict[int, ToolCall] = {}
    input_tokens: int | None = None
    for event in events:
        kind = event.get("type")
        if kind == "message_start":
            message = as_dict(event.get("message"))
            answer.model = as_str(message.get("model"))
            choice.role = as_str(message.get("role"))
            answer.usage = _usage(message.get("usage"))
            input_tokens = answer.usage.prompt_tokens if answer.usage else None
        elif kind == "content_block_start":
            block = as_dict(event.get("content_block"))
            _block(choice, {**block, "input": None})
            if block.get("type") == "tool_use" and choice.tool_calls:
                blocks[as_int(event.get("index")) or 0] = choice.tool_calls[-1]
        elif kind == "content_block_delta":
            delta = as_dict(event.get("delta"))
            if delta.get("type") == "text_delta":
                choice.text = append(choice.text, delta.get("text"))
            elif delta.get("type") == "thinking_delta":
                choice.reasoning = append(choice.reasoning, delta.get("thinking"))
            elif delta.get("type") == "input_json_delta":
                call = blocks.get(as_int(event.get("index")) or 0)
                if call is not None and isinstance(delta.get("partial_json"), str):
                    call.arguments += delta["partial_json"]
        elif kind == "message_delta":
            choice.finish_reason = as_str(as_dict(event.get("delta")).get("stop_reason"))
            if isinstance(event.get("usage"), dict):  # final and cumulative: take it
                answer.usage = _usage(event["usage"], input_tokens)
    for call in choice.tool_calls:
        call.arguments = call.arguments or "{}"
    answer.choices = [choice] if events else []
    return answer


def completion(body: dict[str, Any]) -> Answer:
    """The legacy Text Completions API (``/v1/complete``): one completion, no usage."""
    answer = Answer("anthropic_completion", False, model=as_str(body.get("model")))
    choice = Choice(0, role="assistant", text=as_str(body.get("completion")))
    choice.finish_reason = as_str(body.get("stop_reason"))
    answer.choices = [choice]
    return answer


volatile: tuple[str, ...] = ("id",)
_STREAM_EVENTS = frozenset({"message_start", "content_block_delta", "message_delta"})


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    return stream(events, len(events)) if kinds & _STREAM_EVENTS else None


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    if body.get("type") == "message" and "content" in body:
        return message(body)
    if body.get("type") == "completion" and "completion" in body:
        return completion(body)
    return None


#: The ids of the calls a request's history echoes.
request_volatile: tuple[str, ...] = (
    "messages[*].content[*].id",
    "messages[*].content[*].tool_use_id",
)


# --- the request ----------------------------------------------------------------

_REQUEST_CONTENT = frozenset({"model", "messages", "system", "tools", "stream"})
_ANTHROPIC_BLOCKS = frozenset(
    {"tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use", "document"}
)


def _is_request(payload: dict[str, Any]) -> bool:
    """A messages request: ``anthropic_version`` (Bedrock, Vertex), a ``system``
    prompt, tools with an ``input_schema``, or blocks only Anthropic has."""
    if not isinstance(payload.get("messages"), list):
        return False
    if "anthropic_version" in payload or "system" in payload:
        return True
    if any("input_schema" in as_dict(tool) for tool in as_list(payload.get("tools"))):
        return True
    return any(
        as_str(as_dict(block).get("type")) in _ANTHROPIC_BLOCKS
        for raw in as_list(payload["messages"])
        for block in as_list(as_dict(raw).get("content"))
    )


def request_message(raw: dict[str, Any], shorten: Shorten) -> Message:
    """A message of content blocks: text, ``tool_use`` (the calls an assistant makes)
    and ``tool_result`` (a user turn answering one)."""
    message = Message(as_str(raw.get("role")) or "?")
    content = raw.get("content")
    blocks = [as_dict(block) for block in as_list(content)]
    text = (
        flatten([b for b in blocks if b.get("type") != "tool_use"])
        if isinstance(content, list)
        else (flatten(content) if content is not None else None)
    )
    message.text = shorten(text) if text else text
    for block in blocks:
        if block.get("type") in ("tool_use", "server_tool_use"):
            message.tool_calls.append(
                ToolCallView.of(block.get("name"), block.get("input"), block.get("id"), shorten)
            )
        elif block.get("type") == "tool_result":
            message.tool_call_id = message.tool_call_id or as_str(block.get("tool_use_id"))
    return message


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    if not _is_request(payload):
        return None
    messages = []
    if payload.get("system") is not None:
        messages.append(Message("system", shorten(flatten(payload["system"]))))
    messages += [request_message(as_dict(raw), shorten) for raw in payload["messages"]]
    tools = tool_names(as_list(payload.get("tools")))
    return Request(messages, tools, parameters_but(payload, _REQUEST_CONTENT))
