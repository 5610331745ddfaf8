"""show, stats and diff on every provider, and the command line's edges (issue 30),
on real samples under fixtures/."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from recctl.protocols import model_in_url
from recctl.providers import provider_of, provider_of_url
from recctl.render.stats import wrap_name
from recctl.stats import endpoint_of

from conftest import CORPUS, FIXTURES, run

CASSETTES = FIXTURES / "cassettes"
FORMATS = FIXTURES / "formats"
ADK_GEMINI = (
    FORMATS / "adk-go/agent/llmagent/testdata/TestDelegation_04_ChatToTwoSingleTurnParallel.httprr"
)
GEMINI_STREAM = (
    CASSETTES / "crewai/lib/crewai/tests/cassettes/llms/"
    "TestGeminiToolCallStreaming.test_gemini_streaming_emits_tool_call_events.yaml"
)
RESPONSES_TOOLS = (
    CASSETTES / "pydantic-ai/tests/models/cassettes/test_openai_responses/"
    "test_openai_responses_model_retry.yaml"
)
BEDROCK_STREAM = (
    CASSETTES
    / "pydantic-ai/tests/models/cassettes/test_bedrock/test_bedrock_model_iter_stream.yaml"
)
TRANSCRIPTION = FIXTURES / "transcription-stream"


def _show(path: Path) -> dict[str, Any]:
    result = run("show", "-o", "json", str(path))
    assert result.exit_code == 0, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document


# --- show: each protocol reads its own requests -------------------------------------


def test_gemini_history_shows_calls_results_tools_and_system() -> None:
    last = _show(ADK_GEMINI)["interactions"][3]["request"]
    assert last["tools"] == ["translator_es", "translator_fr"]
    roles = [message["role"] for message in last["messages"]]
    assert roles == ["system", "user", "assistant", "tool", "tool"]
    assert last["messages"][0]["text"].startswith("When the user asks for translations")
    calls = last["messages"][2]["tool_calls"]
    assert [(c["name"], c["arguments"], c["id"]) for c in calls] == [
        ("translator_es", '{"request":"good morning"}', "rgjcr7hc"),
        ("translator_fr", '{"request":"good morning"}', "cu6rg45q"),
    ]
    results = [(m["tool_call_id"], m["text"]) for m in last["messages"][3:]]
    assert results == [
        ("rgjcr7hc", '{"result":"Buenos días"}'),
        ("cu6rg45q", '{"result":"Bonjour"}'),
    ]
    assert "systemInstruction" not in last["parameters"]
    text = run("show", str(ADK_GEMINI)).stdout
    assert "tools offered: ?" not in text
    assert "→ translator_es(" in text


def test_gemini_stream_lists_its_declared_function() -> None:
    request = _show(GEMINI_STREAM)["interactions"][0]["request"]
    assert request["tools"] == ["get_current_temperature"]
    assert request["parameters"] == {"generationConfig": {}}


def test_responses_history_shows_function_calls_and_outputs() -> None:
    request = _show(RESPONSES_TOOLS)["interactions"][1]["request"]
    messages = request["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant", "tool", "tool"]
    assert [(c["name"], c["arguments"]) for c in messages[1]["tool_calls"]] == [
        ("get_location", '{"loc_name":"Londos"}'),
        ("get_location", '{"loc_name":"London"}'),
    ]
    assert messages[2]["tool_call_id"] == messages[1]["tool_calls"][0]["id"]
    assert messages[2]["text"].startswith('Wrong location, I only know about "London".')
    assert messages[3]["text"] == '{"lat": 51, "lng": 0}'
    text = run("show", str(RESPONSES_TOOLS)).stdout
    assert "function_call" not in text


# --- Bedrock's model ids ----------------------------------------------------------


def test_a_model_id_in_a_path_is_kept_whole() -> None:
    assert model_in_url("https://h/model/us.amazon.nova-2-lite-v1:0/converse-stream") == (
        "us.amazon.nova-2-lite-v1:0"
    )
    assert model_in_url("https://h/model/us.amazon.nova-2-lite-v1%3A0/converse") == (
        "us.amazon.nova-2-lite-v1:0"
    )
    assert model_in_url(
        "https://h/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
    ) == ("gemini-2.0-flash")


def test_bedrock_streams_keep_the_model_ids_version(tmp_path: Path) -> None:
    """The real Converse stream as recorded (``%3A0``), and as a recorder that writes
    the url decoded would (``:0``): one model, with its ``:0``."""
    decoded = tmp_path / "cassettes" / "test_bedrock" / "decoded.yaml"
    decoded.parent.mkdir(parents=True)
    decoded.write_text(BEDROCK_STREAM.read_text().replace("%3A0", ":0"))
    shutil.copy(BEDROCK_STREAM, decoded.parent)
    result = run("stats", "-o", "json", str(tmp_path))
    document = json.loads(result.stdout)
    assert [(row["name"], row["exchanges"]) for row in document["by_model"]] == [
        ("us.amazon.nova-micro-v1:0", 4)
    ]
    assert [row["name"] for row in document["by_endpoint"]] == ["/model/{model}/converse-stream"]
    shown = _show(decoded)["interactions"][0]
    assert shown["model"] == "us.amazon.nova-micro-v1:0"
    assert shown["answer"]["model"] == "us.amazon.nova-micro-v1:0"


# --- transcription streams --------------------------------------------------------


def test_a_transcription_stream_is_reassembled() -> None:
    result = run("reassemble", str(TRANSCRIPTION))
    assert result.exit_code == 0
    assert "The quick brown fox jumps over the lazy dog." in result.stdout
    answer = _show(TRANSCRIPTION)["interactions"][0]["answer"]
    assert answer["kind"] == "transcription" and answer["streamed"] is True
    assert answer["usage"]["prompt_tokens"] == 46 and answer["usage"]["completion_tokens"] == 12
    text = run("show", str(TRANSCRIPTION)).stdout
    assert "stream of" not in text and "The quick brown fox" in text


# --- stats ---------------------------------------------------------------------------


def test_ogx_endpoints_are_the_paths_the_provider_received() -> None:
    document = json.loads(run("stats", "-o", "json", str(CORPUS)).stdout)
    endpoints = {row["name"] for row in document["by_endpoint"]}
    assert not any("/v1/v1/" in name for name in endpoints)
    assert {"/v1/chat/completions", "/openai/v1/chat/completions", "/ml/v1/chat/completions"} <= (
        endpoints
    )


def test_id_and_model_segments_are_named() -> None:
    document = json.loads(run("stats", "-o", "json", str(FORMATS)).stdout)
    endpoints = {row["name"] for row in document["by_endpoint"]}
    assert "/v1/files/{id}/content" in endpoints
    assert "/v1/messages/batches/{id}/results" in endpoints
    assert "/v1beta/models/{model}:generateContent" in endpoints
    url = "https://api.openai.com/v1/videos/7f1c2b3a-1111-2222-3333-444455556666"
    assert endpoint_of({}, url) == "/v1/videos/{id}"
    assert endpoint_of({}, "https://api.openai.com/v1/batches/batch_abc123") == "/v1/batches/{id}"
    assert endpoint_of({}, "https://h/v1beta/interactions") == "/v1beta/interactions"


def test_providers_are_named_by_one_rule() -> None:
    assert provider_of_url("https://api.x.ai/v1/chat/completions") == "xai"
    assert provider_of_url("https://api.cohere.com/v2/chat") == "cohere"
    assert provider_of_url("https://example.test/v1/chat") == "example.test"
    assert provider_of("amazon-bedrock", "") == "bedrock"
    document = json.loads(run("stats", "-o", "json", str(FORMATS), str(CASSETTES)).stdout)
    names = {row["name"] for row in document["by_provider"]}
    assert {"google", "amazon-bedrock"}.isdisjoint(names)  # vercel/ai's package names
    assert {"gemini", "bedrock", "openai", "anthropic"} <= names


def test_long_names_wrap_after_separators_at_80_and_100_columns() -> None:
    for width in ("80", "100"):
        text = run("stats", str(FORMATS), str(CASSETTES), env={"COLUMNS": width}).stdout
        assert max(len(line.rstrip()) for line in text.splitlines()) <= int(width)
        assert "streamGenerateContent" in text  # whole, on a line of its own
    assert wrap_name("/v1beta/models/{model}:streamGenerateContent", 30) == (
        "/v1beta/models/{model}:\nstreamGenerateContent"
    )


def test_a_gemini_stream_sent_as_a_json_array_counts_as_streamed(tmp_path: Path) -> None:
    """Gemini's streamGenerateContent without ``alt=sse`` answers one JSON array of
    chunks: the crewAI stream's events, as that array."""
    cassette = yaml.safe_load(GEMINI_STREAM.read_text())
    response = cassette["interactions"][0]["response"]
    events = [
        json.loads(line[len("data: ") :])
        for line in response["body"]["string"].splitlines()
        if line.startswith("data: ")
    ]
    response["body"]["string"] = json.dumps(events)
    response["headers"]["Content-Type"] = ["application/json"]
    target = tmp_path / "cassettes" / "array.yaml"
    target.parent.mkdir()
    target.write_text(yaml.safe_dump(cassette))
    totals = json.loads(run("stats", "-o", "json", str(target)).stdout)["totals"]
    assert (totals["streamed"], totals["chunks"]) == (1, len(events))


