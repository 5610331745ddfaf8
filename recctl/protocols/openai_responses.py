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
