"""`recctl normalize --tool-call-ids`: a chain of recordings stays replayable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recctl.ogx.hashing import judge_name, request_hash
from recctl.ogx.toolcalls import echoed_ids, introduced_ids

from builders import TOOL_CALL_TEST_ID as TEST_ID
from builders import tool_call_chain as _chain
from builders import tool_call_turn as _turn
from conftest import load, run, write_recording


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    directory = tmp_path / "recordings"
    directory.mkdir()
    return directory


def _check_replayable(directory: Path) -> None:
    """Every name is its request's hash; every echoed id was introduced by a recording."""
    recordings = {p: load(p) for p in directory.glob("*.json")}
    introduced = {i for r in recordings.values() for i in introduced_ids(r)}
    for path, recording in recordings.items():
        assert judge_name(path.name, recording).match is True, path.name
        assert echoed_ids(recording) <= introduced
        ids = {c["__data__"]["id"] for c in recording["response"]["body"]}
        assert ids == {f"rec-{path.stem[:12]}"}


def test_a_chain_of_three_is_rewritten_and_stays_replayable(recordings: Path) -> None:
    _chain(recordings)
    check = run("normalize", "--tool-call-ids", "--check", str(recordings), "-o", "json")
    assert check.exit_code == 1
    planned = json.loads(check.output)["changed"]
    assert len(planned) == 3
    assert sum(1 for item in planned if item["renamed_to"]) == 2  # the two that echo ids
    result = run("normalize", "--tool-call-ids", str(recordings))
    assert result.exit_code == 0, result.output
    _check_replayable(recordings)
    ids = {i for p in recordings.glob("*.json") for i in introduced_ids(load(p))}
    assert len(ids) == 2 and all(i.startswith("call_") and len(i) == 29 for i in ids)
    again = run("normalize", "--tool-call-ids", "--check", str(recordings))
    assert again.exit_code == 0  # normalizing twice changes nothing


def test_two_rerecords_of_the_same_conversation_normalize_to_the_same_bytes(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a/recordings", tmp_path / "b/recordings"
    first.mkdir(parents=True)
    second.mkdir(parents=True)
    _chain(first, "call_one", "call_two")
    _chain(second, "call_xyz", "call_qrs")
    for directory in (first, second):
        assert run("normalize", "--tool-call-ids", str(directory)).exit_code == 0
    contents = [{p.name: p.read_bytes() for p in d.glob("*.json")} for d in (first, second)]
    assert contents[0] == contents[1]


def test_an_id_with_two_origins_leaves_the_test_alone(recordings: Path) -> None:
    paths = _chain(recordings)
    extra = _turn([{"role": "user", "content": "again"}], [("call_AAA", "f")])
    write_recording(recordings / f"{request_hash(extra)}.json", extra)
    before = {p.name: p.read_bytes() for p in recordings.glob("*.json")}
    result = run("normalize", "--tool-call-ids", str(recordings), "-o", "json")
    document = json.loads(result.output)
    [aborted] = document["aborted"]
    assert aborted["test_id"] == TEST_ID
    assert "tool-call id call_AAA is introduced by both" in aborted["reason"]
    assert {p.name: p.read_bytes() for p in recordings.glob("*.json")} == before
    assert all(p.exists() for p in paths)


def test_a_taken_name_leaves_the_test_alone(recordings: Path) -> None:
    _chain(recordings)
    plan = json.loads(
        run("normalize", "--tool-call-ids", "--check", str(recordings), "-o", "json").output
    )
    target = Path(next(item["renamed_to"] for item in plan["changed"] if item["renamed_to"]))
    target.write_text("{}")  # something else squats the new name
    before = {p.name: p.read_bytes() for p in recordings.glob("*.json")}
    result = json.loads(run("normalize", "--tool-call-ids", str(recordings), "-o", "json").output)
    assert "is taken" in result["aborted"][0]["reason"]
    after = {p.name: p.read_bytes() for p in recordings.glob("*.json")}
    assert after == before
