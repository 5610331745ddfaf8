"""``recctl validate``: load each file, check it against the schema, run the checks.

The per-file work is one pure-ish function (``validate_file``) so that it can run
in worker processes when there are many files: a run over a whole repository
uses every core, and memory grows with the largest file, not with their number.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from recctl import checks, io
from recctl.findings import Finding, Severity
from recctl.schema import SchemaValidator
from recctl.shapes import classify

#: Below this many files, worker processes cost more than they save.
PARALLEL_THRESHOLD = 200
_BATCH = 64


@dataclass
class Report:
    files_checked: int = 0
    files_invalid: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.files_invalid == 0


def validate_file(path: str, validator: SchemaValidator, enabled: frozenset[str]) -> list[Finding]:
    """Every enabled finding for one file, in a stable order."""
    try:
        raw = io.read_bytes(path)
    except io.LoadError as error:
        return _only(Finding(path, "$", "RC001", str(error)), enabled)
    try:
        recording = io.parse(raw)
    except io.LoadError as error:
        return _only(Finding(path, "$", "RC002", str(error)), enabled)
    return list(check_recording(path, recording, raw, validator, enabled))


def check_recording(
    path: str, recording: Any, raw: bytes, validator: SchemaValidator, enabled: frozenset[str]
) -> Iterator[Finding]:
    """Schema first, then the checks a schema cannot express (each safe on any shape)."""
    if "RC100" in enabled:
        for issue in validator.issues(recording):
            yield Finding(path, issue.pointer, "RC100", issue.message)
    shape = classify(recording)
    if "RC201" in enabled:
        yield from checks.check_stream_ids(path, recording, shape)
    if "RC202" in enabled:
        yield from checks.check_location(path, recording)
    if "RC203" in enabled:
        yield from checks.check_secrets(path, recording, raw, shape)


def _only(finding: Finding, enabled: frozenset[str]) -> list[Finding]:
    return [finding] if finding.code in enabled else []


def validate_paths(
    files: Sequence[str],
    validator: SchemaValidator,
    enabled: frozenset[str],
    jobs: int | None = None,
) -> Report:
    """Validate every file, in parallel when there are many, findings in file order."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    report = Report()
    if jobs > 1 and len(files) >= PARALLEL_THRESHOLD:
        from concurrent.futures import ProcessPoolExecutor  # 8 ms: only when used

        with ProcessPoolExecutor(
            max_workers=jobs,
            initializer=_init_worker,
            initargs=(validator.schema_bytes, enabled),
        ) as pool:
            _collect(report, pool.map(_validate_in_worker, files, chunksize=_BATCH))
    else:
        _collect(report, (validate_file(path, validator, enabled) for path in files))
    return report


def _collect(report: Report, results: Iterable[list[Finding]]) -> None:
    for findings in results:
        report.files_checked += 1
        if any(finding.severity is Severity.ERROR for finding in findings):
            report.files_invalid += 1
        report.findings.extend(findings)


_worker_state: tuple[SchemaValidator, frozenset[str]] | None = None


def _init_worker(schema_bytes: bytes, enabled: frozenset[str]) -> None:
    global _worker_state
    _worker_state = (SchemaValidator(schema_bytes), enabled)


def _validate_in_worker(path: str) -> list[Finding]:
    assert _worker_state is not None
    validator, enabled = _worker_state
    return validate_file(path, validator, enabled)
