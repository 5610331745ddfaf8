"""Request hashes (docs/format.md, section 5), name verdicts, and `recctl hash` with --fix."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from recctl.containers import polly_id
from recctl.ogx.hashing import RULES, judge_name, normalize, request_hash

from conftest import CORPUS, FIXTURES, VALID_STREAM, load, run, write_recording

TEST_ID = "tests/integration/x/test_x.py::test_f[p]"


def sha(obj: Any) -> str:
    """The expected hash, computed here by hand from the normalized object."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def inference(
    body: dict[str, Any],
    url: str = "https://api.openai.com/v1/v1/chat/completions",
    test_id: Any = TEST_ID,
) -> dict[str, Any]:
    return {
        "test_id": test_id,
        "request": {
            "method": "POST",
            "url": url,
            "headers": {},
            "body": body,
            "endpoint": "/v1/chat/completions",
            "model": "m",
        },
        "response": {"body": None, "is_streaming": False},
    }


# --- the hash, rule by rule ----------------------------------------------------------


def test_inference_hash_uses_the_url_path_and_the_test_id() -> None:
    body = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
    expected = sha(
        {"method": "POST", "endpoint": "/v1/v1/chat/completions", "body": body, "test_id": TEST_ID}
    )
    assert request_hash(inference(body)) == expected


def test_floats_are_rounded_and_long_decimals_in_strings_rewritten() -> None:
    body = {"temperature": 0.123456789, "text": "score 3.14159265 and 2.5 and -0.000012345"}
    normalized = {"temperature": 0.12346, "text": "score 3.14159 and 2.5 and -0.00001"}
    assert request_hash(inference(body)) == sha(
        {
            "method": "POST",
            "endpoint": "/v1/v1/chat/completions",
            "body": normalized,
            "test_id": TEST_ID,
        }
    )


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("[1] score: 0.1388247736002883, x", "[1] score: __NORMALIZED__, x"),
        ("doc, attributes: {'filename': 'a.txt', 'n': 1.0} (cite)", "doc (cite)"),
        ("document_id: 0f8fad5b-d9cb-469f-a165-70867728950e,", "document_id: __NORMALIZED__,"),
        ("see <|0f8fad5b-d9cb-469f-a165-70867728950e|>.", "see <|__NORMALIZED__|>."),
        ("document_id: file-753491389399", "document_id: file-753491389399"),  # not a uuid
    ],
)
def test_file_search_noise(text: str, normalized: str) -> None:
    assert normalize({"t": text}) == {"t": normalized}


def test_project_id_is_dropped_from_root_extra_body_and_extra_query_only() -> None:
    body = {
        "extra_body": {"project_id": "p1", "keep": 1},
        "extra_query": {"project_id": "p2"},
        "nested": {"extra_body": {"project_id": "kept"}},
    }
    assert normalize(body) == {
        "extra_body": {"keep": 1},
        "extra_query": {},
        "nested": {"extra_body": {"project_id": "kept"}},
    }


def test_bedrock_drops_stream_options() -> None:
    body = {"model": "m", "stream": True, "stream_options": {"include_usage": True}}
    url = "https://bedrock-runtime.us-west-2.amazonaws.com/openai/v1/chat/completions"
    expected = sha(
        {
            "method": "POST",
            "endpoint": "/openai/v1/chat/completions",
            "body": {"model": "m", "stream": True},
            "test_id": TEST_ID,
        }
    )
    assert request_hash(inference(body, url)) == expected
    assert request_hash(inference(body)) != sha(
        {
            "method": "POST",
            "endpoint": "/v1/v1/chat/completions",
            "body": {"model": "m", "stream": True},
            "test_id": TEST_ID,
        }
    )


@pytest.mark.parametrize("path", ["/v1/models", "/api/tags", "/v1/openai/v1/models"])
def test_model_lists_leave_the_test_id_out(path: str) -> None:
    recording = inference({}, url=f"http://localhost:11434{path}")
    assert request_hash(recording) == sha({"method": "POST", "endpoint": path, "body": {}})


