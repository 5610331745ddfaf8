"""Typed access to untrusted JSON values (the wrong type reads as empty), and their
strings searched as one text (``Joined``)."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class Joined:
    """Texts joined by line breaks, searched as one (one pass of a pattern over every
    string of a file), with where each match came from: ``piece(offset)``."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.starts: list[int] = []
        at = 0
        for text in texts:
            self.starts.append(at)
            at += len(text) + 1
        self.text = "\n".join(texts)

    def piece(self, offset: int) -> int:
        """The index of the text ``offset`` falls in."""
        return bisect.bisect_right(self.starts, offset) - 1
