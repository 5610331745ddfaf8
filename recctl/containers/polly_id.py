"""The ``_id`` Polly.JS gives a HAR entry, computed as Polly computes it.

Polly (``@pollyjs/core`` 6, ``PollyRequest._identify``) hashes a request as
``md5(fast-json-stable-stringify(identifiers))``. ``identifiers`` holds, for each
of ``headers``, ``method``, ``body`` and ``url`` that is both present on the
request and enabled in ``matchRequestsBy`` (``this[key] && matchRequestsBy[key]``):

* ``method``: upper-cased;
* ``headers``: the request's headers with lower-cased names (``HTTPHeaders``),
  minus ``matchRequestsBy.headers.exclude``; a value is a string, a number or a
  list (node's ``setHeader`` with an array);
* ``body``: the body if it is a non-empty string; a ``Buffer`` or typed array is
  replaced by its base64 in the adapter's ``identify`` hook, which the HAR does
  not store (``postData`` without ``text``): such an entry cannot be identified
  while bodies are matched;
* ``url``: the request's url parsed by ``url-parse`` (through ``@pollyjs/utils``'
  ``URL``, which parses and writes the query with ``qs``), each url part disabled
  in ``matchRequestsBy.url`` blanked, the query parameters sorted, and written
  back (``href``).

``fast-json-stable-stringify`` sorts object keys by UTF-16 code units and writes
strings with ``JSON.stringify`` (control characters as ``\\u00xx``, a lone
surrogate as ``\\udxxx``, everything else as is); ``blueimp-md5`` hashes the
UTF-8 of that text. ``_order`` counts earlier requests with the same id and is
not part of the id.

What a HAR entry's ``request`` stores is what Polly hashed, as the persister
wrote it: ``url`` is ``absoluteUrl`` (the url already once through
``url-parse``/``qs``), ``headers`` is ``[{name, value}]`` with ``_fromType:
"array"`` on each value of a list-valued header, ``postData.text`` the string
body. A test may change the entry before it is written (``beforePersist``, e.g.
dropping ``authorization``); then the id only comes back under a configuration
that did not hash what was dropped.

Only the standard library; one call is a few parses and one md5.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = [
    "CLIENT_HEADERS",
    "DEFAULT",
    "SECRET_HEADERS",
    "VARIANTS",
    "Match",
    "entry_id",
    "match_of",
    "match_of_file",
]

# --------------------------------------------------------------------------- Match

#: url-parse parts Polly's default ``matchRequestsBy.url`` names, in its order
#: (the order Polly blanks them in).
URL_PARTS: tuple[str, ...] = (
    "protocol",
    "username",
    "password",
    "hostname",
    "port",
    "pathname",
    "query",
    "hash",
)

#: Credentials: the headers a test excludes so that a key does not change the id.
SECRET_HEADERS: tuple[str, ...] = (
    "authorization",
    "proxy-authorization",
    "x-api-key",
    "api-key",
    "x-goog-api-key",
    "cookie",
)

#: What SDKs and transports add and vary between runs or machines.
CLIENT_HEADERS: tuple[str, ...] = (
    "user-agent",
    "host",
    "content-length",
    "accept-encoding",
    "connection",
    "x-stainless-arch",
    "x-stainless-lang",
    "x-stainless-os",
    "x-stainless-package-version",
    "x-stainless-retry-count",
    "x-stainless-runtime",
    "x-stainless-runtime-version",
    "x-stainless-timeout",
    "x-stainless-helper-method",
    "x-stainless-async",
    "x-goog-api-client",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "x-amz-user-agent",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
)


@dataclass(frozen=True)
class Match:
    """One ``matchRequestsBy`` configuration (what ``_id`` depends on; ``order``
    only sets ``_order``)."""

    method: bool = True
    headers: bool = True
    #: ``matchRequestsBy.headers = {exclude: [...]}`` (case-insensitive, as Polly).
    exclude_headers: tuple[str, ...] = ()
    body: bool = True
    url_protocol: bool = True
    url_username: bool = True
    url_password: bool = True
    url_hostname: bool = True
    url_port: bool = True
    url_pathname: bool = True
    url_query: bool = True
    #: Polly's default leaves the fragment out.
    url_hash: bool = False

    def url_config(self) -> dict[str, bool]:
        return {part: bool(getattr(self, "url_" + part)) for part in URL_PARTS}

    def polly_config(self) -> dict[str, Any]:
        """The ``matchRequestsBy`` object to give Polly (JSON-able)."""
        headers: bool | dict[str, list[str]] = self.headers
        if self.headers and self.exclude_headers:
            headers = {"exclude": list(self.exclude_headers)}
        return {
            "method": self.method,
            "headers": headers,
            "body": self.body,
            "order": True,
            "url": self.url_config(),
        }


DEFAULT = Match()

VARIANTS: tuple[Match, ...] = (
    DEFAULT,
    Match(headers=False),
    Match(exclude_headers=SECRET_HEADERS),
    Match(exclude_headers=SECRET_HEADERS + CLIENT_HEADERS),
    Match(body=False),
    Match(headers=False, body=False),
    Match(url_query=False),
    Match(headers=False, url_query=False),
    Match(exclude_headers=SECRET_HEADERS, body=False),
    Match(exclude_headers=SECRET_HEADERS, url_query=False),
    Match(exclude_headers=SECRET_HEADERS + CLIENT_HEADERS, body=False),
    Match(headers=False, body=False, url_query=False),
    Match(url_hash=True),
    Match(headers=False, url_hash=True),
    # Replayed against another host (a proxy, localhost): the origin left out.
    Match(url_protocol=False, url_hostname=False, url_port=False),
    Match(headers=False, url_protocol=False, url_hostname=False, url_port=False),
    Match(exclude_headers=SECRET_HEADERS, url_protocol=False, url_hostname=False, url_port=False),
    Match(method=False),
    Match(headers=False, method=False),
)

# ------------------------------------------------------- JSON as JavaScript writes it

_SURROGATE = re.compile("[\ud800-\udfff]")


def _utf16_key(text: str) -> bytes:
    """Sort key giving JavaScript's string order (UTF-16 code units)."""
    return text.encode("utf-16-be", "surrogatepass")


