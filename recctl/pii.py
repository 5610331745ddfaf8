"""RC208: personal data in recorded calls, e-mail addresses and phone numbers (opt-in).

``find_pii`` looks in what the replayer sees of each exchange: the URL, both sides'
headers and text or JSON bodies (a binary body, an image or audio, is not read),
and a stream's events. Left out: addresses at the reserved example domains (RFC
2606 and 6761: ``example.com``, ``.net``, ``.org`` and their subdomains; the
``.example``, ``.test``, ``.invalid`` and ``.localhost`` names) and what looks like a
file name (``icon@2x.png``); numbers in the ranges kept for fiction and tests
(North America's 555-0100 to 555-0199, which the fakes use in every length;
Ofcom's drama numbers, London 020 7946 0xxx and mobile 07700 900xxx) and
placeholders of one or two digits repeated or counted up (``123-456-7890``).

A phone number is what is written as one: ``+`` and 8 to 15 digits, with or without
separators, or a North American number with its separators (``(415) 555-2671``,
``415-555-2671``, ``415.555.2671``). A run of digits alone is an id or a time, never
a number. ``fake`` gives each value its stand-in: an address at ``example.com``, a
number of the same format in the fictional range, the same for one value in every
file and every run (SHA-256 of the value), so tests that compare values keep passing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from recctl.exchange import Exchange, Place, RecordedFile
from recctl.findings import Finding, json_path
from recctl.values import Joined

_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![\w-])"
)
_RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
_RESERVED_TLDS = frozenset({"example", "test", "invalid", "localhost", "local"})
#: What follows ``@`` in a file name, not an address (``icon@2x.png``).
_FILE_SUFFIXES = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "js", "mjs", "ts", "css", "html", "json"}
)
_PHONE = re.compile(
    r"(?<![\w+.])(?:"
    r"\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){1,2}(?:[ .-]?\d{2,4}){1,4}"  # +44 20 7946 0958
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]\d{4}"  # (415) 555-2671
    r"|\d{3}([ .-])\d{3}\1\d{4}"  # 415-555-2671
    r")(?![\w.]?\d)"
)
_TEST_LINE = re.compile(r"55501\d\d$")  # NANP's fictional 555-01XX, the fakes' range
_TEST_UK = re.compile(r"^(?:44|0)(?:2079460\d{3}|7700900\d{3})$")


class Personal(NamedTuple):
    place: Place
    value: str
    kind: str  # "email" or "phone"


def is_email(value: str) -> bool:
    """An address whose domain is not reserved for examples, nor a file name's suffix."""
    match = _EMAIL.fullmatch(value)
    if match is None:
        return False
    domain = match.group(1).lower()
    tld = domain.rsplit(".", 1)[-1]
    if tld in _RESERVED_TLDS or tld in _FILE_SUFFIXES:
        return False
    return not any(domain == d or domain.endswith("." + d) for d in _RESERVED_DOMAINS)


def is_phone(value: str) -> bool:
    """A number written as a phone number, not in a range kept for fiction and tests."""
    digits = re.sub(r"\D", "", value)
    if not 8 <= len(digits) <= 15:
        return False
    if not value.startswith("+") and len(digits) != 10:
        return False
    if _TEST_LINE.search(digits) or _TEST_UK.match(digits):
        return False
    if len(set(digits)) <= 2:
        return False
    counted = "01234567890123456789"
    return digits not in counted and digits[::-1] not in counted


def find_pii(file: RecordedFile) -> Iterator[Personal]:
    """Every address and number in a file, in exchange order (found twice, twice)."""
    for exchange in file.exchanges:
        pieces = list(_pieces(exchange))
        if not pieces:
            continue
        joined = Joined([text for _, text in pieces])
        found: list[tuple[int, str, str]] = []
        if "@" in joined.text:
            found += [(m.start(), m.group(0), "email") for m in _EMAIL.finditer(joined.text)]
        found += [(m.start(), m.group(0), "phone") for m in _PHONE.finditer(joined.text)]
        for start, value, kind in sorted(found):
            if (is_email if kind == "email" else is_phone)(value):
                yield Personal(pieces[joined.piece(start)][0], value, kind)


def _pieces(exchange: Exchange) -> Iterator[tuple[Place, str]]:
    """(place, text) of every string of an exchange a person could have written into."""
    from recctl.secrets import strings

    request, response = exchange.request, exchange.response
    yield (*request.place, exchange.url_key), exchange.url
    for side in (request, response):
        for name, values in side.headers.items():
            written, listed = side.written.get(name, (name, False))
            for position, value in enumerate(values):
                yield (*side.place, "headers", written, *([position] if listed else [])), value
        body = side.body
        if isinstance(body, (str, dict, list)):
            at: Place = (*side.place, side.body_key)
            yield from (((*at, *parts), text) for parts, text in _strings(body, strings))
    if exchange.events:
        at = (*response.place, response.body_key)
        yield from (((*at, *parts), text) for parts, text in _strings(exchange.events, strings))


def _strings(value: Any, strings: Any) -> Iterator[tuple[Place, str]]:
    if isinstance(value, str):
        yield (), value
    else:
        yield from strings(value)


def fake(value: str, kind: str) -> str:
    """The stand-in of an address or a number: the same for one value, always."""
    seed = hashlib.sha256(f"recctl-pii\0{value}".encode("utf-8", "surrogatepass")).hexdigest()
    if kind == "email":
        return f"user-{seed[:8]}@example.com"
    digits = [c for c in value if c.isdigit()]
    stream = iter(str(int(seed, 16)))
    made = []
    for position in range(len(digits) - 7):
        if position == 0 and digits[0] in "01":
            made.append(digits[0])  # a trunk prefix or NANP's country code kept
        else:
            made.append(str(2 + int(next(stream)) % 8) if position == 0 else next(stream))
    made += [*"55501", next(stream), next(stream)]
    out, index = [], 0
    for character in value:
        if character.isdigit():
            out.append(made[index])
            index += 1
        else:
            out.append(character)
    return "".join(out)


def shown(value: str) -> str:
    """An address or a number as output may show it: its first characters, its length."""
    return f"{value[:2]}…({len(value)} chars)"


def check_pii(file: RecordedFile) -> list[Finding]:
    """RC208 findings: one per value, at the first place it is found, never in full."""
    from recctl.baseline import digest

    findings: list[Finding] = []
    seen: set[str] = set()
    for found in find_pii(file):
        if found.value in seen:
            continue
        seen.add(found.value)
        what = "an e-mail address" if found.kind == "email" else "a phone number"
        findings.append(
            Finding(
                file.path,
                json_path(list(found.place)),
                "RC208",
                f"{what} {shown(found.value)}: personal data; recctl scrub --pii "
                "replaces it with a consistent fake",
                digest=digest(found.value),
            )
        )
    return findings
