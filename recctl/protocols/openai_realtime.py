"""OpenAI's Realtime API (and Azure's, which speaks it): a WebSocket session's
server events, as pydantic-ai records them (``containers.vcrpy_sessions``).

The server sends ``session.created`` (its ``session.model``), then per response
``response.created`` ... ``response.done``: text as ``response.text.delta``
(``response.output_text.delta`` in the GA API), spoken words as
``response.audio_transcript.delta`` (``response.output_audio_transcript.delta``),
function calls as ``response.function_call_arguments.done`` and as the
``function_call`` items of ``response.done``'s ``output``, whose ``usage`` and
``status`` close the response. Each response of a session is one choice, in the
order they began; usage is each ``response.done``'s, added up over the session
(the raw list keeps each). The client's events (``session.update``,
``conversation.item.create``, ``response.create``) are the request: its
``conversation.item.create`` items are the history, ``session.update``'s tools
the tools offered.
"""

from __future__ import annotations

from typing import Any

from recctl.answer import Answer, Choice, Usage, add_whole_call, append, total
from recctl.request import (
    Message,
    Request,
    Shorten,
    ToolCallView,
    arguments_text,
    flatten,
    tool_names,
)
from recctl.values import as_dict, as_int, as_list, as_str

#: What only a Realtime session sends (the Responses API has ``response.completed``).
_OWN = frozenset(
    {
        "session.created",
        "session.updated",
        "response.done",
        "response.text.delta",
        "response.audio_transcript.delta",
        "response.output_audio_transcript.delta",
        "response.audio.delta",
        "response.output_audio.delta",
        "conversation.item.created",
        "input_audio_buffer.speech_started",
    }
)
_TEXT = frozenset({"response.text.delta", "response.output_text.delta"})
_TRANSCRIPT = frozenset(
    {"response.audio_transcript.delta", "response.output_audio_transcript.delta"}
)
#: A response's ``status`` in the words other protocols use.
_STATUS = {"completed": "stop", "cancelled": "cancelled", "failed": "error"}


class _Response:
    """One response of the session, as its events arrive."""

    def __init__(self, index: int) -> None:
        self.choice = Choice(index, role="assistant")
        self.text: str | None = None
        self.transcript: str | None = None
        self.calls: dict[str, tuple[Any, Any]] = {}  # call id -> (name, arguments)

    def close(self) -> Choice:
        choice = self.choice
        choice.text = self.text if self.text is not None else self.transcript
        for call_id, (name, arguments) in self.calls.items():
            add_whole_call(choice, call_id, "function", name, arguments)
        return choice


def _finish(response: dict[str, Any]) -> str | None:
    status = as_str(response.get("status"))
    if status == "incomplete":
        reason = as_str(as_dict(response.get("status_details")).get("reason"))
        return "length" if reason == "max_output_tokens" else (reason or status)
    return _STATUS.get(status, status) if status is not None else None


def _usage(raws: list[dict[str, Any]]) -> Usage | None:
    if not raws:
        return None
    prompt = total(*(as_int(raw.get("input_tokens")) for raw in raws))
    completion = total(*(as_int(raw.get("output_tokens")) for raw in raws))
    listed = total(*(as_int(raw.get("total_tokens")) for raw in raws))
    return Usage(
        prompt,
        completion,
        listed if listed is not None else total(prompt, completion),
        raws[0] if len(raws) == 1 else raws,
    )


def session(events: list[dict[str, Any]]) -> Answer:
    answer = Answer("realtime_session", True, chunks=len(events))
    responses: dict[str, _Response] = {}
    usages: list[dict[str, Any]] = []

    def of(key: Any) -> _Response:
        name = key if isinstance(key, str) else ""
        if name not in responses:
            responses[name] = _Response(len(responses))
        return responses[name]

    for event in events:
        kind = event.get("type")
        if kind in ("session.created", "session.updated"):
            answer.model = as_str(as_dict(event.get("session")).get("model")) or answer.model
        elif kind in _TEXT:
            current = of(event.get("response_id"))
            current.text = append(current.text, event.get("delta"))
        elif kind in _TRANSCRIPT:
            current = of(event.get("response_id"))
            current.transcript = append(current.transcript, event.get("delta"))
        elif kind == "response.function_call_arguments.done":
            current = of(event.get("response_id"))
            call_id = as_str(event.get("call_id")) or f"#{len(current.calls)}"
            current.calls[call_id] = (event.get("name"), event.get("arguments"))
        elif kind == "response.done":
            response = as_dict(event.get("response"))
            current = of(response.get("id"))
            for item in map(as_dict, as_list(response.get("output"))):
                if item.get("type") == "function_call":
                    call_id = as_str(item.get("call_id")) or f"#{len(current.calls)}"
                    current.calls[call_id] = (item.get("name"), item.get("arguments"))
            current.choice.finish_reason = _finish(response)
            if isinstance(response.get("usage"), dict):
                usages.append(response["usage"])
            if answer.model is None:
                answer.model = as_str(response.get("model"))
    answer.choices = [response.close() for response in responses.values()]
    answer.usage = _usage(usages)
    return answer


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    """A session: what only the Realtime API sends (``session.created``,
    ``response.done``, its text and transcript deltas)."""
    return session(events) if kinds & _OWN else None


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    """A session is events, never one body."""
    return None


#: What changes on every re-record: each event's and item's id, the session's.
volatile: tuple[str, ...] = (
    "event_id",
    "item_id",
    "response_id",
    "previous_item_id",
    "item.id",
    "response.id",
    "response.conversation_id",
    "response.output[*].id",
    "session.id",
    "session.expires_at",
)
request_volatile: tuple[str, ...] = ()


# --- the request ----------------------------------------------------------------

#: What the client sends to begin a session (``session.start``: OpenAI's live API).
_CLIENT = frozenset(
    {"session.update", "session.start", "conversation.item.create", "response.create"}
)


def _item(item: dict[str, Any], shorten: Shorten) -> Message | None:
    kind = as_str(item.get("type"))
    if kind == "message":
        text = flatten(item.get("content")) or None
        return Message(as_str(item.get("role")) or "?", shorten(text) if text else None)
    if kind == "function_call":
        arguments = shorten(arguments_text(item.get("arguments")))
        call = ToolCallView(as_str(item.get("name")), arguments, as_str(item.get("call_id")))
        return Message("assistant", None, [call])
    if kind == "function_call_output":
        output = shorten(arguments_text(item.get("output")))
        return Message("tool", output, tool_call_id=as_str(item.get("call_id")))
    return None


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    """The client's events of a session (``payload["sent"]``, ``protocols.read_request``):
    the items it created are the history, the session's tools those offered, the
    session's other settings the parameters."""
    sent = payload.get("sent")
    if not isinstance(sent, list) or not any(
        isinstance(event, dict) and event.get("type") in _CLIENT for event in sent
    ):
        return None
    found = Request()
    for event in map(as_dict, sent):
        kind = event.get("type")
        if kind in ("session.update", "session.start"):
            settings = as_dict(event.get("session"))
            instructions = as_str(settings.get("instructions"))
            if instructions:
                found.messages.append(Message("system", shorten(instructions)))
            found.tools = tool_names(as_list(settings.get("tools"))) or found.tools
            found.parameters.update(
                {k: v for k, v in settings.items() if k not in ("instructions", "tools")}
            )
        elif kind == "conversation.item.create":
            message = _item(as_dict(event.get("item")), shorten)
            if message is not None:
                found.messages.append(message)
    return found
