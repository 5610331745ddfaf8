"""Benchmark static `recctl prune`, whole process, same run.

Usage: python bench/bench_prune.py [--corpus DIR] [--runs N]

Builds a repository from the corpus's `current/` tree: every recording copied until
there are 3,000+, and for every test file they name a generated module of about 400
lines that defines each referenced test function, class and method (so every
recording is live and every test file must be read). Times `recctl prune
--output-format json` against a script that orjson-parses every recording
(target: at most 2x). Runs alternate; the best of --runs counts.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from common import PARSE_ALL, arguments, best_of


def build(corpus: Path, root: Path, min_files: int) -> int:
    source = corpus / "current" if (corpus / "current").is_dir() else corpus
    originals = sorted(source.rglob("*.json"))
    copies = -(-min_files // len(originals))
    wanted: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in originals:
        relative = path.relative_to(source)
        for copy in range(copies):
            target = root / relative.with_name(f"{path.stem}-{copy}.json")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        test_id = json.loads(path.read_text()).get("test_id")
        if test_id:
            test_file, *names = test_id.split("[", 1)[0].split("::")
            wanted[test_file]["::".join(names[:-1])].add(names[-1])
    for test_file, classes in wanted.items():
        lines = ["import pytest", ""]
        for filler in range(60):  # the bulk of a real test module
            lines += [
                f"def helper_{filler}(value):",
                "    total = 0",
                "    for item in range(value):",
                "        total += item * 2",
                "    return total",
                "",
            ]
        for cls, functions in classes.items():
            indent = "    " if cls else ""
            if cls:
                lines.append(f"class {cls}:")
            lines += [f"{indent}def {name}(self=None):\n{indent}    pass\n" for name in functions]
        module = root / test_file
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text("\n".join(lines) + "\n")
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    return copies * len(originals)


def main() -> None:
    args = arguments(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        count = build(args.corpus, root, args.min_files)
        parse, prune = best_of(
            args.runs,
            [sys.executable, "-c", PARSE_ALL, str(root)],
            [
                sys.executable,
                "-m",
                "recctl",
                "prune",
                "--root",
                str(root),
                "--output-format",
                "json",
            ],
        )
        print(
            f"repository: {count:,} recordings, {len(list(root.rglob('test_*.py'))):,} test files"
        )
        print(f"  orjson parse of the recordings   {parse:7.3f} s")
        print(
            f"  recctl prune (static)            {prune:7.3f} s   ratio {prune / parse:.2f}x "
            "(target <= 2x)"
        )


if __name__ == "__main__":
    main()
