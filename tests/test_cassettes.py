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
import re
import time
from pathlib import Path
from typing import Any

import pytest

from recctl import io
from recctl.containers import identify, vcrpy
from recctl.containers import load as load_cassette
from recctl.exchange import NotExchanges as NotACassette

from conftest import FIXTURES, run

CASSETTES = FIXTURES / "cassettes"


def parse_cassette(raw: bytes) -> Any:
    return vcrpy.parse(raw, "")


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
    assert cassette.layout in ("vcr", "parsed_body", "langchain", "xai_grpc", "websocket")
    for exchange in cassette.exchanges:
        assert exchange.method and exchange.url.startswith(("http", "grpc://", "wss://"))
        assert exchange.status is None or 100 <= exchange.status < 600


def _only(path: Path, interaction: int = 0) -> Any:
    found = dict(load_cassette(str(path)).answers())
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
    with pytest.raises(io.LoadError, match="aliases expanded"):
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
    assert len(documents) == 26  # 22 HTTP calls, 3 xAI gRPC calls, a realtime session
    assert {d["kind"] for d in documents} == {
        "anthropic_completion",
        "anthropic_message",
        "bedrock_converse",
        "chat_completion",
        "genai",
        "http_error",
        "realtime_session",
        "responses",
        "xai_completion",
    }
    text = run("reassemble", str(CASSETTES / "langchain-aws")).stdout
    assert "[interaction 1]\nThe weather in San Francisco, CA is currently sunny!" in text


def test_container_of_a_file() -> None:
    assert identify("x.yaml") is vcrpy and identify("x.yaml.gz") is vcrpy
    assert identify(str(FIXTURES / "corpus/seed.json")) is not vcrpy


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
    assert set(first) == {
        "index",
        "method",
        "url",
        "status",
        "model",
        "response",
        "request",
        "answer",
    }
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


@pytest.mark.parametrize(
    "command", [["hash"], ["normalize"], ["normalize", "--check"]]
)  # explain exits 2 on a cassette, as its help says (tests/test_providers_views.py)
def test_recording_only_commands_say_in_one_line_that_they_do_not_apply(
    command: list[str],
) -> None:
    path = CREWAI / "llms/anthropic/test_anthropic_async_with_max_tokens.yaml"
    before = path.read_bytes()
    result = run(*command, str(path))
    assert result.exit_code == 0
    assert result.stdout == ""
    reads = "recordings and HAR files" if command[0] == "hash" else "recordings"
    assert result.stderr == (
        f"note: {path}: a VCR.py cassette: recctl {command[0]} applies to {reads} only\n"
    )
    assert path.read_bytes() == before


# --- validate -------------------------------------------------------------------------------

