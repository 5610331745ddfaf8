"""Issue 31: a baseline a team adopts on day one, personal data, body sizes, recording age."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from test_credential_matrix import CONTAINERS, KINDS, Call

from recctl import masking
from recctl.baseline import fingerprint
from recctl.pii import fake, is_email, is_phone

from conftest import FIXTURES, run

OPENAI = KINDS[0][1]
GOOGLE = KINDS[2][1]
NEW_KEY = "sk-proj-" + "Zx9Cv8Bn7Mm6Ll5Kk4Jj3Hh2Gg1Ff0Dd" * 2


def _invoke(*args: str) -> tuple[int, str]:
    masking.forget()  # each run as its own process: nothing remembered before it
    result = run(*args)
    return result.exit_code, result.stdout + result.stderr


def _tree(root: Path) -> list[Path]:
    """A cassette of every HTTP container, each with a key in its request body."""
    paths = []
    for name, directory, suffix, writer in CONTAINERS:
        call = Call()
        call = replace(call, request_body=call.request_body.replace("Hi", f"use {OPENAI}"))
        path = root / directory / f"test_{name}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(writer(call))
        paths.append(path)
    return paths


def test_a_baseline_adopted_on_a_tree_with_findings_fails_only_a_new_credential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = _tree(tmp_path)
    code, output = _invoke("validate", ".")
    assert code == 1 and output.count("RC203") == len(paths)

    code, output = _invoke(
        "validate", "--baseline", "recctl-baseline.json", "--update-baseline", "."
    )
    assert code == 0, output
    baseline = (tmp_path / "recctl-baseline.json").read_text()
    assert OPENAI not in baseline and OPENAI[:12] not in baseline  # no secret, nor its head
    lines = baseline.splitlines()
    assert lines[0] == '{"recctl-baseline": 1, "findings": [' and lines[-1] == "]}"
    entries = [json.loads(line.rstrip(",")) for line in lines[1:-1]]
    assert len(entries) == len(paths)
    order = ("path", "pointer", "code", "fingerprint")  # by file, then place
    assert entries == sorted(entries, key=lambda e: tuple(e[k] for k in order))
    assert {e["path"] for e in entries} == {p.relative_to(tmp_path).as_posix() for p in paths}
    assert all(re.fullmatch(r"[0-9a-f]{16}", e["fingerprint"]) for e in entries)

    # Known findings pass; the file is stable from run to run.
    code, output = _invoke("validate", "--baseline", "recctl-baseline.json", ".")
    assert code == 0, output
    assert f"{len(paths)} known findings passed over (baseline recctl-baseline.json)." in output
    _invoke("validate", "--baseline", "recctl-baseline.json", "--update-baseline", ".")
    assert (tmp_path / "recctl-baseline.json").read_text() == baseline

    # One new credential: only it fails, listed apart from the known ones.
    new = paths[0].read_text().replace("Content-Type", "X-Other", 1)
    paths[0].write_text(new.replace(f"use {OPENAI}", f"use {OPENAI} and {NEW_KEY}"))
    code, output = _invoke("validate", "--baseline", "recctl-baseline.json", "-o", "json", ".")
    assert code == 1
    document = json.loads(output)
    assert [(f["path"], f["code"]) for f in document["findings"]] == [
        (os.path.join(".", paths[0].relative_to(tmp_path)), "RC203")
    ]
    assert document["baseline"] == {"file": "recctl-baseline.json", "known": len(paths)}
    assert len(document["known"]) == len(paths)
    assert NEW_KEY[:12] not in output and OPENAI[:12] not in output

    code, output = _invoke("validate", "--baseline", "recctl-baseline.json", "-o", "github", ".")
    assert code == 1
    assert output.count("::error ") == 1
    assert f"::notice title=recctl baseline::{len(paths)} known findings passed over" in output

    # scrub --check and prune read the same file.
    code, output = _invoke("scrub", "--check", "--baseline", "recctl-baseline.json", ".")
    assert code == 1 and "would scrub" in output and output.count("would scrub") == 1, output
    assert f"{len(paths) - 1} files with known findings passed over" in output

    # A finding that is gone is dropped by an update.
    paths[1].unlink()
    _invoke("validate", "--baseline", "recctl-baseline.json", "--update-baseline", ".")
    updated = (tmp_path / "recctl-baseline.json").read_text()
    assert paths[1].name not in updated and NEW_KEY[:12] not in updated
    assert len(updated.splitlines()) == len(lines) - 1 + 1  # one gone, one new


def test_a_missing_or_broken_baseline_cannot_run(tmp_path: Path) -> None:
    _tree(tmp_path)
    code, output = _invoke("validate", "--baseline", str(tmp_path / "none.json"), str(tmp_path))
    assert code == 2 and "--update-baseline writes it" in output
    (tmp_path / "bad.json").write_text("[]")
    code, output = _invoke("validate", "--baseline", str(tmp_path / "bad.json"), str(tmp_path))
    assert code == 2 and "not a recctl baseline" in output
    code, output = _invoke("validate", "--update-baseline", str(tmp_path))
    assert code == 2


def test_a_fingerprint_is_of_the_value_in_its_file_and_code() -> None:
    assert fingerprint("a.yaml", "RC203", "d" * 64) != fingerprint("b.yaml", "RC203", "d" * 64)
    assert fingerprint("a.yaml", "RC203", "d" * 64) != fingerprint("a.yaml", "RC209", "d" * 64)
    assert len(fingerprint("a.yaml", "RC208", "d" * 64)) == 8  # personal data: ambiguous


def test_prune_passes_over_the_stale_recordings_its_baseline_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(FIXTURES / "chat-stream-valid", tmp_path / "tree")
    monkeypatch.chdir(tmp_path / "tree")
    code, output = _invoke("prune", "--root", ".")
    assert code == 1 and "1 stale" in output
    code, output = _invoke("prune", "--root", ".", "--baseline", "base.json", "--update-baseline")
    assert code == 0, output
    code, output = _invoke("prune", "--root", ".", "--baseline", "base.json", "-o", "json")
    assert code == 0, output
    document = json.loads(output)
    assert document["stale"] == [] and len(document["known"]) == 1
    assert '"code":"stale"' in (tmp_path / "tree/base.json").read_text()


# --- personal data ----------------------------------------------------------------------

EMAIL = "jane.doe@acme-corp.io"
PHONE = "+1 (415) 867-5309"
PLACES: dict[str, Callable[[Call], Call]] = {
    "request body": lambda c: replace(
        c, request_body=c.request_body.replace("Hi", f"mail {EMAIL}, call {PHONE}")
    ),
    "answer": lambda c: replace(
        c, response_body=c.response_body.replace("Hello!", f"write to {EMAIL} or {PHONE}")
    ),
    "gzip answer": lambda c: replace(
        c,
        response_body=c.response_body.replace("Hello!", f"write to {EMAIL} or {PHONE}"),
        encoding="gzip",
    ),
    "headers": lambda c: replace(
        c,
        request_headers=[*c.request_headers, ("X-User-Email", EMAIL)],
        response_headers=[*c.response_headers, ("X-Support-Phone", PHONE)],
    ),
    "query": lambda c: replace(c, url=f"{c.url}?email={EMAIL}&phone=+14158675309"),
}


def _planted_pii(root: Path) -> list[Path]:
    paths = []
    for name, directory, suffix, writer in CONTAINERS:
        for place, plant in PLACES.items():
            path = root / directory / (re.sub(r"\W+", "_", f"test_{name}_{place}") + suffix)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(writer(plant(Call())))
            paths.append(path)
    ogx = root / "tests/integration/demo"
    shutil.copytree(FIXTURES / "chat-stream-valid/tests/integration/demo", ogx)
    recording = next(ogx.rglob("*.json"))
    document = json.loads(recording.read_text())
    document["request"]["body"]["messages"][-1]["content"] = f"mail {EMAIL}, call {PHONE}"
    recording.write_text(json.dumps(document, indent=2) + "\n")
    return [*paths, recording]


def test_validate_finds_personal_data_in_every_container_and_scrub_fakes_it(
    tmp_path: Path,
) -> None:
    paths = _planted_pii(tmp_path)
    code, output = _invoke("validate", "-o", "json", str(tmp_path))
    assert "RC208" not in output  # opt-in
    code, output = _invoke("validate", "--pii", "-o", "json", str(tmp_path))
    assert code == 1
    assert EMAIL not in output and PHONE not in output  # shown masked
    flagged: dict[str, list[str]] = {}
    for finding in json.loads(output)["findings"]:
        if finding["code"] == "RC208":
            flagged.setdefault(finding["path"], []).append(finding["message"])
    # Each file holds an address and a number (the query's written +14158675309).
    assert [str(p) for p in paths if len(flagged.get(str(p), [])) != 2] == []

    code, output = _invoke("scrub", "--pii", "-o", "json", str(tmp_path))
    assert code == 0, output
    report = json.loads(output)
    assert not report["refused"] and not report["errors"], report
    assert len(report["scrubbed"]) == len(paths)
    assert {s["kind"] for r in report["scrubbed"] for s in r["secrets"]} == {"email", "phone"}
    code, output = _invoke("validate", "--pii", str(tmp_path))
    assert code == 0, output  # the fakes are in the reserved ranges
    texts = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    assert not [t for t in texts if EMAIL.encode() in t or PHONE.encode() in t]
    # One value, one fake, in every file that stores it as text.
    email, phone = fake(EMAIL, "email"), fake(PHONE, "phone")
    assert sum(email.encode() in t for t in texts) >= 4 * len(CONTAINERS)
    assert sum(phone.encode() in t for t in texts) >= 3 * len(CONTAINERS)
    code, output = _invoke("scrub", "--pii", "--check", str(tmp_path))
    assert code == 0, output  # a second run changes nothing


@pytest.mark.parametrize(
    ("value", "personal"),
    [
        ("jane.doe@acme-corp.io", True),
        ("bob@example.com", False),
        ("bob@mail.example.org", False),
        ("x@host.test", False),
        ("icon@2x.png", False),
        ("+44 20 7946 0958", False),  # Ofcom's drama range
        ("+44 20 7123 4567", True),
        ("(415) 555-0123", False),  # NANP's fictional 555-01XX
        ("415-555-2671", True),
        ("123-456-7890", False),
        ("555-555-5555", False),
    ],
)
def test_what_is_personal_data(value: str, personal: bool) -> None:
    assert (is_email(value) if "@" in value else is_phone(value)) is personal


@pytest.mark.parametrize("value", ["+1 (415) 867-5309", "415.867.5309", "+44 20 7123 4567"])
def test_a_fake_number_keeps_the_format_and_is_a_test_number(value: str) -> None:
    made = fake(value, "phone")
    assert re.sub(r"\d", "9", made) == re.sub(r"\d", "9", value)
    assert not is_phone(made) and made == fake(value, "phone") and made != value


# --- size and age ----------------------------------------------------------------------


def test_stats_audit_lists_the_largest_bodies_by_kind_and_the_ages(tmp_path: Path) -> None:
    code, output = _invoke("stats", "--audit", "-o", "json", str(FIXTURES / "formats"))
    audit = json.loads(output)["audit"]
    assert set(audit) == {"largest_files", "largest_bodies", "bodies_by_kind", "ages"}
    assert len(audit["largest_bodies"]) == 10
    assert set(audit["largest_bodies"][0]) == {
        "path",
        "exchange",
        "side",
        "pointer",
        "bytes",
        "kind",
    }
    assert audit["largest_bodies"][0]["bytes"] >= audit["largest_bodies"][-1]["bytes"]
    ages = audit["ages"]
    assert ages["sources"]["recorded"] == 31  # Ruby VCR recorded_at, HAR startedDateTime
    assert set(ages["buckets"]) == {"under 30 days", "30-90 days", "90-365 days", "over a year"}
    code, output = _invoke("stats", "--audit", str(FIXTURES / "corpus/2025-10"))
    assert code == 0 and "Largest bodies" in output and "base64 image" in output


def test_validate_warns_of_a_large_body_and_an_old_recording(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        "[tool.recctl.validate]\nmax-body-kib = 100\nmax-age-days = 365\n"
    )
    subprocess.run(["git", "init", "-q", "."], check=True)
    for name, directory, suffix, writer in CONTAINERS:
        big = replace(Call(), response_body=json.dumps({"data": "x" * 120 * 1024}))
        path = tmp_path / directory / f"test_{name}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(writer(big))
    code, output = _invoke("validate", "-o", "json", ".")
    assert code == 0  # warnings
    found = [(f["code"], Path(f["path"]).suffix) for f in json.loads(output)["findings"]]
    assert {code for code, _ in found} == {"RC209", "RC210"}
    assert sum(code == "RC209" for code, _ in found) == len(CONTAINERS)
    # Ruby VCR and HAR keep a recording time (2024-01-01 in the writers), the others
    # are new: never committed.
    assert {suffix for code, suffix in found if code == "RC210"} == {".yml", ".har"}
