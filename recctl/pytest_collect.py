"""The node ids of a real ``pytest --collect-only`` (``recctl prune``'s exact mode): run
in the root, or read from its saved output or a pytest-json-report file."""

from __future__ import annotations

import functools
import json
import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from typing import Any

from recctl.values import as_dict, as_str


def read_collected(text: str) -> set[str]:
    """Node ids from ``pytest --collect-only -q`` output or a pytest-json-report file."""
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            document: Any = json.loads(stripped)
        except json.JSONDecodeError:
            document = None
        if isinstance(document, dict):
            return _json_report_ids(document)
    return {line.rstrip("\n") for line in text.splitlines() if "::" in line}


def _json_report_ids(document: dict[str, Any]) -> set[str]:
    ids = {as_str(as_dict(test).get("nodeid")) for test in document.get("tests") or []}
    for collector in document.get("collectors") or []:
        for item in as_dict(collector).get("result") or []:
            item = as_dict(item)
            if item.get("type") not in ("Module", "Package", "Dir", "Class"):
                ids.add(as_str(item.get("nodeid")))
    return {node_id for node_id in ids if node_id and "::" in node_id}


class CollectError(Exception):
    pass


def collect(root: str, arguments: str) -> set[str]:
    """Run ``pytest --collect-only -q ARGUMENTS`` in ``root`` and read its node ids."""
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", *shlex.split(arguments)]
    preexec: Callable[[], None] | None = None
    if sys.platform == "linux":  # pytest ends with recctl, however recctl ends
        from recctl.parallel import death_signal_request

        request, parent = death_signal_request(), os.getpid()
        preexec = functools.partial(request, parent)
    try:
        result = subprocess.run(
            command, cwd=root, capture_output=True, text=True, check=False, preexec_fn=preexec
        )
    except OSError as error:
        raise CollectError(f"cannot run pytest: {error.strerror or error}") from None
    if result.returncode not in (0, 5):  # 5: nothing collected
        last = (result.stdout.strip().splitlines() or ["(no output)"])[-1]
        raise CollectError(f"pytest --collect-only {arguments} failed: {last}")
    return read_collected(result.stdout)
