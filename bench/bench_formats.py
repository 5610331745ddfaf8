"""Benchmark `recctl reassemble` on the containers of other languages, same run.

Usage: python bench/bench_formats.py [--min-files N] [--runs N]

Copies the samples of fixtures/formats (Ruby VCR, go-vcr, httprr, Polly.JS HAR)
until there are at least --min-files (default 600), each kept under its own
directory convention, then times, as separate processes, each best of --runs, runs
alternating, `recctl reassemble --output-format json TREE` against a floor that
reads every file and does the least its format needs: PyYAML's C safe loader for
YAML (taught Ruby's `!binary`), `json` for HAR, the byte split for httprr (target:
at most 1.2x). Ratios are what to compare; absolute times are noise.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from common import best_of

FORMATS = Path(__file__).resolve().parent.parent / "fixtures" / "formats"

#: The floor: read every file, parse it as its format's plain reader would.
PARSE_ALL = r"""
import json, os, re, sys, yaml
Loader = yaml.CSafeLoader
Loader.add_constructor("!binary", Loader.construct_yaml_binary)
COUNTS = re.compile(rb"(\d+) (\d+)\n")
for root, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        with open(os.path.join(root, name), "rb") as f:
            raw = f.read()
        if name.endswith((".yaml", ".yml")):
            yaml.load(raw, Loader=Loader)
        elif name.endswith(".har"):
            json.loads(raw)
        elif name.endswith(".httprr"):
            at, parts = raw.index(b"\n") + 1, []
            while at < len(raw):
                m = COUNTS.match(raw, at)
                a, b = int(m.group(1)), int(m.group(2))
                parts.append((raw[m.end() : m.end() + a], raw[m.end() + a : m.end() + a + b]))
                at = m.end() + a + b
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-files", type=int, default=600)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    files = [
        p
        for p in sorted(FORMATS.rglob("*"))
        if p.is_file() and p.name.endswith((".yml", ".yaml", ".har", ".httprr"))
    ]
    recctl = [sys.executable, "-m", "recctl"]
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        count = 0
        for copy in range(-(-args.min_files // len(files))):
            for source in files:
                target = tree / f"copy{copy:03d}" / source.relative_to(FORMATS)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                count += 1
        size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file()) / 2**20
        parse, reassemble = best_of(
            args.runs,
            [sys.executable, "-c", PARSE_ALL, str(tree)],
            [*recctl, "reassemble", str(tree), "-o", "json"],
        )
        print(f"{count:,} files (Ruby VCR, go-vcr, httprr, HAR), {size:.1f} MiB")
        print(f"  plain parse (C YAML, json, byte split) {parse:7.3f} s")
        print(
            f"  recctl reassemble -o json              {reassemble:7.3f} s   ratio "
            f"{reassemble / parse:.2f}x (target <= 1.2x)"
        )


if __name__ == "__main__":
    main()
