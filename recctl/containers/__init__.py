"""Containers: how recorded calls are stored on disk, one module per kind, and the
one place that decides what a file is.

Each container module implements ``Container`` (module attributes and
functions, as pre-commit's ``languages/`` do):

- ``ogx``: an ogx (llama-stack) recording, one JSON file per exchange;
- ``vcrpy``: a VCR.py cassette, one YAML file holding N HTTP interactions;
- ``rubyvcr``, ``govcr``: the cassettes of Ruby's VCR and Go's go-vcr (YAML);
- ``httprr``: Go's httprr traces (raw HTTP); ``har``: Polly.JS recordings (HAR);
- ``vercel``: vercel/ai's response fixtures (a response body, or its stream's payloads).

Each names the directories a walk finds its files under and their suffixes; what a
file is, its structure decides (``sniff``), never its name alone.

Adding a container is one module, one line in ``CONTAINERS`` and its tests.
Commands never ask which container a file is: they read ``RecordedFile``'s
exchanges (``recctl.exchange``) and call the container through it.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from recctl import io
from recctl.containers import govcr, har, httprr, ogx, rubyvcr, vcrpy, vercel
from recctl.exchange import Exchange, NotExchanges, RecordedFile

if TYPE_CHECKING:
    from recctl.answer import Answer
    from recctl.secrets import Secret

__all__ = ["CONTAINERS", "Container", "NotExchanges", "discover", "identify", "load"]


class Container(Protocol):
    """What every container module provides."""

    #: Its name in output and configuration ("ogx", "vcrpy").
    name: str
    #: The container as people name it ("VCR.py"), and what one file is called
    #: ("recording", "cassette").
    title: str
    noun: str
    #: The directories a walk finds its files under (at any depth below a directory of
    #: one of these names), and their suffixes there.
    directories: tuple[str, ...]
    suffixes: tuple[str, ...]
    #: Of ``directories``, those that hold recordings only, by convention: a file of
    #: its suffixes there is read even when its structure is no container's (reading
    #: it says what it is: a note, or why it is broken). Elsewhere a file of a suffix
    #: other tools share (``.json``, ``.yml``) is read only when its structure is a
    #: container's.
    dedicated: tuple[str, ...]
    #: True when a file holds one exchange (ogx): shown and diffed as that exchange.
    one_per_file: bool
    #: How ``prune`` finds a file's test: "named" (the file holds its test id),
    #: "layout" (its place and name map to a pytest test), "sources" (the container's
    #: ``judge_tests`` reads the test sources), "unmapped" (reported, never stale).
    tests: str
    #: True when its suffixes say a file may be its own in any directory: given by
    #: name, its content is judged; a suffix no other container has (``.har``,
    #: ``.httprr``) is read by a walk anywhere.
    suffix_alone: bool
    #: Paths that change on every re-record (diff): relative to the exchange as
    #: ``parse`` gives it in ``Exchange.source``, ``*`` any key, ``[*]`` any index.
    volatile: tuple[str, ...]
    #: Where a provider's objects are in ``Exchange.source``: ``protocols.VOLATILE``
    #: applies below each.
    body_places: tuple[str, ...]
    #: The finding a file gets when it cannot be parsed ("RC002": not valid JSON).
    broken_code: str

    def claims(self, head: bytes, path: str) -> bool | None:
        """Whether a file is of this kind, from its structure (``sniff``: top-level
        keys, a version field; never a phrase in its head), given its first bytes or
        all of them: True, False (it is something else), or None (the content cannot
        tell: not a document of its syntax, empty, broken)."""

    def parse(self, raw: bytes, path: str) -> RecordedFile:
        """A file's exchanges; ``io.LoadError`` when it is broken, ``NotExchanges``
        when it holds none."""

    def answer(self, exchange: Exchange) -> Answer | None:
        """What the provider answered in one exchange (``recctl.protocols``)."""

    def rewrite(self, raw: bytes, replace: Callable[[bytes], bytes]) -> tuple[bytes, bool]:
        """``raw`` with ``replace`` applied everywhere, in each value's stored encoding
        (inside base64 and gzip bodies, each decoded and encoded again), the file's
        framing kept true (byte counts, lengths, ids derived from a request); and
        whether anything encoded was encoded again (``scrub``)."""

    def renamed(self, path: str, before: RecordedFile, after: RecordedFile) -> str | None:
        """The name a scrubbed file must take for its replayer to find it, if another."""

    def replay_notes(self, file: RecordedFile, secrets: list[Secret]) -> list[str]:
        """The replayer settings that keep matching once ``secrets`` are replaced."""

    def searchable(self, file: RecordedFile) -> bytes | None:
        """Bytes holding every string of the file as it is, for the key search's
        pre-test (``secrets``); None when some are encoded (base64, gzip)."""

    def answers(self, file: RecordedFile) -> list[tuple[int, Answer]]:
        """(position, answer) of every exchange of a file that holds one
        (``exchange.answers_of``, or a shortcut that gives the same)."""

    def stored(self, exchange: Exchange) -> str:
        """How the response is stored, for ``show``: "JSON, 1,234 bytes"."""

    def facts(self, exchange: Exchange) -> dict[str, Any]:
        """What only this container records, for ``show``: keys of its JSON output."""

    def details(
        self, exchange: Exchange, answer: Answer | None, shorten: Callable[[str], str]
    ) -> dict[str, Any]:
        """Facts of a response that is not an answer: model ids, embedding sizes."""


#: Every container, the default (for a file that cannot be read) first.
CONTAINERS: tuple[Container, ...] = (ogx, vcrpy, rubyvcr, govcr, httprr, har, vercel)
DEFAULT: Container = ogx
#: How much of a file a walk reads to judge its structure.
HEAD_BYTES = 4096


def _parts(path: str) -> list[str]:
    return path.replace(os.sep, "/").split("/")[:-1]


def _in(names: tuple[str, ...], parts: list[str]) -> bool:
    return any(name in parts for name in names)


def identify(path: str, sniff: bool = True, head: bytes | None = None) -> Container | None:
    """What a file is, for a walk and for a path given on the command line; None for
    a file recctl does not read (``package.json``, a README, a CI file).

    The candidates are the containers of its suffix whose directory holds it (or
    whose suffix is enough alone, as ``.yaml`` given by name). One candidate takes
    it; among several (VCR.py, Ruby VCR and go-vcr all write YAML), its structure
    decides (``claims``, on ``head``: its first bytes or all of them). When none
    claims it, a container whose dedicated directory holds it takes it (its reading
    says what it is), or one whose content cannot tell (a broken file: reading it
    says why); when every candidate says it is something else, it is no recording.
    A file of no candidate is judged by its content alone (without ``sniff``: taken
    as the default container, whose reading reports it). A file that cannot be read
    belongs to the default container: reading it says why.
    """
    parts = _parts(path)
    candidates = [
        container
        for container in CONTAINERS
        if path.endswith(container.suffixes)
        and (container.suffix_alone or _in(container.directories, parts))
    ]
    if len(candidates) == 1 or (candidates and not sniff and head is None):
        return candidates[0]
    if head is None:
        if not sniff or os.path.isdir(path):
            return DEFAULT
        try:
            head = io.read_bytes(path, HEAD_BYTES, head=True)
        except io.LoadError:
            return candidates[0] if candidates else DEFAULT
    if candidates:
        verdicts = [(container, container.claims(head, path)) for container in candidates]
        for container, verdict in verdicts:
            if verdict:
                return container
        for container in candidates:
            if _in(container.dedicated, parts):
                return container
        return next((c for c, verdict in verdicts if verdict is None), None)
    verdicts = [(container, container.claims(head, path)) for container in CONTAINERS]
    for container, verdict in verdicts:
        if verdict:
            return container
    # Content no container can tell: a file of one's suffix is taken as one of its own,
    # unless that container says the content is something else.
    for container, verdict in verdicts:
        if verdict is None and path.endswith(container.suffixes):
            return container
    return None


def load(path: str, container: Container | None = None, remember: bool = True) -> RecordedFile:
    """Read and parse one file; ``io.LoadError`` or ``NotExchanges`` otherwise. The
    file is read once: its first bytes tell containers that share a suffix apart.
    Without ``remember``, its credentials are not looked for: for outputs of answers
    and counts alone (``reassemble``, ``stats``), which shorten no value, so that the
    mask's net (key shapes, credential names) covers all they can show."""
    raw = io.read_bytes(path)
    file = (container or identify(path, head=raw) or DEFAULT).parse(raw, path)
    return _remembered(file) if remember else file


