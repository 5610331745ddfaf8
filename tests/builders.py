"""Small synthetic recordings for the reassembly tests, built in code."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from recctl.containers import ogx
from recctl.diff import ExchangeDiff
from recctl.diff_files import Ignores, diff_files
from recctl.ogx.hashing import request_hash

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


# --- a chain of tool calls, for normalize --tool-call-ids ---------------------------

TOOL_CALL_TEST_ID = "tests/integration/x/test_x.py::test_chain"
URL = "https://api.openai.com/v1/v1/chat/completions"


def tool_call_turn(
    messages: list[Any], calls: list[tuple[str, str]], text: str | None = None
) -> Any:
    """One recorded turn: the request so far, and an answer making ``calls``."""
    body = [delta_chunk(role="assistant", content=text)] if text else []
    body += [
        delta_chunk(tool_calls=[call(n, "{}", call_id, name)])
        for n, (call_id, name) in enumerate(calls)
    ]
    body.append(delta_chunk(finish="tool_calls" if calls else "stop"))
    recording = {
        "test_id": TOOL_CALL_TEST_ID,
        "request": {
            "method": "POST",
            "url": URL,
            "headers": {},
            "body": {"model": "m", "messages": messages},
            "endpoint": "/v1/chat/completions",
            "model": "m",
        },
        "response": {"body": body, "is_streaming": True},
        "id_normalization_mapping": {},
    }
    digest = request_hash(recording) or ""
    for chunk in body:
        chunk["__data__"]["id"] = f"rec-{digest[:12]}"
    return recording


def _assistant(*ids: str) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": "",
        "tool_calls": [
            {"id": i, "type": "function", "function": {"name": "f", "arguments": "{}"}} for i in ids
        ],
    }


def tool_call_chain(
    directory: Path, first: str = "call_AAA", second: str = "call_BBB"
) -> list[Path]:
    """Three turns: A is called, then B (echoing A), then an answer echoing both."""
    user = {"role": "user", "content": "go"}
    one = tool_call_turn([user], [(first, "f")])
    two_messages = [
        user,
        _assistant(first),
        {"role": "tool", "tool_call_id": first, "content": "1"},
    ]
    two = tool_call_turn(two_messages, [(second, "g")])
    three = tool_call_turn(
        [
            *two_messages,
            _assistant(second),
            {"role": "tool", "tool_call_id": second, "content": "2"},
        ],
        [],
        "done",
    )
    return [_write(directory / f"{request_hash(r)}.json", r) for r in (one, two, three)]


def _write(path: Path, recording: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(recording, indent=2) + "\n")
    return path


def diff_recordings(
    old: Any, new: Any, ignore: Iterable[str] | None = None, chunks: bool = False
) -> ExchangeDiff:
    """Two parsed ogx recordings compared as ``recctl diff`` compares two files
    (``ignore``: the paths ignored, default every volatile path)."""
    files = [ogx.file_of(document) for document in (old, new)]
    ignores = Ignores() if ignore is None else Ignores(False, tuple(ignore))
    diff = diff_files(files[0], files[1], ignores, chunks)
    return diff.pairs[0][2]
