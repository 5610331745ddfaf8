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
import functools
import os
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from recctl import io

#: Each source is read whole up to this bound. One over it, or unreadable, makes every
#: recording of its root that would otherwise be stale unmapped.
MAX_SOURCE = 64 * 2**20
_SKIP = frozenset({".git", "node_modules", "vendor", ".venv", "venv", "__pycache__"})
_SUFFIXES = (".httprr.gz", ".httprr", ".yaml", ".yml")


@dataclass(frozen=True)
class Verdict:
    path: str
    found: bool | None  # True live, False stale, None unmapped
    test: str = ""  # the test it maps to: "pkg/dir::TestX", or the naming source
    why: str = ""


# -- reading sources, once per root ------------------------------------------------------

#: (path, size, mtime_ns) of every source, and what could not be listed or read.
_Stamp = tuple[tuple[tuple[str, int, int], ...], tuple[str, ...]]


def _walk(root: str, suffix: str) -> _Stamp:
    """Every file ending in ``suffix`` below ``root`` (sorted), and the problems met."""
    files: list[tuple[str, int, int]] = []
    problems: list[str] = []
    pending = [root]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            where = os.path.relpath(directory, root)
            problems.append(f"{where} cannot be listed ({error.strerror or error})")
            continue
        below = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in _SKIP:
                        below.append(entry.path)
                elif entry.name.endswith(suffix):
                    if not entry.is_file():  # a dangling link, a FIFO: a source unread
                        where = os.path.relpath(entry.path, root)
                        problems.append(f"{where} is not a regular file")
                        continue
                    status = entry.stat()
                    files.append((entry.path, status.st_size, status.st_mtime_ns))
            except OSError as error:
                where = os.path.relpath(entry.path, root)
                problems.append(f"{where} cannot be read ({error.strerror or error})")
        pending.extend(reversed(below))
    files.sort()
    return tuple(files), tuple(problems)


def _read(root: str, stamp: _Stamp) -> tuple[list[tuple[str, str]], str]:
    """(path relative to root, text) of each source, and why the set is incomplete ('')."""
    files, problems = stamp
    texts = []
    incomplete = list(problems)
    for path, size, _ in files:
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        if size > MAX_SOURCE:
            incomplete.append(f"{rel} is over {MAX_SOURCE // 2**20} MiB")
            continue
        try:
            raw = io.read_bytes(path, MAX_SOURCE)
        except io.LoadError as error:
            incomplete.append(f"{rel} cannot be read ({error})")
            continue
        texts.append((rel, _decode(raw)))
    problem = ""
    if incomplete:
        more = f" (and {len(incomplete) - 1} more)" if len(incomplete) > 1 else ""
        problem = f"not every source under the root was read: {incomplete[0]}{more}"
    return texts, problem