def test_model_list_on_another_path_keeps_the_test_id() -> None:
    recording = inference({}, url="http://localhost:11434/v1/v1/models")
    assert request_hash(recording) == sha(
        {"method": "POST", "endpoint": "/v1/v1/models", "body": {}, "test_id": TEST_ID}
    )


def test_raw_http_and_tool_requests() -> None:
    raw = {
        "request": {
            "test_id": TEST_ID,
            "url": "http://x/v1/messages",
            "method": "post",
            "payload": {"t": 0.1234567},
        }
    }
    assert request_hash(raw) == sha(
        {
            "test_id": TEST_ID,
            "url": "http://x/v1/messages",
            "method": "POST",
            "payload": {"t": 0.12346},
        }
    )
    tool = {
        "test_id": TEST_ID,
        "request": {
            "test_id": TEST_ID,
            "provider": "tavily",
            "tool_name": "web_search",
            "kwargs": {"query": "q", "x": 0.1234567},
        },
    }
    assert request_hash(tool) == sha(
        {"provider": "tavily", "tool_name": "web_search", "kwargs": {"query": "q", "x": 0.1234567}}
    )


def test_file_processor_is_not_computable() -> None:
    recording = {"request": {"test_id": TEST_ID, "provider": "p", "api": "a", "file_id": "f"}}
    verdict = judge_name("0" * 64 + ".json", recording)
    assert (verdict.match, verdict.expected) == (None, None)
    assert "cannot be recomputed" in (verdict.reason or "")


def test_non_ascii_is_escaped_as_the_recorder_does() -> None:
    body = {"content": "café ☕"}
    assert request_hash(inference(body)) == sha(
        {"method": "POST", "endpoint": "/v1/v1/chat/completions", "body": body, "test_id": TEST_ID}
    )


# --- verdicts -------------------------------------------------------------------------


def test_every_current_corpus_file_gets_a_verdict() -> None:
    verdicts = {p.name: judge_name(p.name, load(p)) for p in (CORPUS / "current").rglob("*.json")}
    assert all(v.match is not None or v.reason for v in verdicts.values())
    matches = sum(v.match is True for v in verdicts.values())
    assert matches >= 100  # the corpus is a sample of a repository where 86% match
    stale = {name[:12]: v.reason or "" for name, v in verdicts.items() if v.match is False}
    assert stale["1cbda1e93815"] == (
        "recorded under older rules: before file-search normalization (Apr 2026)"
    )
    assert stale["b2da144d0f69"].startswith("edited after recording")
    assert stale["961052707b2d"].startswith("the response ids carry rec-c7ff69e043ea")
    assert stale["1d82e9439ae3"].startswith("legacy 12-hex name")


def test_the_fixture_is_named_by_its_hash() -> None:
    fixture = VALID_STREAM
    assert judge_name(fixture.name, load(fixture)).match is True


def test_model_list_digest_is_checked() -> None:
    models = [
        {"__type__": "openai.types.model.Model", "__data__": {"id": i, "object": "model"}}
        for i in ("b", "a", "b")
    ]
    recording = inference({}, url="http://localhost:11434/v1/models")
    recording["response"] = {"body": models, "is_streaming": False}
    digest = hashlib.sha256(b"a|b").hexdigest()[:8]
    right = f"models-{request_hash(recording)}-{digest}.json"
    assert judge_name(right, recording).match is True
    wrong = judge_name(f"models-{request_hash(recording)}-00000000.json", recording)
    assert wrong.match is False and "model ids changed" in (wrong.reason or "")


def test_older_rule_sets_are_named() -> None:
    assert RULES[0].name == "current"
    body = {"t": 0.123456789}
    old_name = (
        sha(
            {
                "method": "POST",
                "endpoint": "/v1/v1/chat/completions",
                "body": body,
                "test_id": TEST_ID,
            }
        )
        + ".json"
    )
    verdict = judge_name(old_name, inference(body))
    assert verdict.match is False
    assert verdict.reason == "recorded under older rules: before float rounding (Oct 2025)"


