"""Benchmark `recctl hash`, whole process, same run.

Usage: python bench/bench_hash.py [--corpus ../shared/corpus] [--runs N]

`recctl hash --output-format json` over 3,000+ recordings (copies of the corpus) vs a
script that reads and orjson-parses every file (target: at most 3x). Runs alternate
so both commands see the same load; the best of --runs counts.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from common import best_of, build_tree

PARSE_ALL = """
import os, sys, orjson
for root, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith(".json"):
            with open(os.path.join(root, name), "rb") as f:
                orjson.loads(f.read())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    parser.add_argument("--min-files", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        count = build_tree(args.corpus, tree, args.min_files)
        parse, hashed = best_of(
            args.runs,
            [sys.executable, "-c", PARSE_ALL, str(tree)],
            [sys.executable, "-m", "recctl", "hash", "--output-format", "json", str(tree)],
        )
        print(f"corpus: {count:,} files")
        print(f"  orjson parse              {parse:7.3f} s")
        print(
            f"  recctl hash -o json       {hashed:7.3f} s   ratio {hashed / parse:.2f}x "
            "(target <= 3x)"
        )


if __name__ == "__main__":
    main()
