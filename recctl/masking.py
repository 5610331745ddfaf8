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
from collections.abc import Iterable
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
        "refresh_token",
        "id_token",
        "session_token",
        "secret_key",
        "client_secret",
        "password",
        "x-amz-security-token",
        "aws_secret_access_key",
    }
)
CREDENTIAL_SUFFIXES = ("api-key", "api_key", "-token", "_token", "-secret", "_secret")

#: Key shapes: the vendors' prefixes with their lengths, with nothing of a token
#: around them (so not inside base64 data or a longer token, nor after a slash as in
#: a URL slug; after ``=`` as in a query, and a word diff's ``[-`` and ``{+``
#: markers, it may start).
KEY_SHAPES = (
    r"(?:(?<=\[-)|(?<=\{\+)|(?<![A-Za-z0-9+/_-]))("
    r"sk-(?:proj-|ant-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}"
    r"|AIza[0-9A-Za-z_-]{35}"
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"
    r"|ghp_[A-Za-z0-9]{36}"
    r"|github_pat_[A-Za-z0-9_]{40,}"
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"
    r"|phc_[A-Za-z0-9]{30,}"
    r"|hf_[A-Za-z0-9]{30,}"
    r"|gsk_[A-Za-z0-9]{40,}"
    r"|xai-[A-Za-z0-9]{40,}"
    r"|ya29\.[A-Za-z0-9_-]{20,}"
    r"|1//0[A-Za-z0-9_-]{30,}"
    r"|eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
    r")(?:(?=\+\})|(?![A-Za-z0-9+/=_]))"
)
#: What a stand-in for a credential looks like: words that say so, runs of X or *,
#: all zeros, a template (``<KEY>``, ``${KEY}``, ``$KEY``).
PLACEHOLDER = (
    r"(?i)fake|dummy|example|placeholder|redacted|filtered|changeme|your[-_ ]|xxxx|"
    r"(?-i:X{3,})|\*\*\*|test|^none$|^null$|^0+$|<[^<>]*>|^\$\{.*\}$|^\$[A-Z_]+$"
)

# The net finds where a credential may start with memory-speed substring searches
# (``str.find`` on the lower-cased text), then matches a small pattern there: a
# regular expression scanned over every position ran at 5 to 40 MB/s.
_SHAPE_PREFIXES = (
    "sk-", "aiza", "akia", "asia", "ghp_", "github_pat_", "xox", "phc_", "hf_", "gsk_",
    "xai-", "ya29.", "1//0", "eyj",
)  # fmt: skip
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


def shaped(value: str) -> bool:
    """A key shape's match that is a credential: not a placeholder, not one character
    repeated (a vendor's shape needs no digit: a real Google key may have none)."""
    body = value[4:]
    return len(set(body)) > 4 and not re.search(PLACEHOLDER, value)


def looks_real(value: str) -> bool:
    """A credential-like value: long, no spaces, letters and digits (or a vendor's key
    shape, which needs no digit), not a placeholder."""
    token = credential(value)
    if _whole_shape().fullmatch(token):
        return shaped(token)
    return (
        len(token) >= 16
        and not any(ch.isspace() for ch in token)
        and any(ch.isdigit() for ch in token)
        and any(ch.isalpha() for ch in token)
        and len(set(token)) > 4
        and not re.search(PLACEHOLDER, token)
    )


#: ``OPENAI_KEY=...``: an environment variable's name, as text quotes one.
_ENV_NAMES = ("_KEY", "_TOKEN", "_SECRET", "_PASSWORD")
_ENV = (
    r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]*_(?:KEY|TOKEN|SECRET|PASSWORD)[ ]*[=:][ ]*[\"']?"
    r"([^\s\"'&,;<>\\)\]}]{8,})"
)


def credential_spans(text: str, names: bool = True) -> list[tuple[int, int]]:
    """Where each credential the net recognizes is in ``text`` (what ``mask_text``
    masks): key shapes, ``NAME_KEY=value``, and with ``names`` values after a
    credential name and ``Bearer`` tokens; memory-speed pre-tests first."""
    return _secrets(text, text.lower(), _net(str), names)


