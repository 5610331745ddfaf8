"""A move killed at any point is finished by the next run, and writes stay in the tree.

``normalize --tool-call-ids`` and ``hash --fix`` move recordings: the new name
first (a hard link), then the old one removed. A run killed in between once
left a test half rewritten, which the next run refused ("is taken: nothing
written for this test"), or two names which ``hash --fix`` refused. Here the
run is stopped before each of its writes in turn, then run again: the tree ends
as one uninterrupted run leaves it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from recctl.ogx.hashing import request_hash

from builders import tool_call_chain
from conftest import SEED, load, run, write_recording

MUTATIONS = ("link", "unlink", "replace", "rename")


class Killed(BaseException):
    """Stands for SIGKILL: nothing after it runs, no handler swallows it."""


def _kill_before(monkeypatch: pytest.MonkeyPatch, allowed: int) -> Callable[[], int]:
    """Let ``allowed`` file-system writes through, then fail every one (the process died)."""
    count = 0

    def wrap(original: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            nonlocal count
            count += 1
            if count > allowed:
                raise Killed
            return original(*args, **kwargs)

        return guarded

    for name in MUTATIONS:
        monkeypatch.setattr(os, name, wrap(getattr(os, name)))
    return lambda: count


def _recordings(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in directory.glob("*.json")}


def _run_killed(args: list[str], monkeypatch: pytest.MonkeyPatch, allowed: int) -> int:
    with monkeypatch.context() as patch:
        writes = _kill_before(patch, allowed)
        with contextlib.suppress(Killed):  # a BaseException: CliRunner lets it through
            run(*args)
        return writes()


@pytest.mark.parametrize(
    ("make", "command"),
    [
        (tool_call_chain, ["normalize", "--tool-call-ids"]),
        (lambda d: _misnamed(d), ["hash", "--fix"]),
        (lambda d: _leaky(d), ["scrub"]),
    ],
    ids=["normalize --tool-call-ids", "hash --fix", "scrub (renames)"],
)
def test_a_run_killed_before_any_write_is_finished_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, make: Callable[[Path], Any], command: list[str]
) -> None:
    expected_dir = tmp_path / "expected/recordings"
    expected_dir.mkdir(parents=True)
    make(expected_dir)
    assert run(*command, str(expected_dir)).exit_code == 0
    expected = _recordings(expected_dir)
    probe = tmp_path / "probe/recordings"
    probe.mkdir(parents=True)
    make(probe)
    total = _run_killed([*command, str(probe)], monkeypatch, 10**6)
    assert _recordings(probe) == expected
    assert total >= 4  # every write of the run is a point it is killed before
    for allowed in range(total):
        directory = tmp_path / f"killed-{allowed}/recordings"
        directory.mkdir(parents=True)
        make(directory)
        _run_killed([*command, str(directory)], monkeypatch, allowed)
        for leftover in directory.glob(".recctl-*.tmp"):
            leftover.unlink()  # what a later run removes once the killed process is gone
        result = run(*command, str(directory))
        assert result.exit_code == 0, (allowed, result.output)
        assert _recordings(directory) == expected, allowed
        shutil.rmtree(directory)


def _misnamed(directory: Path) -> list[Path]:
    """Two recordings stored under names that are not their request's hash."""
    paths = []
    for number in range(2):
        recording = load(SEED)
        recording["request"]["body"]["messages"][0]["content"] = f"question {number}"
        digest = request_hash(recording)
        assert digest is not None
        paths.append(write_recording(directory / f"{'0' * 63}{number}.json", recording))
    return paths


def _leaky(directory: Path) -> list[Path]:
    """Two recordings under their request's hash, a key in each request: scrubbing
    changes the hash, so both move."""
    paths = []
    for number in range(2):
        recording = load(SEED)
        key = f"sk-proj-{number}Ab3dEf9hIj2lMn0pQr7tUv1xYz5Ab3dEf9hIj2lMn0"
        recording["request"]["body"]["messages"][0]["content"] = f"key {key}"
        digest = request_hash(recording)
        assert digest is not None
        paths.append(write_recording(directory / f"{digest}.json", recording))
    return paths


def test_hash_fix_finishes_a_link_left_by_a_killed_run(tmp_path: Path) -> None:
    directory = tmp_path / "recordings"
    directory.mkdir()
    [old, _] = _misnamed(directory)
    plan = run("hash", "--fix", "--dry-run", str(directory))
    digest = request_hash(load(old))
    os.link(old, directory / f"{digest}.json")  # killed after the link, before the unlink
    result = run("hash", "--fix", str(directory))
    assert result.exit_code == 0, (plan.output, result.output)
    assert not old.exists() and (directory / f"{digest}.json").exists()


@pytest.mark.parametrize("linked", ["directory", "file"])
def test_normalize_never_writes_through_a_symbolic_link(tmp_path: Path, linked: str) -> None:
    outside = tmp_path / "outside"
    recording = load(SEED)
    recording["response"]["body"][1]["__data__"]["created"] = 12345  # normalize changes it
    target = write_recording(outside / "r.json", recording)
    before = target.read_bytes()
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    recordings = repo / "tests/integration/x/recordings"
    if linked == "directory":
        recordings.parent.mkdir(parents=True)
        recordings.symlink_to(outside, target_is_directory=True)
        path = recordings / "r.json"
    else:
        recordings.mkdir(parents=True)
        path = recordings / "r.json"
        path.symlink_to(target)
    result = run("normalize", str(path))
    assert result.exit_code == 1, result.output
    assert "not rewritten" in result.output
    assert target.read_bytes() == before
    if linked == "file":
        assert path.is_symlink()
