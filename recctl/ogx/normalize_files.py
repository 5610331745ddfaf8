"""``recctl normalize`` over files: per-file rules, and tool-call ids across a test.

Nothing here writes: it computes, for every file, what it would become; the
command writes (or only shows) the result.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from collections.abc import Sequence
from typing import NamedTuple

from recctl import io
from recctl.confine import Outside, root_for, unsafe_test_ids
from recctl.ogx.normalize import file_hash, normalize_recording
from recctl.parallel import ordered_map


def normalize_files(
    files: Sequence[str], rules: frozenset[str], tool_call_ids: bool, jobs: int | None
) -> tuple[list[Normalized], list[tuple[str, str]]]:
    """What each file becomes, and the tests left alone (with why)."""
    per_file = functools.partial(normalize_file, rules=rules)
    if not tool_call_ids:
        return list(ordered_map(per_file, files, jobs)), []
    from recctl.ogx.toolcalls import Rewrite, plan_tool_call_ids  # --tool-call-ids only

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
    contents: dict[str, tuple[tuple[str, ...], bytes]] = {}

    def content(rewrite: Rewrite) -> tuple[tuple[str, ...], bytes]:
        """The rules a rewrite applies and the bytes it writes (computed once)."""
        if rewrite.path not in contents:
            recording = copy.deepcopy(rewrite.recording)
            name = os.path.basename(rewrite.new_path)
            extra = normalize_recording(recording, file_hash(name, recording), rules)
            applied = tuple(sorted({"tool_call_ids", *extra}))
            contents[rewrite.path] = (applied, io.dumps_like_recorder(recording))
        return contents[rewrite.path]

    def written(rewrite: Rewrite) -> bool:
        try:
            return io.read_bytes(rewrite.new_path) == content(rewrite)[1]
        except io.LoadError:
            return False

    plan = plan_tool_call_ids(loaded, written)
    rewritten = {rewrite.path: rewrite for rewrite in plan.rewrites}
    steps = {rewrite.path: step for step, rewrite in enumerate(plan.rewrites)}
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
            applied, new = content(rewrite)
            renamed = rewrite.new_path if rewrite.new_path != path else None
            results.append(
                Normalized(path, applied, raw[path], new, renamed_to=renamed, step=steps[path])
            )
    return results, plan.aborted


STALE_NAME = (
    "stored under a stale name, not its request's hash: ids are not stamped from it "
    "(recctl hash --fix renames it first)"
)


def _stale_name(name: str, recording: object) -> bool:
    """Whether a file is named by a hash that is not its request's (ids would take it)."""
    from recctl.ogx.hashing import judge_name  # only for files whose ids disagree with the name

    return judge_name(name, recording).match is False


class Normalized(NamedTuple):
    path: str
    rules: tuple[str, ...]  # the rules that changed something; empty: unchanged
    old: bytes | None = None  # the file as it was, when it changes
    new: bytes | None = None  # the file as it will be written, when it changes
    error: str | None = None
    renamed_to: str | None = None  # its new name, when its request (so its hash) changed
    refused: str | None = None  # why it is left alone: its test id leads outside the root
    step: int = 0  # --tool-call-ids: its place in the plan, where origins come first


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
    name = os.path.basename(path)
    digest = file_hash(name, recording)
    first = normalize_recording(recording, digest, rules)
    if not first:
        return Normalized(path, ())
    exact = json.loads(raw)
    if "id" in first and _stale_name(name, exact):
        return Normalized(path, (), refused=STALE_NAME)
    changed = normalize_recording(exact, digest, rules)
    new = io.dumps_like_recorder(exact)
    if new == raw:  # pragma: no cover - the rules changed nothing after all
        return Normalized(path, ())
    problem = _proof(raw, new, path)
    if problem:  # pragma: no cover - the rules touch ids and timestamps only
        return Normalized(path, (), refused=f"normalized, {problem}: left alone")
    return Normalized(path, tuple(sorted(changed)), raw, new)


def _proof(old: bytes, new: bytes, path: str) -> str | None:
    """Where the normalized bytes would read otherwise than the file as a call
    (``recctl.proof``: ids in bodies change, nothing else may)."""
    from recctl.containers import ogx
    from recctl.exchange import NotExchanges
    from recctl.proof import difference

    try:
        return difference(ogx.parse(old, path), ogx.parse(new, path), bodies=False)
    except (io.LoadError, NotExchanges) as error:  # pragma: no cover - json.dumps reads back
        return f"it would no longer read ({error})"


def write_normalized(results: list[Normalized], roots: Sequence[str]) -> list[Normalized]:
    """Write every changed file; what could not be written comes back with why.

    A file that is a symbolic link, or that resolves outside its root, is left
    alone (``refused``): rewriting it would replace the link by a regular file,
    or write outside the tree. Writes go in an order that a re-run after a kill
    at any point finishes (``toolcalls``): first every new name (a new name
    already holding the same bytes is an interrupted run's, and kept), then the
    old names, the recordings that echo ids before those that introduce them,
    then the files rewritten in place.
    """
    guards = {root: Outside(root) for root in roots}  # each resolves a directory once
    results = [_confined(result, guards) for result in results]
    moved: list[int] = []
    for number, result in enumerate(results):
        if result.new is not None and result.renamed_to:
            failure = _write_new_name(result.path, result.renamed_to, result.new)
            if failure:
                results[number] = result._replace(rules=(), error=failure)
            else:
                moved.append(number)
    for number in sorted(moved, key=lambda n: results[n].step, reverse=True):
        try:
            os.unlink(results[number].path)
        except OSError as error:
            results[number] = results[number]._replace(
                error=f"cannot remove the old name: {error.strerror or error}"
            )
    for number, result in enumerate(results):
        if result.new is not None and not result.renamed_to and not result.error:
            try:
                io.write_atomic(result.path, result.new)
            except OSError as error:
                results[number] = result._replace(
                    rules=(), error=f"cannot write: {error.strerror or error}"
                )
    return results


def _confined(result: Normalized, guards: dict[str, Outside]) -> Normalized:
    if result.new is None:
        return result
    root = root_for(result.path, guards)
    places = [result.path, *([result.renamed_to] if result.renamed_to else [])]
    if os.path.islink(result.path):
        why = "it is a symbolic link: not rewritten"
    elif root is None or any(guards[root](place) for place in places):
        why = "it resolves outside the root: not rewritten"
    else:
        return result
    return result._replace(rules=(), old=None, new=None, renamed_to=None, refused=why)


def _write_new_name(old_path: str, new_path: str, content: bytes) -> str | None:
    """Write ``content`` under a name that must not exist yet, or already holds it."""
    try:
        io.write_new(new_path, content, mode_from=old_path)
    except FileExistsError:
        try:
            if io.read_bytes(new_path) == content:
                return None  # written by a run killed before it removed the old name
        except io.LoadError:
            pass
        return f"cannot write: {os.path.basename(new_path)} exists and holds another recording"
    except OSError as error:
        return f"cannot write: {error.strerror or error}"
    return None
