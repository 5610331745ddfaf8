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
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from recctl import containers, io
from recctl.diff_files import DifferentKinds, FileDiff, Ignores, diff_files
from recctl.exchange import NotExchanges
from recctl.parallel import ordered_map
from recctl.values import as_dict, as_list


@dataclass(frozen=True)
class Pair:
    old: str  # path relative to the old directory
    new: str
    verdict: str
    test_id: str | None
    diff: FileDiff | None  # None when the bytes are equal


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
    found = containers.discover([directory])
    return {os.path.relpath(path, directory): path for path in found}


@dataclass(frozen=True)
class Side:
    """One side of a tree diff: its recordings by relative path, and how to read them.

    A directory's files are read by path (in worker processes, for big trees);
    a git revision's are blobs, read by ``read`` in this process.
    """

    files: dict[str, str]  # relative path -> a path on disk, or a blob id
    read: Callable[[str], bytes] = io.read_bytes  # raises io.LoadError
    label: str = ""  # how an unreadable file is named: the directory, or "REV:"
    on_disk: bool = True
    #: How git names content (``gitrev.object_id``), when the other side is a revision:
    #: a file whose id is the revision's blob id is unchanged, and the blob is not read.
    object_id: Callable[[bytes], str] | None = None
    #: Several files for one round trip (git blobs); by default ``read`` one by one.
    read_many: Callable[[list[str]], list[bytes | io.LoadError]] | None = None

    def read_all(self, keys: list[str]) -> list[bytes | io.LoadError]:
        if self.read_many is not None:
            return self.read_many(keys)
        found: list[bytes | io.LoadError] = []
        for key in keys:
            try:
                found.append(self.read(key))
            except io.LoadError as error:
                found.append(error)
        return found

    def name(self, relative: str) -> str:
        return self.files[relative] if self.on_disk else f"{self.label}{relative}"


def directory_side(directory: str) -> Side:
    return Side(relative_files(directory), label=directory)


@dataclass(frozen=True)
class Options:
    """What every comparison of a tree diff needs, set once per worker process."""

    old_dir: str = ""
    new_dir: str = ""
    ignores: Ignores = field(default_factory=Ignores)
    chunks: bool = False


_options = Options()


def _init(options: Options) -> None:
    global _options
    _options = options


def _compare(pair: str) -> Pair | tuple[str, str]:
    """Diff ``old_rel\\0new_rel`` read from the two directories; (path, reason) when unreadable."""
    old_dir, new_dir = _options.old_dir, _options.new_dir
    old_rel, _, new_rel = pair.partition("\0")
    old_path, new_path = os.path.join(old_dir, old_rel), os.path.join(new_dir, new_rel)
    loaded = []
    for path in (old_path, new_path):
        try:
            loaded.append(io.read_bytes(path))
        except io.LoadError as error:
            return (path, str(error))
    return _compare_raw((old_rel, new_rel, loaded[0], loaded[1], old_path, new_path))


def _compare_raw(item: tuple[str, str, bytes, bytes, str, str]) -> Pair | tuple[str, str]:
    """Diff two files given as bytes: (old_rel, new_rel, old, new, old name, new name)."""
    old_rel, new_rel, old_raw, new_raw, old_name, new_name = item
    if old_raw == new_raw:
        return Pair(old_rel, new_rel, "identical", None, None)
    files = []
    for name, raw in ((old_name, old_raw), (new_name, new_raw)):
        try:
            files.append(containers.parse(raw, name))
        except (io.LoadError, NotExchanges) as error:
            return (name, str(error))
    try:
        diff = diff_files(files[0], files[1], _options.ignores, _options.chunks)
    except DifferentKinds as error:
        return (new_name, str(error))
    test_id = files[1].exchanges[0].extras.get("test_id") if diff.one_per_file else None
    if diff.one_per_file and not test_id:
        test_id = files[0].exchanges[0].extras.get("test_id")
    return Pair(old_rel, new_rel, diff.verdict, test_id, diff)


def diff_trees(
    old_dir: str,
    new_dir: str,
    ignores: Ignores | None = None,
    chunks: bool = False,
    jobs: int | None = None,
) -> TreeDiff:
    old, new = directory_side(old_dir), directory_side(new_dir)
    return diff_sides(old, new, ignores, chunks, jobs)


