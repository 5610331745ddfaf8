from __future__ import annotations

import json
import math
import os
import random
import struct
from pathlib import Path
from typing import Any

import orjson
import pytest

from recctl import containers, io

from conftest import EVERY_FILE


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty file"),
        (b"  \n\t", "empty file"),
        (b'{"request": {', "truncated JSON: unexpected end of data at line 1 column 14"),
        (b"\xff\xfe{}", "not UTF-8 text at line 1 column 1"),
        (b'{"a": 1} trailing', "not valid JSON: unexpected content after document"),
        (b"[" * 5000 + b"]" * 5000, "not valid JSON: nested more than 1024 levels deep"),
        (b"{'single': 'quotes'}", "not valid JSON"),
    ],
)
def test_parse_errors_are_one_line_reasons(content: bytes, reason: str) -> None:
    with pytest.raises(io.LoadError) as error:
        io.parse(content)
    assert str(error.value).startswith(reason)
    assert "\n" not in str(error.value)


def test_read_errors(tmp_path: Path) -> None:
    with pytest.raises(io.LoadError, match="no such file"):
        io.read_bytes(tmp_path / "missing.json")
    with pytest.raises(io.LoadError, match="is a directory"):
        io.read_bytes(tmp_path)
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(io.LoadError, match=r"file too large \(0.0 MiB; the limit is 0 MiB\)"):
        io.read_bytes(big, max_bytes=1024)


def test_read_bytes_reads_whole_files_of_every_size(tmp_path: Path) -> None:
    for size in (0, 1, 4095, 4096, 65537, 3 * 2**20 + 7):
        path = tmp_path / f"{size}.json"
        path.write_bytes(bytes(range(256)) * (size // 256) + b"x" * (size % 256))
        assert io.read_bytes(path) == path.read_bytes()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_read_bytes_refuses_a_fifo_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    with pytest.raises(io.LoadError, match=r"not a regular file \(a FIFO\)"):
        io.read_bytes(fifo)
    with pytest.raises(io.LoadError, match=r"not a regular file \(a FIFO\)"):
        io.read_bytes(fifo, 64, head=True)
    read_end, write_end = os.pipe()  # an open pipe too: never read
    os.write(write_end, b"{}")
    try:
        with pytest.raises(io.LoadError, match="FIFO"):
            io.read_bytes(f"/dev/fd/{read_end}")
    finally:
        os.close(read_end)
        os.close(write_end)


def test_read_bytes_head_reads_only_the_head(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b"x" * 10_000)
    assert io.read_bytes(path, 100, head=True) == b"x" * 100


def test_a_directory_that_cannot_be_listed_is_yielded_and_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "a.json").write_text("{}")
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(path: Any = ".") -> Any:
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    def refuse_listing(path: Any = ".") -> Any:
        if os.fspath(path) == str(locked):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_listdir(path)

    monkeypatch.setattr(os, "scandir", refuse)
    monkeypatch.setattr(os, "listdir", refuse_listing)
    found = list(containers.discover([tmp_path], [containers.DEFAULT]))
    assert str(locked) in found
    with pytest.raises(io.LoadError, match="a directory recctl cannot list: Permission denied"):
        io.read_bytes(str(locked))


def test_discover_walks_directories_sorted_and_keeps_files_as_given(tmp_path: Path) -> None:
    for name in [
        "recordings/b/2.json",
        "recordings/b/1.json",
        "recordings/a.json",
        "recordings/notes.txt",
        "recordings/c/deep/x.json",
        "package.json",  # not under recordings/: not a recording
        "schemas/tool.json",
        "cassettes/x.yaml",
        "cassettes/fixture.json",  # a JavaScript response fixture
        "ci.yaml",
    ]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    (tmp_path / "recordings/odd.json").mkdir()  # a directory named like a recording
    given = tmp_path / "recordings/notes.txt"
    paths = [tmp_path, given, tmp_path / "recordings/a.json"]
    found = list(containers.discover(paths, [containers.DEFAULT]))
    relative = [str(Path(f).relative_to(tmp_path)) for f in found]
    assert relative == [
        "recordings/a.json",
        "recordings/odd.json",
        "recordings/b/1.json",
        "recordings/b/2.json",
        "recordings/c/deep/x.json",
        "recordings/notes.txt",
    ]
    with_cassettes = [str(Path(f).relative_to(tmp_path)) for f in containers.discover([tmp_path])]
    assert "cassettes/x.yaml" in with_cassettes and "cassettes/fixture.json" not in with_cassettes


def test_discover_does_not_follow_directory_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.json").write_text("{}")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link").symlink_to(outside, target_is_directory=True)
    assert list(containers.discover([tree], [containers.DEFAULT])) == []