def parse(raw: bytes, path: str) -> RecordedFile:
    """Parse bytes read elsewhere (a git blob), judged by the file's name and bytes."""
    return _remembered((identify(path, sniff=False, head=raw) or DEFAULT).parse(raw, path))


def _remembered(file: RecordedFile) -> RecordedFile:
    """Every file a command reads has its credentials found, so that no output of the
    run shows them (``masking.remember``), whatever surrounds them there."""
    from recctl.secrets import remember

    remember(file)
    return file


#: Directories a walk never enters: other projects' files, tools' caches, version
#: control. A path given on the command line is walked whatever its name.
NOT_THE_PROJECTS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        ".venv",
        "venv",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
    }
)


class Globs(NamedTuple):
    """``[tool.recctl] include`` and ``exclude``: globs (``fnmatch``, ``*`` crosses
    ``/``) of paths relative to ``base``, the directory of the file that sets them."""

    base: str
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()


def configured_globs() -> Globs:
    """The walk's globs from ``[tool.recctl]`` (none without the table)."""
    from recctl import config

    settings = config.load()
    base = os.path.dirname(settings.file) if settings.file else os.getcwd()
    return Globs(base, tuple(settings.get("include")), tuple(settings.get("exclude")))


def discover(
    paths: Iterable[str | Path],
    containers: Iterable[Container] = CONTAINERS,
    globs: Globs | None = None,
) -> Iterator[str]:
    """Each file given, and below each directory every file a replayer of one of
    ``containers`` would read (``io.discover``): below a directory one of them names,
    a file of its suffixes, read when the directory holds recordings only by
    convention (``dedicated``) or its structure is a container's (``claims``, on its
    first bytes); a suffix no other container has (``.har``, ``.httprr``) anywhere;
    and what ``[tool.recctl] include`` adds, less what ``exclude`` removes."""
    walk = _Walk(tuple(containers), configured_globs() if globs is None else globs)
    return io.discover(paths, walk.select, walk.skip)


