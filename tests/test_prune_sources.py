"""`recctl prune` on Go and Ruby recordings: judged from the test sources, stale only
where certain (``containers/testsource.py``).

The Go tree is shaped like real projects: a module with several packages, recordings
under each package's ``testdata/``, names from ``t.Name()``, ``TestMain`` fixtures, one
package's recordings used by another's tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recctl import io
from recctl.containers import sources
from recctl.containers.testsource import Verdict, judge_go, judge_ruby

from conftest import run

HTTPRR = "httprr trace v1\n"
GO_VCR = "---\nversion: 1\ninteractions: []\n"
RUBY_VCR = "---\nhttp_interactions: []\nrecorded_with: VCR 6.2.0\n"

A_TEST = """package a

import (
	"os"
	"testing"
)

var fixture string

func TestMain(m *testing.M) {
	fixture = "testdata/TestMainFixture.httprr"
	os.Exit(m.Run())
}

func TestÜber(t *testing.T) {}

func TestChat(t *testing.T) {
	t.Run("sub case", func(t *testing.T) {})
	t.Run("a/b", func(t *testing.T) {})
}

func TestModels(t *testing.T) {
	for _, model := range models {
		t.Run(model, func(t *testing.T) {
			_ = fmt.Sprintf("%s_%s", t.Name(), model)
		})
	}
}
"""

B_TEST = """package b

import "testing"

func TestFromB(t *testing.T) {
	open("../a/testdata/" + t.Name() + ".httprr")
}

func TestReplay(t *testing.T) {
	open("../a/testdata/TestSharedFixture.httprr")
}
"""

SUITE_TEST = """package suite

type ChatSuite struct{ suite.Suite }

func TestChatSuite(t *testing.T) { suite.Run(t, new(ChatSuite)) }

func (s *ChatSuite) TestStream() {
	s.Run("with tools", func() {})
}
"""

#: Which recording is what in ``go_tree``: path under the root -> live (True) or stale.
GO_RECORDINGS = {
    "a/testdata/TestÜber.yaml": True,  # a Unicode test name
    "a/testdata/TestMainFixture.httprr": True,  # named literally in TestMain
    "a/testdata/TestChat/sub_case.yaml": True,  # t.Run("sub case"): spaces rewritten
    "a/testdata/TestChat_sub_case.httprr": True,  # httprr: slashes flattened
    "a/testdata/TestChat_a_b.httprr": True,  # t.Run("a/b")
    "a/testdata/TestModels_gpt-4o.httprr": True,  # a variable-named subtest
    "a/testdata/TestFromB.httprr": True,  # b's test, a's testdata
    "a/testdata/TestSharedFixture.httprr": True,  # b names it literally
    "a/testdata/cassettes/fixture_basic.yaml": True,  # a helper spells it
    "big/testdata/TestBig.httprr": True,  # defined after the first 4 MiB
    "bom/testdata/TestBom.yaml": True,  # a BOM before `package`
    "crlf/testdata/TestCRLF.httprr": True,  # CRLF line ends
    "tags/testdata/TestIntegration.yaml": True,  # //go:build integration
    "suite/testdata/TestStream.yaml": True,  # a testify suite method
    "suite/testdata/TestChatSuite/TestStream/with_tools.yaml": True,
    "a/testdata/TestGone.httprr": False,  # no such test, nothing names it
    "a/testdata/TestRemoved/streaming_reply.yaml": False,
}


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def go_tree(root: Path) -> Path:
    """A Go module like real projects' (no .git), with every case of GO_RECORDINGS."""
    write(root / "go.mod", "module example.com/m\n\ngo 1.22\n")
    write(root / "a/a.go", 'package a\n\nconst basic = "cassettes/fixture_basic"\n')
    write(root / "a/a_test.go", A_TEST)
    write(root / "b/b_test.go", B_TEST)
    padding = "// " + "x" * 1021 + "\n"  # 1 KiB lines
    big = "package big\n\n" + padding * 4200 + "func TestBig(t *testing.T) {}\n"
    assert len(big) > 4 * 2**20
    write(root / "big/big_test.go", big)
    write(root / "bom/bom_test.go", "\ufeffpackage bom\n\nfunc TestBom(t *testing.T) {}\n")
    write(
        root / "crlf/crlf_test.go",
        b"package crlf\r\n\r\nfunc TestCRLF(t *testing.T) {\r\n}\r\n",
    )
    write(
        root / "tags/integration_test.go",
        "//go:build integration\n\npackage tags\n\nfunc TestIntegration(t *testing.T) {}\n",
    )
    write(root / "suite/suite_test.go", SUITE_TEST)
    for name in GO_RECORDINGS:
        write(root / name, HTTPRR if name.endswith(".httprr") else GO_VCR)
    return root


