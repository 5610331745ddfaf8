"""The recording schema and the two validators behind ``validate``.

A compiled validator (jsonschema-rs) answers yes/no for every file at about half
the cost of parsing it. Only files that fail are validated again with the
reference python-jsonschema, whose ``best_match`` explains ``oneOf``/``if``
failures by the branch that came closest instead of a wall of alternatives.
python-jsonschema is imported only then: it costs 80 ms of start-up.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from typing import Any, NamedTuple

import jsonschema_rs
import orjson

from recctl.findings import json_path

#: Schema errors reported per file before the rest are counted in one line.
MAX_ERRORS_PER_FILE = 20
#: Schema errors counted per file, at most (each costs an object).
MAX_ERRORS_COUNTED = 10_000


class SchemaError(Exception):
    """The schema itself is unusable (not JSON, not a valid JSON Schema)."""


SHIPPED_SCHEMA = os.path.join(os.path.dirname(__file__), "recording.schema.json")


def shipped_schema_bytes() -> bytes:
    """The recording schema that ships inside the package, as stored.

    Read beside this module rather than through importlib.resources, whose
    import costs 12 ms of every run's start-up.
    """
    with open(SHIPPED_SCHEMA, "rb") as f:
        return f.read()


class SchemaIssue(NamedTuple):
    pointer: str
    message: str


class SchemaValidator:
    """Validates parsed recordings against one schema."""

    def __init__(self, schema_bytes: bytes) -> None:
        self.schema_bytes = schema_bytes
        try:
            self.schema: Any = orjson.loads(schema_bytes)
        except orjson.JSONDecodeError as error:
            raise SchemaError(f"not valid JSON: {error.msg} at line {error.lineno}") from None
        if not isinstance(self.schema, (dict, bool)):
            raise SchemaError("a JSON Schema must be an object or a boolean")
        try:
            self._fast = jsonschema_rs.validator_for(self.schema)
        except (jsonschema_rs.ValidationError, ValueError) as error:
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else "invalid"
            raise SchemaError(f"not a valid JSON Schema: {first_line}") from None
        self._explainer: Any = None

    def is_valid(self, instance: Any) -> bool:
        return bool(self._fast.is_valid(instance))

    def issues(self, instance: Any) -> list[SchemaIssue]:
        """The first ``MAX_ERRORS_PER_FILE`` schema errors, each explained by its best
        match, then how many more there are.

        Only those are explained: python-jsonschema builds its errors lazily, and
        the rest are counted by the compiled validator (80,000 bad chunks took
        68 s and 1 GB when every one was explained).
        """
        if self.is_valid(instance):
            return []
        first = list(itertools.islice(self._explain(instance), MAX_ERRORS_PER_FILE + 1))
        first.sort(key=lambda error: _sort_key(error.absolute_path))
        issues = [_explain_error(error) for error in first[:MAX_ERRORS_PER_FILE]]
        if len(first) > MAX_ERRORS_PER_FILE:
            counted = itertools.islice(self._fast.iter_errors(instance), MAX_ERRORS_COUNTED)
            total = sum(1 for _ in counted)
            more = max(total - MAX_ERRORS_PER_FILE, 1)
            at_least = "at least " if total == MAX_ERRORS_COUNTED else ""
            noun = "error" if more == 1 else "errors"
            issues.append(SchemaIssue("$", f"{at_least}{more:,} more schema {noun} not shown"))
        if not issues:  # the two validators disagree: still report the failure
            issues.append(SchemaIssue("$", "does not match the schema"))
        return issues

    def _explain(self, instance: Any) -> Iterator[Any]:
        if self._explainer is None:
            from jsonschema.validators import validator_for

            cls = validator_for(self.schema)
            self._explainer = cls(self.schema)
        return iter(self._explainer.iter_errors(instance))


def _sort_key(path: Any) -> list[tuple[int, int | str]]:
    """Order paths as a reader expects: body[2] before body[10]."""
    return [(0, part) if isinstance(part, int) else (1, part) for part in path]


def _explain_error(error: Any) -> SchemaIssue:
    """One line for one top-level error, descending into ``oneOf``/``anyOf``/``if``.

    Among the alternatives, the one with the fewest errors is the best match (a
    request with one stray key is "an inference request with an extra key", not
    "none of four shapes"); its title, when the schema gives one, says which.
    """
    from jsonschema.exceptions import best_match

    title: str | None = None
    while error.context:
        branches: dict[Any, list[Any]] = {}
        for sub in error.context:
            branches.setdefault(sub.schema_path[0] if sub.schema_path else None, []).append(sub)
        closest = min(branches.values(), key=len)
        best = best_match(closest)
        if best.validator != "type" or list(best.absolute_path) != list(error.absolute_path):
            schema: Any = best.schema
            title = schema.get("title", title) if isinstance(schema, dict) else title
        error = best
    message = _one_line(_shorten_instance(error))
    if title:
        message = f"as {_article(title)} {title}: {message}"
    return SchemaIssue(json_path(error.absolute_path), message)


def _shorten_instance(error: Any) -> str:
    """Replace a long rendering of the failing value by its kind ("an object")."""
    message: str = error.message
    shown = repr(error.instance)
    if len(shown) > 60 and message.startswith(shown):
        kinds: dict[type, str] = {dict: "an object", list: "an array", str: "a long string"}
        message = kinds.get(type(error.instance), "the value") + message[len(shown) :]
    return message


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _one_line(message: str, limit: int = 300) -> str:
    flat = " ".join(message.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
