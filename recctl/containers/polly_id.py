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
from dataclasses import dataclass
from typing import Any

from recctl.containers.js_json import URIComponentError, stable_stringify, utf16_key
from recctl.containers.js_qs import js_keys
from recctl.containers.js_url import ABSOLUTE, WINDOWS_PATH, Url

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


def _sorted_json(value: Any) -> Any:
    """``JSON.parse(stableStringify(value))``: objects rebuilt with sorted keys."""
    if isinstance(value, dict):
        return {k: _sorted_json(value[k]) for k in sorted(value, key=utf16_key)}
    if isinstance(value, list):
        return [_sorted_json(v) for v in value]
    return value


def _normalize_url(url: str, match: Match) -> str:
    parsed = Url(url)
    if not (ABSOLUTE.match(url) and not WINDOWS_PATH.match(url)):
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
    for name in js_keys(pairs):
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
    except (URIComponentError, ValueError):
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
    text = stable_stringify(identifiers) or ""
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
