"""The parallel path is the tested path: worker processes give what one process gives.

``parallel.THRESHOLD`` is lowered so that the fixtures (a few hundred files at
most) go through the process pool, then every command that fans out over files
is run with ``-j 1`` and ``-j 2`` and the outputs compared byte for byte.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recctl import diff_trees as compare
from recctl import parallel, prune, validate
from recctl import per_file as jobs
from recctl.diff import MISSING
from recctl.diff_files import Ignores
from recctl.findings import CHECKS
from recctl.ogx import normalize_files, rename
from recctl.ogx.schema import SchemaValidator, shipped_schema_bytes

from builders import diff_recordings
from conftest import CORPUS, CORPUS_FILES, load, run, write_recording


@pytest.fixture(autouse=True)
def pool_for_small_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "THRESHOLD", 2)
    monkeypatch.setattr(parallel, "_CHUNK", 37)  # a walk's files go in several chunks


def _pid(_: str) -> int:
    return os.getpid()


def test_the_lowered_threshold_really_uses_worker_processes() -> None:
    files = [str(path) for path in CORPUS_FILES[:40]]
    pids = set(parallel.ordered_map(_pid, files, jobs=2))
    assert os.getpid() not in pids
    assert set(parallel.ordered_map(_pid, files, jobs=1)) == {os.getpid()}


def _fail_on_seven(item: int) -> int:
    if item == 7:
        raise ValueError("seven")
    return item


def _die_on_seven(item: int) -> int:
    if item == 7:
        os.kill(os.getpid(), signal.SIGKILL)
    return item


def _children() -> set[int]:
    """The pids of this process's children, live or not yet reaped."""
    pid = os.getpid()
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def test_results_come_in_order_from_many_batches() -> None:
    items = list(range(5000))
    assert list(parallel.ordered_map(abs, items, jobs=3)) == items
    assert list(parallel.ordered_map(str, items[:7], jobs=4)) == [str(i) for i in items[:7]]


def test_an_iterable_is_taken_a_chunk_at_a_time_in_order() -> None:
    taken = 0

    def walk() -> Iterator[int]:
        nonlocal taken
        for item in range(1000):
            taken += 1
            yield item

    results = parallel.ordered_map(abs, walk(), jobs=2)
    assert [next(results) for _ in range(5)] == list(range(5))
    assert taken == parallel._CHUNK  # one chunk read so far, not the whole walk
    assert [*range(5), *results] == list(range(1000))


def test_a_worker_exception_is_raised_here_and_no_worker_is_left() -> None:
    before = _children()
    with pytest.raises(ValueError, match="seven"):
        list(parallel.ordered_map(_fail_on_seven, list(range(100)), jobs=2))
    assert _children() == before


def test_a_killed_worker_is_an_error_not_missing_results() -> None:
    before = _children()
    with pytest.raises(parallel.WorkerDied, match="signal 9"):
        list(parallel.ordered_map(_die_on_seven, list(range(100)), jobs=2))
    assert _children() == before


def test_stopping_early_ends_the_workers() -> None:
    before = _children()
    results = parallel.ordered_map(abs, list(range(100_000)), jobs=2)
    assert next(results) == 0
    assert _children() - before  # workers are running, blocked on full pipes
    results.close()
    assert _children() == before


