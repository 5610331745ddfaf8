"""Ollama native ``/api/generate`` and ``/api/chat`` (older ogx recordings), streamed or not."""

from __future__ import annotations

from typing import Any

from recctl.answer import Answer, Choice, Usage, add_whole_call, append, total
from recctl.request import Request, Shorten
from recctl.values import as_dict, as_int, as_list, as_str


def ollama(kind: str, objects: list[dict[str, Any]], streamed: bool) -> Answer:
    answer = Answer(kind, streamed, chunks=len(objects) if streamed else 0)
    choice = Choice(0, role="assistant")
    for data in objects:
        answer.model = as_str(data.get("model")) or answer.model
        if kind == "ollama_generate":
            choice.text = append(choice.text, data.get("response"))
            choice.reasoning = append(choice.reasoning, data.get("thinking"))
        else:
            message = as_dict(data.get("message"))
            choice.role = as_str(message.get("role")) or choice.role
            choice.text = append(choice.text, message.get("content"))
            choice.reasoning = append(choice.reasoning, message.get("thinking"))
            for raw_call in as_list(message.get("tool_calls")):
                function = as_dict(as_dict(raw_call).get("function"))
                add_whole_call(
                    choice, None, "function", function.get("name"), function.get("arguments")
                )
        if data.get("done") is True:
            choice.finish_reason = as_str(data.get("done_reason")) or "stop"
            answer.usage = _ollama_usage(data)
    answer.choices = [choice]
    return answer


def _ollama_usage(data: dict[str, Any]) -> Usage | None:
    prompt, completion = as_int(data.get("prompt_eval_count")), as_int(data.get("eval_count"))
    if prompt is None and completion is None:
        return None
    raw = {"prompt_eval_count": data.get("prompt_eval_count"), "eval_count": data.get("eval_count")}
    return Usage(prompt, completion, total(prompt, completion), raw)


volatile: tuple[str, ...] = ("created_at",)


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    """Newline-delimited JSON: each line a reply with ``done``, the last ``true``."""
    if not all(isinstance(event.get("done"), bool) and "model" in event for event in events):
        return None
    if all(isinstance(event.get("message"), dict) for event in events):
        return ollama("ollama_chat", events, streamed=True)
    if all(isinstance(event.get("response"), str) for event in events):
        return ollama("ollama_generate", events, streamed=True)
    return None


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    """``/api/chat`` and ``/api/generate`` replies: ``done`` and a message or a response."""
    if not isinstance(body.get("done"), bool) or "model" not in body:
        return None
    if isinstance(body.get("message"), dict):
        return ollama("ollama_chat", [body], streamed=False)
    if isinstance(body.get("response"), str):
        return ollama("ollama_generate", [body], streamed=False)
    return None


request_volatile: tuple[str, ...] = ()


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    """Its chat requests have OpenAI's shape (``messages``, ``tools``): ``openai_chat``
    reads them."""
    return None
