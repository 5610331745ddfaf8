"""A newcomer's first hour: recctl on a whole repository, not a folder of recordings.

A real checkout holds ``package.json``, ``tsconfig.json``, JSON schemas,
translations and JavaScript response fixtures beside its recordings; README
examples that validate ``tests/integration/`` must pass there.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from recctl.cli import app

from conftest import CORPUS, FIXTURES, SEED, run

CASSETTES = FIXTURES / "cassettes"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """The real recordings, with what a real checkout holds beside them."""
    root = tmp_path / "ogx"
    shutil.copytree(CORPUS / "current", root)
    (root / ".git").mkdir()
    integration = root / "tests/integration"
    (integration / "package.json").write_text('{"name": "ui", "version": "1.0.0"}')
    (integration / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}')
    (integration / "ci_matrix.json").write_text('[{"suite": "base"}]')
    (integration / "test_cases/inference").mkdir(parents=True)
    (integration / "test_cases/inference/chat.json").write_text('{"cases": []}')
    (integration / "schemas").mkdir()
    (integration / "schemas/tool.schema.json").write_text('{"type": "object"}')
    fixtures = root / "tests/cassettes/__fixtures__"
    fixtures.mkdir(parents=True)
    (fixtures / "openai.json").write_text('{"status": 200, "headers": {}, "body": "{}"}')
    return root


def test_validate_of_a_checkout_reads_only_its_recordings(checkout: Path) -> None:
    result = run("validate", str(checkout / "tests/integration"), "-o", "json")
    document = json.loads(result.stdout)
    assert result.exit_code == 0, document["findings"][:3]
    walked = sum(1 for p in checkout.rglob("*.json") if "recordings" in p.parts)
    assert document["files_checked"] == walked
    stats = json.loads(run("stats", str(checkout), "-o", "json").stdout)
    assert stats["totals"]["files"] == walked
    assert "?" not in {row["name"] for row in stats["by_provider"]}
    hashed = json.loads(run("hash", str(checkout / "tests"), "-o", "json").stdout)
    assert len(hashed["files"] if isinstance(hashed, dict) else hashed) == walked


@pytest.mark.parametrize("name", ["package.json", "README.md", "ci.yml.txt"])
def test_a_file_named_that_is_no_recording_is_one_clear_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text('{"name": "x"}' if name.endswith(".json") else "# Title\n\nSome text.\n")
    for command in ("validate", "show", "reassemble", "stats", "hash", "normalize"):
        result = run(command, str(path))
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr == f"recctl: error: {path}: not a recording or cassette recctl reads\n"
        assert result.stdout == ""


def test_a_broken_recording_named_outside_recordings_is_still_a_broken_recording(
    tmp_path: Path,
) -> None:
    truncated = tmp_path / "cut.json"
    truncated.write_bytes(SEED.read_bytes()[:500])
    result = run("validate", str(truncated))
    assert result.exit_code == 1
    assert "RC002 truncated JSON" in result.stdout
    assert run("show", str(SEED)).exit_code == 0  # a recording outside recordings/, named


def test_javascript_fixtures_under_cassettes_are_not_read(checkout: Path) -> None:
    cassettes = checkout / "tests/cassettes"
    shutil.copy(next(CASSETTES.rglob("*.yaml")), cassettes / "real.yaml")
    result = run("validate", str(cassettes), "-o", "json")
    document = json.loads(result.stdout)
    assert result.exit_code == 0 and document["files_checked"] == 1


def test_a_cassette_in_the_older_httpx_layout_is_read() -> None:
    cassette = next((FIXTURES / "httpx-layout-cassette").rglob("*.yaml"))
    result = run("validate", str(cassette))
    assert result.exit_code == 0, result.output
    [answer] = json.loads(run("reassemble", str(cassette), "-o", "json").stdout)
    assert answer["choices"][0]["text"] == "Hello!"
    assert answer["usage"]["total_tokens"] == 10


COMMANDS = [
    "validate",
    "reassemble",
    "show",
    "stats",
    "diff",
    "hash",
    "explain",
    "prune",
    "normalize",
    "scrub",
    "config",
    "schema",
]


@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_help_reads_well_at_80_columns(command: str) -> None:
    result = run(*([command] if command else []), "--help")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines), [line for line in lines if len(line) > 80]
    cut = [line for line in lines[1:] if line.rstrip().endswith(("...", "…"))]
    assert cut == []  # no description cut short
    assert "{" not in lines[0]  # usage reads PATHS..., not {paths}...


def test_help_keeps_its_brackets_and_lists_every_code() -> None:
    from recctl.findings import CHECKS

    assert "Settings come from [tool.recctl] in the nearest pyproject.toml" in " ".join(
        run("config", "--help").stdout.split()
    )
    for command in ("prune", "diff"):
        assert "[default: the root, walked" in " ".join(run(command, "--help").stdout.split())
    validate = run("validate", "--help").stdout
    assert all(code in validate for code in CHECKS)
    assert "Usage: recctl validate [OPTIONS] PATHS..." in validate
    assert "cassettes" in run("--help").stdout


def test_one_key_in_a_cassette_header_is_one_finding_at_the_path_as_written(
    tmp_path: Path,
) -> None:
    cassettes = tmp_path / "tests/cassettes"
    cassettes.mkdir(parents=True)
    source = next((FIXTURES / "httpx-layout-cassette").rglob("*.yaml")).read_text()
    key = "sk-proj-" + "Q1w2E3r4T5y6U7i8" * 3
    leaky = source.replace(
        "    headers:\n      content-type:\n      - application/json\n    method: POST",
        f"    headers:\n      Authorization:\n      - Bearer {key}\n      content-type:\n"
        "      - application/json\n    method: POST",
        1,
    )
    (cassettes / "leaky.yaml").write_text(leaky)
    document = json.loads(run("validate", str(cassettes), "-o", "json").stdout)
    secrets = [f for f in document["findings"] if f["code"] == "RC203"]
    assert [f["pointer"] for f in secrets] == ["$.interactions[0].request.headers.Authorization[0]"]
    assert key not in json.dumps(document)


def test_show_gives_the_format_and_size_of_audio_and_the_model_of_each_interaction(
    tmp_path: Path,
) -> None:
    recording = json.loads(SEED.read_text())
    data = base64.b64encode(b"RIFF" + bytes(4996)).decode()
    audio = {"type": "input_audio", "input_audio": {"data": data, "format": "wav"}}
    recording["request"]["body"]["messages"][0]["content"] = [
        {"type": "text", "text": "what is said?"},
        audio,
    ]
    path = tmp_path / "audio.json"
    path.write_text(json.dumps(recording))
    for args in (["show", str(path)], ["show", "--full", str(path)]):
        output = run(*args).stdout
        assert "[input_audio: wav, 5,000 bytes]" in output
        assert data[:100] not in output
    cassette = next((FIXTURES / "httpx-layout-cassette").rglob("*.yaml"))
    assert "model     gpt-4o-mini" in run("show", str(cassette)).stdout
    [shown] = json.loads(run("show", str(cassette), "-o", "json").stdout)["interactions"]
    assert shown["model"] == "gpt-4o-mini"


STALE_COPY = next(CORPUS.rglob("961052707b2d*.json"))  # a real recording under a stale name


def test_explain_recognizes_a_copy_stored_under_a_stale_name() -> None:
    result = run("explain", str(STALE_COPY), "--recordings", str(CORPUS))
    assert result.exit_code == 1
    assert "stored under a stale name: the recorder looks for 2282016ff954" in result.stdout
    assert "run `recctl hash --fix` to rename it" in result.stdout
    assert "Closest" not in result.stdout  # never itself as "another test, 0 differences"
    document = json.loads(
        run("explain", str(STALE_COPY), "--recordings", str(CORPUS), "-o", "json").stdout
    )
    assert document["stale_name"] is True and document["closest"] == []


def test_explain_of_the_recorders_bare_line_lists_nothing_arbitrary() -> None:
    line = "RuntimeError: Recording not found for request hash: " + "a" * 64 + "\n"
    result = CliRunner().invoke(app, ["explain", "--recordings", str(CORPUS)], input=line)
    assert result.exit_code == 1
    assert "the message holds only the hash" in result.stdout
    assert "Closest" not in result.stdout


def test_explain_ranks_as_it_reads_keeping_only_the_best() -> None:
    from recctl.ogx.explain import query_from_request, rank

    query = query_from_request(json.loads(STALE_COPY.read_text()), None, "POST", None)
    seen = []

    def recordings() -> Iterator[tuple[str, Any]]:
        for path in sorted(CORPUS.rglob("*.json")):
            seen.append(path)
            yield str(path), json.loads(path.read_text())

    closest = rank(query, recordings(), limit=2)
    assert len(seen) > 100 and len(closest) == 2  # a generator: never held whole
    assert closest[0].differences <= closest[1].differences


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_only_and_clears_its_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from recctl.render import Progress

    monkeypatch.delenv("CI", raising=False)
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    progress = Progress()
    for _ in range(3):
        progress.step()
    progress.done()
    assert terminal.getvalue() == "\rchecked 1 files…\r\x1b[2K"
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    quiet = Progress()
    quiet.step()
    quiet.done()
    assert piped.getvalue() == "" and quiet.count == 1
    result = run("validate", str(CORPUS))  # through the command: nothing on a pipe
    assert result.stderr == ""


def test_a_configured_check_that_does_not_exist_names_the_key_and_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.recctl]\nvalidate.ignore = ["RC999"]\n')
    monkeypatch.chdir(tmp_path)
    for args in (["config"], ["validate", str(SEED)]):
        result = run(*args)
        assert result.exit_code == 2, args
        assert result.stderr == (
            f"recctl: error: {pyproject}: [tool.recctl] validate.ignore must be codes or "
            "names of checks; RC999 is none (see recctl validate -h)\n"
        )


def test_stats_of_nothing_readable_prints_no_table_and_errors_on_stderr(tmp_path: Path) -> None:
    result = run("stats", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"recctl: error: {tmp_path / 'nope.json'}: no such file\n"


def test_stats_drops_columns_it_cannot_fit_and_says_so() -> None:
    narrow = run("stats", str(CORPUS), env={"COLUMNS": "60"}).stdout
    assert all(len(line.rstrip()) <= 60 for line in narrow.splitlines())
    assert "not shown at this width:" in " ".join(narrow.split())
    wide = run("stats", str(CORPUS), env={"COLUMNS": "160"}).stdout
    assert "not shown" not in wide
    assert "/openai/v1/chat/completions" in wide  # whole names when there is room
