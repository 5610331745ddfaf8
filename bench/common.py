"""Shared helpers of the benchmarks: interleaved best-of timing and a large tree."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time
from pathlib import Path

#: The default corpus: the real recordings the tests use, replicated by build_tree.
FIXTURE_CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "corpus"

#: The baseline: a script that reads and orjson-parses every *.json under its arguments.
PARSE_ALL = """
import os, sys, orjson
def parse(path):
    with open(path, "rb") as f:
        orjson.loads(f.read())
for top in sys.argv[1:]:
    if os.path.isfile(top):
        parse(top)
    for root, dirs, files in os.walk(top):
        for name in files:
            if name.endswith(".json"):
                parse(os.path.join(root, name))
"""


def best_of(runs: int, *commands: list[str], cwd: Path | None = None) -> list[float]:
    """Best wall time of each command, runs interleaved so that both see the same load."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for argv, measured in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(
                argv, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd
            )
            measured.append(time.perf_counter() - start)
    return [min(measured) for measured in times]


def build_tree(corpus: Path, target: Path, min_files: int) -> int:
    files = sorted(corpus.rglob("*.json"))
    copies = -(-min_files // len(files))
    for copy in range(copies):
        shutil.copytree(corpus, target / f"copy{copy:03d}")
    return copies * len(files)


def arguments(doc: str) -> argparse.Namespace:
    """The options every benchmark takes: --corpus, --min-files, --runs."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=FIXTURE_CORPUS,
        help="a tree of recordings (default: fixtures/corpus, replicated to --min-files)",
    )
    parser.add_argument("--min-files", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()
