"""The request hash a recording's file name must carry (docs/format.md, section 5).

The recorder finds a recording only by the name it computes from the live
request: ``sha256(json.dumps(obj, sort_keys=True))`` of a normalized view of the
request. ``request_hash`` recomputes it from the stored request, under today's
rules or an older rule set (``RULES``), so that a name that does not match can be
explained. Serialization uses the standard library on purpose: the hash depends
on its exact float spelling and ASCII escapes.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlparse

from recctl.ogx.shapes import SHARED_PATHS, RequestShape, classify_request
from recctl.values import as_dict, as_list, as_str

# The patterns of N() that most requests never need are kept as text: the re module
# compiles one at its first use and keeps it.
_FLOAT_IN_STRING = r"(-?\d+\.\d{4,})"
#: Every match of the pattern above holds this; starting with a literal, it
#: scans 50 times faster, so it goes first.
_DECIMAL_HINT = re.compile(r"\.\d{4}")
_UUID = r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}"
#: (literal every match contains, pattern, replacement): the literal is tested
#: first, because a pattern that starts with ",?\s*" scans slowly.
_FILE_SEARCH = (
    ("score:", r"score:\s*[-+]?\d*\.?\d+(?:[eE][-+]?\d+)?", "score: __NORMALIZED__"),
    ("attributes:", r",?\s*attributes:\s*\{[^}]*\}", ""),
    ("document_id:", r"document_id:\s*" + _UUID, "document_id: __NORMALIZED__"),
    ("<|", r"<\|" + _UUID + r"\|>", "<|__NORMALIZED__|>"),
)


#: ``json.dumps(obj, sort_keys=True)``, the recorder's serialization, made once.
#: check_circular=False: parsed JSON has no cycles, and the check costs a fifth.
_CANONICAL = json.JSONEncoder(sort_keys=True, check_circular=False)


class Rules(NamedTuple):
    """One generation of the recorder's hashing rules."""

    name: str
    file_search: bool  # file-search noise replaced in strings (Apr 2026)
    rounding: bool  # floats rounded to 5 places, long decimals in strings too (Oct 2025)
    project_id: bool  # project_id dropped from root extra_body / extra_query


CURRENT = Rules("current", file_search=True, rounding=True, project_id=True)
#: Newest first; older rule sets only explain names that no longer match.
RULES = (
    CURRENT,
    Rules("before project_id was ignored", file_search=True, rounding=True, project_id=False),
    Rules("before file-search normalization (Apr 2026)", False, True, True),
    Rules("before file-search normalization and project_id", False, True, False),
    Rules("before float rounding (Oct 2025)", False, False, False),
)


def normalize(value: Any, rules: Rules = CURRENT, root: bool = True) -> Any:
    """N(): the recorder's normalization of a request body or payload.

    As in the recorder, every item of a list is normalized as a root again (so
    its ``extra_body.project_id`` is dropped too), a nested dict is not.
    ``value`` is JSON as a parser gives it: exact built-in types.
    """
    return _normalizer(rules)(value, root)


@functools.cache
def _normalizer(rules: Rules) -> Callable[[Any, bool], Any]:
    """N() under one rule set, its flags bound once: it runs on every request.

    Exact type tests, most frequent first, and cheap tests before the patterns
    (every file-search literal holds ":" or "<|", every long decimal a ".")
    make it 40% faster than a plain isinstance walk.
    """
    file_search, rounding, project_id = rules.file_search, rules.rounding, rules.project_id

    def string(value: str) -> str:
        if file_search and (":" in value or "<|" in value):
            for literal, pattern, replacement in _FILE_SEARCH:
                if literal in value:
                    value = re.sub(pattern, replacement, value)
        if rounding and "." in value and _DECIMAL_HINT.search(value):
            value = re.sub(_FLOAT_IN_STRING, _five_places, value)
        return value

    def node(value: Any, root: bool) -> Any:
        kind = type(value)
        if kind is str:
            return string(value)
        if kind is dict:
            normalized = {key: node(item, False) for key, item in value.items()}
            if root and project_id:
                for extra in ("extra_body", "extra_query"):
                    if isinstance(normalized.get(extra), dict):
                        normalized[extra].pop("project_id", None)
            return normalized
        if kind is list:
            return [node(item, True) for item in value]
        if kind is float and rounding:
            return round(value, 5)
        return value

    return node


def _five_places(match: re.Match[str]) -> str:
    return f"{float(match.group(0)):.5f}"


def hash_input(recording: Any, rules: Rules = CURRENT) -> dict[str, Any] | None:
    """What the recorder hashes for this recording, or None when it cannot be known."""
    top = as_dict(recording)
    request = as_dict(top.get("request"))
    shape = classify_request(request)
    if shape is RequestShape.INFERENCE:
        url = as_str(request.get("url")) or ""
        try:
            parsed = urlparse(url)
        except ValueError:
            return None
        body = normalize(as_dict(request.get("body")), rules)
        if "bedrock" in parsed.netloc:
            body.pop("stream_options", None)
        obj = {
            "method": str(request.get("method", "")).upper(),
            "endpoint": parsed.path,
            "body": body,
        }
        if parsed.path not in SHARED_PATHS:
            obj["test_id"] = top.get("test_id")
        return obj
    if shape is RequestShape.RAW_HTTP:
        return {
            "test_id": request.get("test_id"),
            "url": request.get("url"),
            "method": str(request.get("method", "")).upper(),
            "payload": normalize(as_dict(request.get("payload")), rules),
        }
    if shape is RequestShape.TOOL:
        return {key: request.get(key) for key in ("provider", "tool_name", "kwargs")}
    return None  # file processor (it hashed a field that is not stored) or unknown


