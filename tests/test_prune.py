"""`recctl prune`: static and exact modes on throwaway repositories."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest

from recctl.testindex import find_test, index_module, split_node_id

from conftest import run, write_recording

TESTS = "tests/integration/x"

MODULE = """
import pytest
from helpers import BaseSuite

def test_plain():
    pass

@pytest.mark.parametrize("p", ["a::b", "c/d", "e[f]", "g-h"])
def test_params(p):
    pass

class TestLocal:
    def test_m(self):
        pass

class TestChild(TestLocal):
    def test_own(self):
        pass

class TestInherits(BaseSuite):
    pass

class TestOuter:
    class TestInner:
        def test_deep(self):
            pass

@some_decorator_adding_methods
class TestDecorated:
    pass

@pytest.mark.slow
class TestMarked:
    def test_kept(self):
        pass

test_made = pytest.mark.skip(test_plain)
"""


def _recording(
    test_id: Any, url: str = "http://localhost:11434/v1/v1/chat/completions"
) -> dict[str, Any]:
    return {
        "test_id": test_id,
        "request": {
            "method": "POST",
            "url": url,
            "headers": {},
            "body": {},
            "endpoint": "/v1/chat/completions",
            "model": "m",
        },
        "response": {"body": None, "is_streaming": False},
        "id_normalization_mapping": {},
    }


def _repo(tmp_path: Path, tests: dict[str, str], recordings: dict[str, Any]) -> Path:
    for name, source in tests.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    for name, recording in recordings.items():
        write_recording(tmp_path / name, recording)
    tmp_path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    return tmp_path


def _stale(tmp_path: Path, *args: str) -> dict[str, str]:
    result = run("prune", "--root", str(tmp_path), "-o", "json", *args)
    assert result.exit_code in (0, 1), result.output
    document = json.loads(result.stdout)
    return {Path(item["path"]).name: item["reason"] for item in document["stale"]}


CASES = {
    # name: (test id, stale reason or None when live)
    "plain": (f"{TESTS}/test_a.py::test_plain", None),
    "params": (f"{TESTS}/test_a.py::test_params[a::b-c/d]", None),
    "params-brackets": (f"{TESTS}/test_a.py::test_params[e[f]-g-h]", None),
    "method": (f"{TESTS}/test_a.py::TestLocal::test_m", None),
    "inherited-local": (f"{TESTS}/test_a.py::TestChild::test_m", None),
    "inherited-elsewhere": (f"{TESTS}/test_a.py::TestInherits::test_anything", None),
    "nested": (f"{TESTS}/test_a.py::TestOuter::TestInner::test_deep", None),
    "decorated-class": (f"{TESTS}/test_a.py::TestDecorated::test_added", None),
    "assigned": (f"{TESTS}/test_a.py::test_made", None),
    "file-gone": (f"{TESTS}/test_gone.py::test_f", f"test file {TESTS}/test_gone.py gone"),
    "function-gone": (f"{TESTS}/test_a.py::test_removed[x::y]", "function test_removed gone"),
    "method-gone": (
        f"{TESTS}/test_a.py::TestLocal::test_removed",
        "method TestLocal.test_removed gone",
    ),
    "inherited-gone": (
        f"{TESTS}/test_a.py::TestChild::test_nowhere",
        "method TestChild.test_nowhere gone",
    ),
    "class-renamed": (f"{TESTS}/test_a.py::TestOldName::test_m", "class TestOldName gone"),
    "marked-class": (
        f"{TESTS}/test_a.py::TestMarked::test_dropped",
        "method TestMarked.test_dropped gone",
    ),
    "syntax-error": (f"{TESTS}/test_broken.py::test_f", None),
    "dynamic-getattr": (f"{TESTS}/test_dynamic.py::test_generated", None),
    "dynamic-star": (f"{TESTS}/test_star.py::test_from_elsewhere", None),
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    recordings = {
        f"{TESTS}/recordings/{name}.json": _recording(test_id)
        for name, (test_id, _) in CASES.items()
    }
    recordings[f"{TESTS}/recordings/shared-null.json"] = _recording(None)
    recordings[f"{TESTS}/recordings/models-{'a' * 64}-12345678.json"] = _recording(
        f"{TESTS}/test_gone.py::test_f", url="http://localhost:11434/v1/models"
    )
    recordings[f"{TESTS}/recordings/models-{'b' * 64}-12345678.json"] = _recording(
        f"{TESTS}/test_gone.py::test_f", url="http://localhost:11434/v1/v1/models"
    )
    recordings["tests/integration/other/recordings/elsewhere.json"] = _recording(
        f"{TESTS}/test_gone.py::test_f"
    )
    return _repo(
        tmp_path,
        {
            f"{TESTS}/test_a.py": MODULE,
            f"{TESTS}/test_broken.py": "def test_f(:\n",
            f"{TESTS}/test_dynamic.py": "def __getattr__(name):\n    return lambda: None\n",
            f"{TESTS}/test_star.py": "from elsewhere import *\n",
        },
        recordings,
    )


def test_static_mode_finds_every_removed_test_and_keeps_the_rest(repo: Path) -> None:
    stale = _stale(repo)
    expected = {f"{name}.json": reason for name, (_, reason) in CASES.items() if reason}
    expected[f"models-{'b' * 64}-12345678.json"] = f"test file {TESTS}/test_gone.py gone"
    assert stale == expected


def test_counts_shared_and_elsewhere(repo: Path) -> None:
    document = json.loads(run("prune", "--root", str(repo), "-o", "json").stdout)
    assert document["shared"] == 2  # a null test id, and a model list without test id
    assert [Path(e["path"]).name for e in document["elsewhere"]] == ["elsewhere.json"]
    live = sum(1 for _, reason in CASES.values() if reason is None)
    assert document["live"] == live
    assert document["unreadable"] == []


def test_default_paths_are_the_recordings_directories_of_the_git_tree(repo: Path) -> None:
    import os

    cwd = os.getcwd()
    os.chdir(repo / TESTS)
    try:
        result = run("prune", "-o", "json")
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)["stale"]) == 7


def test_text_output_groups_by_test(repo: Path) -> None:
    result = run("prune", "--root", str(repo))
    assert result.exit_code == 1
    assert (
        f"{TESTS}/test_a.py::TestLocal::test_removed  (method TestLocal.test_removed gone)"
        in result.output
    )
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith(f"{sum(1 for _, r in CASES.values() if r is None)} live, 2 shared, 7 stale")
    )


def test_delete_removes_only_the_stale_recordings(repo: Path) -> None:
    recordings = repo / TESTS / "recordings"
    before = {p.name for p in recordings.iterdir()}
    result = run("prune", "--root", str(repo), "--delete")
    assert result.exit_code == 0, result.output
    assert "Deleted 7 recordings." in result.output
    after = {p.name for p in recordings.iterdir()}
    assert before - after == {f"{n}.json" for n, (_, r) in CASES.items() if r} | {
        f"models-{'b' * 64}-12345678.json"
    }
    assert run("prune", "--root", str(repo)).exit_code == 0  # nothing left


def test_delete_never_follows_a_symlink(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    write_recording(outside, _recording(f"{TESTS}/test_gone.py::test_f"))
    repo = _repo(tmp_path / "repo", {}, {})
    link = repo / TESTS / "recordings" / "link.json"
    link.parent.mkdir(parents=True)
    link.symlink_to(outside)
    run("prune", "--root", str(repo), str(repo / TESTS / "recordings"), "--delete")
    assert outside.exists()


def test_exact_mode_judges_parameters(repo: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "collected.txt"
    manifest.write_text(
        f"{TESTS}/test_a.py::test_plain\n"
        f"{TESTS}/test_a.py::test_params[a::b-c/d]\n"  # the other parametrization is gone
        "\n12 tests collected in 0.05s\n"
    )
    stale = _stale(repo, "--collected", str(manifest))
    assert "plain.json" not in stale and "params.json" not in stale
    assert stale["params-brackets.json"] == "not collected"
    assert stale["method.json"] == "not collected"


def test_exact_mode_reads_a_pytest_json_report_and_unions_files(repo: Path, tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text(f"{TESTS}/test_a.py::test_plain\n")
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {
                "collectors": [
                    {
                        "nodeid": "",
                        "result": [
                            {"nodeid": f"{TESTS}/test_a.py", "type": "Module"},
                            {"nodeid": f"{TESTS}/test_a.py::TestLocal::test_m", "type": "Function"},
                        ],
                    }
                ]
            }
        )
    )
    stale = _stale(repo, "--collected", str(first), "--collected", str(report))
    assert "plain.json" not in stale and "method.json" not in stale
    assert stale["nested.json"] == "not collected"


def test_collect_runs_pytest_itself(tmp_path: Path) -> None:
    repo = _repo(
        tmp_path,
        {
            "tests/unit/test_u.py": """
            import pytest

            @pytest.mark.parametrize("n", [1, 2])
            def test_n(n):
                pass
        """,
        },
        {
            "tests/unit/recordings/kept.json": _recording("tests/unit/test_u.py::test_n[1]"),
            "tests/unit/recordings/gone.json": _recording("tests/unit/test_u.py::test_n[3]"),
        },
    )
    stale = _stale(repo, "--collect", "tests/unit -p no:cacheprovider")
    assert stale == {"gone.json": "not collected"}


def test_a_failing_collection_exits_2(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {"tests/test_bad.py": "import nonexistent_module_xyz\n"}, {})
    result = run("prune", "--root", str(repo), "--collect", "tests -p no:cacheprovider")
    assert result.exit_code == 2
    assert "pytest --collect-only" in result.output


def test_unreadable_recordings_are_counted(tmp_path: Path) -> None:
    repo = _repo(tmp_path, {}, {})
    bad = repo / TESTS / "recordings" / "bad.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    document = json.loads(run("prune", "--root", str(repo), "-o", "json").stdout)
    assert document["unreadable"][0]["path"] == str(bad)


@pytest.mark.parametrize(
    ("node_id", "expected"),
    [
        ("tests/a.py::test_f[a::b]", ("tests/a.py", ["test_f"])),
        ("tests/a.py::TestC::test_m[x/y-z[1]]", ("tests/a.py", ["TestC", "test_m"])),
        ("tests/a.py::test_f[p ?'+ ]", ("tests/a.py", ["test_f"])),
    ],
)
def test_split_node_id(node_id: str, expected: tuple[str, list[str]]) -> None:
    assert split_node_id(node_id) == expected


@pytest.mark.parametrize(
    ("source", "names", "found"),
    [
        ("def test_f(): pass", ["test_f"], True),
        ("def test_g(): pass", ["test_f"], False),
        ("if True:\n    def test_f(): pass", ["test_f"], True),
        ("try:\n    from x import test_f\nexcept ImportError:\n    pass", ["test_f"], True),
        ("globals()['test_f'] = lambda: None", ["test_f"], None),
        ("for name in ['a']:\n    pass", ["test_f"], False),
        ("class TestA(Base):\n    pass", ["TestA", "test_m"], None),
        ("class TestA(metaclass=M):\n    pass", ["TestA", "test_m"], None),
        (
            "class B:\n    def test_m(self): pass\nclass TestA(B):\n    pass",
            ["TestA", "test_m"],
            True,
        ),
        ("class B:\n    pass\nclass TestA(B):\n    pass", ["TestA", "test_m"], False),
        ("class TestA:\n    test_m = make()\n", ["TestA", "test_m"], True),
        ("TestA = make_class()", ["TestA", "test_m"], None),
    ],
)
def test_find_test(source: str, names: list[str], found: bool | None) -> None:
    assert find_test(index_module(source), names)[0] is found


@pytest.mark.parametrize("source", ["def test_f(:\n", "x = 1\0\n", "(" * 300 + ")" * 300])
def test_unparseable_files_are_unsure(source: str) -> None:
    found, why = find_test(index_module(source), ["test_f"])
    assert found is None and why.startswith("does not parse")


@pytest.mark.parametrize("names", [1_000, 20_000])
def test_a_class_with_a_long_dotted_base_is_kept_not_a_crash(tmp_path: Path, names: int) -> None:
    base = ".".join(f"m{n}" for n in range(names))
    repo = _repo(
        tmp_path,
        {f"{TESTS}/test_dotted.py": f"import m0\nclass TestX({base}):\n    pass\n"},
        {f"{TESTS}/recordings/a.json": _recording(f"{TESTS}/test_dotted.py::TestX::test_y")},
    )
    result = run("prune", "--root", str(repo))
    assert result.exit_code == 0, result.output
    assert "1 recording kept because recctl cannot be sure" in result.output
