"""Review where re-records happen: diff --rev, Markdown reports, GitHub annotations."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from recctl import parallel
from recctl.diff import ExchangeDiff
from recctl.diff_files import FileDiff
from recctl.diff_trees import Pair, TreeDiff
from recctl.ogx.hashing import request_hash
from recctl.render.github import annotation, escape_data, escape_property
from recctl.render.markdown import LIMIT, pair_markdown, tree_markdown

from builders import diff_recordings
from conftest import CORPUS, SEED, load, run, write_recording


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _rerecord(root: Path) -> None:
    """A re-record: answers, usage and ids change; one recording goes, one comes, one moves."""
    recordings = sorted((root / "tests").rglob("*.json"))
    for number, path in enumerate(recordings[::9]):
        recording = load(path)
        body = recording["response"]["body"]
        if isinstance(body, list) and body and isinstance(body[-1], dict):
            data = body[-1].get("__data__")
            if isinstance(data, dict) and isinstance(data.get("usage"), dict):
                data["usage"]["completion_tokens"] = number
            else:
                body[-1]["__data__"] = {"changed": number}
        else:
            recording["response"]["note"] = number
        write_recording(path, recording)
    recordings[1].unlink()
    write_recording(recordings[2].parent / "added.json", load(SEED))
    moved = load(recordings[4])
    recordings[4].unlink()
    write_recording(recordings[4].with_name("f" * 64 + ".json"), moved)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git repository: the real recordings at commit A, a re-record at commit B."""
    root = tmp_path / "repo"
    shutil.copytree(CORPUS / "current", root)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "A")
    _rerecord(root)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "B")
    monkeypatch.chdir(root)
    return root


