"""Keep every write inside the root, whatever a recording says.

A recording's ``test_id`` names a test file, and commands derive paths from it
(the ``recordings/`` directory a file belongs in, the test module prune reads).
A test id is untrusted text: one that is absolute or climbs with ``..`` is
refused (``unsafe_reason``), and every write is checked against the root it
must stay in (``inside``), symbolic links resolved.

The root is ``--root`` when given, else the git work tree holding a path, else
the path itself (a directory) or its directory (a file).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from typing import Any

from recctl.values import as_dict

_DRIVE = re.compile(r"^[A-Za-z]:")


def module_path_of(test_id: str) -> str:
    """``tests/x/test_a.py::TestC::test_m[p::q]`` -> ``tests/x/test_a.py``."""
    return test_id.split("[", 1)[0].split("::", 1)[0]


@functools.lru_cache(maxsize=4096)  # a test's recordings share it
def unsafe_reason(test_id: str) -> str | None:
    """Why a test id cannot name a file inside the repository, or None when it can."""
    test_file = module_path_of(test_id)
    if "\x00" in test_file:
        return "its test file holds a NUL character"
    if test_file.startswith(("/", "\\")) or _DRIVE.match(test_file):
        return "its test file is an absolute path"
    if ".." in re.split(r"[/\\]", test_file):
        return "its test file climbs out with '..'"
    return None


def unsafe_test_ids(recording: Any) -> list[tuple[tuple[str, ...], str]]:
    """Each test id of a recording (top level, raw request) that leads outside, with why."""
    top = as_dict(recording)
    places: tuple[tuple[tuple[str, ...], Any], ...] = (
        (("test_id",), top.get("test_id")),
        (("request", "test_id"), as_dict(top.get("request")).get("test_id")),
    )
    found = []
    for where, test_id in places:
        problem = unsafe_reason(test_id) if isinstance(test_id, str) else None
        if problem:
            found.append((where, problem))
    return found


def inside(path: str, root: str) -> bool:
    """Whether ``path`` (which need not exist yet) resolves to a place under ``root``.

    Symbolic links are resolved on both sides, so a link that leads out of the
    root does not count as inside.
    """
    return under(os.path.realpath(path), os.path.realpath(root))


def under(real: str, real_root: str) -> bool:
    """Whether a path is ``real_root`` or below it (both as given: resolve them first)."""
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


class Outside:
    """Whether a path resolves outside ``root``, symbolic links followed.

    A directory is resolved once however many files it holds (resolving every
    path in full costs more than reading a recording's head); a file that is
    itself a link is resolved on its own.
    """

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self._directories: dict[str, bool] = {}

    def __call__(self, path: str) -> bool:
        directory = os.path.dirname(os.path.abspath(path))
        outside = self._directories.get(directory)
        if outside is None:
            outside = not under(os.path.realpath(directory), self.root)
            self._directories[directory] = outside
        return outside or (os.path.islink(path) and not under(os.path.realpath(path), self.root))


def work_tree(start: str) -> str | None:
    """The nearest directory at or above ``start`` holding ``.git``, or None."""
    directory = os.path.abspath(start)
    if not os.path.isdir(directory):
        directory = os.path.dirname(directory)
    while True:
        if os.path.exists(os.path.join(directory, ".git")):
            return directory
        above = os.path.dirname(directory)
        if above == directory:
            return None
        directory = above


def root_of(path: str) -> str:
    """The root for a path given on the command line (see the module docstring)."""
    tree = work_tree(path)
    if tree is not None:
        return tree
    absolute = os.path.abspath(path)
    return absolute if os.path.isdir(absolute) else os.path.dirname(absolute)


def roots_of(paths: Iterable[str], root: str | None = None) -> list[str]:
    """The roots of the paths given, longest first (so the innermost wins)."""
    if root is not None:
        return [os.path.abspath(root)]
    return sorted({root_of(path) for path in paths}, key=len, reverse=True)


def reached_plainly(directory: str, roots: Iterable[str]) -> bool:
    """Whether ``directory`` is inside one of ``roots`` (the innermost holding it) and
    reached from it through no symbolic link: a write there cannot land elsewhere."""
    root = root_for(directory, roots)
    if root is None:
        return False
    path = os.path.abspath(directory)
    top = os.path.abspath(root)
    while path != top:
        if os.path.islink(path):
            return False
        path = os.path.dirname(path)
    return under(os.path.realpath(directory), os.path.realpath(root))


def root_for(path: str, roots: Iterable[str]) -> str | None:
    """The innermost of ``roots`` holding ``path`` (not resolving links), or None."""
    absolute = os.path.abspath(path)
    for root in roots:
        if under(absolute, root):
            return root
    return None