@pytest.mark.skipif(sys.platform != "linux", reason="elsewhere spawning is the only path")
def test_the_spawned_path_gives_what_the_forked_one_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # macOS and Windows spawn workers through concurrent.futures: run that path here too.
    files = [str(path) for path in CORPUS_FILES[:30]]
    validator = SchemaValidator(shipped_schema_bytes())
    enabled = frozenset(CHECKS)
    forked = validate.validate_paths(files, validator, enabled, jobs=2)
    monkeypatch.setattr(parallel, "_FORK", False)
    spawned = validate.validate_paths(files, validator, enabled, jobs=2)
    assert spawned == forked
    assert list(parallel.ordered_map(_pid, files, jobs=2)) != [os.getpid()] * len(files)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the real corpus in a work tree, with damaged files among them."""
    root = tmp_path / "repo"
    shutil.copytree(CORPUS, root)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (root / ".git").mkdir()
    broken = root / "current/tests/integration/inference/recordings"
    (broken / "truncated.json").write_text('{"test_id": "tests/x.py::t", "request": ')
    (broken / "not-utf8.json").write_bytes(b'{"test_id": "\xff"}')
    (broken / "empty.json").write_bytes(b"")
    return root


def _same_on_one_and_two(*args: str) -> str:
    serial, pooled = run(*args, "-j", "1"), run(*args, "-j", "2")
    assert (pooled.exit_code, pooled.stdout, pooled.stderr) == (
        serial.exit_code,
        serial.stdout,
        serial.stderr,
    ), args
    assert "internal error" not in serial.output
    return serial.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "-o", "json"],
        ["validate"],
        ["reassemble", "-o", "json"],
        ["reassemble"],
        ["stats", "-o", "json"],
        ["hash", "-o", "json"],
        ["hash", "-v"],
        ["normalize", "--check", "--extra", "-o", "json"],
        ["normalize", "--diff", "--extra"],
        ["normalize", "--check", "--tool-call-ids", "-o", "json"],
    ],
    ids=" ".join,
)
def test_read_only_commands(repo: Path, args: list[str]) -> None:
    output = _same_on_one_and_two(*args[:1], str(repo), *args[1:])
    assert output


def test_prune(repo: Path) -> None:
    # Test ids are relative to current/; no test module is there, so most are stale.
    root = str(repo / "current")
    heads = sum(1 for _ in Path(root).rglob("*.json"))
    assert heads * prune.HEAD_COST >= parallel.THRESHOLD  # heads too go to the workers
    document = json.loads(_same_on_one_and_two("prune", "--root", root, "-o", "json"))
    assert len(document["stale"]) > 50 and document["shared"] > 5
    assert len(document["unreadable"]) == 2  # only the head is read: the truncated one is judged


def test_writing_commands_leave_the_same_bytes(tmp_path: Path, repo: Path) -> None:
    copies = {jobs: tmp_path / f"j{jobs}" for jobs in ("1", "2")}
    for copy in copies.values():
        shutil.copytree(repo, copy)
    for command in (
        ["normalize", "--extra", "-o", "json"],
        ["normalize", "--tool-call-ids", "-o", "json"],
        ["hash", "--fix", "--delete-duplicates", "-o", "json"],
    ):
        outputs = {
            jobs: run(command[0], str(copy), *command[1:], "-j", jobs)
            for jobs, copy in copies.items()
        }
        one, two = (outputs[j].stdout.replace(str(copies[j]), "ROOT") for j in ("1", "2"))
        assert one == two, command
        assert outputs["1"].exit_code == outputs["2"].exit_code
    trees = [
        {str(p.relative_to(copy)): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
        for copy in copies.values()
    ]
    assert trees[0] == trees[1]
    assert trees[0] != {str(p.relative_to(repo)): p.read_bytes() for p in repo.rglob("*.json")}


def test_directory_diff(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(CORPUS / "current", old)
    shutil.copytree(CORPUS / "current", new)
    for number, path in enumerate(sorted(new.rglob("*.json"))[::7]):
        recording = load(path)
        body = recording["response"]["body"]
        if isinstance(body, list) and body and isinstance(body[0], dict):
            body[0].pop("__data__", None)  # a key gone: a structural change with MISSING
        else:
            recording["response"]["extra"] = number  # a key added
        write_recording(path, recording)
    (new / "tests/integration/inference/recordings/broken.json").write_text("{")
    output = _same_on_one_and_two("diff", str(old), str(new), "-o", "json")
    document = json.loads(output)
    assert len(document["changed"]) > 5
    _same_on_one_and_two("diff", str(old), str(new), "--details")


# --- what crosses a process boundary ---------------------------------------------


def _round_trip(value: Any) -> Any:
    copy = pickle.loads(pickle.dumps(value))
    assert copy == value
    return copy


def test_missing_is_one_object_in_every_process() -> None:
    assert pickle.loads(pickle.dumps(MISSING)) is MISSING
    diff = diff_recordings({"a": 1}, {"b": 2})
    [*changes] = _round_trip(diff).structural
    assert {(c.old is MISSING, c.new is MISSING) for c in changes} == {(True, False), (False, True)}


def test_every_worker_result_pickles(repo: Path, tmp_path: Path) -> None:
    files = sorted(str(p) for p in repo.rglob("*.json"))
    validator = SchemaValidator(shipped_schema_bytes())
    changed = tmp_path / "changed"
    shutil.copytree(repo, changed)
    for other in changed.rglob("*.json"):
        other.write_bytes(other.read_bytes().replace(b"rec-", b"rec-0"))
    compare._init(compare.Options(str(repo), str(changed), Ignores(defaults=False), False))
    for path in files:
        _round_trip(validate.validate_file(path, validator, frozenset(CHECKS)))
        _round_trip(jobs.reassemble_json(path))
        _round_trip(jobs.reassemble_plain(path))
        _round_trip(jobs.stats_row(path))
        _round_trip(normalize_files.normalize_file(path, frozenset({"id", "obfuscation"})))
        _round_trip(rename.judge_file(path, (str(repo),)))
        _round_trip(prune.read_facts(path))
        same = os.path.relpath(path, repo)
        _round_trip(compare._compare(f"{same}\0{same}"))
    test_module = tmp_path / "test_a.py"
    test_module.write_text("class TestA:\n    def test_m(self):\n        pass\n")
    _round_trip(prune.index_test_file(str(test_module)))
