"""A kill loses nothing; reading changes nothing.

The writing commands run as real processes (with worker processes: the copies
hold more files than ``parallel.THRESHOLD``) and get SIGKILL at random moments
across their run, as from a CI timeout or the OOM killer. After each kill every
file parses and holds bytes it held before or bytes the uninterrupted run
writes, no recctl process is left, and a re-run ends byte-identical to the
uninterrupted run with no temporary file behind.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from recctl import parallel

from conftest import CORPUS, SEED, run

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL and /proc: Linux"),
]

TRIALS = 12
COMMANDS = {
    "normalize": ["normalize", "--extra"],
    "hash --fix": ["hash", "--fix", "--delete-duplicates"],
}

Tree = dict[str, bytes]


def _snapshot(root: Path) -> Tree:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two copies of the fixture corpus in one work tree: enough files for workers."""
    root = tmp_path_factory.mktemp("base")
    for copy in ("a", "b"):
        shutil.copytree(CORPUS, root / copy)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (root / ".git").mkdir()
    assert sum(1 for _ in root.rglob("*.json")) >= parallel.THRESHOLD
    return root


def _command(args: list[str], root: Path) -> list[str]:
    return [sys.executable, "-m", "recctl", *args, str(root), "-j", "2", "-o", "json"]


def _session_members(session: int) -> list[int]:
    """Processes whose session id is ``session`` (our child made a new session)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == session and fields[0] != "Z":
            members.append(int(entry))
    return members


def _no_process_left(session: int) -> None:
    deadline = time.monotonic() + 5
    while _session_members(session) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert _session_members(session) == []


@pytest.mark.parametrize("name", list(COMMANDS))
def test_sigkill_at_random_moments_loses_nothing(base: Path, tmp_path: Path, name: str) -> None:
    args = COMMANDS[name]
    original = _snapshot(base)
    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    started = time.monotonic()
    subprocess.run(_command(args, reference), check=False, capture_output=True)
    duration = time.monotonic() - started
    expected = _snapshot(reference)
    assert expected != original  # the command has work to do
    known = set(original.values()) | set(expected.values())

    rng = random.Random(f"kill {name}")
    killed_while_running = 0
    for trial in range(TRIALS):
        copy = tmp_path / f"trial{trial}"
        shutil.copytree(base, copy)
        process = subprocess.Popen(
            _command(args, copy),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.0, 0.8 * duration))  # the reference ran on a cold cache
        killed_while_running += process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait()
        _no_process_left(process.pid)

        after = _snapshot(copy)
        for relative, content in after.items():
            if relative.endswith(".tmp"):
                continue  # a write cut short; the re-run removes it
            assert content in known, (trial, relative)
            orjson.loads(content)
        for relative, content in original.items():  # no content is lost
            if relative in after:
                assert after[relative] in (content, expected.get(relative)), (trial, relative)
            else:  # gone only where the uninterrupted run removes it too, its content kept
                assert relative not in expected, (trial, relative)
                kept = content in expected.values()
                assert not kept or content in after.values(), (trial, relative)

        rerun = subprocess.run(_command(args, copy), check=False, capture_output=True)
        assert rerun.returncode in (0, 1), rerun.stderr
        assert _snapshot(copy) == expected, trial
        assert not list(copy.rglob("*.tmp"))
        shutil.rmtree(copy)
    assert killed_while_running >= TRIALS // 3  # the kills did land during runs


def _validate_with_workers(base: Path, tmp_path: Path) -> subprocess.Popen[bytes]:
    """A validate run in its own session, returned once its two workers exist."""
    copy = tmp_path / "copy"
    shutil.copytree(base, copy)
    process = subprocess.Popen(
        _command(["validate"], copy),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 10
    while len(_session_members(process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    return process


def test_workers_end_with_a_killed_parent(base: Path, tmp_path: Path) -> None:
    """The parent blocks on its workers' results: a kill now leaves them orphaned."""
    process = _validate_with_workers(base, tmp_path)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.communicate()
    _no_process_left(process.pid)


def test_ctrl_c_ends_the_run_and_its_workers(base: Path, tmp_path: Path) -> None:
    """SIGINT, as Ctrl-C sends it: exit 130, no traceback, no worker left."""
    process = _validate_with_workers(base, tmp_path)
    if process.poll() is not None:
        pytest.skip("the run ended before its workers could be interrupted")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130
    assert b"Traceback" not in stderr
    _no_process_left(process.pid)


def _with_mtimes(root: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every file's bytes and mtime, and every directory's mtime (it changes with entries)."""
    return {
        str(p): (p.read_bytes() if p.is_file() else None, p.stat().st_mtime_ns)
        for p in sorted([root, *root.rglob("*")])
    }


def test_read_only_commands_change_no_byte_and_no_mtime(base: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(base, copy)
    before = _with_mtimes(copy)
    seed = str(copy / "a" / SEED.name)
    body = tmp_path / "body.json"
    body.write_bytes(orjson.dumps(orjson.loads(SEED.read_bytes())["request"]["body"]))
    for args in (
        ["validate", str(copy)],
        ["show", seed],
        ["show", "--textconv", seed],
        ["reassemble", str(copy), "-o", "json"],
        ["stats", str(copy)],
        ["hash", "-v", str(copy)],
        ["normalize", "--check", "--extra", "--tool-call-ids", str(copy)],
        ["normalize", "--diff", "--extra", str(copy)],
        ["prune", "--root", str(copy / "a/current")],
        ["diff", str(copy / "a"), str(copy / "b"), "--details"],
        ["explain", str(body), "--url", "http://x/v1/chat/completions", "--recordings", str(copy)],
    ):
        result = run(*args)
        assert result.exit_code in (0, 1), (args, result.output)
    assert _with_mtimes(copy) == before


def test_prune_collect_killed_leaves_no_pytest_running(tmp_path: Path) -> None:
    """pytest --collect-only ends with recctl, however recctl ends (SIGKILL here)."""
    (tmp_path / ".git").mkdir()
    tests = tmp_path / "tests"
    tests.mkdir()
    started = tmp_path / "collecting"
    (tests / "test_slow.py").write_text(
        f"import pathlib, time\npathlib.Path({str(started)!r}).touch()\ntime.sleep(60)\n"
        "def test_x():\n    pass\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "recctl", "prune", "--root", str(tmp_path), "--collect", "tests"],
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert started.exists(), "pytest never started collecting"
    assert len(_session_members(process.pid)) >= 2  # recctl and its pytest
    process.kill()
    process.wait()
    _no_process_left(process.pid)