def may_hold_shapes(data: bytes, names: bool = True) -> bool:
    """Whether JSON text may hold a credential the net recognizes once decoded: the
    start of a key shape (which the pieces of a stream may complete), an
    environment variable's name (``OPENAI_KEY=``), a ``\\u`` escape that could hide
    either; with ``names``, a credential after any credential name (the escapes
    that end a line or a quote read as spaces, so that nothing they hide is
    missed). Each test is a scan at memory speed, led by a literal byte."""
    if has_shape_start(data) or _ENV_NAME.search(data) or _ASCII_ESCAPE.search(data):
        return True
    if not names:
        return False
    for escape in (b"\\n", b"\\r", b"\\t", b'\\"'):
        data = data.replace(escape, b"  ")
    return bool(_secrets(data, data.lower(), _net(bytes)))


def has_shape_start(data: bytes) -> bool:
    """Whether ``data`` holds the start of a key shape (``KEY_SHAPES``)."""
    return any(start.search(data) for start in _shape_starts())


@functools.cache
def _shape_starts() -> tuple[re.Pattern[bytes], ...]:
    """How the key shapes start, grouped by their first byte: each pattern is one scan
    at memory speed (its literal first byte found in C), a third fewer than one per
    shape."""
    groups: dict[bytes, list[bytes]] = {}
    for start in _SHAPE_STARTS:
        groups.setdefault(start[:1], []).append(re.escape(start[1:]))
    return tuple(
        re.compile(re.escape(first) + b"(?:" + b"|".join(rests) + b")")
        for first, rests in groups.items()
    )


_ENV_NAME = re.compile(b"_(?:" + b"|".join(name[1:].encode() for name in _ENV_NAMES) + b")")
#: A JSON or YAML escape of an ASCII character (``sk-\\u0070roj``): others cannot
#: hide a key.
_ASCII_ESCAPE = re.compile(rb"\\(?:u00|x)[0-7]")
#: How each key shape starts (``KEY_SHAPES``), as written.
_SHAPE_STARTS = (
    b"sk-", b"AIza", b"AKIA", b"ASIA", b"ghp_", b"github_pat_", b"xox", b"phc_", b"hf_",
    b"gsk_", b"xai-", b"ya29.", b"1//0", b"eyJ",
)  # fmt: skip


@functools.cache
def _whole_shape() -> re.Pattern[str]:
    return re.compile(KEY_SHAPES)


def redact(secret: str) -> str:
    """A secret as it may be shown: its first characters and its length."""
    return f"{secret[:6]}…({len(secret)} chars)"


#: The credentials the detector found in the files this process read: every output
#: masks them by value, whatever surrounds them (``remember``).
_KNOWN: dict[str, None] = {}
#: The shortest part of a known credential that is masked where a display cut it.
_SHOWN_AT_MOST = 10


#: Each known credential's anchors (its head, middle and tail, ``_SHOWN_AT_MOST``
#: characters each) by their first four characters: (anchor, credential, offset).
_ANCHORS: dict[str, list[tuple[str, str, int]]] = {}


