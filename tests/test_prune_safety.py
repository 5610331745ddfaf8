"""prune never empties a checkout: the root is found, not assumed; deletion has a guard rail.

A tarball of a repository (no ``.git``) once had 3,053 of 3,162 real recordings
called stale and deleted: the test ids are relative to the repository root, and
the path given was taken for it. A wrong cassette layout called 234 cassettes
stale where 21 were. A ``recordings/`` directory linked out of the tree, or a
configured path outside it, let ``--delete`` reach outside.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from recctl.testindex import split_node_id

from conftest import CORPUS, load, run, write_recording

REAL = CORPUS / "current"


def _modules_for(tree: Path) -> dict[str, set[tuple[str, ...]]]:
    """The test modules the recordings of ``tree`` name, with the names each defines."""
    modules: dict[str, set[tuple[str, ...]]] = {}
    for path in tree.rglob("*.json"):
        test_id = load(path).get("test_id")
        if isinstance(test_id, str):
            module, names = split_node_id(test_id)
            modules.setdefault(module, set()).add(tuple(names))
    return modules


def _write_modules(root: Path, modules: dict[str, set[tuple[str, ...]]]) -> None:
    for module, tests in modules.items():
        functions = sorted({names[0] for names in tests if len(names) == 1})
        classes: dict[str, set[str]] = {}
        for names in tests:
            if len(names) > 1:
                classes.setdefault(names[0], set()).add(names[-1])
        lines = [f"def {name}():\n    pass\n" for name in functions]
        for name, methods in sorted(classes.items()):
            body = "".join(f"    def {m}(self):\n        pass\n" for m in sorted(methods))
            lines.append(f"class {name}:\n{body}")
        (root / module).parent.mkdir(parents=True, exist_ok=True)
        (root / module).write_text("\n".join(lines))


def _tarball(tmp_path: Path, with_tests: bool) -> Path:
    """The real recordings as a downloaded tarball holds them: no .git, maybe the tests."""
    project = tmp_path / "project"
    shutil.copytree(REAL, project)
    if with_tests:
        _write_modules(project, _modules_for(project))
    return project


def _prune(*args: str) -> tuple[int, Any, str]:
    result = run("prune", *args, "-o", "json")
    document = json.loads(result.stdout) if result.stdout.strip() else None
    return result.exit_code, document, result.stderr


def test_a_tarball_without_git_finds_the_root_its_test_ids_resolve_from(tmp_path: Path) -> None:
    project = _tarball(tmp_path, with_tests=True)
    code, document, _ = _prune(str(project / "tests/integration"))
    assert document["root"] == str(project)
    assert document["root_from"] == "the directory the test ids resolve from (no git work tree)"
    assert document["stale"] == [] and document["live"] > 50
    assert code == 0
    text = run("prune", str(project / "tests/integration")).stdout
    assert text.startswith(f"note: test ids read relative to {project} (the directory")


def test_a_tarball_whose_test_files_are_nowhere_is_refused_not_emptied(tmp_path: Path) -> None:
    project = _tarball(tmp_path, with_tests=False)
    before = sorted(project.rglob("*.json"))
    result = run("prune", str(project / "tests/integration"), "--delete")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "recctl: error: cannot tell the root the test ids are relative to: none of the"
    )
    assert "pass --root" in result.stderr
    assert sorted(project.rglob("*.json")) == before


def test_a_root_where_no_test_file_exists_refuses_delete(tmp_path: Path) -> None:
    project = _tarball(tmp_path, with_tests=False)
    (project / ".git").mkdir()  # a checkout whose tests live elsewhere
    code, document, _ = _prune(str(project))
    assert code == 1 and document["stale"]
    assert document["delete_refused"].startswith("none of the ")
    text = run("prune", str(project)).stdout
    assert "Run with --delete" not in text and "Not safe to delete: none of the" in text
    before = sorted(project.rglob("*.json"))
    result = run("prune", str(project), "--delete")
    assert result.exit_code == 2 and "--delete refused, nothing deleted" in result.stderr
    assert sorted(project.rglob("*.json")) == before
    result = run("prune", str(project), "--delete", "--force")
    assert result.exit_code == 0
    assert len(sorted(project.rglob("*.json"))) == len(before) - len(document["stale"])


def test_most_of_a_tree_stale_refuses_delete_and_force_insists(tmp_path: Path) -> None:
    project = _tarball(tmp_path, with_tests=True)
    (project / ".git").mkdir()
    modules = sorted(_modules_for(project))
    for module in modules[: len(modules) * 3 // 4]:  # most tests removed at once
        (project / module).unlink()
    code, document, _ = _prune(str(project))
    assert code == 1
    stale, judged = len(document["stale"]), len(document["stale"]) + document["live"]
    assert stale * 2 > judged and stale >= 10
    assert document["delete_refused"] == (
        f"{stale:,} of the {judged:,} recordings judged are stale, more than half: "
        "is the root or the cassette layout right?"
    )
    assert run("prune", str(project), "--delete").exit_code == 2
    assert run("prune", str(project), "--delete", "--force").exit_code == 0
    assert _prune(str(project))[1]["stale"] == []


def _one_repo(root: Path) -> Path:
    (root / ".git").mkdir(parents=True)
    (root / "tests/x").mkdir(parents=True)
    (root / "tests/x/test_x.py").write_text("def test_kept():\n    pass\n")
    return root


def _stale_recording(path: Path) -> Path:
    recording = load(next(REAL.rglob("*.json")))
    recording["test_id"] = "tests/x/test_x.py::test_gone"
    return write_recording(path, recording)


def test_delete_never_reaches_through_a_linked_recordings_directory(tmp_path: Path) -> None:
    outside = tmp_path / "outside/rec"
    victim = _stale_recording(outside / "victim.json")
    repo = _one_repo(tmp_path / "repo")
    linked = repo / "tests/x/recordings"
    linked.symlink_to(outside, target_is_directory=True)
    code, _, stderr = _prune("--root", str(repo), str(linked), "--delete")  # named
    assert code == 2 and "is outside the root" in stderr
    code, _, stderr = _prune("--root", str(repo), "--delete")  # found by the walk: not followed
    assert code == 2 and "no recordings or cassettes found" in stderr  # nothing read: not clean
    assert victim.exists()
    linked.unlink()  # a real recordings/ directory holding a linked recording
    linked.mkdir()
    (linked / "victim.json").symlink_to(victim)
    code, document, _ = _prune("--root", str(repo), "--delete")
    assert victim.exists() and (linked / "victim.json").is_symlink()
    assert document["stale"] == [] and document["deleted"] == 0
    assert document["unsafe"][0]["reason"] == "it resolves outside the root (a symbolic link)"
    assert code == 1


def test_a_configured_path_outside_the_root_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = _stale_recording(tmp_path / "other_project/tests/recordings/victim.json")
    repo = _one_repo(tmp_path / "repo")
    (repo / "pyproject.toml").write_text(
        '[tool.recctl.prune]\npaths = ["../other_project/tests/recordings"]\n'
    )
    monkeypatch.chdir(repo)  # where [tool.recctl] is read
    result = run("prune", "--delete")
    assert result.exit_code == 2
    assert "other_project/tests/recordings is outside the root" in result.stderr
    assert victim.exists()


@pytest.mark.parametrize("layout", ["auto", "mirrored"])
def test_crewai_layout_the_default_finds_the_same_orphans_as_the_right_layout(
    tmp_path: Path, layout: str
) -> None:
    """crewAI mirrors its test directories under tests/cassettes/, with no module folder."""
    repo = _one_repo(tmp_path / "crewai")
    tests = repo / "tests"
    (tests / "agents").mkdir()
    (tests / "agents/test_agent.py").write_text(
        "".join(f"def test_case_{n}():\n    pass\n" for n in range(30))
    )
    cassette = next((CORPUS.parent / "cassettes/crewai").rglob("*.yaml")).read_text()
    for n in range(33):  # three orphans
        path = tests / f"cassettes/agents/test_case_{n}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(cassette)
    args = ["--root", str(repo)] + (["--cassette-layout", layout] if layout != "auto" else [])
    code, document, _ = _prune(*args)
    assert sorted(Path(s["path"]).name for s in document["stale"]) == [
        "test_case_30.yaml",
        "test_case_31.yaml",
        "test_case_32.yaml",
    ]
    assert document["live"] == 30 and document["delete_refused"] is None
    assert code == 1