def _js_string(text: str) -> str:
    """``JSON.stringify(text)`` (well-formed: a lone surrogate as ``\\udxxx``)."""
    if _SURROGATE.search(text):
        # Pair up surrogates that JavaScript would see as one character.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        out = json.dumps(text, ensure_ascii=False)
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)
    return json.dumps(text, ensure_ascii=False)


def _js_number(value: float) -> str:
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


def _stable(node: Any) -> str | None:
    """``fast-json-stable-stringify`` of a JSON value (``None`` for ``undefined``)."""
    if node is None:
        return "null"
    if isinstance(node, str):
        return _js_string(node)
    if node is True:
        return "true"
    if node is False:
        return "false"
    if isinstance(node, (int, float)):
        if isinstance(node, float) and not math.isfinite(node):
            return "null"
        return _js_number(node)
    if isinstance(node, list):
        return "[" + ",".join(_stable(item) or "null" for item in node) + "]"
    if isinstance(node, dict):
        parts = []
        for key in sorted(node, key=_utf16_key):
            value = _stable(node[key])
            if value:
                parts.append(_js_string(key) + ":" + value)
        return "{" + ",".join(parts) + "}"
    return None


# ------------------------------------------------------- URI coding as JavaScript does


class _URIError(ValueError):
    """What ``decodeURIComponent`` throws."""


_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _decode_uri_component(text: str) -> str:
    if "%" not in text:
        return text
    out: list[str] = []
    pos = 0
    for m in _PERCENT_RUN.finditer(text):
        if "%" in text[pos : m.start()]:
            raise _URIError(text)
        out.append(text[pos : m.start()])
        raw = bytes.fromhex(m.group().replace("%", ""))
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError as err:
            raise _URIError(text) from err
        pos = m.end()
    if "%" in text[pos:]:
        raise _URIError(text)
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
                raise _URIError(text)
            out.append(lone)
        else:
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
    return "".join(out)


def _encode_uri_component(text: str) -> str:
    return _percent_encode(text, _URI_COMPONENT_SAFE, None)


def _qs_encode(text: str) -> str:
    """``qs``' ``utils.encode`` (RFC 3986, UTF-8; a lone surrogate is U+FFFD)."""
    return _percent_encode(text, _QS_SAFE, "%EF%BF%BD")


# ------------------------------------------------------------------ qs (parse, stringify)

_ARRAY_LIMIT = 20
_DEPTH = 5
_PARAMETER_LIMIT = 1000


class _Hole:
    """An unset index of a sparse JavaScript array."""


_HOLE = _Hole()


class _Overflow(dict[str, Any]):
    """An array ``qs`` turned into an object past ``arrayLimit``."""

    max_index: int = 0


