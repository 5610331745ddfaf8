"""Benchmark `recctl reassemble` and `recctl show` on VCR.py cassettes, same run.

Usage: python bench/bench_cassettes.py [--corpus DIR] [--min-files N] [--runs N]

Copies the cassettes of fixtures/cassettes (or --corpus DIR) until there are at least
--min-files (default 1,000), under a `cassettes/` directory, then times, as separate
processes, each best of --runs, runs alternating:

- `recctl reassemble --output-format json TREE` vs a script that reads every cassette
  and parses it with PyYAML's C safe loader (gunzipping .yaml.gz first): the floor
  (target: at most 1.2x);
- `recctl validate TREE` (structure and credentials) vs the same floor (target: at
  most 1.5x).

Ratios are what to compare; absolute times are noise on a shared machine.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from common import best_of

CASSETTES = Path(__file__).resolve().parent.parent / "fixtures" / "cassettes"

#: The floor: read every cassette and parse it with the C safe loader, nothing more.
PARSE_ALL = """
import gzip, os, sys, yaml
for root, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith((".yaml", ".yml", ".yaml.gz")):
            with open(os.path.join(root, name), "rb") as f:
                raw = f.read()
            if raw[:2] == b"\\x1f\\x8b":
                raw = gzip.decompress(raw)
            yaml.load(raw, Loader=yaml.CSafeLoader)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CASSETTES)
    parser.add_argument("--min-files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = [p for p in sorted(args.corpus.rglob("*")) if p.name.endswith((".yaml", ".yaml.gz"))]
    recctl = [sys.executable, "-m", "recctl"]
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tests" / "cassettes"
        count = 0
        for copy in range(-(-args.min_files // len(files))):
            for source in files:
                target = tree / f"copy{copy:03d}" / source.relative_to(args.corpus)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                count += 1
        size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file()) / 2**20
        parse, reassemble, validate = best_of(
            args.runs,
            [sys.executable, "-c", PARSE_ALL, str(tree)],
            [*recctl, "reassemble", str(tree), "-o", "json"],
            [*recctl, "validate", str(tree), "-o", "json"],
        )
        print(f"{count:,} cassettes, {size:.0f} MiB")
        print(f"  PyYAML C-loader parse           {parse:7.3f} s")
        print(
            f"  recctl reassemble -o json       {reassemble:7.3f} s   ratio "
            f"{reassemble / parse:.2f}x (target <= 1.2x)"
        )
        print(
            f"  recctl validate -o json         {validate:7.3f} s   ratio "
            f"{validate / parse:.2f}x (target <= 1.5x)"
        )


if __name__ == "__main__":
    main()
