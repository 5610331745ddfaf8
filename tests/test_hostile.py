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

import hostile_files as hostile
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
        if args[0] == "validate":  # a walk reads regular files only: no FIFO is one
            assert "x.json" not in result.stdout and result.exit_code == 0
    result = run("validate", str(cassettes), "-j", jobs)  # nothing else there
    assert result.exit_code == 2 and "no recordings or cassettes found" in result.stderr
    result = run("validate", str(cassettes / "x.yaml"), "-j", jobs)  # named: said, not read
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


# --- issue 29: budgets per file, every length checked, one bad file never stops a run --


def _tree(tmp_path: Path, files: dict[str, bytes], budgets: str = "") -> Path:
    """A work tree holding ``files`` and a sound cassette with a key (``key.yaml``), and
    a ``[tool.recctl.budget]`` table when ``budgets`` is given."""
    root = tmp_path / "tree"
    (root / ".git").mkdir(parents=True)
    for name, data in {**files, f"{hostile.CASSETTES}/key.yaml": hostile.key_cassette()}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    if budgets:
        (root / "pyproject.toml").write_text(f"[tool.recctl.budget]\n{budgets}\n")
    return root


def _validated(
    root: Path, monkeypatch: pytest.MonkeyPatch, jobs: str, *extra: str
) -> tuple[Any, list[Any]]:
    """validate over the tree, as JSON (one whole document), from the tree (its
    configuration), with workers when ``jobs`` is 2; and its findings."""
    monkeypatch.chdir(root)
    monkeypatch.setattr(parallel, "THRESHOLD", 1)
    result = _no_internal_error(["validate", ".", "-o", "json", "-j", jobs, *extra])
    findings = json.loads(result.stdout)["findings"]
    key = [f for f in findings if f["path"].endswith("key.yaml")]
    assert [f["code"] for f in key] == ["RC203"], findings  # the run went on to the next file
    return result, findings


def _of(findings: list[Any], name: str) -> list[tuple[str, str]]:
    return [(f["code"], f["message"]) for f in findings if f["path"].endswith(name)]


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("size", [b"-10", b"+5", b"0x5", b" -1", b"F" * 16, b"", b"5 5"])
def test_a_chunk_size_that_is_not_hex_digits_is_a_finding_never_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str, size: bytes
) -> None:
    root = _tree(tmp_path, {"testdata/chunk.httprr": hostile.httprr_chunk_size(size)})
    _, findings = _validated(root, monkeypatch, jobs)
    [(code, message)] = _of(findings, "chunk.httprr")
    assert code == "RC101" and "chunked body:" in message, message


def test_a_chunk_cut_short_or_sized_beyond_the_body_is_a_finding() -> None:
    from recctl.containers.httprr import dechunk

    assert dechunk(b"5\r\nhello\r\n0\r\n\r\n") == b"hello"
    for body in (b"ff\r\nhello\r\n0\r\n\r\n", b"5\r\nhello", b"5;ext\r\nhel", b"5"):
        with pytest.raises(ValueError):
            dechunk(body)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_event_stream_header_cut_short_is_a_finding_and_json_stays_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    root = _tree(tmp_path, {f"{hostile.CASSETTES}/bedrock.yaml": hostile.event_stream_cut_header()})
    _, findings = _validated(root, monkeypatch, jobs)
    [(code, message)] = _of(findings, "bedrock.yaml")
    assert code == "RC101" and "the length of header ':event-type' is cut short" in message


def test_every_cut_of_an_event_stream_frame_is_a_problem_never_an_exception() -> None:
    from recctl.containers.bodies import event_stream

    headers = hostile.string_header(b":event-type", b"chunk") + b"\x05:flag\x00"
    headers += b"\x03:ts\x08" + b"\0" * 8 + b"\x04:num\x04\0\0\0\x01"
    good = hostile.frame(headers, b'{"bytes":"e30="}')
    events, problems = event_stream(good + good)
    assert len(events) == 2 and not problems and events[0][":event-type"] == "chunk"
    boundaries = {20, 27, 40}  # where one header ends and the next begins
    for cut in set(range(1, len(headers))) - boundaries:
        events, problems = event_stream(hostile.frame(headers[:cut], b"{}"))
        assert problems, cut  # every length within the headers is checked before use
    for cut in range(len(good)):
        event_stream(good[:cut])
        event_stream(good[:cut] + bytes([0xFF]) + good[cut + 1 :])


def test_a_truncated_event_stream_that_is_valid_utf8_is_still_read_as_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path, {f"{hostile.CASSETTES}/cut.yaml": hostile.event_stream_truncated_utf8()})
    _, findings = _validated(root, monkeypatch, "1")
    [(code, message)] = _of(findings, "cut.yaml")
    assert code == "RC101" and "the frame at byte 0 is cut short" in message


