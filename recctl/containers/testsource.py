"""Which test a Go or Ruby recording belongs to, read from the test sources, only where
that is certain (``recctl prune``). A stale verdict leads to deletion: every doubt is
"unmapped" (reported, never stale).

Go (go-vcr cassettes, httprr traces), judged in this order against every ``*.go`` file
under the root (every Go module below it; ``.git``, ``vendor`` and ``node_modules``
skipped):

1. Live when a source spells it: its file name, its stem (the path under ``testdata/``
   without suffix) or its base name without suffix, found between word boundaries
   anywhere in a Go source (test or not, any package: helpers build names).
2. Live when it is named after ``t.Name()`` of a test function that exists: ``TestX.yaml``,
   ``TestX/sub/case.yaml``, ``TestX_sub_case.httprr`` (httprr flattens the slashes).
   Test functions and testify suite methods (``func (s *S) TestX()``) are found with
   Go's identifier rules (Unicode letters and digits) in every file whatever its build
   tags, ``testdata/`` directories' own ``.go`` files excepted. ``t.Run("sub case")``
   subtests, rewritten as Go's ``testing`` package does (spaces become underscores),
   name the live test more precisely (``TestX/sub_case``).
3. Unmapped when in doubt: a source was over ``MAX_SOURCE`` or unreadable, the Go module
   reaches above the root, the root holds no ``*_test.go``, the name is not ``Test``
   followed by an identifier (then ``_`` and anything), a source spells a prefix of it
   (``"TestGone"`` for ``TestGone_gpt4``: a table plus a concatenation), or a string
   built at run time could produce it: a literal in a ``+`` concatenation or holding a
   ``%`` verb whose fixed parts match the stem (``"Test" + name``,
   ``fmt.Sprintf("Test%s", p)``). An operand or argument that is ``t.Name()`` only
   stands for an existing test's name.
4. Stale otherwise: under ``testdata/``, named after a test no function starts.

Ruby (VCR): never stale. Live when a string literal in a ``*.rb`` file spells the
cassette's path (or a trailing part of it), or when RSpec ``vcr: true`` metadata and the
example descriptions, sanitized as VCR does, give its path; unmapped otherwise.

Sources are read whole (at most ``MAX_SOURCE`` each; BOM stripped, CRLF allowed), never
executed, and once per root: the index of a root is kept while no source under it
changes (size and mtime), so prune's several containers share it.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from recctl.containers.go_names import (
    SUFFIXES,
    Builder,
    Element,
    GoScanner,
    go_string,
    normalized,
)
from recctl.containers.sources import Words, has_separator, indexed, nfc


@dataclass(frozen=True)
class Verdict:
    path: str
    found: bool | None  # True live, False stale, None unmapped
    test: str = ""  # the test it maps to: "pkg/dir::TestX", or the naming source
    why: str = ""


# -- Go ----------------------------------------------------------------------------------

#: A function or method definition; ``func`` inside a string or comment counts too
#: (more functions: more recordings live, never one more stale).
_GO_FUNC = re.compile(
    r"\bfunc\s*(?:\((?:[^()\n]|\([^()\n]*\))*\)\s*)?([^\W\d]\w*)\s*(?:\[[^\]\n]*\]\s*)?\("
)
_GO_RUN = re.compile(r"""\.Run\(\s*("(?:[^"\\\n]|\\.)*"|`[^`]*`)""")
#: A name ``t.Name()`` can give: ``Test`` and an identifier, then ``_`` (httprr's
#: flattened ``/``) and anything.
_GO_TEST_NAME = re.compile(r"Test\w*(?:_.*)?", re.S)
_GO_SPACES = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000") | {
    chr(c) for c in range(0x2000, 0x200B)
}


def _rewrite(name: str) -> str:
    """A subtest name as Go's ``testing`` package rewrites it (``match.go``: spaces
    become underscores, unprintable runes their escapes)."""
    out = []
    for char in name:
        if char in _GO_SPACES:
            out.append("_")
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return "".join(out)


