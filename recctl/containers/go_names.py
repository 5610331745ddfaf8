"""Names a Go source could build at run time (``"Test" + name``,
``fmt.Sprintf("Test%s", p)``, ``t.Name() + "_gpt4"``): Go's string literals and
concatenations read as fixed parts and wildcards, and each built name as patterns over
a recording's stem (``testsource``: a recording such a name could be is never stale)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

#: The suffixes of the recordings a Go test names (left out of a built name's end).
SUFFIXES = (".httprr.gz", ".httprr", ".yaml", ".yml")
# -- names built at run time -------------------------------------------------------------

#: Elements of a name built at run time: ("fixed", text), ("wild", ""), ("test", "")
#: (``t.Name()``: the name of an existing test).
Element = tuple[str, str]
_WILD: Element = ("wild", "")
_TEST: Element = ("test", "")
_VERB = re.compile(
    r"%(?:%|[-+# 0]*(?:\[\d+\])?(?:\*|\d+)?(?:\.(?:\[\d+\])?(?:\*|\d+)?)?(?:\[\d+\])?[A-Za-z])"
)
_T_NAME = re.compile(
    r"(?:(?:t|b|tb|f)|(?:\w+\.)?T\(\))\.Name\(\)"
    r"|strings\.Replace(?:All)?\(\s*(?:(?:t|b|tb|f)|(?:\w+\.)?T\(\))\.Name\(\)\s*,"
    r"""\s*"/"\s*,\s*"_"\s*(?:,\s*-1\s*)?\)"""
)


@functools.lru_cache(maxsize=65536)  # t.Errorf("got %v, want %v", ...) recurs
def _format_elements(token: str, arguments: tuple[str, ...] | None) -> tuple[Element, ...]:
    """A string literal (its source ``token``) as elements: its text, each ``%`` verb a
    wildcard, or ``t.Name()`` when its argument is (only when the arguments map to the
    verbs plainly)."""
    value = go_string(token)
    elements: list[Element] = []
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


def go_string(token: str) -> str:
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


class GoScanner:
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

    def _operand(self, start: int, end: int) -> Element:
        return _TEST if _T_NAME.fullmatch(self.text[start:end].strip()) else _WILD

    def built_names(self) -> list[tuple[Element, ...]]:
        """Each ``+`` chain holding a string literal, and each literal holding a ``%``
        verb, as elements (literal text, wildcards, ``t.Name()``)."""
        names: list[tuple[Element, ...]] = []
        covered: set[int] = set()
        text = self.text
        for start, end in self.candidates:
            if start in covered:
                continue
            before = self._plus_before(start)
            after = self._plus_after(end)
            if before is None and after is None and not _VERB.search(text, start, end):
                continue
            elements: list[Element] = []
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
def normalized(elements: tuple[Element, ...]) -> tuple[Element, ...] | None:
    """A built name's elements as far as they make a stem, or None when they tell
    nothing (no letter or digit of their own, no ``t.Name()``: ``"testdata/" + name``).

    Adjacent fixed parts are merged, a leading directory up to ``testdata/`` and a
    trailing recording suffix dropped: they are not part of a stem.
    """
    merged: list[Element] = []
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
        for suffix in SUFFIXES:
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
class Builder:
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
    def of(cls, elements: tuple[Element, ...], source: str) -> Builder:
        def body(parts: tuple[Element, ...]) -> str:
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
