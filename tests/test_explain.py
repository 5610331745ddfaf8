"""`recctl explain`: from a replay miss to the recording that was meant."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recctl.ogx.explain import ExplainError, query_from_request, query_from_text
from recctl.ogx.hashing import request_hash

from conftest import CORPUS, load, run

RESPONSES = CORPUS / "current/tests/integration/responses/recordings"
TARGET = next(RESPONSES.glob("817b485c*.json"))


def _live_body(change: str | None = None) -> Any:
    body = load(TARGET)["request"]["body"]
    if change is not None:
        body["messages"][0]["content"] = change
    return body


def _args(body_file: Path) -> list[str]:
    recording = load(TARGET)
    return [
        "explain",
        str(body_file),
        "--url",
        recording["request"]["url"],
        "--test-id",
        recording["test_id"],
        "--recordings",
        str(RESPONSES.parent.parent),
    ]


def test_an_unchanged_request_is_found(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(_live_body()))
    result = run(*_args(body))
    assert result.exit_code == 0
    assert f"found: {TARGET}" in result.output


def test_a_changed_request_names_the_closest_recording_and_the_difference(tmp_path: Path) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps(_live_body("Show me marketing and SALES documents")))
    result = run(*_args(body), "-o", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert document["found"] is None
    best = document["closest"][0]
    assert (best["path"], best["same_test"], best["differences"]) == (str(TARGET), True, 1)
    assert best["changes"] == [
        {
            "part": "message 0 (user)",
            "old": "Show me marketing and sales documents",
            "new": "Show me marketing and SALES documents",
            "detail": "Show me marketing and [-sales-]{+SALES+} documents",
        }
    ]


def test_the_recorders_error_message_pasted_on_stdin() -> None:
    message = (
        "RuntimeError: Recording not found for request hash: "
        f"{TARGET.stem}\nModel: gpt-4o | Request: POST "
        "https://api.openai.com/v1/v1/chat/completions\n"
    )
    from typer.testing import CliRunner

    from recctl.cli import app

    result = CliRunner().invoke(app, ["explain", "--recordings", str(RESPONSES)], input=message)
    assert result.exit_code == 0
    assert f"found: {TARGET}" in result.output


def test_debug_lines_are_understood() -> None:
    query = query_from_text(
        "[RECORDING DEBUG] Recording not found!\n  Request hash: " + "a" * 64 + "\n"
        "  Method: POST\n  URL: http://localhost:11434/v1/v1/chat/completions\n"
        "  Model: llama3\n  Test context: tests/x/test_a.py::test_f[p]\n"
    )
    assert (query.hash, query.method, query.endpoint, query.model, query.test_id) == (
        "a" * 64,
        "POST",
        "/v1/v1/chat/completions",
        "llama3",
        "tests/x/test_a.py::test_f[p]",
    )


def test_a_whole_recording_is_a_request_too() -> None:
    query = query_from_request(load(TARGET), None, "POST", None)
    assert query.hash == request_hash(load(TARGET)) == TARGET.stem


@pytest.mark.parametrize(
    ("document", "url", "reason"),
    [
        ([1, 2], "http://x/v1/chat", "must be a JSON object"),
        ({"model": "m"}, None, "give the request's --url"),
    ],
)
def test_what_is_not_a_request(document: Any, url: str | None, reason: str) -> None:
    with pytest.raises(ExplainError, match=reason):
        query_from_request(document, url, "POST", None)


def test_text_without_a_hash_exits_2(tmp_path: Path) -> None:
    text = tmp_path / "log.txt"
    text.write_text("something else entirely")
    result = run("explain", str(text))
    assert result.exit_code == 2
    assert "no 'request hash: <64 hex digits>' in the text" in result.output
