"""``recctl validate``: load each file, check it against the schema, run the checks.

The per-file work is one pure-ish function (``validate_file``) so that it can run
in worker processes when there are many files: a run over a whole repository
uses every core, and memory grows with the largest file, not with their number.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from recctl import containers, io
from recctl.audit import commit_times, old_exchanges
from recctl.containers import Container, http
from recctl.exchange import NotExchanges, RecordedFile
from recctl.findings import Finding, Severity, json_path
from recctl.ogx import checks
from recctl.ogx.hashing import judge_name
from recctl.ogx.schema import SchemaValidator
from recctl.parallel import ordered_map
from recctl.secrets import check_secrets

if TYPE_CHECKING:
    from recctl.baseline import Baseline, Entry
    from recctl.rawsecrets import Found


class Options(NamedTuple):
    """What the opt-in checks need besides their codes: RC209's and RC210's limits."""

    max_body_kib: int | None = None
    max_age_days: int | None = None


NO_OPTIONS = Options()


@dataclass
class Report:
    files_checked: int = 0
    files_invalid: int = 0
    findings: list[Finding] = field(default_factory=list)  # empty when they were emitted
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, not an HTTP cassette)
    #: (path, JSON path, what): ``<NAME>`` placeholders the replayer fills in, notes.
    placeholders: list[tuple[str, str, str]] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    known_count: int = 0  # findings passed over: recorded in the baseline
    #: The known findings themselves, when the report holds its findings (JSON).
    known: list[Finding] = field(default_factory=list)
    #: Files checked by what their container calls them, in the registry's order.
    checked: dict[str, int] = field(
        default_factory=lambda: {c.noun: 0 for c in containers.CONTAINERS}
    )

    @property
    def ok(self) -> bool:
        return self.files_invalid == 0

    @property
    def finding_count(self) -> int:
        return self.error_count + self.warning_count

    def count(self, findings: list[Finding]) -> None:
        errors = sum(finding.severity is Severity.ERROR for finding in findings)
        self.error_count += errors
        self.warning_count += len(findings) - errors


class FileResult(NamedTuple):
    path: str
    findings: list[Finding]
    stale_target: str | None = None  # the path its name should have, when RC204 found it stale
    note: str | None = None  # a YAML file that is not an HTTP cassette: said, not judged
    noun: str = "recording"  # what its container calls a file
    placeholders: tuple[tuple[str, str], ...] = ()  # (JSON path, what) the replayer fills in
    #: (JSON path, time) of each exchange recorded more than ``max-age-days`` ago by
    #: the time its container keeps; None when it keeps none (the commit's time is used).
    times: tuple[tuple[str, float], ...] | None = None


def validate_file(
    path: str, validator: SchemaValidator, enabled: frozenset[str], options: Options = NO_OPTIONS
) -> FileResult:
    """Every enabled finding for one file, in a stable order: what its container
    checks (``container_checks``), then credentials (RC203), then a stale name (RC204)."""
    try:
        raw = io.read_bytes(path)
    except io.LoadError as error:
        container = containers.identify(path, sniff=False) or containers.DEFAULT
        findings = _only(Finding(path, "$", "RC001", str(error)), enabled)
        if isinstance(error, io.TooLarge) and "RC203" in enabled:
            from recctl.rawsecrets import find_in_file

            findings += _raw_secrets(path, find_in_file(path))
        return FileResult(path, findings, noun=container.noun)
    container = containers.identify(path, head=raw) or containers.DEFAULT
    result = _checked(path, raw, container, validator, enabled, options)
    return result._replace(noun=container.noun)


def _checked(
    path: str,
    raw: bytes,
    container: Container,
    validator: SchemaValidator,
    enabled: frozenset[str],
    options: Options = NO_OPTIONS,
) -> FileResult:
    try:
        file = container.parse(raw, path)
    except io.LoadError as error:
        code = getattr(error, "code", None) or container.broken_code
        findings = _only(Finding(path, "$", code, str(error), error.line), enabled)
        if "RC203" in enabled:  # unparsed, still searched: size must not hide a key
            from recctl.rawsecrets import find_in_bytes

            findings += _raw_secrets(path, find_in_bytes(raw))
        return FileResult(path, findings)
    except NotExchanges as note:
        # Not judged as a cassette, but a key in it is still a key.
        found = []
        if "RC203" in enabled:
            from recctl.rawsecrets import find_in_bytes

            found = _raw_secrets(path, find_in_bytes(raw))
        return FileResult(path, found, note=str(note))
    findings = list(container_checks(file, validator, enabled))
    if "RC203" in enabled:
        findings += check_secrets(file)
    findings += _audits(file, enabled, options)
    times = _times(file) if "RC210" in enabled else None
    if file.document is None:  # ogx recordings are filled in by no replayer
        filled = tuple(
            (json_path(list(place)), what)
            for exchange in file.exchanges
            for place, what in http.placeholders(exchange)
        )
        return FileResult(path, findings, placeholders=filled, times=times)
    if "RC204" not in enabled:
        return FileResult(path, findings, times=times)
    verdict = judge_name(os.path.basename(path), file.document)
    if verdict.match is not False or verdict.expected is None:
        return FileResult(path, findings, times=times)
    findings.append(
        Finding(
            path,
            "$",
            "RC204",
            (
                f"the recorder can never find this recording: its request hashes to "
                f"{verdict.expected} ({verdict.reason})"
            ),
        )
    )
    target = os.path.join(os.path.dirname(path), verdict.expected)
    return FileResult(path, findings, target, times=times)


def _audits(file: RecordedFile, enabled: frozenset[str], options: Options) -> list[Finding]:
    """The opt-in checks: personal data (RC208), bodies over a size (RC209)."""
    findings: list[Finding] = []
    if "RC208" in enabled:
        from recctl.pii import check_pii

        findings += check_pii(file)
    if "RC209" in enabled and options.max_body_kib is not None:
        from recctl.audit import large_bodies

        findings += large_bodies(file, options.max_body_kib)
    return findings


def _times(file: RecordedFile) -> tuple[tuple[str, float], ...] | None:
    """(place, recording time) of each exchange whose container keeps one; None when
    no exchange's does."""
    from recctl.audit import recorded_time

    times = []
    for exchange in file.exchanges:
        moment = recorded_time(exchange)
        if moment is not None:
            times.append((json_path(list(exchange.request.place[:-1])), moment))
    return tuple(times) if times else None


