"""One benchmark report: every command against the parse floor, in the same run.

Usage: python bench/report.py [--corpus DIR] [--min-files N] [--runs N] [--scale N]

Builds, in a temporary directory, a tree of --min-files recordings (the fixtures
replicated, or --corpus DIR), a repository of the same recordings with test modules
(for prune), a copy of the tree re-recorded one file in twenty (for diff) and a tree
of --scale copies (for the scale test). Each command runs as its own process,
alternating with its floor; the ratio is the median of the paired runs' ratios, so
both see the same machine load. The floor of a command over recordings is one
process that reads and orjson-parses the same files; over cassettes, one that parses
them with PyYAML's C safe loader. Peak memory is the largest resident set of the
command's main process (wait4), workers aside.

Prints a Markdown table, the one the README shows. Absolute times are noise on a
shared machine; ratios are what to compare.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench_cassettes import CASSETTES
from bench_cassettes import PARSE_ALL as PARSE_YAML
from bench_diff import rerecord
from bench_prune import build as build_repository
from common import FIXTURE_CORPUS, PARSE_ALL, build_tree

RECCTL = [sys.executable, "-m", "recctl"]
VALIDATE_ONE = """
import sys, orjson, jsonschema_rs
from recctl.ogx.schema import SHIPPED_SCHEMA
with open(SHIPPED_SCHEMA, "rb") as f:
    schema = orjson.loads(f.read())
with open(sys.argv[1], "rb") as f:
    assert jsonschema_rs.validator_for(schema).is_valid(orjson.loads(f.read()))