def _decode(raw: bytes) -> str:
    """UTF-8 text, BOM stripped, in NFC so that names compare as the file system's do."""
    text = raw.decode("utf-8", "replace").removeprefix("\ufeff")
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _nfc(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFC", text)


# -- literal names: one index of words per root ------------------------------------------

#: A run of characters a file name can hold, between Go or Ruby punctuation.
_WORD = re.compile(r"""[^\s"'`()\[\]{},;:+*=<>!&|^%\\?]+""")
_NOT_ALNUM = re.compile(r"[\W_]")
#: Longer words (embedded data) are searched with ``in``, not split at every boundary.
_LONG_WORD = 4096


@dataclass
class _Words:
    """Every distinct word of a set of sources, each with the first source holding it."""

    short: dict[str, str] = field(default_factory=dict)
    long: dict[str, str] = field(default_factory=dict)

    def add(self, text: str, source: str) -> None:
        words = set(_WORD.findall(text))
        new = words.difference(self.short, self.long)
        long = {word for word in new if len(word) > _LONG_WORD}
        self.short.update(dict.fromkeys(new - long, source))
        self.long.update(dict.fromkeys(long, source))

    def find(self, keys: set[str]) -> dict[str, str]:
        """The keys found in a word between boundaries (a word's ends, or beside a
        character that is not a letter or digit), each with the source naming it.

        One pass over the distinct words, whatever the number of keys: each word is cut
        at its boundaries, and each cut no longer than the longest key is looked up.
        """
        found: dict[str, str] = {}
        if not keys:
            return found
        longest = max(map(len, keys))
        for word, source in self.short.items():
            if len(word) <= longest and word in keys:
                found.setdefault(word, source)
            marks = [m.start() for m in _NOT_ALNUM.finditer(word)]
            if not marks:
                continue
            bounds = sorted({0, len(word), *marks, *(m + 1 for m in marks)})
            for at, start in enumerate(bounds):
                limit = bisect.bisect_right(bounds, start + longest, at + 1)
                for end in bounds[at + 1 : limit]:
                    piece = word[start:end]
                    if piece in keys:
                        found.setdefault(piece, source)
        for word, source in self.long.items():
            for key in keys:
                if key not in found and key in word:
                    found[key] = source
        return found


def _has_separator(key: str) -> bool:
    """A key a word cannot hold (a space, a quote): the word index cannot tell."""
    return _WORD.fullmatch(key) is None


# -- names built at run time -------------------------------------------------------------

#: Elements of a name built at run time: ("fixed", text), ("wild", ""), ("test", "")
#: (``t.Name()``: the name of an existing test).
_Element = tuple[str, str]
_WILD: _Element = ("wild", "")
_TEST: _Element = ("test", "")
_VERB = re.compile(
    r"%(?:%|[-+# 0]*(?:\[\d+\])?(?:\*|\d+)?(?:\.(?:\[\d+\])?(?:\*|\d+)?)?(?:\[\d+\])?[A-Za-z])"
)
_T_NAME = re.compile(
    r"(?:(?:t|b|tb|f)|(?:\w+\.)?T\(\))\.Name\(\)"
    r"|strings\.Replace(?:All)?\(\s*(?:(?:t|b|tb|f)|(?:\w+\.)?T\(\))\.Name\(\)\s*,"
    r"""\s*"/"\s*,\s*"_"\s*(?:,\s*-1\s*)?\)"""
)


@functools.lru_cache(maxsize=65536)  # t.Errorf("got %v, want %v", ...) recurs
def _format_elements(token: str, arguments: tuple[str, ...] | None) -> tuple[_Element, ...]:
    """A string literal (its source ``token``) as elements: its text, each ``%`` verb a
    wildcard, or ``t.Name()`` when its argument is (only when the arguments map to the
    verbs plainly)."""
    value = _go_string(token)
    elements: list[_Element] = []
    at = 0
    plain = arguments is not None and not any(
        "[" in m.group() or "*" in m.group() for m in _VERB.finditer(value)
    )
    index = 0
    for match in _VERB.finditer(value):
        elements.append(("fixed", value[at : match.start()]))
        verb = match.group()
        at = match.end()
        if verb == "%%":
            elements.append(("fixed", "%"))
            continue
        argument = arguments[index] if plain and arguments and index < len(arguments) else ""
        index += 1
        is_name = verb[-1] in "sv" and _T_NAME.fullmatch(argument) is not None
        elements.append(_TEST if is_name else _WILD)
    elements.append(("fixed", value[at:]))
    return tuple(elements)


_GO_LEX = re.compile(
    r'//[^\n]*|/\*.*?(?:\*/|\Z)|"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'', re.S
)
_GO_ESCAPE = re.compile(
    r"\\(?:([abfnrtv\\'\"])|x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3}))"
)
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}


def _go_string(token: str) -> str:
    """The value of a Go string literal (interpreted or raw)."""
    if token.startswith("`"):
        return token[1:-1].replace("\r", "")

    def escape(match: re.Match[str]) -> str:
        simple, two, four, eight, octal = match.groups()
        if simple:
            return _ESCAPES.get(simple, simple)
        return chr(int(two or four or eight, 16)) if not octal else chr(int(octal, 8))

    return _GO_ESCAPE.sub(escape, token[1:-1])


