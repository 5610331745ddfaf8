"""Containers: how recorded calls are stored on disk, one module per kind, and the
one place that decides what a file is.

Each container module implements ``Container`` (module attributes and
functions, as pre-commit's ``languages/`` do):

- ``ogx``: an ogx (llama-stack) recording, one JSON file per exchange;
- ``vcrpy``: a VCR.py cassette, one YAML file holding N HTTP interactions;
- ``rubyvcr``, ``govcr``: the cassettes of Ruby's VCR and Go's go-vcr (YAML);
- ``httprr``: Go's httprr traces (raw HTTP); ``har``: Polly.JS recordings (HAR).

Adding a container is one module, one line in ``CONTAINERS`` and its tests.
Commands never ask which container a file is: they read ``RecordedFile``'s
exchanges (``recctl.exchange``) and call the container through it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from recctl import io
from recctl.containers import govcr, har, httprr, ogx, rubyvcr, vcrpy
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
    #: The directory a walk finds its files under, and their suffixes there.
    directory: str
    suffixes: tuple[str, ...]
    #: True when a file holds one exchange (ogx): shown and diffed as that exchange.
    one_per_file: bool
    #: How ``prune`` finds a file's test: "named" (the file holds its test id),
    #: "layout" (its place and name map to a pytest test), "sources" (the container's
    #: ``judge_tests`` reads the test sources), "unmapped" (reported, never stale).
    tests: str
    #: True when its suffixes alone say what a file is, in any directory.
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
        """Whether a file of an unknown name is of this kind, from its first 4 KiB:
        True, False (it is something else), or None (the content cannot tell)."""

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
CONTAINERS: tuple[Container, ...] = (ogx, vcrpy, rubyvcr, govcr, httprr, har)
DEFAULT: Container = ogx


def identify(path: str, sniff: bool = True, head: bytes | None = None) -> Container | None:
    """What a file is, for a walk and for a path given on the command line; None for
    a file recctl does not read (``package.json``, a README, a CI file).

    A file with a container's suffix under that container's directory (or with a
    suffix that is enough alone, as YAML's) is that container's; when several
    containers share the suffix (VCR.py, Ruby VCR and go-vcr all write YAML), its
    first bytes decide, else the first of them. Any other file is judged by its
    content (without ``sniff``: taken as the default container, whose reading
    reports it). A file that cannot be read belongs to the default container:
    reading it says why.
    """
    slashed = "/" + path.replace(os.sep, "/")
    candidates = [
        container
        for container in CONTAINERS
        if path.endswith(container.suffixes)
        and (container.suffix_alone or f"/{container.directory}/" in slashed)
    ]
    if len(candidates) == 1 or (candidates and not sniff and head is None):
        return candidates[0]
    if head is None:
        if not sniff or os.path.isdir(path):
            return DEFAULT
        try:
            head = io.read_bytes(path, 4096, head=True)
        except io.LoadError:
            return candidates[0] if candidates else DEFAULT
    head = head[:4096].lstrip()
    if candidates:
        return next((c for c in candidates if c.claims(head, path)), candidates[0])
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


def load(path: str, container: Container | None = None) -> RecordedFile:
    """Read and parse one file; ``io.LoadError`` or ``NotExchanges`` otherwise. The
    file is read once: its first bytes tell containers that share a suffix apart."""
    raw = io.read_bytes(path)
    return (container or identify(path, head=raw) or DEFAULT).parse(raw, path)


def parse(raw: bytes, path: str) -> RecordedFile:
    """Parse bytes read elsewhere (a git blob), judged by the file's name and bytes."""
    return (identify(path, sniff=False, head=raw) or DEFAULT).parse(raw, path)


def discover(
    paths: Iterable[str | Path], containers: Iterable[Container] = CONTAINERS
) -> Iterator[str]:
    """Each file given, and below each directory the files of ``containers`` by their
    directory convention (``io.discover``)."""
    return io.discover(paths, [(c.directory, c.suffixes) for c in containers])