def judged(root: Path, names: list[str]) -> dict[str, Verdict]:
    verdicts = judge_go([str(root / name) for name in names], str(root))
    return {name: verdict for name, verdict in zip(names, verdicts, strict=True)}


def test_go_recordings_of_a_real_shaped_tree_are_live_unless_certainly_stale(
    tmp_path: Path,
) -> None:
    root = go_tree(tmp_path)
    verdicts = judged(root, list(GO_RECORDINGS))
    assert {name: v.found for name, v in verdicts.items()} == GO_RECORDINGS
    assert verdicts["a/testdata/TestÜber.yaml"].test == "a::TestÜber"
    assert verdicts["a/testdata/TestFromB.httprr"].test == "b::TestFromB"
    assert verdicts["a/testdata/TestSharedFixture.httprr"].test == (
        "b/b_test.go::TestSharedFixture.httprr"
    )
    assert verdicts["a/testdata/TestMainFixture.httprr"].test == (
        "a/a_test.go::TestMainFixture.httprr"
    )
    assert verdicts["a/testdata/cassettes/fixture_basic.yaml"].test == (
        "a/a.go::cassettes/fixture_basic"
    )
    assert verdicts["a/testdata/TestChat/sub_case.yaml"].test == "a::TestChat/sub_case"
    assert verdicts["a/testdata/TestChat_sub_case.httprr"].test == "a::TestChat/sub_case"
    assert verdicts["a/testdata/TestChat_a_b.httprr"].test == "a::TestChat/a_b"
    assert verdicts["suite/testdata/TestStream.yaml"].test == "suite::TestStream"
    gone = verdicts["a/testdata/TestGone.httprr"]
    assert gone.test == "a::TestGone"
    assert "no test function TestGone" in gone.why


def test_go_sources_are_read_once_per_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """govcr and httprr each ask: the sources are read once, and again only on a change."""
    root = go_tree(tmp_path)
    reads: list[str] = []
    real = io.read_bytes

    def counting(path: str, max_bytes: int = 0, head: bool = False) -> bytes:
        reads.append(path)
        return real(path, max_bytes)

    monkeypatch.setattr(io, "read_bytes", counting)
    yaml = [n for n in GO_RECORDINGS if n.endswith(".yaml")]
    traces = [n for n in GO_RECORDINGS if n.endswith(".httprr")]
    judged(root, yaml)
    sources = len(reads)
    assert sources == len(set(reads)) == 8  # every .go file, once
    judged(root, traces)
    assert len(reads) == sources
    write(root / "a/a_test.go", A_TEST + "\nfunc TestGone(t *testing.T) {}\n")
    assert judged(root, ["a/testdata/TestGone.httprr"])["a/testdata/TestGone.httprr"].found
    assert len(reads) == 2 * sources


