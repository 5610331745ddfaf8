"""``recctl normalize``: the recorder's id normalization, re-applied (docs/format.md, section 7).

``normalize_recording`` changes a parsed recording in place and returns the
names of the rules that changed something. The default rules are the
recorder's own, on the top-level ``__data__`` of every typed object (each chunk,
each single object): ``id`` -> ``rec-<hash[:12]>`` and ``created`` -> 0 unless
``object == "model"``, ``created_at`` -> the epoch, Ollama durations -> 0.
Request bodies are never touched: they are what the hash is computed from.

The extra rules remove noise the recorder leaves: OpenAI ``obfuscation``,
``system_fingerprint``, genai ``response_id`` / ``create_time`` / ``Date``
header, Anthropic ``msg_`` ids and Gemini interaction ids and timestamps, in
raw bodies and inside SSE ``data:`` lines. Every replacement is derived from the
request hash and the position, so two re-records of one call normalize to the
same bytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from recctl.values import as_dict, as_list

DEFAULT_RULES = ("id", "created", "created_at", "durations")
EXTRA_RULES = (
    "obfuscation",
    "system_fingerprint",
    "genai_response_id",
    "genai_create_time",
    "date_header",
    "anthropic_id",
    "interaction_id",
    "interaction_timestamps",
)
ALL_RULES = DEFAULT_RULES + EXTRA_RULES

EPOCH_Z = "1970-01-01T00:00:00.000000Z"
EPOCH_SECONDS_Z = "1970-01-01T00:00:00Z"
EPOCH_HTTP = "Thu, 01 Jan 1970 00:00:00 GMT"
_DURATIONS = ("total_duration", "load_duration", "prompt_eval_duration", "eval_duration")
_HASH_NAME = re.compile(r"^(?:models-)?([0-9a-f]{64}|[0-9a-f]{12})(?:-[0-9a-f]{8})?\.json$")


def file_hash(name: str, recording: Any) -> str | None:
    """The request hash a file is named by; computed from its request otherwise."""
    found = _HASH_NAME.match(name)
    if found:
        return found.group(1)
    from recctl.ogx.hashing import request_hash  # 5 ms with OpenSSL: only for such names

    return request_hash(recording)


class _Changes:
    """Sets values and remembers which rules changed something."""

    def __init__(self) -> None:
        self.rules: set[str] = set()

    def set(self, data: dict[str, Any], key: str, value: Any, rule: str) -> None:
        if key in data and data[key] != value:
            data[key] = value
            self.rules.add(rule)

    def remove(self, data: dict[str, Any], key: str, rule: str) -> None:
        if key in data:
            del data[key]
            self.rules.add(rule)


def normalize_recording(recording: Any, digest: str | None, rules: frozenset[str]) -> set[str]:
    """Apply ``rules`` in place; return the names of those that changed something."""
    changes = _Changes()
    response = as_dict(as_dict(recording).get("response"))
    body = response.get("body")
    items = body if isinstance(body, list) else [body]
    typed = _typed_rules(digest, rules)
    for position, item in enumerate(items):
        if type(item) is dict:
            data = item.get("__data__")
            if "__type__" in item and isinstance(data, dict):
                typed(data, changes)
            else:
                _raw(item, digest, position, rules, changes)
        elif isinstance(item, str) and isinstance(body, list) and digest:
            line = _sse_line(item, digest, position, rules, changes)
            if line != item:
                body[position] = line
    return changes.rules


def _typed_rules(
    digest: str | None, rules: frozenset[str]
) -> Callable[[dict[str, Any], _Changes], None]:
    """The recorder's own rules, and the extras that apply to typed objects.

    The rules are looked up once per recording, not once per chunk: a stream has
    up to 1,400 chunks, and a check of a normalized tree changes none of them.
    """
    new_id = f"rec-{digest[:12]}" if "id" in rules and digest else None
    created = "created" in rules
    created_at = "created_at" in rules
    durations = "durations" in rules
    obfuscation = "obfuscation" in rules
    fingerprint = "system_fingerprint" in rules

    def apply(data: dict[str, Any], changes: _Changes) -> None:
        not_model = data.get("object") != "model"
        if new_id is not None and not_model and data.get("id", new_id) != new_id:
            changes.set(data, "id", new_id, "id")
        if created and not_model and data.get("created", 0) != 0:
            changes.set(data, "created", 0, "created")
        if created_at and data.get("created_at", EPOCH_Z) != EPOCH_Z:
            changes.set(data, "created_at", EPOCH_Z, "created_at")
        if durations:
            for key in _DURATIONS:
                if data.get(key) is not None:
                    changes.set(data, key, 0, "durations")
        if obfuscation:
            changes.remove(data, "obfuscation", "obfuscation")
            for choice in as_list(data.get("choices")):
                if isinstance(choice, dict):
                    changes.remove(choice, "obfuscation", "obfuscation")
        if fingerprint and isinstance(data.get("system_fingerprint"), str):
            changes.set(data, "system_fingerprint", "fp_normalized", "system_fingerprint")

    return apply


def _raw(
    data: dict[str, Any],
    digest: str | None,
    position: int,
    rules: frozenset[str],
    changes: _Changes,
) -> None:
    """genai chunks and responses, Anthropic messages, Gemini interactions."""
    tag = digest[:12] if digest else "0" * 12
    if "genai_response_id" in rules and isinstance(data.get("response_id"), str):
        changes.set(data, "response_id", f"rec-{tag}-{position}", "genai_response_id")
    if "genai_create_time" in rules and isinstance(data.get("create_time"), str):
        changes.set(data, "create_time", EPOCH_SECONDS_Z, "genai_create_time")
    headers = as_dict(as_dict(data.get("sdk_http_response")).get("headers"))
    if "date_header" in rules and isinstance(headers.get("Date"), str):
        changes.set(headers, "Date", EPOCH_HTTP, "date_header")
    _anthropic(data, tag, rules, changes)
    _interaction(data, tag, rules, changes)


def _anthropic(data: dict[str, Any], tag: str, rules: frozenset[str], changes: _Changes) -> None:
    if "anthropic_id" not in rules:
        return
    message = data if data.get("type") == "message" else as_dict(data.get("message"))
    if isinstance(message.get("id"), str) and str(message["id"]).startswith("msg_"):
        changes.set(message, "id", f"msg_rec{tag}", "anthropic_id")


def _interaction(data: dict[str, Any], tag: str, rules: frozenset[str], changes: _Changes) -> None:
    interaction = data if data.get("object") == "interaction" else as_dict(data.get("interaction"))
    if not interaction:
        return
    if "interaction_id" in rules:
        if isinstance(interaction.get("id"), str):
            changes.set(interaction, "id", f"v1_rec{tag}", "interaction_id")
        if isinstance(data.get("interaction_id"), str):
            changes.set(data, "interaction_id", f"v1_rec{tag}", "interaction_id")
    if "interaction_timestamps" in rules:
        for key in ("created", "updated"):
            if isinstance(interaction.get(key), str):
                changes.set(interaction, key, EPOCH_SECONDS_Z, "interaction_timestamps")


def _sse_line(
    line: str, digest: str, position: int, rules: frozenset[str], changes: _Changes
) -> str:
    """A ``data: {...}`` line with the raw rules applied, written as it was written.

    The line is only touched when re-serializing its payload unchanged gives the
    exact original text, so the spelling of everything else is kept.
    """
    if not line.startswith("data: {"):
        return line
    payload = line[len("data: ") :]
    try:
        event = json.loads(payload)
    except json.JSONDecodeError:
        return line
    dumps = _dumper_for(payload, event)
    if dumps is None or not isinstance(event, dict):
        return line
    local = _Changes()
    _raw(event, digest, position, rules, local)
    if "interaction_id" in rules and isinstance(event.get("interaction_id"), str):
        local.set(event, "interaction_id", f"v1_rec{digest[:12]}", "interaction_id")
    if not local.rules:
        return line
    changes.rules |= local.rules
    return "data: " + dumps(event)


def _dumper_for(payload: str, event: Any) -> Callable[[Any], str] | None:
    for separators in ((",", ":"), (", ", ": ")):
        for ascii_only in (False, True):

            def dumps(value: Any, s: tuple[str, str] = separators, a: bool = ascii_only) -> str:
                return json.dumps(value, separators=s, ensure_ascii=a)

            if dumps(event) == payload:
                return dumps
    return None
