"""The ``qs`` package (6.17) as ``@pollyjs/utils``' ``URL`` uses it: a query string
parsed into nested objects and arrays (brackets, indices, repeated keys) and written
back, with its limits (array indices, depth, parameter count)."""

from __future__ import annotations

import re
from typing import Any

from recctl.containers.js_json import (
    URIComponentError,
    decode_uri_component,
    js_number,
    qs_encode,
)

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


def js_keys(obj: dict[str, Any]) -> list[str]:
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
        return decode_uri_component(plain)
    except URIComponentError:
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
    for key in js_keys(items):
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


def qs_parse(text: str) -> dict[str, Any]:
    """``qs.parse(text, {plainObjects, ignoreQueryPrefix, strictNullHandling})``."""
    if not text:
        return {}
    values = _parse_values(text)
    obj: Any = {}
    for key in js_keys(values):
        if not key:
            continue
        obj = _merge(obj, _parse_object(_split_key(key), values[key]))
    result = _compact(obj)
    return result if isinstance(result, dict) else _array_to_object(result)


def _qs_stringify_value(value: Any, prefix: str, array_format: str, out: list[str]) -> None:
    if value is None:
        out.append(qs_encode(prefix))
    elif isinstance(value, (str, int, float)):
        if value is True or value is False:
            text = "true" if value else "false"
        elif isinstance(value, str):
            text = value
        else:
            text = js_number(value)
        out.append(qs_encode(prefix) + "=" + qs_encode(text))
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
        for key in js_keys(value):
            _qs_stringify_value(value[key], f"{prefix}[{key}]", array_format, out)


def qs_stringify(obj: dict[str, Any], array_format: str | None) -> str:
    out: list[str] = []
    for key in js_keys(obj):
        _qs_stringify_value(obj[key], key, array_format or "indices", out)
    return "?" + "&".join(out) if out else ""


_INDICES = re.compile(r"\[\d+\]\Z")
_BRACKETS = re.compile(r"\[\]\Z")


def array_format(query: str) -> str | None:
    """``@pollyjs/utils``' ``arrayFormat``: how the query wrote its arrays."""
    keys = [decode_uri_component(p.split("=")[0]) for p in query.replace("?", "", 1).split("&")]
    for key in keys:
        if _INDICES.search(key):
            return "indices"
        if _BRACKETS.search(key):
            return "brackets"
    if len(set(keys)) != len(keys):
        return "repeat"
    return None