def _checkout(repo: Path, revision: str, target: Path) -> Path:
    target.mkdir()
    archive = subprocess.run(
        ["git", "archive", revision], cwd=repo, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def _same(rev_args: list[str], old: Path, new: Path) -> dict[str, Any]:
    by_rev = run("diff", *rev_args, "-o", "json")
    by_tree = run("diff", str(old), str(new), "-o", "json")
    assert by_rev.exit_code == by_tree.exit_code == 1, by_rev.output
    document: dict[str, Any] = json.loads(by_rev.stdout)
    assert document == json.loads(by_tree.stdout)
    return document


def test_a_range_diffs_like_two_checked_out_trees(repo: Path, tmp_path: Path) -> None:
    old = _checkout(repo, "HEAD~1", tmp_path / "a")
    new = _checkout(repo, "HEAD", tmp_path / "b")
    document = _same(["--rev", "HEAD~1..HEAD"], old, new)
    assert document["changed"] and document["renamed"]
    assert document["added"] == ["tests/integration/agents/recordings/added.json"]
    assert len(document["removed"]) == 1
    markdown = run("diff", "--rev", "HEAD~1..HEAD", "-o", "markdown")
    tree = run("diff", str(old), str(new), "-o", "markdown")
    assert markdown.stdout.split("\n", 1)[1] == tree.stdout.split("\n", 1)[1]  # but the title


def test_a_revision_diffs_against_the_work_tree(repo: Path, tmp_path: Path) -> None:
    changed = next((repo / "tests/integration/inference/recordings").glob("*.json"))
    recording = load(changed)
    recording["response"]["uncommitted"] = True
    write_recording(changed, recording)
    old = _checkout(repo, "HEAD~1", tmp_path / "a")
    work = tmp_path / "work"
    shutil.copytree(repo, work, ignore=shutil.ignore_patterns(".git"))
    document = _same(["--rev", "HEAD~1"], old, work)
    assert any(pair["new"].endswith(changed.name) for pair in document["changed"])


def test_paths_narrow_both_sides(repo: Path, tmp_path: Path) -> None:
    old = _checkout(repo, "HEAD~1", tmp_path / "a")
    new = _checkout(repo, "HEAD", tmp_path / "b")
    suite = "tests/integration/responses"
    by_rev = json.loads(run("diff", "--rev", "HEAD~1..HEAD", suite, "-o", "json").stdout)
    by_tree = json.loads(run("diff", str(old / suite), str(new / suite), "-o", "json").stdout)
    strip = len(suite) + 1
    for key in ("added", "removed"):
        assert [p[strip:] for p in by_rev[key]] == by_tree[key]
    assert [p["verdict"] for p in by_rev["changed"]] == [p["verdict"] for p in by_tree["changed"]]
    assert by_rev["unchanged"] == by_tree["unchanged"]


def test_identical_revisions_exit_0(repo: Path) -> None:
    result = run("diff", "--rev", "HEAD..HEAD")
    assert result.exit_code == 0
    assert result.stdout.strip().endswith("unchanged.")


@pytest.mark.parametrize(
    ("revision", "message"),
    [("no-such-branch", "unknown revision 'no-such-branch'"), ("-x", "unknown revision '-x'")],
)
def test_an_unknown_revision_is_one_line_and_exit_2(
    repo: Path, revision: str, message: str
) -> None:
    result = run("diff", f"--rev={revision}")
    assert result.exit_code == 2
    assert message in result.output and len(result.output.splitlines()) == 1


def test_outside_a_git_repository_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("diff", "--rev", "HEAD")
    assert result.exit_code == 2
    assert "--rev needs a git repository" in result.output
    assert len(result.output.splitlines()) == 1


def test_without_rev_diff_takes_two_paths() -> None:
    result = run("diff", str(SEED))
    assert result.exit_code == 2
    assert "diff takes two paths" in result.output


# --- Markdown ------------------------------------------------------------------------


def _stream(text: str, completion: int = 5) -> Any:
    recording: Any = load(SEED)
    body = recording["response"]["body"]
    for chunk in body:
        for choice in chunk["__data__"]["choices"]:
            if choice["delta"]["content"]:
                choice["delta"]["content"] = ""
    body[1]["__data__"]["choices"][0]["delta"]["content"] = text
    body[-1]["__data__"]["usage"]["completion_tokens"] = completion
    return recording


def test_pair_markdown_is_pinned() -> None:
    diff = diff_recordings(_stream("Bonjour"), _stream("Salut", 6))
    assert pair_markdown(diff, "old.json", "new.json") == (
        "## recctl diff: old.json → new.json\n\n"
        "**answer changed, usage changed**: 0 request changes, 2 answer changes, "
        "0 structural differences.\n\n"
        "<details><summary>answer changed, usage changed</summary>\n\n"
        "```diff\n"
        "verdict: answer changed, usage changed\n"
        "\n"
        "Answer\n"
        "  text (choice 0):\n"
        "    --- old\n"
        "    +++ new\n"
        "    @@ -1 +1 @@\n"
        "    -Bonjour\n"
        "    +Salut\n"
        "  usage: prompt 631 → 631  completion 5 → 6 (+1)  total 681 → 681\n"
        "```\n\n"
        "</details>\n"
    )


def test_tree_markdown_is_pinned() -> None:
    diff = diff_recordings(_stream("a|b"), _stream("a|c"))
    tree = TreeDiff(
        added=["r/new.json"],
        removed=["r/gone.json"],
        changed=[Pair("r/x.json", "r/x.json", diff.verdict, "t.py::test_x[`q`|p]", _one(diff))],
        unchanged=7,
        volatile_only=2,
    )
    markdown = tree_markdown(tree, "main → work tree")
    assert markdown.startswith(
        "## recctl diff: main → work tree\n\n"
        "| verdict | recordings |\n|---|---:|\n"
        "| answer changed | 1 |\n| added | 1 |\n| removed | 1 |\n"
        "| only volatile fields differ | 2 |\n| unchanged | 7 |\n\n"
        "| | recording | test id | verdict |\n|---|---|---|---|\n"
        "| changed | `r/x.json` | ``t.py::test_x[`q`\\|p]`` | answer changed |\n"
        "| added | `r/new.json` |  |  |\n"
        "| removed | `r/gone.json` |  |  |\n\n"
        "### What changed\n\n"
        "<details><summary><code>r/x.json</code>: answer changed</summary>\n\n```diff\n"
    )
    assert "    -a|b\n    +a|c\n" in markdown
    assert markdown.endswith("```\n\n</details>\n")


def test_markdown_stays_under_the_comment_limit_and_says_what_it_left_out() -> None:
    diff = diff_recordings(_stream("old " * 400), _stream("new " * 400))
    changed = [
        Pair(f"r/{n:05}.json", f"r/{n:05}.json", diff.verdict, f"t.py::test_{n}", _one(diff))
        for n in range(3000)
    ]
    markdown = tree_markdown(TreeDiff(changed=changed), "big")
    assert len(markdown) < LIMIT
    assert markdown.rstrip().endswith("left out. Run `recctl diff` for the whole report._")
    assert "rows" in markdown.rsplit("_Cut", 1)[1] and "diffs" in markdown.rsplit("_Cut", 1)[1]
    huge = diff_recordings(_stream("\n".join(f"line {n}" for n in range(20000))), _stream("other"))
    one = pair_markdown(huge, "a.json", "b.json")
    assert len(one) < LIMIT and "diff lines left out" in one


def test_markdown_of_a_code_fence_in_an_answer_stays_one_block() -> None:
    diff = diff_recordings(_stream("```python\nx = 1\n```"), _stream("```\ny\n```"))
    markdown = pair_markdown(diff, "a", "b")
    assert "````diff\n" in markdown and markdown.count("````") == 2


# --- GitHub annotations -----------------------------------------------------------------


def test_escaping_follows_github() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    assert escape_data("\x1b[2J") == "\\x1b[2J"
    assert annotation("error", "r/x,y.json", "RC100", "bad: x", 3) == (
        "::error file=r/x%2Cy.json,line=3,title=RC100::bad: x"
    )


def test_validate_github_is_pinned(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "test_id": "t",\n  oops\n}\n')
    recording: Any = load(SEED)
    del recording["response"]["is_streaming"]
    invalid = write_recording(tmp_path / "invalid.json", recording)
    stale = write_recording(tmp_path / ("0" * 64 + ".json"), load(SEED))
    result = run("validate", *sorted(map(str, tmp_path.iterdir())), "-o", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"::warning file={escape_property(str(stale))},title=RC204::the recorder can never "
        "find this recording: its request hashes to "
        "fbe33fc4fb7e785a5f69fd9afbe2c8dd3a43f544626ad942d2d0f8bfa8f32c9e.json (the response "
        "ids carry rec-8e0e96f0c8e3: recorded for another request, then copied or renamed)",
        f"::error file={escape_property(str(broken))},line=3,title=RC002::not valid JSON: "
        "unexpected character, expected a string key at line 3 column 3",
        f"::error file={escape_property(str(invalid))},title=RC100::$.response: "
        "'is_streaming' is a required property",
    ]


def test_hash_and_prune_github(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "tests/x").mkdir(parents=True)
    (tmp_path / "tests/x/test_a.py").write_text("def test_kept():\n    pass\n")
    recording: Any = load(SEED)
    recording["test_id"] = "tests/x/test_a.py::test_gone"
    stale = write_recording(tmp_path / "tests/x/recordings" / ("0" * 64 + ".json"), recording)
    hashed = run("hash", str(tmp_path / "tests"), "-o", "github")
    assert hashed.exit_code == 1
    expected = request_hash(recording)
    assert hashed.stdout == (
        f"::warning file={escape_property(str(stale))},title=RC204::stale name: the recorder "
        f"looks for {expected}.json (the response ids carry rec-8e0e96f0c8e3: recorded for "
        "another request, then copied or renamed); recctl hash --fix would rename it\n"
    )
    pruned = run("prune", "--root", str(tmp_path), "-o", "github")
    assert pruned.exit_code == 1
    assert pruned.stdout == (
        f"::error file={escape_property(str(stale))},title=stale::"
        "tests/x/test_a.py::test_gone: function test_gone gone\n"
    )


def test_rev_on_one_process_and_on_several(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "THRESHOLD", 2)  # the worker path on a small repository
    for rev in ("HEAD~1..HEAD", "HEAD~1"):
        one = run("diff", "--rev", rev, "--details", "-o", "json", "-j", "1")
        two = run("diff", "--rev", rev, "--details", "-o", "json", "-j", "2")
        assert (one.exit_code, one.stdout) == (two.exit_code, two.stdout)
        assert json.loads(one.stdout)["changed"]


def test_annotations_name_files_from_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inside = str(tmp_path / "tests/recordings/r.json")
    assert (
        annotation("error", inside, "T", "m") == "::error file=tests/recordings/r.json,title=T::m"
    )
    assert annotation("error", "/elsewhere/r.json", "T", "m").startswith("::error file=/elsewhere/")


def test_the_work_tree_side_reads_no_symbolic_link_as_a_range_skips_them(
    repo: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "outside.json"
    leaked = load(SEED)
    leaked["response"]["body"][1]["__data__"]["choices"][0]["delta"]["content"] = "TOP SECRET"
    write_recording(secret, leaked)
    victim = sorted((repo / "tests").rglob("*.json"))[0]
    victim.unlink()
    victim.symlink_to(secret)  # a pull request replaces a recording by a link out of the tree
    linked_dir = repo / "tests/integration/linked/recordings"
    linked_dir.parent.mkdir(parents=True)
    linked_dir.symlink_to(secret.parent, target_is_directory=True)
    for output in ("text", "json", "markdown"):
        result = run("diff", "--rev", "HEAD", "-o", output)
        assert "TOP SECRET" not in result.stdout, output
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "C")
    by_tree = json.loads(run("diff", "--rev", "HEAD~1", "-o", "json").stdout)
    by_range = json.loads(run("diff", "--rev", "HEAD~1..HEAD", "-o", "json").stdout)
    assert by_tree == by_range
    relative = str(victim.relative_to(repo))
    assert by_range["removed"] == [relative]


def test_a_path_that_looks_like_pathspec_magic_is_a_path_on_both_sides(repo: Path) -> None:
    odd = repo / ":odd/recordings"  # the pathspec is ":odd": git would read ':' as magic
    write_recording(odd / "a.json", load(SEED))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "C")
    recording = load(odd / "a.json")
    recording["response"]["body"][1]["__data__"]["choices"][0]["delta"]["content"] = "changed"
    write_recording(odd / "a.json", recording)
    document = json.loads(run("diff", "--rev", "HEAD", "-o", "json", "--", ":odd").stdout)
    assert [pair["new"] for pair in document["changed"]] == [":odd/recordings/a.json"]
    assert document["added"] == [] and document["removed"] == []


