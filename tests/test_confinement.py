"""Nothing read from a recording steers a write, or a read, outside the root."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from recctl import prune as pruning
from recctl.confine import inside, unsafe_reason
from recctl.ogx.hashing import request_hash

from conftest import SEED, load, run, write_recording

CLIMBING = "../../../../outside/evil.py::test_x"
MODULE = "def test_x():\n    pass\n"


def _repo(tmp_path: Path) -> Path:
    """``tmp_path/repo``, a git work tree, beside ``tmp_path/outside``, which it must not touch."""
    repo = tmp_path / "repo"
    (repo / "tests/integration/x").mkdir(parents=True)
    (repo / "tests/integration/x/test_x.py").write_text(MODULE)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside/evil.py").write_text(MODULE)
    return repo


def _hostile(repo: Path, test_id: str) -> Path:
    """A recording with ``test_id``, named by its own hash, in the suite's recordings/."""
    recording: Any = load(SEED)
    recording["test_id"] = test_id
    directory = repo / "tests/integration/x/recordings"
    return write_recording(directory / f"{request_hash(recording)}.json", recording)


def _everything(tmp_path: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(tmp_path)): p.read_bytes()
        for p in sorted(tmp_path.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


@pytest.mark.parametrize(
    ("test_id", "problem"),
    [
        ("tests/x/test_a.py::test_f[../../p]", None),  # parameters are not a path
        ("tests/x/test_a.py::TestC::test_m", None),
        ("tests/x/..test_a.py::test_f", None),
        ("../outside/test_a.py::test_f", "climbs out with '..'"),
        ("tests/../../test_a.py::test_f", "climbs out with '..'"),
        ("tests\\..\\..\\test_a.py::test_f", "climbs out with '..'"),
        ("/etc/test_a.py::test_f", "is an absolute path"),
        ("\\\\server\\share\\test_a.py::test_f", "is an absolute path"),
        ("C:/tests/test_a.py::test_f", "is an absolute path"),
        ("tests/\x00/test_a.py::test_f", "NUL"),
    ],
)
def test_unsafe_reason(test_id: str, problem: str | None) -> None:
    found = unsafe_reason(test_id)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_inside_resolves_symbolic_links(tmp_path: Path) -> None:
    (tmp_path / "root").mkdir()
    (tmp_path / "away").mkdir()
    (tmp_path / "root/link").symlink_to(tmp_path / "away")
    assert inside(str(tmp_path / "root/a/b.json"), str(tmp_path / "root"))
    assert not inside(str(tmp_path / "root/link/b.json"), str(tmp_path / "root"))
    assert not inside(str(tmp_path / "root/../away/b.json"), str(tmp_path / "root"))
    assert not inside(str(tmp_path / "rootless/b.json"), str(tmp_path / "root"))


@pytest.mark.parametrize("absolute", [False, True])
def test_hash_fix_never_moves_a_recording_out_of_the_repository(
    tmp_path: Path, absolute: bool
) -> None:
    repo = _repo(tmp_path)
    test_id = f"{tmp_path}/outside/evil.py::test_x" if absolute else CLIMBING
    hostile = _hostile(repo, test_id)
    before = _everything(tmp_path)
    result = run("hash", str(repo / "tests"), "--fix", "--delete-duplicates", "-o", "json")
    assert _everything(tmp_path) == before
    assert not (tmp_path / "outside/recordings").exists()
    [entry] = json.loads(result.stdout)
    assert entry["path"] == str(hostile)
    assert entry["action"] is None
    assert "never renamed, moved or deleted" in entry["blocked"]
    assert result.exit_code == 1


def test_hash_fix_never_moves_through_a_symbolic_link_out_of_the_root(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    # The suite's recordings/ directory is a link to a directory outside the repository.
    (repo / "tests/integration/x/recordings").symlink_to(tmp_path / "outside")
    recording: Any = load(SEED)
    recording["test_id"] = "tests/integration/x/test_x.py::test_x"
    misplaced = write_recording(
        repo / f"tests/integration/other/recordings/{request_hash(recording)}.json", recording
    )
    result = run("hash", str(repo / "tests/integration/other"), "--fix", "-o", "json")
    assert misplaced.exists()
    assert sorted(os.listdir(tmp_path / "outside")) == ["evil.py"]
    [entry] = json.loads(result.stdout)
    assert entry["action"] is None or entry["action"]["applied"] is False
    assert result.exit_code == 1


def test_without_a_git_tree_the_root_is_the_path_given(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "project/tests/x").mkdir(parents=True)
    (tmp_path / "project/tests/x/test_a.py").write_text(MODULE)
    recording: Any = load(SEED)
    recording["test_id"] = "tests/x/test_a.py::test_x"
    # misplaced: its test maps to project/tests/x/recordings, above the path given
    misplaced = write_recording(
        tmp_path / f"project/tests/y/recordings/{request_hash(recording)}.json", recording
    )
    plan = json.loads(run("hash", str(tmp_path / "project/tests/y"), "-o", "json").stdout)
    assert plan[0]["action"] is None
    moved = run("hash", str(tmp_path / "project/tests/y"), "--fix", "--root", str(tmp_path))
    assert moved.exit_code == 0, moved.output
    assert not misplaced.exists()
    assert (tmp_path / f"project/tests/x/recordings/{misplaced.name}").exists()


def test_validate_reports_a_test_id_that_leads_outside(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    climbing = _hostile(repo, CLIMBING)
    absolute = _hostile(repo, "/etc/evil.py::test_x")
    result = run("validate", str(repo / "tests"), "-o", "json")
    assert result.exit_code == 1
    found = {
        (Path(f["path"]), f["code"], f["pointer"]) for f in json.loads(result.stdout)["findings"]
    }
    assert found == {
        (climbing, "RC207", "$.test_id"),
        (absolute, "RC207", "$.test_id"),
    }  # and no RC202: the test id names no directory to compare with


def test_validate_checks_the_test_id_of_raw_requests(tmp_path: Path) -> None:
    recording = {
        "test_id": "tests/x/test_a.py::test_f",
        "request": {
            "test_id": "../../x/test_a.py::test_f",
            "url": "http://localhost/v1/messages",
            "method": "POST",
            "payload": {},
        },
        "response": {"body": {}, "is_streaming": False, "status": 200},
    }
    path = write_recording(tmp_path / "r.json", recording)
    document = json.loads(run("validate", str(path), "-o", "json").stdout)
    assert [(f["code"], f["pointer"]) for f in document["findings"]] == [
        ("RC207", "$.request.test_id")
    ]


def test_prune_reports_and_never_opens_a_test_file_outside_the_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path)
    (repo / "tests/integration/x/linked").symlink_to(tmp_path / "outside")
    hostile = [
        _hostile(repo, CLIMBING),
        _hostile(repo, f"{tmp_path}/outside/evil.py::test_x"),
        _hostile(repo, "tests/integration/x/linked/evil.py::test_x"),
    ]
    live = _hostile(repo, "tests/integration/x/test_x.py::test_x")
    opened: list[str] = []
    index = pruning.index_test_file

    def spy(path: str) -> Any:
        opened.append(path)
        return index(path)

    monkeypatch.setattr(pruning, "index_test_file", spy)
    before = _everything(tmp_path)
    result = run("prune", "--root", str(repo), "-o", "json", "--delete", "-j", "1")
    assert _everything(tmp_path) == before  # nothing deleted: the hostile ones are not stale
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert sorted(Path(u["path"]) for u in document["unsafe"]) == sorted(hostile)
    assert document["live"] == 1 and live.exists()
    assert all(inside(path, str(repo)) for path in opened)
    assert opened and not any("outside" in path or "linked" in path for path in opened)
    text = run("prune", "--root", str(repo)).output
    assert "Test id leads outside the root (never pruned):" in text
    assert "3 unsafe" in text


def test_normalize_leaves_a_recording_with_an_unsafe_test_id_alone(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    hostile = _hostile(repo, CLIMBING)
    recording = load(hostile)
    recording["response"]["body"][0]["__data__"]["id"] = "chatcmpl-123"  # would be normalized
    write_recording(hostile, recording)
    before = hostile.read_bytes()
    for extra in ([], ["--tool-call-ids"]):
        result = run("normalize", str(hostile), "-o", "json", *extra)
        assert result.exit_code == 1
        assert hostile.read_bytes() == before
        document = json.loads(result.stdout)
        assert document["refused"] == [
            {"path": str(hostile), "reason": "its test file climbs out with '..'"}
        ]
        assert document["changed"] == [] and document["unchanged"] == 0


def test_prune_survives_invalid_utf8_in_a_test_id(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    broken = repo / "tests/integration/x/recordings/broken.json"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(b'{\n  "test_id": "tests/integration/x/test_\xff.py::test_x",\n}\n')
    result = run("prune", "--root", str(repo), "-o", "json")
    assert result.exit_code == 2
    assert "internal error" not in result.output
    document = json.loads(result.stdout)
    [unreadable] = document["unreadable"]
    assert unreadable["path"] == str(broken)
    assert unreadable["reason"].startswith("not UTF-8 text")
