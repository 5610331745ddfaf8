"""Each wire protocol, read through every container that can carry it.

A body or a stream of each protocol, written by hand, is stored as an ogx raw
recording and as a VCR.py cassette interaction; both containers must hand the
protocol module the same objects, so the answers must be the same, and as
written here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from recctl.answer import Answer
from recctl.containers import ogx, vcrpy
from recctl.protocols import VOLATILE, read_answer, read_body, read_stream

URL = "https://api.example.com/v1/endpoint"


def _via_ogx(body: Any, events: list[dict[str, Any]] | None) -> Answer | None:
    stored = [f"data: {json.dumps(event)}" for event in events] if events else body
    recording = {
        "request": {"url": URL, "method": "POST", "payload": {"model": "asked"}},
        "response": {"body": stored, "is_streaming": events is not None},
    }
    file = ogx.parse(json.dumps(recording).encode(), "r.json")
    return file.answer(file.exchanges[0])


def _via_cassette(body: Any, events: list[dict[str, Any]] | None) -> Answer | None:
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) if events else json.dumps(body)
    kind = "text/event-stream" if events else "application/json"
    interaction = {
        "request": {"method": "POST", "uri": URL, "body": '{"model": "asked"}', "headers": {}},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": [kind]},
            "body": {"string": text},
        },
    }
    raw = json.dumps({"interactions": [interaction], "version": 1}).encode()  # JSON is YAML
    file = vcrpy.parse(raw, "c.yaml")
    return file.answer(file.exchanges[0])


CONTAINERS = [pytest.param(_via_ogx, id="ogx"), pytest.param(_via_cassette, id="vcrpy")]


def _summary(answer: Answer | None) -> dict[str, Any]:
    assert answer is not None
    choice = answer.choices[0] if answer.choices else None
    return {
        "kind": answer.kind,
        "text": choice.text if choice else None,
        "reasoning": choice.reasoning if choice else None,
        "calls": [(c.name, c.parsed) for c in choice.tool_calls] if choice else [],
        "finish": choice.finish_reason if choice else None,
        "usage": (answer.usage.prompt_tokens, answer.usage.completion_tokens)
        if answer.usage
        else None,
        "error": answer.error,
    }


# --- OpenAI Responses --------------------------------------------------------------

RESPONSE = {
    "object": "response",
    "model": "gpt-4o",
    "status": "incomplete",
    "incomplete_details": {"reason": "max_output_tokens"},
    "output": [
        {"type": "reasoning", "summary": [{"type": "summary_text", "text": "think"}]},
        {
            "type": "message",
            "content": [
                {"type": "output_text", "text": "Hello"},
                {"type": "refusal", "refusal": "no"},
            ],
        },
        {"type": "function_call", "call_id": "c1", "name": "f", "arguments": '{"a": 1}'},
    ],
    "usage": {"input_tokens": 5, "output_tokens": 7, "total_tokens": 12},
    "error": {"code": "server_error"},
}
RESPONSE_EVENTS: list[dict[str, Any]] = [
    {"type": "response.created", "response": {"model": "gpt-4o"}},
    {
        "type": "response.output_item.added",
        "item": {"type": "function_call", "id": "i1", "name": "f"},
    },
    {"type": "response.function_call_arguments.delta", "item_id": "i1", "delta": '{"a"'},
    {"type": "response.function_call_arguments.delta", "item_id": "i1", "delta": ": 1}"},
    {"type": "response.function_call_arguments.delta", "item_id": "nope", "delta": "x"},
    {"type": "response.reasoning_summary_text.delta", "delta": "think"},
    {"type": "response.output_text.delta", "delta": "Hel"},
    {"type": "response.output_text.delta", "delta": "lo"},
    {
        "type": "response.completed",
        "response": {"model": "gpt-4o", "status": "completed", "usage": RESPONSE["usage"]},
    },
]


@pytest.mark.parametrize("through", CONTAINERS)
def test_responses_body(through: Any) -> None:
    assert _summary(through(RESPONSE, None)) == {
        "kind": "responses",
        "text": "Hello",
        "reasoning": "think",
        "calls": [("f", {"a": 1})],
        "finish": "max_output_tokens",
        "usage": (5, 7),
        "error": "server_error",
    }


@pytest.mark.parametrize("through", CONTAINERS)
def test_responses_stream(through: Any) -> None:
    assert _summary(through(None, RESPONSE_EVENTS)) == {
        "kind": "responses",
        "text": "Hello",
        "reasoning": "think",
        "calls": [("f", {"a": 1})],
        "finish": "completed",
        "usage": (5, 7),
        "error": None,
    }


@pytest.mark.parametrize("through", CONTAINERS)
def test_a_background_responses_stream_is_read_from_its_terminal_response(through: Any) -> None:
    terminal = {**RESPONSE, "status": "completed", "incomplete_details": None, "error": None}
    events = [{"type": "response.completed", "response": terminal}]
    summary = _summary(through(None, events))
    assert summary["text"] == "Hello" and summary["finish"] == "completed"


def test_a_responses_stream_cut_before_its_end_has_no_finish_reason() -> None:
    answer = read_stream(RESPONSE_EVENTS[:-1])
    assert answer is not None and answer.choices[0].finish_reason is None
    assert answer.close().truncated


# --- Ollama ------------------------------------------------------------------------

OLLAMA_CHAT = {
    "model": "llama3",
    "message": {
        "role": "assistant",
        "content": "Hi",
        "thinking": "hm",
        "tool_calls": [{"function": {"name": "f", "arguments": {"a": 1}}}],
    },
    "done": True,
    "done_reason": "stop",
    "prompt_eval_count": 3,
    "eval_count": 4,
}


@pytest.mark.parametrize("through", CONTAINERS)
def test_ollama_chat_body(through: Any) -> None:
    assert _summary(through(OLLAMA_CHAT, None)) == {
        "kind": "ollama_chat",
        "text": "Hi",
        "reasoning": "hm",
        "calls": [("f", {"a": 1})],
        "finish": "stop",
        "usage": (3, 4),
        "error": None,
    }


@pytest.mark.parametrize("through", CONTAINERS)
def test_ollama_generate_body(through: Any) -> None:
    body = {"model": "llama3", "response": "Hi", "done": True}
    summary = _summary(through(body, None))
    assert (summary["kind"], summary["text"], summary["finish"], summary["usage"]) == (
        "ollama_generate",
        "Hi",
        "stop",
        None,
    )


def test_a_body_with_done_but_neither_message_nor_response_is_not_ollama() -> None:
    assert read_body({"model": "m", "done": True}) is None
    assert read_body({"model": "m", "done": "yes", "response": "x"}) is None


# --- the others, through both containers -------------------------------------------

OTHERS = [
    (
        {
            "id": "x",
            "object": "chat.completion",
            "model": "m",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Hi"},
                    "finish_reason": "stop",
                }
            ],
        },
        {"kind": "chat_completion", "text": "Hi", "finish": "stop"},
    ),
    (
        {
            "type": "message",
            "role": "assistant",
            "model": "claude",
            "stop_reason": "end_turn",
            "content": [{"type": "text", "text": "Hi"}],
        },
        {"kind": "anthropic_message", "text": "Hi", "finish": "end_turn"},
    ),
    (
        {"type": "completion", "completion": "Hi", "stop_reason": "stop_sequence", "model": "c"},
        {"kind": "anthropic_completion", "text": "Hi", "finish": "stop_sequence"},
    ),
    (
        {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": "Hi"}]}, "finishReason": "STOP"}
            ],
            "modelVersion": "gemini",
        },
        {"kind": "genai", "text": "Hi", "finish": "STOP"},
    ),
    (
        {
            "output": {"message": {"role": "assistant", "content": [{"text": "Hi"}]}},
            "stopReason": "end_turn",
        },
        {"kind": "bedrock_converse", "text": "Hi", "finish": "end_turn"},
    ),
]


@pytest.mark.parametrize("through", CONTAINERS)
@pytest.mark.parametrize(("body", "expected"), OTHERS, ids=[e["kind"] for _, e in OTHERS])
def test_every_protocol_reads_the_same_through_every_container(
    through: Any, body: dict[str, Any], expected: dict[str, Any]
) -> None:
    summary = _summary(through(body, None))
    assert {key: summary[key] for key in expected} == expected


def test_an_error_body_is_an_http_error_and_a_plain_body_no_answer() -> None:
    error = read_answer(URL, 429, {"error": {"message": "slow down"}}, None)
    assert error is not None and error.error == "HTTP 429: slow down"
    assert read_answer(URL, None, {"error": {"message": "x"}}, None).error == "x"  # type: ignore[union-attr]
    assert read_answer(URL, 200, {"uploaded": True}, None) is None
    assert read_answer(URL, 200, "plain text", None) is None


def test_volatile_fields_are_relative_to_the_provider_object() -> None:
    assert "id" in VOLATILE and "output[*].call_id" in VOLATILE and "responseId" in VOLATILE
    assert not any(path.startswith("$") for path in VOLATILE)
