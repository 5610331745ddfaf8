"""Benchmark `recctl hash` and `recctl normalize --check`, whole process, same run.

Usage: python bench/bench_corpus.py [--corpus DIR] [--runs N]

Over 3,000+ recordings (copies of the corpus), each against a script that reads and
orjson-parses every file: `recctl hash --output-format json` (target: at most 3x) and
`recctl normalize --check` (target: at most 2x). Runs alternate so all commands see
the same load; the best of --runs counts.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import PARSE_ALL, arguments, best_of, build_tree


def main() -> None:
    args = arguments(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        count = build_tree(args.corpus, tree, args.min_files)
        recctl = [sys.executable, "-m", "recctl"]
        parse, hashed, check = best_of(
            args.runs,
            [sys.executable, "-c", PARSE_ALL, str(tree)],
            [*recctl, "hash", "--output-format", "json", str(tree)],
            [*recctl, "normalize", "--check", str(tree)],
        )
        print(f"corpus: {count:,} files")
        print(f"  orjson parse                {parse:7.3f} s")
        print(
            f"  recctl hash -o json         {hashed:7.3f} s   ratio {hashed / parse:.2f}x "
            "(target <= 3x)"
        )
        print(
            f"  recctl normalize --check    {check:7.3f} s   ratio {check / parse:.2f}x "
            "(target <= 2x)"
        )


if __name__ == "__main__":
    main()
