"""``recctl prune``: recordings whose test no longer exists.

Static mode reads each test file once (``testindex``) and keeps a recording
whenever it cannot be sure. Exact mode compares with the node ids a real
``pytest --collect-only`` produced. Shared recordings (no test id, test-free
model lists) are never stale; recordings that sit outside the ``recordings/``
directory their test maps to are reported, not pruned.

Only the head of each recording is read: the recorder writes ``test_id`` first
and the request url right after, so a whole repository is judged at a fraction
of the cost of parsing it.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from recctl import containers, io
from recctl.confine import Outside, inside, module_path_of, under, unsafe_reason
from recctl.ogx.checks import expected_directory
from recctl.ogx.shapes import SHARED_PATHS

if TYPE_CHECKING:
    from recctl.baseline import Baseline
from recctl.parallel import ordered_map
from recctl.testindex import ModuleIndex, find_test, index_module, split_node_id
from recctl.values import as_dict, as_str

_HEAD = 8192
#: Stale recordings from which "more than half of those judged" refuses --delete (below
#: it, a small tree whose tests were removed is pruned without --force).
MOST_STALE = 10
#: The cost of ``read_facts`` relative to parsing a whole recording (``ordered_map``).
HEAD_COST = 1 / 30
_TEST_ID = re.compile(rb'\A\{\s*"test_id":\s*(null|"(?:[^"\\]|\\.)*")')
_NO_TEST_ID = re.compile(rb'\A\{\s*"request":')
_URL = re.compile(rb'"url":\s*("(?:[^"\\]|\\.)*")')


@dataclass(frozen=True)
class Facts:
    path: str
    test_id: str | None
    shared: bool  # no test id, or a model list whose hash leaves the test id out


@dataclass(frozen=True)
class Stale:
    path: str
    test_id: str
    reason: str


@dataclass
class PruneReport:
    stale: list[Stale] = field(default_factory=list)
    live: int = 0
    shared: int = 0
    elsewhere: list[tuple[str, str]] = field(default_factory=list)  # (path, test id)
    unsafe: list[tuple[str, str, str]] = field(default_factory=list)  # (path, test id, why)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    unsure: int = 0  # live only because recctl could not be sure
    unmapped: list[str] = field(default_factory=list)  # cassettes whose name names no test
    notes: list[tuple[str, str]] = field(default_factory=list)  # YAML, not HTTP cassettes
    test_files_named: int = 0  # distinct test files (modules) the recordings point at
    test_files_found: int = 0  # of those, the ones that exist
    layouts: list[tuple[str, str]] = field(default_factory=list)  # (cassette tree, layout used)
    layout_problems: list[str] = field(default_factory=list)  # a layout that maps worse
    #: Stale recordings a baseline records (``--baseline``): passed over, never deleted.
    known: list[Stale] = field(default_factory=list)

    def pass_over_known(self, baseline: Baseline, files: list[str]) -> None:
        """Move the stale recordings ``baseline`` records (by path and test id) to
        ``known``."""
        from recctl.baseline import digest

        for path in files:
            baseline.judged(path)
        fresh: list[Stale] = []
        for stale in self.stale:
            entry = baseline.entry(stale.path, "$", "stale", digest(stale.test_id))
            (self.known if baseline.is_known(entry) else fresh).append(stale)
        self.stale = fresh

    @property
    def refusal(self) -> str | None:
        """Why deleting the stale recordings would be unsafe (``--force`` insists), or None.

        Most of a tree stale, or none of its test files found, is what a wrong root
        or layout looks like: deleting then would empty a checkout.
        """
        judged = self.live + len(self.stale)
        if not self.stale:
            return None
        if self.layout_problems:
            return self.layout_problems[0]
        if self.test_files_named and not self.test_files_found:
            return (
                f"none of the {self.test_files_named:,} test files the recordings name exists "
                "under the root: is the root right (--root)?"
            )
        if len(self.stale) >= MOST_STALE and 2 * len(self.stale) > judged:
            return (
                f"{len(self.stale):,} of the {judged:,} recordings judged are stale, more "
                "than half: is the root or the cassette layout right?"
            )
        return None


def read_facts(path: str) -> Facts | tuple[str, str]:
    """The test id of a recording (and whether it is shared), from its head when possible."""
    try:
        head = io.read_bytes(path, _HEAD, head=True)
    except io.LoadError as error:
        return (path, str(error))
    name = os.path.basename(path)
    try:
        match = _TEST_ID.match(head)
        if match and not name.startswith("models-"):
            test_id = json.loads(match.group(1))
            return Facts(path, test_id, test_id is None)
        if _NO_TEST_ID.match(head) and not name.startswith("models-"):
            return Facts(path, None, True)  # older files: no test id at all
        if match and name.startswith("models-"):
            url = _URL.search(head)
            if url is not None:
                test_id = json.loads(match.group(1))
                shared = test_id is None or urlparse(json.loads(url.group(1))).path in SHARED_PATHS
                return Facts(path, test_id, shared)
    except ValueError:  # not UTF-8, a bad escape, a bad url: the whole file says why
        pass
    return _facts_from_whole_file(path)


def _facts_from_whole_file(path: str) -> Facts | tuple[str, str]:
    try:
        recording = io.load(path)
    except io.LoadError as error:
        return (path, str(error))
    top = as_dict(recording)
    request = as_dict(top.get("request"))
    test_id = as_str(top.get("test_id")) or as_str(request.get("test_id"))
    url = as_str(request.get("url")) or ""
    model_list = os.path.basename(path).startswith("models-")
    shared = test_id is None or (model_list and urlparse(url).path in SHARED_PATHS)
    return Facts(path, test_id, shared)


def index_test_file(path: str) -> ModuleIndex | None:
    """The index of a test file, or None when it does not exist."""
    try:
        return index_module(io.read_bytes(path))
    except io.NoSuchFile:
        return None
    except io.LoadError as error:
        return ModuleIndex(error=f"cannot be read: {error}")


def prune(
    files: Iterable[str],
    root: str,
    collected: set[str] | None = None,
    jobs: int | None = None,
    cassette_layout: str | None = None,
) -> PruneReport:
    """Judge every recording and cassette; static unless ``collected`` node ids are given.

    ``cassette_layout`` None finds each cassette tree's layout: the one under which
    its cassettes map to the most existing tests.
    """
    report = PruneReport()
    judged: list[Facts] = []
    # Files whose content names their test (ogx), and files whose place and name map
    # to one (cassettes).
    recordings: list[str] = []
    cassettes: list[str] = []
    by_sources: dict[Any, list[str]] = {}  # files whose test sources say (Go, Ruby)
    outside = Outside(root)
    for path in files:
        if outside(path):
            report.unsafe.append((path, "", "it resolves outside the root (a symbolic link)"))
        else:
            container = containers.identify(path) or containers.DEFAULT
            if container.tests == "named":
                recordings.append(path)
            elif container.tests == "layout":
                cassettes.append(path)
            elif container.tests == "sources":
                by_sources.setdefault(container, []).append(path)
            else:
                report.unmapped.append(path)
    module_problems: dict[str, str | None] = {}  # many recordings share one test module
    for facts in ordered_map(read_facts, recordings, jobs, cost=HEAD_COST):
        if isinstance(facts, tuple):
            report.unreadable.append(facts)
        elif facts.shared or facts.test_id is None:
            report.shared += 1
        elif problem := _unsafe(facts.test_id, root, module_problems):
            report.unsafe.append((facts.path, facts.test_id, problem))
        elif not _in_its_directory(facts.path, facts.test_id):
            report.elsewhere.append((facts.path, facts.test_id))
        else:
            judged.append(facts)
    indexes: dict[str, ModuleIndex | None] = {}
    test_files = sorted({split_node_id(f.test_id or "")[0] for f in judged})
    paths = [os.path.join(root, test_file) for test_file in test_files]
    if collected is None:
        # Each test file is read and parsed once, however many recordings point at it.
        indexes = dict(zip(test_files, ordered_map(index_test_file, paths, jobs), strict=True))
        report.test_files_found = sum(index is not None for index in indexes.values())
    else:
        report.test_files_found = sum(os.path.isfile(path) for path in paths)
    report.test_files_named = len(test_files)
    for facts in judged:
        assert facts.test_id is not None
        found, why = _judge(facts.test_id, indexes, collected)
        if found is False:
            report.stale.append(Stale(facts.path, facts.test_id, why))
        else:
            report.live += 1
            report.unsure += found is None
    from recctl.prune_cassettes import prune_cassettes  # imports this module

    prune_cassettes(cassettes, root, collected, cassette_layout, report)
    for container, paths in by_sources.items():
        for verdict in container.judge_tests(paths, root):
            if verdict.found is None:
                report.unmapped.append(verdict.path)
            elif verdict.found:
                report.live += 1
            else:
                report.stale.append(Stale(verdict.path, verdict.test, verdict.why))
    return report


def _unsafe(test_id: str, root: str, module_problems: dict[str, str | None]) -> str | None:
    """Why a test id must not be followed: it names a file outside ``root``.

    ``module_problems`` remembers the verdict on each test module, so that its path
    is resolved once (resolving every path component costs more than reading a head).
    """
    problem = unsafe_reason(test_id)
    if problem is not None:
        return problem
    module = module_path_of(test_id)
    if module not in module_problems:
        escapes = not inside(os.path.join(root, module), root)
        module_problems[module] = (
            "its test file resolves outside the root (a symbolic link)" if escapes else None
        )
    return module_problems[module]


def _judge(
    test_id: str, indexes: dict[str, ModuleIndex | None], collected: set[str] | None
) -> tuple[bool | None, str]:
    if collected is not None:
        return (True, "") if test_id in collected else (False, "not collected")
    test_file, names = split_node_id(test_id)
    index = indexes.get(test_file)
    if index is None:
        return False, f"test file {test_file} gone"
    if not test_file.endswith(".py"):
        return None, "not a Python test file"
    return find_test(index, names)


def _in_its_directory(path: str, test_id: str) -> bool:
    parent = os.path.dirname(os.path.abspath(path)).replace(os.sep, "/")
    return parent.endswith("/" + expected_directory(test_id))


# --- default paths, collected ids (the root: prune_root) -----------------------------------

_SKIP_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        "site-packages",
    }
)


def recording_directories(root: str) -> list[str]:
    """Every directory named ``recordings`` or ``cassettes`` under ``root`` (symlinks not
    followed)."""
    found = []
    for directory, subdirs, _ in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIP_DIRS)
        if os.path.basename(directory) in ("recordings", "cassettes"):
            found.append(directory)
            subdirs[:] = []  # a recordings directory holds recordings, not more tests
    return found


def excluded(path: str, root: str, patterns: list[str]) -> bool:
    """Whether ``path``, relative to ``root``, matches one of the ``--exclude`` globs."""
    if not patterns:
        return False
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    return any(fnmatch.fnmatchcase(relative, pattern) for pattern in patterns)


def delete(stale: list[Stale], allowed: list[str], root: str) -> tuple[int, list[tuple[str, str]]]:
    """Delete stale recording files under ``allowed`` directories and inside ``root``;
    never a symbolic link, nor a file a link leads to."""
    roots = [os.path.realpath(path) for path in allowed]
    outside = Outside(root)
    deleted, refused = 0, []
    for item in stale:
        real = os.path.realpath(item.path)
        given = any(under(real, r) for r in roots)
        recording = any(item.path.endswith(c.suffixes) for c in containers.CONTAINERS)
        if os.path.islink(item.path) or not recording or not given or outside(item.path):
            refused.append((item.path, "not a recording file inside the given paths and the root"))
            continue
        try:
            os.unlink(item.path)
            deleted += 1
        except OSError as error:
            refused.append((item.path, error.strerror or str(error)))
    return deleted, refused
