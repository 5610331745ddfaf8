"""A baseline: the findings a repository already has, so that only new ones fail.

``validate``, ``scrub --check`` and ``prune`` take ``--baseline FILE``: a finding
recorded in FILE is passed over (counted, listed apart, never failing the run);
``--update-baseline`` writes FILE from the findings of the run, dropping those that
are gone. One file serves the three commands: each rewrites only the entries of its
own codes, for the files it read (and drops the entries of files that no longer exist).

A finding is recorded by file (relative to FILE's directory, with ``/``), place (a JSON
path, for the reader), code and a fingerprint of what was found, never the value::

    {"recctl-baseline": 1, "findings": [
    {"code":"RC203","fingerprint":"85b3f97120c01c49","path":"tests/cassettes/a.yaml","pointer":"$..."},
    ...
    ]}

one finding per line, sorted, so that its diff is reviewable. The fingerprint is the
first 16 hex digits of SHA-256 over the file's path, the code and the SHA-256 of the
value (a credential, an e-mail address, a phone number; for any other finding its
place and message). A credential's fingerprint cannot be turned back into it: it is
too long to guess. An e-mail address or a phone number can be guessed, and a
fingerprint confirms a guess; personal data's fingerprints are cut to 8 hex digits,
which every phone number of a country shares with some 2 others (10^10 numbers,
2^32 fingerprints), so they name no number, but still confirm an address someone
already suspects is there. The matching ignores the place: a re-record that moves a
known credential does not make it new.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import NamedTuple

import orjson

from recctl.errors import RecctlError

VERSION = 1
#: Codes whose value is personal data, guessable: a shorter fingerprint.
GUESSABLE = frozenset({"RC208"})


class Entry(NamedTuple):
    path: str  # relative to the baseline's directory, with "/"
    pointer: str
    code: str
    fingerprint: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.code, self.fingerprint)


def digest(value: str) -> str:
    """What a finding's value becomes before it leaves the worker that found it."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint(path: str, code: str, value_digest: str) -> str:
    """The fingerprint of a finding (``path`` as the baseline records it)."""
    text = f"recctl-baseline\0{path}\0{code}\0{value_digest}".encode("utf-8", "surrogatepass")
    full = hashlib.sha256(text).hexdigest()
    return full[:8] if code in GUESSABLE else full[:16]


class Baseline:
    """The entries of one baseline file, and what a run matches against them."""

    def __init__(self, file: str, entries: Iterable[Entry] = ()) -> None:
        self.file = file
        self.base = os.path.dirname(os.path.abspath(file))
        self.entries = list(entries)
        self.keys = {entry.key for entry in self.entries}
        #: What the run found, for ``--update-baseline``; (codes, paths) it judged.
        self.found: list[Entry] = []
        self.paths: set[str] = set()
        self.known = 0  # findings passed over in this run

    def relative(self, path: str) -> str:
        relative = os.path.relpath(os.path.abspath(path), self.base)
        return relative.replace(os.sep, "/")

    def entry(self, path: str, pointer: str, code: str, value_digest: str) -> Entry:
        where = self.relative(path)
        return Entry(where, pointer, code, fingerprint(where, code, value_digest))

    def judged(self, path: str) -> None:
        """``path`` was read in this run: its entries are rewritten by an update."""
        self.paths.add(self.relative(path))

    def is_known(self, entry: Entry) -> bool:
        """Whether ``entry`` is recorded (and it is remembered for an update)."""
        self.found.append(entry)
        known = entry.key in self.keys
        self.known += known
        return known

    def updated(self, codes: frozenset[str]) -> list[Entry]:
        """The entries an update writes: this run's, and the others kept (another
        command's codes, a file not read in this run that still exists)."""
        kept = [
            entry
            for entry in self.entries
            if (entry.code not in codes or entry.path not in self.paths)
            and os.path.exists(os.path.join(self.base, entry.path))
        ]
        return sorted(set(kept) | set(self.found))

    def write(self, codes: frozenset[str]) -> tuple[int, int, int]:
        """Write the updated file; (entries, added, dropped)."""
        entries = self.updated(codes)
        lines = [orjson.dumps(entry._asdict(), option=orjson.OPT_SORT_KEYS) for entry in entries]
        body = b",\n".join(lines)
        text = b'{"recctl-baseline": %d, "findings": [\n%s%s]}\n' % (
            VERSION,
            body,
            b"\n" if lines else b"",
        )
        from recctl.io import write_atomic

        write_atomic(self.file, text)
        before, after = {e.key for e in self.entries}, {e.key for e in entries}
        return len(entries), len(after - before), len(before - after)


def load(file: str, missing_ok: bool) -> Baseline:
    """The baseline in ``file``; an empty one when it does not exist and ``missing_ok``
    (an update creates it). Anything else wrong with it stops the command (exit 2)."""
    from recctl import io

    try:
        data = io.read_bytes(file)
    except io.LoadError as error:
        if missing_ok and not os.path.exists(file):
            return Baseline(file)
        hint = " (--update-baseline writes it)" if not os.path.exists(file) else ""
        raise RecctlError(f"baseline {file}: {error}{hint}") from None
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as error:
        raise RecctlError(f"baseline {file}: not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("recctl-baseline") != VERSION:
        raise RecctlError(f"baseline {file}: not a recctl baseline (version {VERSION})")
    entries = []
    for item in document.get("findings") or []:
        fields = [item.get(name) if isinstance(item, dict) else None for name in Entry._fields]
        if not all(isinstance(value, str) for value in fields):
            raise RecctlError(f"baseline {file}: a finding needs {', '.join(Entry._fields)}")
        entries.append(Entry(*(str(value) for value in fields)))
    return Baseline(file, entries)
