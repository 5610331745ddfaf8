"""RC203: credentials in recorded calls, found the same way in every container.

``find_secrets`` walks a file's exchanges: each request header (a credential
name with a real-looking value, a SigV4 ``Credential=`` key id), the URL's
query string, credential-named fields of JSON bodies, and key shapes
(``masking.KEY_SHAPES``) in any string of headers, URL and bodies. The key
shapes and credential names are ``masking``'s, the ones every output masks
with. Each secret is reported once, at the first place it is found, and never
printed: the message shows its first characters and its length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from recctl.exchange import Exchange, Message, Place, RecordedFile
from recctl.findings import Finding, json_path
from recctl.masking import (
    KEY_SHAPES,
    PLACEHOLDER,
    credential,
    is_credential_key,
    looks_real,
    redact,
)

#: Keys whose values are conversation or answer content, whose keys the APIs
#: fix: credential keys are not looked for below them (their strings are still
#: searched for key shapes). Skipping them keeps the walk to configuration and
#: headers, a small part of a large file.
CONTENT_KEYS = frozenset(
    {
        "messages",
        "contents",
        "content",
        "input",
        "prompt",
        "tools",
        "choices",
        "candidates",
        "data",
        "embeddings",
        "outputs",
        "logprobs",
        "automatic_function_calling_history",
    }
)
#: A pre-test on the bytes of a file that stores its strings as they are, for the
#: one key shape common in recordings (a literal prefix: it runs at memory speed).
#: A file that fails it has its strings searched for nothing but credential fields.
_KEY_HINT = re.compile(rb"sk-[A-Za-z0-9_-]{20}")
_SIGV4_KEY = r"Credential=((?:AKIA|ASIA)[0-9A-Z]{16})/"
#: Query parameters that carry a credential (``?key=`` for Google APIs).
_SECRET_PARAMETERS = frozenset({"key", "api_key", "apikey", "api-key", "access_token", "token"})


class Extra(NamedTuple):
    """A project's own credentials, besides the ones every project has: names whose
    value is one (headers, fields, query parameters), and patterns (group 1, else
    the whole match, is the secret)."""

    keys: frozenset[str] = frozenset()  # lower-cased
    patterns: tuple[re.Pattern[str], ...] = ()


NO_EXTRA = Extra()


class Secret(NamedTuple):
    """One credential: where it is, the secret itself, and what holds it."""

    place: Place
    value: str
    what: str  # "'Authorization' holds a real-looking credential", "an API key"
    name: str = ""  # the header, field or parameter that holds it, if one does


def check_secrets(file: RecordedFile) -> list[Finding]:
    """RC203 findings: one per secret, at the first place it is found."""
    findings: list[Finding] = []
    seen: set[str] = set()
    for secret in find_secrets(file):
        if secret.value not in seen:
            seen.add(secret.value)
            findings.append(
                Finding(
                    file.path,
                    json_path(list(secret.place)),
                    "RC203",
                    f"{secret.what} {redact(secret.value)}: remove it before committing",
                )
            )
    return findings


def find_secrets(file: RecordedFile, extra: Extra = NO_EXTRA) -> Iterator[Secret]:
    """Every credential in a file, in exchange order (a secret found twice, twice)."""
    searchable = file.container.searchable(file)
    shapes = not searchable or _KEY_HINT.search(searchable) is not None
    for exchange in file.exchanges:
        yield from _in_headers(exchange.request, extra.keys)
        yield from _in_query(exchange, extra.keys)
        yield from _in_form(exchange.request, extra.keys)
        for side in (exchange.request, exchange.response):
            if type(side.body) is dict and not side.fragmented:
                at: Place = (*side.place, side.body_key)
                for parts, key, value in credential_fields(side.body, extra.keys):
                    yield Secret((*at, *parts), credential(value), _holds(key), key)
        if shapes:
            yield from _key_shapes(exchange)
        if extra.patterns:
            yield from _patterns(exchange, extra.patterns)


def _is_secret(name: str, value: str, keys: frozenset[str]) -> bool:
    """A real-looking value under a credential name, or any value that is not a
    placeholder under one of the project's own names."""
    if is_credential_key(name) and looks_real(value):
        return True
    token = credential(value)
    return (
        bool(keys)
        and name.lower() in keys
        and len(token) >= 4
        and not re.search(PLACEHOLDER, token)
    )


def _holds(key: str) -> str:
    return f"{key!r} holds a real-looking credential"