def diff_sides(
    old: Side,
    new: Side,
    ignores: Ignores | None = None,
    chunks: bool = False,
    jobs: int | None = None,
) -> TreeDiff:
    """Pair the recordings of two sides, then diff each pair that differs."""
    result = TreeDiff()
    removed = sorted(set(old.files) - set(new.files))
    added = sorted(set(new.files) - set(old.files))
    renames = pair_by_test(old, new, removed, added, result)
    pairs = [(rel, rel) for rel in sorted(set(old.files) & set(new.files))] + renames
    options = Options(old.label, new.label, ignores or Ignores(), chunks)
    _init(options)
    outcomes: Iterable[Pair | tuple[str, str]]
    if old.on_disk and new.on_disk:
        jobs_list = [f"{o}\0{n}" for o, n in pairs]
        outcomes = ordered_map(_compare, jobs_list, jobs, _init, (options,))
    else:  # blobs are read here, one at a time; only pairs that differ go to workers
        outcomes = ordered_map(
            _compare_raw, list(_read_pairs(old, new, pairs, result)), jobs, _init, (options,)
        )
    renamed_old = {o for o, _ in renames}
    for outcome in outcomes:
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
    paired_new = {n for _, n in renames}
    result.removed = [rel for rel in removed if rel not in renamed_old]
    result.added = [rel for rel in added if rel not in paired_new]
    return result


_READ_BATCH = 256


def _read_pairs(
    old: Side, new: Side, pairs: list[tuple[str, str]], result: TreeDiff
) -> Iterator[tuple[str, str, bytes, bytes, str, str]]:
    """Each pair's bytes, unless they are the same: blob ids tell without reading."""
    both_revisions = not old.on_disk and not new.on_disk
    for start in range(0, len(pairs), _READ_BATCH):
        batch = []
        for old_rel, new_rel in pairs[start : start + _READ_BATCH]:
            if both_revisions and old_rel == new_rel and old.files[old_rel] == new.files[new_rel]:
                result.unchanged += 1  # one blob in both revisions: nothing to read
            else:
                batch.append((old_rel, new_rel))
        news = new.read_all([new.files[n] for _, n in batch])
        waiting = []  # the pairs whose old side must be read too
        for (old_rel, new_rel), new_raw in zip(batch, news, strict=True):
            old_key = old.files[old_rel]
            same_path = old_rel == new_rel
            if isinstance(new_raw, io.LoadError):
                result.unreadable.append((new.name(new_rel), str(new_raw)))
            elif same_path and _same_blob(old, old_key, new, new_raw):
                result.unchanged += 1
            else:
                waiting.append((old_rel, new_rel, new_raw))
        olds = old.read_all([old.files[o] for o, _, _ in waiting])
        for (old_rel, new_rel, new_raw), old_raw in zip(waiting, olds, strict=True):
            if isinstance(old_raw, io.LoadError):
                result.unreadable.append((old.name(old_rel), str(old_raw)))
            elif old_raw == new_raw and old_rel == new_rel:
                result.unchanged += 1
            else:
                yield (old_rel, new_rel, old_raw, new_raw, old.name(old_rel), new.name(new_rel))


def _same_blob(old: Side, old_key: str, new: Side, new_raw: bytes) -> bool:
    """Whether git's ids show the two files equal, without reading the old one."""
    if old.on_disk or not new.on_disk:
        return False  # two directories compare bytes; two revisions compared ids already
    return new.object_id is not None and new.object_id(new_raw) == old_key


def pair_by_test(
    old: Side, new: Side, removed: list[str], added: list[str], result: TreeDiff
) -> list[tuple[str, str]]:
    """Pairs (old, new) of renamed recordings: same test, endpoint and position."""

    def keys(side: Side, files: list[str]) -> dict[tuple[Any, ...], list[str]]:
        grouped: dict[tuple[Any, ...], list[str]] = defaultdict(list)
        for rel in files:
            key = _pairing_key(side, rel, result)
            if key is not None:
                grouped[key].append(rel)
        return grouped

    old_keys, new_keys = keys(old, removed), keys(new, added)
    pairs = []
    for key, olds in old_keys.items():
        news = new_keys.get(key, [])
        if len(olds) == 1 and len(news) == 1:
            pairs.append((olds[0], news[0]))
    return sorted(pairs)


def _pairing_key(side: Side, relative: str, result: TreeDiff) -> tuple[Any, ...] | None:
    container = containers.identify(relative, sniff=False)
    if container is None or not container.one_per_file:
        return None  # a file of many exchanges is named after its test: it pairs by path
    try:
        file = container.parse(side.read(side.files[relative]), relative)
    except (io.LoadError, NotExchanges) as error:
        result.unreadable.append((side.name(relative), str(error)))
        return None
    exchange = file.exchanges[0]
    test_id = exchange.extras.get("test_id")
    if test_id is None:
        return None  # shared recordings have no test to pair by
    payload = as_dict(exchange.request.body)
    position = len(as_list(payload.get("messages")) or as_list(payload.get("contents")))
    return (test_id, exchange.extras.get("endpoint"), exchange.method, position)
