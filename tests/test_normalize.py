"""`recctl normalize`: rules, byte discipline, atomic writes."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest

from recctl import io
from recctl.ogx.hashing import request_hash
from recctl.ogx.normalize import ALL_RULES, DEFAULT_RULES, normalize_recording

from builders import delta_chunk, recording
from conftest import CORPUS, SEED, load, run, write_recording


def _named(tmp_path: Path, value: Any) -> Path:
    return write_recording(tmp_path / f"{request_hash(value)}.json", value)


def _stream_with_noise() -> Any:
    body = [delta_chunk(role="assistant", content="Hi"), delta_chunk(finish="stop")]
    for number, chunk in enumerate(body):
        chunk["__data__"].update(
            id="chatcmpl-random",
            created=1700000000 + number,
            obfuscation="abc",
            system_fingerprint="fp_123",
        )
        chunk["__data__"]["choices"][0]["obfuscation"] = "xyz"
    return recording(body)


# --- rules -------------------------------------------------------------------------


def test_default_rules_on_chunks() -> None:
    value = _stream_with_noise()
    rules = normalize_recording(value, "a" * 64, frozenset(DEFAULT_RULES))
    assert rules == {"id", "created"}
    for chunk in value["response"]["body"]:
        assert (chunk["__data__"]["id"], chunk["__data__"]["created"]) == ("rec-aaaaaaaaaaaa", 0)
        assert chunk["__data__"]["obfuscation"] == "abc"  # not a default rule


def test_extra_rules_on_chunks() -> None:
    value = _stream_with_noise()
    assert normalize_recording(value, "a" * 64, frozenset(ALL_RULES)) == {
        "id",
        "created",
        "obfuscation",
        "system_fingerprint",
    }
    data = value["response"]["body"][0]["__data__"]
    assert "obfuscation" not in data and "obfuscation" not in data["choices"][0]
    assert data["system_fingerprint"] == "fp_normalized"


def test_models_keep_their_ids_and_created() -> None:
    model: Any = {
        "__type__": "openai.types.model.Model",
        "__data__": {"id": "gpt-4o", "object": "model", "created": 1715367049},
    }
    value = recording([model], streaming=False)
    assert normalize_recording(value, "a" * 64, frozenset(DEFAULT_RULES)) == set()
    assert model["__data__"]["id"] == "gpt-4o"


def test_ollama_created_at_and_durations() -> None:
    data = {
        "model": "llama",
        "created_at": "2025-09-01T10:00:00.123Z",
        "done": True,
        "total_duration": 123,
        "load_duration": None,
        "eval_duration": 9,
    }
    value = recording(
        {"__type__": "ollama._types.GenerateResponse", "__data__": data}, streaming=False
    )
    assert normalize_recording(value, "a" * 64, frozenset(DEFAULT_RULES)) == {
        "created_at",
        "durations",
    }
    assert (
        data["created_at"],
        data["total_duration"],
        data["load_duration"],
        data["eval_duration"],
    ) == ("1970-01-01T00:00:00.000000Z", 0, None, 0)


def test_requests_are_never_touched() -> None:
    value = _stream_with_noise()
    value["request"]["body"]["id"] = "keep"
    value["request"]["body"]["created"] = 5
    normalize_recording(value, "a" * 64, frozenset(ALL_RULES))
    assert (value["request"]["body"]["id"], value["request"]["body"]["created"]) == ("keep", 5)


def test_sse_lines_are_rewritten_as_they_were_written() -> None:
    start = (
        'data: {"type":"message_start","message":{"id":"msg_abc","type":"message",'
        '"role":"assistant","model":"m","content":[],"usage":{"input_tokens":7}}}'
    )
    spaced = 'data: {"type": "message_start", "message": {"id": "msg_xyz"}}'
    odd = 'data: {"type":"message_start","message":{"id":"msg_abc" }}'  # cannot be reproduced
    value = recording(["event: message_start", start, "", spaced, odd], status=200)
    rules = normalize_recording(value, "b" * 64, frozenset(["anthropic_id"]))
    assert rules == {"anthropic_id"}
    body = value["response"]["body"]
    assert body[1] == start.replace("msg_abc", "msg_recbbbbbbbbbbbb")
    assert body[3] == spaced.replace("msg_xyz", "msg_recbbbbbbbbbbbb")
    assert body[4] == odd  # left alone rather than respelled


def test_genai_and_interactions() -> None:
    chunk = {
        "sdk_http_response": {"headers": {"Date": "Wed, 01 Apr 2026 10:29:40 GMT"}},
        "candidates": [],
        "create_time": "2026-04-01T10:29:40.193649Z",
        "response_id": "lPPMafHoC5",
    }
    value = recording([chunk, json.loads(json.dumps(chunk))])
    assert normalize_recording(value, "c" * 64, frozenset(ALL_RULES)) == {
        "genai_response_id",
        "genai_create_time",
        "date_header",
    }
    assert [c["response_id"] for c in value["response"]["body"]] == [
        "rec-cccccccccccc-0",
        "rec-cccccccccccc-1",
    ]
    interaction = {
        "id": "v1_abc",
        "object": "interaction",
        "created": "2026-04-14T10:07:23Z",
        "updated": "2026-04-14T10:07:23Z",
        "outputs": [],
    }
    value = recording(interaction, streaming=False, status=200)
    assert normalize_recording(value, "c" * 64, frozenset(ALL_RULES)) == {
        "interaction_id",
        "interaction_timestamps",
    }
    assert interaction["id"] == "v1_reccccccccccccc"


# --- files ---------------------------------------------------------------------------


def test_unchanged_files_are_not_written(recordings: Path) -> None:
    value = recording([delta_chunk(content="x", finish="stop")])
    value["response"]["body"][0]["__data__"]["id"] = f"rec-{(request_hash(value) or '')[:12]}"
    path = _named(recordings, value)
    before = path.stat().st_mtime_ns
    os.utime(path, ns=(before - 10**9, before - 10**9))
    result = run("normalize", str(recordings))
    assert (result.exit_code, result.output) == (0, "0 files normalized, 1 unchanged.\n")
    assert path.stat().st_mtime_ns == before - 10**9


def test_changed_files_are_written_as_the_recorder_writes_with_their_mode(tmp_path: Path) -> None:
    value = _stream_with_noise()
    value["request"]["body"]["messages"][0]["content"] = "café ☕"
    path = _named(tmp_path, value)
    path.chmod(0o640)
    result = run("normalize", str(path))
    assert result.exit_code == 0
    assert result.output.startswith(f"normalized {path}  (created, id)")
    written = path.read_bytes()
    expected = load(path)
    assert written == (json.dumps(expected, indent=2) + "\n").encode()
    assert b"\\u2615" in written  # ASCII escapes, as the recorder writes
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    assert run("normalize", str(path)).output == "0 files normalized, 1 unchanged.\n"


def test_check_and_diff_write_nothing(tmp_path: Path) -> None:
    path = _named(tmp_path, _stream_with_noise())
    before = path.read_bytes()
    check = run("normalize", "--check", str(path))
    assert check.exit_code == 1
    assert check.output.startswith(f"would normalize {path}")
    diff = run("normalize", "--diff", str(path))
    assert diff.exit_code == 1
    assert '-          "id": "chatcmpl-random",' in diff.output
    assert f'+          "id": "rec-{path.stem[:12]}",' in diff.output
    assert path.read_bytes() == before


def test_json_shape(recordings: Path) -> None:
    path = _named(recordings, _stream_with_noise())
    bad = recordings / "bad.json"
    bad.write_text("{")
    result = run("normalize", "--check", str(recordings), "-o", "json")
    assert result.exit_code == 2
    assert json.loads(result.output) == {
        "changed": [{"path": str(path), "rules": ["created", "id"], "renamed_to": None}],
        "unchanged": 0,
        "errors": [
            {
                "path": str(bad),
                "reason": "truncated JSON: unexpected end of data at line 1 column 2",
            }
        ],
        "refused": [],
        "aborted": [],
    }


def test_unknown_rule_exits_2(tmp_path: Path) -> None:
    result = run("normalize", "--rule", "nope", str(tmp_path))
    assert result.exit_code == 2 and "--rule nope: no such rule" in result.output


def test_the_corpus_changes_only_where_it_breaks_the_recorders_rules(tmp_path: Path) -> None:
    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy)
    for path in copy.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    before = {p: p.read_bytes() for p in copy.rglob("*.json")}
    document = json.loads(run("normalize", str(copy), "-o", "json").output)
    changed = {Path(item["path"]).name for item in document["changed"]}
    assert changed == set()
    # the one recording whose ids disagree with its name is stored under a stale name:
    # its ids are not stamped from it
    [stale] = document["refused"]
    assert Path(stale["path"]).name.startswith("961052707b2d")
    assert stale["reason"].startswith("stored under a stale name")
    untouched = [p for p in before if p.name not in changed]
    assert all(p.read_bytes() == before[p] for p in untouched)
    again = json.loads(run("normalize", str(copy), "--extra", "-o", "json").output)
    assert again["changed"]  # the extra rules find provider noise
    assert (
        json.loads(run("normalize", str(copy), "--extra", "-o", "json").output)["changed"] == []
    )  # twice changes nothing


def test_an_interrupted_write_leaves_the_old_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"old")

    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        io.write_atomic(str(path), b"new content")
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_seed_is_normalized_by_its_computed_hash(tmp_path: Path) -> None:
    seed = shutil.copy(SEED, tmp_path / "seed.json")
    run("normalize", str(seed))
    ids = {c["__data__"]["id"] for c in load(Path(seed))["response"]["body"]}
    assert ids == {f"rec-{(request_hash(load(SEED)) or '')[:12]}"}
