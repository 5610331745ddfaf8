"""JSON and URI coding as JavaScript does them, for computing what Polly.JS hashes
(``polly_id``): ``JSON.stringify`` of strings and numbers, ``fast-json-stable-stringify``
(keys in UTF-16 code-unit order), ``decodeURIComponent`` and ``encodeURIComponent``."""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any

# ------------------------------------------------------- JSON as JavaScript writes it

_SURROGATE = re.compile("[\ud800-\udfff]")


def utf16_key(text: str) -> bytes:
    """Sort key giving JavaScript's string order (UTF-16 code units)."""
    return text.encode("utf-16-be", "surrogatepass")


def js_string(text: str) -> str:
    """``JSON.stringify(text)`` (well-formed: a lone surrogate as ``\\udxxx``)."""
    if _SURROGATE.search(text):
        # Pair up surrogates that JavaScript would see as one character.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        out = json.dumps(text, ensure_ascii=False)
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)
    return json.dumps(text, ensure_ascii=False)


def js_number(value: float) -> str:
    """``'' + value`` for a finite number (``Number.prototype.toString``)."""
    if isinstance(value, int):
        if abs(value) < 2**53:
            return str(value)
        value = float(value)
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple, exponent = Decimal(repr(abs(value))).normalize().as_tuple()[1:]
    digits = "".join(str(d) for d in digits_tuple)
    k = len(digits)
    n = int(exponent) + k
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * (-n) + digits
    e = n - 1
    mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
    return f"{sign}{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"


def stable_stringify(node: Any) -> str | None:
    """``fast-json-stable-stringify`` of a JSON value (``None`` for ``undefined``)."""
    if node is None:
        return "null"
    if isinstance(node, str):
        return js_string(node)
    if node is True:
        return "true"
    if node is False:
        return "false"
    if isinstance(node, (int, float)):
        if isinstance(node, float) and not math.isfinite(node):
            return "null"
        return js_number(node)
    if isinstance(node, list):
        return "[" + ",".join(stable_stringify(item) or "null" for item in node) + "]"
    if isinstance(node, dict):
        parts = []
        for key in sorted(node, key=utf16_key):
            value = stable_stringify(node[key])
            if value:
                parts.append(js_string(key) + ":" + value)
        return "{" + ",".join(parts) + "}"
    return None


# ------------------------------------------------------- URI coding as JavaScript does


class URIComponentError(ValueError):
    """What ``decodeURIComponent`` throws."""


_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def decode_uri_component(text: str) -> str:
    if "%" not in text:
        return text
    out: list[str] = []
    pos = 0
    for m in _PERCENT_RUN.finditer(text):
        if "%" in text[pos : m.start()]:
            raise URIComponentError(text)
        out.append(text[pos : m.start()])
        raw = bytes.fromhex(m.group().replace("%", ""))
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            raise URIComponentError(text) from err
        pos = m.end()
    if "%" in text[pos:]:
        raise URIComponentError(text)
    out.append(text[pos:])
    return "".join(out)


_URI_COMPONENT_SAFE = frozenset(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()"
)
_QS_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _percent_encode(text: str, safe: frozenset[str], lone: str | None) -> str:
    out: list[str] = []
    if _SURROGATE.search(text):
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    for ch in text:
        if ch in safe:
            out.append(ch)
        elif "\ud800" <= ch <= "\udfff":
            if lone is None:
                raise URIComponentError(text)
            out.append(lone)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def encode_uri_component(text: str) -> str:
    return _percent_encode(text, _URI_COMPONENT_SAFE, None)


def qs_encode(text: str) -> str:
    """``qs``' ``utils.encode`` (RFC 3986, UTF-8; a lone surrogate is U+FFFD)."""
    return _percent_encode(text, _QS_SAFE, "%EF%BF%BD")
