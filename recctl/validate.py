"""``recctl validate``: load each file, check it against the schema, run the checks.

The per-file work is one pure-ish function (``validate_file``) so that it can run
in worker processes when there are many files: a run over a whole repository
uses every core, and memory grows with the largest file, not with their number.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from recctl import checks, io
from recctl.findings import Finding, Severity
from recctl.parallel import ordered_map
from recctl.schema import SchemaValidator
from recctl.shapes import classify


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
    """Validate every file, on every core when there are many, findings in file order."""
    global _worker_state
    _worker_state = (validator, enabled)  # for the files checked in this process
    report = Report()
    results = ordered_map(_validate, files, jobs, _init_worker, (validator.schema_bytes, enabled))
    for findings in results:
        report.files_checked += 1
        if any(finding.severity is Severity.ERROR for finding in findings):
            report.files_invalid += 1
        report.findings.extend(findings)
    return report


_worker_state: tuple[SchemaValidator, frozenset[str]] | None = None


def _init_worker(schema_bytes: bytes, enabled: frozenset[str]) -> None:
    global _worker_state
    _worker_state = (SchemaValidator(schema_bytes), enabled)


def _validate(path: str) -> list[Finding]:
    assert _worker_state is not None
    validator, enabled = _worker_state
    return validate_file(path, validator, enabled)
