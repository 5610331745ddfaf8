"""`recctl prune` on VCR.py cassettes: pytest-recording's layout and crewAI's mirrored one."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from recctl.containers.vcrpy_layouts import sanitize

from conftest import FIXTURES, run

#: A real HTTP cassette (one Anthropic message), copied under each test name.
HTTP = (
    FIXTURES
    / "cassettes/crewai/lib/crewai/tests/cassettes/llms/anthropic"
    / "test_anthropic_async_with_max_tokens.yaml"
).read_text()
WEBSOCKET = "interactions:\n- kind: message\n  direction: sent\n  data: {}\n"

MODULE = """
import pytest

def test_a():
    pass

@pytest.mark.parametrize("p", ["a/b", "c:d"])
def test_p(p):
    pass

class TestC:
    def test_m(self):
        pass
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_mod.py").write_text(MODULE)
    cassettes = tmp_path / "tests/cassettes"
    for name in (
        "test_mod/test_a",
        "test_mod/test_gone",
        "test_mod/TestC.test_m",
        "test_mod/TestC.test_removed",
        "test_mod/test_p[a-b]",
        "test_mod/test_p[c-d]",
        "test_mod/test_p[e-f]",
        "test_renamed/test_a",
        "test_mod/my_custom_name",
    ):
        path = cassettes / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HTTP)
    (cassettes / "test_mod/test_ws_gone.yaml").write_text(WEBSOCKET)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def _prune(root: Path, *args: str) -> Any:
    result = run("prune", "--root", str(root), "-o", "json", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _stale(document: Any) -> dict[str, str]:
    return {Path(item["path"]).name: item["reason"] for item in document["stale"]}


def test_sanitize_as_pytest_recording_does() -> None:
    assert sanitize("TestC.test_m[a/b-c:d<e>?%*|\"'\\]") == "TestC.test_m[a-b-c-d-e--------]"


def test_static_mode(repo: Path) -> None:
    document = _prune(repo)
    assert _stale(document) == {
        "test_gone.yaml": "function test_gone gone",
        "TestC.test_removed.yaml": "method TestC.test_removed gone",
        "test_a.yaml": "test module tests/test_renamed.py gone",  # the module was renamed
        # A WebSocket session (pydantic-ai's realtime tests) is read as one exchange,
        # and judged by its name as any cassette.
        "test_ws_gone.yaml": "function test_ws_gone gone",
    }
    assert document["live"] == 5  # parametrization is judged only in exact mode
    assert [Path(p).name for p in document["unmapped"]] == ["my_custom_name.yaml"]
    assert document["notes"] == []


def test_exact_mode_maps_parametrized_node_ids(repo: Path, tmp_path: Path) -> None:
    collected = tmp_path / "collected.txt"
    collected.write_text(
        "tests/test_mod.py::test_a\n"
        "tests/test_mod.py::test_p[a/b]\n"
        "tests/test_mod.py::test_p[c:d]\n"
        "tests/test_mod.py::TestC::test_m\n"
    )
    stale = _stale(_prune(repo, "--collected", str(collected)))
    assert stale == {
        "test_gone.yaml": "not collected",
        "TestC.test_removed.yaml": "not collected",
        "test_p[e-f].yaml": "not collected",
        "test_a.yaml": "not collected",  # under test_renamed/
        "test_ws_gone.yaml": "not collected",
    }


def test_delete_removes_stale_cassettes_only(repo: Path) -> None:
    result = run("prune", "--root", str(repo), "--delete")
    assert result.exit_code == 0
    left = sorted(p.relative_to(repo / "tests/cassettes").as_posix() for p in repo.rglob("*.yaml"))
    assert left == [
        "test_mod/TestC.test_m.yaml",
        "test_mod/my_custom_name.yaml",
        "test_mod/test_a.yaml",
        "test_mod/test_p[a-b].yaml",
        "test_mod/test_p[c-d].yaml",
        "test_mod/test_p[e-f].yaml",
    ]


def test_the_mirrored_layout(tmp_path: Path) -> None:
    (tmp_path / "tests/agents").mkdir(parents=True)
    (tmp_path / "tests/agents/test_agent.py").write_text("def test_x():\n    pass\n")
    (tmp_path / "tests/agents/test_other.py").write_text(
        "class TestY:\n    def test_z(self):\n        pass\n"
    )
    cassettes = tmp_path / "tests/cassettes"
    for name in ("agents/test_x", "agents/TestY.test_z", "agents/test_gone", "gone_dir/test_x"):
        path = cassettes / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HTTP)
    (tmp_path / ".git").mkdir()
    document = _prune(tmp_path, "--cassette-layout", "mirrored")
    assert _stale(document) == {
        "test_gone.yaml": "no module of tests/agents defines test_gone",
        "test_x.yaml": "no test module in tests/gone_dir",
    }
    assert document["live"] == 2
    # the default finds the layout under which the cassettes map to existing tests
    default = _prune(tmp_path)
    assert _stale(default) == _stale(document) and default["live"] == 2
    assert default["cassette_layouts"] == [{"tree": "tests/cassettes", "layout": "mirrored"}]
    assert default["delete_refused"] is None
    # the wrong layout, named: reported, and --delete refused
    wrong = _prune(tmp_path, "--cassette-layout", "pytest-recording")
    assert wrong["delete_refused"] == (
        "under tests/cassettes, --cassette-layout pytest-recording maps 0 of 4 cassettes to "
        "an existing test, mirrored maps 2"
    )
    result = run(
        "prune", "--root", str(tmp_path), "--cassette-layout", "pytest-recording", "--delete"
    )
    assert result.exit_code == 2
    assert "--delete refused, nothing deleted: under tests/cassettes" in result.stderr
    assert len(list(cassettes.rglob("*.yaml"))) == 4


def test_an_unknown_layout_is_exit_2(repo: Path) -> None:
    result = run("prune", "--root", str(repo), "--cassette-layout", "flat")
    assert result.exit_code == 2
    assert "--cassette-layout flat: one of auto, pytest-recording, mirrored" in result.output
