"""``[tool.recctl]`` in pyproject.toml: found as ruff finds its own, overridden by options."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import SEED, load, run, write_recording

STALE_NAME = "0" * 64 + ".json"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A work tree with a stale-named recording, entered from a subdirectory."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "tests/deep/er").mkdir(parents=True)
    write_recording(root / "tests/integration/responses/recordings" / STALE_NAME, load(SEED))
    monkeypatch.chdir(root / "tests/deep/er")
    return root


def _pyproject(directory: Path, body: str) -> Path:
    path = directory / "pyproject.toml"
    path.write_text(body)
    return path


def _codes(*args: str) -> list[str]:
    result = run("validate", *args, "-o", "json")
    assert result.exit_code in (0, 1), result.output
    return sorted(f["code"] for f in json.loads(result.stdout)["findings"])


def test_found_from_a_subdirectory_and_overridden_by_an_option(repo: Path) -> None:
    data = str(repo / "tests/integration/responses/recordings")
    assert _codes(data) == ["RC204"]
    pyproject = _pyproject(
        repo, '[tool.recctl]\njobs = 1\n\n[tool.recctl.validate]\nignore = ["RC204"]\n'
    )
    assert _codes(data) == []
    assert _codes(data, "--ignore", "RC100") == ["RC204"]  # the command line wins
    document = json.loads(run("config", "-o", "json").stdout)
    assert document["file"] == str(pyproject)
    assert document["settings"]["validate.ignore"] == {"value": ["RC204"], "source": str(pyproject)}
    assert document["settings"]["jobs"] == {"value": 1, "source": str(pyproject)}
    assert document["settings"]["diff.default-ignores"] == {"value": True, "source": "default"}


def test_the_nearest_file_with_a_recctl_table_wins_and_the_search_stops_at_the_git_root(
    repo: Path,
) -> None:
    _pyproject(repo.parent, '[tool.recctl.validate]\nignore = ["RC2"]\n')  # above the root
    _pyproject(repo / "tests/deep", "[project]\nname = 'x'\n")  # no [tool.recctl]: skipped
    assert json.loads(run("config", "-o", "json").stdout)["file"] is None
    nearest = _pyproject(repo / "tests", '[tool.recctl.validate]\nignore = ["stale-name"]\n')
    assert json.loads(run("config", "-o", "json").stdout)["file"] == str(nearest)
    assert _codes(str(repo / "tests/integration/responses/recordings")) == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("[tool.recctl.validate]\nignor = []\n", "unknown key [tool.recctl] validate.ignor"),
        ("[tool.recctl]\njob = 2\n", "unknown key [tool.recctl] job"),
        ("[tool.recctl]\njobs = 'two'\n", "[tool.recctl] jobs must be a whole number"),
        ("[tool.recctl]\njobs = 0\n", "[tool.recctl] jobs must be a whole number"),
        ("[tool.recctl.validate]\nignore = 'RC204'\n", "validate.ignore must be a list of strings"),
        ("[tool.recctl.diff]\ndefault-ignores = 1\n", "diff.default-ignores must be true or false"),
        ("[tool.recctl\n", "not valid TOML"),
        ("[tool]\nrecctl = 5\n", "[tool.recctl] must be a table"),
    ],
)
def test_an_unknown_key_or_a_wrong_type_exits_2_naming_key_and_file(
    repo: Path, body: str, message: str
) -> None:
    pyproject = _pyproject(repo, body)
    for args in (["config"], ["validate", str(repo / "tests/integration/responses/recordings")]):
        result = run(*args)
        assert result.exit_code == 2
        assert result.output.startswith(f"recctl: error: {pyproject}: ")
        assert message in result.output
        assert len(result.output.splitlines()) == 1


def test_paths_are_relative_to_the_file(repo: Path) -> None:
    schema = repo / "schemas/strict.json"
    schema.parent.mkdir()
    schema.write_text('{"type": "object", "required": ["nothing-has-this"]}')
    _pyproject(repo, '[tool.recctl.validate]\nschema = "schemas/strict.json"\n')
    assert _codes(str(repo / "tests/integration/responses/recordings")) == ["RC100", "RC204"]


def _changed_ids(directory: Path) -> tuple[Path, Path]:
    old = write_recording(directory / "old.json", load(SEED))
    recording: Any = load(SEED)
    for chunk in recording["response"]["body"]:
        chunk["__data__"]["id"] = "rec-ffffffffffff"
    return old, write_recording(directory / "new.json", recording)


def test_diff_settings(repo: Path) -> None:
    old, new = _changed_ids(repo / "pair")
    pair = [str(old), str(new), "--chunks"]
    assert run("diff", *pair).exit_code == 0  # chunk ids are volatile by default
    _pyproject(repo, "[tool.recctl.diff]\ndefault-ignores = false\n")
    assert run("diff", *pair).exit_code == 1
    assert run("diff", *pair, "--default-ignores").exit_code == 0
    _pyproject(
        repo,
        '[tool.recctl.diff]\nignore = ["$.response.body[*].__data__.id"]\n'
        "default-ignores = false\n",
    )
    assert run("diff", *pair).exit_code == 0


def test_prune_settings(repo: Path) -> None:
    (repo / "tests/x").mkdir()
    (repo / "tests/x/test_a.py").write_text("def test_kept():\n    pass\n")
    (repo / "tests/integration/responses/test_tool_responses.py").write_text(
        "def test_response_sequential_file_search():\n    pass\n"  # the seed's test: live
    )
    for name in ("gone", "legacy"):
        recording: Any = load(SEED)
        recording["test_id"] = f"tests/x/test_a.py::test_{name}"
        write_recording(repo / f"tests/x/recordings/{name}.json", recording)

    def stale() -> list[str]:
        result = run("prune", "-o", "json")
        return sorted(Path(item["path"]).name for item in json.loads(result.stdout)["stale"])

    assert stale() == ["gone.json", "legacy.json"]
    _pyproject(repo, '[tool.recctl.prune]\nexclude = ["tests/x/recordings/legacy*"]\n')
    assert stale() == ["gone.json"]
    assert run("prune", "-o", "json", "--exclude", "nothing").exit_code == 1
    _pyproject(
        repo,
        '[tool.recctl.prune]\nroot = "."\npaths = ["tests/integration/responses/recordings"]\n',
    )
    assert stale() == []  # only tests/integration/responses/recordings, whose test is live


def test_config_text(repo: Path) -> None:
    pyproject = _pyproject(repo, "[tool.recctl]\njobs = 2\n")
    lines = run("config").stdout.splitlines()
    assert lines[0] == f"file: {pyproject}"
    assert lines[1] == f"jobs = 2  ({pyproject})"
    assert "validate.ignore = []  (default)" in lines
