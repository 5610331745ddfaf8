"""The credential cases a hostile contributor reported one by one: each found (or, for a
placeholder or a public value, not), each scrubbed or refused with why, none printed."""

from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path

import yaml

from recctl import masking

from conftest import run

REFRESH = "1//0gLm3Xk9Qw2Er7Ty5Ui1Op4As8Df6Gh0JkLz3Xc"
GCLOUD_SECRET = "d-FL95Q19q7MQmFpd7hHD0Ty"  # public: gcloud's installed-app secret
STS = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD3kX9pL2mN8qR7sT"
OPENAI = "sk-proj-" + "Qw3rTy7uI9oP2aS4dF6gH8jK1lZ5xC0vB" * 2


def _cassette(path: Path, request: dict[str, object], response_body: str = "{}") -> Path:
    document = {
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://oauth2.googleapis.com/token",
                    **request,
                },
                "response": {
                    "body": {"string": response_body},
                    "headers": {"Content-Type": ["application/json"]},
                    "status": {"code": 200, "message": "OK"},
                },
            }
        ],
        "version": 1,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(document))
    return path


def _rc203(path: Path) -> list[dict[str, str]]:
    masking.forget()
    findings = json.loads(run("validate", "-o", "json", str(path)).stdout)["findings"]
    return [f for f in findings if f["code"] == "RC203"]


def test_a_refresh_token_beside_a_public_client_secret(tmp_path: Path) -> None:
    """A real public cassette: only the refresh token is a secret; scrub replaces it
    and keeps gcloud's published client secret."""
    form = f"client_id=764086051850.apps&client_secret={GCLOUD_SECRET}&refresh_token={REFRESH}"
    form = form.replace("/", "%2F")  # as a form writes it
    cassette = _cassette(
        tmp_path / "cassettes" / "test_token.yaml",
        {"body": form + "&grant_type=refresh_token", "headers": {}},
    )
    [finding] = _rc203(cassette)
    assert "refresh_token" in finding["message"]
    assert run("scrub", str(cassette)).exit_code == 0
    text = cassette.read_text()
    assert GCLOUD_SECRET in text and "1%2F%2F0g" not in text and "REDACTED-" in text


def test_an_aws_session_token_stored_as_binary_is_found_and_scrubbed(tmp_path: Path) -> None:
    cassette = _cassette(
        tmp_path / "cassettes" / "test_bedrock.yaml",
        {"body": "{}", "headers": {"X-Amz-Security-Token": [STS.encode()]}},
    )
    assert "!!binary" in cassette.read_text()
    assert len(_rc203(cassette)) == 1
    assert run("scrub", str(cassette)).exit_code == 0
    stored = yaml.safe_load(cassette.read_text())["interactions"][0]["request"]["headers"]
    assert stored["X-Amz-Security-Token"][0] == b"REDACTED-token"
    assert _rc203(cassette) == []


def test_a_placeholder_is_not_a_credential(tmp_path: Path) -> None:
    for value in ("ya29.FILTERED_ACCESS_TOKEN_XXX", "<ANTHROPIC_API_KEY>", "0000000000000000"):
        cassette = _cassette(
            tmp_path / "cassettes" / "test_placeholder.yaml",
            {"body": "{}", "headers": {"Authorization": [f"Bearer {value}"]}},
        )
        assert _rc203(cassette) == [], value


def test_a_key_split_over_two_stream_chunks_is_found_and_never_printed(tmp_path: Path) -> None:
    half = len(OPENAI) // 2
    events = "".join(
        f"data: {json.dumps({'choices': [{'delta': {'content': part}}]})}\n\n"
        for part in ("Your key is ", OPENAI[:half], OPENAI[half:], ".")
    )
    cassette = tmp_path / "cassettes" / "test_stream.yaml"
    cassette.parent.mkdir(parents=True)
    document = {
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://api.openai.com/v1/chat/completions",
                    "body": '{"model": "gpt-4o", "stream": true}',
                    "headers": {},
                },
                "response": {
                    "body": {"string": events + "data: [DONE]\n\n"},
                    "headers": {"Content-Type": ["text/event-stream"]},
                    "status": {"code": 200, "message": "OK"},
                },
            }
        ],
        "version": 1,
    }
    cassette.write_text(yaml.safe_dump(document))
    # Its first half is long enough to look like a key of its own: both are reported.
    assert any("split across events" in f["message"] for f in _rc203(cassette))
    for args in (("show",), ("show", "-o", "json"), ("reassemble",), ("diff", str(cassette))):
        masking.forget()
        assert OPENAI[4:20] not in run(*args, str(cassette)).stdout, args
    # Scrub cannot edit a key stored in two pieces: it says so, and validate keeps it.
    before = cassette.read_bytes()
    masking.forget()
    scrubbed = run("scrub", str(cassette))
    assert scrubbed.exit_code == 1 and "left alone" in scrubbed.stdout
    assert cassette.read_bytes() == before


def test_a_key_in_a_govcr_prompt_that_quotes_ruby_vcr(tmp_path: Path) -> None:
    """A phrase in a file's head does not make it another container's."""
    prompt = "explain http_interactions: and recorded_with: to me. key " + OPENAI
    document = {
        "version": 1,
        "interactions": [
            {
                "request": {
                    "body": json.dumps({"messages": [{"role": "user", "content": prompt}]}),
                    "form": {},
                    "headers": {},
                    "url": "https://api.openai.com/v1/chat/completions",
                    "method": "POST",
                },
                "response": {
                    "body": "{}",
                    "headers": {},
                    "status": "200 OK",
                    "code": 200,
                    "duration": "1ms",
                },
            }
        ],
    }
    cassette = tmp_path / "pkg" / "testdata" / "TestChat.yaml"
    cassette.parent.mkdir(parents=True)
    cassette.write_text(yaml.safe_dump(document, sort_keys=False))
    assert len(_rc203(cassette)) == 1


def _frame(payload: bytes) -> bytes:
    """One AWS event-stream message without headers."""
    prelude = struct.pack(">II", 16 + len(payload), 0)
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + payload
    return message + struct.pack(">I", zlib.crc32(message))


def test_a_key_inside_an_event_stream_chunk_is_scrubbed_with_its_framing(tmp_path: Path) -> None:
    from recctl.containers import bodies

    inner = base64.b64encode(json.dumps({"delta": {"text": f"key {OPENAI}"}}).encode())
    stream = _frame(b'{"bytes":"' + inner + b'"}') + _frame(b'{"note":"' + OPENAI.encode() + b'"}')
    cassette = tmp_path / "cassettes" / "test_invoke.yaml"
    cassette.parent.mkdir(parents=True)
    document = {
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": "https://bedrock-runtime.us-east-1.amazonaws.com/model/x/invoke-with-response-stream",
                    "body": "{}",
                    "headers": {},
                },
                "response": {
                    "body": {"string": stream},
                    "headers": {"Content-Type": ["application/vnd.amazon.eventstream"]},
                    "status": {"code": 200, "message": "OK"},
                },
            }
        ],
        "version": 1,
    }
    cassette.write_text(yaml.safe_dump(document))
    assert len(_rc203(cassette)) == 1
    assert run("scrub", str(cassette)).exit_code == 0
    body = yaml.safe_load(cassette.read_text())["interactions"][0]["response"]["body"]["string"]
    events, problems = bodies.event_stream(body)
    assert problems == []
    assert events[0]["chunk"] == {"delta": {"text": "key REDACTED-openai-key"}}
    assert events[1] == {"note": "REDACTED-openai-key"}
