"""What a file is, from its structure: the outline of a YAML or JSON document (its
top-level keys, and the keys of the first item of a top-level list), read from its
first bytes, cheaply.

Containers are told apart by structure, never by a phrase anywhere in a file's head
(a prompt may quote ``http_interactions:``): leading comments, a byte-order mark,
CRLF line ends, ``---`` and the order of keys change nothing. YAML is read as
libyaml's events, nothing constructed (no tag is ever run), at most ``MAX_EVENTS``
of them, and only as far as the first item of the first top-level list: the rest of
a 100 MB cassette is never parsed here. A head cut short in the middle of a value
gives what came before it.
"""

from __future__ import annotations

import re
from typing import Any

#: Events read at most: a cassette's first interaction is a few hundred.
MAX_EVENTS = 5_000
#: Nesting kept: top level, a list, its first item, its request, the request's fields.
MAX_DEPTH = 5
_BOM = b"\xef\xbb\xbf"


class Outline:
    """A document as far as it was read: ``tree`` holds mappings as dicts and lists
    as lists of their first item only, scalars as text (cut to 80 characters),
    nothing deeper than ``MAX_DEPTH``; ``keys`` the top-level keys in order."""

    __slots__ = ("keys", "tree")

    def __init__(self, tree: dict[str, Any]) -> None:
        self.tree = tree
        self.keys = tuple(tree)

    def first(self, key: str) -> dict[str, Any] | None:
        """The first item of the list under top-level ``key``, when it is a mapping."""
        value = self.tree.get(key)
        item = value[0] if isinstance(value, list) and value else None
        return item if isinstance(item, dict) else None


_cache: tuple[bytes, Outline | None] | None = None


def yaml_outline(data: bytes) -> Outline | None:
    """The outline of a YAML document whose top level is a mapping; None when the
    bytes are not one (not YAML, a list, a scalar, empty). Asked for the same bytes
    by every YAML container in turn, it is read once."""
    global _cache
    if _cache is not None and _cache[0] is data:
        return _cache[1]
    outline = _read_yaml(data)
    _cache = (data, outline)
    return outline


def _read_yaml(data: bytes) -> Outline | None:
    import yaml  # 10 ms: only when a YAML file's structure is asked for

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(data)
    # Frames: [node (dict, list or None when not kept), pending key, items seen, depth].
    stack: list[list[Any]] = []
    root: dict[str, Any] | None = None
    events = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            events += 1
            if events > MAX_EVENTS:
                break
            if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                stack.pop()
                if not stack:
                    break
                _after_value(stack[-1])
                continue
            if not isinstance(event, (yaml.NodeEvent, yaml.CollectionStartEvent)):
                continue
            if not stack:  # the document's root
                if not isinstance(event, yaml.MappingStartEvent):
                    return None
                root = {}
                stack.append([root, None, 0, 1])
                continue
            frame = stack[-1]
            node, key, seen, depth = frame
            if isinstance(node, dict) and key is None:  # a mapping key
                if isinstance(event, yaml.ScalarEvent):
                    frame[1] = event.value
                else:  # a complex key: skipped, its value too
                    frame[1] = _SKIPPED
                    if isinstance(event, yaml.CollectionStartEvent):
                        stack.append([None, None, 0, depth + 1])
                continue
            if isinstance(node, list) and seen == 1 and depth == 2:
                break  # the second item of a top-level list: the outline is read
            record = node is not None and key is not _SKIPPED
            record = record and not (isinstance(node, list) and seen)
            if isinstance(event, yaml.CollectionStartEvent):
                child: Any = None
                if record and depth < MAX_DEPTH:
                    child = {} if isinstance(event, yaml.MappingStartEvent) else []
                if record:
                    _store(frame, "..." if child is None else child)
                stack.append([child, None, 0, depth + 1])
                continue
            if record:
                _store(frame, event.value[:80] if isinstance(event, yaml.ScalarEvent) else "*")
            _after_value(frame)
    except yaml.YAMLError:
        pass  # a head cut short, or broken further on: what came before stands
    finally:
        loader.dispose()
    return Outline(root) if root is not None else None


_SKIPPED = object()


def _store(frame: list[Any], value: Any) -> None:
    node = frame[0]
    if isinstance(node, dict):
        node[str(frame[1])] = value
    else:
        node.append(value)


def _after_value(frame: list[Any]) -> None:
    if isinstance(frame[0], dict):
        frame[1] = None
    frame[2] += 1


#: A JSON string or a bracket: enough to follow nesting and find the top-level keys.
_JSON_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"\s*:?|[{}\[\]]')


def json_keys(data: bytes) -> tuple[str, ...] | None:
    """The top-level keys of a JSON object, as far as ``data`` holds them; None when
    ``data`` does not start a JSON object."""
    text = data[3:] if data.startswith(_BOM) else data
    text = text.lstrip()
    if not text.startswith(b"{"):
        return None
    keys: list[str] = []
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        piece = token.group()
        first = piece[:1]
        if first in (b"{", b"["):
            depth += 1
        elif first in (b"}", b"]"):
            depth -= 1
            if depth == 0:
                break
        elif depth == 1 and piece.endswith(b":"):
            name = piece[1 : piece.rindex(b'"')]
            keys.append(name.decode("utf-8", "replace"))
    return tuple(keys)


def cassette_dialect(outline: Outline, key: str = "interactions") -> str | None:
    """Whose cassette a YAML ``interactions:`` list is, from its first item: "go-vcr"
    (``url``, a response ``code``, a status as text, an ``id``), "vcrpy" (``uri``, a
    status mapping, ``parsed_body``), or, when the item cannot tell (no items, not
    HTTP, cut short), from the top-level keys: go-vcr writes ``version:`` first,
    VCR.py last."""
    item = outline.first(key)
    if item is not None and (GRPC_KEYS.intersection(item) or is_frame(item)):
        return "vcrpy"  # pydantic-ai's gRPC and WebSocket recordings, beside its cassettes
    if item is not None:
        request, response = item.get("request"), item.get("response")
        request = request if isinstance(request, dict) else {}
        response = response if isinstance(response, dict) else {}
        if "uri" in request or "parsed_body" in request or "parsed_body" in response:
            return "vcrpy"
        if isinstance(response.get("status"), dict) or "status_code" in response:
            return "vcrpy"
        if "url" in request or "code" in response or "duration" in response or "id" in item:
            return "go-vcr"
        if isinstance(response.get("status"), str):
            return "go-vcr"
    keys = outline.keys
    if "version" in keys and key in keys and keys.index("version") < keys.index(key):
        return "go-vcr"
    return "vcrpy"


#: What the items of a YAML ``interactions:`` list hold when they are not HTTP calls.
GRPC_KEYS = frozenset({"request_sample", "response_sample", "request_stream", "response_stream"})


def is_frame(item: Any) -> bool:
    """A frame of a WebSocket session as pydantic-ai records them: ``kind: message``
    (older files: a ``direction`` and its ``data`` alone)."""
    return isinstance(item, dict) and ("kind" in item or {"direction", "data"} <= item.keys())


def not_http(items: list[Any]) -> str | None:
    """Why the items of an ``interactions:`` list are not HTTP calls: gRPC recordings
    (pydantic-ai's xAI cassettes), WebSocket sessions; None when they may be."""
    if any(isinstance(item, dict) and GRPC_KEYS.intersection(item) for item in items):
        return "not an HTTP cassette: a gRPC recording"
    if items and all(is_frame(item) for item in items):
        return "not an HTTP cassette: a WebSocket session"
    return None
