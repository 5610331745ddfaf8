"""YAML read safely: what every YAML container (VCR.py, and the cassettes of other
languages) loads its files with.

Cassettes are untrusted: YAML is read with a safe loader only (a ``!!python/...``
tag is an error, never executed) that builds only what JSON can hold (mapping
keys as text, ``!!set`` as a list, timestamps as their text). Its size is
bounded before anything is built (``_within_budget``: nodes counted, aliases
expanded, from the bytes or from libyaml's events), and libyaml refuses nesting
deeper than 1,000 levels.
"""

from __future__ import annotations

import re
from typing import Any

from recctl import io
from recctl.io import json_text

#: YAML nodes (aliases expanded) a cassette may hold: a hundred times the largest of
#: 151 real cassettes (2,118), and about 75 MB while PyYAML builds them.
NODE_BUDGET = 200_000
#: An anchor or an alias, where one can start (a false match only costs the event count).
_ANCHOR_OR_ALIAS = re.compile(rb"(?:^|[\s\[{,:-])[&*][^\s\[\]{},]", re.MULTILINE)
#: A node needs one of these before it: a YAML document of N of them holds at most
#: 2N + 2 nodes (each flow item, mapping value and block entry follows one).
_SEPARATORS = (b",", b":", b"\n", b"[", b"{", b"-", b"?")


def load_yaml(raw: bytes) -> Any:
    """The document ``raw`` holds; ``io.LoadError`` saying why when it cannot be read."""
    if not raw.strip():
        raise io.LoadError("empty file")
    import yaml  # 10 ms: only when YAML is read

    loader = _loader()
    try:
        _within_budget(raw, loader)
        return yaml.load(raw, Loader=loader)  # a safe loader, always
    except yaml.constructor.ConstructorError as error:
        tag = getattr(error, "problem", "") or str(error)
        raise io.LoadError(f"unsafe or unknown YAML tag, never constructed: {tag}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "invalid"
        if "nesting depth" in problem:
            problem = "nested more than 1,000 levels deep (libyaml's limit)"
        raise io.LoadError(
            f"not valid YAML: {problem}{where}", mark.line + 1 if mark else None
        ) from None
    except (UnicodeDecodeError, RecursionError) as error:
        raise io.LoadError(f"not valid YAML: {type(error).__name__}") from None


def _within_budget(raw: bytes, loader: Any) -> None:
    """Refuse a document of more than ``NODE_BUDGET`` nodes, aliases expanded, before
    PyYAML builds it (8 MiB of ``[0,0,…]`` would take 1.5 GB, an alias bomb more).

    Counting separators bounds the nodes at memory speed; only a document that
    might exceed the budget, or holds anchors, has libyaml's events counted, one
    at a time, each alias adding the size of what it repeats.
    """
    import yaml

    if 2 * sum(raw.count(c) for c in _SEPARATORS) + 2 <= NODE_BUDGET and not (
        b"&" in raw and _ANCHOR_OR_ALIAS.search(raw)
    ):
        return
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for
    open_collections: list[tuple[str | None, int]] = []  # (anchor, total so far)
    total = 0
    for event in yaml.parse(raw, Loader=loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_collections.append((event.anchor, total))
            size = 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            anchor, start = open_collections.pop()
            if anchor is not None:
                sizes[anchor] = total - start
            continue
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor or "", 1)
        else:
            continue
        total += size
        if total > NODE_BUDGET:
            raise io.LoadError(
                f"YAML of more than {NODE_BUDGET:,} nodes, aliases expanded: not read"
            )


_LOADER: Any = None
#: The longest integer read as a number (64 bits take 20 digits; Python's limit is 4,300).
_INT_DIGITS = 100


def _loader() -> Any:
    """PyYAML's safe loader (libyaml's, when present), building JSON-shaped values only."""
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class JsonShapedLoader(base):  # type: ignore[misc, valid-type]
            def construct_mapping(self, node: Any, deep: bool = False) -> dict[str, Any]:
                mapping: dict[Any, Any] = super().construct_mapping(node, deep)
                if all(type(key) is str for key in mapping):
                    return mapping
                return {_key_text(key): value for key, value in mapping.items()}

        def as_text(loader: Any, node: Any) -> str:
            return str(node.value)

        def as_list(loader: Any, node: Any) -> list[Any]:
            return list(loader.construct_mapping(node))

        def bounded_int(loader: Any, node: Any) -> int | str:
            # Python refuses to read a decimal integer of more than 4,300 digits
            # (ValueError), and reading one is quadratic below that: a longer one
            # is kept as its text, as a JSON reader that cannot hold it would.
            if len(str(node.value)) > _INT_DIGITS:
                return str(node.value)
            try:
                value: int = base.construct_yaml_int(loader, node)
            except ValueError:
                return str(node.value)
            return value

        JsonShapedLoader.add_constructor("tag:yaml.org,2002:timestamp", as_text)
        JsonShapedLoader.add_constructor("tag:yaml.org,2002:set", as_list)
        JsonShapedLoader.add_constructor("tag:yaml.org,2002:int", bounded_int)
        # Ruby's VCR writes bytes that are not UTF-8 as ``!binary`` (base64), what
        # YAML calls ``!!binary``: read as what it is, bytes.
        JsonShapedLoader.add_constructor("!binary", base.construct_yaml_binary)
        _LOADER = JsonShapedLoader
    return _LOADER


def _key_text(key: Any) -> str:
    """A mapping key as JSON would hold it: ``1`` -> ``"1"``, ``~`` -> ``"null"``."""
    if isinstance(key, str):
        return key
    if key is None or isinstance(key, (bool, int, float)):
        return json_text(key)
    return str(key)
