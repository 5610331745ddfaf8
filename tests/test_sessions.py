"""pydantic-ai's recordings that are not HTTP, read as exchanges: xAI gRPC recordings
(``containers.vcrpy_sessions``, ``protocols.xai_grpc``) and realtime WebSocket
sessions (``protocols.openai_realtime``). The real samples' answers were checked by
hand against the files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from recctl import containers
from recctl.answer import Answer
from recctl.containers import vcrpy
from recctl.protocols import read_request

from conftest import FIXTURES, run

TESTS = FIXTURES / "cassettes/pydantic-ai/tests"
XAI = TESTS / "models/cassettes/test_multimodal_tool_returns"
AUDIO = XAI / "test_multimodal_tool_return_matrix[direct-binary-audio-xai].xai.yaml"
DOCUMENT = XAI / "test_multimodal_tool_return_matrix[direct-binary-document-xai].xai.yaml"
SESSION = TESTS / "realtime/cassettes/test_azure_voice_live_ws/test_message_history_seeding.yaml"
KEY = "sk-proj-" + "Q7x" * 16


def _answers(path: Path) -> list[Answer]:
    file = containers.load(str(path))
    return [answer for _, answer in file.answers()]


def _usage(answer: Answer) -> tuple[int | None, int | None, int | None]:
    assert answer.usage is not None
    return answer.usage.prompt_tokens, answer.usage.completion_tokens, answer.usage.total_tokens


def test_an_xai_recording_is_one_exchange_per_grpc_call() -> None:
    file = containers.load(str(DOCUMENT))
    assert (file.container, file.layout, file.issues) == (vcrpy, "xai_grpc", [])
    assert [(e.method, e.url, e.status) for e in file.exchanges] == [
        ("POST", "grpc://api.x.ai/xai_api.Chat/GetCompletion", None)
    ] * 2
    first = file.exchanges[0]
    assert first.request.body["model"] == "grok-4-1-fast-non-reasoning"
    assert first.request.place == ("interactions", 0, "request_sample")
    assert first.response.body["id"] == "17e57a32-a534-a3ee-4060-c9f056eca41a"


def test_the_audio_xai_recording_by_hand() -> None:
    [answer] = _answers(AUDIO)
    assert (answer.kind, answer.streamed, answer.model) == (
        "xai_completion",
        False,
        "grok-4-1-fast-non-reasoning",
    )
    [choice] = answer.choices
    assert (choice.role, choice.text, choice.finish_reason) == ("assistant", None, "tool_calls")
    [call] = choice.tool_calls
    assert (call.name, call.id, call.parsed) == ("get_file", "call_47698007", {})
    assert _usage(answer) == (359, 15, 374)


def test_the_document_xai_recording_by_hand() -> None:
    first, second = _answers(DOCUMENT)
    [call] = first.choices[0].tool_calls
    assert (call.name, call.id, call.parsed) == ("get_file", "call_93069123", {})
    assert _usage(first) == (359, 15, 374)
    # Two outputs: the server's attachment search (index 0, left out as protobuf's
    # default) and the answer (index 2).
    search, text = second.choices
    assert (search.index, search.finish_reason, text.index, text.finish_reason) == (
        0,
        "tool_calls",
        2,
        "stop",
    )
    [read] = search.tool_calls
    assert (read.name, read.id, read.parsed["key"]) == (
        "read_attachment",
        "call_65424396",
        "90ffd2",
    )
    assert text.text is not None
    assert text.text.startswith("I received a single-page PDF document (file key: 90ffd2)")
    assert text.text.endswith("no additional text, images, or elements.")
    assert _usage(second) == (1894, 109, 2003)


def test_an_xai_request_lists_its_history_and_tools() -> None:
    file = containers.load(str(DOCUMENT))
    request = read_request(file.exchanges[1].request.body, lambda text: text)
    assert [m.role for m in request.messages] == ["user", "assistant", "tool", "user"]
    assert request.messages[1].tool_calls[0].name == "get_file"
    assert request.messages[2].text == "See file 90ffd2."
    assert request.messages[3].text is not None and "file_09d152d1" in request.messages[3].text
    assert request.tools == ["get_file"]
    assert request.parameters == {"tool_choice": {"mode": "TOOL_MODE_AUTO"}}


def test_the_realtime_session_by_hand() -> None:
    file = containers.load(str(SESSION))
    assert file.layout == "websocket"
    [exchange] = file.exchanges
    assert (exchange.method, exchange.url) == ("WEBSOCKET", "wss://session.invalid/realtime")
    assert [event["type"] for event in exchange.request.body][:2] == [
        "session.update",
        "conversation.item.create",
    ]
    assert exchange.events is not None and exchange.events[0]["type"] == "session.created"
    [answer] = _answers(SESSION)
    assert (answer.kind, answer.model) == ("realtime_session", "gpt-realtime-global-standard")
    [choice] = answer.choices
    assert choice.text == (
        "Your name is Alice, and your favorite color is teal! Got it locked in. "
        "Anything else fun you want to share?"
    )
    assert (choice.finish_reason, answer.truncated) == ("stop", False)
    assert _usage(answer) == (149, 27, 176)
    request = read_request(exchange.request.body, lambda text: text)
    assert [(m.role, m.text) for m in request.messages] == [
        ("user", "My name is Alice and my favorite color is teal."),
        ("assistant", "Nice to meet you, Alice!"),
        ("user", "What is my name and favorite color?"),
    ]


def test_validate_reads_every_pydantic_ai_file_as_exchanges() -> None:
    result = run("validate", str(FIXTURES / "cassettes/pydantic-ai"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "All 7 cassettes valid."


def test_reassemble_and_show_an_xai_recording_and_a_session() -> None:
    text = run("reassemble", str(AUDIO)).stdout
    assert text == "[interaction 0]\nget_file({})\n"
    text = run("reassemble", str(SESSION)).stdout
    assert text.startswith("[interaction 0]\nYour name is Alice, and your favorite color is teal!")
    shown = run("show", str(DOCUMENT)).stdout
    assert "#0  POST grpc://api.x.ai/xai_api.Chat/GetCompletion\n" in shown
    assert "tools offered: get_file" in shown


# --- what the samples do not hold -----------------------------------------------------


def _write(tmp_path: Path, name: str, document: Any) -> Path:
    path = tmp_path / "tests/cassettes/test_x" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_an_xai_stream_is_read_from_its_chunks(tmp_path: Path) -> None:
    chunks = [
        {"outputs": [{"delta": {"role": "ROLE_ASSISTANT", "reasoning_content": "Think"}}]},
        {"outputs": [{"delta": {"content": "Hel"}}], "model": "grok-4"},
        {"outputs": [{"delta": {"content": "lo"}}]},
        {
            "outputs": [
                {
                    "delta": {
                        "tool_calls": [
                            {"id": "call_1", "function": {"name": "f", "arguments": '{"a":1}'}}
                        ]
                    },
                    "finish_reason": "REASON_MAX_CONTEXT_SOMETHING_NEW",
                }
            ],
            "usage": {
                "prompt_tokens": 10,
                "completion_tokens": 3,
                "reasoning_tokens": 5,
                "total_tokens": 18,
            },
        },
    ]
    path = _write(
        tmp_path,
        "test_s.xai.yaml",
        {
            "version": 1,
            "interactions": [
                {
                    "request_stream": {"json": {"model": "grok-4"}, "raw": b"\n\x00"},
                    "response_stream": {"chunks_json": chunks, "chunks_raw": [b"\x12\x00"] * 4},
                }
            ],
        },
    )
    file = containers.load(str(path))
    [exchange] = file.exchanges
    assert exchange.url == "grpc://api.x.ai/xai_api.Chat/GetCompletionChunk"
    assert exchange.events == chunks
    [answer] = _answers(path)
    assert (answer.streamed, answer.chunks, answer.model) == (True, 4, "grok-4")
    [choice] = answer.choices
    assert (choice.text, choice.reasoning) == ("Hello", "Think")
    assert choice.finish_reason == "REASON_MAX_CONTEXT_SOMETHING_NEW"  # unknown: as sent
    assert (choice.tool_calls[0].name, choice.tool_calls[0].parsed) == ("f", {"a": 1})
    assert _usage(answer) == (10, 3, 18)
    assert answer.usage is not None and answer.usage.raw["reasoning_tokens"] == 5


def test_an_xai_call_recorded_without_json_is_its_protobuf_bytes(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "test_b.xai.yaml",
        {
            "interactions": [
                {"request_sample": {"raw": b"\x01"}, "response_sample": {"raw": b"\x02"}}
            ]
        },
    )
    [exchange] = containers.load(str(path)).exchanges
    assert (exchange.request.body, exchange.response.body) == (b"\x01", b"\x02")
    assert exchange.response.body_key == "raw"


def test_a_realtime_session_with_audio_a_function_call_and_two_responses(tmp_path: Path) -> None:
    frames: list[dict[str, Any]] = [
        {"direction": "received", "data": {"type": "session.created", "session": {"model": "m"}}},
        {"direction": "sent", "data": {"type": "session.update", "session": {"tools": [
            {"type": "function", "name": "weather"}]}}},
        {"direction": "received", "data": {"type": "response.output_audio_transcript.delta",
                                           "response_id": "r1", "delta": "Let me "}},
        {"direction": "received", "data": {"type": "response.output_audio_transcript.delta",
                                           "response_id": "r1", "delta": "check."}},
        {"direction": "received", "data": {"type": "response.function_call_arguments.done",
                                           "response_id": "r1", "call_id": "c1",
                                           "name": "weather", "arguments": '{"city":"Paris"}'}},
        {"direction": "received", "data": {"type": "response.done", "response": {
            "id": "r1", "status": "completed",
            "output": [{"type": "function_call", "call_id": "c1", "name": "weather",
                        "arguments": '{"city":"Paris"}'}],
            "usage": {"input_tokens": 100, "output_tokens": 20, "total_tokens": 120}}}},
        {"direction": "received", "data": {"type": "response.audio_transcript.delta",
                                           "response_id": "r2", "delta": "Sunny."}},
        {"direction": "received", "data": {"type": "response.done", "response": {
            "id": "r2", "status": "incomplete",
            "status_details": {"reason": "max_output_tokens"},
            "usage": {"input_tokens": 150, "output_tokens": 5, "total_tokens": 155}}}},
    ]  # fmt: skip
    path = _write(tmp_path, "test_rt.yaml", {"version": 1, "interactions": frames})
    assert containers.identify(str(path)) is vcrpy  # frames without ``kind``: older files
    [answer] = _answers(path)
    first, second = answer.choices
    assert (first.text, first.finish_reason) == ("Let me check.", "stop")
    [call] = first.tool_calls
    assert (call.id, call.name, call.parsed) == ("c1", "weather", {"city": "Paris"})
    assert (second.text, second.finish_reason) == ("Sunny.", "length")
    assert _usage(answer) == (250, 25, 275)  # the session's two responses
    assert answer.model == "m"
    request = read_request(containers.load(str(path)).exchanges[0].request.body, str)
    assert request.tools == ["weather"]


def test_a_key_in_an_xai_recording_is_found_and_scrub_leaves_its_protobuf_alone(
    tmp_path: Path,
) -> None:
    raw = b"\n\x40" + KEY.encode()
    path = _write(
        tmp_path,
        "test_k.xai.yaml",
        {
            "interactions": [
                {
                    "request_sample": {
                        "json": {"messages": [{"role": "ROLE_USER", "content": [{"text": KEY}]}]},
                        "raw": raw,
                    },
                    "response_sample": {"json": {"outputs": []}, "raw": b""},
                }
            ]
        },
    )
    found = json.loads(run("validate", str(path), "-o", "json").stdout)["findings"]
    assert [f["code"] for f in found] == ["RC203"]
    before = path.read_bytes()
    result = run("scrub", str(path))
    assert "protobuf" in result.output
    assert path.read_bytes() == before


def test_a_websocket_session_is_scrubbed_as_text(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "test_w.yaml",
        {
            "interactions": [
                {"kind": "message", "direction": "sent", "data": {"type": "x", "key": KEY}},
                {"kind": "message", "direction": "received", "data": {"type": "session.created"}},
            ]
        },
    )
    found = json.loads(run("validate", str(path), "-o", "json").stdout)["findings"]
    assert [f["code"] for f in found] == ["RC203"]
    run("scrub", str(path))
    assert KEY not in path.read_text()
    assert len(containers.load(str(path)).exchanges) == 1
