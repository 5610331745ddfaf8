"""Benchmark `recctl diff --rev` against the same diff between two checked-out trees.

Usage: python bench/bench_rev.py [--corpus DIR] [--min-files N] [--runs N]

Builds a git repository of 3,000+ recordings (copies of the corpus) at commit A,
re-records one in twenty (other ids, every other one with a changed usage) at
commit B, and checks both commits out into plain directories. Then times, as
separate processes, each best of --runs, runs alternating:

- `recctl diff --rev A..B` (blobs read through one `git cat-file --batch`)
  vs `recctl diff OLD NEW` on the two checkouts (target: at most 1.5x);
- `recctl diff --rev A` (A against the work tree) vs the same two-tree diff.

Ratios are what to compare; absolute times are noise on a shared machine.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from bench_diff import rerecord
from common import arguments, best_of, build_tree


def git(root: Path, *args: str) -> bytes:
    command = ["git", "-c", "user.email=b@example.com", "-c", "user.name=bench", *args]
    return subprocess.run(command, cwd=root, check=True, capture_output=True).stdout


def checkout(repo: Path, revision: str, target: Path) -> None:
    target.mkdir()
    archive = git(repo, "archive", revision)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)


def main() -> None:
    args = arguments(__doc__)
    recctl = [sys.executable, "-m", "recctl", "diff"]
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        # the recordings must sit in recordings/ directories: the corpus's own layout
        count = build_tree(args.corpus, repo, args.min_files)
        git(repo, "init", "-q")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "A")
        for number, path in enumerate(sorted(repo.rglob("*.json"))):
            if number % 20 == 0:
                rerecord(path, change_usage=number % 40 == 0)
        git(repo, "commit", "-qam", "B")
        old, new = Path(tmp) / "old", Path(tmp) / "new"
        checkout(repo, "HEAD~1", old)
        checkout(repo, "HEAD", new)
        trees, by_range, by_rev = best_of(
            args.runs,
            [*recctl, str(old), str(new)],
            [*recctl, "--rev", "HEAD~1..HEAD"],
            [*recctl, "--rev", "HEAD~1"],
            cwd=repo,
        )
        print(f"{count:,} recordings, one in twenty re-recorded")
        print(f"  recctl diff OLD NEW (two checkouts)  {trees:7.3f} s")
        print(
            f"  recctl diff --rev A..B               {by_range:7.3f} s   ratio "
            f"{by_range / trees:.2f}x (target <= 1.5x)"
        )
        print(
            f"  recctl diff --rev A (work tree)      {by_rev:7.3f} s   ratio "
            f"{by_rev / trees:.2f}x (target <= 1.5x)"
        )
        for path in sorted(repo.rglob("*.json")):
            rerecord(path, change_usage=False)
        git(repo, "commit", "-qam", "C")
        everything = Path(tmp) / "everything"
        checkout(repo, "HEAD", everything)
        trees, by_range = best_of(
            args.runs,
            [*recctl, str(new), str(everything)],
            [*recctl, "--rev", "HEAD~1..HEAD"],
            cwd=repo,
        )
        print(f"{count:,} recordings, every one re-recorded")
        print(f"  recctl diff OLD NEW (two checkouts)  {trees:7.3f} s")
        print(
            f"  recctl diff --rev B..C               {by_range:7.3f} s   ratio "
            f"{by_range / trees:.2f}x (target <= 1.5x)"
        )


if __name__ == "__main__":
    main()
