from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from recctl.ogx.shapes import BodyKind, RequestShape, classify

from conftest import CORPUS, CORPUS_FILES, EVERY_FILE, corpus_id, load

CURRENT = CORPUS / "current" / "tests" / "integration"
OLD = CORPUS / "2025-10" / "tests" / "integration" / "recordings" / "responses"


@pytest.mark.parametrize("path", EVERY_FILE, ids=corpus_id)
def test_every_corpus_file_is_classified(path: Path) -> None:
    shape = classify(load(path))
    assert shape.request is not RequestShape.UNKNOWN
    assert shape.body is not BodyKind.UNKNOWN
    assert shape.streamed is not None
    if shape.body in (BodyKind.TYPED_OBJECT, BodyKind.TYPED_CHUNKS, BodyKind.MODEL_LIST):
        assert shape.type_name


def _file(directory: Path, prefix: str) -> Path:
    return next(directory.glob(prefix + "*.json"))


@pytest.mark.parametrize(
    ("path", "label"),
    [
        (CORPUS / "seed.json", "inference, streamed typed_chunks (ChatCompletionChunk)"),
        (_file(CURRENT / "inference/recordings", "28a43dc8"), "inference, exception, null"),
        (_file(CURRENT / "interactions/recordings", "2cb6caa8"), "raw_http, streamed sse_lines"),
        (_file(CURRENT / "interactions/recordings", "36a00e74"), "raw_http, HTTP 400, raw_dict"),
        (_file(CURRENT / "responses/recordings", "2488466d"), "inference, streamed genai_chunks"),
        (
            _file(CURRENT / "responses/recordings", "0f1241e9"),
            "tool, typed_object (ToolInvocationResult)",
        ),
        (
            _file(CURRENT / "responses/recordings", "268e65ef"),
            "file_processor, typed_object (ProcessFileResponse)",
        ),
        (_file(CURRENT / "messages/recordings", "1580d1d2"), "raw_http, HTTP 200, raw_dict"),
    ],
    ids=lambda value: value if isinstance(value, str) else value.name[:8],
)
def test_known_shapes(path: Path, label: str) -> None:
    assert classify(load(path)).describe() == label


def test_corpus_covers_every_body_kind() -> None:
    kinds = {classify(load(path)).body for path in CORPUS_FILES}
    assert kinds == set(BodyKind) - {BodyKind.UNKNOWN}


def test_model_lists_and_old_ollama_streams() -> None:
    shapes = [classify(load(path)) for path in CORPUS_FILES]
    assert any(s.body is BodyKind.MODEL_LIST and s.type_name == "Model" for s in shapes)
    assert any(s.type_name == "GenerateResponse" and s.streamed for s in shapes)
    assert any(s.type_name == "ChatResponse" and s.streamed for s in shapes)
    with_url = [s for s in shapes if s.request in (RequestShape.INFERENCE, RequestShape.RAW_HTTP)]
    # Paths as the recorder hashes them; one old Databricks url has no scheme or host.
    assert all(isinstance(s.endpoint, str) and s.endpoint for s in with_url)
    assert all(s.endpoint is None for s in shapes if s not in with_url)


@pytest.mark.parametrize(
    "value",
    [
        None,
        5,
        "text",
        [],
        {},
        {"request": 5, "response": []},
        {"request": {"url": 5}, "response": {"body": [1, "a", None], "is_streaming": "yes"}},
        {"request": {"payload": {}, "body": {}}, "response": {"body": {"__type__": 5}}},
        {"response": {"body": [{"__type__": "a.B", "__data__": {}}, {"x": 1}]}},
        {"request": {"url": "http://[bad"}, "response": {"status": True}},
    ],
)
def test_anything_else_is_unknown_never_a_crash(value: Any) -> None:
    shape = classify(value)
    assert shape.describe()
    if not isinstance(value, dict) or not isinstance(value.get("request"), dict):
        assert shape.request is RequestShape.UNKNOWN


def test_a_request_mixing_two_shapes_is_unknown(seed: Any) -> None:
    seed["request"]["payload"] = {}
    assert classify(seed).request is RequestShape.UNKNOWN


def test_azure_empty_stream_and_empty_model_list() -> None:
    streamed: Any = {"request": {}, "response": {"body": [], "is_streaming": True}}
    listed: Any = {"request": {}, "response": {"body": [], "is_streaming": False}}
    assert classify(streamed).body is BodyKind.TYPED_CHUNKS
    assert classify(listed).body is BodyKind.MODEL_LIST