def _is_index(key: str) -> bool:
    """Whether JavaScript orders ``key`` as an array index (before other keys)."""
    return (
        key.isascii() and key.isdigit() and (key == "0" or key[0] != "0") and int(key) < 2**32 - 1
    )


def _js_keys(obj: dict[str, Any]) -> list[str]:
    """``Object.keys`` order: array indices ascending, then insertion order."""
    indices = sorted((k for k in obj if _is_index(k)), key=int)
    if not indices:
        return list(obj)
    return indices + [k for k in obj if not _is_index(k)]


def _qs_decode(text: str) -> str:
    if "%" not in text:
        return text.replace("+", " ")
    plain = text.replace("+", " ")
    try:
        return _decode_uri_component(plain)
    except _URIError:
        return plain


def _array_to_object(items: list[Any]) -> dict[str, Any]:
    return {str(i): v for i, v in enumerate(items) if v is not _HOLE}


def _combine(a: Any, b: Any) -> Any:
    if isinstance(a, _Overflow):
        index = a.max_index
        for value in b if isinstance(b, list) else [b]:
            index += 1
            a[str(index)] = value
        a.max_index = index
        return a
    result = (a if isinstance(a, list) else [a]) + (b if isinstance(b, list) else [b])
    if len(result) > _ARRAY_LIMIT:
        over = _Overflow(_array_to_object(result))
        over.max_index = len(result) - 1
        return over
    return result


def _parse_values(text: str) -> dict[str, Any]:
    text = text[1:] if text.startswith("?") else text
    text = re.sub("%5[Bb]", "[", text)
    text = re.sub("%5[Dd]", "]", text)
    obj: dict[str, Any] = {}
    for part in text.split("&")[:_PARAMETER_LIMIT]:
        bracket_equals = part.find("]=")
        pos = part.find("=") if bracket_equals == -1 else bracket_equals + 1
        val: Any
        if pos == -1:
            key = _qs_decode(part)
            val = None
        else:
            key = _qs_decode(part[:pos])
            val = _qs_decode(part[pos + 1 :])
        if key in obj:
            obj[key] = _combine(obj[key], val)
        else:
            obj[key] = val
    return obj


def _split_key(key: str) -> list[str]:
    segments: list[str] = []
    first = key.find("[")
    parent = key[:first] if first >= 0 else key
    if parent:
        segments.append(parent)
    n = len(key)
    opening = first
    collected = 0
    while opening >= 0 and collected < _DEPTH:
        level = 1
        i = opening + 1
        close = -1
        while i < n and close < 0:
            if key[i] == "[":
                level += 1
            elif key[i] == "]":
                level -= 1
                if level == 0:
                    close = i
            i += 1
        if close < 0:
            segments.append("[" + key[opening:] + "]")
            return segments
        segments.append(key[opening : close + 1])
        collected += 1
        opening = key.find("[", close + 1)
    if opening >= 0:
        segments.append("[" + key[opening:] + "]")
    return segments


def _parse_object(chain: list[str], val: Any) -> Any:
    leaf = val
    for root in reversed(chain):
        obj: Any
        if root == "[]":
            obj = leaf if isinstance(leaf, _Overflow) else _combine([], leaf)
        else:
            clean = root[1:-1] if root[:1] == "[" and root[-1:] == "]" else root
            is_index = (
                root != clean and clean.isascii() and clean.isdigit() and str(int(clean)) == clean
            )
            if is_index and int(clean) < _ARRAY_LIMIT:
                obj = [_HOLE] * int(clean) + [leaf]
            elif is_index:
                obj = _Overflow({clean: leaf})
                obj.max_index = int(clean)
            elif clean != "__proto__":
                obj = {clean: leaf}
            else:
                obj = {}
        leaf = obj
    return leaf


def _has_index(items: list[Any], i: int) -> bool:
    return i < len(items) and items[i] is not _HOLE


