"""Sizes and ages of recordings: what ``stats --audit`` shows and RC209, RC210 warn of.

A body's size is its bytes as recorded, decompressed (an ogx recording keeps no
bytes per side: its body's JSON is measured); its kind says what makes it large:
``image``, ``audio``, ``video`` (by Content-Type), ``base64 image``, ``base64 audio``,
``base64 media`` (inside JSON or text: a data URI, an audio field, a run of base64
of 4 KiB or more), else ``stream``, ``json``, ``text`` or ``binary``.

An exchange's age is its recording time where the container keeps one (Ruby VCR
``recorded_at``, HAR ``startedDateTime``, go-vcr's ``recorded_at`` where present),
else the time of the last commit that changed the file (``commit_times``, one
``git log`` for a whole tree), else none (a file never committed is new).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

import orjson

from recctl.exchange import Exchange, Message, RecordedFile
from recctl.findings import Finding, json_path

_DATA_URI = re.compile(rb"data:(image|audio|video)/[\w.+-]+;base64,")
_AUDIO_FIELD = re.compile(rb'"(?:input_audio|audio)"\s*:\s*\{[^{}]{0,200}"(?:data|format)"')
_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/]{4096,}")
#: What a base64 run starts with when it encodes an image or a sound.
_MAGIC = (
    (b"iVBORw0KGgo", "image"),  # PNG
    (b"/9j/", "image"),  # JPEG
    (b"R0lGOD", "image"),  # GIF
    (b"UklGR", "audio"),  # RIFF: WAV (or WebP)
    (b"SUQz", "audio"),  # MP3 with an ID3 tag
    (b"T2dnUw", "audio"),  # Ogg
    (b"JVBERi0", "document"),  # PDF
)


class Body(NamedTuple):
    """One body as ``stats --audit`` lists it."""

    path: str
    exchange: int
    side: str  # "request" or "response"
    pointer: str
    bytes: int
    kind: str


def body_bytes(message: Message) -> int:
    if message.size or message.body is None:
        return message.size
    if isinstance(message.body, (bytes, str)):
        return len(message.body)
    try:
        return len(orjson.dumps(message.body))
    except (orjson.JSONEncodeError, TypeError):
        return 0


def body_kind(message: Message, streamed: bool = False) -> str:
    """What a body is, by its Content-Type, else by what it holds."""
    content_type = ",".join(message.headers.get("content-type", [])).lower()
    for media in ("image", "audio", "video"):
        if content_type.startswith(media + "/"):
            return media
    body = message.body
    if isinstance(body, bytes):
        text = body
    elif isinstance(body, str):
        text = body.encode("utf-8", "surrogatepass")
    elif body is not None:
        try:
            text = orjson.dumps(body)
        except (orjson.JSONEncodeError, TypeError):
            text = b""
    else:
        return "empty"
    uri = _DATA_URI.search(text)
    if uri:
        return f"base64 {uri.group(1).decode()}"
    if _AUDIO_FIELD.search(text):
        return "base64 audio"
    run = _BASE64_RUN.search(text)
    if run:
        head = run.group(0)[:12]
        for magic, kind in _MAGIC:
            if head.startswith(magic):
                return f"base64 {kind}"
        return "base64 media"
    if streamed:
        return "stream"
    if isinstance(body, bytes):
        return "binary"
    return "text" if isinstance(body, str) else "json"


def bodies(file: RecordedFile) -> list[Body]:
    """Every non-empty body of a file, with its size and kind."""
    found = []
    for exchange in file.exchanges:
        for side, message in (("request", exchange.request), ("response", exchange.response)):
            size = body_bytes(message)
            if size:
                streamed = side == "response" and exchange.streamed
                pointer = json_path([*message.place, message.body_key])
                kind = body_kind(message, streamed)
                found.append(Body(file.path, exchange.index, side, pointer, size, kind))
    return found


def large_bodies(file: RecordedFile, max_kib: int) -> list[Finding]:
    """RC209: each body over ``max_kib`` KiB."""
    return [
        Finding(
            file.path,
            body.pointer,
            "RC209",
            f"a {body.kind} body of {body.bytes / 1024:,.0f} KiB, over validate.max-body-kib "
            f"({max_kib:,}): record a smaller input, or keep the media outside the recording",
        )
        for body in bodies(file)
        if body.bytes > max_kib * 1024
    ]


def recorded_time(exchange: Exchange) -> float | None:
    """When an exchange was recorded (seconds since the epoch), where its container says."""
    return parse_time(exchange.extras.get("recorded_at"))


def parse_time(value: Any) -> float | None:
    """An ISO 8601 time (HAR, go-vcr) or an RFC 2822 one (Ruby VCR), as a timestamp."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def recorded_times(file: RecordedFile) -> list[float]:
    return [t for t in map(recorded_time, file.exchanges) if t is not None]


