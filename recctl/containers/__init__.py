"""Containers: how recordings are stored on disk, one module per kind.

- ``recording``: an ogx (llama-stack) recording, one JSON file per exchange;
- ``cassette``: a VCR.py cassette, one YAML file holding N HTTP interactions.

What the provider answered, once out of its container, is read by
``recctl.protocols``: the same code for both.
"""

from __future__ import annotations

from recctl.io import CASSETTE_SUFFIXES, LoadError, read_bytes


def is_cassette(path: str, sniff: bool = True) -> bool:
    """Whether a file is a cassette: by its name, else (with ``sniff``) by its first bytes.

    ``.json`` is a recording and ``.yaml``, ``.yml``, ``.yaml.gz`` a cassette; any
    other file named on the command line is a recording when it starts like JSON.
    """
    if path.endswith(".json"):
        return False
    if path.endswith(CASSETTE_SUFFIXES):
        return True
    if not sniff:
        return False
    try:
        head = read_bytes(path, 64, head=True).lstrip()
    except LoadError:
        return False  # reading it as a recording reports why
    return bool(head) and head[:1] not in (b"{", b"[")
