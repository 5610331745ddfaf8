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


# --- Cohere v2, Ollama's NDJSON, Gemini's JSON arrays, OpenAI-compatible variations --


def test_cohere_v2_body_and_stream() -> None:
    body = {
        "id": "x",
        "finish_reason": "COMPLETE",
        "message": {
            "role": "assistant",
            "content": [{"type": "text", "text": "Hi"}],
            "tool_plan": "plan",
            "tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
            ],
        },
        "usage": {"tokens": {"input_tokens": 4, "output_tokens": 2}},
    }
    for through in (_via_ogx, _via_cassette):
        assert _summary(through(body, None)) == {
            "kind": "cohere_chat",
            "text": "Hi",
            "reasoning": "plan",
            "calls": [("f", {"a": 1})],
            "finish": "COMPLETE",
            "usage": (4, 2),
            "error": None,
        }
    events: list[dict[str, Any]] = [
        {"type": "message-start", "id": "x"},
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "H"}}}},
        {"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "i"}}}},
        {
            "type": "message-end",
            "delta": {
                "finish_reason": "COMPLETE",
                "usage": {"tokens": {"input_tokens": 4, "output_tokens": 2}},
            },
        },
    ]
    summary = _summary(_via_cassette(None, events))
    assert (summary["kind"], summary["text"], summary["finish"], summary["usage"]) == (
        "cohere_chat",
        "Hi",
        "COMPLETE",
        (4, 2),
    )


def test_an_ollama_ndjson_stream_in_a_cassette() -> None:
    lines = [
        {"model": "llama3", "message": {"role": "assistant", "content": "Hel"}, "done": False},
        {
            "model": "llama3",
            "message": {"role": "assistant", "content": "lo"},
            "done": True,
            "done_reason": "stop",
            "prompt_eval_count": 3,
            "eval_count": 2,
        },
    ]
    interaction = {
        "request": {
            "method": "POST",
            "uri": "http://localhost:11434/api/chat",
            "body": "{}",
            "headers": {},
        },
        "response": {
            "status": {"code": 200},
            "headers": {"Content-Type": ["application/x-ndjson"]},
            "body": {"string": "\n".join(json.dumps(line) for line in lines) + "\n"},
        },
    }
    file = vcrpy.parse(json.dumps({"interactions": [interaction]}).encode(), "c.yaml")
    summary = _summary(file.answer(file.exchanges[0]))
    assert (summary["kind"], summary["text"], summary["finish"], summary["usage"]) == (
        "ollama_chat",
        "Hello",
        "stop",
        (3, 2),
    )


def test_gemini_json_array_stream_with_numbered_finish_reasons() -> None:
    chunks = [
        {"candidates": [{"content": {"role": "model", "parts": [{"text": "Pa"}]}}]},
        {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": "ris"}]}, "finishReason": 1}
            ],
            "usageMetadata": {
                "promptTokenCount": 5,
                "candidatesTokenCount": 2,
                "totalTokenCount": 7,
            },
        },
    ]
    answer = read_answer(
        "https://x/v1beta/models/gemini-2.5-flash:streamGenerateContent", 200, chunks, None
    )
    assert answer is not None and answer.streamed and answer.model == "gemini-2.5-flash"
    assert (answer.choices[0].text, answer.choices[0].finish_reason) == ("Paris", "STOP")


def test_openai_compatible_variations() -> None:
    text = (
        ": OPENROUTER PROCESSING\n\n"
        'data: {"object": "", "choices": [], "prompt_filter_results": []}\n\n'
        'data: {"object": "chat.completion.chunk", "model": "m", "choices": [{"index": 0, '
        '"delta": {"role": "assistant", "reasoning_content": "think"}}]}\n\n'
        'data: {"object": "chat.completion.chunk", "choices": [{"index": 0, '
        '"delta": {"content": "Hi"}}]}\n\n'
        'data: {"object": "chat.completion.done", "choices": [{"index": 0, "delta": {}, '
        '"finish_reason": "stop"}], "usage": {"prompt_tokens": 1, "completion_tokens": 1}}\n\n'
        "data: [DONE]\n\n"
    )
    from recctl.protocols.sse import text_events

    answer = read_answer(URL, 200, text, text_events(text))
    assert answer is not None
    choice = answer.choices[0]
    assert (choice.text, choice.reasoning, choice.finish_reason) == ("Hi", "think", "stop")


def test_embeddings_and_a_server_error_without_body() -> None:
    body = {"object": "list", "data": [{"embedding": [0.1]}], "model": "e", "usage": {}}
    embedding = read_answer(URL, 200, body, None)
    assert embedding is not None and embedding.kind == "embedding"
    error = read_answer(URL, 500, None, None)
    assert error is not None and error.error == "HTTP 500: no body"


def test_a_cohere_stream_with_a_tool_plan_and_a_tool_call() -> None:
    events: list[dict[str, Any]] = [
        {"type": "message-start"},
        {"type": "tool-plan-delta", "delta": {"message": {"tool_plan": "look it up"}}},
        {
            "type": "tool-call-start",
            "index": 0,
            "delta": {
                "message": {
                    "tool_calls": {
                        "id": "c1",
                        "type": "function",
                        "function": {"name": "f", "arguments": ""},
                    }
                }
            },
        },
        {
            "type": "tool-call-delta",
            "index": 0,
            "delta": {"message": {"tool_calls": {"function": {"arguments": '{"a": 1}'}}}},
        },
        {"type": "message-end", "delta": {"finish_reason": "TOOL_CALL", "usage": {}}},
    ]
    answer = read_stream(events)
    assert answer is not None
    choice = answer.close().choices[0]
    assert (choice.reasoning, choice.finish_reason, answer.usage) == (
        "look it up",
        "TOOL_CALL",
        None,
    )
    assert [(c.name, c.parsed) for c in choice.tool_calls] == [("f", {"a": 1})]
