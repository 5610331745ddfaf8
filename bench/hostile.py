"""Time and peak memory of recctl on hostile inputs (issue 18, points 9 to 12; issue 29).

    python bench/hostile.py                          # this checkout
    python bench/hostile.py --baseline /path/to/old  # and an older checkout, side by side

Each case builds its input in a temporary directory, runs one command as a whole
process with a timeout, and prints its seconds and peak RSS (``os.wait4``);
"timeout" means it did not finish. Absolute numbers are this machine's: compare
the two lines of a case, from one run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the hostile files of issue 29, made to measure

import hostile_files as hostile  # noqa: E402

SEED = ROOT / "fixtures/corpus/seed.json"
TIMEOUT = 120.0


def _recording_with_text(directory: Path, name: str, words: list[str]) -> Path:
    recording = json.loads(SEED.read_text())
    recording["request"]["body"]["messages"][0]["content"] = " ".join(words)
    path = directory / name
    path.write_text(json.dumps(recording, indent=2) + "\n")
    return path


def _word_diff(count: int) -> Callable[[Path], list[str]]:
    def build(directory: Path) -> list[str]:
        words = [f"w{n % 40}" for n in range(count)]  # prose repeats its words
        changed = [*words[: count // 2], "CHANGED", *words[count // 2 + 1 :]]
        old = _recording_with_text(directory, "old.json", words)
        new = _recording_with_text(directory, "new.json", changed)
        return ["diff", str(old), str(new)]

    return build


def _cassette(interactions: int, path: Path) -> None:
    items = [
        {
            "request": {"method": "POST", "uri": "https://x/v1/chat", "body": None, "headers": {}},
            "response": {"status": {"code": 200}, "headers": {}, "body": {"string": "{}"}},
        }
        for n in range(interactions)
    ]
    path.write_text(json.dumps({"interactions": items, "version": 1}))  # JSON is YAML


def _pairing(directory: Path) -> list[str]:
    """One more interaction on one side: every interaction is paired again."""
    cassettes = directory / "tests/cassettes"
    cassettes.mkdir(parents=True)
    _cassette(8_000, cassettes / "old.yaml")
    _cassette(8_001, cassettes / "new.yaml")  # one call to the same URL more
    return ["diff", str(cassettes / "old.yaml"), str(cassettes / "new.yaml")]


def _fifo(directory: Path) -> list[str]:
    recordings = directory / "tests/recordings"
    recordings.mkdir(parents=True)
    (recordings / "good.json").write_bytes(SEED.read_bytes())
    os.mkfifo(recordings / "x.json")
    return ["validate", str(recordings)]


def _zeros(directory: Path) -> list[str]:
    cassettes = directory / "tests/cassettes"
    cassettes.mkdir(parents=True)
    (cassettes / "zeros.yaml").write_text("interactions: [" + "0," * 4_194_304 + "0]\n")
    return ["validate", str(cassettes)]


def _zeros_gz(directory: Path) -> list[str]:
    cassettes = directory / "tests/cassettes"
    cassettes.mkdir(parents=True)
    document = ("interactions: [" + "0," * 20_000_000 + "0]\n").encode()
    (cassettes / "zeros.yaml.gz").write_bytes(gzip.compress(document, 9))
    return ["validate", str(cassettes)]


def _bad_chunks(directory: Path) -> list[str]:
    recordings = directory / "tests/recordings"
    recordings.mkdir(parents=True)
    recording = json.loads(SEED.read_text())
    chunk = recording["response"]["body"][1]
    chunk["__type__"] = 5
    recording["response"]["body"] = [chunk] * 80_000
    (recordings / "bad.json").write_text(json.dumps(recording, indent=2) + "\n")
    return ["validate", str(recordings)]


def _many_jobs(directory: Path) -> list[str]:
    recordings = directory / "tests/recordings"
    recordings.mkdir(parents=True)
    for number in range(3_000):
        (recordings / f"r{number}.json").write_bytes(SEED.read_bytes())
    return ["validate", str(recordings), "-j", "100000"]


def _files(
    command: str, name: str, make: Callable[[], bytes], extra: tuple[str, ...] = ()
) -> Callable[[Path], list[str]]:
    """A case of issue 29: the file ``make`` gives, at ``name`` below the directory, with
    a sound cassette holding a key beside it (the run must still report that key)."""

    def build(directory: Path) -> list[str]:
        for path, data in (
            (directory / name, make()),
            (directory / hostile.CASSETTES / "key.yaml", hostile.key_cassette()),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        return [command, str(directory / name if command == "show" else directory), *extra]

    return build


CASES: dict[str, Callable[[Path], list[str]]] = {
    "9: a FIFO named x.json": _fifo,
    "10: word diff, 5,000 words": _word_diff(5_000),
    "10: word diff, 20,000 words": _word_diff(20_000),
    "10: word diff, 40,000 words": _word_diff(40_000),
    "10: cassettes of 8,000 interactions": _pairing,
    "11: 8 MiB of [0,0,...] YAML": _zeros,
    "11: a .yaml.gz of 20M zeros": _zeros_gz,
    "11: 80,000 bad chunks": _bad_chunks,
    "12: -j 100000 over 3,000 files": _many_jobs,
    "29: httprr chunk size -10": _files(
        "validate", "testdata/chunk.httprr", lambda: hostile.httprr_chunk_size(b"-10")
    ),
    "29: event-stream header cut, -o json": _files(
        "validate",
        f"{hostile.CASSETTES}/bedrock.yaml",
        hostile.event_stream_cut_header,
        ("-o", "json"),
    ),
    "29: YAML integer of 4,301 digits": _files(
        "validate", f"{hostile.CASSETTES}/int.yaml", hostile.yaml_long_integer
    ),
    "29: HAR, 40 gzip bodies of 99 MiB": _files(
        "validate", "recordings/gzip.har", lambda: hostile.har_gzip_bodies(40)
    ),
    "29: HAR, 70 gzip bodies of 99 MiB": _files(
        "validate", "recordings/gzip.har", lambda: hostile.har_gzip_bodies(70)
    ),
    "29: httprr, 40 gzip bodies of 99 MiB": _files(
        "validate", "testdata/gzip.httprr", lambda: hostile.httprr_gzip_bodies(40)
    ),
    "29: cassette, 40 deflate bodies of 99 MiB": _files(
        "validate", f"{hostile.CASSETTES}/deflate.yaml", lambda: hostile.deflate_cassette(40)
    ),
    "29: HAR of 80,000 entries (show)": _files(
        "show", "recordings/many.har", hostile.har_many_entries
    ),
    "29: 29 MB cassette over the node budget": _files(
        "validate", f"{hostile.CASSETTES}/big.yaml", hostile.yaml_over_node_budget
    ),
}


def measure(command: list[str], pythonpath: Path) -> str:
    """Seconds and peak RSS of one whole run (``wait4``: this child's own figures)."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath), "NO_COLOR": "1"}
    with tempfile.TemporaryFile() as stderr, tempfile.TemporaryFile() as stdout:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "recctl", *command],
            env=env,
            stdout=stdout,
            stderr=stderr,
            cwd=pythonpath,  # python -m puts the working directory first on the path
            start_new_session=True,
        )
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > TIMEOUT:
                os.killpg(process.pid, 9)
                os.wait4(process.pid, 0)
                return f"timeout ({TIMEOUT:.0f} s)"
            time.sleep(0.01)
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        elapsed = time.monotonic() - started
        stderr.seek(0)
        crashed = " internal error" if b"internal error" in stderr.read() else ""
        stdout.seek(0)
        keys = " RC203" if b"RC203" in stdout.read() else ""
    return (
        f"{elapsed:6.2f} s  {usage.ru_maxrss / 1024:7.0f} MiB  exit {process.returncode}"
        f"{crashed}{keys}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, help="a checkout of an older recctl")
    parser.add_argument("--only", default="", help="the cases whose name starts with this")
    arguments = parser.parse_args()
    checkouts = [("this checkout", ROOT)]
    if arguments.baseline:
        checkouts.insert(0, ("baseline", arguments.baseline))
    for name, build in CASES.items():
        if not name.startswith(arguments.only):
            continue
        for label, checkout in checkouts:
            with tempfile.TemporaryDirectory() as directory:
                command = build(Path(directory))
                print(f"{name:40} {label:14} {measure(command, checkout)}", flush=True)


if __name__ == "__main__":
    main()