def test_discover_yields_missing_paths_for_the_caller_to_report(tmp_path: Path) -> None:
    found = containers.discover([tmp_path / "nope.json"], [containers.DEFAULT])
    assert list(found) == [str(tmp_path / "nope.json")]


# --- the recorder's bytes: orjson where it cannot differ, the standard library elsewhere


def _recorder(value: Any) -> bytes:
    return (json.dumps(value, indent=2) + "\n").encode("ascii")


def test_recorder_bytes_on_every_file_and_mostly_from_orjson() -> None:
    fast = 0
    for path in EVERY_FILE:
        raw = path.read_bytes()
        value = json.loads(raw)
        assert io.dumps_like_recorder(value) == _recorder(value), path
        fast += orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE) == raw
    assert fast > len(EVERY_FILE) // 2  # the fast path is the common one


_TRICKY_STRINGS = [
    "", "plain", "e-mail", "1e-7", "0.00001", "é", "\u2028", "\U0001f600", "\x7f", "\x00\x1f",
    'say "hi"', "back\\slash", "a/b", "\ud800", "tab\there", "new\nline",
]  # fmt: skip


def _random_value(rnd: random.Random, depth: int = 0) -> Any:
    kind = rnd.randrange(9 if depth < 4 else 6)
    if kind == 0:
        return rnd.choice(_TRICKY_STRINGS) + rnd.choice(_TRICKY_STRINGS)
    if kind == 1:  # any finite double, every magnitude
        bits = rnd.getrandbits(64)
        number = struct.unpack("<d", struct.pack("<Q", bits))[0]
        return number if math.isfinite(number) else 0.5
    if kind == 2:  # everyday floats, small ones (where spellings differ) among them
        return round(rnd.uniform(-2, 2), rnd.randrange(12)) * 10.0 ** rnd.randrange(-12, 20)
    if kind == 3:
        return rnd.choice([0, -1, 2**63 - 1, -(2**63), 2**64, -(2**70), rnd.getrandbits(40)])
    if kind == 4:
        return rnd.choice([True, False, None])
    if kind == 5:
        return rnd.choice([{}, [], ""])
    if kind in (6, 7):
        return {
            rnd.choice(_TRICKY_STRINGS) + str(n): _random_value(rnd, depth + 1)
            for n in range(rnd.randrange(5))
        }
    return [_random_value(rnd, depth + 1) for _ in range(rnd.randrange(5))]


@pytest.mark.parametrize("seed", range(4))
def test_recorder_bytes_equal_the_standard_library_on_random_values(seed: int) -> None:
    rnd = random.Random(seed)
    for _ in range(2000):
        value = _random_value(rnd)
        assert io.dumps_like_recorder(value) == _recorder(value), repr(value)


def test_recorder_bytes_past_orjson_limits() -> None:
    deep: Any = "bottom"
    for _ in range(300):  # orjson refuses more than 255 levels
        deep = [deep]
    for value in (deep, {"n": 2**64}, {"s": "\ud83d"}, {"f": 1e-05}, {"d": "\x7f"}):
        assert io.dumps_like_recorder(value) == _recorder(value)