def _in_headers(message: Message, keys: frozenset[str]) -> Iterator[Secret]:
    for name, values in message.headers.items():
        as_written, listed = message.written.get(name, (name, False))
        for position, value in enumerate(values):
            at: Place = (*message.place, "headers", as_written, *([position] if listed else []))
            sigv4 = re.search(_SIGV4_KEY, value)
            if sigv4 and not re.search(PLACEHOLDER, sigv4.group(1)):
                yield Secret(at, sigv4.group(1), "an AWS access key id", as_written)
            elif _is_secret(name, value, keys):
                yield Secret(at, credential(value), _holds(as_written), as_written)


def _is_parameter_secret(key: str, value: str, keys: frozenset[str]) -> bool:
    """A query or form parameter that carries a credential (``?key=`` for Google APIs)."""
    return (key.lower() in _SECRET_PARAMETERS and looks_real(value)) or _is_secret(key, value, keys)


def _in_query(exchange: Exchange, keys: frozenset[str]) -> Iterator[Secret]:
    if "?" not in exchange.url:
        return
    try:
        query = urlsplit(exchange.url).query
    except ValueError:
        return
    for key, value in parse_qsl(query):
        if _is_parameter_secret(key, value, keys):
            at: Place = (*exchange.request.place, exchange.url_key)
            yield Secret(at, value, f"the query parameter {key!r} holds a credential", key)


#: A form body: ``name=value`` pairs joined by ``&``, no spaces.
_FORM = re.compile(r"[\w.%\[\]-]+=[^\s&]*(?:&[\w.%\[\]-]+=[^\s&]*)*")


def _in_form(message: Message, keys: frozenset[str]) -> Iterator[Secret]:
    """Credentials in a form body (``application/x-www-form-urlencoded``)."""
    body = message.body
    if type(body) is not str or "=" not in body or len(body) > 100_000:
        return
    if not _FORM.fullmatch(body):
        return
    at: Place = (*message.place, message.body_key)
    for key, value in parse_qsl(body):
        if _is_parameter_secret(key, value, keys):
            yield Secret(at, value, f"the form field {key!r} holds a credential", key)


def _key_shapes(exchange: Exchange) -> Iterator[Secret]:
    for prefix, value in _places(exchange):
        for parts, text in strings(value):
            for match in re.finditer(KEY_SHAPES, text):
                if looks_real(match.group(1)):
                    yield Secret((*prefix, *parts), match.group(1), "an API key")


def _patterns(exchange: Exchange, patterns: tuple[re.Pattern[str], ...]) -> Iterator[Secret]:
    for prefix, value in _places(exchange):
        for parts, text in strings(value):
            for pattern in patterns:
                for match in pattern.finditer(text):
                    secret = match.group(1) if pattern.groups else match.group(0)
                    if secret and not re.search(PLACEHOLDER, secret):
                        yield Secret((*prefix, *parts), secret, "a match of --pattern")


def _places(exchange: Exchange) -> list[tuple[Place, Any]]:
    """Where strings are: the request's headers, URL and body, the response body."""
    request, response = exchange.request, exchange.response
    return [
        ((*request.place, "headers"), _as_written(request)),
        ((*request.place, exchange.url_key), exchange.url),
        ((*request.place, request.body_key), request.body),
        ((*response.place, response.body_key), response.body),
    ]


def _as_written(message: Message) -> dict[str, Any]:
    """Headers under their names as written, each a value or a list as stored."""
    shown: dict[str, Any] = {}
    for name, values in message.headers.items():
        as_written, listed = message.written.get(name, (name, False))
        shown[as_written] = values if listed or len(values) > 1 else values[0]
    return shown


def credential_fields(
    value: Any, keys: frozenset[str] = frozenset()
) -> Iterator[tuple[Place, str, str]]:
    """(path, key, value) of each real-looking string stored under a credential key
    (or any value under one of ``keys``, a project's own)."""
    stack: list[tuple[Place, Any]] = [((), value)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(child, str):
                    if (is_credential_key(key) and looks_real(child)) or (
                        keys and _is_secret(key, child, keys)
                    ):
                        yield (*parts, key), key, child
                elif key not in CONTENT_KEYS and child:
                    stack.append(((*parts, key), child))
        elif isinstance(node, list):
            stack.extend(
                ((*parts, index), child)
                for index, child in enumerate(node)
                if isinstance(child, (dict, list))
            )


def strings(value: Any) -> Iterator[tuple[Place, str]]:
    """Every string in ``value`` with its path, in document order."""
    stack: list[tuple[Place, Any]] = [((), value)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, str):
            yield parts, node
        elif isinstance(node, dict):
            stack.extend(((*parts, k), v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(((*parts, i), v) for i, v in reversed(list(enumerate(node))))
