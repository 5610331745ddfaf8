"""``recctl stats``: a corpus overview, by suite directory, endpoint, provider and model.

``file_stats`` reduces one parsed recording to a ``FileStats`` row (pure);
``aggregate`` sums rows into groups. Tokens are summed over recordings, only
where a recording holds usage; recordings without usage are counted apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any

from recctl.containers.recording import reassemble
from recctl.shapes import classify
from recctl.values import as_dict
from recctl.view import provider_of


@dataclass(frozen=True)
class FileStats:
    suite: str
    endpoint: str
    provider: str
    model: str
    streamed: bool
    chunks: int
    bytes: int
    prompt_tokens: int | None
    completion_tokens: int | None
    has_usage: bool
    exception: bool


@dataclass
class Totals:
    files: int = 0
    streamed: int = 0
    chunks: int = 0
    bytes: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    without_usage: int = 0
    exceptions: int = 0

    def add(self, row: FileStats) -> None:
        self.files += 1
        self.streamed += row.streamed
        self.chunks += row.chunks
        self.bytes += row.bytes
        self.prompt_tokens += row.prompt_tokens or 0
        self.completion_tokens += row.completion_tokens or 0
        self.without_usage += not row.has_usage
        self.exceptions += row.exception


GROUPINGS = ("suite", "endpoint", "provider", "model")


@dataclass
class Overview:
    totals: Totals = field(default_factory=Totals)
    groups: dict[str, dict[str, Totals]] = field(
        default_factory=lambda: {grouping: {} for grouping in GROUPINGS}
    )
    unreadable: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "totals": asdict(self.totals),
            **{
                f"by_{grouping}": [
                    {"name": name, **asdict(totals)} for name, totals in sorted_groups(rows)
                ]
                for grouping, rows in self.groups.items()
            },
            "unreadable": self.unreadable,
        }


def sorted_groups(rows: dict[str, Totals]) -> list[tuple[str, Totals]]:
    """Largest groups first, then by name."""
    return sorted(rows.items(), key=lambda item: (-item[1].files, item[0]))


def suite_of(path: str) -> str:
    """The directory holding ``recordings/`` (``tests/integration/<suite>/recordings``)."""
    parts = PurePath(path).parts[:-1]
    if "recordings" in parts:
        index = len(parts) - 1 - parts[::-1].index("recordings")
        if index > 0:
            return parts[index - 1]
    return parts[-1] if parts else "."


def file_stats(path: str, size: int, recording: Any) -> FileStats:
    shape = classify(recording)
    answer = reassemble(recording, shape)
    request = as_dict(as_dict(recording).get("request"))
    model = answer.model or request.get("model") or as_dict(request.get("payload")).get("model")
    endpoint = shape.endpoint or (shape.request.value if shape.request.value != "unknown" else "?")
    usage = answer.usage
    return FileStats(
        suite=suite_of(path),
        endpoint=endpoint,
        provider=provider_of(request) or "?",
        model=model if isinstance(model, str) and model else "(none)",
        streamed=bool(shape.streamed),
        chunks=answer.chunks,
        bytes=size,
        prompt_tokens=usage.prompt_tokens if usage else None,
        completion_tokens=usage.completion_tokens if usage else None,
        has_usage=usage is not None,
        exception=shape.exception,
    )


def aggregate(rows: Iterable[FileStats | tuple[str, str]]) -> Overview:
    """Sum rows; a ``(path, reason)`` pair is a file that could not be read."""
    overview = Overview()
    for row in rows:
        if isinstance(row, tuple):
            overview.unreadable.append({"path": row[0], "reason": row[1]})
            continue
        overview.totals.add(row)
        for grouping in GROUPINGS:
            name = getattr(row, grouping)
            overview.groups[grouping].setdefault(name, Totals()).add(row)
    return overview