# --- diff ----------------------------------------------------------------------------


def _with_other_call_ids(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old" / "cassettes" / RESPONSES_TOOLS.name
    new = tmp_path / "new" / "cassettes" / RESPONSES_TOOLS.name
    for path in (old, new):
        path.parent.mkdir(parents=True)
    shutil.copy(RESPONSES_TOOLS, old)
    new.write_text(RESPONSES_TOOLS.read_text().replace("call_LWVp74L5HaH2KNvgVz9PJsrj", "call_X"))
    return old, new


def test_tool_call_ids_a_request_echoes_are_volatile(tmp_path: Path) -> None:
    old, new = _with_other_call_ids(tmp_path)
    result = run("diff", str(old), str(new))
    assert "Structure" not in result.stdout, result.stdout
    assert "volatile" in result.stdout


def test_no_default_ignores_claims_nothing_ignored(tmp_path: Path) -> None:
    old, new = _with_other_call_ids(tmp_path)
    result = run("diff", "--no-default-ignores", str(old), str(new))
    assert "ignored" not in result.stdout, result.stdout
    assert "Structure" in result.stdout
    stream = GEMINI_STREAM
    same = run("diff", "--no-default-ignores", str(stream), str(stream)).stdout
    assert "ignored" not in same


def test_usage_numbers_are_written_one_way() -> None:
    from recctl.answer import Usage
    from recctl.render.diff import _usage_line

    line = _usage_line(Usage(699, 10, 709, {}), Usage(9005, 10, 9015, {}))
    text = "".join(text for text, _ in line.segments)
    assert "prompt 699 → 9,005 (+8,306)" in text


# --- the command line ------------------------------------------------------------------


def test_click_usage_errors_are_one_line() -> None:
    result = run("show")
    assert result.exit_code == 2
    assert result.stderr == "recctl: error: Missing argument 'PATHS...' (see recctl show -h)\n"
    result = run("stats", "--bogus", "x")
    assert result.exit_code == 2
    assert result.stderr.startswith("recctl: error: No such option: --bogus")
    assert result.stderr.endswith(" (see recctl stats -h)\n") and result.stderr.count("\n") == 1


def test_option_placeholders_are_capitals() -> None:
    import re

    for command in ("validate", "show", "stats", "diff", "hash", "explain", "prune", "scrub"):
        text = run(command, "-h", env={"COLUMNS": "200"}).stdout
        options = [line for line in text.splitlines() if line.lstrip().startswith("-")]
        assert not any(re.search(r"<\w+>", line) for line in options), (command, options)


def test_hash_says_what_it_reads() -> None:
    help_text = " ".join(run("hash", "-h").stdout.split())
    assert "ogx recordings and Polly.JS HAR files" in help_text
    result = run("hash", str(CASSETTES))
    assert result.exit_code == 2
    assert (
        result.stderr == f"recctl: error: no ogx recordings or HAR files found under {CASSETTES}\n"
    )


def test_explain_on_a_cassette_exits_2() -> None:
    result = run("explain", str(RESPONSES_TOOLS))
    assert result.exit_code == 2
    assert result.stderr.startswith("recctl: error: ") and "VCR.py cassette" in result.stderr
