"""Server-sent events: the ``data:`` payloads of a stream, parsed as JSON.

ogx stores a stream as a list of lines; a cassette as one text. Both become the
same list of event dicts for the protocol modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson


def data_events(lines: list[Any]) -> Iterator[dict[str, Any]]:
    """The JSON payload of each ``data:`` line (``[DONE]`` and bad JSON skipped)."""
    for line in lines:
        if isinstance(line, str) and line.startswith("data:"):
            payload = line[5:].strip()
            try:
                event = orjson.loads(payload)
            except orjson.JSONDecodeError:
                continue
            if isinstance(event, dict):
                yield event


def text_events(text: str) -> list[dict[str, Any]]:
    """The JSON data of each event of an SSE stream kept as one text (a cassette body).

    Events end at a blank line; the ``data:`` lines of one event are joined with
    newlines, as the SSE specification says. ``[DONE]`` and data that is not a
    JSON object are skipped.
    """
    from recctl import budget  # each event is charged to its file's budget

    spending = budget.current()
    events: list[dict[str, Any]] = []
    data: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
        elif not line.strip() and data:
            try:
                event = orjson.loads("\n".join(data))
            except orjson.JSONDecodeError:
                event = None
            if isinstance(event, dict):
                spending.charge("events", 1)
                events.append(event)
            data = []
    return events
