"""Findings: what ``validate`` reports, each with a stable code (like ruff's)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import NamedTuple


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


class Check(NamedTuple):
    code: str
    name: str
    severity: Severity
    summary: str


#: Every check recctl runs, by stable code. Codes are never reused.
CHECKS: dict[str, Check] = {
    check.code: check
    for check in (
        Check(
            "RC001",
            "unreadable",
            Severity.ERROR,
            "the file cannot be read: missing, a directory, no permission, too large, or "
            "over a per-file budget ([tool.recctl.budget])",
        ),
        Check(
            "RC002",
            "not-json",
            Severity.ERROR,
            "the file is empty, truncated, not UTF-8, not JSON or nested too deeply",
        ),
        Check(
            "RC003",
            "not-yaml",
            Severity.ERROR,
            "a cassette or trace is not valid YAML (or not what its format says), holds an "
            "unsafe tag or an alias bomb, or bad gzip",
        ),
        Check(
            "RC100", "schema", Severity.ERROR, "the recording does not match the recording schema"
        ),
        Check(
            "RC101",
            "cassette-structure",
            Severity.ERROR,
            "an exchange its replayer cannot replay: no method, URL or status code, a body "
            "that does not decode, an event stream whose CRCs do not check",
        ),
        Check(
            "RC102",
            "decoded-body-encoded-header",
            Severity.WARNING,
            "a body stored decoded while its Content-Encoding header still says gzip or br: "
            "the client will try to decode it again on replay",
        ),
        Check(
            "RC201",
            "stream-ids-differ",
            Severity.ERROR,
            "the chunks of one stream carry different ids",
        ),
        Check(
            "RC202",
            "misplaced",
            Severity.ERROR,
            "the recording is not in the recordings/ directory its test_id maps to",
        ),
        Check(
            "RC203",
            "secret",
            Severity.ERROR,
            "the recording holds what looks like a real credential",
        ),
        Check(
            "RC204",
            "stale-name",
            Severity.WARNING,
            "the file name is not the request hash: the recorder can never find it",
        ),
        Check(
            "RC205",
            "stale-duplicate",
            Severity.WARNING,
            "a stale copy of a correctly named recording of the same request",
        ),
        Check(
            "RC206",
            "stale-collision",
            Severity.WARNING,
            "several stale recordings would all take the same correct name",
        ),
        Check(
            "RC207",
            "unsafe-test-id",
            Severity.ERROR,
            "the test id names a file outside the repository (absolute, or climbing with ..)",
        ),
        Check(
            "RC208",
            "personal-data",
            Severity.ERROR,
            "an e-mail address or phone number in a request or response (opt-in: --pii, "
            "validate.pii); reserved example domains and documented test numbers are not",
        ),
        Check(
            "RC209",
            "large-body",
            Severity.WARNING,
            "a body larger than validate.max-body-kib (off unless set)",
        ),
        Check(
            "RC210",
            "old-recording",
            Severity.WARNING,
            "recorded longer ago than validate.max-age-days (off unless set): re-record it",
        ),
    )
}


class Finding(NamedTuple):
    path: str  # the file, as given or found
    pointer: str  # where in the file, as a JSON path: $.response.body[3].__data__.id
    code: str
    message: str
    line: int | None = None  # the line in the file, where it is cheap to know
    #: SHA-256 of what was found (a credential, an address), for a baseline's
    #: fingerprint (``recctl.baseline``); never shown. None: the place and message are.
    digest: str | None = None

    @property
    def severity(self) -> Severity:
        return CHECKS[self.code].severity


def json_path(parts: Iterable[str | int]) -> str:
    """``["response", "body", 3, "x y"]`` -> ``$.response.body[3]['x y']``."""
    out = ["$"]
    for part in parts:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part.isidentifier():
            out.append(f".{part}")
        else:
            out.append("[" + repr(part) + "]")
    return "".join(out)


def selected(codes: Iterable[str], ignore: Iterable[str]) -> frozenset[str]:
    """The codes left after ``--ignore``: each ignore entry is a code, a code prefix or a name.

    Raises ValueError naming an entry that selects no check.
    """
    dropped: set[str] = set()
    for entry in ignore:
        match = {
            code
            for code in codes
            if code.startswith(entry.upper()) or CHECKS[code].name == entry.lower()
        }
        if not match:
            raise ValueError(entry)
        dropped |= match
    return frozenset(codes) - dropped
