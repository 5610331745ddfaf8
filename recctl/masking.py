"""What a credential looks like, and how every output shows one: masked.

One place for the key shapes, the credential keys and the placeholders: RC203
finds with them, and every renderer masks with them. A credential is shown as
its first characters and its length (``sk-pro…(164 chars)``), never in full:

- ``mask_value`` masks a structure: any string under a credential key, and any
  key shape inside a string (show's request, diff values);
- ``mask_text`` and ``mask_bytes`` are the net under every output (text lines,
  annotations, Markdown, JSON): key shapes, ``Bearer <token>``, and
  ``name: value`` or ``name=value`` where the name is a credential key.

Patterns most runs never need are compiled at first use (the ``re`` module keeps
them); a cheap literal test comes first, so text without a hint of a credential
costs one scan.
"""

from __future__ import annotations

import functools
import re
from typing import Any

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
CREDENTIAL_SUFFIXES = ("api-key", "api_key", "-token", "-secret")

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

# The net: ``Bearer <token>``, and a credential key followed by ``:`` or ``=`` and
# its value, quoted or not (a header line, a query string, a repr, JSON).
_KEY_NAME = (
    r"(?:[A-Za-z0-9_-]*(?:api[-_]?key|[-_]token|[-_]secret)|authorization|"
    r"proxy-authorization|access_token|secret_key|token|key)"
)
_NET = (
    KEY_SHAPES
    + r"|(?i:\b(?:bearer|basic|token)[ ]+)([A-Za-z0-9._~+/=-]{16,})"
    + r"|(?i:(?<![A-Za-z0-9_-])"
    + _KEY_NAME
    + r"(?:\\?[\"'])?[ ]*[:=][ ]*(?:\\?[\"'])?(?:(?:bearer|basic|token)[ ]+)?)"
    + r"([^\s\"'&,;<>\\)\]}]{8,})"
)
_HINT = r"(?i)sk-|aiza|akia|asia|ghp_|github_pat_|xox|phc_|bearer|basic|token|key|secret|auth"


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


def _masked(match: re.Match[str]) -> str:
    group = match.lastindex or 0
    secret = match.group(group)
    if not looks_real(secret):
        return match.group(0)
    start, end = match.span(group)
    whole_start = match.start()
    text = match.group(0)
    return text[: start - whole_start] + redact(secret) + text[end - whole_start :]


def mask_text(text: str) -> str:
    """``text`` with every credential the net recognizes shown masked."""
    if not re.search(_HINT, text):
        return text
    return re.sub(_NET, _masked, text)


def mask_bytes(data: bytes) -> bytes:
    """``mask_text`` for UTF-8 output (JSON documents)."""
    if not re.search(_HINT.encode(), data):
        return data
    text = data.decode("utf-8", "surrogateescape")
    masked = mask_text(text)
    return data if masked is text else masked.encode("utf-8", "surrogateescape")


def mask_value(value: Any, key: str | None = None) -> Any:
    """A copy of a JSON-like value with each credential masked (see the module docstring)."""
    if isinstance(value, str):
        if key is not None and is_credential_key(key) and looks_real(value):
            return redact(credential(value))
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_value(v, k if isinstance(k, str) else None) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_value(item, key) for item in value]
    return value