def test_markdown_keeps_its_limit_in_bytes_whatever_the_text() -> None:
    wide = "\n".join(f"行 {n} " + "`" * 40 + " ✓" * 30 for n in range(3000))
    huge = diff_recordings(_stream(wide), _stream("other"))
    one = pair_markdown(huge, "a.json", "b.json")
    assert len(one.encode()) <= LIMIT and "diff lines left out" in one
    changed = [
        Pair(f"r/{n:05}é.json", f"r/{n:05}é.json", huge.verdict, f"t.py::test_{n}", _one(huge))
        for n in range(300)
    ]
    markdown = tree_markdown(TreeDiff(changed=changed), "big ✓")
    assert len(markdown.encode()) <= LIMIT


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system of bytes")
def test_diff_rev_of_a_name_that_is_not_utf8_in_every_format(repo: Path) -> None:
    name = os.path.join(os.fsencode(repo / "tests/integration/agents/recordings"), b"n\x9b.json")
    with open(name, "wb") as f:
        f.write(SEED.read_bytes())
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "C")
    changed = load(SEED)
    changed["response"]["body"][1]["__data__"]["choices"][0]["delta"]["content"] = "changed"
    with open(name, "w") as f:
        json.dump(changed, f, indent=2)
    for output in ("text", "json", "markdown"):
        result = run("diff", "--rev", "HEAD", "-o", output)
        assert result.exit_code == 1, (output, result.output)
        assert "internal error" not in result.output and "\udc9b" not in result.stdout
    document = json.loads(run("diff", "--rev", "HEAD", "-o", "json").stdout)
    assert [pair["new"] for pair in document["changed"]] == [
        "tests/integration/agents/recordings/n\\x9b.json"
    ]


def _one(diff: ExchangeDiff) -> FileDiff:
    """A pair of one-exchange files, as a tree diff holds it."""
    return FileDiff(one_per_file=True, pairs=[(0, 0, diff)])