def remember(values: Iterable[str]) -> None:
    """Mask ``values`` (credentials found in a file) in every later output."""
    size = _SHOWN_AT_MOST
    for value in values:
        if len(value) >= size and value not in _KNOWN:
            _KNOWN[value] = None
            for offset in sorted({0, (len(value) - size) // 2, len(value) - size}):
                anchor = value[offset : offset + size]
                _ANCHORS.setdefault(anchor[:4], []).append((anchor, value, offset))


def forget() -> list[str]:
    """The credentials ``remember`` was given since the last call, forgotten here: a
    worker process sends them back with its results (``parallel``), and the parent
    masks them in what it prints."""
    found = list(_KNOWN)
    _KNOWN.clear()
    _ANCHORS.clear()
    return found


def mask_text(text: str) -> str:
    """``text`` with every known credential, and every one the net recognizes, shown
    masked."""
    if _KNOWN:
        text = _mask_known(text)
    spans = _secrets(text, text.lower(), _net(str))
    if not spans:
        return text
    masked: str = _redacted(text, spans, redact)
    return masked


def mask_bytes(data: bytes) -> bytes:
    """``mask_text`` for UTF-8 output (JSON documents), on the bytes themselves."""
    if _KNOWN:
        data = _mask_known(data)
    spans = _secrets(data, data.lower(), _net(bytes))
    if not spans:
        return data
    masked: bytes = _redacted(data, spans, lambda secret: redact(secret.decode()).encode())
    return masked


def _mask_known(text: Any) -> Any:
    """``text`` (str or UTF-8 bytes) with each known credential masked where it
    appears whole, or cut for display at either end or in the middle, as long as
    ``_SHOWN_AT_MOST`` of its characters show: a cut value never shows more than the
    mask does. Anchors (a credential's head, middle and tail) are looked up by the
    text's four-character pieces or found in it, whichever is fewer steps; from each
    anchor found, the run that matches the credential is masked."""
    as_text = text if isinstance(text, str) else text.decode("utf-8", "replace")
    if len(as_text) < len(_ANCHORS):
        heads = {as_text[at : at + 4] for at in range(len(as_text) - 3)} & _ANCHORS.keys()
    else:
        heads = {head for head in _ANCHORS if head in as_text}
    spans: list[tuple[int, int, str]] = []
    for head in heads:
        for anchor, written, offset in _ANCHORS[head]:
            at = as_text.find(anchor)
            while at != -1:
                start, end = at, at + len(anchor)
                base = at - offset  # where the whole credential would start
                while start > base and as_text[start - 1] == written[start - 1 - base]:
                    start -= 1
                while (
                    end - base < len(written)
                    and end < len(as_text)
                    and as_text[end] == written[end - base]
                ):
                    end += 1
                spans.append((start, end, written))
                at = as_text.find(anchor, end)
    if not spans:
        return text
    parts, end = [], 0
    for start, stop, secret in sorted(spans):
        if start < end:
            end = max(end, stop)
            continue
        parts += [as_text[end:start], redact(secret)]
        end = stop
    masked = "".join(parts) + as_text[end:]
    return masked if isinstance(text, str) else masked.encode()


class _Net(NamedTuple):
    """The net's needles and patterns, for ``str`` or for ``bytes``."""

    shapes: tuple[Any, ...]
    shape: re.Pattern[Any]
    keys: tuple[Any, ...]
    value: re.Pattern[Any]
    schemes: tuple[Any, ...]
    token: re.Pattern[Any]
    after_key: Any  # what may follow a credential name: a quote, a space, ``:``, ``=``
    env_names: tuple[Any, ...]
    env: re.Pattern[Any]


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
            _ENV_NAMES,
            re.compile(_ENV),
        )
    return _Net(
        tuple(n.encode() for n in _SHAPE_PREFIXES),
        re.compile(KEY_SHAPES.encode()),
        tuple(n.encode() for n in _KEY_ENDINGS),
        re.compile(_VALUE.encode()),
        tuple(n.encode() for n in _SCHEMES),
        re.compile(_TOKEN.encode()),
        frozenset(b"\"' :=\\"),
        tuple(n.encode() for n in _ENV_NAMES),
        re.compile(_ENV.encode()),
    )


def _secrets(text: Any, lowered: Any, net: _Net, names: bool = True) -> list[tuple[int, int]]:
    """The spans of the credentials in ``text`` (str or bytes, with its lower-cased twin);
    without ``names``, key shapes and ``NAME_KEY=value`` only."""
    spans: list[tuple[int, int]] = []

    def real(found: Any) -> bool:
        secret = found.group(1)
        return looks_real(secret if isinstance(secret, str) else secret.decode("latin-1"))

    def shape(found: Any) -> bool:
        secret = found.group(1)
        return shaped(secret if isinstance(secret, str) else secret.decode("latin-1"))

    for needle in net.shapes:
        at = lowered.find(needle)
        while at != -1:
            found = net.shape.match(text, at)
            if found is not None and shape(found):
                spans.append(found.span(1))
            at = lowered.find(needle, at + 1)
    for needle in net.env_names:
        at = text.find(needle)
        while at != -1:
            start = max(0, at - 64)
            for found in net.env.finditer(text, start, min(len(text), at + 600)):
                if found.start(1) > at and real(found):
                    spans.append(found.span(1))
            at = text.find(needle, at + len(needle))
    named = ((net.keys, net.value, True), (net.schemes, net.token, False)) if names else ()
    for needles, pattern, checked in named:
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
