"""VCR.py cassettes: loading every layout safely, and the answers each protocol holds.

The expected answers were read by hand from the cassettes under
``fixtures/cassettes`` (real files, see fixtures/README.md).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from recctl import io
from recctl.containers import is_cassette
from recctl.containers.cassette import NotACassette, answers, load_cassette, parse_cassette

from conftest import FIXTURES, run

CASSETTES = FIXTURES / "cassettes"
CASSETTE_FILES = sorted(
    p for p in CASSETTES.rglob("*") if p.is_file() and p.name.endswith((".yaml", ".yaml.gz"))
)
#: For local checks, every cassette under $RECCTL_CASSETTES is loaded too.
EXTRA = os.environ.get("RECCTL_CASSETTES")
EVERY_CASSETTE = CASSETTE_FILES + (
    sorted(p for p in Path(EXTRA).rglob("*") if p.name.endswith((".yaml", ".yml", ".yaml.gz")))
    if EXTRA
    else []
)
OPENLLMETRY = CASSETTES / "openllmetry/packages"
CREWAI = CASSETTES / "crewai/lib/crewai/tests/cassettes"
PYDANTIC = CASSETTES / "pydantic-ai/tests"


@pytest.mark.parametrize("path", EVERY_CASSETTE, ids=lambda p: p.name[:60])
def test_every_cassette_loads(path: Path) -> None:
    try:
        cassette = load_cassette(str(path))
    except NotACassette as note:
        assert str(note).startswith("not an HTTP cassette")
        return
    assert cassette.layout in ("vcr", "parsed_body", "langchain")
    for exchange in cassette.exchanges:
        assert exchange.method and exchange.url.startswith("http")
        assert exchange.status is None or 100 <= exchange.status < 600


def _only(path: Path, interaction: int = 0) -> Any:
    found = dict(answers(load_cassette(str(path))))
    return found[interaction]


def _usage(answer: Any) -> tuple[int | None, ...]:
    usage = answer.usage
    return (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)


def test_openai_chat_not_streamed() -> None:
    path = OPENLLMETRY / (
        "opentelemetry-instrumentation-openai/tests/traces/cassettes/test_chat/"
        "test_chat_context_propagation_with_events_with_content.yaml"
    )
    answer = _only(path)
    assert (answer.kind, answer.streamed, answer.model) == (
        "chat_completion",
        False,
        "meta-llama/Llama-3.2-1B-Instruct",
    )
    assert answer.choices[0].text.startswith("Why did the OpenTelemetry metric go to therapy?")
    assert answer.choices[0].finish_reason == "stop"
    assert _usage(answer) == (43, 36, 79)


def test_openai_chat_streamed_tool_call() -> None:
    answer = _only(
        CREWAI
        / "llms/TestOpenAIToolCallStreaming.test_openai_streaming_emits_tool_call_events.yaml"
    )
    assert (answer.kind, answer.streamed, answer.truncated) == ("chat_completion", True, False)
    [call] = answer.choices[0].tool_calls
    assert (call.name, call.parsed) == ("get_current_temperature", {"city": "San Francisco"})
    assert answer.choices[0].finish_reason == "tool_calls"
    assert _usage(answer) == (66, 16, 82)


def test_responses_not_streamed_with_function_calls_and_gzip_bodies() -> None:
    path = OPENLLMETRY / (
        "opentelemetry-instrumentation-openai/tests/traces/cassettes/test_responses/"
        "test_responses_tool_calls.yaml"
    )
    cassette = load_cassette(str(path))
    assert "gzip" in cassette.exchanges[0].response.headers["content-encoding"]
    answer = _only(path)
    calls = answer.choices[0].tool_calls
    assert [(c.id, c.name, c.parsed) for c in calls] == [
        ("call_tYDv1bhtioyX33juEGDY4D6H", "get_weather", {"location": "London"}),
        ("call_lC079UhGnLJngBlPQO0FS6sv", "get_weather", {"location": "London"}),
    ]
    assert (answer.model, answer.choices[0].finish_reason) == (
        "gpt-4.1-nano-2025-04-14",
        "completed",
    )
    assert _usage(answer) == (58, 44, 102)


def test_responses_parsed_body_takes_usage_as_reported() -> None:
    path = (
        PYDANTIC / "models/cassettes/test_openai_responses/test_openai_responses_model_retry.yaml"
    )
    first, second = _only(path, 0), _only(path, 1)
    assert _usage(first) == (0, 0, 0)  # recorded so: taken as the provider reported it
    assert second.choices[0].text.startswith('It seems "Londos" might be incorrect or unknown.')
    assert _usage(second) == (335, 44, 379)


def test_responses_streamed() -> None:
    answer = _only(CREWAI / "llms/openai/test_openai_responses_api_streaming.yaml")
    assert (answer.kind, answer.streamed, answer.truncated) == ("responses", True, False)
    assert answer.choices[0].text == "1, 2, 3"
    assert (answer.model, answer.choices[0].finish_reason) == (
        "gpt-4o-mini-2024-07-18",
        "completed",
    )
    assert _usage(answer) == (27, 8, 35)


def test_anthropic_not_streamed() -> None:
    path = CREWAI / "llms/anthropic/test_anthropic_async_with_max_tokens.yaml"
    answer = _only(path, 1)
    assert (answer.kind, answer.streamed) == ("anthropic_message", False)
    assert answer.choices[0].text == "# The Last Song of Thalassion"
    assert answer.choices[0].finish_reason == "max_tokens"
    assert _usage(answer) == (16, 10, 26)


def test_anthropic_streamed_tool_use_with_input_json_delta() -> None:
    path = (
        CREWAI
        / "llms/TestAnthropicToolCallStreaming.test_anthropic_streaming_emits_tool_call_events.yaml"
    )
    answer = _only(path, 0)
    [call] = answer.choices[0].tool_calls
    assert (call.name, call.parsed) == ("get_current_temperature", {"city": "San Francisco"})
    assert answer.choices[0].text.startswith("I'll help you find out the current temperature")
    assert (answer.choices[0].finish_reason, _usage(answer)) == ("tool_use", (351, 85, 436))


def test_anthropic_streamed_thinking() -> None:
    path = (
        PYDANTIC / "models/cassettes/test_anthropic/test_anthropic_model_thinking_part_stream.yaml"
    )
    answer = _only(path)
    assert answer.choices[0].reasoning.startswith("This is a straightforward ques")
    assert answer.choices[0].text.startswith(
        "Here are the basic steps for safely crossing the street"
    )
    assert _usage(answer) == (43, 282, 325)


def test_anthropic_legacy_completion() -> None:
    path = OPENLLMETRY / (
        "opentelemetry-instrumentation-anthropic/tests/cassettes/test_completion/"
        "test_anthropic_completion_legacy.yaml"
    )
    answer = _only(path)
    assert (answer.kind, answer.choices[0].text, answer.usage) == (
        "anthropic_completion",
        " Hello!",
        None,
    )


def test_gemini_not_streamed_camel_case() -> None:
    answer = _only(
        PYDANTIC / "models/cassettes/test_google/test_google_recursive_schema_native_output.yaml"
    )
    assert (answer.kind, answer.streamed, answer.model) == ("genai", False, "gemini-2.0-flash")
    assert json.loads(answer.choices[0].text)["value"] == "A"
    assert (answer.choices[0].finish_reason, _usage(answer)) == ("STOP", (19, 48, 67))


def test_gemini_streamed_function_call() -> None:
    answer = _only(
        CREWAI
        / "llms/TestGeminiToolCallStreaming.test_gemini_streaming_emits_tool_call_events.yaml"
    )
    assert (answer.kind, answer.streamed) == ("genai", True)
    [call] = answer.choices[0].tool_calls
    assert (call.name, call.parsed) == ("get_current_temperature", {"city": "San Francisco"})
    assert _usage(answer) == (36, 8, 44)


def test_bedrock_converse_in_a_langchain_gzip_cassette() -> None:
    path = CASSETTES / "langchain-aws/libs/aws/tests/cassettes/test_agent_loop[v0].yaml.gz"
    cassette = load_cassette(str(path))
    assert cassette.layout == "langchain"
    first, second = _only(path, 0), _only(path, 1)
    assert first.model == "us.anthropic.claude-sonnet-5"
    [call] = first.choices[0].tool_calls
    assert (call.name, call.parsed) == ("get_weather", {"location": "San Francisco, CA"})
    assert second.choices[0].text == "The weather in San Francisco, CA is currently sunny! ☀️"
    assert _usage(second) == (512, 25, 537)


def test_an_http_error_is_an_answer_with_the_error() -> None:
    path = (
        OPENLLMETRY
        / "opentelemetry-instrumentation-openai/tests/traces/cassettes/test_vision/test_vision.yaml"
    )
    answer = _only(path, 2)
    assert answer.kind == "http_error"
    assert answer.error.startswith("HTTP 400: Error while downloading")


@pytest.mark.parametrize(
    ("path", "what"),
    [
        (
            PYDANTIC / "models/cassettes/test_multimodal_tool_returns/"
            "test_multimodal_tool_return_matrix[direct-binary-audio-xai].xai.yaml",
            "a gRPC recording",
        ),
        (
            PYDANTIC
            / "realtime/cassettes/test_azure_voice_live_ws/test_message_history_seeding.yaml",
            "a WebSocket session",
        ),
    ],
)
def test_files_that_are_not_http_cassettes_are_a_note(path: Path, what: str) -> None:
    with pytest.raises(NotACassette, match=what):
        load_cassette(str(path))
    result = run("reassemble", str(path), "-o", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []
    assert f"not an HTTP cassette: {what}" in result.stderr


# --- untrusted YAML ---------------------------------------------------------------------


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    evil = (
        "interactions:\n- request: !!python/object/apply:os.system "
        f"['touch {marker}']\n  response: {{}}\n"
    )
    with pytest.raises(io.LoadError, match="unsafe or unknown YAML tag"):
        parse_cassette(evil.encode())
    assert not marker.exists()


def test_an_alias_bomb_is_refused_in_bounded_time() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 12):
        previous = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([previous] * 10)}]")
    lines.append("interactions: [*a11]")
    started = time.monotonic()
    with pytest.raises(io.LoadError, match="alias bomb"):
        parse_cassette("\n".join(lines).encode())
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"interactions: [\n  - {request: \n", "not valid YAML"),
        (b"", "empty file"),
        (gzip.compress(b"interactions: []\n")[:-8], "truncated"),
        (b"\x1f\x8bnot gzip at all", "not valid gzip"),
    ],
)
def test_broken_cassettes_are_one_line_errors(raw: bytes, reason: str) -> None:
    with pytest.raises(io.LoadError, match=reason):
        parse_cassette(raw)


def test_header_values_may_be_strings_or_lists() -> None:
    cassette = parse_cassette(
        b"interactions:\n- request: {method: post, uri: 'https://x/v1', headers: {A: one}, "
        b"body: null}\n  response: {status: {code: 200}, headers: {B: [two, three]}, "
        b"body: {string: ''}}\n"
    )
    [exchange] = cassette.exchanges
    assert exchange.request.headers == {"a": ["one"]}
    assert exchange.response.headers == {"b": ["two", "three"]}
    assert (exchange.method, exchange.status) == ("POST", 200)


# --- the commands -------------------------------------------------------------------------


def test_reassemble_json_gives_one_entry_per_answer_with_its_interaction() -> None:
    path = CASSETTES / "langchain-aws/libs/aws/tests/cassettes/test_agent_loop[v0].yaml.gz"
    result = run("reassemble", str(path), "-o", "json")
    assert result.exit_code == 0
    documents = json.loads(result.stdout)
    assert [(d["path"], d["interaction"], d["kind"]) for d in documents] == [
        (str(path), 0, "bedrock_converse"),
        (str(path), 1, "bedrock_converse"),
    ]
    assert documents[1]["usage"]["total_tokens"] == 537


def test_reassemble_reads_cassettes_under_cassettes_directories() -> None:
    result = run("reassemble", str(CASSETTES), "-o", "json")
    assert result.exit_code == 0
    documents = json.loads(result.stdout)
    assert len(documents) == 20
    assert {d["kind"] for d in documents} == {
        "anthropic_completion",
        "anthropic_message",
        "bedrock_converse",
        "chat_completion",
        "genai",
        "http_error",
        "responses",
    }
    text = run("reassemble", str(CASSETTES / "langchain-aws")).stdout
    assert "[interaction 1]\nThe weather in San Francisco, CA is currently sunny!" in text


def test_container_of_a_file() -> None:
    assert is_cassette("x.yaml") and is_cassette("x.yaml.gz") and not is_cassette("x.json")
    assert not is_cassette(str(FIXTURES / "corpus/seed.json"))


def test_show_a_cassette() -> None:
    path = CASSETTES / "langchain-aws/libs/aws/tests/cassettes/test_agent_loop[v0].yaml.gz"
    result = run("show", str(path))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1] == "cassette  VCR.py, langchain layout · 2 interactions · 1,497 bytes"
    assert (
        "#1  POST https://bedrock-runtime.us-west-2.amazonaws.com/model/"
        "us.anthropic.claude-sonnet-5/converse → 200"
    ) in lines
    assert "  The weather in San Francisco, CA is currently sunny! ☀️" in lines
    assert "  prompt 512  completion 25  total 537" in lines
    textconv = run("show", "--textconv", str(path)).stdout
    assert textconv == run("show", "--textconv", str(path)).stdout
    assert textconv.startswith("== test_agent_loop[v0].yaml.gz ==")


def test_show_json_of_a_cassette_is_pinned() -> None:
    path = CREWAI / "llms/anthropic/test_anthropic_async_with_max_tokens.yaml"
    document = json.loads(run("show", str(path), "-o", "json").stdout)
    assert set(document) == {"path", "size", "layout", "interactions"}
    first = document["interactions"][0]
    assert set(first) == {"index", "method", "url", "status", "response", "request", "answer"}
    assert (first["index"], first["method"], first["status"]) == (0, "POST", 200)
    assert first["url"] == "https://api.anthropic.com/v1/messages"
    assert first["request"]["messages"][0]["role"] == "user"
    assert first["answer"]["choices"][0]["text"] == "# The Last Song of Vaelthys"
    assert first["answer"]["usage"]["total_tokens"] == 26


def test_show_gives_other_calls_one_line_and_binary_bodies_a_digest(tmp_path: Path) -> None:
    pdf = b"%PDF-1.4\n\xff\xfe\x00binary"  # not UTF-8: bytes
    cassette = (
        "interactions:\n- request: {method: GET, uri: 'https://example.com/a.pdf', headers: {}, "
        "body: null}\n  response:\n    status: {code: 200, message: OK}\n    headers: {}\n"
        "    body: {string: !!binary " + base64.b64encode(pdf).decode() + "}\n"
    )
    path = tmp_path / "binary.yaml"
    path.write_text(cassette)
    lines = run("show", str(path)).stdout.splitlines()
    digest = hashlib.sha256(pdf).hexdigest()[:16]
    assert lines[-2:] == [
        "#0  GET https://example.com/a.pdf → 200",
        f"  response: binary, {len(pdf)} bytes, sha256 {digest}…",
    ]


def test_show_notes_a_file_that_is_not_an_http_cassette() -> None:
    path = (
        PYDANTIC / "realtime/cassettes/test_azure_voice_live_ws/test_message_history_seeding.yaml"
    )
    result = run("show", str(path), "-o", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "path": str(path),
        "note": "not an HTTP cassette: a WebSocket session",
    }


@pytest.mark.parametrize(
    "command", [["hash"], ["normalize"], ["normalize", "--check"], ["explain"]]
)
def test_recording_only_commands_say_in_one_line_that_they_do_not_apply(
    command: list[str],
) -> None:
    path = CREWAI / "llms/anthropic/test_anthropic_async_with_max_tokens.yaml"
    before = path.read_bytes()
    result = run(*command, str(path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == (
        f"note: {path}: a VCR.py cassette: recctl {command[0]} applies to recordings only\n"
    )
    assert path.read_bytes() == before
