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