@dataclass
class _GoIndex:
    """What the Go sources under a root say: built once per root."""

    problem: str = ""  # why no recording may be called stale ('' when none)
    test_files: int = 0
    functions: dict[str, str] = field(default_factory=dict)  # TestX -> its package
    subtests: dict[str, set[str]] = field(default_factory=dict)  # TestX -> rewritten names
    words: Words = field(default_factory=Words)
    built: dict[tuple[Element, ...], str] = field(default_factory=dict)  # -> its source
    _compiled: list[Builder] | None = None

    def add(self, rel: str, text: str) -> None:
        self.words.add(text, rel)
        for built in GoScanner(text).built_names():
            elements = normalized(built)
            if elements is not None:
                self.built.setdefault(elements, rel)
        parts = rel.split("/")
        if "testdata" in parts[:-1]:
            return  # a fixture, not a package's source
        self.test_files += rel.endswith("_test.go")
        package = "/".join(parts[:-1]) or "."
        definitions = [(m.start(), m.group(1)) for m in _GO_FUNC.finditer(text)]
        for _, name in definitions:
            if name.startswith("Test"):
                self.functions.setdefault(name, package)
        positions = [at for at, _ in definitions]
        for match in _GO_RUN.finditer(text):
            owner = bisect.bisect_right(positions, match.start()) - 1
            if owner >= 0 and definitions[owner][1].startswith("Test"):
                subtest = _rewrite(go_string(match.group(1)))
                self.subtests.setdefault(definitions[owner][1], set()).add(subtest)

    def owner(self, first: str) -> str | None:
        """The test function a name's first segment starts with (the longest)."""
        if first in self.functions:
            return first
        cuts = [m.start() for m in re.finditer("_", first)]
        return next((first[:c] for c in reversed(cuts) if first[:c] in self.functions), None)

    def builders(self) -> list[Builder]:
        """The names built at run time, compiled once."""
        if self._compiled is None:
            self._compiled = [Builder.of(name, source) for name, source in self.built.items()]
        return self._compiled


def _go_package(path: str) -> tuple[str, str, str] | None:
    """(package directory, the recording's path under testdata without its suffix,
    its suffix)."""
    parts = os.path.abspath(path).split(os.sep)
    if "testdata" not in parts[:-1]:
        return None
    at = len(parts) - 2 - parts[:-1][::-1].index("testdata")
    stem = "/".join(parts[at + 1 :])
    suffix = next((s for s in SUFFIXES if stem.endswith(s) and stem != s), "")
    return os.sep.join(parts[:at]) or os.sep, stem[: len(stem) - len(suffix)], suffix


def _module_above(package: str, root: str, seen: dict[str, bool]) -> bool:
    """Whether the Go module holding ``package`` reaches above ``root`` (its go.mod is
    there, none between): tests outside the root could then use the recording."""
    root = os.path.abspath(root)
    directory = package
    while True:
        if os.path.isfile(os.path.join(directory, "go.mod")):
            return False
        if directory == root or os.path.dirname(directory) == directory:
            break
        directory = os.path.dirname(directory)
    if root not in seen:
        found, directory = False, root
        while os.path.dirname(directory) != directory:
            directory = os.path.dirname(directory)
            if os.path.isfile(os.path.join(directory, "go.mod")):
                found = True
                break
        seen[root] = found
    return seen[root]


def _prefixes(first: str) -> list[str]:
    """The prefixes of a name's first segment a table could hold (``TestGone`` of
    ``TestGone_case_gpt4``), the segment itself included."""
    cuts = [m.start() for m in re.finditer(r"[_.\-]", first)] + [len(first)]
    return [first[:c] for c in cuts if len(first[:c]) > 4]


def judge_go(paths: Iterable[str], root: str) -> list[Verdict]:
    """A verdict for each go-vcr cassette or httprr trace (rules in the module's doc)."""
    index = indexed(root, ".go", lambda problem: _GoIndex(problem=problem))
    located = [(path, _go_package(path)) for path in paths]
    keys: set[str] = set()
    for _, place in located:
        if place is not None:
            _, stem, suffix = place
            base = stem.rsplit("/", 1)[-1]
            first = stem.split("/", 1)[0]
            prefixes = _prefixes(first) if first.startswith("Test") else []
            keys.update(map(nfc, (base + suffix, stem, base, *prefixes)))
    named = index.words.find({key for key in keys if not has_separator(key)})
    above: dict[str, bool] = {}
    verdicts = []
    for path, place in located:
        if place is None:
            verdicts.append(Verdict(path, None, why="not under testdata/"))
            continue
        package, stem, suffix = place
        stem = nfc(stem)
        base = stem.rsplit("/", 1)[-1]
        where = os.path.relpath(package, root).replace(os.sep, "/")
        first = stem.split("/", 1)[0]
        owner = index.owner(first)
        if owner is not None:  # named after t.Name() of an existing test
            test = f"{index.functions[owner]}::{_label(index, stem, owner)}"
            verdicts.append(Verdict(path, True, test))
            continue
        literal = next((k for k in (base + suffix, stem, base) if k in named), None)
        if literal is not None:  # a source spells it
            verdicts.append(Verdict(path, True, f"{named[literal]}::{literal}"))
            continue
        doubt = _go_doubt(index, stem, suffix, first, named)
        if doubt is None and _module_above(package, root, above):
            doubt = "its Go module (go.mod) reaches above the root: tests outside may use it"
        if doubt is not None:
            verdicts.append(Verdict(path, None, why=doubt))
        else:
            why = f"no test function {first} (or a prefix of it) and no Go source names it"
            verdicts.append(Verdict(path, False, f"{where}::{first}", why))
    return verdicts


