"""Cohere's v2 chat API (``/v2/chat``): one response, or the events of its stream.

A response is ``{id, finish_reason, message: {role, content: [{type: "text",
text}], tool_plan, tool_calls}, usage: {billed_units, tokens: {input_tokens,
output_tokens}}}``. A stream's events carry their ``type``: ``message-start``,
``content-delta`` (``delta.message.content.text``), ``tool-plan-delta``,
``tool-call-start`` and ``tool-call-delta``, ``message-end`` (``delta:
{finish_reason, usage}``).
"""

from __future__ import annotations

from typing import Any

from recctl.answer import Answer, Choice, Usage, add_call_delta, append, total
from recctl.request import Request, Shorten
from recctl.values import as_dict, as_int, as_list, as_str

volatile: tuple[str, ...] = ("id", "generation_id")
_EVENTS = frozenset({"message-start", "content-delta", "message-end"})


def _usage(raw: Any) -> Usage | None:
    tokens = as_dict(as_dict(raw).get("tokens")) or as_dict(as_dict(raw).get("billed_units"))
    if not tokens:
        return None
    prompt, completion = as_int(tokens.get("input_tokens")), as_int(tokens.get("output_tokens"))
    return Usage(prompt, completion, total(prompt, completion), raw)


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    message = body.get("message")
    if not isinstance(message, dict) or "finish_reason" not in body:
        return None
    answer = Answer("cohere_chat", False)
    choice = Choice(0, role=as_str(message.get("role")))
    for part in as_list(message.get("content")):
        if as_dict(part).get("type") == "text":
            choice.text = append(choice.text, as_dict(part).get("text"))
    choice.reasoning = as_str(message.get("tool_plan"))
    for index, call in enumerate(as_list(message.get("tool_calls"))):
        add_call_delta(choice, {}, {"index": index, **as_dict(call)})
    choice.finish_reason = as_str(body.get("finish_reason"))
    answer.choices = [choice]
    answer.usage = _usage(body.get("usage"))
    return answer


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    if not kinds & _EVENTS:
        return None
    answer = Answer("cohere_chat", True, chunks=len(events))
    choice = Choice(0, role="assistant")
    open_calls: dict[tuple[int, int], Any] = {}
    for event in events:
        kind = event.get("type")
        delta = as_dict(as_dict(event.get("delta")).get("message"))
        if kind == "content-delta":
            choice.text = append(choice.text, as_dict(delta.get("content")).get("text"))
        elif kind == "tool-plan-delta":
            choice.reasoning = append(choice.reasoning, delta.get("tool_plan"))
        elif kind in ("tool-call-start", "tool-call-delta"):
            call = {"index": as_int(event.get("index")) or 0, **as_dict(delta.get("tool_calls"))}
            add_call_delta(choice, open_calls, call)
        elif kind == "message-end":
            end = as_dict(event.get("delta"))
            choice.finish_reason = as_str(end.get("finish_reason"))
            answer.usage = _usage(end.get("usage"))
    answer.choices = [choice]
    return answer


request_volatile: tuple[str, ...] = ()


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    """Its chat requests have OpenAI's shape (``messages``, ``tools``): ``openai_chat``
    reads them."""
    return None
