"""The OpenAI Responses API: a response object, or the events of a stream.

A stream is reassembled from its deltas (``response.output_text.delta``,
``response.reasoning_summary_text.delta``, ``response.function_call_arguments.delta``
and the items they belong to); the terminal event (``response.completed``,
``.incomplete`` or ``.failed``) gives the status, the model and the usage, as the
provider reported them. A stream that holds no deltas but a terminal response
(a background response) is read from that response.
"""

from __future__ import annotations

from typing import Any

from recctl.answer import Answer, Choice, ToolCall, Usage, add_whole_call, append
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

_TERMINAL = ("response.completed", "response.incomplete", "response.failed")


def usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return Usage(
        as_int(raw.get("input_tokens")),
        as_int(raw.get("output_tokens")),
        as_int(raw.get("total_tokens")),
        raw,
    )


def _finish(response: dict[str, Any]) -> str | None:
    reason = as_str(as_dict(response.get("incomplete_details")).get("reason"))
    return reason or as_str(response.get("status"))


def _item(choice: Choice, item: dict[str, Any]) -> None:
    kind = item.get("type")
    if kind == "message":
        for part in as_list(item.get("content")):
            part = as_dict(part)
            if part.get("type") == "output_text":
                choice.text = append(choice.text, part.get("text"))
            elif part.get("type") == "refusal":
                choice.refusal = append(choice.refusal, part.get("refusal"))
    elif kind == "reasoning":
        for summary in as_list(item.get("summary")):
            choice.reasoning = append(choice.reasoning, as_dict(summary).get("text"))
    elif kind == "function_call":
        call_id = item.get("call_id") or item.get("id")
        name, arguments = item.get("name"), item.get("arguments", "")
        add_whole_call(choice, call_id, "function_call", name, arguments)


def response(body: dict[str, Any], streamed: bool = False, chunks: int = 0) -> Answer:
    answer = Answer("responses", streamed, model=as_str(body.get("model")), chunks=chunks)
    choice = Choice(0, role="assistant")
    for item in as_list(body.get("output")):
        _item(choice, as_dict(item))
    choice.finish_reason = _finish(body)
    answer.choices = [choice]
    answer.usage = usage(body.get("usage"))
    error = as_dict(body.get("error"))
    if error:
        answer.error = as_str(error.get("message")) or as_str(error.get("code"))
    return answer


def stream(events: list[dict[str, Any]]) -> Answer:
    answer = Answer("responses", True, chunks=len(events))
    choice = Choice(0, role="assistant")
    calls: dict[str, ToolCall] = {}  # by item id
    text: list[str] = []
    reasoning: list[str] = []
    terminal: dict[str, Any] = {}
    for event in events:
        kind = event.get("type")
        if kind == "response.output_text.delta" and isinstance(event.get("delta"), str):
            text.append(event["delta"])
        elif kind == "response.reasoning_summary_text.delta" and isinstance(
            event.get("delta"), str
        ):
            reasoning.append(event["delta"])
        elif kind == "response.output_item.added":
            item = as_dict(event.get("item"))
            if item.get("type") == "function_call":
                _item(choice, {**item, "arguments": ""})
                calls[as_str(item.get("id")) or ""] = choice.tool_calls[-1]
        elif kind == "response.function_call_arguments.delta":
            call = calls.get(as_str(event.get("item_id")) or "")
            if call is not None and isinstance(event.get("delta"), str):
                call.arguments += event["delta"]
        elif kind in _TERMINAL or kind == "response.created":
            terminal = as_dict(event.get("response")) or terminal
    if not (text or reasoning or calls) and as_list(terminal.get("output")):
        return response(terminal, streamed=True, chunks=len(events))
    choice.text = "".join(text) if text else None
    choice.reasoning = "".join(reasoning) if reasoning else None
    answer.model = as_str(terminal.get("model"))
    answer.usage = usage(terminal.get("usage"))
    if any(event.get("type") in _TERMINAL for event in events):
        choice.finish_reason = _finish(terminal)
    answer.choices = [choice] if events else []
    return answer


volatile: tuple[str, ...] = ("id", "created_at", "output[*].id", "output[*].call_id")


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    return stream(events) if any(kind.startswith("response.") for kind in kinds) else None


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    return response(body) if body.get("object") == "response" and "output" in body else None


#: The ids of the items and calls a request's ``input`` echoes.
request_volatile: tuple[str, ...] = ("input[*].id", "input[*].call_id")


# --- the request ----------------------------------------------------------------

_REQUEST_CONTENT = frozenset({"model", "input", "instructions", "tools", "stream"})


def _input_item(item: dict[str, Any], shorten: Shorten) -> Message | None:
    """An item of ``input``: a message (``role``), a call the model made
    (``function_call``, shown as the assistant's), the result sent back
    (``function_call_output``, a ``tool`` message), a reasoning summary; any other
    item by its type."""
    kind = as_str(item.get("type"))
    if kind in (None, "message") and "role" in item:
        role = as_str(item.get("role")) or "?"
        content = item.get("content")
        if content is None and "parts" in item:  # Gemini interactions' turns
            content = item.get("parts")
        text = flatten(content) if content is not None else None
        return Message(role, shorten(text) if text else text)
    if kind in ("function_call", "custom_tool_call"):
        arguments = item.get("arguments") if kind == "function_call" else item.get("input")
        call_id = as_str(item.get("call_id")) or item.get("id")
        call = ToolCallView.of(item.get("name"), arguments, call_id, shorten)
        return Message("assistant", tool_calls=[call])
    if kind in ("function_call_output", "custom_tool_call_output"):
        output = item.get("output")
        text = output if isinstance(output, str) else flatten(output)
        return Message(
            "tool", shorten(text) if text else None, tool_call_id=as_str(item.get("call_id"))
        )
    if kind == "reasoning":
        text = flatten(as_list(item.get("summary")))
        return Message("reasoning", shorten(text)) if text else None
    rest = {k: v for k, v in item.items() if k not in ("type", "id", "status")}
    return Message(kind or "?", shorten(flatten(rest)) if rest else None)


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    """A Responses request: ``instructions``, then ``input`` (a string, or items);
    OpenAI's embeddings and Gemini's interactions take an ``input`` too."""
    if "input" not in payload or "messages" in payload:
        return None
    messages = []
    if isinstance(payload.get("instructions"), str) and payload["instructions"]:
        messages.append(Message("system", shorten(payload["instructions"])))
    items = payload["input"]
    if isinstance(items, list) and items and all(isinstance(item, dict) for item in items):
        for item in items:
            message = _input_item(item, shorten)
            last = messages[-1] if messages else None
            if message is None:
                continue
            if message.tool_calls and last is not None and last.role == "assistant":
                last.tool_calls += message.tool_calls  # the calls of one turn, together
            else:
                messages.append(message)
    elif items is not None:
        messages.append(Message("user", shorten(flatten(items))))
    parameters = parameters_but(payload, _REQUEST_CONTENT)
    if payload.get("instructions") == "":
        parameters["instructions"] = ""
    return Request(messages, tool_names(as_list(payload.get("tools"))), parameters)