_PLUS_AFTER = re.compile(r"\s*\+(?![+=])\s*")
_QUOTE_PLUS = re.compile(r"[\"`]\s*\+(?![+=])")
_PLUS_QUOTE = re.compile(r"(?<!\+)\+=?\s*[\"`]")
_SPACES = re.compile(r"\s*")


class _GoScanner:
    """String literals of one Go source and the names built from them at run time.

    The source is lexed once (comments, strings, runes) by one regex; only literals
    beside a ``+`` or holding a ``%`` are looked at further.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        spans = [m.span() for m in _GO_LEX.finditer(text) if text[m.start()] in '"`']
        self.starts = dict(spans)
        self.ends = {end: start for start, end in spans}
        before_plus = {m.start() + 1 for m in _QUOTE_PLUS.finditer(text)}
        after_plus = {m.end() - 1 for m in _PLUS_QUOTE.finditer(text)}
        self.candidates = [
            (start, end)
            for start, end in spans
            if end in before_plus or start in after_plus or text.find("%", start, end) >= 0
        ]

    def _plus_after(self, end: int) -> int | None:
        """The start of the operand after a binary ``+`` following ``end``, else None."""
        match = _PLUS_AFTER.match(self.text, end)
        return match.end() if match else None

    def _plus_before(self, start: int) -> int | None:
        """The index of a ``+`` (or ``+=``) just before ``start``, else None."""
        raw = self.text[max(0, start - 256) : start]
        window = raw.rstrip()
        at = start - len(raw) + len(window)  # just after the last character before start
        if window.endswith("+=") and not window.endswith("++="):
            return at - 2
        if window.endswith("+") and not window.endswith("++"):
            return at - 1
        return None

    def _operand_end(self, start: int) -> int:
        """The end of the operand (a primary expression) starting at ``start``."""
        text = self.text
        at, depth = start, 0
        while at < len(text):
            if at in self.starts:
                at = self.starts[at]
                continue
            char = text[at]
            if char in "([":
                depth += 1
            elif char in ")]":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and not (char.isalnum() or char in "_."):
                break
            at += 1
        return at

    def _operand_start(self, end: int) -> int:
        """The start of the operand (a primary expression) ending at ``end``."""
        text = self.text
        at, depth = end, 0
        while at > 0:
            if at in self.ends:
                at = self.ends[at]
                continue
            char = text[at - 1]
            if char in ")]":
                depth += 1
            elif char in "([":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and not (char.isalnum() or char in "_."):
                break
            at -= 1
        return at

    def _arguments(self, end: int) -> tuple[str, ...] | None:
        """The arguments following a format literal that ends at ``end`` (``, a, b)``),
        looked for only when a ``Name()`` call follows closely."""
        text = self.text
        spaces = _SPACES.match(text, end)
        at = spaces.end() if spaces else end
        line_end = text.find("\n", at)
        if text[at : at + 1] != "," or text.find("Name()", at, line_end) < 0:
            return None  # no t.Name() among the arguments on this line
        arguments: list[str] = []
        at += 1
        start, depth = at, 0
        while at < len(text):
            if at in self.starts:
                at = self.starts[at]
                continue
            char = text[at]
            if char in "([{":
                depth += 1
            elif char in ")]}" and depth:
                depth -= 1
            elif char in ",)]}":  # at depth 0: an argument ends
                arguments.append(text[start:at].strip())
                if char != ",":
                    return tuple(arguments)
                start = at + 1
            at += 1
        return tuple(arguments)

    def _operand(self, start: int, end: int) -> _Element:
        return _TEST if _T_NAME.fullmatch(self.text[start:end].strip()) else _WILD

    def built_names(self) -> list[tuple[_Element, ...]]:
        """Each ``+`` chain holding a string literal, and each literal holding a ``%``
        verb, as elements (literal text, wildcards, ``t.Name()``)."""
        names: list[tuple[_Element, ...]] = []
        covered: set[int] = set()
        text = self.text
        for start, end in self.candidates:
            if start in covered:
                continue
            before = self._plus_before(start)
            after = self._plus_after(end)
            if before is None and after is None and not _VERB.search(text, start, end):
                continue
            elements: list[_Element] = []
            if before is not None:  # the operand before the +: t.Name(), or a wildcard
                stop = before
                while stop > 0 and text[stop - 1].isspace():
                    stop -= 1
                left = self._operand_start(stop)
                if left == stop or self._plus_before(left) is not None:
                    elements.append(_WILD)
                if left < stop:
                    elements.append(self._operand(left, stop))
            at: int | None = start
            while at is not None:
                if at in self.starts:
                    stop = self.starts[at]
                    covered.add(at)
                    token = text[at:stop]
                    elements.extend(_format_elements(token, self._arguments(stop)))
                else:
                    stop = self._operand_end(at)
                    if stop == at:
                        elements.append(_WILD)
                        break
                    elements.append(self._operand(at, stop))
                at = self._plus_after(stop)
            names.append(tuple(elements))
        return names


@functools.lru_cache(maxsize=65536)
def _normalized(elements: tuple[_Element, ...]) -> tuple[_Element, ...] | None:
    """A built name's elements as far as they make a stem, or None when they tell
    nothing (no letter or digit of their own, no ``t.Name()``: ``"testdata/" + name``).

    Adjacent fixed parts are merged, a leading directory up to ``testdata/`` and a
    trailing recording suffix dropped: they are not part of a stem.
    """
    merged: list[_Element] = []
    for kind, text in elements:
        if kind == "fixed" and not text:
            continue
        if merged and kind == "fixed" and merged[-1][0] == "fixed":
            merged[-1] = ("fixed", merged[-1][1] + text)
        elif not (merged and kind == "wild" and merged[-1] == _WILD):
            merged.append((kind, text))
    if merged and merged[0][0] == "fixed" and "testdata/" in merged[0][1]:
        merged[0] = ("fixed", merged[0][1].rsplit("testdata/", 1)[1])
    if merged and merged[-1][0] == "fixed":
        for suffix in _SUFFIXES:
            if merged[-1][1].endswith(suffix):
                merged[-1] = ("fixed", merged[-1][1][: -len(suffix)])
                break
    merged = [(kind, text) for kind, text in merged if kind != "fixed" or text]
    telling = any(kind == "test" or any(c.isalnum() for c in text) for kind, text in merged)
    return tuple(merged) if telling else None


#: What ``t.Name()`` gives, loosely (every test function's name starts with ``Test``).
_ANY_TEST = r"Test\w*(?:[/_].*)?"
_START = r"(?:^|(?<=[/_.\- ]))"
_END = r"(?=$|[/_.\-])"


@dataclass(frozen=True)
class _Builder:
    """A name built at run time, as regexes over a recording's stem.

    ``anywhere`` matches from a boundary; ``t.Name()`` stands for any ``Test`` name
    there. A name that starts with ``t.Name()`` cannot match at the stem's start
    (``anywhere`` excludes it): there ``after`` is tried right after each existing test
    function the stem starts with, so that ``t.Name() + "_gpt4"`` gives no doubt about
    ``TestGone_gpt4`` when no ``TestGone`` exists.
    """

    anywhere: re.Pattern[str]
    after: re.Pattern[str] | None
    source: str

    @classmethod
    def of(cls, elements: tuple[_Element, ...], source: str) -> _Builder:
        def body(parts: tuple[_Element, ...]) -> str:
            return "".join(
                re.escape(text) if kind == "fixed" else _ANY_TEST if kind == "test" else ".*"
                for kind, text in parts
            )

        if elements[0] != _TEST:
            return cls(re.compile(f"{_START}(?:{body(elements)}){_END}", re.S), None, source)
        anywhere = re.compile(rf"(?<=[/_.\- ])(?:{body(elements)}){_END}", re.S)
        after = re.compile(f"(?:[/_].*)?(?:{body(elements[1:])}){_END}", re.S)
        return cls(anywhere, after, source)

    def could_give(self, stem: str, functions: list[str]) -> bool:
        """Whether the name could be ``stem`` or a part of it (``functions``: the
        existing test functions ``stem`` starts with)."""
        if self.anywhere.search(stem):
            return True
        return self.after is not None and any(self.after.match(stem, len(f)) for f in functions)


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
    words: _Words = field(default_factory=_Words)
    built: dict[tuple[_Element, ...], str] = field(default_factory=dict)  # -> its source
    _compiled: list[_Builder] | None = None

    def add(self, rel: str, text: str) -> None:
        self.words.add(text, rel)
        for built in _GoScanner(text).built_names():
            elements = _normalized(built)
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
                subtest = _rewrite(_go_string(match.group(1)))
                self.subtests.setdefault(definitions[owner][1], set()).add(subtest)

    def owner(self, first: str) -> str | None:
        """The test function a name's first segment starts with (the longest)."""
        if first in self.functions:
            return first
        cuts = [m.start() for m in re.finditer("_", first)]
        return next((first[:c] for c in reversed(cuts) if first[:c] in self.functions), None)

    def builders(self) -> list[_Builder]:
        """The names built at run time, compiled once."""
        if self._compiled is None:
            self._compiled = [_Builder.of(name, source) for name, source in self.built.items()]
        return self._compiled


