"""The shipped schema accepts every real recording and rejects realistic breakage."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from recctl.ogx.schema import SchemaError, SchemaValidator, shipped_schema_bytes

from conftest import EVERY_FILE, SEED, corpus_id, load

VALIDATOR = SchemaValidator(shipped_schema_bytes())


def test_schema_is_draft_2020_12_and_valid() -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(shipped_schema_bytes())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("path", EVERY_FILE, ids=corpus_id)
def test_every_corpus_file_is_valid(path: Path) -> None:
    assert VALIDATOR.issues(load(path)) == []


def _chunk(rec: Any, n: int = 2) -> Any:
    return rec["response"]["body"][n]["__data__"]


Mutation = Callable[[Any], Any]
BREAKAGE: list[tuple[str, Mutation, str, str]] = [
    (
        "missing __data__",
        lambda r: r["response"]["body"][2].pop("__data__"),
        "$.response.body[2]",
        "'__data__' is a required property",
    ),
    (
        "__type__ not a string",
        lambda r: r["response"]["body"][2].update(__type__=5),
        "$.response.body[2].__type__",
        "5 is not of type 'string'",
    ),
    (
        "is_streaming not a bool",
        lambda r: r["response"].update(is_streaming="true"),
        "$.response.is_streaming",
        "'true' is not of type 'boolean'",
    ),
    (
        "streamed body not a list",
        lambda r: r["response"].update(body={"__type__": "a.B", "__data__": {}}),
        "$.response.body",
        "{'__type__': 'a.B', '__data__': {}} is not of type 'array'",
    ),
    (
        "choices not a list",
        lambda r: _chunk(r).update(choices={"index": 0}),
        "$.response.body[2].__data__.choices",
        "{'index': 0} is not of type 'array'",
    ),
    (
        "delta.content not a string",
        lambda r: _chunk(r)["choices"][0]["delta"].update(content=["I"]),
        "$.response.body[2].__data__.choices[0].delta.content",
        "['I'] is not of type 'string', 'null'",
    ),
    (
        "is_exception without its data",
        lambda r: r["response"].update(is_exception=True, body=None),
        "$.response",
        "'exception_data' is a required property",
    ),
    (
        "exception data without is_exception",
        lambda r: r["response"].update(exception_message="boom"),
        "$.response",
        "'is_exception' is a dependency of 'exception_message'",
    ),
    (
        "unknown top-level key",
        lambda r: r.update(recorded_at="2026-01-01"),
        "$",
        "Additional properties are not allowed ('recorded_at' was unexpected)",
    ),
    (
        "request mixing two shapes",
        lambda r: r["request"].update(payload={"model": "x"}),
        "$.request",
        "as an inference request (OpenAI / Ollama / genai clients): Additional properties "
        "are not allowed ('payload' was unexpected)",
    ),
    (
        "request of no shape",
        lambda r: r.update(request={"provider": "x", "tool_name": "y"}),
        "$.request",
        "as a tool invocation request: 'kwargs' is a required property",
    ),
    (
        "a chunk that is a number",
        lambda r: r["response"]["body"].insert(5, 7),
        "$.response.body[5]",
        "7 is not of type 'object', 'string'",
    ),
    (
        "not an SSE line",
        lambda r: r["response"].update(body=["event: x", "garbage"]),
        "$.response.body[1]",
        "'garbage' does not match",
    ),
    (
        "missing response",
        lambda r: r.pop("response"),
        "$",
        "'response' is a required property",
    ),
    (
        "model created not an int",
        lambda r: r["response"].update(
            is_streaming=False,
            body=[
                {
                    "__type__": "openai.types.model.Model",
                    "__data__": {
                        "id": "m",
                        "object": "model",
                        "created": "yesterday",
                        "owned_by": "x",
                    },
                }
            ],
        ),
        "$.response.body[0].__data__.created",
        "'yesterday' is not of type 'integer', 'null'",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "pointer", "message"),
    [case[1:] for case in BREAKAGE],
    ids=[case[0] for case in BREAKAGE],
)
def test_breakage_is_rejected_at_its_pointer(mutate: Mutation, pointer: str, message: str) -> None:
    recording = load(SEED)
    mutate(recording)
    issues = VALIDATOR.issues(recording)
    assert issues, "the broken recording was accepted"
    assert (issues[0].pointer, issues[0].message[: len(message)]) == (pointer, message)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda r: r["response"]["body"][0]["__data__"].update(object="", model=""),  # Azure
        lambda r: r["response"]["body"][0]["__data__"].update(created=None),
        lambda r: r.pop("test_id"),
        lambda r: r.pop("id_normalization_mapping"),
        lambda r: r.update(test_id=None),
        lambda r: _chunk(r).update(obfuscation="x", content_filter_results={}),
    ],
    ids=[
        "azure-empty-chunk",
        "created-null",
        "no-test-id",
        "no-mapping",
        "null-test-id",
        "provider-extras",
    ],
)
def test_real_quirks_are_accepted(mutate: Mutation) -> None:
    recording = load(SEED)
    mutate(recording)
    assert VALIDATOR.issues(recording) == []


def test_many_errors_are_capped_with_a_count() -> None:
    recording = load(SEED)
    recording["response"]["body"] = [1] * 30
    issues = VALIDATOR.issues(recording)
    assert len(issues) == 21
    assert issues[-1].message == "10 more schema errors not shown"
    assert [i.pointer for i in issues[:3]] == [f"$.response.body[{n}]" for n in range(3)]


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "a JSON Schema must be an object or a boolean"),
        (b'{"type": 5}', "not a valid JSON Schema"),
    ],
)
def test_unusable_schemas(schema: bytes, reason: str) -> None:
    with pytest.raises(SchemaError, match=reason):
        SchemaValidator(schema)


def test_another_schema_can_be_used() -> None:
    only_objects = SchemaValidator(b'{"type": "object", "required": ["nope"]}')
    issues = only_objects.issues(copy.deepcopy(load(SEED)))
    assert [(i.pointer, i.message) for i in issues] == [("$", "'nope' is a required property")]


def test_long_values_are_named_not_dumped() -> None:
    recording = load(SEED)
    recording["response"]["body"] = {"__type__": "a.B", "__data__": {"x": "y" * 100}}
    [issue] = VALIDATOR.issues(recording)
    assert issue.message == "an object is not of type 'array'"