@pytest.mark.parametrize(
    "source",
    [
        'name := "Test" + kind',
        'name := fmt.Sprintf("Test%s", kind)',
        'name := fmt.Sprintf("testdata/Test%s_%d.httprr", kind, n)',
        'name := prefix + "Gone"',
        'names := []string{"TestGone"}; name := names[0] + "_" + model',
        "name := `Test` + kind",
        'name := "Test" + strings.Title(kind) + "_" + model',
    ],
)
def test_a_name_a_go_source_could_build_is_unmapped(tmp_path: Path, source: str) -> None:
    write(tmp_path / "go.mod", "module m\n")
    write(
        tmp_path / "p/p_test.go",
        f"package p\n\nfunc TestOther(t *testing.T) {{\n\t{source}\n\t_ = name\n}}\n",
    )
    write(tmp_path / "p/testdata/TestGone_gpt4.httprr", HTTPRR)
    verdict = judged(tmp_path, ["p/testdata/TestGone_gpt4.httprr"])
    assert verdict["p/testdata/TestGone_gpt4.httprr"].found is None


@pytest.mark.parametrize(
    "source",
    [
        'name := fmt.Sprintf("%s_%s", t.Name(), model)',  # t.Name(): an existing test's
        'name := strings.ReplaceAll(t.Name(), "/", "_") + ".httprr"',
        'name := "testdata/" + name + ".httprr"',  # no fixed part of the stem
        't.Logf("got %v, want %v", got, want)',
        '// name := "Test" + kind (a comment)',
    ],
)
def test_names_built_from_t_name_or_nothing_fixed_leave_a_recording_stale(
    tmp_path: Path, source: str
) -> None:
    write(tmp_path / "go.mod", "module m\n")
    write(
        tmp_path / "p/p_test.go",
        f"package p\n\nfunc TestOther(t *testing.T) {{\n\t{source}\n}}\n",
    )
    write(tmp_path / "p/testdata/TestGone_gpt4.httprr", HTTPRR)
    verdict = judged(tmp_path, ["p/testdata/TestGone_gpt4.httprr"])
    assert verdict["p/testdata/TestGone_gpt4.httprr"].found is False


def test_a_source_over_the_bound_or_unreadable_makes_nothing_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "go.mod", "module m\n")
    write(tmp_path / "p/p_test.go", "package p\n\nfunc TestOther(t *testing.T) {}\n")
    write(tmp_path / "p/testdata/TestGone.httprr", HTTPRR)
    write(tmp_path / "p/testdata/TestOther.httprr", HTTPRR)
    write(tmp_path / "q/huge_test.go", "package q\n\n" + "// x\n" * 400)
    monkeypatch.setattr(sources, "MAX_SOURCE", 1000)
    verdicts = judged(tmp_path, ["p/testdata/TestGone.httprr", "p/testdata/TestOther.httprr"])
    assert [v.found for v in verdicts.values()] == [None, True]
    assert "q/huge_test.go is over" in verdicts["p/testdata/TestGone.httprr"].why

    other = tmp_path / "other"
    write(other / "p/p_test.go", "package p\n\nfunc TestOther(t *testing.T) {}\n")
    write(other / "p/testdata/TestGone.httprr", HTTPRR)
    (other / "p/gone_test.go").symlink_to(other / "nowhere.go")
    verdict = judged(other, ["p/testdata/TestGone.httprr"])["p/testdata/TestGone.httprr"]
    assert verdict.found is None
    assert "p/gone_test.go is not a regular file" in verdict.why


