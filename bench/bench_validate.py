"""Benchmark `recctl validate` against plain orjson parsing, whole process, same run.

Usage: python bench/bench_validate.py [--corpus DIR] [--copies N] [--runs N]

Builds a tree of at least 3,000 recordings (copies of the corpus) in a temporary
directory, then times, as separate processes, each best of --runs:

- corpus: `recctl validate TREE` vs a script that reads and orjson-parses every file
  (target: at most 2x);
- one file (the pre-commit case): `recctl validate FILE` vs a script that imports
  orjson and jsonschema-rs, compiles the shipped schema and validates FILE
  (target: at most 2x).

Runs of the two commands alternate, so both see the same machine load. Ratios are
what to compare; absolute times are noise on a shared machine.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import FIXTURE_CORPUS, PARSE_ALL, arguments, best_of, build_tree

VALIDATE_ONE = """
import sys, orjson, jsonschema_rs
from recctl.ogx.schema import SHIPPED_SCHEMA
with open(SHIPPED_SCHEMA, "rb") as f:
    schema = orjson.loads(f.read())
with open(sys.argv[1], "rb") as f:
    assert jsonschema_rs.validator_for(schema).is_valid(orjson.loads(f.read()))
"""


def main() -> None:
    args = arguments(__doc__)
    recctl = [sys.executable, "-m", "recctl"]
    seed = FIXTURE_CORPUS / "seed.json"

    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp)
        count = build_tree(args.corpus, tree, args.min_files)
        size = sum(p.stat().st_size for p in tree.rglob("*.json")) / 2**20
        stale_checks = [
            "--ignore",
            "stale-name",
            "--ignore",
            "stale-duplicate",
            "--ignore",
            "stale-collision",
        ]
        parse, validate, without_hash = best_of(
            args.runs,
            [sys.executable, "-c", PARSE_ALL, str(tree)],
            [*recctl, "validate", str(tree), "-o", "json"],
            [*recctl, "validate", str(tree), "-o", "json", *stale_checks],
        )
        print(f"corpus: {count:,} files, {size:.0f} MiB")
        print(f"  orjson parse                       {parse:7.3f} s")
        print(
            f"  recctl validate (every check)      {validate:7.3f} s   ratio "
            f"{validate / parse:.2f}x"
        )
        print(
            f"  the same without the request hash  {without_hash:7.3f} s   ratio "
            f"{without_hash / parse:.2f}x (target <= 2x)"
        )

    bare, one = best_of(
        args.runs,
        [sys.executable, "-c", VALIDATE_ONE, str(seed)],
        [*recctl, "validate", str(seed)],
    )
    print(f"one file ({seed.name}):")
    print(f"  bare orjson + jsonschema-rs script {bare:7.3f} s")
    print(
        f"  recctl validate                    {one:7.3f} s   ratio {one / bare:.2f}x "
        "(target <= 2x)"
    )


if __name__ == "__main__":
    main()