def _merge(target: Any, source: Any) -> Any:
    if source is None or source == "" or source is False:
        return target
    if not isinstance(source, (dict, list)):
        if isinstance(target, list):
            if sum(1 for v in target if v is not _HOLE) >= _ARRAY_LIMIT:
                over = _Overflow(_array_to_object([*target, source]))
                over.max_index = len(target)
                return over
            target.append(source)
        elif isinstance(target, dict):
            if isinstance(target, _Overflow):
                target.max_index += 1
                target[str(target.max_index)] = source
            else:
                return [target, source]
        else:
            return [target, source]
        return target
    if not isinstance(target, (dict, list)):
        if isinstance(source, _Overflow):
            result = _Overflow({"0": target})
            for key, value in source.items():
                result[str(int(key) + 1)] = value
            result.max_index = source.max_index + 1
            return result
        combined = [target, *(source if isinstance(source, list) else [source])]
        if len(combined) > _ARRAY_LIMIT:
            over = _Overflow(_array_to_object(combined))
            over.max_index = len(combined) - 1
            return over
        return combined
    if isinstance(target, list) and isinstance(source, list):
        for i, item in enumerate(source):
            if item is _HOLE:
                continue
            if _has_index(target, i):
                current = target[i]
                if isinstance(current, (dict, list)) and isinstance(item, (dict, list)):
                    target[i] = _merge(current, item)
                else:
                    target.append(item)
            else:
                if i >= len(target):
                    target.extend([_HOLE] * (i + 1 - len(target)))
                target[i] = item
        return target
    merged: dict[str, Any] = _array_to_object(target) if isinstance(target, list) else target
    items = _array_to_object(source) if isinstance(source, list) else source
    for key in _js_keys(items):
        value = items[key]
        merged[key] = _merge(merged[key], value) if key in merged else value
    return merged


def _compact(value: Any) -> Any:
    if isinstance(value, list):
        return [_compact(v) for v in value if v is not _HOLE]
    if isinstance(value, dict):
        for key in value:
            value[key] = _compact(value[key])
    return value


def _qs_parse(text: str) -> dict[str, Any]:
    """``qs.parse(text, {plainObjects, ignoreQueryPrefix, strictNullHandling})``."""
    if not text:
        return {}
    values = _parse_values(text)
    obj: Any = {}
    for key in _js_keys(values):
        if not key:
            continue
        obj = _merge(obj, _parse_object(_split_key(key), values[key]))
    result = _compact(obj)
    return result if isinstance(result, dict) else _array_to_object(result)


def _qs_stringify_value(value: Any, prefix: str, array_format: str, out: list[str]) -> None:
    if value is None:
        out.append(_qs_encode(prefix))
    elif isinstance(value, (str, int, float)):
        if value is True or value is False:
            text = "true" if value else "false"
        elif isinstance(value, str):
            text = value
        else:
            text = _js_number(value)
        out.append(_qs_encode(prefix) + "=" + _qs_encode(text))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if array_format == "brackets":
                key = prefix + "[]"
            elif array_format == "repeat":
                key = prefix
            else:
                key = f"{prefix}[{i}]"
            _qs_stringify_value(item, key, array_format, out)
    elif isinstance(value, dict):
        for key in _js_keys(value):
            _qs_stringify_value(value[key], f"{prefix}[{key}]", array_format, out)


def _qs_stringify(obj: dict[str, Any], array_format: str | None) -> str:
    out: list[str] = []
    for key in _js_keys(obj):
        _qs_stringify_value(obj[key], key, array_format or "indices", out)
    return "?" + "&".join(out) if out else ""


_INDICES = re.compile(r"\[\d+\]\Z")
_BRACKETS = re.compile(r"\[\]\Z")


def _array_format(query: str) -> str | None:
    """``@pollyjs/utils``' ``arrayFormat``: how the query wrote its arrays."""
    keys = [_decode_uri_component(p.split("=")[0]) for p in query.replace("?", "", 1).split("&")]
    for key in keys:
        if _INDICES.search(key):
            return "indices"
        if _BRACKETS.search(key):
            return "brackets"
    if len(set(keys)) != len(keys):
        return "repeat"
    return None


# ----------------------------------------------------------------------------- url-parse

_LEADING = re.compile("^[\x00-\x20\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
_CRHTLF = re.compile("[\n\r\t]")
_PROTOCOL = re.compile(r"([A-Za-z][A-Za-z0-9.+-]*:)?(//)?([\\/]+)?(.*)", re.S)
_PORT_AT_END = re.compile(r":([0-9]*)\Z")
_HOST_PORT = re.compile(r":[0-9]+\Z")
_WINDOWS_DRIVE = re.compile("[a-zA-Z]:")
_FIRST_LINE = re.compile("[^\n\r\u2028\u2029]*")
_ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+\-.]*:")
_WINDOWS_PATH = re.compile(r"[a-zA-Z]:\\")
_SPECIAL = frozenset(("file:", "ftp:", "http:", "https:", "ws:", "wss:"))
_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443, "ftp": 21, "gopher": 70}


