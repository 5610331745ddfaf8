"""Benchmark `recctl diff`, whole process, same run.

Usage: python bench/bench_diff.py [--corpus DIR] [--runs N]

- two trees of 3,000+ recordings (copies of the corpus), the new one with one file in
  twenty re-recorded (ids changed, every other one with a changed usage), then with
  every file re-recorded: `recctl diff OLD NEW` vs a script that orjson-parses both
  trees (target: at most 3x);
- two 1 MB, 1,400-chunk recordings that differ in ids and in one chunk's text:
  `recctl diff A B` (target: well under a second), next to parsing both.

Runs alternate so both commands see the same load; the best of --runs counts.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench_answers import large_stream
from common import FIXTURE_CORPUS, PARSE_ALL, arguments, best_of, build_tree


def rerecord(path: Path, change_usage: bool) -> None:
    """Rewrite a recording as a re-record would: other ids, maybe other usage."""
    recording = json.loads(path.read_text())
    body = recording["response"]["body"]
    for item in body if isinstance(body, list) else [body]:
        data = item.get("__data__") if isinstance(item, dict) else None
        if isinstance(data, dict) and "id" in data:
            data["id"] = "rec-000000000000"
            if change_usage and isinstance(data.get("usage"), dict):
                data["usage"]["completion_tokens"] = 1 + (data["usage"]["completion_tokens"] or 0)
    path.write_text(json.dumps(recording, indent=2) + "\n")


def main() -> None:
    args = arguments(__doc__)
    recctl = [sys.executable, "-m", "recctl", "diff"]

    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        count = build_tree(args.corpus, old, args.min_files)
        for every, label in ((20, "one in twenty re-recorded"), (1, "every one re-recorded")):
            new = Path(tmp) / f"new-{every}"
            shutil.copytree(old, new)
            for number, path in enumerate(sorted(new.rglob("*.json"))):
                if number % every == 0:
                    rerecord(path, change_usage=number % (2 * every) == 0)
            parse, diff = best_of(
                args.runs,
                [sys.executable, "-c", PARSE_ALL, str(old), str(new)],
                [*recctl, str(old), str(new)],
            )
            print(f"two trees: {count:,} recordings each, {label}")
            print(f"  orjson parse of both trees    {parse:7.3f} s")
            print(
                f"  recctl diff OLD NEW           {diff:7.3f} s   ratio {diff / parse:.2f}x "
                "(target <= 3x)"
            )

        a, b = Path(tmp) / "a.json", Path(tmp) / "b.json"
        size = large_stream(FIXTURE_CORPUS / "seed.json", a)
        large = json.loads(a.read_text())
        for chunk in large["response"]["body"]:
            chunk["__data__"]["id"] = "rec-000000000000"
        large["response"]["body"][700]["__data__"]["choices"][0]["delta"]["content"] = " CHANGED"
        b.write_text(json.dumps(large, indent=2) + "\n")
        bare, one = best_of(
            args.runs,
            [sys.executable, "-c", PARSE_ALL, str(a), str(b)],
            [*recctl, str(a), str(b)],
        )
        print(f"two streams of 1,400 chunks, {size / 2**20:.1f} MiB each")
        print(f"  orjson parse of both          {bare:7.3f} s")
        print(f"  recctl diff A B               {one:7.3f} s   (target: well under 1 s)")


if __name__ == "__main__":
    main()
