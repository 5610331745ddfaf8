"""Every console example in README.md and docs/ is what recctl prints today.

A ```` ```console ```` block holds ``$ recctl ...`` lines, each followed by its
output. Each is run from the repository's root on ``fixtures/``, at 80 columns,
without colour, and compared line by line (trailing spaces aside).
``python tests/test_docs.py`` writes today's output into the files instead.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def examples_in(block: str) -> list[tuple[str, str]]:
    found = []
    for chunk in re.split(r"^(?=\$ )", block, flags=re.MULTILINE):
        if chunk.startswith("$ "):
            command, _, output = chunk.partition("\n")
            found.append((command[2:], output))
    return found


def examples(document: Path) -> list[tuple[str, str]]:
    """(command line, expected output) of each example of a document."""
    return [
        example
        for block in _BLOCK.finditer(document.read_text())
        for example in examples_in(block.group(1))
    ]


def run_example(command: str) -> str:
    args = shlex.split(command)
    assert args[0] == "recctl", command
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "80", "PYTHONIOENCODING": "utf-8"}
    env.pop("FORCE_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "recctl", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return _tidy(result.stdout + result.stderr)


def _tidy(text: str) -> str:
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


ALL = [(document, *example) for document in DOCUMENTS for example in examples(document)]


def test_the_readme_has_an_example_of_every_command() -> None:
    commands = {shlex.split(command)[1] for document, command, _ in ALL}
    assert commands >= {
        "validate",
        "show",
        "reassemble",
        "diff",
        "stats",
        "hash",
        "explain",
        "prune",
        "normalize",
        "config",
    }
    assert len((ROOT / "README.md").read_text().splitlines()) < 300


@pytest.mark.parametrize(
    ("document", "command", "expected"),
    ALL,
    ids=[f"{d.name}: {c[:60]}" for d, c, _ in ALL],
)
def test_example_output_is_what_recctl_prints(document: Path, command: str, expected: str) -> None:
    assert run_example(command) == _tidy(expected), f"{document.name}: $ {command}"


def update() -> None:
    """Rewrite every example's output with what recctl prints now."""
    for document in DOCUMENTS:
        text = document.read_text()

        def rerun(block: re.Match[str]) -> str:
            parts = []
            for command, _ in examples_in(block.group(1)):
                parts.append(f"$ {command}\n{run_example(command)}")
            return "```console\n" + "".join(parts) + "```"

        document.write_text(_BLOCK.sub(rerun, text))


if __name__ == "__main__":
    update()