@pytest.mark.parametrize("digits", [4_301, 100_000])
def test_a_yaml_integer_too_long_to_read_is_kept_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, digits: int
) -> None:
    root = _tree(tmp_path, {f"{hostile.CASSETTES}/int.yaml": hostile.yaml_long_integer(digits)})
    _validated(root, monkeypatch, "2")
    path = str(root / hostile.CASSETTES / "int.yaml")
    for command in (["show"], ["stats"], ["reassemble"], ["scrub", "--check"], ["diff", path]):
        _no_internal_error(
            [*command, path, "-o", "json"] if command[0] != "scrub" else [*command, path]
        )


def test_a_content_length_that_lies_is_a_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path, {"testdata/lie.httprr": hostile.httprr_content_length()})
    _, findings = _validated(root, monkeypatch, "1")
    assert _of(findings, "lie.httprr") == [
        ("RC101", "Content-Length says 99999999, the body has 44 bytes")
    ]


#: Each kind of body that decompresses, in the container that stores it.
COMPRESSED = {
    "recordings/gzip.har": lambda n, mib: hostile.har_gzip_bodies(n, mib),
    "testdata/gzip.httprr": lambda n, mib: hostile.httprr_gzip_bodies(n, mib),
    f"{hostile.CASSETTES}/deflate.yaml": lambda n, mib: hostile.deflate_cassette(n, mib),
}


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("name", list(COMPRESSED))
def test_decompression_is_bounded_per_file_not_per_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str, name: str
) -> None:
    # Each body is within the budget alone; together they are not.
    root = _tree(tmp_path, {name: COMPRESSED[name](6, 1)}, "decompressed-mib = 4")
    _, findings = _validated(root, monkeypatch, jobs)
    assert _of(findings, name) == [
        (
            "RC001",
            "over the per-file budget of 4 MiB decompressed (budget.decompressed-mib in "
            "[tool.recctl]): not read further",
        )
    ]
    (root / "pyproject.toml").unlink()  # the defaults: far above, the file reads
    _, findings = _validated(root, monkeypatch, jobs)
    assert not [code for code, _ in _of(findings, name) if code == "RC001"]


@pytest.mark.parametrize(
    ("budgets", "name", "data", "said"),
    [
        ("exchanges = 50", "recordings/many.har", hostile.har_many_entries(51), "50 exchanges"),
        (
            "events = 5",
            f"{hostile.CASSETTES}/sse.yaml",
            hostile.vcr_cassette(
                [
                    hostile.interaction(
                        "".join(f'data: {{"n": {n}}}\n\n' for n in range(6)),
                        {"Content-Type": ["text/event-stream"]},
                    )
                ]
            ),
            "5 stream events",
        ),
        ("json-values = 100", "recordings/seed.json", SEED.read_bytes(), "100 JSON values"),
    ],
)
def test_each_budget_is_one_finding_naming_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    budgets: str,
    name: str,
    data: bytes,
    said: str,
) -> None:
    root = _tree(tmp_path, {name: data}, budgets)
    _, findings = _validated(root, monkeypatch, "2")
    [(code, message)] = _of(findings, name)
    assert code == "RC001" and f"over the per-file budget of {said}" in message, message
    monkeypatch.chdir(root)
    for command in ("show", "stats", "reassemble"):  # said the same way, never a crash
        result = _no_internal_error([command, name])
        assert "over the per-file budget" in result.output, (command, result.output)


def test_a_budget_that_is_not_a_whole_number_stops_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tree(tmp_path, {}, 'events = "many"')
    monkeypatch.chdir(root)
    result = run("validate", ".")
    assert result.exit_code == 2
    assert "[tool.recctl] budget.events must be a whole number of at least 1" in result.stderr


def test_the_budgets_are_far_above_every_sample() -> None:
    """What docs/untrusted-input.md says: each default, against the largest of the files
    under fixtures/ (their budgets charged as they are read)."""
    from recctl import budget, containers

    made: list[budget.Budget] = []
    init = budget.Budget.__init__

    def keep(self: budget.Budget, limits: budget.Limits) -> None:
        init(self, limits)
        made.append(self)

    largest = dict.fromkeys(budget.KEYS, 0)
    files = 0
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(budget.Budget, "__init__", keep)
        for path in containers.discover([str(FIXTURES)]):
            made.clear()
            try:
                containers.load(path)
            except Exception:  # a fixture broken on purpose
                continue
            files += 1
            for which in largest:
                largest[which] = max([largest[which], *(getattr(b, which) for b in made)])
    assert files >= 200
    assert largest["decompressed"] * 1_000 <= budget.DEFAULTS.decompressed, largest
    assert largest["events"] * 800 <= budget.DEFAULTS.events, largest
    assert largest["exchanges"] * 2_000 <= budget.DEFAULTS.exchanges, largest
    assert largest["values"] * 200 <= budget.DEFAULTS.values, largest


