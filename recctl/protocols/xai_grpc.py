"""xAI's gRPC chat API (``xai_api.Chat``), as the protobuf messages' JSON form
(``MessageToDict``, field names as in the ``.proto``): what pydantic-ai's xAI
recordings keep beside the raw bytes (``containers.vcrpy_sessions``).

A response (``GetChatCompletionResponse``) has ``outputs``, each a ``message``
(``content``, ``reasoning_content``, ``tool_calls``) with its ``index`` and
``finish_reason`` (``REASON_STOP``, ``REASON_TOOL_CALLS``, ...); a stream
(``GetChatCompletionChunk``) has the same outputs with a ``delta`` in place of the
message; usage and the model are top-level. Protobuf's JSON leaves out every
field at its default: an output's ``index`` 0, an empty ``content``. A request
(``GetCompletionsRequest``) lists ``messages`` whose ``role`` is ``ROLE_USER``,
``ROLE_ASSISTANT``, ... and ``content`` a list of parts (``text``, ``image_url``,
``file``), and the ``tools`` offered (``function.name``).
"""

from __future__ import annotations

from typing import Any

from recctl.answer import Answer, Choices, Usage, add_call_delta, append, total
from recctl.request import (
    Message,
    Request,
    Shorten,
    ToolCallView,
    arguments_text,
    flatten,
    parameters_but,
    tool_names,
)
from recctl.values import as_dict, as_int, as_list, as_str

#: xAI's finish reasons in the words other protocols use; any other is kept as sent.
FINISH_REASONS = {
    "REASON_STOP": "stop",
    "REASON_MAX_LEN": "length",
    "REASON_MAX_CONTEXT": "length",
    "REASON_TOOL_CALLS": "tool_calls",
}


def role(value: Any) -> str | None:
    """``ROLE_ASSISTANT`` as ``assistant``; a role not so spelled as it is."""
    text = as_str(value)
    if text is None:
        return None
    return text.removeprefix("ROLE_").lower() if text.startswith("ROLE_") else text


def _is_output(item: Any, key: str) -> bool:
    return isinstance(item, dict) and isinstance(item.get(key), dict)


def _outputs(data: dict[str, Any], key: str) -> list[dict[str, Any]] | None:
    """``outputs`` whose every item holds ``key`` (``message``, ``delta``), or None."""
    outputs = data.get("outputs")
    if not isinstance(outputs, list) or not all(_is_output(o, key) for o in outputs):
        return None
    return outputs


def _usage(raw: Any) -> Usage | None:
    """Usage as xAI counts it: ``completion_tokens`` leave out ``reasoning_tokens``,
    which ``total_tokens`` counts; the raw object keeps both."""
    if not isinstance(raw, dict) or not raw:
        return None
    prompt, completion = as_int(raw.get("prompt_tokens")), as_int(raw.get("completion_tokens"))
    reasoning = as_int(raw.get("reasoning_tokens"))
    listed = as_int(raw.get("total_tokens"))
    return Usage(
        prompt,
        completion,
        listed if listed is not None else total(prompt, completion, reasoning or 0),
        raw,
    )


def _read(answer: Answer, objects: list[dict[str, Any]], key: str) -> Answer:
    choices = Choices()
    open_calls: dict[tuple[int, int], Any] = {}
    for data in objects:
        answer.model = as_str(data.get("model")) or answer.model
        answer.usage = _usage(data.get("usage")) or answer.usage
        for output in as_list(data.get("outputs")):
            output = as_dict(output)
            choice = choices.get(as_int(output.get("index")) or 0)
            part = as_dict(output.get(key))
            choice.role = role(part.get("role")) or choice.role or "assistant"
            choice.text = append(choice.text, part.get("content"))
            choice.reasoning = append(choice.reasoning, part.get("reasoning_content"))
            for position, call in enumerate(as_list(part.get("tool_calls"))):
                call = as_dict(call)
                delta = {
                    "index": len(choice.tool_calls) if key == "message" else position,
                    "id": call.get("id"),
                    "type": call.get("type"),
                    "function": as_dict(call.get("function")),
                }
                add_call_delta(choice, {} if key == "message" else open_calls, delta)
            reason = as_str(output.get("finish_reason"))
            if reason is not None and reason != "REASON_INVALID":
                choice.finish_reason = FINISH_REASONS.get(reason, reason)
    answer.choices = choices.sorted()
    return answer


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    """A ``GetChatCompletionResponse``: ``outputs`` of ``message``."""
    outputs = _outputs(body, "message")
    if not outputs:
        return None
    return _read(Answer("xai_completion", False), [body], "message")


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    """``GetChatCompletionChunk``s: ``outputs`` of ``delta`` (a chunk may have none:
    the last, with usage alone)."""
    if kinds or not any(_outputs(event, "delta") for event in events):
        return None
    if not all(_outputs(event, "delta") is not None or "outputs" not in event for event in events):
        return None
    return _read(Answer("xai_completion", True, chunks=len(events)), events, "delta")


#: What changes on every re-record: the completion's id, its time, the server's build,
#: the ids of the tool calls it makes.
volatile: tuple[str, ...] = (
    "id",
    "created",
    "system_fingerprint",
    "outputs[*].message.tool_calls[*].id",
    "outputs[*].delta.tool_calls[*].id",
)
#: The tool-call ids a request's history echoes.
request_volatile: tuple[str, ...] = ("messages[*].tool_calls[*].id",)


# --- the request ----------------------------------------------------------------

_REQUEST_CONTENT = frozenset({"model", "messages", "tools"})


def _is_xai(payload: dict[str, Any]) -> bool:
    messages = payload.get("messages")
    return (
        isinstance(messages, list)
        and bool(messages)
        and all(
            isinstance(m, dict) and str(m.get("role", "")).startswith("ROLE_") for m in messages
        )
    )


def _message(raw: dict[str, Any], shorten: Shorten) -> Message:
    calls = []
    for call in map(as_dict, as_list(raw.get("tool_calls"))):
        function = as_dict(call.get("function"))
        calls.append(
            ToolCallView(
                as_str(function.get("name")),
                shorten(arguments_text(function.get("arguments"))),
                as_str(call.get("id")),
            )
        )
    text = flatten(raw.get("content")) or None
    return Message(
        role(raw.get("role")) or "?",
        shorten(text) if text is not None else None,
        calls,
        as_str(raw.get("tool_call_id")),
    )


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    """A ``GetCompletionsRequest``: messages whose roles are ``ROLE_*``."""
    if not _is_xai(payload):
        return None
    messages = [_message(as_dict(raw), shorten) for raw in as_list(payload.get("messages"))]
    tools = tool_names(as_list(payload.get("tools")))
    return Request(messages, tools, parameters_but(payload, _REQUEST_CONTENT))