def request_hash(recording: Any, rules: Rules = CURRENT) -> str | None:
    obj = hash_input(recording, rules)
    if obj is None:
        return None
    return hashlib.sha256(_CANONICAL.encode(obj).encode()).hexdigest()


def model_digest(recording: Any) -> str | None:
    """``digest8`` of a model list: the sorted, unique model ids, joined by ``|``."""
    body = as_dict(recording).get("response")
    items = as_dict(body).get("body")
    ids: list[str] = []
    if isinstance(items, list):  # openai Model objects
        ids = [
            str(as_dict(item).get("__data__", {}).get("id"))
            for item in items
            if isinstance(as_dict(item).get("__data__"), dict)
        ]
    else:  # Ollama /api/tags ListResponse
        models = as_list(as_dict(as_dict(items).get("__data__")).get("models"))
        ids = [str(as_dict(model).get("model")) for model in models]
    return hashlib.sha256("|".join(sorted(set(ids))).encode()).hexdigest()[:8]


def expected_name(recording: Any, current_name: str, rules: Rules = CURRENT) -> str | None:
    """The file name the recorder would look for, or None when not computable."""
    digest = request_hash(recording, rules)
    if digest is None:
        return None
    if current_name.startswith("models-"):
        return f"models-{digest}-{model_digest(recording)}.json"
    return f"{digest}.json"


# --- verdicts on names --------------------------------------------------------------

_HASH_NAME = re.compile(r"^(?:models-)?([0-9a-f]{64}|[0-9a-f]{12})(?:-([0-9a-f]{8}))?\.json$")


class NameVerdict(NamedTuple):
    actual: str  # the file name
    expected: str | None  # the name today's recorder computes, None when not computable
    match: bool | None  # None: cannot be judged
    reason: str | None  # why the name does not match, or why it cannot be judged


def judge_name(name: str, recording: Any) -> NameVerdict:
    """Whether a recording's file name is the one today's recorder looks for, and why not."""
    expected = expected_name(recording, name)
    if expected is None:
        shape = classify_request(as_dict(as_dict(recording).get("request")))
        why = (
            "file-processor requests cannot be recomputed (their hash used a field that "
            "is not stored)"
            if shape is RequestShape.FILE_PROCESSOR
            else "the request has no known shape"
        )
        return NameVerdict(name, None, None, why)
    if name == expected:
        return NameVerdict(name, expected, True, None)
    found = _HASH_NAME.match(name)
    if found is None:
        return NameVerdict(name, expected, None, "the name is not a request hash")
    return NameVerdict(name, expected, False, _mismatch_reason(name, found, recording))


def _mismatch_reason(name: str, found: re.Match[str], recording: Any) -> str:
    digest, models = found.group(1), found.group(2)
    if len(digest) == 12:
        return "legacy 12-hex name from before Oct 2025: today's recorder looks for 64 digits"
    if models is not None and digest == request_hash(recording):
        return f"the model ids changed: their digest is {model_digest(recording)}, not {models}"
    for rules in RULES[1:]:
        if request_hash(recording, rules) == digest:
            return f"recorded under older rules: {rules.name}"
    renamed = _before_project_rename(recording)
    if renamed is not None and request_hash(renamed) == digest:
        return (
            "edited after recording: the project-wide rename llama_stack → ogx changed "
            "its test id or request"
        )
    recorded = recorded_hash_prefix(recording)
    if recorded == digest[:12]:
        return (
            "edited after recording: the response ids carry this name's hash, "
            "the stored request no longer does"
        )
    if recorded is not None:
        return (
            f"the response ids carry rec-{recorded}: recorded for another request, "
            "then copied or renamed"
        )
    return "unknown: no rule set explains this name"


#: Project-wide renames that rewrote recordings in place (new spelling, old spelling).
PROJECT_RENAMES = (("ogx", "llama_stack"),)


def _before_project_rename(recording: Any) -> Any:
    """What the hash reads of the recording (test id and request) as it was before a
    project-wide rename, or None if it has no trace of one. The response, often most of
    the file, plays no part in the hash and is left out."""
    top = as_dict(recording)
    text = json.dumps({"test_id": top.get("test_id"), "request": top.get("request")})
    changed = text
    for new, old in PROJECT_RENAMES:
        changed = changed.replace(new, old)
    return None if changed == text else json.loads(changed)


def recorded_hash_prefix(recording: Any) -> str | None:
    """The ``<hash12>`` of the ``rec-<hash12>`` ids the recorder wrote into the response."""
    body = as_dict(as_dict(recording).get("response")).get("body")
    for item in body if isinstance(body, list) else [body]:
        data = as_dict(as_dict(item).get("__data__"))
        value = as_str(data.get("id"))
        if value and value.startswith("rec-") and len(value) == 16:
            return value[4:]
    return None