def commit_times(paths: Iterable[str], timeout: float = 30.0) -> dict[str, float]:
    """The time of the last commit that changed each file (by real path): one
    ``git log`` per work tree, over the directories the files are in. A file outside
    git, or never committed, is left out."""
    by_root: dict[str, list[str]] = {}
    for path in paths:
        absolute = os.path.realpath(path)
        root = _work_tree(os.path.dirname(absolute))
        if root is not None:
            by_root.setdefault(root, []).append(absolute)
    times: dict[str, float] = {}
    for root, files in by_root.items():
        wanted = set(files)
        directories = sorted({os.path.dirname(f) for f in files})
        try:
            listed = subprocess.run(
                ["git", "log", "--no-renames", "--format=@%ct", "--name-only", "--", *directories],
                cwd=root,
                capture_output=True,
                check=False,
                timeout=timeout,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        current = None
        for line in listed.stdout.decode("utf-8", "surrogateescape").splitlines():
            if line.startswith("@"):
                current = float(line[1:]) if line[1:].isdigit() else None
            elif line and current is not None:
                absolute = os.path.join(root, line)
                if absolute in wanted and absolute not in times:
                    times[absolute] = current
    return times


_ROOTS: dict[str, str | None] = {}


def _work_tree(directory: str) -> str | None:
    """The real path of the git work tree holding ``directory``, if any."""
    if directory not in _ROOTS:
        try:
            found = subprocess.run(
                ["git", "rev-parse", "--show-toplevel"],
                cwd=directory,
                capture_output=True,
                check=False,
                timeout=10,
            )
        except (OSError, subprocess.TimeoutExpired):
            _ROOTS[directory] = None
        else:
            top = found.stdout.decode("utf-8", "surrogateescape").strip()
            _ROOTS[directory] = os.path.realpath(top) if found.returncode == 0 and top else None
    return _ROOTS[directory]


def old_exchanges(
    file_path: str, times: list[tuple[str, float]], max_days: int, now: float
) -> list[Finding]:
    """RC210: the places (JSON path, time) recorded more than ``max_days`` ago."""
    findings = []
    for pointer, moment in times:
        days = (now - moment) / 86400
        if days > max_days:
            when = datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%d")
            findings.append(
                Finding(
                    file_path,
                    pointer,
                    "RC210",
                    f"recorded {days:,.0f} days ago ({when}), over validate.max-age-days "
                    f"({max_days:,}): re-record it",
                )
            )
    return findings


class FileAudit(NamedTuple):
    """What ``stats --audit`` keeps of one file: its size, its largest bodies, and the
    time of its oldest exchange where the file keeps one."""

    path: str
    size: int
    bodies: list[Body]  # the largest
    recorded: float | None
    kinds: dict[str, tuple[int, int]]  # kind -> (bodies, bytes), over every body


#: How many files and bodies ``stats --audit`` lists.
LARGEST = 10
#: The age buckets, in days: (upper bound, label).
BUCKETS = ((30, "under 30 days"), (90, "30-90 days"), (365, "90-365 days"), (None, "over a year"))


def file_audit(file: RecordedFile) -> FileAudit:
    times = recorded_times(file)
    every = bodies(file)
    kinds: dict[str, tuple[int, int]] = {}
    for body in every:
        count, size = kinds.get(body.kind, (0, 0))
        kinds[body.kind] = (count + 1, size + body.bytes)
    largest = sorted(every, key=lambda body: -body.bytes)[:LARGEST]
    return FileAudit(file.path, file.size, largest, min(times) if times else None, kinds)


def audit_json(audits: list[FileAudit], now: float | None = None) -> dict[str, Any]:
    """The sizes and ages of a run's files (``stats --audit -o json``); ages by file:
    its oldest exchange's recording time, else its last commit's."""
    import statistics
    import time

    now = time.time() if now is None else now
    every = [body for audit in audits for body in audit.bodies]
    kinds: dict[str, dict[str, int]] = {}
    for audit in audits:
        for name, (count, size) in audit.kinds.items():
            kind = kinds.setdefault(name, {"bodies": 0, "bytes": 0, "largest": 0})
            kind["bodies"] += count
            kind["bytes"] += size
    for body in every:
        kind = kinds[body.kind]
        kind["largest"] = max(kind["largest"], body.bytes)
    undated = [audit.path for audit in audits if audit.recorded is None]
    committed = commit_times(undated) if undated else {}
    ages: list[float] = []
    sources = {"recorded": 0, "commit": 0, "unknown": 0}
    for audit in audits:
        moment = audit.recorded
        if moment is not None:
            sources["recorded"] += 1
        else:
            moment = committed.get(os.path.realpath(audit.path))
            sources["commit" if moment is not None else "unknown"] += 1
        if moment is not None:
            ages.append(max(0.0, (now - moment) / 86400))
    buckets = {label: 0 for _, label in BUCKETS}
    for days in ages:
        label = next(label for bound, label in BUCKETS if bound is None or days < bound)
        buckets[label] += 1
    return {
        "largest_files": [
            {"path": a.path, "bytes": a.size}
            for a in sorted(audits, key=lambda a: (-a.size, a.path))[:LARGEST]
        ],
        "largest_bodies": [
            body._asdict() for body in sorted(every, key=lambda b: (-b.bytes, b.path))[:LARGEST]
        ],
        "bodies_by_kind": dict(sorted(kinds.items(), key=lambda item: -item[1]["bytes"])),
        "ages": {
            "files": len(ages),
            "sources": sources,
            "days": {
                "newest": round(min(ages), 1) if ages else None,
                "median": round(statistics.median(ages), 1) if ages else None,
                "oldest": round(max(ages), 1) if ages else None,
            },
            "buckets": buckets,
        },
    }


def stats_and_audit(path: str) -> tuple[Any, FileAudit | None]:
    """One file's rows of ``recctl stats`` (``per_file.stats_row``) and its audit, from
    one read."""
    from recctl import containers, io
    from recctl.exchange import NotExchanges
    from recctl.stats import exchange_rows

    try:
        file = containers.load(path, remember=False)
    except io.LoadError as error:
        return (path, str(error)), None
    except NotExchanges as note:
        return (path, str(note), None), None
    return exchange_rows(file), file_audit(file)
