"""Checks a JSON Schema cannot express. Pure functions over a parsed recording.

Each returns findings; none raises on a recording of unexpected shape (the
schema check reports those), so they are safe to run on anything that parsed.
"""

from __future__ import annotations

import functools
import os
import posixpath
from typing import Any

from recctl.confine import module_path_of, unsafe_reason, unsafe_test_ids
from recctl.findings import Finding, json_path
from recctl.ogx.shapes import BodyKind, Shape

# --- RC201: one stream, one id -------------------------------------------------


def check_stream_ids(path: str, recording: Any, shape: Shape) -> list[Finding]:
    """Every chunk of a typed stream carries the same id.

    Azure's leading chunk (``object: ""``, only ``prompt_filter_results``) is
    skipped; chunks without a string id (Ollama) are not compared.
    """
    if shape.body is not BodyKind.TYPED_CHUNKS:
        return []
    chunks = recording["response"]["body"]
    ids = {
        chunk_id
        for chunk in chunks
        if isinstance(chunk["__data__"], dict)
        and chunk["__data__"].get("object") != ""
        and isinstance(chunk_id := chunk["__data__"].get("id"), str)
    }
    if len(ids) <= 1:
        return []
    first: Any = None
    for index, chunk in enumerate(chunks):
        data = chunk["__data__"]
        if not isinstance(data, dict) or data.get("object") == "":
            continue
        if not isinstance(data.get("id"), str):
            continue
        if first is None:
            first = data["id"]
        elif data["id"] != first:
            return [
                Finding(
                    path,
                    json_path(["response", "body", index, "__data__", "id"]),
                    "RC201",
                    f"chunk {index} has id {data['id']!r} but the stream began with {first!r} "
                    f"({len(ids)} ids in one stream): chunks of different recordings were mixed",
                )
            ]
    return []  # pragma: no cover - unreachable when ids differ


# --- RC202: stored where the recorder looks ------------------------------------


@functools.lru_cache(maxsize=4096)  # a test's recordings share it
def expected_directory(test_id: str) -> str:
    """``tests/x/test_a.py::TestC::test_m[p::q]`` -> ``tests/x/recordings``."""
    return posixpath.join(posixpath.dirname(module_path_of(test_id)), "recordings")


def check_location(path: str, recording: Any) -> list[Finding]:
    """A recording under a ``recordings/`` tree sits in the directory its test maps to.

    Loose files (nothing named ``recordings`` above them, such as a copy in /tmp)
    are not judged, nor are recordings without a test id (shared calls).
    """
    test_id = recording.get("test_id") if isinstance(recording, dict) else None
    if not isinstance(test_id, str) or not test_id.strip() or unsafe_reason(test_id):
        return []  # RC207 reports a test id that leads outside the repository
    parent = _absolute_directory(os.getcwd(), os.path.dirname(path))
    if "/recordings" not in parent:
        return []
    expected = expected_directory(test_id)
    if parent.endswith("/" + expected):
        return []
    return [
        Finding(
            path,
            "$.test_id",
            "RC202",
            f"test_id maps to {expected}/ but the file is in {parent}/: "
            "the recorder will never look for it here",
        )
    ]


@functools.lru_cache(maxsize=4096)  # a directory's recordings share it
def _absolute_directory(cwd: str, directory: str) -> str:
    """``os.path.abspath``, with the working directory in the cache key."""
    return os.path.normpath(os.path.join(cwd, directory)).replace(os.sep, "/")


# --- RC207: a test id that leads outside the repository ------------------------


def check_test_id(path: str, recording: Any) -> list[Finding]:
    """A test id names a file inside the repository: relative, never climbing with ``..``.

    Commands derive paths from it (where a recording belongs, which module prune
    reads), so one that leads outside is refused everywhere and reported here.
    """
    return [
        Finding(
            path,
            json_path(where),
            "RC207",
            f"{problem}: recctl never moves, renames, rewrites or prunes this recording",
        )
        for where, problem in unsafe_test_ids(recording)
    ]
