"""``[tool.recctl]`` in pyproject.toml: the options users would otherwise repeat.

The file is the nearest ``pyproject.toml`` holding a ``[tool.recctl]`` table,
searched from the current directory upward, stopping at the git work tree's
root (as ruff does). Keys are spelled with dashes; paths are relative to the
file's directory. An option given on the command line wins over the file. An
unknown key or a value of the wrong type stops the command (exit 2), naming the
key and the file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from recctl.errors import RecctlError


def _strings(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TypeError("a list of strings")
    return list(value)


def _checks(value: Any) -> list[str]:
    """Codes, code prefixes or names of checks, each selecting at least one."""
    from recctl.findings import CHECKS, selected

    entries = _strings(value)
    try:
        selected(CHECKS, entries)
    except ValueError as error:
        raise TypeError(
            f"codes or names of checks; {error} is none (see recctl validate -h)"
        ) from None
    return entries


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("a string")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError("true or false")
    return value


def _layout(value: Any) -> str:
    if value not in ("auto", "pytest-recording", "mirrored"):
        raise TypeError('"auto", "pytest-recording" or "mirrored"')
    return str(value)


def _jobs(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise TypeError("a whole number of at least 1")
    return value


class Key(NamedTuple):
    name: str  # "validate.ignore": table and key
    read: Callable[[Any], Any]  # checks the TOML value, raising TypeError("what it must be")
    default: Any
    help: str
    path: bool = False  # a path (or paths) relative to the file's directory


KEYS = {
    key.name: key
    for key in (
        Key("jobs", _jobs, None, "worker processes for large runs (default: one per core)"),
        Key("include", _strings, [], "globs of files a walk reads besides its conventions"),
        Key("exclude", _strings, [], "globs of files and directories a walk never reads"),
        Key("validate.ignore", _checks, [], "checks turned off: codes, prefixes or names"),
        Key("validate.schema", _string, None, "a JSON Schema instead of the shipped one", True),
        Key(
            "validate.baseline",
            _string,
            None,
            "known findings that do not fail (validate, scrub --check, prune)",
            True,
        ),
        Key("validate.pii", _boolean, False, "look for e-mail addresses and phone numbers"),
        Key("validate.max-body-kib", _jobs, None, "warn of a body larger than this (KiB)"),
        Key("validate.max-age-days", _jobs, None, "warn of a recording older than this"),
        Key("diff.ignore", _strings, [], "JSON paths ignored besides the default ones"),
        Key("diff.default-ignores", _boolean, True, "ignore the volatile fields (ids, ...)"),
        Key("prune.root", _string, None, "the directory test ids are relative to", True),
        Key(
            "prune.paths", _strings, [], "where recordings live (default: every recordings/)", True
        ),
        Key("prune.exclude", _strings, [], "globs of recording paths never judged"),
        Key("prune.collect", _strings, [], "pytest arguments, one per collection (exact mode)"),
        Key("prune.cassette-layout", _layout, "auto", "where cassettes lie"),
        # The per-file budgets (``recctl.budget``, whose ``Limits`` hold the same defaults).
        Key("budget.decompressed-mib", _jobs, 64, "MiB one file may decompress to, in all"),
        Key("budget.events", _jobs, 100_000, "stream events one file may hold"),
        Key("budget.exchanges", _jobs, 10_000, "exchanges one file may hold"),
        Key("budget.json-values", _jobs, 2_000_000, "JSON values one file may hold"),
    )
}


@dataclass
class Config:
    file: str | None = None  # the pyproject.toml read, if any
    values: dict[str, Any] = field(default_factory=dict)  # the keys the file sets

    def get(self, name: str) -> Any:
        return self.values.get(name, KEYS[name].default)

    def source(self, name: str) -> str:
        return self.file if name in self.values and self.file else "default"


def find(start: str | None = None) -> tuple[str, dict[str, Any]] | None:
    """The nearest pyproject.toml with ``[tool.recctl]``, and that table."""
    directory = os.path.abspath(start or os.getcwd())
    while True:
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            table = _tool_table(candidate)
            if table is not None:
                return candidate, table
        if os.path.exists(os.path.join(directory, ".git")):
            return None  # the root of the work tree: stop, as ruff does
        above = os.path.dirname(directory)
        if above == directory:
            return None
        directory = above


def _tool_table(path: str) -> dict[str, Any] | None:
    from recctl.io import LoadError, read_bytes

    try:
        data = read_bytes(path)
    except LoadError as error:
        raise RecctlError(f"{path}: {error}") from None
    if b"recctl" not in data:
        return None  # most pyproject.toml files: no TOML parser imported, none run
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the backport on Python 3.10
        import tomli as tomllib
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise RecctlError(f"{path}: not valid TOML: {error}") from None
    tool = document.get("tool")
    table = tool.get("recctl") if isinstance(tool, dict) else None
    if table is None:
        return None
    if not isinstance(table, dict):
        raise RecctlError(f"{path}: [tool.recctl] must be a table")
    return table


def load(start: str | None = None) -> Config:
    """The configuration in effect from ``start`` (the current directory)."""
    found = find(start)
    if found is None:
        return Config()
    path, table = found
    base = os.path.dirname(path)
    config = Config(path)
    for name, value in _flatten(table):
        key = KEYS.get(name)
        if key is None:
            known = ", ".join(sorted(KEYS))
            raise RecctlError(f"{path}: unknown key [tool.recctl] {name} (known: {known})")
        try:
            checked = key.read(value)
        except TypeError as error:
            raise RecctlError(f"{path}: [tool.recctl] {name} must be {error}") from None
        if key.path:
            checked = (
                [os.path.join(base, item) for item in checked]
                if isinstance(checked, list)
                else os.path.join(base, checked)
            )
        config.values[name] = checked
    return config


def _flatten(table: dict[str, Any]) -> list[tuple[str, Any]]:
    """``{"validate": {"ignore": [...]}, "jobs": 2}`` -> ``[("validate.ignore", ...), ...]``."""
    flat = []
    for name, value in table.items():
        if isinstance(value, dict) and name in {key.split(".")[0] for key in KEYS if "." in key}:
            flat += [(f"{name}.{inner}", item) for inner, item in value.items()]
        else:
            flat.append((name, value))
    return flat
