"""`recctl validate` end to end: exit codes, text lines, the pinned JSON shape."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from recctl import __version__
from recctl.cli import app
from recctl.ogx.schema import shipped_schema_bytes

from conftest import CORPUS, FIXTURES, SEED, VALID_STREAM, WALKED_FILES, load, run, write_recording


def test_valid_fixture() -> None:
    result = run("validate", str(VALID_STREAM))
    assert result.exit_code == 0
    assert result.output == "1 recording valid.\n"


def test_whole_corpus_is_valid_in_parallel_and_serially() -> None:
    for jobs in ("1", "2"):
        result = run("validate", str(CORPUS), "--jobs", jobs, "-o", "json")
        assert result.exit_code == 0, result.output
        document = json.loads(result.output)
        assert document["status"] == "ok"
        assert document["files_checked"] == len(WALKED_FILES)


def test_parallel_run_reports_findings_in_file_order(recordings: Path) -> None:
    for n in range(210):
        (recordings / f"{n:03d}.json").write_text("{}" if n % 50 else "not json")
    result = run("validate", str(recordings), "-o", "json", "-j", "2")
    document = json.loads(result.output)
    assert document["files_checked"] == 210 and document["files_invalid"] == 210
    not_json = [f["path"] for f in document["findings"] if f["code"] == "RC002"]
    assert not_json == [str(recordings / f"{n:03d}.json") for n in (0, 50, 100, 150, 200)]


STALE = "0" * 64 + ".json"


@pytest.fixture
def broken_tree(tmp_path: Path) -> Path:
    seed: Any = load(SEED)
    seed["response"]["is_streaming"] = "yes"
    write_recording(tmp_path / "tests/integration/responses/recordings/broken.json", seed)
    stale = tmp_path / "tests/integration/responses/recordings" / STALE
    write_recording(stale, load(SEED))  # a warning (RC204), found before the error
    shutil.copy(VALID_STREAM, tmp_path / "valid.json")
    (tmp_path / "empty.json").write_text("")
    return tmp_path


def _given(tree: Path) -> list[str]:
    """Files named, then the tree: the walk reads only what is under recordings/."""
    return [str(tree / "empty.json"), str(tree / "valid.json"), str(tree)]


def test_json_output_shape_is_pinned(broken_tree: Path) -> None:
    result = run("validate", *_given(broken_tree), "--output-format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "status": "fail",
        "files_checked": 4,
        "errors": 2,
        "warnings": 1,
        "files_invalid": 2,
        "findings": [
            {
                "path": str(broken_tree / "empty.json"),
                "pointer": "$",
                "code": "RC002",
                "severity": "error",
                "message": "empty file",
            },
            {
                "path": str(broken_tree / "tests/integration/responses/recordings/broken.json"),
                "pointer": "$.response.is_streaming",
                "code": "RC100",
                "severity": "error",
                "message": "'yes' is not of type 'boolean'",
            },
            {
                "path": str(broken_tree / "tests/integration/responses/recordings" / STALE),
                "pointer": "$",
                "code": "RC204",
                "severity": "warning",
                "message": "the recorder can never find this recording: its request hashes to "
                "fbe33fc4fb7e785a5f69fd9afbe2c8dd3a43f544626ad942d2d0f8bfa8f32c9e.json (the "
                "response ids carry rec-8e0e96f0c8e3: recorded for another request, then "
                "copied or renamed)",
            },
        ],
        "notes": [],
    }


def test_text_output_is_one_line_per_finding_then_a_summary(broken_tree: Path) -> None:
    result = run("validate", *_given(broken_tree))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{broken_tree}/empty.json::$: RC002 empty file",
        f"{broken_tree}/tests/integration/responses/recordings/broken.json::"
        "$.response.is_streaming: RC100 'yes' is not of type 'boolean'",
        f"{broken_tree}/tests/integration/responses/recordings/{STALE}::$: RC204 the recorder "
        "can never find this recording: its request hashes to "
        "fbe33fc4fb7e785a5f69fd9afbe2c8dd3a43f544626ad942d2d0f8bfa8f32c9e.json (the response "
        "ids carry rec-8e0e96f0c8e3: recorded for another request, then copied or renamed)",
        "2 of 4 recordings invalid: 2 errors, 1 warning.",
    ]  # errors first: the warning's file comes first in the walk


def test_ignore_turns_checks_off(broken_tree: Path) -> None:
    ignore = ["--ignore", "RC100", "--ignore", "not-json", "--ignore", "stale-name"]
    result = run("validate", *_given(broken_tree), *ignore)
    assert (result.exit_code, result.output) == (0, "All 4 recordings valid.\n")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (None, "RC001 no such file"),
        ("", "RC002 empty file"),
        ('{"request": {"method": "POST"', "RC002 truncated JSON"),
        ("[]", "RC100 [] is not of type 'object'"),
        ('"just a string"', "RC100 'just a string' is not of type 'object'"),
    ],
)
def test_bad_input_is_a_finding_never_a_traceback(
    recordings: Path, content: str | None, reason: str
) -> None:
    path = recordings / "r.json"
    if content is not None:
        path.write_text(content)
    result = run("validate", str(path))
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.output.splitlines()[0].startswith(f"{path}::$: {reason}")


def test_a_directory_named_like_a_recording(recordings: Path) -> None:
    (recordings / "x.json").mkdir()
    result = run("validate", str(recordings))
    assert result.output.startswith(f"{recordings / 'x.json'}::$: RC001 is a directory")


def test_an_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("{}")
    path.chmod(0)
    try:
        if path.stat().st_mode and _can_read(path):
            pytest.skip("running as root: permissions are not enforced")
        result = run("validate", str(path))
        assert "RC001 permission denied" in result.output
    finally:
        path.chmod(0o644)


def _can_read(path: Path) -> bool:
    try:
        path.read_bytes()
    except PermissionError:
        return False
    return True


def test_a_directory_without_recordings_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}')  # not a recording
    result = run("validate", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr == f"recctl: error: no recordings or cassettes found under {tmp_path}\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ignore", "RC999"], "--ignore RC999: no check has this code or name"),
        (["--schema", "/nonexistent/schema.json"], "cannot read schema"),
    ],
)
def test_cannot_run_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = run("validate", str(VALID_STREAM), *args)
    assert result.exit_code == 2
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_an_invalid_schema_exits_2(tmp_path: Path) -> None:
    schema = tmp_path / "s.json"
    schema.write_text('{"type": 12}')
    result = run("validate", str(VALID_STREAM), "--schema", str(schema))
    assert result.exit_code == 2
    assert "not a valid JSON Schema" in result.output


def test_another_schema(tmp_path: Path) -> None:
    schema = tmp_path / "s.json"
    schema.write_text('{"type": "object", "required": ["test_id", "extra"]}')
    result = run("validate", str(VALID_STREAM), "--schema", str(schema))
    assert result.exit_code == 1
    assert "RC100 'extra' is a required property" in result.output


def test_no_paths_is_a_usage_error() -> None:
    assert run("validate").exit_code == 2


def test_schema_command_prints_the_shipped_schema() -> None:
    result = run("schema")
    assert result.exit_code == 0
    assert result.stdout_bytes == shipped_schema_bytes()
    assert json.loads(result.output)["$defs"]["chatCompletionChunk"]


def test_version() -> None:
    result = run("--version")
    assert (result.exit_code, result.output) == (0, f"recctl {__version__}\n")


def _console(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recctl", *args], capture_output=True, text=True, check=False
    )


def test_the_console_script_builds_only_the_command_that_runs() -> None:
    # main() registers only the named command; everything else sees them all.
    assert "recctl hash [OPTIONS]" in _console("hash", "--help").stdout
    assert _console("validate", str(SEED)).returncode == 0
    listed = _console("--help").stdout
    assert all(f" {name} " in listed for name in ("validate", "hash", "prune", "normalize"))
    typo = _console("valdate")
    assert typo.returncode == 2 and "Did you mean 'validate'?" in typo.stderr


def test_every_command_has_help() -> None:
    import typer.main

    group: Any = typer.main.get_command(app)
    for name, command in group.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0
        assert command.help and len(command.help.splitlines()[0]) <= 76, name


def test_readme_documents_every_command_and_code() -> None:
    import typer.main

    from recctl.findings import CHECKS

    readme = (FIXTURES.parent / "README.md").read_text()
    group: Any = typer.main.get_command(app)
    for name in group.commands:
        assert f"recctl {name}" in readme, name
    reference = (FIXTURES.parent / "docs/commands.md").read_text()
    for code in CHECKS:
        assert code in reference, code