def container_checks(
    file: RecordedFile, validator: SchemaValidator, enabled: frozenset[str]
) -> Iterator[Finding]:
    """What a file's layout requires (RC101), and for an ogx recording the schema first,
    then the checks a schema cannot express (each safe on any shape)."""
    if "RC101" in enabled:
        for parts, message in file.issues:
            yield Finding(file.path, json_path(list(parts)), "RC101", message)
    if "RC102" in enabled:
        for parts, message in file.warnings:
            yield Finding(file.path, json_path(list(parts)), "RC102", message)
    if file.document is None:
        return
    path, recording = file.path, file.document
    if "RC100" in enabled:
        for issue in validator.issues(recording):
            yield Finding(path, issue.pointer, "RC100", issue.message)
    shape = file.exchanges[0].extras["shape"]
    if "RC201" in enabled:
        yield from checks.check_stream_ids(path, recording, shape)
    if "RC202" in enabled:
        yield from checks.check_location(path, recording)
    if "RC207" in enabled:
        yield from checks.check_test_id(path, recording)


def _raw_secrets(path: str, found: list[Found]) -> list[Finding]:
    """RC203 for the key shapes in the bytes of a file that was not parsed."""
    from recctl.baseline import digest
    from recctl.masking import redact

    return [
        Finding(
            path,
            "$",
            "RC203",
            f"an API key {redact(item.value)} in the file's bytes (the file was not parsed): "
            "remove it before committing",
            item.line,
            digest(item.value),
        )
        for item in found
    ]


def _only(finding: Finding, enabled: frozenset[str]) -> list[Finding]:
    return [finding] if finding.code in enabled else []