AWS = "AKIA" + "Q3EGJ7QWERTY5XZ2"  # shaped like a key id, split so no scanner flags this file
SECRETS = {
    "bearer header": (
        "headers",
        {"Authorization": ["Bearer sk-proj-" + "a1B2c3D4e5F6g7H8i9J0kLmN"]},
    ),
    "basic header": ("headers", {"authorization": "Basic " + "dXNlcjpwYXNzd29yZDEyMzQ1Njc4OTA="}),
    "sigv4 header": (
        "headers",
        {
            "Authorization": [
                f"AWS4-HMAC-SHA256 Credential={AWS}/20250101/us-east-1/bedrock/aws4_request, "
                "SignedHeaders=host, Signature=abc"
            ]
        },
    ),
    "x-api-key": ("headers", {"x-api-key": ["sk-ant-" + "api03-Zq9Xw8Vu7Ts6Rq5Po4Nm3Lk2"]}),
    "api-key": ("headers", {"api-key": ["8f3k2j1h5g6d7s8a9q0w1e2r3t4y5u6i"]}),
    "x-goog-api-key": (
        "headers",
        {"x-goog-api-key": ["AIza" + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"]},
    ),
    "query key": (
        "uri",
        "https://generativelanguage.googleapis.com/v1/models?key=AIza"
        + "SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    ),
    "body api_key": ("body", '{"api_key": "k3y-9f8e7d6c5b4a3210fedcba98", "q": "hi"}'),
    "sk- in body": (
        "body",
        '{"messages": [{"content": "use sk-' + "Ab12Cd34Ef56Gh78Ij90KlMn" + '"}]}',
    ),
    "github token": ("body", "token ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"),
    "slack token": ("body", "xoxb-" + "1234567890-abcdefGHIJ"),
    "posthog key": ("body", "phc_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9"),
    "aws key in body": ("body", "aws_access_key_id = " + AWS),
}
NOT_SECRETS = {
    "placeholder header": ("headers", {"authorization": ["AUTHORIZATION-XXX"]}),
    "redacted": ("headers", {"x-api-key": ["**REDACTED**"]}),
    "filtered": ("headers", {"api-key": ["FILTERED"]}),
    "env var": ("headers", {"authorization": ["Bearer ${OPENAI_API_KEY}"]}),
    "angle placeholder": ("headers", {"x-api-key": ["<your-api-key>"]}),
    "fake key": ("body", '{"api_key": "fake-key-1234567890abcdef"}'),
    "aws example": ("body", "AKIAIOSFODNN7EXAMPLE"),
    "base64 data": (
        "body",
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAsk-" + "Ab12Cd34Ef56Gh78Ij90KlMnOp9+/",
    ),
    "longer token": ("body", "xsk-" + "Ab12Cd34Ef56Gh78Ij90KlMn"),
    "url slug": ("body", "https://news.example.com/health/sk-boosts-lung-cancer-risk-2024-study"),
    "cloudflare cookie": ("headers", {"Cookie": ["__cf_bm=Ab12Cd34Ef56Gh78Ij90KlMnOp.1700000000"]}),
    "organization": ("headers", {"openai-organization": ["org-a1b2c3d4e5f6g7h8i9j0"]}),
}


def _cassette_with(where: str, value: Any) -> str:
    request: dict[str, Any] = {
        "method": "POST",
        "uri": "https://api.openai.com/v1/chat/completions",
        "headers": {},
        "body": None,
    }
    if where == "headers":
        request["headers"] = value
    elif where == "uri":
        request["uri"] = value
    else:
        request["body"] = value
    document = {
        "interactions": [
            {
                "request": request,
                "response": {"status": {"code": 200}, "headers": {}, "body": {"string": "{}"}},
            }
        ],
        "version": 1,
    }
    return json.dumps(document)  # JSON is YAML


def _validate_one(tmp_path: Path, text: str) -> list[dict[str, Any]]:
    path = tmp_path / "tests/cassettes/test_x/test_y.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    result = run("validate", str(tmp_path), "-o", "json")
    findings: list[dict[str, Any]] = json.loads(result.stdout)["findings"]
    assert result.exit_code == (1 if findings else 0)
    return findings


@pytest.mark.parametrize("name", list(SECRETS))
def test_planted_credentials_are_flagged_never_printed(tmp_path: Path, name: str) -> None:
    where, value = SECRETS[name]
    findings = _validate_one(tmp_path, _cassette_with(where, value))
    assert findings and {f["code"] for f in findings} == {"RC203"}, findings
    text = json.dumps(value)
    for finding in findings:
        for secret in re.findall(r"[A-Za-z0-9_-]{20,}", text):
            assert secret not in finding["message"]


@pytest.mark.parametrize("name", list(NOT_SECRETS))
def test_placeholders_and_traps_are_not_credentials(tmp_path: Path, name: str) -> None:
    where, value = NOT_SECRETS[name]
    assert _validate_one(tmp_path, _cassette_with(where, value)) == []


def test_the_real_cassettes_are_valid_gRPC_and_websocket_recordings_included() -> None:
    result = run("validate", str(CASSETTES), "-o", "json")
    assert result.exit_code == 0, result.stdout
    document = json.loads(result.stdout)
    assert document["findings"] == []
    assert document["files_checked"] == len(CASSETTE_FILES)
    assert document["notes"] == []  # pydantic-ai's xAI and realtime files are read


def test_structure_and_parse_errors(tmp_path: Path) -> None:
    broken = {
        "interactions": [
            {"request": {"uri": "ftp://x", "headers": []}, "response": {"status": {}, "body": 5}}
        ]
    }
    findings = _validate_one(tmp_path, json.dumps(broken))
    assert [(f["code"], f["pointer"]) for f in findings] == [
        ("RC101", "$.interactions[0].request.method"),
        ("RC101", "$.interactions[0].request.uri"),
        ("RC101", "$.interactions[0].response.status"),
        ("RC101", "$.interactions[0].request.headers"),
        ("RC101", "$.interactions[0].response.body"),
    ]
    [finding] = _validate_one(tmp_path, "interactions: [\n  - {request: \n")
    assert finding["code"] == "RC003" and finding["message"].startswith("not valid YAML")


# --- stats -------------------------------------------------------------------------------


def test_stats_counts_cassettes_interactions_and_tokens() -> None:
    result = run("stats", str(CASSETTES), "-o", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    totals = document["totals"]
    # 22 HTTP calls, 3 xAI gRPC calls and a realtime WebSocket session (streamed).
    assert (totals["files"], totals["exchanges"], totals["streamed"]) == (17, 26, 9)
    assert document["notes"] == []
    providers = {row["name"]: row for row in document["by_provider"]}
    # Bedrock, by hand: 446 + 512 prompt and 55 + 25 completion tokens in 2 interactions.
    # and pydantic-ai's Converse stream: 2 interactions, 1,048 and 109.
    bedrock = providers["bedrock"]
    assert (bedrock["files"], bedrock["exchanges"]) == (2, 4)
    assert (bedrock["prompt_tokens"], bedrock["completion_tokens"]) == (958 + 1048, 80 + 109)
    # Anthropic: 16+16 / 10+10 (messages), 351+457 / 85+33 (tool stream), 43 / 282
    # (thinking stream); the legacy completion holds no usage.
    anthropic = providers["anthropic"]
    assert (anthropic["prompt_tokens"], anthropic["completion_tokens"]) == (883, 420)
    assert (anthropic["files"], anthropic["without_usage"]) == (4, 1)
    suites = {row["name"]: row["exchanges"] for row in document["by_suite"]}
    assert suites["test_vision"] == 3  # the module folder under cassettes/
    assert suites["tests"] == 2  # no module folder: the folder holding cassettes/
    text = run("stats", str(CASSETTES)).stdout
    assert "17 files (26 calls)" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_responses_api_bodies_inside_ogx_recordings_too() -> None:
    from recctl.containers.ogx_answers import reassemble

    response = {
        "object": "response",
        "model": "gpt-4o",
        "status": "completed",
        "output": [
            {"type": "reasoning", "summary": [{"type": "summary_text", "text": "Think."}]},
            {"type": "message", "content": [{"type": "output_text", "text": "Four."}]},
        ],
        "usage": {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10},
    }
    request = {
        "test_id": "t.py::t",
        "url": "http://x/v1/responses",
        "method": "POST",
        "payload": {},
    }
    recording = {
        "test_id": "t.py::t",
        "request": request,
        "response": {"body": response, "is_streaming": False, "status": 200},
    }
    answer = reassemble(recording)
    assert (answer.kind, answer.choices[0].text, answer.choices[0].reasoning) == (
        "responses",
        "Four.",
        "Think.",
    )
    assert _usage(answer) == (7, 3, 10)
    events = [
        {"type": "response.output_text.delta", "delta": "Fo"},
        {"type": "response.output_text.delta", "delta": "ur."},
        {"type": "response.completed", "response": response},
    ]
    lines = [line for event in events for line in ("event: x", f"data: {json.dumps(event)}", "")]
    recording["response"] = {"body": lines, "is_streaming": True, "status": 200}
    streamed = reassemble(recording)
    assert (streamed.streamed, streamed.choices[0].text, streamed.truncated) == (
        True,
        "Four.",
        False,
    )
    assert _usage(streamed) == (7, 3, 10)


def test_stats_counts_a_trace_without_exchanges(tmp_path: Path) -> None:
    trace = tmp_path / "testdata" / "empty.httprr"
    trace.parent.mkdir()
    trace.write_bytes(b"httprr trace v1\n")
    document = json.loads(run("stats", str(tmp_path), "-o", "json").stdout)
    assert (document["totals"]["files"], document["totals"]["exchanges"]) == (1, 0)
