"""Benchmark `recctl reassemble` and `recctl show`, whole process, same run.

Usage: python bench/bench_answers.py [--corpus DIR] [--runs N]

- corpus: `recctl reassemble --output-format json TREE` over 3,000+ recordings (copies
  of the corpus) vs a script that reads and orjson-parses every file (target: 1.5x);
- one large stream: `recctl show FILE` of a 1 MB, 1,400-chunk recording built from the
  seed's chunks (target: well under half a second), next to a bare orjson parse of it.

Runs alternate so both commands see the same load; the best of --runs counts.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from common import FIXTURE_CORPUS, PARSE_ALL, arguments, best_of, build_tree


def large_stream(seed: Path, target: Path, chunks: int = 1400) -> int:
    """The seed with its content chunks repeated up to ``chunks`` chunks."""
    recording = json.loads(seed.read_text())
    body = recording["response"]["body"]
    middle = body[1:-2]
    stream = [body[0]]
    while len(stream) < chunks - 2:
        stream.extend(middle[: chunks - 2 - len(stream)])
    recording["response"]["body"] = [*stream, *body[-2:]]
    target.write_text(json.dumps(recording, indent=2) + "\n")
    return target.stat().st_size


def main() -> None:
    args = arguments(__doc__)
    recctl = [sys.executable, "-m", "recctl"]

    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        count = build_tree(args.corpus, tree, args.min_files)
        parse, reassemble = best_of(
            args.runs,
            [sys.executable, "-c", PARSE_ALL, str(tree)],
            [*recctl, "reassemble", "--output-format", "json", str(tree)],
        )
        print(f"corpus: {count:,} files")
        print(f"  orjson parse                  {parse:7.3f} s")
        print(
            f"  recctl reassemble -o json     {reassemble:7.3f} s   ratio "
            f"{reassemble / parse:.2f}x (target <= 1.5x)"
        )

        big = Path(tmp) / "large-stream.json"
        size = large_stream(FIXTURE_CORPUS / "seed.json", big)
        bare, show = best_of(
            args.runs,
            [sys.executable, "-c", PARSE_ALL, str(big)],
            [*recctl, "show", str(big)],
        )
        print(f"one stream: 1,400 chunks, {size / 2**20:.1f} MiB")
        print(f"  orjson parse                  {bare:7.3f} s")
        print(f"  recctl show                   {show:7.3f} s   (target: well under 0.5 s)")


if __name__ == "__main__":
    main()