"""


@dataclass
class Run:
    seconds: float
    peak_mib: float


#: As installed: byte-compiled. A development shell may set PYTHONDONTWRITEBYTECODE,
#: which makes every run compile recctl's modules again (20 ms of each start-up).
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(argv: list[str], cwd: Path | None = None) -> Run:
    start = time.perf_counter()
    process = subprocess.Popen(
        argv, cwd=cwd, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, _, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    return Run(seconds, usage.ru_maxrss / 1024)  # KiB on Linux


@dataclass
class Row:
    name: str
    ratio: float
    seconds: float
    peak_mib: float
    goal: str


def paired(name: str, floor: list[str], command: list[str], runs: int, goal: str) -> Row:
    ratios, times, peaks = [], [], []
    for _ in range(runs):
        base, measured = run(floor), run(command)
        ratios.append(measured.seconds / base.seconds)
        times.append(measured.seconds)
        peaks.append(measured.peak_mib)
    return Row(name, statistics.median(ratios), statistics.median(times), max(peaks), goal)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=FIXTURE_CORPUS)
    parser.add_argument("--min-files", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--scale", type=int, default=10)
    args = parser.parse_args()
    subprocess.run(  # the byte code an installed package has
        [sys.executable, "-m", "compileall", "-q", str(Path(__file__).parent.parent / "recctl")],
        env=ENVIRONMENT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    floor = [sys.executable, "-c", PARSE_ALL]
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        tree = root / "tree"
        count = build_tree(args.corpus, tree, args.min_files)
        rerecorded = root / "rerecorded"
        shutil.copytree(tree, rerecorded)
        for number, path in enumerate(sorted(rerecorded.rglob("*.json"))):
            if number % 20 == 0:
                rerecord(path, change_usage=number % 40 == 0)
        repository = root / "repository"
        build_repository(args.corpus, repository, args.min_files)
        cassettes = root / "cassettes-tree" / "tests" / "cassettes"
        shutil.copytree(CASSETTES, cassettes / "copy0")
        for copy in range(1, 60):
            shutil.copytree(cassettes / "copy0", cassettes / f"copy{copy}")

        def over_tree(name: str, argv: list[str], goal: str) -> None:
            rows.append(paired(name, [*floor, str(tree)], [*RECCTL, *argv], args.runs, goal))

        over_tree("validate", ["validate", str(tree), "-o", "json"], "≤ 1.5x")
        over_tree("reassemble -o json", ["reassemble", str(tree), "-o", "json"], "≤ 1.3x")
        over_tree("hash -o json", ["hash", str(tree), "-o", "json"], "≤ 2.0x")
        over_tree("normalize --check", ["normalize", "--check", str(tree)], "≤ 1.3x")
        over_tree("stats -o json", ["stats", str(tree), "-o", "json"], "")
        rows.append(
            paired(
                "prune (static, whole repository)",
                [*floor, str(repository)],
                [*RECCTL, "prune", "--root", str(repository), "-o", "json"],
                args.runs,
                "≤ 1.5x",
            )
        )
        rows.append(
            paired(
                "diff OLD NEW (1 in 20 re-recorded)",
                [*floor, str(tree), str(rerecorded)],
                [*RECCTL, "diff", str(tree), str(rerecorded), "-o", "json"],
                args.runs,
                "",
            )
        )
        seed = str(FIXTURE_CORPUS / "seed.json")
        rows.append(
            paired(
                "validate, one file (vs orjson + jsonschema-rs script)",
                [sys.executable, "-c", VALIDATE_ONE, seed],
                [*RECCTL, "validate", seed],
                args.runs,
                "≤ 1.6x",
            )
        )
        rows.append(
            paired(
                "validate, one file (vs the same script importing Typer too)",
                [sys.executable, "-c", "import typer\n" + VALIDATE_ONE, seed],
                [*RECCTL, "validate", seed],
                args.runs,
                "",
            )
        )
        rows.append(
            paired(
                "recctl --version (vs python -c pass)",
                [sys.executable, "-c", "pass"],
                [*RECCTL, "--version"],
                args.runs,
                "as low as Typer allows",
            )
        )
        rows.append(
            paired(
                "python -c 'import typer' (vs python -c pass): Typer's share",
                [sys.executable, "-c", "pass"],
                [sys.executable, "-c", "import typer"],
                args.runs,
                "",
            )
        )
        yaml_floor = [sys.executable, "-c", PARSE_YAML, str(cassettes)]
        for name, argv, goal in (
            ("cassettes: reassemble -o json", ["reassemble", "-o", "json"], "≤ 1.2x"),
            ("cassettes: validate", ["validate", "-o", "json"], "≤ 1.5x"),
        ):
            rows.append(
                paired(
                    name, yaml_floor, [*RECCTL, argv[0], str(cassettes), *argv[1:]], args.runs, goal
                )
            )
        scaled = root / "scaled"
        for copy in range(args.scale):
            shutil.copytree(tree, scaled / f"x{copy}")
        one = paired("", [*floor, str(tree)], [*RECCTL, "validate", str(tree), "-o", "json"], 3, "")
        many = paired(
            "", [*floor, str(scaled)], [*RECCTL, "validate", str(scaled), "-o", "json"], 3, ""
        )
        # Text output prints findings as they come: its peak is the one to keep flat.
        text_one = run([*RECCTL, "validate", str(tree)])
        text_many = run([*RECCTL, "validate", str(scaled)])

    print(
        f"recctl benchmark report: {count:,} recordings ({args.corpus.name}), "
        f"{args.runs} paired runs each; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )
    print()
    print("| command | ratio to its floor | time | peak MiB | goal |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        cells = [row.name, f"{row.ratio:.2f}x", f"{row.seconds:.3f} s", f"{row.peak_mib:.0f}"]
        print("| " + " | ".join([*cells, row.goal]) + " |")
    print()
    print(
        f"Scale (validate -o json): 1x {one.seconds:.2f} s, {one.peak_mib:.0f} MiB; "
        f"{args.scale}x ({args.scale * count:,} recordings) {many.seconds:.2f} s "
        f"({many.seconds / one.seconds:.1f}x the time), {many.peak_mib:.0f} MiB. "
        f"Text output: 1x {text_one.peak_mib:.0f} MiB, {args.scale}x {text_many.peak_mib:.0f} MiB."
    )


if __name__ == "__main__":
    main()
