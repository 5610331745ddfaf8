"""``recctl explain``: why a replay did not find its recording.

Given the live request (a body with its url, a whole recording, or the recorder's
"Recording not found" message), compute the hash the recorder looked for, say
whether that recording exists, and otherwise rank the recordings that come
closest: same test and endpoint first, then any test, fewest differences in the
normalized request first. ``locate`` reads the recordings; the rest is pure.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from recctl import containers, io
from recctl.containers.ogx import exchange_of
from recctl.diff import RequestChange, compare_requests, json_changes
from recctl.ogx.hashing import hash_input, request_hash
from recctl.ogx.shapes import classify
from recctl.values import as_dict, as_str


class ExplainError(Exception):
    """The input does not describe a request."""


@dataclass(frozen=True)
class Query:
    """What is known of the live request."""

    hash: str | None  # given by the recorder's message, or computed from the request
    recording: dict[str, Any] | None  # the request as a recording, when its body is known
    test_id: str | None
    endpoint: str | None
    method: str | None
    model: str | None


@dataclass(frozen=True)
class Candidate:
    path: str
    same_test: bool
    differences: int  # structural differences between the normalized requests
    changes: list[RequestChange]  # what differs, as `recctl diff` shows it


_HASH_NAME = re.compile(r"^[0-9a-f]{64}\.json$")
_MISS = re.compile(r"request hash:\s*([0-9a-f]{64})", re.IGNORECASE)
_REQUEST = re.compile(r"Request:\s*([A-Z]+)\s+(\S+)")
_URL = re.compile(r"URL:\s*(\S+)")
_METHOD = re.compile(r"Method:\s*([A-Za-z]+)")
_MODEL = re.compile(r"Model:\s*([^|\n]+?)\s*(?:\||$)", re.MULTILINE)
_TEST = re.compile(r"Test (?:context|ID):\s*(.+?)\s*$", re.MULTILINE)


def query_from_text(text: str, test_id: str | None = None) -> Query:
    """Read the recorder's "Recording not found" error or its debug lines."""
    found = _MISS.search(text)
    if found is None:
        raise ExplainError("no 'request hash: <64 hex digits>' in the text")
    request = _REQUEST.search(text)
    method = request.group(1) if request else None
    url = request.group(2) if request else None
    if url is None and (match := _URL.search(text)):
        url = match.group(1)
    if method is None and (match := _METHOD.search(text)):
        method = match.group(1).upper()
    model = _MODEL.search(text)
    test = _TEST.search(text)
    return Query(
        hash=found.group(1),
        recording=None,
        test_id=test_id or (test.group(1) if test and test.group(1) != "None" else None),
        endpoint=urlparse(url).path if url else None,
        method=method,
        model=model.group(1).strip() if model else None,
    )


def query_from_request(document: Any, url: str | None, method: str, test_id: str | None) -> Query:
    """A request body (with its url), or a whole recording, as the live request."""
    if isinstance(document, dict) and isinstance(document.get("request"), dict):
        recording = dict(document)
        if test_id is not None:
            recording["test_id"] = test_id
    else:
        if not isinstance(document, dict):
            raise ExplainError("the request body must be a JSON object")
        if not url:
            raise ExplainError("give the request's --url (or --endpoint) with a request body")
        recording = {
            "test_id": test_id,
            "request": {
                "method": method.upper(),
                "url": url,
                "headers": {},
                "body": document,
                "endpoint": urlparse(url).path,
                "model": document.get("model", ""),
            },
            "response": {"body": None, "is_streaming": False},
        }
    digest = request_hash(recording)
    if digest is None:
        raise ExplainError("the request hash of this request cannot be computed")
    request = as_dict(recording.get("request"))
    return Query(
        hash=digest,
        recording=recording,
        test_id=as_str(recording.get("test_id")) or as_str(request.get("test_id")),
        endpoint=classify(recording).endpoint,
        method=as_str(request.get("method")),
        model=as_str(request.get("model")) or as_str(as_dict(request.get("body")).get("model")),
    )


def rank(query: Query, recordings: Iterable[tuple[str, Any]], limit: int = 3) -> list[Candidate]:
    """The recordings closest to the query, best first: same test and endpoint first.

    Taken one at a time and only the best ``limit`` kept: memory does not grow with
    the number of recordings. With only the recorder's message (no request body),
    recordings are compared by model, and only when the endpoint is known.
    """
    if query.recording is None and query.endpoint is None:
        return []  # a hash alone: nothing to compare a recording with
    best: list[tuple[tuple[bool, int, str], Candidate]] = []
    for path, recording in recordings:
        if query.endpoint is not None and classify(recording).endpoint != query.endpoint:
            continue
        same_test = query.test_id is not None and _test_id(recording) == query.test_id
        if query.recording is not None:
            old, new = hash_input(recording), hash_input(query.recording)
            differences = len(json_changes(old, new))
        else:  # only the recorder's message: the model is all there is to compare
            model = as_str(as_dict(as_dict(recording).get("request")).get("model"))
            differences = 0 if model == query.model else 1
        key = (not same_test, differences, path)
        if len(best) == limit and key >= best[-1][0]:
            continue
        changes = (
            compare_requests(exchange_of(recording), exchange_of(query.recording))
            if query.recording is not None
            else []
        )
        best.append((key, Candidate(path, same_test, differences, changes)))
        best.sort(key=lambda item: item[0])
        del best[limit:]
    return [candidate for _, candidate in best]


def _test_id(recording: Any) -> str | None:
    top = as_dict(recording)
    return as_str(top.get("test_id")) or as_str(as_dict(top.get("request")).get("test_id"))


def search(
    query: Query, directories: list[str], given: str | None = None
) -> tuple[str | None, Iterator[tuple[str, Any]]]:
    """The recording named by the query's hash, if any, and the others as they are read.

    ``given`` (the file the query came from) is never its own candidate. Files
    whose bytes do not hold the query's endpoint are not parsed.
    """
    found = None
    given_real = os.path.realpath(given) if given else None
    paths = []
    for path in containers.discover(directories, [containers.DEFAULT]):
        name = os.path.basename(path)
        if query.hash and (
            name == f"{query.hash}.json" or name.startswith(f"models-{query.hash}-")
        ):
            found = path
        if given_real is None or os.path.realpath(path) != given_real:
            paths.append(path)
    return found, _read(paths, query.endpoint)


def _read(paths: list[str], endpoint: str | None) -> Iterator[tuple[str, Any]]:
    hint = endpoint.encode() if endpoint else b""
    for path in paths:
        try:
            raw = io.read_bytes(path)
            if hint not in raw:
                continue  # another endpoint: not worth parsing
            yield path, io.parse(raw)
        except io.LoadError:
            continue  # not a recording: nothing to compare with


def stale_copy(query: Query, given: str | None) -> bool:
    """Whether the file the query came from is a recording under another name than its
    request's hash: stored under a stale name (``recctl hash --fix`` renames it)."""
    if given is None or query.recording is None or query.hash is None:
        return False
    name = os.path.basename(given)
    return bool(_HASH_NAME.match(name)) and name != f"{query.hash}.json"
