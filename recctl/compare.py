"""``recctl diff`` over two directories: pair recordings, then diff each pair.

Pairs are made by path relative to each directory. Files whose bytes are equal
are unchanged without being parsed, so a re-record that touched a few files
costs little more than reading both trees. A recording only in the old tree and
one only in the new tree are paired too when they belong to the same test and
endpoint and sit at the same position in the conversation (the same number of
request messages), and that pairing is unique: a re-record whose request changed
gets a new name (the request hash), and this shows it as changed, not as one
recording removed and another added.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from recctl import io
from recctl.diff import DEFAULT_IGNORES, RecordingDiff, diff_recordings
from recctl.parallel import ordered_map
from recctl.shapes import classify
from recctl.values import as_dict, as_list, as_str


@dataclass(frozen=True)
class Pair:
    old: str  # path relative to the old directory
    new: str
    verdict: str
    test_id: str | None
    diff: RecordingDiff | None  # None when the bytes are equal


@dataclass
class TreeDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[Pair] = field(default_factory=list)
    renamed: list[Pair] = field(default_factory=list)  # paired by test, endpoint, position
    unchanged: int = 0
    volatile_only: int = 0
    unreadable: list[tuple[str, str]] = field(default_factory=list)

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.renamed)


def relative_files(directory: str) -> dict[str, str]:
    """``{relative path: path}`` of every recording below ``directory``."""
    return {os.path.relpath(path, directory): path for path in io.discover([directory])}


_options: tuple[str, str, tuple[str, ...], bool] = ("", "", DEFAULT_IGNORES, False)


def _init(old_dir: str, new_dir: str, ignore: tuple[str, ...], chunks: bool) -> None:
    global _options
    _options = (old_dir, new_dir, ignore, chunks)


def _compare(pair: str) -> Pair | tuple[str, str]:
    """Diff ``old_rel\\0new_rel``; (path, reason) when a file cannot be read."""
    old_dir, new_dir, ignore, chunks = _options
    old_rel, _, new_rel = pair.partition("\0")
    old_path, new_path = os.path.join(old_dir, old_rel), os.path.join(new_dir, new_rel)
    loaded = []
    for path in (old_path, new_path):
        try:
            loaded.append(io.read_bytes(path))
        except io.LoadError as error:
            return (path, str(error))
    old_raw, new_raw = loaded
    if old_raw == new_raw:
        return Pair(old_rel, new_rel, "identical", None, None)
    parsed = []
    for path, raw in ((old_path, old_raw), (new_path, new_raw)):
        try:
            parsed.append(io.parse(raw))
        except io.LoadError as error:
            return (path, str(error))
    old, new = parsed
    diff = diff_recordings(old, new, ignore, chunks)
    test_id = as_str(as_dict(new).get("test_id")) or as_str(as_dict(old).get("test_id"))
    return Pair(old_rel, new_rel, diff.verdict, test_id, diff)


def diff_trees(
    old_dir: str,
    new_dir: str,
    ignore: Iterable[str] = DEFAULT_IGNORES,
    chunks: bool = False,
    jobs: int | None = None,
) -> TreeDiff:
    old_files, new_files = relative_files(old_dir), relative_files(new_dir)
    result = TreeDiff()
    removed = sorted(set(old_files) - set(new_files))
    added = sorted(set(new_files) - set(old_files))
    renames = pair_by_test(
        {rel: old_files[rel] for rel in removed}, {rel: new_files[rel] for rel in added}, result
    )
    common = [f"{rel}\0{rel}" for rel in sorted(set(old_files) & set(new_files))]
    jobs_list = common + [f"{old}\0{new}" for old, new in renames]
    options = (old_dir, new_dir, tuple(ignore), chunks)
    _init(*options)
    renamed_old = {old for old, _ in renames}
    for outcome in ordered_map(_compare, jobs_list, jobs, _init, options):
        if isinstance(outcome, tuple):
            result.unreadable.append(outcome)
        elif outcome.old != outcome.new or outcome.old in renamed_old:
            result.renamed.append(outcome)
        elif outcome.diff is None:
            result.unchanged += 1
        elif not outcome.diff.differs:
            result.volatile_only += 1
        else:
            result.changed.append(outcome)
    paired_old = renamed_old
    paired_new = {new for _, new in renames}
    result.removed = [rel for rel in removed if rel not in paired_old]
    result.added = [rel for rel in added if rel not in paired_new]
    return result


def pair_by_test(
    removed: dict[str, str], added: dict[str, str], result: TreeDiff
) -> list[tuple[str, str]]:
    """Pairs (old, new) of renamed recordings: same test, endpoint and position."""

    def keys(files: dict[str, str]) -> dict[tuple[Any, ...], list[str]]:
        grouped: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for rel, path in files.items():
            key = _pairing_key(path, result)
            if key is not None:
                grouped[key].append(rel)
        return grouped

    old_keys, new_keys = keys(removed), keys(added)
    pairs = []
    for key, olds in old_keys.items():
        news = new_keys.get(key, [])
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0]))
    return sorted(pairs)


def _pairing_key(path: str, result: TreeDiff) -> tuple[Any, ...] | None:
    try:
        recording = io.load(path)
    except io.LoadError as error:
        result.unreadable.append((path, str(error)))
        return None
    test_id = as_str(as_dict(recording).get("test_id"))
    if test_id is None:
        return None  # shared recordings have no test to pair by
    request = as_dict(as_dict(recording).get("request"))
    payload = as_dict(request.get("body") or request.get("payload"))
    position = len(as_list(payload.get("messages")) or as_list(payload.get("contents")))
    return (test_id, classify(recording).endpoint, request.get("method"), position)
