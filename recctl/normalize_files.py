"""``recctl normalize`` over files: per-file rules, and tool-call ids across a test.

Nothing here writes: it computes, for every file, what it would become; the
command writes (or only shows) the result.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence
from typing import NamedTuple

from recctl import io
from recctl.confine import unsafe_test_ids
from recctl.normalize import file_hash, normalize_recording
from recctl.parallel import ordered_map


def normalize_files(
    files: Sequence[str], rules: frozenset[str], tool_call_ids: bool, jobs: int | None
) -> tuple[list[Normalized], list[tuple[str, str]]]:
    """What each file becomes, and the tests left alone (with why)."""
    per_file = functools.partial(normalize_file, rules=rules)
    if not tool_call_ids:
        return list(ordered_map(per_file, files, jobs)), []
    from recctl.toolcalls import plan_tool_call_ids  # --tool-call-ids only

    loaded, raw, errors, refused = {}, {}, {}, {}
    for path in files:
        try:
            raw[path] = io.read_bytes(path)
            io.parse(raw[path])  # a clear reason for files that are not JSON
            recording = json.loads(raw[path])
        except io.LoadError as error:
            errors[path] = str(error)
            continue
        unsafe = unsafe_test_ids(recording)
        if unsafe:
            refused[path] = unsafe[0][1]
        else:
            loaded[path] = recording
    plan = plan_tool_call_ids(loaded)
    rewritten = {rewrite.path: rewrite for rewrite in plan.rewrites}
    results = []
    for path in files:
        if path in errors:
            results.append(Normalized(path, (), error=errors[path]))
        elif path in refused:
            results.append(Normalized(path, (), refused=refused[path]))
        elif path not in rewritten:
            results.append(per_file(path))
        else:
            rewrite = rewritten[path]
            name = os.path.basename(rewrite.new_path)
            extra = normalize_recording(
                rewrite.recording, file_hash(name, rewrite.recording), rules
            )
            new = io.dumps_like_recorder(rewrite.recording)
            renamed = rewrite.new_path if rewrite.new_path != path else None
            results.append(
                Normalized(
                    path,
                    tuple(sorted({"tool_call_ids", *extra})),
                    raw[path],
                    new,
                    renamed_to=renamed,
                )
            )
    return results, plan.aborted


class Normalized(NamedTuple):
    path: str
    rules: tuple[str, ...]  # the rules that changed something; empty: unchanged
    old: bytes | None = None  # the file as it was, when it changes
    new: bytes | None = None  # the file as it will be written, when it changes
    error: str | None = None
    renamed_to: str | None = None  # its new name, when its request (so its hash) changed
    refused: str | None = None  # why it is left alone: its test id leads outside the root


def normalize_file(path: str, rules: frozenset[str]) -> Normalized:
    """Normalize one file in memory: nothing is written here.

    The check runs on the orjson parse; only a file that changes is parsed
    again with the standard library, which keeps every number exactly as
    written, and serialized as the recorder does.
    """
    try:
        raw = io.read_bytes(path)
        recording = io.parse(raw)
    except io.LoadError as error:
        return Normalized(path, (), error=str(error))
    unsafe = unsafe_test_ids(recording)
    if unsafe:
        return Normalized(path, (), refused=unsafe[0][1])
    digest = file_hash(os.path.basename(path), recording)
    if not normalize_recording(recording, digest, rules):
        return Normalized(path, ())
    exact = json.loads(raw)
    changed = normalize_recording(exact, digest, rules)
    new = io.dumps_like_recorder(exact)
    if new == raw:  # pragma: no cover - the rules changed nothing after all
        return Normalized(path, ())
    return Normalized(path, tuple(sorted(changed)), raw, new)