def validate_paths(
    files: Iterable[str],
    validator: SchemaValidator,
    enabled: frozenset[str],
    jobs: int | None = None,
    emit: Callable[[list[Finding]], None] | None = None,
    progress: Callable[[], None] | None = None,
    options: Options = NO_OPTIONS,
    baseline: Baseline | None = None,
) -> Report:
    """Validate every file, on every core when there are many, findings in file order.

    ``files`` may be a directory walk, taken as it comes (``ordered_map``). With
    ``emit``, each file's findings go to it as they come and the report keeps counts
    only, so memory stays flat however many files and findings there are; RC205 and
    RC206, which need every stale file, come last. Without it, the report holds the
    findings, RC205 and RC206 after the findings of their file.

    With ``baseline``, the findings it records are passed over: counted
    (``known_count``), kept apart (``known``, when the report holds its findings),
    neither emitted nor failing a file. RC210 is judged here: by the times the
    files keep, else by their last commit's (one ``git log`` for the files that
    need it, once every file is read).
    """
    global _worker_state
    _worker_state = (validator, enabled, options)  # for the files checked in this process
    report = Report()
    undated: list[str] = []  # files that keep no recording time, for RC210
    held: list[list[Finding]] = []  # per file with findings, when not emitted
    stale: list[tuple[str, str, list[Finding]]] = []  # (path, target, its findings)
    results = ordered_map(
        _validate, files, jobs, _init_worker, (validator.schema_bytes, enabled, options)
    )
    now = time.time()
    for result in results:
        report.files_checked += 1
        if progress is not None:
            progress()
        if not result.note:  # a file noted as no HTTP recording is counted as such
            report.checked[result.noun] += 1
        if result.note:
            report.notes.append((result.path, result.note))
        report.placeholders += [(result.path, *found) for found in result.placeholders]
        findings = result.findings
        if "RC210" in enabled and options.max_age_days is not None and not result.note:
            if result.times is None:
                undated.append(result.path)
            else:
                findings = findings + old_exchanges(
                    result.path, list(result.times), options.max_age_days, now
                )
        if baseline is not None:
            baseline.judged(result.path)
            findings = _new(findings, baseline, report)
        if any(finding.severity is Severity.ERROR for finding in findings):
            report.files_invalid += 1
        report.count(findings)
        if findings and emit is not None:
            emit(findings)
            findings = []
        elif findings:
            held.append(findings)
        if result.stale_target:
            stale.append((result.path, result.stale_target, findings))
    related = _stale_relations(stale, enabled)
    if baseline is not None:
        related = [_new(extra, baseline, report) for extra in related]
    for extra in related:
        report.count(extra)
    for (_, _, findings), extra in zip(stale, related, strict=True):
        if emit is not None and extra:
            emit(extra)
        else:
            findings.extend(extra)
    if undated:  # RC210 by the last commit's time, last, as RC205 and RC206
        assert options.max_age_days is not None
        committed = commit_times(undated)
        for path in undated:
            moment = committed.get(os.path.realpath(path))
            if moment is None:
                continue  # never committed: new
            old = old_exchanges(path, [("$", moment)], options.max_age_days, now)
            old = _new(old, baseline, report) if baseline is not None else old
            report.count(old)
            if old and emit is not None:
                emit(old)
            else:
                held.append(old)
    held_findings = [finding for findings in held for finding in findings]
    # Errors first, each kind in file order: what fails the run is not lost among warnings.
    report.findings = sorted(held_findings, key=lambda f: f.severity is not Severity.ERROR)
    return report


def _new(findings: list[Finding], baseline: Baseline, report: Report) -> list[Finding]:
    """The findings ``baseline`` does not record; the known ones counted (and kept
    apart when the report holds its findings)."""
    new = []
    for finding in findings:
        if baseline.is_known(entry_of(finding, baseline)):
            report.known_count += 1
            report.known.append(finding)
        else:
            new.append(finding)
    return new


def entry_of(finding: Finding, baseline: Baseline) -> Entry:
    """A finding as its baseline records it: by what was found when there is a value
    (a credential, an address), else by its place and message."""
    from recctl.baseline import digest

    value = finding.digest or digest(f"{finding.pointer}\0{finding.message}")
    return baseline.entry(finding.path, finding.pointer, finding.code, value)


def _stale_relations(
    stale: list[tuple[str, str, list[Finding]]], enabled: frozenset[str]
) -> list[list[Finding]]:
    """RC205 and RC206: what stale recordings mean together (needs every stale file)."""
    if not stale:
        return []
    from recctl.ogx.rename import is_correct_twin  # 2 ms: only when a file is stale

    targets = Counter(target for _, target, _ in stale)
    related: list[list[Finding]] = []
    for path, target, _ in stale:
        extra = []
        name = os.path.basename(target)
        if "RC206" in enabled and targets[target] > 1:
            extra.append(
                Finding(
                    path,
                    "$",
                    "RC206",
                    (
                        f"{targets[target]} stale recordings map to {name}: only one of them can "
                        "take that name"
                    ),
                )
            )
        if "RC205" in enabled and is_correct_twin(path, target):
            extra.append(
                Finding(
                    path,
                    "$",
                    "RC205",
                    (
                        f"a stale copy of {name}, which records the same request under its "
                        "right name: delete this one (recctl hash --fix --delete-duplicates)"
                    ),
                )
            )
        related.append(extra)
    return related


_worker_state: tuple[SchemaValidator, frozenset[str], Options] | None = None


def _init_worker(schema_bytes: bytes, enabled: frozenset[str], options: Options) -> None:
    global _worker_state
    _worker_state = (SchemaValidator(schema_bytes), enabled, options)


def _validate(path: str) -> FileResult:
    assert _worker_state is not None
    validator, enabled, options = _worker_state
    return validate_file(path, validator, enabled, options)
