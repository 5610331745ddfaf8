"""Containers: how recordings are stored on disk, one module per kind.

- ``recording``: an ogx (llama-stack) recording, one JSON file per exchange;
- ``cassette``: a VCR.py cassette, one YAML file holding N HTTP interactions.

What the provider answered, once out of its container, is read by
``recctl.protocols``: the same code for both. ``kind_of`` decides what a file is,
for a file named on the command line; a directory walk (``io.discover``) yields
only JSON under ``recordings/`` and YAML under ``cassettes/``.
"""

from __future__ import annotations

import os

from recctl.io import CASSETTE_SUFFIXES, LoadError, read_bytes

#: The first bytes of a cassette of each layout VCR.py writes (a top-level key).
_CASSETTE_KEYS = (b"interactions:", b"requests:", b"http_interactions:")
#: What an ogx recording holds at its top level; a JSON file holding neither is not one.
_RECORDING_KEYS = ("request", "response")


def is_cassette(path: str, sniff: bool = True) -> bool:
    """Whether a file is a cassette: by its name, else (with ``sniff``) as ``kind_of``
    judges it by its content."""
    if path.endswith(".json"):
        return False
    if path.endswith(CASSETTE_SUFFIXES):
        return True
    return sniff and kind_of(path) == "cassette"


def kind_of(path: str) -> str | None:
    """What a file named on the command line is: ``"recording"``, ``"cassette"``, or
    None for a file recctl does not read (``package.json``, a README, a CI file).

    A ``.json`` file under a ``recordings/`` directory, or a YAML file by its
    suffix, is taken by its name (a broken one is then reported as broken). Any
    other file is judged by its content: JSON holding ``request`` or ``response``
    at its top level is a recording, YAML starting with a cassette's key is a
    cassette. A file that cannot be read is a recording: reading it says why.
    """
    if path.endswith(CASSETTE_SUFFIXES):
        return "cassette"
    if path.endswith(".json") and "recordings" in path.replace(os.sep, "/").split("/"):
        return "recording"
    if os.path.isdir(path):
        return "recording"  # reading it says what it is
    try:
        head = read_bytes(path, 4096, head=True).lstrip()
    except LoadError:
        return "recording"
    if head[:1] in (b"{", b"["):
        return "recording" if _holds_a_recording(path) else None
    if any(key in head for key in _CASSETTE_KEYS):
        return "cassette"
    return "recording" if path.endswith(".json") else None


def _holds_a_recording(path: str) -> bool:
    from recctl.io import parse

    try:
        document = parse(read_bytes(path))
    except LoadError:
        return True  # a broken recording: reading it reports how
    return isinstance(document, dict) and any(key in document for key in _RECORDING_KEYS)