class _Walk:
    """The rules of one walk, made once: per directory, the test of its files."""

    def __init__(self, kinds: tuple[Container, ...], globs: Globs) -> None:
        self.kinds = kinds
        self.globs = globs
        owners = Counter(suffix for container in CONTAINERS for suffix in container.suffixes)
        self.anywhere = tuple(
            suffix
            for container in kinds
            if container.suffix_alone
            for suffix in container.suffixes
            if owners[suffix] == 1
        )

    def skip(self, path: str, name: str) -> bool:
        return name in NOT_THE_PROJECTS or self._excluded(path, directory=True)

    def _relative(self, path: str) -> str:
        return os.path.relpath(os.path.abspath(path), self.globs.base).replace(os.sep, "/")

    def _excluded(self, path: str, directory: bool = False) -> bool:
        if not self.globs.exclude:
            return False
        relative = self._relative(path)
        names = (relative, relative + "/") if directory else (relative,)
        return any(fnmatchcase(n, glob) for n in names for glob in self.globs.exclude)

    def by_name(self, root: str) -> Callable[[str, str], bool | None] | None:
        """For the files of directory ``root``: whether a walk reads one by its path
        and name alone (True, False), or its structure decides (None); None when no
        file there can be read."""
        parts = root.replace(os.sep, "/").split("/")
        named = [c for c in self.kinds if _in(c.directories, parts)]
        own = tuple(s for c in named if _in(c.dedicated, parts) for s in c.suffixes)
        judged = tuple(s for c in named for s in c.suffixes if s not in own)
        if not (self.anywhere or own or judged or self.globs.include):
            return None

        def verdict(path: str, name: str) -> bool | None:
            if self._excluded(path):
                return False
            if name.endswith(self.anywhere) or name.endswith(own):
                return True
            if self.globs.include:
                relative = self._relative(path)
                if any(fnmatchcase(relative, glob) for glob in self.globs.include):
                    return True
            return None if name.endswith(judged) else False

        return verdict

    def select(self, root: str) -> io.FileTest | None:
        by_name = self.by_name(root)
        if by_name is None:
            return None

        def wanted(path: str, name: str) -> bool:
            verdict = by_name(path, name)
            if verdict is None:
                try:
                    head = io.read_bytes(path, HEAD_BYTES, head=True)
                except io.LoadError:
                    return False
                return self.claimed(path, head)
            return verdict

        return wanted

    def claimed(self, path: str, head: bytes) -> bool:
        """Whether a container of the walk says, from a file's first bytes, that it is
        one of its own (its structure, not its name)."""
        parts = _parts(path)
        return any(
            path.endswith(c.suffixes)
            and (c.suffix_alone or _in(c.directories, parts))
            and c.claims(head, path)
            for c in self.kinds
        )


def found_by_walk(path: str, globs: Globs | None = None) -> bool:
    """Whether a walk of the directory holding ``path`` would read it: the files of a
    list pre-commit passes (``--filter``) judged as every walk judges them."""
    if not os.path.isfile(path):
        return False
    test = _Walk(CONTAINERS, configured_globs() if globs is None else globs).select(
        os.path.dirname(path) or "."
    )
    return test is not None and test(path, os.path.basename(path))


def walk_rules(containers: Iterable[Container] = CONTAINERS, globs: Globs | None = None) -> _Walk:
    """The rules of a walk, for a tree that is not on disk (a git revision): per
    directory, ``by_name``; for a file its name leaves undecided, ``claimed``."""
    return _Walk(tuple(containers), configured_globs() if globs is None else globs)
