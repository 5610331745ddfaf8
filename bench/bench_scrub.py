"""scrub on a repository whose history holds its keys: ``--check`` and a real scrub
(which searches git history for each key it removed), against an older checkout.

    python bench/bench_scrub.py                          # this checkout
    python bench/bench_scrub.py --baseline /path/to/old  # and an older one, side by side

Builds a git repository of N VCR.py cassettes (``--files``, 300 by default), each with
its own key and committed on its own (N commits), then times each command as a whole
process on a fresh copy, paired with the baseline in the same run. Absolute numbers
are this machine's: compare the two lines of a row.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASSETTE = """interactions:
- request:
    body: '{{"model": "gpt-4o"}}'
    headers:
      authorization:
      - Bearer sk-proj-{key}
    method: POST
    uri: https://api.openai.com/v1/chat/completions
  response:
    body:
      string: '{{"choices": []}}'
    headers: {{}}
    status:
      code: 200
      message: OK
version: 1
"""


def build(repository: Path, files: int) -> None:
    """``files`` cassettes with a key each, one commit each."""
    cassettes = repository / "tests" / "cassettes"
    cassettes.mkdir(parents=True)

    def git(*args: str) -> None:
        identity = ["-c", "user.email=bench@example.com", "-c", "user.name=bench"]
        subprocess.run(["git", *identity, *args], cwd=repository, check=True, capture_output=True)

    git("init", "-q")
    for number in range(files):
        key = f"{number:06d}Ab3dEf9hIj2lMn0pQr7tUv1xYz5Ab3dEf9hIj2lMn"
        (cassettes / f"test_{number}.yaml").write_text(CASSETTE.format(key=key))
        git("add", ".")
        git("commit", "-q", "-m", f"cassette {number}")


def timed(checkout: Path, repository: Path, *args: str) -> float:
    """Seconds of one ``recctl`` run in a fresh copy of ``repository``."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "repository"
        shutil.copytree(repository, copy, symlinks=True)
        environment = {**os.environ, "PYTHONPATH": str(checkout)}
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "recctl", *args, "."],
            cwd=copy,
            env=environment,
            capture_output=True,
            check=False,
        )
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--baseline", type=Path, help="an older checkout to compare with")
    options = parser.parse_args()
    checkouts = [("this checkout", ROOT)]
    if options.baseline:
        checkouts.append(("baseline", options.baseline.resolve()))
    with tempfile.TemporaryDirectory() as scratch:
        repository = Path(scratch) / "repository"
        build(repository, options.files)
        print(f"{options.files} cassettes, one key and one commit each")
        for args in (("scrub", "--check"), ("scrub",)):
            for name, checkout in checkouts:
                seconds = timed(checkout, repository, *args)
                print(f"recctl {' '.join(args):<14} {name:<14} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
