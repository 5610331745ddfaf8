"""Which protocol an HTTP exchange speaks, told from its response, and its answer.

Many providers speak another's protocol (OpenAI's chat API is served by Mistral,
DeepSeek, OpenRouter, Writer, vLLM, ...), so the body decides, not the host: its
fields, or the types of its stream events. An exchange that holds no LLM answer
(an upload, an auth call, a GET) gives None.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from recctl.answer import Answer
from recctl.io import json_text
from recctl.protocols import anthropic, bedrock, google, openai_chat, openai_responses
from recctl.values import as_dict, as_list, as_str


def read_answer(
    url: str, status: int | None, body: Any, events: list[dict[str, Any]] | None
) -> Answer | None:
    answer = _stream(events) if events else _body(url, body)
    if answer is None and isinstance(body, dict) and (status or 200) >= 400:
        error = as_dict(body.get("error"))
        message = as_str(error.get("message")) or json_text(body)[:200]
        answer = Answer("http_error", False, error=f"HTTP {status}: {message}")
    return answer.close() if answer is not None else None


def _stream(events: list[dict[str, Any]]) -> Answer | None:
    kinds = {as_str(event.get("type")) or "" for event in events}
    if any(kind.startswith("response.") for kind in kinds):
        return openai_responses.stream(events)
    if kinds & {"message_start", "content_block_delta", "message_delta"}:
        return anthropic.stream(events, len(events))
    if any("event_type" in event for event in events):
        return google.interaction_stream(events, len(events))
    if any("candidates" in event for event in events):
        return google.genai(events, streamed=True)
    if any("choices" in event for event in events):
        if any(_is_text_completion(event) for event in events):
            return openai_chat.completions(events, streamed=True)
        return openai_chat.chat_stream(events)
    return None


def _is_text_completion(data: dict[str, Any]) -> bool:
    return data.get("object") == "text_completion" or any(
        "text" in as_dict(choice) for choice in as_list(data.get("choices"))
    )


def _body(url: str, body: Any) -> Answer | None:
    if not isinstance(body, dict):
        return None
    if isinstance(body.get("choices"), list):
        if _is_text_completion(body):
            return openai_chat.completions([body], streamed=False)
        return openai_chat.chat_completion(body)
    if body.get("object") == "response" and "output" in body:
        return openai_responses.response(body)
    if body.get("type") == "message" and "content" in body:
        return anthropic.message(body)
    if body.get("type") == "completion" and "completion" in body:
        return anthropic.completion(body)
    if "candidates" in body:
        return google.genai([body], streamed=False)
    if "outputs" in body or body.get("object") == "interaction":
        return google.interaction(body)
    output = as_dict(body.get("output"))
    if "message" in output and "stopReason" in body:
        return bedrock.converse(body, _bedrock_model(url))
    return None


def _bedrock_model(url: str) -> str | None:
    parts = urlsplit(url).path.split("/")
    return unquote(parts[2]) if len(parts) > 2 and parts[1] == "model" else None