_go_cache: dict[str, tuple[_Stamp, _GoIndex]] = {}


def _go_index(root: str) -> _GoIndex:
    """The index of the Go sources under ``root``, read once while none changes."""
    stamp = _walk(root, ".go")
    cached = _go_cache.get(root)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    texts, problem = _read(root, stamp)
    index = _GoIndex(problem=problem)
    for rel, text in texts:
        index.add(rel, text)
    _go_cache.clear()  # one root at a time: prune judges one
    _go_cache[root] = (stamp, index)
    return index


def _go_package(path: str) -> tuple[str, str, str] | None:
    """(package directory, the recording's path under testdata without its suffix,
    its suffix)."""
    parts = os.path.abspath(path).split(os.sep)
    if "testdata" not in parts[:-1]:
        return None
    at = len(parts) - 2 - parts[:-1][::-1].index("testdata")
    stem = "/".join(parts[at + 1 :])
    suffix = next((s for s in _SUFFIXES if stem.endswith(s) and stem != s), "")
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
    index = _go_index(root)
    located = [(path, _go_package(path)) for path in paths]
    keys: set[str] = set()
    for _, place in located:
        if place is not None:
            _, stem, suffix = place
            base = stem.rsplit("/", 1)[-1]
            first = stem.split("/", 1)[0]
            prefixes = _prefixes(first) if first.startswith("Test") else []
            keys.update(map(_nfc, (base + suffix, stem, base, *prefixes)))
    named = index.words.find({key for key in keys if not _has_separator(key)})
    above: dict[str, bool] = {}
    verdicts = []
    for path, place in located:
        if place is None:
            verdicts.append(Verdict(path, None, why="not under testdata/"))
            continue
        package, stem, suffix = place
        stem = _nfc(stem)
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
    if any(_has_separator(key) for key in (base + suffix, stem)):
        return "its name holds characters the source search cannot match"
    prefix = next((p for p in _prefixes(first) if _nfc(p) in named), None)
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


_ruby_cache: dict[str, tuple[_Stamp, _RubyIndex]] = {}


def _ruby_index(root: str) -> _RubyIndex:
    stamp = _walk(root, ".rb")
    cached = _ruby_cache.get(root)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    texts, problem = _read(root, stamp)
    index = _RubyIndex(problem=problem)
    for rel, text in texts:
        index.add(rel, text)
    _ruby_cache.clear()
    _ruby_cache[root] = (stamp, index)
    return index


def judge_ruby(paths: Iterable[str], root: str) -> list[Verdict]:
    """Live when a Ruby source spells the cassette's name (a string literal equal to a
    trailing part of its path without suffix: ``"chat/gpt-4"``, ``"gpt-4"``), or when
    RSpec ``vcr: true`` descriptions give its last two or more parts; unmapped
    otherwise, never stale: a cassette's name can come from anywhere."""
    index = _ruby_index(root)
    verdicts = []
    for path in paths:
        rel = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
        stem = _nfc(next((rel[: -len(s)] for s in (".yml", ".yaml") if rel.endswith(s)), rel))
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
