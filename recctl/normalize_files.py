"""``recctl normalize`` over files: per-file rules, and tool-call ids across a test.

Nothing here writes: it computes, for every file, what it would become; the
command writes (or only shows) the result.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Sequence

from recctl import io
from recctl.confine import unsafe_test_ids
from recctl.jobs import Normalized, normalize_file
from recctl.normalize import file_hash, normalize_recording
from recctl.parallel import ordered_map
from recctl.toolcalls import plan_tool_call_ids


def normalize_files(
    files: Sequence[str], rules: frozenset[str], tool_call_ids: bool, jobs: int | None
) -> tuple[list[Normalized], list[tuple[str, str]]]:
    """What each file becomes, and the tests left alone (with why)."""
    per_file = functools.partial(normalize_file, rules=rules)
    if not tool_call_ids:
        return list(ordered_map(per_file, files, jobs)), []
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
