"""Which test a Go or Ruby recording belongs to, read from the test sources, only where
that is certain (``recctl prune``).

- Go (go-vcr, httprr): a recording under ``testdata/`` named after ``t.Name()`` --
  ``TestX.yaml``, ``TestX/sub/case.yaml``, or ``TestX_sub_case.httprr`` where the
  subtest's slashes became underscores -- belongs to the test function ``TestX`` of
  the package that holds ``testdata/``. The package's ``*_test.go`` files say whether
  it still exists: a name no test function starts is stale. Another name is live when
  one of those files spells it out (a literal path), else unmapped.
- Ruby (VCR): a cassette a spec or test names literally (``use_cassette("name")``,
  ``vcr: { cassette_name: "name" }``) is live.

Everything else is unmapped: reported, never called stale. Sources are read as
bytes, at most ``MAX_SOURCE`` each, never executed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from recctl import io

MAX_SOURCE = 4 * 2**20
_GO_TEST = re.compile(rb"^func\s+(Test[A-Za-z0-9_]*)\s*\(", re.MULTILINE)
_SKIP = frozenset({".git", "node_modules", "vendor", ".venv", "venv", "__pycache__"})


@dataclass(frozen=True)
class Verdict:
    path: str
    found: bool | None  # True live, False stale, None unmapped
    test: str = ""  # the test it maps to: "pkg/dir::TestX", or the naming source
    why: str = ""


def _read(path: str) -> bytes:
    try:
        return io.read_bytes(path, MAX_SOURCE)
    except io.LoadError:
        return b""


def _go_package(path: str) -> tuple[str, str] | None:
    """(package directory, the recording's path under testdata without its suffix)."""
    parts = os.path.abspath(path).split(os.sep)
    if "testdata" not in parts[:-1]:
        return None
    at = len(parts) - 2 - parts[:-1][::-1].index("testdata")
    stem = "/".join(parts[at + 1 :])
    for suffix in (".httprr.gz", ".httprr", ".yaml", ".yml"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return os.sep.join(parts[:at]) or os.sep, stem


def judge_go(paths: Iterable[str], root: str) -> list[Verdict]:
    verdicts = []
    sources: dict[str, list[bytes]] = {}
    for path in paths:
        located = _go_package(path)
        if located is None:
            verdicts.append(Verdict(path, None, why="not under testdata/"))
            continue
        package, stem = located
        if package not in sources:
            try:
                names = sorted(n for n in os.listdir(package) if n.endswith("_test.go"))
            except OSError:
                names = []
            sources[package] = [_read(os.path.join(package, name)) for name in names]
        texts = sources[package]
        place = os.path.relpath(package, root)
        if not texts:
            verdicts.append(Verdict(path, None, why="no *_test.go beside testdata/"))
            continue
        first = stem.split("/")[0]
        if first.startswith("Test"):  # named after t.Name(): its test function decides
            functions = {name.decode() for text in texts for name in _GO_TEST.findall(text)}
            owner = max(
                (f for f in functions if first == f or first.startswith(f + "_")),
                key=len,
                default=None,
            )
            if owner is not None:
                verdicts.append(Verdict(path, True, f"{place}::{owner}"))
            else:
                why = f"no test function {first} (or a prefix of it) in {place}"
                verdicts.append(Verdict(path, False, f"{place}::{first}", why))
            continue
        base = os.path.basename(stem)
        if any(base.encode() in text for text in texts):  # a literal path names it
            verdicts.append(Verdict(path, True, f"{place}::{base}"))
        else:
            verdicts.append(Verdict(path, None, why="no test names it"))
    return verdicts


def judge_ruby(paths: Iterable[str], root: str) -> list[Verdict]:
    """Live when a spec or test spells the cassette's name; unmapped otherwise."""
    texts: list[tuple[str, bytes]] = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIP)
        for name in files:
            if name.endswith(("_spec.rb", "_test.rb")):
                path = os.path.join(directory, name)
                texts.append((os.path.relpath(path, root), _read(path)))
    verdicts = []
    for path in paths:
        name = os.path.basename(path)
        for suffix in (".yml", ".yaml"):
            name = name.removesuffix(suffix)
        quoted = (f'"{name}"'.encode(), f"'{name}'".encode(), f'/{name}"'.encode())
        source = next((rel for rel, text in texts if any(q in text for q in quoted)), None)
        if source is not None:
            verdicts.append(Verdict(path, True, f"{source}::{name}"))
        else:
            verdicts.append(Verdict(path, None, why="no spec names it literally"))
    return verdicts
