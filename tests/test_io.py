from __future__ import annotations

from pathlib import Path

import pytest

from recctl import io


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


def test_discover_walks_directories_sorted_and_keeps_files_as_given(tmp_path: Path) -> None:
    for name in ["b/2.json", "b/1.json", "a.json", "notes.txt", "c/deep/x.json"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    (tmp_path / "odd.json").mkdir()  # a directory named like a recording
    given = tmp_path / "notes.txt"
    found = list(io.discover([tmp_path, given, tmp_path / "a.json"]))
    relative = [str(Path(f).relative_to(tmp_path)) for f in found]
    assert relative == ["a.json", "odd.json", "b/1.json", "b/2.json", "c/deep/x.json", "notes.txt"]


def test_discover_does_not_follow_directory_symlinks(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.json").write_text("{}")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "link").symlink_to(outside, target_is_directory=True)
    assert list(io.discover([tree])) == []


def test_discover_yields_missing_paths_for_the_caller_to_report(tmp_path: Path) -> None:
    assert list(io.discover([tmp_path / "nope.json"])) == [str(tmp_path / "nope.json")]