def test_doubts_about_the_tree_make_nothing_stale(tmp_path: Path) -> None:
    # No *_test.go anywhere: a wrong root, or tests elsewhere.
    write(tmp_path / "bare/go.mod", "module m\n")
    write(tmp_path / "bare/p/p.go", "package p\n")
    write(tmp_path / "bare/p/testdata/TestGone.yaml", GO_VCR)
    assert judged(tmp_path / "bare", ["p/testdata/TestGone.yaml"])[
        "p/testdata/TestGone.yaml"
    ].why == ("no *_test.go under the root")
    # The module's go.mod is above the root: its other packages are not read.
    write(tmp_path / "up/go.mod", "module m\n")
    write(tmp_path / "up/sub/p/p_test.go", "package p\n\nfunc TestOther(t *testing.T) {}\n")
    write(tmp_path / "up/sub/p/testdata/TestGone.yaml", GO_VCR)
    verdict = judged(tmp_path / "up/sub", ["p/testdata/TestGone.yaml"])["p/testdata/TestGone.yaml"]
    assert verdict.found is None and "above the root" in verdict.why
    # Not t.Name()-shaped, not under testdata/: unmapped.
    write(tmp_path / "up/sub/p/testdata/TestX-custom.yaml", GO_VCR)
    write(tmp_path / "up/sub/p/loose.yaml", GO_VCR)
    verdicts = judged(tmp_path / "up/sub", ["p/testdata/TestX-custom.yaml", "p/loose.yaml"])
    assert [v.found for v in verdicts.values()] == [None, None]


def test_prune_delete_on_a_go_tree_without_git_deletes_only_the_stale(tmp_path: Path) -> None:
    root = go_tree(tmp_path / "project")
    # A built name: unmapped, kept ("Test" + k would keep every Test* name of the root).
    write(
        root / "dyn/dyn_test.go",
        'package dyn\n\nfunc TestX(t *testing.T) { _ = fmt.Sprintf("Test%sDynamic", kind) }\n',
    )
    write(root / "dyn/testdata/TestNewDynamic.httprr", HTTPRR)
    result = run("prune", "--delete", "-o", "json", "--root", str(root), str(root))
    report = json.loads(result.stdout)
    stale = sorted(Path(s["path"]).relative_to(root).as_posix() for s in report["stale"])
    assert stale == sorted(name for name, live in GO_RECORDINGS.items() if not live)
    assert report["deleted"] == len(stale)
    for name, live in GO_RECORDINGS.items():
        assert (root / name).exists() == live, name
    assert (root / "dyn/testdata/TestNewDynamic.httprr").exists()
    assert [Path(p).name for p in report["unmapped"]] == ["TestNewDynamic.httprr"]
    assert report["live"] == sum(GO_RECORDINGS.values())


SPEC = """\ufeffrequire "spec_helper"\r
\r
RSpec.describe OpenAI::Client do\r
  describe "chat", vcr: true do\r
    it "returns a reply" do\r
    end\r
  end\r
\r
  it "streams" do\r
    VCR.use_cassette("streaming/chat_stream") { }\r
  end\r
\r
  it "uses each model" do\r
    model = ENV.fetch("MODEL")\r
    VCR.use_cassette("chat/#{model}") { }\r
  end\r
end\r
"""


def test_ruby_cassettes_are_live_or_unmapped_never_stale(tmp_path: Path) -> None:
    write(tmp_path / "spec/openai/client_spec.rb", SPEC.encode())
    cassettes = tmp_path / "spec/fixtures/vcr_cassettes"
    names = {
        "streaming/chat_stream.yml": True,  # use_cassette literal
        "chat/returns_a_reply.yml": True,  # vcr: true, descriptions sanitized
        "chat/gpt-4.yml": None,  # "chat/#{model}": built at run time
        "old/unknown.yml": None,
    }
    for name in names:
        write(cassettes / name, RUBY_VCR)
    verdicts = judge_ruby([str(cassettes / name) for name in names], str(tmp_path))
    assert [v.found for v in verdicts] == list(names.values())
    assert verdicts[0].test == "spec/openai/client_spec.rb::streaming/chat_stream"
    assert "builds cassette names at run time" in verdicts[2].why
    assert "vcr metadata" in verdicts[3].why

    result = run(
        "prune",
        "--delete",
        "-o",
        "json",
        "--root",
        str(tmp_path),
        *(str(cassettes / name) for name in names),
    )
    report = json.loads(result.stdout)
    assert report["stale"] == [] and report["live"] == 2
    assert all((cassettes / name).exists() for name in names)
