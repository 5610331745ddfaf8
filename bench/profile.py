"""Where the time goes: each step of each command, timed alone, in one process.

Usage: python bench/profile.py [--corpus DIR] [--min-files N]

Builds the same tree as report.py (the fixtures replicated to --min-files
recordings), then times every step the commands take per file, file by file, as
a worker does: reading, parsing, the schema, each check, the request hash, the
answer, normalizing, the results' trip between processes. Start-up is timed as
whole processes (median of 11). Seconds are for the whole tree on one core; the
commands spread the per-file steps over every core.
"""

from __future__ import annotations

import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from common import arguments, build_tree

from recctl import containers, io, parallel, prune
from recctl.answer import answer_json
from recctl.containers import ogx
from recctl.containers.ogx_answers import reassemble
from recctl.findings import CHECKS
from recctl.ogx import checks, hashing
from recctl.ogx.normalize import DEFAULT_RULES, file_hash, normalize_recording
from recctl.ogx.schema import SchemaValidator, shipped_schema_bytes
from recctl.ogx.shapes import classify
from recctl.per_file import reassemble_json
from recctl.secrets import check_secrets
from recctl.validate import validate_file

STARTUP = {
    "python -c pass": ["-c", "pass"],
    "python -c 'import orjson' (the floor's start)": ["-c", "import orjson"],
    "python -c 'import typer'": ["-c", "import typer"],
    "recctl --version": ["-m", "recctl", "--version"],
    "recctl validate (no file)": ["-m", "recctl", "validate", os.devnull],
}


def startup() -> dict[str, float]:
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(11):
        for name, argv in STARTUP.items():
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, *argv], env=environment, capture_output=True, check=False
            )
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def per_file(tree: str, files: list[str]) -> dict[str, float]:
    validator = SchemaValidator(shipped_schema_bytes())
    rules = frozenset(DEFAULT_RULES)
    spent: dict[str, float] = defaultdict(float)

    def timed(name: str, step: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = step()
        spent[name] += time.perf_counter() - start
        return result

    for path in files:
        name = os.path.basename(path)
        raw = timed("read", lambda: io.read_bytes(path))  # noqa: B023
        doc = timed("parse (orjson)", lambda: orjson.loads(raw))  # noqa: B023
        shape = timed("classify", lambda: classify(doc))  # noqa: B023
        timed("schema (jsonschema-rs)", lambda: validator.is_valid(doc))  # noqa: B023
        timed("RC201 stream ids", lambda: checks.check_stream_ids(path, doc, shape))  # noqa: B023
        timed("RC202 location", lambda: checks.check_location(path, doc))  # noqa: B023
        timed("RC203 credentials", lambda: check_secrets(ogx.parse(raw, path)))  # noqa: B023
        timed("RC207 test ids", lambda: checks.check_test_id(path, doc))  # noqa: B023
        timed("request hash: N()", lambda: hashing.hash_input(doc))  # noqa: B023
        timed("request hash: whole", lambda: hashing.request_hash(doc))  # noqa: B023
        timed("RC204 judge_name (hash included)", lambda: hashing.judge_name(name, doc))  # noqa: B023
        answer = timed("reassemble", lambda: reassemble(doc, shape))  # noqa: B023
        timed("answer to JSON", lambda: orjson.dumps(answer_json(path, answer)))  # noqa: B023
        digest = file_hash(name, doc)
        timed("normalize (check)", lambda: normalize_recording(doc, digest, rules))  # noqa: B023
        timed("prune: read the head", lambda: prune.read_facts(path))  # noqa: B023
    enabled = frozenset(CHECKS)
    results = timed(
        "validate_file, every step", lambda: [validate_file(f, validator, enabled) for f in files]
    )
    outputs = [reassemble_json(f) for f in files]
    for name, value in (("validate", results), ("reassemble -o json", outputs)):
        data = timed(f"results across processes: {name}", lambda: pickle.dumps(value, 5))  # noqa: B023
        timed(f"results across processes: {name}", lambda: pickle.loads(data))  # noqa: B023
    timed("discovery (walk the tree)", lambda: list(containers.discover([tree])))
    timed(
        "worker pool, 2 workers, nothing to do", lambda: list(parallel.ordered_map(len, files, 2))
    )
    return spent


def main() -> None:
    args = arguments(__doc__ or "")
    with tempfile.TemporaryDirectory() as tmp:
        tree = str(Path(tmp) / "tree")
        count = build_tree(args.corpus, Path(tree), args.min_files)
        spent = per_file(tree, list(containers.discover([tree])))
    print(f"Per-step profile: {count:,} recordings, one process, seconds for all of them")
    print()
    print("| step | seconds |")
    print("|---|---:|")
    for name, seconds in spent.items():
        print(f"| {name} | {seconds:.3f} |")
    print()
    print("| start-up (whole process, median of 11) | seconds |")
    print("|---|---:|")
    for name, seconds in startup().items():
        print(f"| {name} | {seconds:.3f} |")


if __name__ == "__main__":
    main()
