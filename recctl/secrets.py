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

import orjson

from recctl.baseline import digest
from recctl.exchange import Exchange, Message, Place, RecordedFile
from recctl.findings import Finding, json_path
from recctl.masking import (
    PLACEHOLDER,
    credential,
    credential_spans,
    has_shape_start,
    is_credential_key,
    looks_real,
    may_hold_shapes,
    redact,
)
from recctl.masking import remember as remember_values
from recctl.values import Joined

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
        remember_values([secret.value])
        if secret.value not in seen:
            seen.add(secret.value)
            findings.append(
                Finding(
                    file.path,
                    json_path(list(secret.place)),
                    "RC203",
                    f"{secret.what} {redact(secret.value)}: remove it before committing",
                    digest=digest(secret.value),
                )
            )
    return findings


def remember(file: RecordedFile) -> None:
    """Mask the credentials of ``file`` in every output of this run (``masking``)."""
    remember_values(secret.value for secret in find_secrets(file))


def find_secrets(file: RecordedFile, extra: Extra = NO_EXTRA) -> Iterator[Secret]:
    """Every credential in a file, in exchange order (a secret found twice, twice): in
    what the replayer sees, both sides' headers (cookies included), the URL, form
    and JSON bodies (credential names), and key shapes in every string, mapping key
    and binary body, and in each streamed field joined across its events. Found once
    per file (without ``extra``)."""
    if extra == NO_EXTRA:  # the cached search serves any run without --key or --pattern
        if file.found is None:
            file.found = [s for s in _find_secrets(file, extra) if s.value not in PUBLIC_SECRETS]
        return iter(file.found)
    return (s for s in _find_secrets(file, extra) if s.value not in PUBLIC_SECRETS)


def _find_secrets(file: RecordedFile, extra: Extra) -> Iterator[Secret]:
    # A file whose bytes hold its strings as they are (JSON, escapes aside) has its
    # bodies searched only when those bytes hold what a key shape starts with (in
    # the recordings measured, one in five): headers and the URL always are.
    searchable = file.container.searchable(file)
    bodies = searchable is None or may_hold_shapes(searchable, names=False)
    for exchange in file.exchanges:
        for side in (exchange.request, exchange.response):
            yield from _in_headers(side, extra.keys)
            yield from _in_form(side, extra.keys)
            if type(side.body) in (dict, list) and not side.fragmented:
                at: Place = (*side.place, side.body_key)
                for parts, key, value in credential_fields(side.body, extra.keys):
                    yield Secret((*at, *parts), credential(value), _holds(key), key)
        yield from _in_query(exchange, extra.keys)
        yield from _key_shapes(exchange, bodies)
        if extra.patterns:
            yield from _patterns(exchange, extra.patterns)


#: Client secrets published on purpose (an installed app's, as gcloud's): not secrets.
PUBLIC_SECRETS = frozenset({"d-FL95Q19q7MQmFpd7hHD0Ty", "ZmssLNjJy2998hD4CTg2ejr2"})


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
            elif name in ("cookie", "set-cookie"):
                for cookie, token in _cookies(value, name == "set-cookie"):
                    yield Secret(at, token, f"the cookie {cookie!r} holds a credential", cookie)
            elif _is_secret(name, value, keys):
                yield Secret(at, credential(value), _holds(as_written), as_written)


#: Cookie names that say a user's session or a credential; a proxy's or a firewall's
#: own cookies (``__cf_bm``, ``AWSALB``, ``HWWAFSESID``) say neither.
_CREDENTIAL_COOKIE = re.compile(r"(?i)session|token|auth|api[-_]?key|secret|jwt|credential|passw")


def _cookies(value: str, set_cookie: bool) -> Iterator[tuple[str, str]]:
    """(name, value) of each cookie of a ``Cookie`` header (or the one a ``Set-Cookie``
    sets) whose name says it is a session or credential and whose value looks real."""
    pairs = value.split(";", 1)[:1] if set_cookie else value.split(";")
    for pair in pairs:
        cookie, equals, token = pair.strip().partition("=")
        token = token.strip().strip('"')
        if equals and _CREDENTIAL_COOKIE.search(cookie) and looks_real(token):
            yield cookie, token


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


