"""``recctl prune`` for cassettes: each judged by the test its place and name map to
(``containers/vcrpy_layouts``: pytest-recording's, vcrpy-unittest's, a mirrored tree),
statically or from pytest's collection, and a layout that maps worse than another
reported, never acted on."""

from __future__ import annotations

import os
from dataclasses import dataclass

from recctl import containers, io
from recctl.confine import inside
from recctl.containers.vcrpy_layouts import (
    LAYOUTS,
    CassetteTest,
    cassette_key,
    collected_keys,
    map_cassette,
)
from recctl.exchange import NotExchanges
from recctl.prune import PruneReport, Stale, index_test_file
from recctl.testindex import ModuleIndex, find_test


def prune_cassettes(
    files: list[str],
    root: str,
    collected: set[str] | None,
    layout: str | None,
    report: PruneReport,
) -> None:
    """Judge cassettes by the test their place and name map to (``cassette_tests``).

    Each cassette tree (the files under one ``cassettes`` directory) is judged
    under every layout: without ``layout``, the one under which the most
    cassettes map to an existing test is used; with it, a layout that maps more
    is reported, and refuses ``--delete``. Only a cassette about to be called
    stale is parsed, to make sure it is an HTTP cassette: YAML is slow, and the
    others need not be read at all.
    """
    indexes: dict[str, ModuleIndex | None] = {}
    modules: set[str] = set()
    keys = (
        {name: collected_keys(collected, name) for name in LAYOUTS} if collected is not None else {}
    )
    for tree, paths in _cassette_trees(files).items():
        verdicts = {
            name: [_cassette_verdict(path, root, keys.get(name), name, indexes) for path in paths]
            for name in LAYOUTS
        }
        mapped = {name: sum(v.found is True for v in verdicts[name]) for name in LAYOUTS}
        best = max(LAYOUTS, key=lambda name: mapped[name])  # ties: the first, pytest-recording
        used = layout or best
        relative = os.path.relpath(tree, root)
        if layout is None and best != LAYOUTS[0]:
            report.layouts.append((relative, best))
        if layout is not None and mapped[best] > mapped[layout]:
            report.layout_problems.append(
                f"under {relative}, --cassette-layout {layout} maps {mapped[layout]:,} of "
                f"{len(paths):,} cassettes to an existing test, {best} maps {mapped[best]:,}"
            )
        for path, verdict in zip(paths, verdicts[used], strict=True):
            modules.update(verdict.modules)
            if verdict.test is None:
                report.unmapped.append(path)
            elif verdict.found is not False:
                report.live += 1
                report.unsure += verdict.found is None
            else:
                try:
                    containers.load(path)
                except NotExchanges as note:
                    report.notes.append((path, str(note)))
                    continue
                except io.LoadError:
                    pass  # broken, and its test is gone: stale all the same
                report.stale.append(Stale(path, verdict.node_id, verdict.why))
    report.test_files_named += len(modules)
    report.test_files_found += sum(os.path.isfile(os.path.join(root, m)) for m in modules)


def _cassette_trees(files: list[str]) -> dict[str, list[str]]:
    """Cassettes grouped by the ``cassettes`` directory they lie under (the innermost)."""
    trees: dict[str, list[str]] = {}
    for path in files:
        parts = os.path.abspath(path).split(os.sep)
        at = (
            len(parts) - 1 - parts[:-1][::-1].index("cassettes") if "cassettes" in parts[:-1] else 0
        )
        trees.setdefault(os.sep.join(parts[:at]) or os.sep, []).append(path)
    return trees


@dataclass(frozen=True)
class _CassetteVerdict:
    test: CassetteTest | None  # None: unmapped
    found: bool | None = None
    why: str = ""
    node_id: str = ""
    modules: tuple[str, ...] = ()


def _cassette_verdict(
    path: str,
    root: str,
    keys: set[tuple[str, str]] | None,
    layout: str,
    indexes: dict[str, ModuleIndex | None],
) -> _CassetteVerdict:
    test = map_cassette(path, root, layout)
    if test is None:
        return _CassetteVerdict(None)
    place = test.modules[0] if len(test.modules) == 1 else test.directory
    node_id = f"{place}::{test.name}"
    found: bool | None
    if keys is not None:
        found, why = cassette_key(test, layout) in keys, "not collected"
    else:
        found, why = _judge_cassette(test, root, indexes)
    return _CassetteVerdict(test, found, why, node_id, tuple(test.modules))


def _judge_cassette(
    test: CassetteTest, root: str, indexes: dict[str, ModuleIndex | None]
) -> tuple[bool | None, str]:
    if not test.modules:
        return False, f"no test module in {test.directory or '.'}"
    verdicts = []
    for module in test.modules:
        if module not in indexes:
            path = os.path.join(root, module)
            indexes[module] = index_test_file(path) if inside(path, root) else None
        index = indexes[module]
        verdicts.append(
            (False, f"test module {module} gone") if index is None else find_test(index, test.names)
        )
    if any(found is True for found, _ in verdicts):
        return True, ""
    unsure = next(((found, why) for found, why in verdicts if found is None), None)
    if unsure is not None:
        return unsure
    if len(verdicts) == 1:
        return verdicts[0]
    return False, f"no module of {test.directory} defines {'.'.join(test.names)}"
