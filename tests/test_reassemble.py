"""Reassembly of every stream flavour and non-streamed body (docs/format.md, section 6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recctl.answer import Answer
from recctl.containers.ogx_answers import reassemble

from builders import call, chunk, delta_chunk, raw_request, recording, sse, usage_chunk
from conftest import EVERY_FILE, SEED, corpus_id, load


def _one(answer: Answer) -> Any:
    [choice] = answer.choices
    return choice


# --- OpenAI chat streams ----------------------------------------------------------


def test_the_seed() -> None:
    answer = reassemble(load(SEED))
    choice = _one(answer)
    assert choice.text.startswith(
        "I currently only have information about the Llama 4 Maverick model"
    )
    assert (choice.role, choice.finish_reason) == ("assistant", "stop")
    assert answer.usage is not None
    assert (
        answer.usage.prompt_tokens,
        answer.usage.completion_tokens,
        answer.usage.total_tokens,
    ) == (631, 50, 681)
    assert (answer.kind, answer.streamed, answer.chunks, answer.truncated) == (
        "chat_completion",
        True,
        52,
        False,
    )
    assert answer.model == "gpt-4o-2024-08-06"


def test_role_repeated_on_every_chunk_is_set_once() -> None:
    body = [delta_chunk(role="assistant", content=piece) for piece in ("Hel", "lo")]
    body.append(delta_chunk(role="assistant", finish="stop"))
    choice = _one(reassemble(recording(body)))
    assert (choice.role, choice.text) == ("assistant", "Hello")


def test_vllm_sends_reasoning_twice_and_it_is_taken_once() -> None:
    body = [
        delta_chunk(role="assistant", reasoning_content="Think", reasoning="Think"),
        delta_chunk(reasoning_content=" hard", reasoning=" hard"),
        delta_chunk(reasoning="only-reasoning"),
        delta_chunk(content="42", finish="stop"),
    ]
    choice = _one(reassemble(recording(body)))
    assert (choice.reasoning, choice.text) == ("Think hardonly-reasoning", "42")


def test_tool_call_fragments_are_joined_by_index_and_parsed() -> None:
    body = [
        delta_chunk(role="assistant", tool_calls=[call(0, "", "call_a", "get_weather")]),
        delta_chunk(tool_calls=[call(0, '{"city": ')]),
        delta_chunk(tool_calls=[call(0, '"Paris"}')]),
        delta_chunk(finish="tool_calls"),
    ]
    choice = _one(reassemble(recording(body)))
    [tool] = choice.tool_calls
    assert (tool.index, tool.id, tool.type, tool.name) == (0, "call_a", "function", "get_weather")
    assert (tool.arguments, tool.parsed, tool.valid) == (
        '{"city": "Paris"}',
        {"city": "Paris"},
        True,
    )
    assert choice.finish_reason == "tool_calls"


def test_parallel_calls_interleaved_by_index() -> None:
    body = [
        delta_chunk(tool_calls=[call(0, '{"a"', "call_1", "f"), call(1, '{"b"', "call_2", "g")]),
        delta_chunk(tool_calls=[call(1, ": 2}")]),
        delta_chunk(tool_calls=[call(0, ": 1}")]),
        delta_chunk(finish="tool_calls"),
    ]
    calls = _one(reassemble(recording(body))).tool_calls
    assert [(c.index, c.id, c.name, c.parsed) for c in calls] == [
        (0, "call_1", "f", {"a": 1}),
        (1, "call_2", "g", {"b": 2}),
    ]


def test_a_new_id_at_a_used_index_starts_a_new_call() -> None:
    body = [
        delta_chunk(tool_calls=[call(0, '{"x": 1}', "call_1", "f")]),  # whole call at once
        delta_chunk(tool_calls=[call(0, '{"x": 2}', "call_2", "f")]),
        delta_chunk(tool_calls=[call(0, "", "call_3", "g")]),
        delta_chunk(tool_calls=[call(0, "{}")]),
        delta_chunk(finish="tool_calls"),
    ]
    calls = _one(reassemble(recording(body))).tool_calls
    assert [(c.index, c.id, c.name, c.parsed) for c in calls] == [
        (0, "call_1", "f", {"x": 1}),
        (0, "call_2", "f", {"x": 2}),
        (0, "call_3", "g", {}),
    ]


def test_content_and_tool_calls_in_one_choice_and_a_finish_chunk_with_content() -> None:
    body = [
        delta_chunk(role="assistant", content="Let me check. "),
        delta_chunk(tool_calls=[call(0, "{}", "call_1", "lookup")]),
        delta_chunk(content="Done.", finish="tool_calls"),
    ]
    choice = _one(reassemble(recording(body)))
    assert choice.text == "Let me check. Done."
    assert [c.name for c in choice.tool_calls] == ["lookup"]


def test_arguments_that_are_not_json_are_kept_raw_and_flagged() -> None:
    body = [
        delta_chunk(tool_calls=[call(0, '{"city": "Par', "call_1", "f")]),
        delta_chunk(finish="tool_calls"),
    ]
    [tool] = _one(reassemble(recording(body))).tool_calls
    assert (tool.arguments, tool.valid, tool.parsed) == ('{"city": "Par', False, None)


def test_azure_leading_empty_chunk_and_trailing_usage() -> None:
    azure = chunk([], prompt_filter_results=[{"prompt_index": 0}])
    azure["__data__"].update(object="", model="", id="")
    body = [
        azure,
        delta_chunk(role="assistant", content="Hi"),
        delta_chunk(finish="stop"),
        usage_chunk(10, 2),
    ]
    answer = reassemble(recording(body))
    assert _one(answer).text == "Hi"
    assert answer.model == "m-1"
    assert answer.usage is not None
    assert (answer.usage.prompt_tokens, answer.usage.total_tokens) == (10, 12)


def test_usage_is_never_summed_over_chunks() -> None:
    first = {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6}
    body = [delta_chunk(content="a", usage=first), delta_chunk(finish="stop"), usage_chunk(5, 3)]
    usage = reassemble(recording(body)).usage
    assert usage is not None and usage.completion_tokens == 3 and usage.raw["total_tokens"] == 8


def test_missing_usage_is_not_recorded_not_zero() -> None:
    body = [delta_chunk(content="a", finish="stop")]
    assert reassemble(recording(body)).usage is None


def test_two_choices_are_kept_apart() -> None:
    body = [
        delta_chunk(index=0, role="assistant", content="A"),
        delta_chunk(index=1, role="assistant", content="B"),
        delta_chunk(index=1, content="b", finish="stop"),
        delta_chunk(index=0, content="a", finish="length"),
    ]
    choices = reassemble(recording(body)).choices
    assert [(c.index, c.text, c.finish_reason) for c in choices] == [
        (0, "Aa", "length"),
        (1, "Bb", "stop"),
    ]


def test_refusal_and_logprobs() -> None:
    logprobs = {"content": [{"token": "No", "logprob": -0.1}], "refusal": None}
    body = [
        delta_chunk(refusal="I can't", logprobs=logprobs),
        delta_chunk(refusal=" help.", logprobs=logprobs, finish="stop"),
    ]
    choice = _one(reassemble(recording(body)))
    assert (choice.refusal, choice.text, choice.logprobs) == ("I can't help.", None, 2)


@pytest.mark.parametrize(
    ("body", "response"),
    [
        ([delta_chunk(content="cut off")], {}),  # no finish reason
        ([], {}),  # no chunks at all
        (
            None,
            {
                "is_exception": True,
                "exception_message": "boom",
                "exception_data": {"type": "APIError", "message": "boom", "status_code": 500},
            },
        ),
    ],
    ids=["no-finish", "no-chunks", "exception"],
)
def test_truncated_streams(body: Any, response: dict[str, Any]) -> None:
    assert reassemble(recording(body, **response)).truncated


# --- other flavours ----------------------------------------------------------------


def _typed(name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"__type__": name, "__data__": data}


def test_chat_completion_not_streamed() -> None:
    message = {
        "role": "assistant",
        "content": None,
        "reasoning_content": "hmm",
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
        ],
    }
    data = {
        "id": "x",
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": message, "finish_reason": "tool_calls"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
    }
    answer = reassemble(
        recording(_typed("openai.types.chat.chat_completion.ChatCompletion", data), streaming=False)
    )
    choice = _one(answer)
    assert (answer.streamed, answer.chunks, choice.reasoning, choice.text) == (
        False,
        0,
        "hmm",
        None,
    )
    assert [(c.id, c.name, c.parsed) for c in choice.tool_calls] == [("call_1", "f", {"a": 1})]
    assert answer.usage is not None and answer.usage.total_tokens == 7


def test_legacy_completion_stream() -> None:
    def part(text: str, finish: str | None = None) -> dict[str, Any]:
        return _typed(
            "openai.types.completion.Completion",
            {
                "id": "x",
                "object": "text_completion",
                "model": "m",
                "usage": None,
                "choices": [{"index": 0, "text": text, "finish_reason": finish, "logprobs": None}],
            },
        )

    answer = reassemble(recording([part("Once"), part(" upon"), part("", "stop")]))
    assert (answer.kind, _one(answer).text, _one(answer).finish_reason) == (
        "completion",
        "Once upon",
        "stop",
    )
    assert answer.usage is None


def test_genai_stream_with_thoughts_and_a_function_call() -> None:
    def genai(parts: list[Any], finish: str | None = None, usage: Any = None) -> dict[str, Any]:
        return {
            "candidates": [{"content": {"role": "model", "parts": parts}, "finish_reason": finish}],
            "model_version": "gemini-x",
            "usage_metadata": usage,
        }

    usage = {
        "prompt_token_count": 9,
        "candidates_token_count": 4,
        "thoughts_token_count": 2,
        "total_token_count": 15,
    }
    body = [
        genai([{"text": "plan", "thought": True}]),
        genai([{"text": "Sunny"}]),
        genai([{"function_call": {"name": "w", "args": {"c": "SF"}}}], "STOP", usage),
    ]
    answer = reassemble(recording(body))
    choice = _one(answer)
    assert (answer.kind, answer.model, choice.role) == ("genai", "gemini-x", "assistant")
    assert (choice.reasoning, choice.text, choice.finish_reason) == ("plan", "Sunny", "STOP")
    assert [(c.name, c.parsed) for c in choice.tool_calls] == [("w", {"c": "SF"})]
    assert answer.usage is not None
    assert (
        answer.usage.prompt_tokens,
        answer.usage.completion_tokens,
        answer.usage.total_tokens,
    ) == (9, 6, 15)


def test_anthropic_sse_stream() -> None:
    body = sse(
        (
            "message_start",
            json.dumps(
                {
                    "type": "message_start",
                    "message": {
                        "id": "msg_1",
                        "role": "assistant",
                        "model": "claude-x",
                        "usage": {"input_tokens": 12, "output_tokens": 1},
                    },
                }
            ),
        ),
        (
            "content_block_start",
            json.dumps(
                {"type": "content_block_start", "index": 0, "content_block": {"type": "thinking"}}
            ),
        ),
        (
            "content_block_delta",
            json.dumps(
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "thinking_delta", "thinking": "Hmm"},
                }
            ),
        ),
        (
            "content_block_start",
            json.dumps(
                {
                    "type": "content_block_start",
                    "index": 1,
                    "content_block": {"type": "text", "text": ""},
                }
            ),
        ),
        (
            "content_block_delta",
            json.dumps(
                {
                    "type": "content_block_delta",
                    "index": 1,
                    "delta": {"type": "text_delta", "text": "Hi"},
                }
            ),
        ),
        (
            "content_block_start",
            json.dumps(
                {
                    "type": "content_block_start",
                    "index": 2,
                    "content_block": {"type": "tool_use", "id": "t1", "name": "f", "input": {}},
                }
            ),
        ),
        (
            "content_block_delta",
            json.dumps(
                {
                    "type": "content_block_delta",
                    "index": 2,
                    "delta": {"type": "input_json_delta", "partial_json": '{"q": '},
                }
            ),
        ),
        (
            "content_block_delta",
            json.dumps(
                {
                    "type": "content_block_delta",
                    "index": 2,
                    "delta": {"type": "input_json_delta", "partial_json": '"x"}'},
                }
            ),
        ),
        (
            "message_delta",
            json.dumps(
                {
                    "type": "message_delta",
                    "delta": {"stop_reason": "tool_use"},
                    "usage": {"output_tokens": 30},
                }
            ),
        ),
        ("message_stop", json.dumps({"type": "message_stop"})),
    )
    request = raw_request("http://localhost/v1/messages", {"model": "claude-x", "stream": True})
    answer = reassemble(recording(body, request=request, status=200))
    choice = _one(answer)
    assert (answer.kind, answer.model, choice.reasoning, choice.text) == (
        "anthropic_message",
        "claude-x",
        "Hmm",
        "Hi",
    )
    assert [(c.id, c.name, c.parsed) for c in choice.tool_calls] == [("t1", "f", {"q": "x"})]
    assert choice.finish_reason == "tool_use"
    assert answer.usage is not None
    assert (
        answer.usage.prompt_tokens,
        answer.usage.completion_tokens,
        answer.usage.total_tokens,
    ) == (12, 30, 42)


def test_interactions_sse_stream() -> None:
    usage = {
        "total_input_tokens": 5,
        "total_output_tokens": 3,
        "total_thought_tokens": 1,
        "total_tokens": 9,
    }
    body = sse(
        (
            "interaction.start",
            json.dumps(
                {"event_type": "interaction.start", "interaction": {"id": "i", "model": "gem"}}
            ),
        ),
        (
            "content.start",
            json.dumps({"event_type": "content.start", "index": 0, "content": {"type": "text"}}),
        ),
        (
            "content.delta",
            json.dumps(
                {
                    "event_type": "content.delta",
                    "index": 0,
                    "delta": {"type": "text", "text": "1, 2"},
                }
            ),
        ),
        (
            "content.delta",
            json.dumps(
                {
                    "event_type": "content.delta",
                    "index": 0,
                    "delta": {"type": "text", "text": ", 3"},
                }
            ),
        ),
        (
            "interaction.complete",
            json.dumps(
                {
                    "event_type": "interaction.complete",
                    "interaction": {"id": "i", "status": "completed", "usage": usage},
                }
            ),
        ),
        ("done", "[DONE]"),
    )
    request = raw_request("https://x/v1beta/interactions", {"model": "gem", "stream": True})
    answer = reassemble(recording(body, request=request, status=200))
    choice = _one(answer)
    assert (answer.kind, choice.text, choice.finish_reason) == (
        "interaction",
        "1, 2, 3",
        "completed",
    )
    assert answer.usage is not None
    assert (
        answer.usage.prompt_tokens,
        answer.usage.completion_tokens,
        answer.usage.total_tokens,
    ) == (5, 4, 9)


def test_ollama_chat_stream_with_a_tool_call() -> None:
    def part(content: str, done: bool = False, **extra: Any) -> dict[str, Any]:
        return _typed(
            "ollama._types.ChatResponse",
            {
                "model": "llama",
                "done": done,
                "message": {"role": "assistant", "content": content, "thinking": None, **extra},
                **(
                    {"done_reason": "stop", "prompt_eval_count": 7, "eval_count": 2} if done else {}
                ),
            },
        )

    tool_calls = [{"function": {"name": "f", "arguments": {"x": 1}}}]
    answer = reassemble(
        recording([part("He"), part("y", tool_calls=tool_calls), part("", done=True)])
    )
    choice = _one(answer)
    assert (answer.kind, choice.text, choice.finish_reason) == ("ollama_chat", "Hey", "stop")
    assert [(c.name, c.parsed) for c in choice.tool_calls] == [("f", {"x": 1})]
    assert answer.usage is not None and answer.usage.total_tokens == 9


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (
            _typed(
                "openai.types.create_embedding_response.CreateEmbeddingResponse",
                {
                    "data": [],
                    "model": "e",
                    "object": "list",
                    "usage": {"prompt_tokens": 4, "total_tokens": 4},
                },
            ),
            "embedding",
        ),
        ([_typed("openai.types.model.Model", {"id": "m", "object": "model"})], "model_list"),
        (_typed("ogx_api.tools.ToolInvocationResult", {"content": "r"}), "tool_result"),
        (_typed("ollama._types.ProcessResponse", {"models": []}), "ollama_ps"),
        ({"error": {"message": "bad"}}, "http_error"),
        (_typed("some.unknown.Thing", {}), "unknown"),
    ],
)
def test_recordings_without_an_answer_have_no_choices(body: Any, kind: str) -> None:
    answer = reassemble(recording(body, streaming=False))
    assert (answer.kind, answer.choices, answer.truncated) == (kind, [], False)
    if kind == "embedding":
        assert answer.usage is not None and answer.usage.prompt_tokens == 4
    if kind == "http_error":
        assert answer.error == "bad"


@pytest.mark.parametrize(
    "value",
    [
        None,
        3,
        [],
        {},
        {"response": {"body": [1, {"a": 2}]}},
        {"response": {"body": "x", "is_streaming": True}},
    ],
)
def test_anything_reassembles_without_raising(value: Any) -> None:
    assert isinstance(reassemble(value), Answer)


@pytest.mark.parametrize("path", EVERY_FILE, ids=corpus_id)
def test_every_corpus_file_reassembles(path: Path) -> None:
    answer = reassemble(load(path))
    assert answer.kind != "unknown"
    for choice in answer.choices:
        assert all(call.valid for call in choice.tool_calls)
        assert choice.finish_reason is not None
    if answer.streamed and answer.kind not in ("exception",):
        assert not answer.truncated
    if answer.usage is not None:
        assert answer.usage.raw
