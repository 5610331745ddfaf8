"""What a credential looks like, and how every output shows one: masked.

One place for the key shapes, the credential keys and the placeholders: RC203
finds with them, and every renderer masks with them. A credential is shown as
its first characters and its length (``sk-pro…(164 chars)``), never in full:

``mask_text`` and ``mask_bytes`` are the net under every output (text lines,
annotations, Markdown, JSON): key shapes, ``Bearer <token>``, and ``name: value``
or ``name=value`` where the name is a credential key.

The net's patterns are compiled at first use: start-up never pays for them.
"""

from __future__ import annotations

import functools
import re
from typing import Any, NamedTuple

#: Keys whose value is a credential (compared lower-cased); names ending in one of
#: ``CREDENTIAL_SUFFIXES`` are credential keys too, whatever the vendor prefix.
SECRET_KEYS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "api-key",
        "api_key",
        "apikey",
        "x-api-key",
        "x-goog-api-key",
        "openai_api_key",
        "anthropic_api_key",
        "access_token",
        "secret_key",
    }
)
CREDENTIAL_SUFFIXES = ("api-key", "api_key", "-token", "-secret", "_secret")

#: Key shapes, with nothing of a token around them (so not inside base64 data or a
#: longer token, nor after a slash as in a URL slug).
KEY_SHAPES = (
    r"(?<![A-Za-z0-9+/=_-])("
    r"sk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{20,}"
    r"|AIza[0-9A-Za-z_-]{35}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|ghp_[A-Za-z0-9]{36}"
    r"|github_pat_[A-Za-z0-9_]{40,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|phc_[A-Za-z0-9]{30,}"
    r")(?![A-Za-z0-9+/=_])"
)
PLACEHOLDER = (
    r"(?i)fake|dummy|example|placeholder|redacted|changeme|your[-_ ]|xxxx|\*\*\*|test|"
    r"^none$|^null$|^<.*>$|^\$\{.*\}$|^\$[A-Z_]+$"
)

# The net finds where a credential may start with memory-speed substring searches
# (``str.find`` on the lower-cased text), then matches a small pattern there: a
# regular expression scanned over every position ran at 5 to 40 MB/s.
_SHAPE_PREFIXES = ("sk-", "aiza", "akia", "asia", "ghp_", "github_pat_", "xox", "phc_")
#: Names whose value is a credential, as they end (a vendor prefix may come before).
_KEY_ENDINGS = (
    # the credential keys and suffixes of ``is_credential_key``, and query parameters
    "authorization",
    "api-key",
    "api_key",
    "apikey",
    "-token",
    "-secret",
    "_secret",
    "secret_key",
    "access_token",
    "?key",
    "&key",
    "?token",
    "&token",
)
#: After a credential name: a closing quote, ``:`` or ``=``, an opening quote, a scheme.
_VALUE = (
    r"""(?:\\?["'])?[ ]*[:=][ ]*(?:\\?["'])?(?i:(?:bearer|basic|token)[ ]+)?"""
    r"""([^\s"'&,;<>\\)\]}]{8,})"""
)
_SCHEMES = ("bearer ", "basic ", "token ")
_TOKEN = r"[ ]*([A-Za-z0-9._~+/=-]{16,})"


@functools.lru_cache(maxsize=4096)  # a file repeats its keys thousands of times
def is_credential_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in SECRET_KEYS or lowered.endswith(CREDENTIAL_SUFFIXES)


def credential(value: str) -> str:
    """The credential in a header value: ``Bearer abc`` -> ``abc``."""
    token = value.strip()
    scheme, _, rest = token.partition(" ")
    if scheme.lower() in {"bearer", "basic", "token"} and rest.strip():
        return rest.strip()
    return token


def looks_real(value: str) -> bool:
    """A credential-like value: long, no spaces, letters and digits, not a placeholder."""
    token = credential(value)
    return (
        len(token) >= 16
        and not any(ch.isspace() for ch in token)
        and any(ch.isdigit() for ch in token)
        and any(ch.isalpha() for ch in token)
        and len(set(token)) > 4
        and not re.search(PLACEHOLDER, token)
    )


def redact(secret: str) -> str:
    """A secret as it may be shown: its first characters and its length."""
    return f"{secret[:6]}…({len(secret)} chars)"


def mask_text(text: str) -> str:
    """``text`` with every credential the net recognizes shown masked."""
    spans = _secrets(text, text.lower(), _net(str))
    if not spans:
        return text
    masked: str = _redacted(text, spans, redact)
    return masked


def mask_bytes(data: bytes) -> bytes:
    """``mask_text`` for UTF-8 output (JSON documents), on the bytes themselves."""
    spans = _secrets(data, data.lower(), _net(bytes))
    if not spans:
        return data
    masked: bytes = _redacted(data, spans, lambda secret: redact(secret.decode()).encode())
    return masked


class _Net(NamedTuple):
    """The net's needles and patterns, for ``str`` or for ``bytes``."""

    shapes: tuple[Any, ...]
    shape: re.Pattern[Any]
    keys: tuple[Any, ...]
    value: re.Pattern[Any]
    schemes: tuple[Any, ...]
    token: re.Pattern[Any]
    after_key: Any  # what may follow a credential name: a quote, a space, ``:``, ``=``


@functools.cache  # compiled at first use: most runs print no text that needs it
def _net(kind: type) -> _Net:
    """The net for ``str`` or for ``bytes``."""
    if kind is str:
        return _Net(
            _SHAPE_PREFIXES,
            re.compile(KEY_SHAPES),
            _KEY_ENDINGS,
            re.compile(_VALUE),
            _SCHEMES,
            re.compile(_TOKEN),
            frozenset("\"' :=\\"),
        )
    return _Net(
        tuple(n.encode() for n in _SHAPE_PREFIXES),
        re.compile(KEY_SHAPES.encode()),
        tuple(n.encode() for n in _KEY_ENDINGS),
        re.compile(_VALUE.encode()),
        tuple(n.encode() for n in _SCHEMES),
        re.compile(_TOKEN.encode()),
        frozenset(b"\"' :=\\"),
    )


def _secrets(text: Any, lowered: Any, net: _Net) -> list[tuple[int, int]]:
    """The spans of the credentials in ``text`` (str or bytes, with its lower-cased twin)."""
    spans: list[tuple[int, int]] = []

    def real(found: Any) -> bool:
        secret = found.group(1)
        return looks_real(secret if isinstance(secret, str) else secret.decode("latin-1"))

    for needle in net.shapes:
        at = lowered.find(needle)
        while at != -1:
            found = net.shape.match(text, at)
            if found is not None and real(found):
                spans.append(found.span(1))
            at = lowered.find(needle, at + 1)
    for needles, pattern, checked in ((net.keys, net.value, True), (net.schemes, net.token, False)):
        for needle in needles:
            at = lowered.find(needle)
            while at != -1:
                end = at + len(needle)
                if not checked or (end < len(text) and text[end] in net.after_key):
                    found = pattern.match(text, end)
                    if found is not None and real(found):
                        spans.append(found.span(1))
                at = lowered.find(needle, end)
    return spans


def _redacted(text: Any, spans: list[tuple[int, int]], hide: Any) -> Any:
    parts, end = [], 0
    for start, stop in sorted(spans):
        if start < end:
            continue  # found twice (a key shape under a credential name)
        parts += [text[end:start], hide(text[start:stop])]
        end = stop
    return text[:0].join(parts) + text[end:]
