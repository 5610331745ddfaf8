"""The real pre-commit runs the recctl-validate hook from this repository."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, SEED, load, write_recording

pytestmark = pytest.mark.slow  # real processes or fuzzing: seconds each


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway git repository holding one valid and one broken recording."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("project")
    recordings = repo / "tests/integration/responses/recordings"
    recordings.mkdir(parents=True)
    shutil.copy(SEED, recordings / "valid.json")
    broken: Any = load(SEED)
    del broken["response"]["body"][3]["__data__"]
    write_recording(recordings / "broken.json", broken)
    (repo / "notes.json").write_text("not json, but not a recording either")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    return repo


def _try_repo(project: Path, home: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(ROOT),
            "recctl-validate",
            "--files",
            *files,
        ],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env={"PRE_COMMIT_HOME": str(home), "PATH": _path(), "HOME": str(home)},
        timeout=600,
    )


def _path() -> str:
    import os

    return os.environ.get("PATH", "")


def test_hook_passes_on_a_valid_recording_and_fails_on_a_broken_one(
    project: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("pre-commit-home")
    good = _try_repo(
        project, home, "tests/integration/responses/recordings/valid.json", "notes.json"
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert "recctl validate" in good.stdout and "Passed" in good.stdout

    bad = _try_repo(
        project,
        home,
        "tests/integration/responses/recordings/valid.json",
        "tests/integration/responses/recordings/broken.json",
    )
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout
    assert (
        "tests/integration/responses/recordings/broken.json::$.response.body[3]: "
        "RC100 '__data__' is a required property"
    ) in bad.stdout


def test_hook_definition() -> None:
    import yaml  # pre-commit depends on PyYAML

    validate, prune, normalize, scrub = yaml.safe_load(
        (ROOT / ".pre-commit-hooks.yaml").read_text()
    )
    assert (normalize["id"], normalize["entry"]) == ("recctl-normalize", "recctl normalize")
    assert (scrub["id"], scrub["entry"]) == ("recctl-scrub", "recctl scrub --check --filter")
    assert (validate["id"], validate["entry"]) == ("recctl-validate", "recctl validate --filter")
    assert (prune["id"], prune["entry"], prune["pass_filenames"]) == (
        "recctl-prune",
        "recctl prune",
        False,
    )
    assert json.dumps([validate, prune])  # plain data