def _label(index: _GoIndex, stem: str, owner: str) -> str:
    """The test a live recording names: ``TestX/sub_case`` when its rest is a subtest
    of ``TestX`` (as a path or flattened with ``_``), else ``TestX``."""
    subtests = index.subtests.get(owner, set())
    rest = stem[len(owner) + 1 :]
    if rest and (rest in subtests or rest in {s.replace("/", "_") for s in subtests}):
        return f"{owner}/{rest}"
    if rest and stem[len(owner)] == "/" and all(p in subtests for p in rest.split("/")):
        return f"{owner}/{rest}"
    return owner


def _go_doubt(
    index: _GoIndex, stem: str, suffix: str, first: str, named: dict[str, str]
) -> str | None:
    """Why a recording no test function owns is still not certainly stale, or None."""
    if not _GO_TEST_NAME.fullmatch(first):
        return "not named after a Go test (t.Name()), and no Go source names it"
    if index.problem:
        return index.problem
    if not index.test_files:
        return "no *_test.go under the root"
    base = stem.rsplit("/", 1)[-1]
    if any(has_separator(key) for key in (base + suffix, stem)):
        return "its name holds characters the source search cannot match"
    prefix = next((p for p in _prefixes(first) if nfc(p) in named), None)
    if prefix is not None:
        return f"{named[prefix]} spells {prefix!r}, which a built name could extend"
    starts = [stem[:end] for end in range(5, len(stem) + 1) if stem[:end] in index.functions]
    for builder in index.builders():
        if builder.could_give(stem, starts):
            return f"{builder.source} builds names at run time that could give it"
    return None


# -- Ruby --------------------------------------------------------------------------------

_RUBY_STRING = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""")
_RUBY_INTERPOLATION = re.compile(r"#\{[^}]*\}")
_RUBY_METADATA = re.compile(r"\bvcr:\s*(?:true\b|\{)|(?<![\w:]):vcr\b")
_RUBY_DESCRIPTION = re.compile(
    r"""\b(?:describe|context|it|specify|example|scenario|feature)\b\s*\(?\s*"""
    r"""(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|([A-Z][\w:]*))"""
)
#: VCR's file name sanitizing (``FileSystem#sanitized_file_name_from``).
_VCR_UNSAFE = re.compile(r"[^\w\-/]+")


@dataclass
class _RubyIndex:
    """What the Ruby sources under a root say: built once per root."""

    problem: str = ""
    literals: dict[str, str] = field(default_factory=dict)  # text and trailing parts
    built: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    described: set[str] = field(default_factory=set)  # sanitized description parts
    metadata: str = ""  # the first source using ``vcr: true`` metadata

    def add(self, rel: str, text: str) -> None:
        for match in _RUBY_STRING.finditer(text):
            value = match.group(1) if match.group(1) is not None else match.group(2) or ""
            if match.group(1) is not None and "#{" in value:
                pieces = _RUBY_INTERPOLATION.split(value)
                regex = ".*".join(map(re.escape, pieces))
                self.built.append((re.compile(rf"(?:^|(?<=/)){regex}$", re.S), rel))
                continue
            parts = value.split("/")
            for at in range(len(parts)):
                self.literals.setdefault("/".join(parts[at:]), rel)
        if _RUBY_METADATA.search(text):
            self.metadata = self.metadata or rel
            for match in _RUBY_DESCRIPTION.finditer(text):
                description = next(g for g in match.groups() if g is not None)
                self.described.update(_VCR_UNSAFE.sub("_", description).split("/"))


def judge_ruby(paths: Iterable[str], root: str) -> list[Verdict]:
    """Live when a Ruby source spells the cassette's name (a string literal equal to a
    trailing part of its path without suffix: ``"chat/gpt-4"``, ``"gpt-4"``), or when
    RSpec ``vcr: true`` descriptions give its last two or more parts; unmapped
    otherwise, never stale: a cassette's name can come from anywhere."""
    index = indexed(root, ".rb", lambda problem: _RubyIndex(problem=problem))
    verdicts = []
    for path in paths:
        rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        stem = nfc(next((rel[: -len(s)] for s in (".yml", ".yaml") if rel.endswith(s)), rel))
        parts = stem.split("/")
        names = ["/".join(parts[at:]) for at in range(len(parts))]
        literal = next((name for name in names if name in index.literals), None)
        if literal is not None:
            verdicts.append(Verdict(path, True, f"{index.literals[literal]}::{literal}"))
        elif len(parts) >= 2 and all(p in index.described for p in parts[-2:]):
            described = "/".join(parts[-2:])
            verdicts.append(Verdict(path, True, f"{index.metadata}::{described}"))
        else:
            built = next((src for rx, src in index.built if any(rx.search(n) for n in names)), "")
            if built:
                why = f"{built} builds cassette names at run time that could give it"
            elif index.metadata:
                why = f"{index.metadata} uses vcr metadata: its descriptions may name it"
            else:
                why = "no spec names it literally"
            verdicts.append(Verdict(path, None, why=why))
    return verdicts
