"""Hostile input, every command: what a hostile contributor or a strange checkout holds.

FIFOs and unlistable directories, file names that are not UTF-8, answers that
speak GitHub's workflow commands, credentials in every place a command prints,
nesting near each limit, YAML built to exhaust memory, schema errors by the
ten thousand, ``--jobs`` beyond reason. Each case once failed (hung, leaked,
crashed or blew up); the parallel path runs where one exists.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from recctl import parallel, sequences
from recctl.diff import unified, word_diff
from recctl.masking import mask_text
from recctl.ogx import schema

from conftest import FIXTURES, SEED, load, run, write_recording

TEST_ID = "tests/integration/x/test_x.py::test_x"
SECRET = "sk-proj-" + "A1b2C3d4E5f6G7h8" * 4
UUID_KEY = "3f2b8c1e-9a4d-4e7b-8c6f-1a2b3c4d5e6f"
CASSETTE = next(
    (FIXTURES / "cassettes/pydantic-ai").rglob("test_openai_responses_model_retry.yaml")
)


def _repo(tmp_path: Path) -> Path:
    recordings = tmp_path / "repo/tests/integration/x/recordings"
    recordings.mkdir(parents=True)
    (tmp_path / "repo/.git").mkdir()
    (tmp_path / "repo/tests/integration/x/test_x.py").write_text("def test_x():\n    pass\n")
    return recordings


def _seed(**changes: Any) -> Any:
    recording = load(SEED)
    recording["test_id"] = TEST_ID
    recording.update(changes)
    return recording


def _every_command(recordings: Path, one: Path) -> list[list[str]]:
    root = str(recordings.parents[3])
    return [
        ["validate", str(recordings)],
        ["reassemble", str(recordings)],
        ["stats", str(recordings)],
        ["hash", "-v", str(recordings)],
        ["normalize", "--check", str(recordings)],
        ["prune", "--root", root],
        ["show", str(one)],
        ["diff", str(one), str(SEED)],
        ["diff", str(recordings), str(recordings)],
    ]


def _no_internal_error(args: list[str], *extra: str) -> Any:
    result = run(*args, *extra)
    output = result.stdout + result.stderr
    assert "internal error" not in output and "Traceback" not in output, (args, output)
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, output)
    return result


# --- 9, 14: FIFOs, devices and directories that cannot be listed ---------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_fifo_named_like_a_recording_blocks_no_command(
    tmp_path: Path, jobs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "THRESHOLD", 1)
    recordings = _repo(tmp_path)
    good = write_recording(recordings / "good.json", _seed())
    os.mkfifo(recordings / "x.json")
    cassettes = tmp_path / "repo/tests/cassettes"
    cassettes.mkdir()
    os.mkfifo(cassettes / "x.yaml")
    for args in _every_command(recordings, good):
        extra = ("-j", jobs) if args[0] in ("validate", "reassemble", "stats", "hash") else ()
        result = _no_internal_error(args, *extra)
        if args[0] == "validate":
            assert "x.json::$: RC001 not a regular file (a FIFO): not read" in result.stdout
    result = run("validate", str(cassettes), "-j", jobs)
    assert "x.yaml::$: RC001 not a regular file (a FIFO)" in result.stdout
    assert run("show", str(recordings / "x.json")).exit_code == 2


def test_a_directory_the_walk_cannot_list_is_an_error_not_a_clean_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recordings = _repo(tmp_path)
    write_recording(recordings / "good.json", _seed())
    locked = recordings / "locked"
    locked.mkdir()
    real_scandir, real_listdir = os.scandir, os.listdir

    def refuse(function: Any) -> Any:
        def refusing(path: Any = ".") -> Any:
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return function(path)

        return refusing

    monkeypatch.setattr(os, "scandir", refuse(real_scandir))
    monkeypatch.setattr(os, "listdir", refuse(real_listdir))
    result = run("validate", str(recordings))
    assert result.exit_code == 1
    assert "locked::$: RC001 a directory recctl cannot list: Permission denied" in result.stdout
    assert "valid." not in result.stdout.splitlines()[-1]


# --- 8, 13: names that are not UTF-8, with every output format ----------------------


def _recctl(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "LC_ALL": "C.UTF-8", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, "-m", "recctl", *args], capture_output=True, env=env, cwd=cwd, check=False
    )


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system of bytes")
def test_a_name_that_is_not_utf8_never_reaches_the_terminal_raw(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    name = os.path.join(os.fsencode(recordings), b"bad\x9bname\x9d.json")
    misplaced = _seed(test_id="tests/integration/y/test_y.py::test_y")  # RC202 names the file
    with open(name, "wb") as f:
        f.write(json.dumps(misplaced, indent=2).encode() + b"\n")
    path = os.fsdecode(name)
    commands = [
        ["validate", str(recordings)],
        ["hash", "-v", str(recordings)],
        ["stats", str(recordings)],
        ["normalize", "--check", str(recordings)],
        ["reassemble", str(recordings)],
        ["show", path],
        ["prune", "--root", str(tmp_path / "repo")],
    ]
    for args in commands:
        for output in ("text", "json"):
            result = _recctl(*args, "-o", output)
            both = result.stdout + result.stderr
            assert b"internal error" not in both, (args, output, both)
            assert b"\x9b" not in both and b"\x9d" not in both, (args, output, both)
            if output == "json":
                json.loads(result.stdout)  # whole, never half an array
                if args[0] in ("validate", "hash", "show"):  # JSON spells the backslash \\
                    assert b"bad\\\\x9bname\\\\x9d.json" in result.stdout, (args, result.stdout)
            elif args[0] in ("validate", "hash", "show"):
                assert b"bad\\x9bname\\x9d.json" in both, (args, both)


# --- 8: answers that speak to GitHub Actions ----------------------------------------


def test_answer_lines_starting_with_two_colons_are_shown_ci_safe(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    recording = _seed()
    for chunk in recording["response"]["body"]:
        choices = chunk["__data__"]["choices"]
        if choices and choices[0]["delta"]["content"] == "I":
            choices[0]["delta"]["content"] = "::add-mask::x\n  ::stop-commands::tok\nok :: fine\n"
    path = write_recording(recordings / "ci.json", recording)
    for args in (["show", str(path)], ["show", "--textconv", str(path)], ["reassemble", str(path)]):
        stdout = run(*args).stdout
        assert all(not line.lstrip().startswith("::") for line in stdout.splitlines()), stdout
        assert "\\x3a:add-mask::x" in stdout and "\\x3a:stop-commands::tok" in stdout
        assert "ok :: fine" in stdout  # only a line's start is a command
    document = json.loads(run("reassemble", str(path), "-o", "json").stdout)
    assert document[0]["choices"][0]["text"].startswith("::add-mask::x\n")  # JSON stays exact


# --- 7: no credential printed, by any command or output format ----------------------


def test_masking_shows_the_start_and_the_length_only() -> None:
    assert mask_text(f"key {SECRET} here") == f"key sk-pro…({len(SECRET)} chars) here"
    masked = "Authorization: Bearer 3f2b8c…(36 chars)"
    assert mask_text(f"Authorization: Bearer {UUID_KEY}") == masked
    assert mask_text(f"x-acme-api-key={UUID_KEY}&q=1") == "x-acme-api-key=3f2b8c…(36 chars)&q=1"
    assert mask_text('"api_key": "your-key-here"') == '"api_key": "your-key-here"'  # placeholder


def test_no_command_prints_a_credential_in_full(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    leaky = _seed()
    leaky["request"]["headers"] = {"Authorization": f"Bearer {UUID_KEY}"}
    leaky["request"]["body"]["user"] = f"api_key={SECRET}"
    leaky["request"]["body"]["stream"] = SECRET  # a schema error quotes the value
    path = write_recording(recordings / "leaky.json", leaky)
    other = _seed()
    other["request"]["headers"] = {"Authorization": "Bearer sk-other0000000000000000000000x"}
    before = write_recording(tmp_path / "before/leaky.json", other)
    for args in (
        ["validate", str(path)],
        ["show", str(path)],
        ["show", "--full", str(path)],
        ["diff", str(before), str(path)],
        ["diff", str(before), str(path), "--details"],
        ["hash", "-v", str(path)],
        ["explain", str(path), "--recordings", str(recordings)],
    ):
        formats = ["text", "json"] + (["github"] if args[0] in ("validate", "hash") else [])
        formats += ["markdown"] if args[0] == "diff" else []
        for output in formats:
            result = _no_internal_error(args, "-o", output)
            both = result.stdout + result.stderr
            assert SECRET not in both and UUID_KEY not in both, (args, output, both)
    assert "sk-pro…" in run("validate", str(path)).stdout


# --- 12: --jobs within reason, a failed fork one line ---------------------------------


def test_jobs_is_capped_at_the_cpus() -> None:
    cpus = os.cpu_count() or 1
    assert parallel.workers_for(100_000) == max(cpus, 2)
    assert parallel.workers_for(None) == cpus
    assert parallel.workers_for(0) == 1


@pytest.mark.skipif(not parallel._FORK, reason="the forked pool")
def test_a_failed_fork_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "THRESHOLD", 1)
    recordings = _repo(tmp_path)
    for number in range(6):
        write_recording(recordings / f"r{number}.json", _seed())

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    result = run("validate", str(recordings), "-j", "100000")
    assert result.exit_code == 2
    assert result.stderr == (
        "recctl: error: cannot start a worker process: Resource temporarily unavailable "
        "(try --jobs 1)\n"
    )


# --- 13: nesting up to the documented limit, and one beyond --------------------------


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


@pytest.mark.parametrize("depth", [300, pytest.param(1010, marks=pytest.mark.slow)])
def test_nesting_up_to_the_limit_works_in_every_command(tmp_path: Path, depth: int) -> None:
    recordings = _repo(tmp_path)
    deep = _seed()
    deep["request"]["body"]["metadata"] = _nested(depth)
    deep["response"]["body"][0]["extra"] = _nested(depth)
    path = recordings / "deep.json"
    path.write_text(json.dumps(deep, indent=2) + "\n")  # recctl raised the recursion limit
    for args in _every_command(recordings, path):
        for output in ("text", "json"):
            result = _no_internal_error(args, "-o", output)
            assert result.exit_code in (0, 1), (args, result.stdout, result.stderr)
    _no_internal_error(["normalize", "--extra", str(recordings)])
    assert run("show", str(path), "-o", "json").exit_code == 0


def test_nesting_beyond_the_limit_is_rc002_with_the_limit_stated(tmp_path: Path) -> None:
    recordings = _repo(tmp_path)
    (recordings / "deep.json").write_text("[" * 1025 + "]" * 1025)
    result = run("validate", str(recordings))
    assert "RC002 not valid JSON: nested more than 1024 levels deep" in result.stdout


# --- 11, 13: YAML that would exhaust memory, keys JSON cannot hold ------------------


@pytest.mark.slow
def test_a_yaml_document_too_big_to_build_is_refused_before_it_is_built(tmp_path: Path) -> None:
    cassettes = tmp_path / "tests/cassettes"
    cassettes.mkdir(parents=True)
    (cassettes / "zeros.yaml").write_text("interactions: [" + "0," * 400_000 + "0]\n")
    import tracemalloc

    tracemalloc.start()
    result = run("validate", str(cassettes))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "RC003 YAML of more than 200,000 nodes, aliases expanded: not read" in result.stdout
    assert peak < 50 * 2**20  # built, it takes 150 MB


def test_yaml_keys_sets_and_dates_that_json_cannot_hold(tmp_path: Path) -> None:
    cassettes = tmp_path / "tests/cassettes"
    cassettes.mkdir(parents=True)
    odd = CASSETTE.read_text().replace(
        "      instructions: ''\n",
        "      instructions: ''\n      1: one\n      ~: nothing\n      2024-01-01: date\n"
        "      tags: !!set {a, b}\n      when: 2024-01-01 10:00:00\n",
        1,
    )
    path = cassettes / "odd.yaml"
    path.write_text(odd)
    for args in (["validate"], ["show"], ["reassemble"], ["stats"], ["diff", str(CASSETTE)]):
        for output in ("text", "json"):
            result = _no_internal_error([*args, str(path)], "-o", output)
            assert result.exit_code in (0, 1), (args, result.stdout, result.stderr)
    shown = json.loads(run("show", str(path), "-o", "json").stdout)
    assert "2024-01-01 10:00:00" in json.dumps(shown)


# --- 11: schema errors counted, the first explained ----------------------------------


def test_schema_errors_are_counted_not_all_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "MAX_ERRORS_COUNTED", 100)
    recordings = _repo(tmp_path)
    bad = _seed()
    chunk = bad["response"]["body"][1]
    chunk["__type__"] = 5
    bad["response"]["body"] = [chunk] * 500
    write_recording(recordings / "bad.json", bad)
    result = run("validate", str(recordings))
    assert "RC100 at least 80 more schema errors not shown" in result.stdout
    assert result.stdout.count("is not of type 'string'") == schema.MAX_ERRORS_PER_FILE


# --- 10: diffs in linear time where the texts share most of their words -------------


def test_alignment_is_a_valid_edit_and_unified_is_difflibs_format() -> None:
    import difflib
    import random

    rng = random.Random(7)
    for _ in range(300):
        a = [rng.choice("abcde") for _ in range(rng.randint(0, 30))]
        b = [rng.choice("abcde") for _ in range(rng.randint(0, 30))]
        rebuilt: list[str] = []
        for tag, i1, i2, j1, j2 in sequences.align(a, b).opcodes:
            assert tag != "equal" or a[i1:i2] == b[j1:j2]
            rebuilt += b[j1:j2]
        assert rebuilt == b
        if a and b and a[0] != b[0] and a[-1] != b[-1]:  # no head or tail to match first
            expected = list(difflib.unified_diff(a, b, "old", "new", n=2, lineterm=""))
            assert sequences.unified(a, b) == expected, (a, b)


def test_one_changed_word_in_a_long_message_is_found_and_a_long_middle_is_said() -> None:
    words = [f"w{n}" for n in range(40_000)]
    changed = [*words[:20_000], "CHANGED", *words[20_001:]]
    assert "[-w20000-]{+CHANGED+}" in word_diff(" ".join(words), " ".join(changed))
    other = [f"v{n}" for n in range(5_000)]
    assert word_diff(" ".join(words[:5_000]), " ".join(other)).endswith(
        "(too long to compare word by word)"
    )
    lines = "\n".join(words)
    assert unified(lines, lines.replace("w20000\n", "CHANGED\n")) == [
        "--- old",
        "+++ new",
        "@@ -19999,5 +19999,5 @@",
        " w19998",
        " w19999",
        "-w20000",
        "+CHANGED",
        " w20001",
        " w20002",
    ]


def test_cassettes_of_thousands_of_interactions_pair_in_bounded_time() -> None:
    from recctl.diff_files import FileDiff, _pairs

    def exchanges(urls: list[str]) -> list[Any]:
        return [type("E", (), {"method": "POST", "url": url})() for url in urls]

    old = exchanges([f"https://x/{n % 7}" for n in range(8_000)])
    new = exchanges([f"https://x/{n % 5}" for n in range(8_001)])
    result = FileDiff(one_per_file=False)
    pairs = _pairs(old, new, result)
    assert len(pairs) == 8_000 and result.added and not result.removed


def test_yaml_nested_beyond_libyamls_limit_is_rc003_with_the_limit_stated(tmp_path: Path) -> None:
    cassettes = tmp_path / "tests/cassettes"
    cassettes.mkdir(parents=True)
    (cassettes / "deep.yaml").write_text("interactions: " + "[" * 1200 + "]" * 1200 + "\n")
    result = run("validate", str(cassettes))
    assert "RC003 not valid YAML: nested more than 1,000 levels deep (libyaml's limit)" in (
        result.stdout
    )
