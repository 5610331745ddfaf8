"""Checks a JSON Schema cannot express. Pure functions over a parsed recording.

Each returns findings; none raises on a recording of unexpected shape (the
schema check reports those), so they are safe to run on anything that parsed.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from recctl.confine import module_path_of, unsafe_reason, unsafe_test_ids
from recctl.findings import Finding, json_path
from recctl.masking import (
    KEY_SHAPES,
    PLACEHOLDER,
    credential,
    is_credential_key,
    looks_real,
    redact,
)
from recctl.shapes import BodyKind, Shape

if TYPE_CHECKING:
    from recctl.containers.cassette import Cassette

# --- RC201: one stream, one id -------------------------------------------------


def check_stream_ids(path: str, recording: Any, shape: Shape) -> list[Finding]:
    """Every chunk of a typed stream carries the same id.

    Azure's leading chunk (``object: ""``, only ``prompt_filter_results``) is
    skipped; chunks without a string id (Ollama) are not compared.
    """
    if shape.body is not BodyKind.TYPED_CHUNKS:
        return []
    chunks = recording["response"]["body"]
    ids = {
        chunk_id
        for chunk in chunks
        if isinstance(chunk["__data__"], dict)
        and chunk["__data__"].get("object") != ""
        and isinstance(chunk_id := chunk["__data__"].get("id"), str)
    }
    if len(ids) <= 1:
        return []
    first: Any = None
    for index, chunk in enumerate(chunks):
        data = chunk["__data__"]
        if not isinstance(data, dict) or data.get("object") == "":
            continue
        if not isinstance(data.get("id"), str):
            continue
        if first is None:
            first = data["id"]
        elif data["id"] != first:
            return [
                Finding(
                    path,
                    json_path(["response", "body", index, "__data__", "id"]),
                    "RC201",
                    f"chunk {index} has id {data['id']!r} but the stream began with {first!r} "
                    f"({len(ids)} ids in one stream): chunks of different recordings were mixed",
                )
            ]
    return []  # pragma: no cover - unreachable when ids differ


# --- RC202: stored where the recorder looks ------------------------------------


@functools.lru_cache(maxsize=4096)  # a test's recordings share it
def expected_directory(test_id: str) -> str:
    """``tests/x/test_a.py::TestC::test_m[p::q]`` -> ``tests/x/recordings``."""
    return posixpath.join(posixpath.dirname(module_path_of(test_id)), "recordings")


def check_location(path: str, recording: Any) -> list[Finding]:
    """A recording under a ``recordings/`` tree sits in the directory its test maps to.

    Loose files (nothing named ``recordings`` above them, such as a copy in /tmp)
    are not judged, nor are recordings without a test id (shared calls).
    """
    test_id = recording.get("test_id") if isinstance(recording, dict) else None
    if not isinstance(test_id, str) or not test_id.strip() or unsafe_reason(test_id):
        return []  # RC207 reports a test id that leads outside the repository
    parent = _absolute_directory(os.getcwd(), os.path.dirname(path))
    if "/recordings" not in parent:
        return []
    expected = expected_directory(test_id)
    if parent.endswith("/" + expected):
        return []
    return [
        Finding(
            path,
            "$.test_id",
            "RC202",
            f"test_id maps to {expected}/ but the file is in {parent}/: "
            "the recorder will never look for it here",
        )
    ]


@functools.lru_cache(maxsize=4096)  # a directory's recordings share it
def _absolute_directory(cwd: str, directory: str) -> str:
    """``os.path.abspath``, with the working directory in the cache key."""
    return os.path.normpath(os.path.join(cwd, directory)).replace(os.sep, "/")


# --- RC207: a test id that leads outside the repository ------------------------


def check_test_id(path: str, recording: Any) -> list[Finding]:
    """A test id names a file inside the repository: relative, never climbing with ``..``.

    Commands derive paths from it (where a recording belongs, which module prune
    reads), so one that leads outside is refused everywhere and reported here.
    """
    return [
        Finding(
            path,
            json_path(where),
            "RC207",
            f"{problem}: recctl never moves, renames, rewrites or prunes this recording",
        )
        for where, problem in unsafe_test_ids(recording)
    ]


# --- RC203: credentials --------------------------------------------------------

# Patterns most runs never use are kept as text: the re module compiles one at its
# first use and keeps it (compiling them all at import cost every run 1 ms).
_KEY_RE = r"(?<![A-Za-z0-9_-])(sk-(?:proj-|ant-|svcacct-)?[A-Za-z0-9_-]{20,})"
#: A test on the raw bytes for ``sk-`` keys (a literal prefix, so it runs at
#: memory speed); only files that pass are walked string by string.
_RAW_SK_HINT = re.compile(rb"sk-[A-Za-z0-9_-]{20}")


#: Keys whose values are conversation or answer content, whose keys the APIs
#: fix: credential keys are not looked for below them (their strings are still
#: searched for ``sk-`` keys). Skipping them keeps the walk to configuration
#: and headers, a small part of a large file.
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


def check_secrets(path: str, recording: Any, raw: bytes, shape: Shape) -> list[Finding]:
    """Real-looking values under credential keys, and ``sk-...`` keys in any string."""
    streams = (BodyKind.TYPED_CHUNKS, BodyKind.MODEL_LIST)
    skip = recording["response"]["body"] if shape.body in streams else None
    findings = [
        Finding(
            path,
            json_path(parts),
            "RC203",
            f"{key!r} holds a real-looking credential {redact(credential(value))}: "
            "remove it before committing",
        )
        for parts, key, value in _credential_fields(recording, skip)
    ]
    if _RAW_SK_HINT.search(_searchable(raw, shape)):
        flagged = {finding.pointer for finding in findings}
        for parts, value in _strings(recording):
            match = next((m for m in re.finditer(_KEY_RE, value) if looks_real(m.group(1))), None)
            if match and json_path(parts) not in flagged:
                findings.append(
                    Finding(
                        path,
                        json_path(parts),
                        "RC203",
                        f"an API key {redact(match.group(1))} appears in this string: "
                        "remove it before committing",
                    )
                )
    return findings


def _searchable(raw: bytes, shape: Shape) -> bytes:
    """The bytes worth scanning for ``sk-`` keys.

    A typed stream's text is split into chunks, where no key survives whole (a key
    echoed by the model is in the request too), and the chunks are most of the
    file: its scan stops where the recorder writes the response.
    """
    if shape.body is BodyKind.TYPED_CHUNKS:
        end = raw.find(b'\n  "response": {')
        if end > 0:
            return raw[:end]
    return raw


def _credential_fields(value: Any, skip: Any) -> Iterator[tuple[list[str | int], str, str]]:
    """(path, key, value) of each real-looking string stored under a credential key."""
    stack: list[tuple[list[str | int], Any]] = [([], value)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, dict):
            for key, child in node.items():
                if isinstance(child, str):
                    if is_credential_key(key) and looks_real(child):
                        yield [*parts, key], key, child
                elif key not in CONTENT_KEYS and child is not skip and child:
                    stack.append(([*parts, key], child))
        elif isinstance(node, list):
            stack.extend(
                ([*parts, index], child)
                for index, child in enumerate(node)
                if isinstance(child, (dict, list))
            )


def _strings(value: Any) -> Iterator[tuple[list[str | int], str]]:
    """Every string in ``value`` with its path, in document order."""
    stack: list[tuple[list[str | int], Any]] = [([], value)]
    while stack:
        parts, node = stack.pop()
        if isinstance(node, str):
            yield parts, node
        elif isinstance(node, dict):
            stack.extend(([*parts, k], v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(([*parts, i], v) for i, v in reversed(list(enumerate(node))))


# --- RC203 in cassettes: headers, query strings and bodies ----------------------

_SIGV4_KEY = r"Credential=((?:AKIA|ASIA)[0-9A-Z]{16})/"
#: Query parameters that carry a credential (``?key=`` for Google APIs).
_SECRET_PARAMETERS = frozenset({"key", "api_key", "apikey", "api-key", "access_token", "token"})


def check_cassette_secrets(path: str, cassette: Cassette) -> list[Finding]:
    """Credentials in any request header, query string or body, and key shapes anywhere.

    The secret itself is never printed: the message shows its first characters
    and its length.
    """
    findings: list[Finding] = []
    seen: set[str] = set()  # one finding per secret, at the first place it is found

    def flag(parts: list[str | int], secret: str, what: str) -> None:
        pointer = json_path(parts)
        if secret not in seen:
            seen.add(secret)
            findings.append(
                Finding(
                    path,
                    pointer,
                    "RC203",
                    f"{what} {redact(secret)}: remove it before committing",
                )
            )

    for exchange in cassette.exchanges:
        base: list[str | int] = (
            ["requests", exchange.index]
            if cassette.layout == "langchain"
            else ["interactions", exchange.index, "request"]
        )
        for name, values in exchange.request.headers.items():
            as_written, listed = exchange.request.written.get(name, (name, False))
            for position, value in enumerate(values):
                at = [*base, "headers", as_written, *([position] if listed else [])]
                sigv4 = re.search(_SIGV4_KEY, value)
                if sigv4 and not re.search(PLACEHOLDER, sigv4.group(1)):
                    flag(at, sigv4.group(1), "an AWS access key id")
                elif is_credential_key(name) and looks_real(value):
                    flag(at, credential(value), f"{as_written!r} holds a credential")
        for key, value in parse_qsl(urlsplit(exchange.url).query):
            if key.lower() in _SECRET_PARAMETERS and looks_real(value):
                flag([*base, "uri"], value, f"the query parameter {key!r} holds a credential")
        body = exchange.request.body
        for parts, key, value in _credential_fields(body, None) if isinstance(body, dict) else ():
            flag([*base, "body", *parts], credential(value), f"{key!r} holds a credential")
        response: list[str | int] = (
            ["responses", exchange.index]
            if cassette.layout == "langchain"
            else ["interactions", exchange.index, "response"]
        )
        places: list[tuple[list[str | int], Any]] = [
            ([*base, "headers"], exchange.request.headers),
            ([*base, "uri"], exchange.url),
            ([*base, "body"], body),
            ([*response, "body"], exchange.response.body),
        ]
        for prefix, value in places:
            for parts, text in _strings(value):
                for match in re.finditer(KEY_SHAPES, text):
                    if looks_real(match.group(1)):
                        flag([*prefix, *parts], match.group(1), "an API key")
    return findings
