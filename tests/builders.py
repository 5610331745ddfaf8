"""Small synthetic recordings for the reassembly tests, built in code."""

from __future__ import annotations

from typing import Any

CHUNK = "openai.types.chat.chat_completion_chunk.ChatCompletionChunk"


def delta_chunk(
    index: int = 0,
    finish: str | None = None,
    usage: dict[str, Any] | None = None,
    logprobs: Any = None,
    **delta: Any,
) -> dict[str, Any]:
    """One chat chunk with one choice carrying ``delta``."""
    full = {
        "content": None,
        "function_call": None,
        "refusal": None,
        "role": None,
        "tool_calls": None,
        **delta,
    }
    return chunk(
        [{"delta": full, "finish_reason": finish, "index": index, "logprobs": logprobs}],
        usage=usage,
    )


def chunk(choices: list[Any], usage: Any = None, **extra: Any) -> dict[str, Any]:
    return {
        "__type__": CHUNK,
        "__data__": {
            "id": "rec-0123456789ab",
            "choices": choices,
            "created": 0,
            "model": "m-1",
            "object": "chat.completion.chunk",
            "usage": usage,
            **extra,
        },
    }


def usage_chunk(prompt: int, completion: int) -> dict[str, Any]:
    return chunk(
        [],
        usage={
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        },
    )


def call(
    index: int,
    arguments: str,
    id: str | None = None,
    name: str | None = None,
) -> dict[str, Any]:
    return {
        "index": index,
        "id": id,
        "type": "function" if id else None,
        "function": {"name": name, "arguments": arguments},
    }


def recording(
    body: Any, streaming: bool = True, request: dict[str, Any] | None = None, **response: Any
) -> dict[str, Any]:
    return {
        "test_id": "tests/integration/x/test_x.py::test_x",
        "request": request
        or {
            "method": "POST",
            "url": "http://localhost:11434/v1/v1/chat/completions",
            "headers": {},
            "body": {"model": "m", "messages": [{"role": "user", "content": "hi"}]},
            "endpoint": "/v1/chat/completions",
            "model": "m",
        },
        "response": {"body": body, "is_streaming": streaming, **response},
        "id_normalization_mapping": {},
    }


def raw_request(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "test_id": "tests/integration/x/test_x.py::test_x",
        "url": url,
        "method": "POST",
        "payload": payload,
    }


def sse(*events: tuple[str, str]) -> list[str]:
    lines: list[str] = []
    for event, data in events:
        lines += [f"event: {event}", f"data: {data}", ""]
    return lines
