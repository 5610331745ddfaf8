"""``recctl stats``: a corpus overview, by suite directory, endpoint, provider and model.

``exchange_rows`` reduces a file to one ``FileStats`` row per exchange (pure);
``aggregate`` sums rows into groups. A row is one exchange (a recording, or an
interaction of a cassette); a group counts the files its rows come from, and the exchanges.
Tokens are summed over exchanges, only where one holds usage; exchanges without
usage are counted apart.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from recctl.exchange import RecordedFile
from recctl.providers import provider_of
from recctl.values import as_dict


@dataclass(frozen=True)
class FileStats:
    path: str
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
    exchanges: int = 0  # recordings, and the interactions of cassettes
    streamed: int = 0
    chunks: int = 0
    bytes: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    without_usage: int = 0
    exceptions: int = 0
    _last_path: str = field(default="", repr=False, compare=False)

    def add(self, row: FileStats) -> None:
        # The rows of one file arrive together: a new path is a new file.
        self.files += row.path != self._last_path
        self._last_path = row.path
        self.exchanges += 1
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
    notes: list[dict[str, str]] = field(default_factory=list)  # YAML that is not HTTP cassettes

    def to_json(self) -> dict[str, Any]:
        return {
            "totals": _counts(self.totals),
            **{
                f"by_{grouping}": [
                    {"name": name, **_counts(totals)} for name, totals in sorted_groups(rows)
                ]
                for grouping, rows in self.groups.items()
            },
            "unreadable": self.unreadable,
            "notes": self.notes,
        }


def _counts(totals: Totals) -> dict[str, int]:
    return {k: v for k, v in asdict(totals).items() if not k.startswith("_")}


def sorted_groups(rows: dict[str, Totals]) -> list[tuple[str, Totals]]:
    """Largest groups first, then by name."""
    return sorted(rows.items(), key=lambda item: (-item[1].exchanges, item[0]))


def suite_of(path: str) -> str:
    """The directory holding ``recordings/`` (``tests/integration/<suite>/recordings``)
    or Go's ``testdata/`` (the package); for a cassette, its module's directory under
    ``cassettes/`` (``cassettes/<module>/``), else the directory holding ``cassettes/``."""
    parts = PurePath(path).parts[:-1]
    for directory in ("recordings", "testdata"):
        if directory in parts:
            index = len(parts) - 1 - parts[::-1].index(directory)
            if index > 0:
                return parts[index - 1]
    if "cassettes" in parts:
        index = len(parts) - 1 - parts[::-1].index("cassettes")
        if index + 1 < len(parts):
            return parts[index + 1]
        if index > 0:
            return parts[index - 1]
    return parts[-1] if parts else "."


def exchange_rows(file: RecordedFile) -> list[FileStats]:
    """One row per exchange; the file's bytes go to the first."""
    rows = []
    for exchange in file.exchanges:
        answer = file.answer(exchange)
        model = (
            (answer.model if answer else None)
            or exchange.extras.get("model")
            or as_dict(exchange.request.body).get("model")
        )
        usage = answer.usage if answer else None
        rows.append(
            FileStats(
                path=file.path,
                suite=suite_of(file.path),
                endpoint=endpoint_of(exchange.extras, exchange.url),
                provider=provider_of(exchange.extras.get("provider"), exchange.url) or "?",
                model=model if isinstance(model, str) and model else "(none)",
                # a Gemini stream may come as one JSON array: its answer says so
                streamed=exchange.streamed or bool(answer and answer.streamed),
                chunks=answer.chunks if answer else len(exchange.events or ()),
                bytes=file.size if exchange.index == 0 else 0,
                prompt_tokens=usage.prompt_tokens if usage else None,
                completion_tokens=usage.completion_tokens if usage else None,
                has_usage=usage is not None,
                exception=bool(answer and answer.kind in ("exception", "http_error")),
            )
        )
    return rows


def endpoint_of(extras: dict[str, Any], url: str) -> str:
    """The path the provider received (an ogx recording's own, ``received``), with its
    variable segments named: a model as ``{model}``, an id as ``{id}``
    (``/v1/batches/{id}``, ``/v1beta/models/{model}:generateContent``); a call that
    is not HTTP by its kind (``tool``)."""
    path = extras.get("received") or (None if extras.get("endpoint") else _path(url))
    if path is None:
        return str(extras.get("endpoint"))
    parts = path.split("/")
    for n, part in enumerate(parts):
        if n and parts[n - 1] in ("model", "models") and part:
            method = part.rpartition(":")[2] if n == len(parts) - 1 and ":" in part else ""
            parts[n] = "{model}" + (f":{method}" if method else "")
        elif _ID.fullmatch(part) and not _VERSION.fullmatch(part):
            parts[n] = "{id}"
    return "/".join(parts)


#: A path segment that is an id: a number, a uuid, a long token holding a digit, or
#: a prefixed token (``batch_…``, ``file-…``, ``resp_…``); versions are kept.
_ID = re.compile(r"\d+|(?=[^/]*\d)[\w.~%-]{8,}|[a-z]+[_-][A-Za-z0-9]{12,}")
_VERSION = re.compile(r"v\d+(?:alpha|beta)?\d*|\d{4}-\d{2}-\d{2}")


def _path(url: str) -> str:
    if not url:
        return "?"
    try:
        return urlsplit(url).path or "/"
    except ValueError:
        return "?"


#: What a file gives ``aggregate``: its rows, (path, reason) when it cannot be
#: read, or (path, note, None) when it is YAML but not an HTTP cassette.
Rows = list[FileStats] | tuple[str, str] | tuple[str, str, None]


def aggregate(results: Iterable[Rows]) -> Overview:
    """Sum the rows of every file. A file read counts as one though it hold no
    exchange (an empty trace) or no HTTP call at all (a gRPC or WebSocket recording,
    also listed in ``notes``)."""
    overview = Overview()
    for result in results:
        if isinstance(result, tuple):
            if len(result) == 3:
                overview.notes.append({"path": result[0], "note": result[1]})
                overview.totals.files += 1
            else:
                overview.unreadable.append({"path": result[0], "reason": result[1]})
            continue
        if not result:
            overview.totals.files += 1
        for row in result:
            overview.totals.add(row)
            for grouping in GROUPINGS:
                name = getattr(row, grouping)
                overview.groups[grouping].setdefault(name, Totals()).add(row)
    return overview
