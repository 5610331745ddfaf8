"""The source files of a repository, as ``prune`` reads them to tell which test a Go or
Ruby recording belongs to (``testsource``): every ``*.go`` or ``*.rb`` file under a
root, read whole (at most ``MAX_SOURCE`` each; BOM stripped, CRLF allowed), never
executed, and once per root (kept while no source changes: size and mtime); and one
index of their words, which says whether a source spells a name."""

from __future__ import annotations

import bisect
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from recctl import io

#: Each source is read whole up to this bound. One over it, or unreadable, makes every
#: recording of its root that would otherwise be stale unmapped.
MAX_SOURCE = 64 * 2**20
_SKIP = frozenset({".git", "node_modules", "vendor", ".venv", "venv", "__pycache__"})


# -- reading sources, once per root ------------------------------------------------------

#: (path, size, mtime_ns) of every source, and what could not be listed or read.
Stamp = tuple[tuple[tuple[str, int, int], ...], tuple[str, ...]]


def walk_sources(root: str, suffix: str) -> Stamp:
    """Every file ending in ``suffix`` below ``root`` (sorted), and the problems met."""
    files: list[tuple[str, int, int]] = []
    problems: list[str] = []
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            where = os.path.relpath(directory, root)
            problems.append(f"{where} cannot be listed ({error.strerror or error})")
            continue
        below = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in _SKIP:
                        below.append(entry.path)
                elif entry.name.endswith(suffix):
                    if not entry.is_file():  # a dangling link, a FIFO: a source unread
                        where = os.path.relpath(entry.path, root)
                        problems.append(f"{where} is not a regular file")
                        continue
                    status = entry.stat()
                    files.append((entry.path, status.st_size, status.st_mtime_ns))
            except OSError as error:
                where = os.path.relpath(entry.path, root)
                problems.append(f"{where} cannot be read ({error.strerror or error})")
        pending.extend(reversed(below))
    files.sort()
    return tuple(files), tuple(problems)


def read_sources(root: str, stamp: Stamp) -> tuple[list[tuple[str, str]], str]:
    """(path relative to root, text) of each source, and why the set is incomplete ('')."""
    files, problems = stamp
    texts = []
    incomplete = list(problems)
    for path, size, _ in files:
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        if size > MAX_SOURCE:
            incomplete.append(f"{rel} is over {MAX_SOURCE // 2**20} MiB")
            continue
        try:
            raw = io.read_bytes(path, MAX_SOURCE)
        except io.LoadError as error:
            incomplete.append(f"{rel} cannot be read ({error})")
            continue
        texts.append((rel, _decode(raw)))
    problem = ""
    if incomplete:
        more = f" (and {len(incomplete) - 1} more)" if len(incomplete) > 1 else ""
        problem = f"not every source under the root was read: {incomplete[0]}{more}"
    return texts, problem


def _decode(raw: bytes) -> str:
    """UTF-8 text, BOM stripped, in NFC so that names compare as the file system's do."""
    text = raw.decode("utf-8", "replace").removeprefix("\ufeff")
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# -- literal names: one index of words per root ------------------------------------------

#: A run of characters a file name can hold, between Go or Ruby punctuation.
_WORD = re.compile(r"""[^\s"'`()\[\]{},;:+*=<>!&|^%\\?]+""")
_NOT_ALNUM = re.compile(r"[\W_]")
#: Longer words (embedded data) are searched with ``in``, not split at every boundary.
_LONG_WORD = 4096


@dataclass
class Words:
    """Every distinct word of a set of sources, each with the first source holding it."""

    short: dict[str, str] = field(default_factory=dict)
    long: dict[str, str] = field(default_factory=dict)

    def add(self, text: str, source: str) -> None:
        words = set(_WORD.findall(text))
        new = words.difference(self.short, self.long)
        long = {word for word in new if len(word) > _LONG_WORD}
        self.short.update(dict.fromkeys(new - long, source))
        self.long.update(dict.fromkeys(long, source))

    def find(self, keys: set[str]) -> dict[str, str]:
        """The keys found in a word between boundaries (a word's ends, or beside a
        character that is not a letter or digit), each with the source naming it.

        One pass over the distinct words, whatever the number of keys: each word is cut
        at its boundaries, and each cut no longer than the longest key is looked up.
        """
        found: dict[str, str] = {}
        if not keys:
            return found
        longest = max(map(len, keys))
        for word, source in self.short.items():
            if len(word) <= longest and word in keys:
                found.setdefault(word, source)
            marks = [m.start() for m in _NOT_ALNUM.finditer(word)]
            if not marks:
                continue
            bounds = sorted({0, len(word), *marks, *(m + 1 for m in marks)})
            for at, start in enumerate(bounds):
                limit = bisect.bisect_right(bounds, start + longest, at + 1)
                for end in bounds[at + 1 : limit]:
                    piece = word[start:end]
                    if piece in keys:
                        found.setdefault(piece, source)
        for word, source in self.long.items():
            for key in keys:
                if key not in found and key in word:
                    found[key] = source
        return found


def has_separator(key: str) -> bool:
    """A key a word cannot hold (a space, a quote): the word index cannot tell."""
    return _WORD.fullmatch(key) is None


class SourceIndex(Protocol):
    """What a language's index of the sources under a root holds (``indexed``)."""

    def add(self, path: str, text: str) -> None: ...


Index = TypeVar("Index", bound=SourceIndex)

#: The last index built for each suffix: (root, what its sources were, the index).
_INDEXES: dict[str, tuple[str, Stamp, Any]] = {}


def indexed(root: str, suffix: str, new: Callable[[str], Index]) -> Index:
    """The index of the ``*suffix`` sources under ``root`` (``new(problem)`` gives an
    empty one; each source is added), built once while none of them changes: prune
    judges one root, its containers share the index."""
    stamp = walk_sources(root, suffix)
    cached = _INDEXES.get(suffix)
    if cached is not None and cached[:2] == (root, stamp):
        index: Index = cached[2]
        return index
    texts, problem = read_sources(root, stamp)
    index = new(problem)
    for path, text in texts:
        index.add(path, text)
    _INDEXES[suffix] = (root, stamp, index)
    return index
