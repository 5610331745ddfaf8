"""No command ends in an internal error, whatever the files hold.

Every command runs over a small tree of real recordings into which broken files
are mixed: the bad inputs of every kind (not JSON, truncated, wrong types, empty,
a directory named like a recording, huge, nested too deep, not UTF-8) and real
files damaged at random bytes (a seeded generator: failures reproduce). An
``internal error`` line is a bug by definition.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CORPUS, SEED, load, run

pytestmark = pytest.mark.slow  # real processes or fuzzing: seconds each

SUITE = "tests/integration/x"
SOURCES = [
    SEED,
    *sorted((CORPUS / "current/tests/integration/messages/recordings").glob("*.json"))[:2],
    *sorted((CORPUS / "current/tests/integration/interactions/recordings").glob("*.json"))[:2],
    *sorted((CORPUS / "current/tests/integration/inference/recordings").glob("*.json"))[:3],
    *sorted((CORPUS / "2025-10/tests/integration/recordings/responses").glob("*.json"))[:2],
]

BAD_INPUTS: dict[str, Callable[[Path], object]] = {
    "not-json.json": lambda p: p.write_text("this is not JSON"),
    "truncated.json": lambda p: p.write_bytes(SEED.read_bytes()[:700]),
    "wrong-types.json": lambda p: p.write_text(
        json.dumps({"test_id": 5, "request": [], "response": {"body": {"__type__": 1}}})
    ),
    "list.json": lambda p: p.write_text("[1, 2, 3]"),
    "empty.json": lambda p: p.write_bytes(b""),
    "directory.json": lambda p: p.mkdir(),
    "huge.json": lambda p: p.open("wb").truncate(101 * 2**20),  # sparse: no disk used
    "deep.json": lambda p: p.write_text("[" * 5000 + "]" * 5000),
    "not-utf8.json": lambda p: p.write_bytes(b'{"test_id": "\xff\xfe", "request": {}}'),
    "nul.json": lambda p: p.write_bytes(b"\x00" * 64),
    "fifo.json": lambda p: os.mkfifo(p),
    "deep-1024.json": lambda p: p.write_text("[" * 1024 + "]" * 1024),  # orjson's limit
    "deep-in-request.json": lambda p: p.write_text(_deep_request(1015)),
    "name-not-utf8.json": lambda p: p.with_name(os.fsdecode(b"name-\x9b\xff.json")).write_text(
        _deep_request(3)
    ),
}


def _deep_request(depth: int) -> str:
    recording = load(SEED)
    nested: object = "x"
    for _ in range(depth):
        nested = {"a": nested}
    recording["request"]["body"]["metadata"] = nested
    return json.dumps(recording)


def _damaged(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 6)):
        position = rng.randrange(len(data))
        if rng.random() < 0.5:
            data[position] = rng.randrange(256)
        else:
            del data[position : position + rng.randint(1, 40)]
    return bytes(data)


def _tree(root: Path, seed: int) -> Path:
    """A repository holding real recordings, the bad inputs and randomly damaged copies."""
    rng = random.Random(seed)
    recordings = root / SUITE / "recordings"
    recordings.mkdir(parents=True)
    (root / SUITE / "test_x.py").write_text("def test_x():\n    pass\n")
    (root / ".git").mkdir()
    for source in SOURCES:
        shutil.copy(source, recordings / source.name)
    for name, make in BAD_INPUTS.items():
        make(recordings / name)
    for number in range(6):
        source = rng.choice(SOURCES)
        (recordings / f"damaged-{number}.json").write_bytes(_damaged(source.read_bytes(), rng))
    return recordings


def _check(*args: str) -> None:
    result = run(*args)
    assert "internal error" not in result.output, (args, result.output)
    assert "Traceback" not in result.output, (args, result.output)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)


@pytest.mark.parametrize("seed", range(8))
def test_every_command_survives_broken_files(tmp_path: Path, seed: int) -> None:
    recordings = _tree(tmp_path / "repo", seed)
    files = sorted(str(p) for p in recordings.iterdir())
    good = str(recordings / SEED.name)
    for output in ("text", "json", "github"):
        _check("validate", str(recordings), "-o", output)
        _check("hash", "-v", str(recordings), "-o", output)
        _check("prune", "--root", str(tmp_path / "repo"), "-o", output)
    for output in ("text", "json"):
        _check("validate", str(recordings), "-o", output)
        _check("reassemble", str(recordings), "-o", output)
        _check("stats", str(recordings), "-o", output)
        _check("hash", "-v", str(recordings), "-o", output)
        _check("normalize", "--check", "--extra", str(recordings), "-o", output)
        _check("normalize", "--diff", "--tool-call-ids", str(recordings), "-o", output)
        _check("prune", "--root", str(tmp_path / "repo"), "-o", output)
        for path in files:
            _check("show", path, "-o", output)
            _check("diff", good, path, "-o", output)
            _check("diff", good, path, "-o", "markdown")
            _check("diff", path, good, "-o", output)
            _check("explain", path, "--recordings", str(recordings), "-o", output)
    for path in files:
        _check("show", "--textconv", path)
        _check("show", "--full", path)
    # the tree against a copy of itself with other damage, both ways
    other = _tree(tmp_path / "other", seed + 100)
    _check("diff", str(recordings), str(other), "--details")
    _check("diff", str(other), str(recordings), "-o", "json")
    # and the commands that write, on the broken tree itself
    _check("normalize", "--extra", str(recordings))
    _check("normalize", "--tool-call-ids", str(recordings))
    _check("hash", "--fix", "--delete-duplicates", str(recordings))
    _check("prune", "--root", str(tmp_path / "repo"), "--delete")
    for written in recordings.iterdir():  # writes were byte-exact: what parsed still parses
        if written.is_file() and written.name in {s.name for s in SOURCES}:
            load(written)


def test_textconv_of_a_huge_file_is_one_line_not_its_content(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    BAD_INPUTS["huge.json"](huge)
    result = run("show", "--textconv", str(huge))
    assert result.exit_code == 0
    assert result.output == (
        "(recctl cannot show this file: file too large (101.0 MiB; the limit is 100 MiB))\n"
    )


CASSETTES = sorted((CORPUS.parent / "cassettes").rglob("*.yaml*"))


@pytest.mark.parametrize("seed", range(8))
def test_damaged_cassettes_never_crash(tmp_path: Path, seed: int) -> None:
    rng = random.Random(f"cassette {seed}")
    directory = tmp_path / "tests/cassettes"
    directory.mkdir(parents=True)
    for number in range(6):
        source = rng.choice(CASSETTES)
        raw = source.read_bytes()
        if source.name.endswith(".gz") and rng.random() < 0.5:
            raw = gzip.compress(_damaged(gzip.decompress(raw), rng))
        else:
            raw = _damaged(raw, rng)
        (directory / f"damaged-{number}{''.join(source.suffixes[-2:])}").write_bytes(raw)
    for output in ("text", "json"):
        _check("reassemble", str(tmp_path), "-o", output)
        _check("show", str(tmp_path), "-o", output)
        for path in sorted(directory.iterdir()):
            _check("reassemble", str(path), "-o", output)
            _check("show", str(path), "-o", output)
            _check("show", "--textconv", str(path))