def _required(port: str, protocol: str) -> bool:
    """``requires-port``: whether ``port`` is not the protocol's default."""
    scheme = protocol.split(":")[0]
    number = int(port) if port.isascii() and port.isdigit() else 0
    if not number:
        return False
    if scheme == "file":
        return False
    return number != _DEFAULT_PORTS.get(scheme, 0)


class _Url:
    """``@pollyjs/utils``' ``URL`` (``url-parse`` 1.5 with a ``qs`` query), in Node
    (no ``location``)."""

    def __init__(self, address: str) -> None:
        address = _CRHTLF.sub("", _LEADING.sub("", address))
        m = _PROTOCOL.match(address)
        assert m is not None
        protocol = m.group(1).lower() if m.group(1) else ""
        forward, other = m.group(2) or "", m.group(3) or ""
        rest = forward + other + m.group(4)
        count = len(forward) + len(other)
        if protocol == "file:":
            if count >= 2:
                rest = rest[2:]
        elif protocol in _SPECIAL:
            rest = m.group(4)
        elif protocol and forward:
            rest = rest[2:]
        slashes = bool(forward) or protocol in _SPECIAL
        self.slashes = slashes
        self.protocol = protocol
        self.array_format: str | None = None
        self.hash = self.query_text = self.pathname = self.auth = ""
        self.host = self.port = self.hostname = ""
        self.query: dict[str, Any] | str = ""
        address = rest
        path_first = (protocol == "file:" and (count != 2 or _WINDOWS_DRIVE.match(address))) or (
            not slashes and (protocol or count < 2 or protocol not in _SPECIAL)
        )
        index = address.find("#")
        if index >= 0:
            self.hash, address = address[index:], address[:index]
        index = address.find("?")
        if index >= 0:
            self.query_text, address = address[index:], address[:index]
        if protocol in _SPECIAL:
            address = address.replace("\\", "/")
        if path_first:
            line = _FIRST_LINE.match(address)
            self.pathname, address = (line.group() if line else ""), ""
        else:
            index = address.find("/")
            if index >= 0:
                self.pathname, address = address[index:], address[:index]
        index = address.rfind("@")
        if index >= 0:
            self.auth, address = address[:index], address[index + 1 :]
        self.host = address.lower()
        port = _PORT_AT_END.search(address)
        if port:
            self.port, address = port.group(1), address[: port.start()]
        self.hostname = address.lower()
        if self.pathname[:1] != "/" and protocol in _SPECIAL:
            self.pathname = "/" + self.pathname
        if not _required(self.port, self.protocol):
            self.host, self.port = self.hostname, ""
        self.username = self.password = ""
        if self.auth:
            index = self.auth.find(":")
            if index >= 0:
                self.username = _encode_uri_component(_decode_uri_component(self.auth[:index]))
                self.password = _encode_uri_component(_decode_uri_component(self.auth[index + 1 :]))
            else:
                self.username = _encode_uri_component(_decode_uri_component(self.auth))
        # URL(url, true): this.set('query', this.query || {})
        if self.query_text:
            self.array_format = _array_format(self.query_text)
            self.query = _qs_parse(self.query_text)
        else:
            self.query = {}

    def blank(self, part: str) -> None:
        """``url.set(part, '')``."""
        if part == "query":
            self.query = ""
        elif part == "port":
            self.port = ""
            self.host = self.hostname
        elif part == "hostname":
            self.hostname = ""
            self.host = ":" + self.port if self.port else ""
        elif part == "protocol":
            self.protocol = ""
            self.slashes = True
        elif part == "host":
            self.host = self.hostname = self.port = ""
        elif part in ("pathname", "hash", "username", "password"):
            setattr(self, part, "")

    def href(self) -> str:
        protocol = self.protocol
        if protocol and not protocol.endswith(":"):
            protocol += ":"
        special = self.protocol in _SPECIAL
        result = protocol + ("//" if (self.protocol and self.slashes) or special else "")
        host = self.host
        if self.username:
            result += self.username
            if self.password:
                result += ":" + self.password
            result += "@"
        elif self.password:
            result += ":" + self.password + "@"
        elif self.protocol != "file:" and special and not host and self.pathname != "/":
            result += "@"
        if host.endswith(":") or (_HOST_PORT.search(self.hostname) and not self.port):
            host += ":"
        result += host + self.pathname
        query = (
            _qs_stringify(self.query, self.array_format)
            if isinstance(self.query, dict)
            else self.query
        )
        if query:
            result += query if query.startswith("?") else "?" + query
        if self.hash:
            result += self.hash
        return result


