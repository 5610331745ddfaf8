"""``recctl hash`` for Polly.JS HAR files: entries Polly can never find.

Polly finds a recorded entry by its ``_id``, the MD5 of the request as its
``matchRequestsBy`` configuration normalizes it (``containers.polly_id``). A file's
configuration is the known one reproducing most of its ids; an entry whose ``_id``
it does not reproduce (edited by hand, written by another tool, or a name such as
``bedrock_anthropic_cache_001``) is never replayed. ``--fix`` writes the ``_id``
Polly computes, every other byte kept, proven like every write (``recctl.proof``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from recctl import io
from recctl.containers import har, polly_id
from recctl.exchange import CannotRewrite, NotExchanges
from recctl.proof import difference
from recctl.values import as_dict


@dataclass(frozen=True)
class StaleId:
    entry: int
    actual: str
    expected: str | None  # None: the request cannot be identified (no method or URL)


@dataclass
class HarIds:
    path: str
    entries: int = 0
    #: The ``matchRequestsBy`` the file's ids were made with, as Polly takes it; None
    #: when no known configuration reproduces any (Polly's default is assumed).
    configuration: dict[str, object] | None = None
    stale: list[StaleId] = field(default_factory=list)
    error: str | None = None
    old: bytes | None = None  # with --fix: the file, and what it becomes
    new: bytes | None = None
    refused: str | None = None  # why --fix leaves it alone


def judge_all(paths: list[str], fix: bool = False) -> list[HarIds]:
    """``judge`` each file; a file none of whose ids a known configuration reproduces
    is judged by the one most of the others' reproduce (one project, one Polly
    configuration), else by Polly's default."""
    loaded = [_load(path) for path in paths]
    matches = [polly_id.match_of_file(entries) for _, entries in loaded if entries is not None]
    known = [match for match in matches if match is not None]
    common = max(known, key=known.count) if known else None
    return [
        judge(path, fix, common, loaded=found) for path, found in zip(paths, loaded, strict=True)
    ]


def _load(path: str) -> tuple[bytes | str, list[Any] | None]:
    """The file's bytes and entries, or why it cannot be read (and None)."""
    try:
        raw = io.read_bytes(path)
        return raw, har._entries(raw)
    except (io.LoadError, NotExchanges) as error:
        return str(error), None


def judge(
    path: str,
    fix: bool = False,
    fallback: polly_id.Match | None = None,
    loaded: tuple[bytes | str, list[Any] | None] | None = None,
) -> HarIds:
    """The entries of one HAR file whose ``_id`` Polly does not compute under the
    configuration its ids were made with (else ``fallback``, else Polly's default);
    with ``fix``, the file with those ids rewritten (nothing is written here)."""
    raw, entries = loaded or _load(path)
    if entries is None or not isinstance(raw, bytes):
        return HarIds(path, error=str(raw))
    match = polly_id.match_of_file(entries) or fallback
    result = HarIds(path, len(entries), match.polly_config() if match else None)
    chosen = match or polly_id.DEFAULT
    for index, entry in enumerate(entries):
        actual = as_dict(entry).get("_id")
        request = as_dict(as_dict(entry).get("request"))
        expected = polly_id.entry_id(request, chosen)
        if isinstance(actual, str) and actual != expected:
            result.stale.append(StaleId(index, actual, expected))
    if fix and result.stale:
        _plan_fix(result, raw)
    return result


def _plan_fix(result: HarIds, raw: bytes) -> None:
    if any(stale.expected is None for stale in result.stale):
        result.refused = "an entry's request has no method or URL: Polly cannot identify it"
        return
    try:
        new = har.with_ids(raw, {s.entry: s.expected for s in result.stale if s.expected})
        problem = difference(har.parse(raw, result.path), har.parse(new, result.path))
    except (CannotRewrite, io.LoadError, NotExchanges) as error:
        result.refused = str(error)
        return
    if problem:  # pragma: no cover - only the ids change
        result.refused = problem
        return
    result.old, result.new = raw, new


def write_fixed(results: list[HarIds], roots: list[str]) -> list[HarIds]:
    """Write each fixed file through the path every rewrite takes (atomic, never
    through a link nor outside its root); what could not be written says why."""
    from recctl.ogx.normalize_files import Normalized, write_normalized

    planned = [Normalized(r.path, ("_id",), r.old, r.new) for r in results if r.new is not None]
    written = iter(write_normalized(planned, roots))
    for result in results:
        if result.new is not None:
            done = next(written)
            if done.error or done.refused:
                result.new, result.refused = None, done.error or done.refused
    return results
