"""`recctl diff`: the pure comparison and the command, on files and trees."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from recctl.containers import ogx
from recctl.diff import PathMatcher, json_changes, word_diff
from recctl.diff_files import volatile_paths

from builders import call, delta_chunk, diff_recordings, recording, usage_chunk
from conftest import CORPUS, EVERY_FILE, SEED, corpus_id, load, run, write_recording


def _stream(*pieces: str, args: str = '{"city": "Paris"}', usage: tuple[int, int] = (10, 3)) -> Any:
    body = [delta_chunk(role="assistant", content=piece) for piece in pieces]
    body.append(delta_chunk(tool_calls=[call(0, args, "call_abc", "get_weather")]))
    body += [delta_chunk(finish="tool_calls"), usage_chunk(*usage)]
    return recording(body)


# --- the pure comparison ---------------------------------------------------------


@pytest.mark.parametrize("path", EVERY_FILE, ids=corpus_id)
def test_every_corpus_file_against_itself_is_identical(path: Path) -> None:
    old = load(path)
    result = diff_recordings(old, copy.deepcopy(old))
    assert (result.verdict, result.differs, result.structural) == ("identical", False, [])


def test_volatile_fields_only() -> None:
    old = load(SEED)
    new = copy.deepcopy(old)
    for chunk in new["response"]["body"]:
        chunk["__data__"].update(
            id="rec-ffffffffffff",
            created=1700000000,
            system_fingerprint="fp_other",
            obfuscation="xyz",
        )
    new["request"]["body"]["messages"][1]["tool_calls"][0]["id"] = "call_other"
    new["request"]["body"]["messages"][2]["tool_call_id"] = "call_other"
    result = diff_recordings(old, new)
    assert result.verdict == "only volatile fields differ"
    assert not result.differs and result.volatile > 0
    strict = diff_recordings(old, new, ignore=())
    # tool-call ids are not part of the request's meaning: only the structure shows them
    assert strict.differs and strict.verdict == "other fields changed"


def test_chunking_only_is_not_a_change() -> None:
    result = diff_recordings(_stream("Hel", "lo there"), _stream("Hello", " there"))
    assert result.verdict == "only volatile fields differ"
    chunked = diff_recordings(_stream("Hel", "lo there"), _stream("Hello", " there"), chunks=True)
    assert chunked.differs and chunked.verdict == "other fields changed"
    assert chunked.structural[0].path.startswith("$.response.body[")


def test_answer_text_change_is_a_unified_diff() -> None:
    result = diff_recordings(_stream("It is sunny."), _stream("It is raining."))
    assert result.verdict == "answer changed"
    assert result.answer.text[0] == [
        "--- old",
        "+++ new",
        "@@ -1 +1 @@",
        "-It is sunny.",
        "+It is raining.",
    ]


def test_tool_call_arguments_are_compared_as_json() -> None:
    same = diff_recordings(
        _stream("x", args='{"city": "Paris", "unit": "C"}'),
        _stream("x", args='{ "unit":"C",  "city":"Paris" }'),
    )
    assert not same.differs  # whitespace and key order are not a change
    changed = diff_recordings(
        _stream("x", args='{"city": "Paris"}'), _stream("x", args='{"city": "Lyon"}')
    )
    assert changed.verdict == "answer changed"
    [call_change] = changed.answer.tool_calls
    assert call_change.change == "changed"
    assert call_change.old is not None and call_change.new is not None
    assert (call_change.old.parsed, call_change.new.parsed) == ({"city": "Paris"}, {"city": "Lyon"})


def test_usage_change_with_delta() -> None:
    result = diff_recordings(_stream("x", usage=(10, 3)), _stream("x", usage=(12, 3)))
    assert result.verdict == "usage changed"
    assert result.answer.usage is not None
    old, new = result.answer.usage
    assert old is not None and new is not None
    assert (old.prompt_tokens, new.prompt_tokens) == (10, 12)


def test_request_message_change_has_an_inline_diff() -> None:
    old, new = _stream("x"), _stream("x")
    new["request"]["body"]["messages"][0]["content"] = "hi there"
    new["request"]["body"]["temperature"] = 0.2
    result = diff_recordings(old, new)
    assert result.verdict == "request changed"
    assert [(c.part, c.detail) for c in result.request] == [
        ("message 0 (user)", "hi {+there+}"),
        ("parameter temperature", None),
    ]
    assert [c.path for c in result.structural] == [
        "$.request.body.messages[0].content",
        "$.request.body.temperature",
    ]


def test_request_and_answer_both_change() -> None:
    old, new = _stream("a"), _stream("b")
    new["request"]["body"]["model"] = "other"
    new["request"]["model"] = "other"
    assert diff_recordings(old, new).verdict == "request changed, answer changed"


def test_shape_change() -> None:
    old = _stream("x")
    new = copy.deepcopy(old)
    new["response"]["is_streaming"] = False
    assert diff_recordings(old, new).verdict == "shape changed"


def test_word_diff_keeps_context_short() -> None:
    old = " ".join(f"w{n}" for n in range(100))
    new = old.replace("w50", "CHANGED")
    assert word_diff(old, new) == (
        "… w44 w45 w46 w47 w48 w49 [-w50-]{+CHANGED+} w51 w52 w53 w54 w55 w56 …"
    )


def test_json_changes_by_path() -> None:
    changes = json_changes(
        {"a": [1, 2], "b": {"c": 1}, "d": 1}, {"a": [1, 3, 4], "b": {}, "d": 1.0, "e": True}
    )
    assert [(c.path, c.old, c.new) for c in changes][:3] == [
        ("$.a[1]", 2, 3),
        ("$.a[2]", changes[1].old, 4),
        ("$.b.c", 1, changes[2].new),
    ]
    assert [c.path for c in changes] == ["$.a[1]", "$.a[2]", "$.b.c", "$.e"]


def test_path_matcher_wildcards() -> None:
    matcher = PathMatcher(["$.response.body[*].__data__.id", "$.x.*.y"])
    assert matcher("$.response.body[12].__data__.id")
    assert not matcher("$.response.body[12].__data__.idx")
    assert matcher("$.x.anything.y")
    assert not PathMatcher([])("$")
    assert all(pattern.startswith("$.") for pattern in volatile_paths(ogx))


# --- the command -----------------------------------------------------------------


def _write(tmp_path: Path, name: str, value: Any) -> Path:
    return write_recording(tmp_path / name, value)


def test_cli_identical_and_exit_codes(tmp_path: Path) -> None:
    a = _write(tmp_path, "a.json", _stream("Hi"))
    b = _write(tmp_path, "b.json", _stream("Ho"))
    same = run("diff", str(a), str(a))
    assert (same.exit_code, same.output.splitlines()[0]) == (0, "verdict: identical")
    changed = run("diff", str(a), str(b))
    assert changed.exit_code == 1
    lines = changed.output.splitlines()
    assert lines[0] == "verdict: answer changed"
    assert "    -Hi" in lines and "    +Ho" in lines
    assert lines[-1] == "0 request changes, 1 answer change, 0 structural differences."


def test_cli_json_shape(tmp_path: Path) -> None:
    old, new = _stream("x"), _stream("x", args='{"city": "Lyon"}', usage=(10, 4))
    new["request"]["body"]["temperature"] = 0.5
    a, b = _write(tmp_path, "a.json", old), _write(tmp_path, "b.json", new)
    result = run("diff", str(a), str(b), "-o", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert set(document) == {
        "verdict",
        "labels",
        "volatile_ignored",
        "shape",
        "request",
        "answer",
        "structural",
    }
    assert document["verdict"] == "request changed, answer changed, usage changed"
    assert document["request"] == [
        {"part": "parameter temperature", "old": None, "new": 0.5, "detail": None}
    ]
    assert document["answer"]["tool_calls"] == [
        {
            "choice": 0,
            "position": 0,
            "change": "changed",
            "old": {"name": "get_weather", "arguments": {"city": "Paris"}},
            "new": {"name": "get_weather", "arguments": {"city": "Lyon"}},
        }
    ]
    assert document["answer"]["usage"]["delta"] == {
        "prompt_tokens": 0,
        "completion_tokens": 1,
        "total_tokens": 1,
    }
    assert document["structural"] == [
        {"path": "$.request.body.temperature", "old": None, "new": 0.5, "change": "added"}
    ]


def test_cli_ignore_and_no_default_ignores(tmp_path: Path) -> None:
    old = _stream("x")
    new = copy.deepcopy(old)
    new["request"]["body"]["temperature"] = 0.5
    for chunk in new["response"]["body"]:
        chunk["__data__"]["id"] = "rec-other"
    a, b = _write(tmp_path, "a.json", old), _write(tmp_path, "b.json", new)
    assert run("diff", str(a), str(b)).exit_code == 1
    assert run("diff", str(a), str(b), "--ignore", "$.request.body.temperature").exit_code == 1
    ignored = run(
        "diff",
        str(a),
        str(b),
        "--ignore",
        "$.request.body.temperature",
        "--ignore",
        "$.request.body.messages[*].content",
    )
    assert ignored.exit_code == 1  # the request meaning still shows the parameter
    assert "parameter temperature" in ignored.output
    strict = run("diff", str(a), str(b), "--no-default-ignores", "--chunks", "-o", "json")
    paths = [c["path"] for c in json.loads(strict.output)["structural"]]
    assert "$.response.body[0].__data__.id" in paths


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda d: (d / "bad.json").write_text("{oops"), "not valid JSON"),
        (lambda d: None, "no such file"),
    ],
)
def test_cli_bad_input_exits_2(tmp_path: Path, make: Any, reason: str) -> None:
    make(tmp_path)
    good = _write(tmp_path, "good.json", _stream("x"))
    target = tmp_path / ("bad.json" if (tmp_path / "bad.json").exists() else "missing.json")
    result = run("diff", str(good), str(target))
    assert result.exit_code == 2
    assert reason in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_cli_file_against_directory_exits_2(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.json", _stream("x"))
    result = run("diff", str(good), str(tmp_path))
    assert result.exit_code == 2
    assert "cannot compare a directory with a file" in result.output


@pytest.fixture
def trees(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(CORPUS / "current", old)
    shutil.copytree(CORPUS / "current", new)
    responses = new / "tests/integration/responses/recordings"
    # changed: the seed-like stream's answer
    seed_copy = next(responses.glob("817b485c*.json"))
    changed: Any = load(seed_copy)
    changed["response"]["body"][-1]["__data__"]["usage"]["completion_tokens"] += 1
    write_recording(seed_copy, changed)
    # volatile only
    volatile_file = next(responses.glob("1cbda1e9*.json"))
    volatile: Any = load(volatile_file)
    for chunk in volatile["response"]["body"]:
        chunk["__data__"]["id"] = "rec-ffffffffffff"
    write_recording(volatile_file, volatile)
    # removed and added
    next(responses.glob("d85c30b6*.json")).unlink()
    write_recording(responses / "added.json", _stream("new"))
    # renamed: the request changed, so the name (its hash) did too
    renamed_file = next((new / "tests/integration/inference/recordings").glob("36968c3a*.json"))
    renamed: Any = load(renamed_file)
    renamed["request"]["body"]["temperature"] = 0.9
    renamed_file.unlink()
    write_recording(renamed_file.with_name("f" * 64 + ".json"), renamed)
    return old, new


def test_tree_diff(trees: tuple[Path, Path]) -> None:
    old, new = trees
    result = run("diff", str(old), str(new), "-o", "json")
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert [c["verdict"] for c in document["changed"]] == ["usage changed"]
    assert document["changed"][0]["old"].endswith(".json")
    assert [r["verdict"] for r in document["renamed"]] == ["request changed"]
    assert document["renamed"][0]["new"].endswith("f" * 64 + ".json")
    assert document["added"] == ["tests/integration/responses/recordings/added.json"]
    assert len(document["removed"]) == 1 and "d85c30b6" in document["removed"][0]
    assert document["volatile_only"] == 1
    total = len(list((CORPUS / "current").rglob("*.json")))
    # all but the changed, volatile-only, removed and renamed ones
    assert document["unchanged"] == total - 4


def test_tree_diff_text_and_details(trees: tuple[Path, Path]) -> None:
    old, new = trees
    lines = run("diff", str(old), str(new)).output.splitlines()
    name = next(p.name for p in new.rglob("817b485c7d37*.json"))
    assert lines[0] == f"M tests/integration/responses/recordings/{name}"  # whole when piped
    assert lines[1].startswith("    usage changed · tests/integration/responses/")
    assert lines[-1].startswith("1 changed, 1 renamed, 1 added, 1 removed, ")
    shown = run("diff", str(old), str(new), env={"FORCE_COLOR": "1"}).output
    assert "recordings/817b485c7d37…" in shown  # cut in its middle on a terminal
    details = run("diff", str(old), str(new), "--details").output
    assert "usage: prompt" in details


def test_identical_trees_exit_0(tmp_path: Path) -> None:
    shutil.copytree(CORPUS / "current", tmp_path / "a")
    result = run("diff", str(CORPUS / "current"), str(tmp_path / "a"))
    assert result.exit_code == 0
    assert result.output.strip().endswith("unchanged.")
