"""OpenAI audio transcriptions (``/v1/audio/transcriptions``, ``/translations``):
the text a model heard, as one body or streamed.

A stream (``stream=true``, ``gpt-4o-transcribe`` and later) is ``transcript.text.delta``
events, each a ``delta`` of text, then ``transcript.text.done`` with the whole
``text`` and the ``usage``; a body is ``{"text": …, "usage": …}``. Usage counts
input (audio and text) and output tokens.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from recctl.answer import Answer, Choice, Usage, total
from recctl.request import Request, Shorten
from recctl.values import as_int, as_str

_EVENTS = frozenset({"transcript.text.delta", "transcript.text.done", "transcript.text.segment"})


def _usage(raw: Any) -> Usage | None:
    """Token usage (``input_tokens``, ``output_tokens``), or a whisper model's
    ``{"type": "duration", "seconds": …}``, which counts no tokens."""
    if not isinstance(raw, dict) or raw.get("type") == "duration":
        return None
    prompt, completion = as_int(raw.get("input_tokens")), as_int(raw.get("output_tokens"))
    return Usage(
        prompt, completion, as_int(raw.get("total_tokens")) or total(prompt, completion), raw
    )


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    if not kinds & _EVENTS:
        return None
    answer = Answer("transcription", True, chunks=len(events))
    choice = Choice(0, role="assistant")
    pieces: list[str] = []
    for event in events:
        kind = event.get("type")
        if kind == "transcript.text.delta" and isinstance(event.get("delta"), str):
            pieces.append(event["delta"])
        elif kind == "transcript.text.done":
            done = as_str(event.get("text"))
            if done is not None and not pieces:
                pieces.append(done)  # a stream whose deltas were lost: the whole text
            answer.usage = _usage(event.get("usage")) or answer.usage
            choice.finish_reason = "done"
    choice.text = "".join(pieces) if pieces else None
    answer.choices = [choice]
    return answer


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    if not path.endswith(("/audio/transcriptions", "/audio/translations")):
        return None
    if not isinstance(body.get("text"), str):
        return None
    answer = Answer("transcription", False)
    answer.choices = [Choice(0, role="assistant", text=body["text"])]
    answer.usage = _usage(body.get("usage"))
    return answer


request_volatile: tuple[str, ...] = ()


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    """A transcription request is a multipart upload: no history to read."""
    return None


volatile: tuple[str, ...] = ()
