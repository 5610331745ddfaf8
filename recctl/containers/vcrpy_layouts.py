"""Which test a cassette belongs to, by where it lies (for ``recctl prune``).

pytest-recording names a cassette after the test that recorded it:
``<test dir>/cassettes/<module>/<name>.yaml``, where ``<name>`` is the node name
(``test_x``, ``test_x[params]``, ``Class.test_x[params]``) with each of
``<>?%*:|"'/\\`` replaced by ``-``. That is the ``pytest-recording`` layout.
crewAI mirrors its test directories under ``tests/cassettes/`` instead, with no
module folder: the ``mirrored`` layout, where any test module of the mirrored
directory may define the test.

A name that does not read as a test (a custom ``default_cassette_name``, another
``vcr_cassette_dir``) is *unmapped*: never stale.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

LAYOUTS = ("pytest-recording", "mirrored")
_UNSAFE_CHARACTERS = re.compile(r"""[<>?%*:|"'/\\]""")
#: pydantic-ai names its xAI gRPC recordings ``<node name>.xai.yaml``.
_SUFFIXES = (".xai.yaml", ".yaml.gz", ".yaml", ".yml")


@dataclass(frozen=True)
class CassetteTest:
    """Where a cassette's test should be: candidate modules, and the names in them."""

    modules: list[str]  # test module paths, relative to the root (mirrored: every module)
    names: list[str]  # ["Class", "test_x"] or ["test_x"]
    directory: str  # the test directory, relative to the root
    name: str  # the cassette's node name, as in its file name (parameters included)


def sanitize(node_name: str) -> str:
    """A node name as pytest-recording writes it into a file name."""
    return _UNSAFE_CHARACTERS.sub("-", node_name)


def _node_name(path: str) -> str:
    name = os.path.basename(path)
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _names(node_name: str) -> list[str] | None:
    """``Class.test_x[p.q]`` -> ``["Class", "test_x"]``; None when it is not a test name."""
    head = node_name.split("[", 1)[0]
    parts = head.split(".")
    if (
        len(parts) > 2
        or not parts[-1].startswith("test")
        or not all(part.isidentifier() for part in parts)
    ):
        return None
    if len(parts) == 2 and not parts[0].startswith("Test"):
        return None
    return parts


def map_cassette(path: str, root: str, layout: str) -> CassetteTest | None:
    """The test a cassette belongs to, or None when its place or name does not say."""
    relative = os.path.relpath(os.path.abspath(path), root).replace(os.sep, "/")
    if relative.startswith("../"):
        return None  # outside the root: nothing is read there
    parts = relative.split("/")
    if "cassettes" not in parts[:-1]:
        return None
    at = len(parts) - 1 - parts[:-1][::-1].index("cassettes") - 1
    node_name = _node_name(parts[-1])
    names = _names(node_name)
    if names is None:
        return None
    test_dir = "/".join(parts[:at])
    inner = parts[at + 1 : -1]
    if layout == "pytest-recording":
        if len(inner) != 1:
            return None  # no module folder, or a deeper tree: another layout
        module = "/".join([*parts[:at], inner[0] + ".py"])
        return CassetteTest([module], names, test_dir, node_name)
    directory = "/".join([*parts[:at], *inner])
    modules = sorted(
        f"{directory}/{entry}" if directory else entry
        for entry in _listdir(os.path.join(root, directory))
        if entry.endswith(".py") and (entry.startswith("test_") or entry.endswith("_test.py"))
    )
    return CassetteTest(modules, names, directory, node_name)


def _listdir(directory: str) -> list[str]:
    try:
        return os.listdir(directory)
    except OSError:
        return []


def collected_keys(node_ids: set[str], layout: str) -> set[tuple[str, str]]:
    """(test directory or module, sanitized node name) of each collected node id."""
    keys = set()
    for node_id in node_ids:
        module, _, rest = node_id.partition("::")
        if not rest:
            continue
        head, bracket, params = rest.partition("[")
        node_name = ".".join(head.split("::")) + bracket + params
        place = module[:-3] if layout == "pytest-recording" else os.path.dirname(module)
        keys.add((place, sanitize(node_name)))
    return keys


def cassette_key(test: CassetteTest, layout: str) -> tuple[str, str]:
    """The key ``collected_keys`` gives the test this cassette belongs to."""
    place = test.modules[0][:-3] if layout == "pytest-recording" else test.directory
    return (place, test.name)
