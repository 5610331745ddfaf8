from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from recctl.containers import ogx
from recctl.findings import json_path
from recctl.ogx import checks
from recctl.ogx.shapes import classify
from recctl.secrets import check_secrets

from conftest import CORPUS, EVERY_FILE, load


def _secrets(recording: Any) -> list[str]:
    import json

    raw = json.dumps(recording, indent=2).encode()
    found = check_secrets(ogx.parse(raw, "r.json"))
    return [f"{f.pointer}: {f.message}" for f in found]


# --- RC201 ---------------------------------------------------------------------


def test_stream_with_a_foreign_chunk_is_flagged(seed: Any) -> None:
    seed["response"]["body"][7]["__data__"]["id"] = "rec-0123456789ab"
    [finding] = checks.check_stream_ids("r.json", seed, classify(seed))
    assert finding.code == "RC201"
    assert finding.pointer == "$.response.body[7].__data__.id"
    assert "'rec-0123456789ab'" in finding.message and "'rec-8e0e96f0c8e3'" in finding.message


def test_azure_leading_empty_chunk_is_not_compared(seed: Any) -> None:
    azure = {
        "id": "",
        "choices": [],
        "created": 0,
        "model": "",
        "object": "",
        "prompt_filter_results": [],
        "usage": None,
    }
    seed["response"]["body"].insert(
        0,
        {
            "__type__": "openai.types.chat.chat_completion_chunk.ChatCompletionChunk",
            "__data__": azure,
        },
    )
    assert checks.check_stream_ids("r.json", seed, classify(seed)) == []


def test_no_corpus_stream_mixes_ids() -> None:
    for path in EVERY_FILE:
        recording = load(path)
        assert checks.check_stream_ids(str(path), recording, classify(recording)) == []


# --- RC202 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test_id", "expected"),
    [
        ("tests/integration/x/test_a.py::test_f[p]", "tests/integration/x/recordings"),
        ("tests/integration/x/test_a.py::TestC::test_m[a::b/c]", "tests/integration/x/recordings"),
        ("tests/x/test_a.py::test_f[path/with/slashes.py::x]", "tests/x/recordings"),
        ("test_top.py::test_f", "recordings"),
    ],
)
def test_expected_directory(test_id: str, expected: str) -> None:
    assert checks.expected_directory(test_id) == expected


def test_location(tmp_path: Path, seed: Any) -> None:
    right = tmp_path / "tests/integration/responses/recordings/x.json"
    wrong = tmp_path / "tests/integration/agents/recordings/x.json"
    loose = tmp_path / "downloads/x.json"
    assert checks.check_location(str(right), seed) == []
    assert checks.check_location(str(loose), seed) == []
    [finding] = checks.check_location(str(wrong), seed)
    assert finding.pointer == "$.test_id"
    assert "test_id maps to tests/integration/responses/recordings/" in finding.message
    seed["test_id"] = None
    assert checks.check_location(str(wrong), seed) == []


def test_location_of_a_relative_path_is_judged_absolutely(tmp_path: Path, seed: Any) -> None:
    folder = tmp_path / "tests/integration/responses/recordings"
    folder.mkdir(parents=True)
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        assert checks.check_location("x.json", seed) == []
    finally:
        os.chdir(cwd)


def test_every_current_corpus_file_is_where_its_test_maps() -> None:
    for path in (CORPUS / "current").rglob("*.json"):
        assert checks.check_location(str(path), load(path)) == [], path


# --- RC203 ---------------------------------------------------------------------

REAL_KEY = "sk-proj-" + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF"


@pytest.mark.parametrize(
    ("where", "value"),
    [
        (("request", "headers", "Authorization"), f"Bearer {REAL_KEY}"),
        (("request", "headers", "api-key"), "3f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c"),
        (("request", "headers", "X-Api-Key"), "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
        (("request", "body", "api_key"), "9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d"),
        (("request", "body", "extra_body", "provider_data", "OPENAI_API_KEY"), REAL_KEY),
    ],
)
def test_credentials_under_credential_keys_are_found(
    seed: Any, where: tuple[str, ...], value: str
) -> None:
    node = seed
    for key in where[:-1]:
        node = node.setdefault(key, {})
    node[where[-1]] = value
    [message] = _secrets(seed)
    assert message.startswith(json_path(where) + ": ")
    assert value[-8:] not in message, "the secret itself must not be printed"


def test_a_key_inside_any_string_is_found(seed: Any) -> None:
    seed["request"]["body"]["messages"][0]["content"] = f"my key is {REAL_KEY}, thanks"
    [message] = _secrets(seed)
    assert message.startswith("$.request.body.messages[0].content: an API key sk-pro…")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Bearer fake-key",
        "test-api-key-1234567890",
        "${OPENAI_API_KEY}",
        "<your-key>",
        "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        "dummy",
        "Bearer ****************",
        "None",
    ],
)
def test_placeholders_are_not_secrets(seed: Any, value: str) -> None:
    seed["request"]["headers"]["Authorization"] = value
    seed["request"]["body"]["api_key"] = value
    assert _secrets(seed) == []


def test_sk_inside_a_word_is_not_a_key(seed: Any) -> None:
    # Real corpus text: a URL parameter that happens to contain "sk-".
    seed["request"]["body"]["messages"][0]["content"] = (
        "https://www.wsj.com/tech/ai?gaa_n=AWEtsqfBqYB1hWsk-3kPDok88CwtlPCBrT6rLXrXxg3zVsOT7ws"
    )
    assert _secrets(seed) == []


def test_no_corpus_file_holds_a_secret() -> None:
    for path in EVERY_FILE:
        found = check_secrets(ogx.parse(path.read_bytes(), str(path)))
        assert found == [], path


def test_a_key_in_a_streamed_request_is_found(seed: Any) -> None:
    import json

    seed["request"]["body"]["messages"][0]["content"] = REAL_KEY
    raw = json.dumps(seed, indent=2).encode()
    file = ogx.parse(raw, "r.json")
    assert ogx.searchable(file) == raw  # the chunks too: a key may be split across them
    [finding] = check_secrets(file)
    assert finding.pointer == "$.request.body.messages[0].content"