def _sorted_json(value: Any) -> Any:
    """``JSON.parse(stableStringify(value))``: objects rebuilt with sorted keys."""
    if isinstance(value, dict):
        return {k: _sorted_json(value[k]) for k in sorted(value, key=_utf16_key)}
    if isinstance(value, list):
        return [_sorted_json(v) for v in value]
    return value


def _normalize_url(url: str, match: Match) -> str:
    parsed = _Url(url)
    if not (_ABSOLUTE.match(url) and not _WINDOWS_PATH.match(url)):
        parsed.blank("protocol")
        if not url.startswith("//"):
            parsed.blank("host")
            parsed.slashes = True
    for part, enabled in match.url_config().items():
        if not enabled:
            parsed.blank(part)
    if isinstance(parsed.query, dict):
        parsed.query = _sorted_json(parsed.query)
    return parsed.href()


# --------------------------------------------------------------------------- identifiers


def _headers(stored: Any, match: Match) -> dict[str, Any]:
    """The request's headers as Polly held them: the persister's ``{name, value,
    _fromType}`` pairs read back as ``@pollyjs/adapter`` reads recorded headers
    (a repeated name or ``_fromType: "array"`` is a list), names lower-cased."""
    pairs: dict[str, Any] = {}
    for pair in stored if isinstance(stored, list) else ():
        if not isinstance(pair, dict) or not isinstance(pair.get("name"), str):
            continue
        name, value = pair["name"], pair.get("value")
        existing = pairs.get(name)
        if existing is not None and existing != "" and existing is not False and existing != 0:
            if not isinstance(existing, list):
                pairs[name] = [existing]
            pairs[name].append(value)
        else:
            pairs[name] = [value] if pair.get("_fromType") == "array" else value
    headers: dict[str, Any] = {}
    for name in _js_keys(pairs):
        lower = name.lower()
        if pairs[name] is None:
            headers.pop(lower, None)
        else:
            headers[lower] = pairs[name]
    for name in match.exclude_headers:
        headers.pop(name.lower(), None)
    return headers


def _identifiers(request: dict[str, Any], match: Match) -> dict[str, Any] | None:
    method, url = request.get("method"), request.get("url")
    if not isinstance(method, str) or not method or not isinstance(url, str) or not url:
        return None
    identifiers: dict[str, Any] = {}
    if match.headers:
        identifiers["headers"] = _headers(request.get("headers"), match)
    if match.method:
        identifiers["method"] = method.upper()
    if match.body:
        post = request.get("postData")
        if isinstance(post, dict):
            text = post.get("text")
            if not isinstance(text, str):
                return None  # a Buffer or typed array: Polly hashed bytes the HAR does not keep
            if text:
                identifiers["body"] = text
    try:
        identifiers["url"] = _normalize_url(url, match)
    except (_URIError, ValueError):
        return None  # Polly itself throws on such a url
    return identifiers


def entry_id(request: dict[str, Any], match: Match = DEFAULT) -> str | None:
    """The ``_id`` Polly gives a HAR entry's ``request`` under ``match``; ``None``
    if the request cannot be identified (not a dict, no method or url, a body the
    HAR does not keep while bodies are matched)."""
    if not isinstance(request, dict):
        return None
    identifiers = _identifiers(request, match)
    if identifiers is None:
        return None
    text = _stable(identifiers) or ""
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def match_of(entry: dict[str, Any]) -> Match | None:
    """The first of ``VARIANTS`` reproducing ``entry["_id"]``, or ``None``."""
    if not isinstance(entry, dict):
        return None
    stored, request = entry.get("_id"), entry.get("request")
    if not isinstance(stored, str) or not isinstance(request, dict):
        return None
    for match in VARIANTS:
        if entry_id(request, match) == stored:
            return match
    return None


def match_of_file(entries: list[Any]) -> Match | None:
    """The variant reproducing most ids of a file (ties: earliest in ``VARIANTS``),
    ``None`` if none reproduces any."""
    wanted = [
        (e["_id"], e["request"])
        for e in entries
        if isinstance(e, dict)
        and isinstance(e.get("_id"), str)
        and isinstance(e.get("request"), dict)
    ]
    best: Match | None = None
    best_count = 0
    for match in VARIANTS:
        count = sum(1 for stored, request in wanted if entry_id(request, match) == stored)
        if count > best_count:
            best, best_count = match, count
    return best