def _key_shapes(exchange: Exchange, bodies: bool = True) -> Iterator[Secret]:
    """Credentials the net recognizes in every string of an exchange, and key shapes
    in each streamed field joined across the stream's pieces. Each place is first
    judged on its JSON text (orjson, at memory speed: a walk of every string costs
    ten times more); a stream, where no credential name survives whole, only by
    the starts of key shapes."""
    stream = _stream(exchange)
    whole: set[str] = set()  # keys found in one piece: not reported again as split
    places = _places(exchange, stream)
    # The small places (the URL, both sides' headers) are judged together, once.
    small = [v for prefix, v, _ in places if v and _small(prefix, v, exchange)]
    small_may_hold = bool(small) and may_hold_shapes(_json(small))
    for prefix, value, streamed in places:
        if not value:
            continue
        names = True
        if _small(prefix, value, exchange):
            if not small_may_hold:
                continue
        elif not bodies:
            continue
        else:
            text = (
                value.encode("utf-8", "surrogatepass") if isinstance(value, str) else _json(value)
            )
            # Credential names are looked for in short bodies; in a long one, most of a
            # file's bytes, only what shapes a key.
            names = not streamed and len(text) < _NAMED_BODY_BYTES
            if not (has_shape_start(text) if streamed else may_hold_shapes(text, names)):
                continue
        pieces: list[tuple[Place, str]] = (
            [((), value)] if isinstance(value, str) else list(strings(value))
        )
        for secret in _found_in(prefix, pieces, "an API key", names):
            whole.add(secret.value)
            yield secret
        if streamed and stream is not None:
            joined = [((*prefix, *field), text) for field, text in _joined(stream).items()]
            split = _found_in((), joined, SPLIT, names=False)
            yield from (s for s in split if s.value not in whole)


def _small(prefix: Place, value: Any, exchange: Exchange) -> bool:
    return prefix[-1] == "headers" or value is exchange.url


#: Bodies longer than this are searched for shapes and ``NAME_KEY=`` only, not for any
#: credential name in their text (a scan per name: a tenth of validate's time).
_NAMED_BODY_BYTES = 64 * 1024


#: What a key found only in a stream's pieces joined is (scrub cannot replace it).
SPLIT = "an API key split across events"


def _json(value: Any) -> bytes:
    try:
        return orjson.dumps(value, default=repr)
    except (orjson.JSONEncodeError, TypeError):
        return repr(value).encode("utf-8", "surrogatepass")


def _found_in(
    prefix: Place, pieces: list[tuple[Place, str]], what: str, names: bool = True
) -> Iterator[Secret]:
    """The credentials in each of ``pieces`` (path, text), searched as one text: one
    pass of the net's pre-tests, however many strings (a line break ends every
    match, so none spans two pieces); without ``names``, key shapes only."""
    if not pieces:
        return
    joined = Joined([text for _, text in pieces])
    for start, stop in credential_spans(joined.text, names):
        parts = pieces[joined.piece(start)][0]
        yield Secret((*prefix, *parts), joined.text[start:stop], what)


def _stream(exchange: Exchange) -> list[Any] | None:
    """The pieces of a streamed answer: its events, or an ogx recording's chunks."""
    if exchange.events:
        return exchange.events
    body = exchange.response.body
    return body if type(body) is list and len(body) > 1 and exchange.response.fragmented else None


def _joined(items: list[Any]) -> dict[Place, str]:
    """Each string field of a stream's items joined across them, by its path with list
    positions left out (``choices.*.delta.content``): the text a key split over two
    events makes whole. Only fields that occur in several items."""
    pieces: dict[Place, list[str]] = {}
    for item in items:
        for parts, text in strings(item, keys=False):
            field = tuple("*" if type(part) is int else part for part in parts)
            pieces.setdefault(field, []).append(text)
    return {field: "".join(texts) for field, texts in pieces.items() if len(texts) > 1}


def _patterns(exchange: Exchange, patterns: tuple[re.Pattern[str], ...]) -> Iterator[Secret]:
    for prefix, value, _ in _places(exchange, None):
        for parts, text in strings(value):
            for pattern in patterns:
                for match in pattern.finditer(text):
                    secret = match.group(1) if pattern.groups else match.group(0)
                    if secret and not re.search(PLACEHOLDER, secret):
                        yield Secret((*prefix, *parts), secret, "a match of --pattern")


def _places(exchange: Exchange, stream: list[Any] | None) -> list[tuple[Place, Any, bool]]:
    """Where strings are, and whether each is a stream: both sides' headers and
    bodies (a binary body read as Latin-1, so that an ASCII key in it is found), the
    URL, the streamed events."""
    request, response = exchange.request, exchange.response
    places: list[tuple[Place, Any, bool]] = [
        ((*request.place, exchange.url_key), exchange.url, False)
    ]
    for side in (request, response):
        body = side.body.decode("latin-1") if isinstance(side.body, bytes) else side.body
        places.append(((*side.place, "headers"), _as_written(side), False))
        streamed = side is response and stream is not None and stream is side.body
        places.append(((*side.place, side.body_key), body, streamed or side.fragmented))
    if exchange.events:
        places.append(((*response.place, response.body_key), exchange.events, True))
    return places


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


def strings(value: Any, keys: bool = True) -> Iterator[tuple[Place, str]]:
    """Every string in ``value`` with its path, in document order; with ``keys``,
    mapping keys too (a key may be a credential)."""
    stack: list[tuple[Place, Any]] = [((), value)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, str):
            yield parts, node
        elif isinstance(node, dict):
            if keys:
                yield from ((parts, key) for key in node if isinstance(key, str))
            stack.extend(((*parts, k), v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(((*parts, i), v) for i, v in reversed(list(enumerate(node))))