# --- recctl hash and --fix ---------------------------------------------------------------


def _repo(tmp_path: Path) -> Path:
    """A small repository (its root marked by .git): test dirs with recordings, some stale."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "tests/integration/x").mkdir(parents=True)
    (tmp_path / "tests/integration/x/test_x.py").write_text("def test_f(): pass\n")
    return tmp_path / "tests/integration/x/recordings"


def _write_named(directory: Path, recording: Any, name: str | None = None) -> Path:
    name = name or f"{request_hash(recording)}.json"
    return write_recording(directory / name, recording)


def test_hash_json_shape(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    good = _write_named(recordings, inference({"a": 1}))
    stale = _write_named(recordings, inference({"a": 2}), "0" * 64 + ".json")
    result = run("hash", str(recordings), "-o", "json")
    assert result.exit_code == 1
    documents = {Path(d["path"]).name: d for d in json.loads(result.output)}
    assert documents[good.name] == {
        "path": str(good),
        "expected": good.name,
        "actual": good.name,
        "match": True,
        "reason": None,
        "twin": None,
        "group": 0,
        "action": None,
        "blocked": None,
    }
    stale_doc = documents[stale.name]
    assert stale_doc["match"] is False
    assert stale_doc["expected"] == f"{request_hash(inference({'a': 2}))}.json"
    assert stale_doc["reason"] == "unknown: no rule set explains this name"
    assert stale_doc["action"] == {
        "kind": "rename",
        "target": str(recordings / stale_doc["expected"]),
        "applied": False,
    }


def test_fix_renames_and_a_second_fix_changes_nothing(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    stale = _write_named(recordings, inference({"a": 2}), "1" * 64 + ".json")
    before = stale.read_bytes()
    preview = run("hash", str(recordings))
    assert preview.exit_code == 1 and "Would rename" in preview.output
    assert stale.exists()  # nothing written without --fix
    fixed = run("hash", str(recordings), "--fix")
    assert fixed.exit_code == 0, fixed.output
    target = recordings / f"{request_hash(inference({'a': 2}))}.json"
    assert not stale.exists() and target.read_bytes() == before
    again = run("hash", str(recordings), "--fix")
    assert again.exit_code == 0
    assert "Renamed" not in again.output and "Would" not in again.output
    assert sorted(os.listdir(recordings)) == [target.name]


def test_a_collision_is_reported_not_resolved(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    recording = inference({"a": 3})
    right_name = f"{request_hash(recording)}.json"
    _write_named(recordings, inference({"other": 1}), right_name)  # squats the name
    stale = _write_named(recordings, recording, "2" * 64 + ".json")
    result = run("hash", str(recordings), "--fix")
    assert result.exit_code == 1
    assert "already exists and holds another request" in result.output
    assert stale.exists()


def test_a_group_of_stale_recordings_mapping_to_one_name_is_blocked(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    recording = inference({"a": 4})
    first = _write_named(recordings, recording, "3" * 64 + ".json")
    second = _write_named(recordings, recording, "4" * 64 + ".json")
    result = run("hash", str(recordings), "--fix", "-o", "json")
    assert result.exit_code == 1
    documents = json.loads(result.output)
    assert {d["group"] for d in documents} == {2}
    assert all("2 recordings would all become" in d["blocked"] for d in documents)
    assert first.exists() and second.exists()


def test_delete_duplicates_removes_a_stale_copy_of_a_right_twin(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    recording = inference({"a": 5})
    twin = _write_named(recordings, recording)
    copy = _write_named(recordings, recording, "5" * 64 + ".json")
    blocked = run("hash", str(recordings), "--fix")
    assert blocked.exit_code == 1 and "--delete-duplicates deletes this copy" in blocked.output
    assert copy.exists()
    deleted = run("hash", str(recordings), "--fix", "--delete-duplicates")
    assert deleted.exit_code == 0, deleted.output
    assert twin.exists() and not copy.exists()


def test_a_misplaced_recording_is_moved_to_its_tests_directory(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    elsewhere = tmp_path / "tests/integration/other/recordings"
    recording = inference({"a": 6})
    misplaced = _write_named(elsewhere, recording)
    plan = run("hash", str(tmp_path / "tests"))
    assert "Would move" in plan.output
    assert run("hash", str(tmp_path / "tests"), "--fix").exit_code == 0
    assert not misplaced.exists()
    assert (recordings / misplaced.name).exists()


def test_validate_reports_stale_names_as_warnings(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    recording = inference({"a": 7})
    _write_named(recordings, recording)
    _write_named(recordings, recording, "6" * 64 + ".json")
    _write_named(recordings, inference({"a": 8}), "7" * 64 + ".json")
    _write_named(recordings, inference({"a": 8}), "8" * 64 + ".json")
    result = run("validate", str(recordings), "-o", "json")
    assert result.exit_code == 0  # warnings do not fail validation
    codes = sorted(f["code"] for f in json.loads(result.output)["findings"])
    assert codes == ["RC204", "RC204", "RC204", "RC205", "RC206", "RC206"]


def test_corpus_copy_fix_twice(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "current", tmp_path / "current")
    for path in (tmp_path / "current").rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    first = run("hash", str(tmp_path / "current"), "--fix", "-o", "json")
    assert first.exit_code in (0, 1)
    second = run("hash", str(tmp_path / "current"), "--fix", "-o", "json")
    assert all(d.get("action") is None for d in json.loads(second.output))


def test_a_project_wide_rename_is_recognized() -> None:
    [model_list] = (CORPUS / "current").rglob("models-e42ca9261e3c*.json")
    verdict = judge_name(model_list.name, load(model_list))
    assert verdict.match is False
    assert verdict.reason is not None
    assert verdict.reason.startswith("edited after recording: the project-wide rename")


POLLY = FIXTURES / "formats/openllmetry-js"


def _polly_tree(tmp_path: Path, hand_written: str = "bedrock_anthropic_cache_001") -> Path:
    """Every sample HAR file of a project, one of them with an ``_id`` written by hand."""
    tree = tmp_path / "js"
    shutil.copytree(POLLY, tree)
    har = sorted(tree.rglob("recording.har"))[0]
    document = json.loads(har.read_text())
    document["log"]["entries"][0]["_id"] = hand_written
    har.write_text(json.dumps(document, indent=2))
    return har


def test_hash_reports_a_polly_entry_polly_never_finds_and_fix_rewrites_it(
    tmp_path: Path,
) -> None:
    har = _polly_tree(tmp_path)
    others = {p: p.read_bytes() for p in (tmp_path / "js").rglob("*.har") if p != har}

    listed = run("hash", "-o", "json", str(tmp_path / "js"))

    assert listed.exit_code == 1
    documents = {d["path"]: d for d in json.loads(listed.stdout)}
    assert len(documents) == len(others) + 1
    flagged = documents[str(har)]
    assert flagged["stale"][0]["actual"] == "bedrock_anthropic_cache_001"
    assert all(not d["stale"] for path, d in documents.items() if path != str(har))

    fixed = run("hash", "--fix", str(tmp_path / "js"))

    assert fixed.exit_code == 0, fixed.output
    entry = json.loads(har.read_text())["log"]["entries"][0]
    assert entry["_id"] == flagged["stale"][0]["expected"]
    match = polly_id.match_of(entry)
    assert match is not None and match.polly_config() == flagged["configuration"]
    assert all(p.read_bytes() == raw for p, raw in others.items())  # untouched
    assert run("hash", str(tmp_path / "js")).exit_code == 0


def test_hash_of_a_polly_tree_in_github_and_text(tmp_path: Path) -> None:
    har = _polly_tree(tmp_path)
    github = run("hash", "-o", "github", str(tmp_path / "js"))
    assert github.stdout.startswith(f"::warning file={har},title=RC204::")
    text = run("hash", str(tmp_path / "js"))
    assert "entries Polly.JS never finds" in text.stdout
    assert "1 entry whose _id Polly.JS does not compute" in text.stdout
