"""The root ``recctl prune`` reads test ids against, found, not assumed.

A recording's test id (``tests/integration/x/test_a.py::test_f``) is relative to
the repository's root. Taking the path given for it, in a tarball without
``.git``, once called 3,053 of 3,162 real recordings stale.
"""

from __future__ import annotations

import itertools
import os

from recctl import containers
from recctl.confine import module_path_of, unsafe_reason, work_tree
from recctl.prune import Facts, read_facts, recording_directories

#: Recordings whose test ids are read to place the root when nothing else says where it is.
ROOT_SAMPLE = 200


class RootUnknown(Exception):
    """No directory is one the recordings' test ids resolve from."""


def find_root(start: str, config_file: str | None = None) -> tuple[str, str]:
    """The directory test ids are relative to, and how it was found.

    The git work tree holding ``start``; else the directory of the pyproject.toml
    holding ``[tool.recctl]``; else (a tarball, a CI workspace without ``.git``)
    the directory, at or above ``start``, from which the most test files the
    recordings name exist. ``RootUnknown`` when none of them exists anywhere
    there: taking ``start`` then would call every recording stale.
    """
    tree = work_tree(start)
    if tree is not None:
        return tree, "the git work tree"
    if config_file is not None:
        return os.path.dirname(os.path.abspath(config_file)), f"the directory of {config_file}"
    absolute = os.path.abspath(start)
    directory = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
    test_files = _sample_test_files(directory)
    if not test_files:
        return directory, "the path given (no test id to place it by)"
    candidates = [directory]
    while os.path.dirname(candidates[-1]) != candidates[-1]:
        candidates.append(os.path.dirname(candidates[-1]))
    hits = [sum(os.path.isfile(os.path.join(c, f)) for f in test_files) for c in candidates]
    best = max(range(len(candidates)), key=lambda n: (hits[n], -n))
    if not hits[best]:
        raise RootUnknown(
            f"cannot tell the root the test ids are relative to: none of the "
            f"{len(test_files)} test files they name (such as {sorted(test_files)[0]}) exists "
            f"under {directory} or a directory above it, and there is no git work tree: "
            "pass --root"
        )
    return candidates[best], "the directory the test ids resolve from (no git work tree)"


def _sample_test_files(directory: str) -> set[str]:
    """The test files named by the first ``ROOT_SAMPLE`` recordings under ``directory``."""
    targets = [directory] if os.path.basename(directory) == "recordings" else None
    found = containers.discover(targets or recording_directories(directory), [containers.DEFAULT])
    test_files = set()
    for path in itertools.islice(found, ROOT_SAMPLE):
        facts = read_facts(path)
        if isinstance(facts, Facts) and facts.test_id and unsafe_reason(facts.test_id) is None:
            test_files.add(module_path_of(facts.test_id))
    return test_files