def test_the_budgets_defaults_are_the_configurations() -> None:
    from recctl import budget
    from recctl.config import KEYS

    for which, (key, _) in budget.KEYS.items():
        default = KEYS[key].default * (budget.MiB if which == "decompressed" else 1)
        assert getattr(budget.DEFAULTS, which) == default, key


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_too_big_to_parse_is_still_searched_for_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    import gzip

    from recctl import io

    broken = SEED.read_bytes()[:-200].replace(b'"model"', f'"{hostile.KEY}"'.encode(), 1)
    files = {
        f"{hostile.CASSETTES}/big.yaml": hostile.yaml_over_node_budget(600_000),
        f"{hostile.CASSETTES}/big.yaml.gz": gzip.compress(hostile.yaml_over_node_budget(600_000)),
        "recordings/broken.json": broken,
        # YAML that holds no exchange (a note): its bytes are searched.
        f"{hostile.CASSETTES}/other.yaml": b"interactions: [1]\nkey: " + hostile.KEY.encode(),
    }
    root = _tree(tmp_path, files)
    with (root / hostile.CASSETTES / "huge.yaml").open("wb") as huge:  # too large to read
        huge.write(b"padding: 0\n" * 1000 + hostile.key_cassette())
        huge.truncate(io.MAX_FILE_BYTES + 1)  # sparse: no disk used
    _, findings = _validated(root, monkeypatch, jobs)
    for name, first in (
        ("big.yaml", "RC003"),
        ("big.yaml.gz", "RC003"),
        ("huge.yaml", "RC001"),
        ("broken.json", "RC002"),
        ("other.yaml", None),
    ):
        found = _of(findings, "/" + name)
        assert [code for code, _ in found] == [c for c in (first, "RC203") if c], (name, found)
        assert hostile.KEY not in json.dumps(found) and "sk-pro…(72 chars)" in found[-1][1]
    monkeypatch.chdir(root)  # GitHub annotations say the line a key is on
    annotations = run("validate", "recordings/broken.json", "-o", "github").stdout
    line = next(n for n, text in enumerate(broken.splitlines(), 1) if b"sk-proj" in text)
    assert f"file=recordings/broken.json,line={line}," in annotations, annotations


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_exception_no_reader_expected_is_a_finding_of_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    from recctl.containers import httprr

    def broken(*args: Any) -> Any:
        raise struct_error("unpack requires a buffer of 2 bytes")

    import struct

    struct_error = struct.error
    monkeypatch.setattr(httprr, "_exchange", broken)
    root = _tree(tmp_path, {"testdata/x.httprr": hostile.httprr_content_length(44)})
    _, findings = _validated(root, monkeypatch, jobs)
    [(code, message)] = _of(findings, "x.httprr")
    assert code == "RC003" and message.startswith("recctl failed on this file (error: unpack")


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_hostile_files_of_the_issues_size_take_seconds_and_bounded_memory(
    tmp_path: Path, jobs: str
) -> None:
    """The issue's sizes, as whole processes (bench/hostile.py times them against an
    older checkout): 40 gzip bodies of 99 MiB took 4.2 GB and 47 s."""
    import time

    files = {
        "recordings/gzip.har": hostile.har_gzip_bodies(40, 99),
        "testdata/gzip.httprr": hostile.httprr_gzip_bodies(40, 99),
        f"{hostile.CASSETTES}/deflate.yaml": hostile.deflate_cassette(40, 99),
        "recordings/many.har": hostile.har_many_entries(80_000),
        f"{hostile.CASSETTES}/big.yaml": hostile.yaml_over_node_budget(),
    }
    root = _tree(tmp_path, files)
    for number in range(250):  # enough files for the workers to take them
        (root / hostile.CASSETTES / f"k{number}.yaml").write_bytes(hostile.key_cassette())
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "recctl", "validate", str(root), "-o", "json", "-j", jobs],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    stdout, stderr = process.communicate(timeout=120)
    elapsed = time.monotonic() - started
    assert b"internal error" not in stderr, stderr
    findings = json.loads(stdout)["findings"]
    over = {f["path"].rsplit("/", 1)[-1] for f in findings if "per-file budget" in f["message"]}
    assert over == {"gzip.har", "gzip.httprr", "deflate.yaml", "many.har"}, findings
    assert any(f["path"].endswith("big.yaml") and f["code"] == "RC203" for f in findings)
    assert elapsed < 60, elapsed


def _peak_mib(args: list[str]) -> tuple[float, bytes]:
    """Peak resident memory of one whole recctl run (its workers included)."""
    code = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, sys.executable, "-m", "recctl", *args],
        capture_output=True,
        check=True,
    )
    return int(done.stdout) / 1024, done.stderr


@pytest.mark.slow
def test_peak_memory_follows_the_largest_file_and_the_budget(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"recordings/gzip.har": hostile.har_gzip_bodies(40, 99)})
    for jobs in ("1", "2"):
        peak, stderr = _peak_mib(["validate", str(root), "-j", jobs])
        assert b"internal error" not in stderr
        assert peak < 64 * 4 + 100, peak  # the budget, what it builds, and Python
