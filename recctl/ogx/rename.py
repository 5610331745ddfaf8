"""``recctl hash``: judge every file name, then plan and apply safe renames.

A stale recording (its name is not the hash of its own request) can never be
replayed. The plan renames it to its correct name when nothing is in the way,
moves recordings into the ``recordings/`` directory their test maps to, and, on
request, deletes a stale copy whose correctly named twin holds the same request.
Collisions are reported, never resolved by guessing. Everything is planned
before anything is written; a rename never overwrites (hard link, then unlink).
Every source and target stays inside its root (``confine``): a recording whose
test id leads outside is reported and left alone.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from recctl import io
from recctl.confine import inside, root_for, unsafe_reason
from recctl.ogx.checks import expected_directory
from recctl.ogx.hashing import NameVerdict, judge_name
from recctl.parallel import ordered_map
from recctl.values import as_dict, as_str


@dataclass(frozen=True)
class FileVerdict:
    path: str
    verdict: NameVerdict
    test_id: str | None
    target_dir: str | None  # the recordings/ directory its test maps to, when it is elsewhere
    unsafe: str | None = None  # why its test id leads outside the root: never acted on


@dataclass(frozen=True)
class Action:
    kind: str  # rename, move, delete
    source: str
    target: str | None
    reason: str


@dataclass(frozen=True)
class Blocked:
    path: str
    reason: str


@dataclass
class Plan:
    verdicts: list[FileVerdict]
    actions: list[Action]
    blocked: list[Blocked]
    unreadable: list[tuple[str, str]]
    twins: dict[str, str]  # stale path -> its correctly named twin
    groups: dict[str, int]  # stale path -> stale recordings mapping to the same name

    @property
    def stale(self) -> list[FileVerdict]:
        return [v for v in self.verdicts if v.verdict.match is False]


def judge_file(path: str, roots: tuple[str, ...] = ()) -> FileVerdict | tuple[str, str]:
    try:
        recording = io.load(path)
    except io.LoadError as error:
        return (path, str(error))
    verdict = judge_name(os.path.basename(path), recording)
    test_id = as_str(as_dict(recording).get("test_id"))
    unsafe = unsafe_reason(test_id) if test_id else None
    if unsafe:
        return FileVerdict(path, verdict, test_id, None, unsafe)
    root = root_for(path, roots)
    target_dir = _test_directory(path, test_id, root)
    if target_dir is not None and root is not None and not inside(target_dir, root):
        unsafe = "its test's recordings/ directory resolves outside the root (a symbolic link)"
        return FileVerdict(path, verdict, test_id, None, unsafe)
    return FileVerdict(path, verdict, test_id, target_dir)


def _test_directory(path: str, test_id: str | None, root: str | None) -> str | None:
    """The ``recordings/`` directory a misplaced recording belongs in, when it can be found.

    Only files under a ``recordings`` directory are judged (as validate's RC202);
    the repository root is the nearest ancestor, up to ``root``, that holds the
    test's directory. Without a root nothing moves.
    """
    if not test_id or root is None:
        return None
    parent = os.path.dirname(os.path.abspath(path))
    if "recordings" not in parent.split(os.sep):
        return None
    expected = expected_directory(test_id)
    if parent.replace(os.sep, "/").endswith("/" + expected):
        return None
    test_dir = os.path.dirname(expected)
    ancestor = parent
    while True:
        if os.path.isdir(os.path.join(ancestor, test_dir)):
            return os.path.join(ancestor, expected)
        if ancestor == root:
            return None
        above = os.path.dirname(ancestor)
        if above == ancestor:
            return None
        ancestor = above


def plan(
    files: Iterable[str],
    delete_duplicates: bool = False,
    jobs: int | None = None,
    roots: Iterable[str] = (),
) -> Plan:
    """Judge every file and plan what --fix does; ``roots`` bound every move."""
    verdicts: list[FileVerdict] = []
    unreadable: list[tuple[str, str]] = []
    judge = functools.partial(judge_file, roots=tuple(roots))
    for result in ordered_map(judge, list(files), jobs):
        if isinstance(result, tuple):
            unreadable.append(result)
        else:
            verdicts.append(result)
    result_plan = Plan(verdicts, [], [], unreadable, {}, {})
    for verdict in verdicts:
        if verdict.unsafe:
            result_plan.blocked.append(
                Blocked(verdict.path, f"{verdict.unsafe}: never renamed, moved or deleted")
            )
    safe = [v for v in verdicts if not v.unsafe]
    targets = {v.path: _target(v) for v in safe}
    wanted = Counter(target for path, target in targets.items() if target != path)
    for verdict in safe:
        target = targets[verdict.path]
        if target == verdict.path:
            continue
        stale = verdict.verdict.match is False
        if stale:
            result_plan.groups[verdict.path] = wanted[target]
        if wanted[target] > 1:
            result_plan.blocked.append(
                Blocked(
                    verdict.path,
                    (
                        f"{wanted[target]} recordings would all become {_short(target)}: "
                        "choose one by hand"
                    ),
                )
            )
        elif os.path.lexists(target) and not _same_file(verdict.path, target):
            _collision(result_plan, verdict, target, delete_duplicates)
        else:
            kind = "move" if verdict.target_dir else "rename"
            why = verdict.verdict.reason if stale else "its test's recordings/ directory"
            result_plan.actions.append(Action(kind, verdict.path, target, why or ""))
    return result_plan


def _target(verdict: FileVerdict) -> str:
    directory = verdict.target_dir or os.path.dirname(verdict.path)
    name = verdict.verdict.expected if verdict.verdict.match is False else None
    return os.path.join(directory, name or os.path.basename(verdict.path))


def _collision(plan: Plan, verdict: FileVerdict, target: str, delete_duplicates: bool) -> None:
    if not is_correct_twin(verdict.path, target):
        plan.blocked.append(
            Blocked(
                verdict.path,
                (f"{_short(target)} already exists and holds another request: not overwritten"),
            )
        )
        return
    plan.twins[verdict.path] = target
    if delete_duplicates:
        plan.actions.append(
            Action(
                "delete",
                verdict.path,
                None,
                f"a duplicate of its correctly named twin {_short(target)}",
            )
        )
    else:
        plan.blocked.append(
            Blocked(
                verdict.path,
                (
                    f"its correctly named twin {_short(target)} holds the same request: "
                    "--delete-duplicates deletes this copy"
                ),
            )
        )


def is_correct_twin(path: str, twin: str) -> bool:
    """Whether ``twin`` is correctly named and records the same request as ``path``."""
    if not os.path.lexists(twin):
        return False
    try:
        mine, theirs = io.load(path), io.load(twin)
    except io.LoadError:
        return False
    if judge_name(os.path.basename(twin), theirs).match is not True:
        return False
    return bool(
        (as_dict(mine).get("test_id"), as_dict(mine).get("request"))
        == (as_dict(theirs).get("test_id"), as_dict(theirs).get("request"))
    )


def _same_file(path: str, other: str) -> bool:
    """Two names of one file: a move (link, then unlink) killed halfway, finished by
    removing the old name."""
    try:
        return os.path.samefile(path, other) and not os.path.islink(other)
    except OSError:
        return False


def _short(path: str) -> str:
    return os.path.basename(path)


def apply(plan: Plan, roots: Iterable[str] = ()) -> list[Blocked]:
    """Carry out the plan; what could not be done comes back as blocked.

    Each source and target is checked against its root again, just before the
    write, with symbolic links resolved: nothing lands outside.
    """
    roots = tuple(roots)
    failed: list[Blocked] = []
    for action in plan.actions:
        try:
            root = root_for(action.source, roots)
            places = [action.source, *([action.target] if action.target else [])]
            if root is None or not all(inside(place, root) for place in places):
                raise OSError("it would reach outside the root")
            if action.kind == "delete":
                if os.path.islink(action.source):
                    raise OSError("is a symbolic link")
                os.unlink(action.source)
            else:
                assert action.target is not None
                os.makedirs(os.path.dirname(action.target), exist_ok=True)
                if not _same_file(action.source, action.target):  # else a killed run's link
                    os.link(action.source, action.target)  # fails, never overwrites
                os.unlink(action.source)
        except OSError as error:
            failed.append(
                Blocked(action.source, f"{action.kind} failed: {error.strerror or error}")
            )
    return failed
