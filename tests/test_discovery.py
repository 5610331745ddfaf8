"""A walk finds every file a replayer of a registered container would read, wherever each
ecosystem keeps them, and nothing else; structure, not name or byte layout, says what a
file is; every guard covers every container; nothing read is never clean.

The projects are real samples laid out as their repositories lay them out
(``fixtures/formats``, ``fixtures/cassettes``); answers were read from the files by hand.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from recctl import containers
from recctl.containers import govcr, har, httprr, rubyvcr, sniff, vcrpy, vercel

from conftest import FIXTURES, SEED, run

FORMATS = FIXTURES / "formats"
CASSETTES = FIXTURES / "cassettes"

#: Each sample project, walked from its root: the container of its files and how many.
PROJECTS = {
    FORMATS / "ruby-openai": {rubyvcr: 10},
    FORMATS / "alexrudall-anthropic": {rubyvcr: 5},
    FORMATS / "ruby_llm": {rubyvcr: 3},  # spec/fixtures/vcr_cassettes/
    FORMATS / "anthropic-sdk-go": {govcr: 8},
    FORMATS / "fantasy": {govcr: 11},
    FORMATS / "adk-go": {httprr: 6},
    FORMATS / "oscar": {httprr: 5},
    FORMATS / "openllmetry-js": {har: 11},
    FORMATS / "mirascope": {har: 2},  # cassettes/ of TypeScript tests
    FORMATS / "vercel-ai": {vercel: 10},  # packages/<provider>/src/**/__fixtures__/
    CASSETTES / "pydantic-ai": {vcrpy: 7},  # 2 xAI gRPC and 1 WebSocket among them
    CASSETTES / "crewai": {vcrpy: 5},
    CASSETTES / "openllmetry": {vcrpy: 4},
    CASSETTES / "langchain-aws": {vcrpy: 1},
}


def _samples(root: Path) -> set[str]:
    return {
        str(p)
        for p in root.rglob("*")
        if p.is_file() and not p.name.startswith(("LICENSE", "NOTICE", "README"))
    }


@pytest.mark.parametrize("root", list(PROJECTS), ids=lambda p: p.name)
def test_a_walk_from_a_projects_root_finds_every_sample_by_its_container(root: Path) -> None:
    found = list(containers.discover([root]))
    assert set(found) == _samples(root) and len(found) == len(set(found))
    kinds: dict[object, int] = {}
    for path in found:
        kind = containers.identify(path)
        kinds[kind] = kinds.get(kind, 0) + 1
    assert kinds == PROJECTS[root]


def test_every_sample_project_is_walked() -> None:
    laid_out = {p for base in (FORMATS, CASSETTES) for p in base.iterdir() if p.is_dir()}
    assert laid_out == set(PROJECTS)


def test_validate_from_the_roots_of_the_sample_projects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {
        "ruby_llm": "All 3 cassettes valid.",
        "mirascope": "All 2 HAR files valid.",
        "vercel-ai": "All 10 response fixtures valid.",
        "pydantic-ai": "All 7 cassettes valid.",  # xAI gRPC and WebSocket ones too
    }
    for name, summary in expected.items():
        base = FORMATS if (FORMATS / name).is_dir() else CASSETTES
        monkeypatch.chdir(base / name)
        result = run("validate", ".")
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[-1] == summary


def _unrelated_tree(root: Path) -> None:
    """What a real repository holds beside its recordings."""
    files = {
        "package.json": '{"name": "x", "version": "1.0.0", "scripts": {"test": "jest"}}',
        "tsconfig.json": '{"compilerOptions": {"strict": true}}',
        ".github/workflows/ci.yml": "name: ci\non: push\njobs:\n  test:\n    runs-on: x\n",
        "docker-compose.yml": "version: '3'\nservices:\n  web:\n    image: x\n",
        "openapi.yaml": "openapi: 3.0.0\ninfo: {title: x}\npaths: {}\n",
        "testdata/config.yaml": "version: 1\nname: not a cassette\n",
        "spec/fixtures/users.yml": "one:\n  name: Ann\ntwo:\n  name: Bob\n",
        "src/__fixtures__/config.json": '{"retries": 3}',
        "go/testdata/golden.json": '{"log": "not HAR: no entries"}',
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_unrelated_json_and_yaml_links_and_fifos_are_never_read(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FORMATS / "fantasy", root)
    _unrelated_tree(root)
    (root / "testdata/link.yaml").symlink_to(root / "docker-compose.yml")
    (root / "cassettes").mkdir()
    (root / "cassettes/dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "testdata/pipe.yaml")
        os.mkfifo(root / "cassettes/pipe.yaml")
    found = {str(Path(p).relative_to(root)) for p in containers.discover([root])}
    fantasy = FORMATS / "fantasy"
    assert found == {str(Path(p).relative_to(fantasy)) for p in _samples(fantasy)}
    result = run("validate", str(root))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["All 11 cassettes valid."]


def test_the_walk_skips_other_projects_files_and_honours_include_and_exclude(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "repo"
    shutil.copytree(FORMATS / "oscar", root)
    vendored = root / "node_modules/x/recordings"
    vendored.mkdir(parents=True)
    shutil.copy(SEED, vendored / "seed.json")
    extra = root / "data/calls/one.cassette"
    extra.parent.mkdir(parents=True)
    shutil.copy(next(FORMATS.glob("fantasy/**/*.yaml")), extra)
    (root / "pyproject.toml").write_text(
        '[tool.recctl]\ninclude = ["data/*.cassette"]\nexclude = ["internal/gaby/*"]\n'
    )
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    found = sorted(os.path.relpath(p, root) for p in containers.discover(["."]))
    oscar = sorted(os.path.relpath(p, FORMATS / "oscar") for p in _samples(FORMATS / "oscar"))
    assert "data/calls/one.cassette" in found
    assert not any(p.startswith(("node_modules", "internal/gaby")) for p in found)
    assert found == sorted(
        ["data/calls/one.cassette", *(p for p in oscar if not p.startswith("internal/gaby"))]
    )


# --- structure decides what a file is ------------------------------------------------


GO_VCR = sorted(FORMATS.glob("anthropic-sdk-go/**/*.yaml"))[0]


def _variants(raw: bytes) -> dict[str, bytes]:
    document = yaml.safe_load(raw)
    prompt = yaml.safe_load(raw)
    first = prompt["interactions"][0]["request"]
    first["body"] = "explain http_interactions: as Ruby VCR writes it " + str(first["body"])
    return {
        "licence": b"# Copyright 2025 The Authors\n#\n# SPDX-License-Identifier: MIT\n\n" + raw,
        "bom": b"\xef\xbb\xbf" + raw,
        "crlf": raw.replace(b"\n", b"\r\n"),
        "sorted keys, version last": yaml.safe_dump(document, sort_keys=True).encode(),
        "document start": b"---\n" + raw.removeprefix(b"---\n"),
        "a prompt quoting http_interactions:": yaml.safe_dump(prompt, sort_keys=False).encode(),
    }


@pytest.mark.parametrize("variant", list(_variants(GO_VCR.read_bytes())))
def test_a_go_vcr_cassette_is_one_whatever_its_bytes_say_first(
    tmp_path: Path, variant: str
) -> None:
    path = tmp_path / "testdata" / "cassette.yaml"
    path.parent.mkdir()
    path.write_bytes(_variants(GO_VCR.read_bytes())[variant])
    assert list(containers.discover([tmp_path])) == [str(path)]
    file = containers.load(str(path))
    assert file.container is govcr and file.issues == []
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    if variant != "a prompt quoting http_interactions:":
        same = run("diff", str(GO_VCR), str(path))
        assert same.exit_code == 0, same.output
        assert same.stdout.startswith("identical")


#: A file of each container, re-serialized as another tool would write it.
RESERIALIZED = [
    (FORMATS / "ruby_llm/spec/fixtures/vcr_cassettes", "yaml"),
    (FORMATS / "fantasy", "yaml"),
    (CASSETTES / "crewai", "yaml"),
    (FORMATS / "mirascope", "json"),
    (FORMATS / "vercel-ai", "json"),
    (FIXTURES / "chat-stream-valid", "json"),
]


@pytest.mark.parametrize(("where", "syntax"), RESERIALIZED, ids=lambda p: getattr(p, "name", p))
def test_a_file_and_its_reserialized_self_diff_as_identical(
    tmp_path: Path, where: Path, syntax: str
) -> None:
    source = next(
        p for p in sorted(where.rglob("*.*")) if p.suffix in (".yml", ".yaml", ".har", ".json")
    )
    copy = tmp_path / source.relative_to(where.parent)
    copy.parent.mkdir(parents=True)
    if syntax == "yaml":
        document = yaml.load(source.read_bytes(), Loader=_binary_loader())
        copy.write_text(yaml.safe_dump(document, sort_keys=True, width=60).replace("\n", "\r\n"))
    else:
        copy.write_text(json.dumps(json.loads(source.read_bytes()), indent=4, sort_keys=True))
    assert containers.load(str(copy)).container is containers.load(str(source)).container
    result = run("diff", str(source), str(copy))
    assert result.exit_code == 0, result.output


def _binary_loader() -> type:
    base: type = yaml.SafeLoader

    class Loader(base):  # type: ignore[misc]
        pass

    Loader.add_constructor("!binary", yaml.SafeLoader.construct_yaml_binary)
    return Loader


def test_two_files_of_different_containers_are_named_as_such() -> None:
    ruby = next(FORMATS.glob("ruby_llm/**/*.yml"))
    result = run("diff", str(GO_VCR), str(ruby))
    assert result.exit_code == 2
    assert "cannot compare a go-vcr cassette with a Ruby VCR cassette" in result.stderr


def test_the_outline_reads_a_head_cut_anywhere() -> None:
    raw = GO_VCR.read_bytes()
    for cut in range(0, 600, 7):
        outline = sniff.yaml_outline(raw[:cut])
        assert outline is None or set(outline.keys) <= {"version", "interactions"}
    assert sniff.json_keys(b'\xef\xbb\xbf {"a": {"log": 1}, "b\\"": [1, {"c": 2}], "log":') == (
        "a",
        'b\\"',
        "log",
    )


# --- what is not an HTTP call, and what the replayer fills in -------------------------


def test_xai_grpc_cassettes_and_websocket_sessions_are_read_as_exchanges() -> None:
    root = CASSETTES / "pydantic-ai"
    result = run("validate", "-o", "json", str(root))
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["errors"] == 0 and document["files_checked"] == 7
    assert document["notes"] == []
    for path in root.rglob("*.xai.yaml"):
        assert containers.identify(str(path)) is vcrpy
        assert containers.load(str(path)).layout == "xai_grpc"
    for path in root.rglob("realtime/**/*.yaml"):
        assert containers.identify(str(path)) is vcrpy
        assert len(containers.load(str(path)).exchanges) == 1


def test_a_placeholder_uri_or_header_is_a_note_never_an_error() -> None:
    cassette = next(FORMATS.glob("ruby_llm/**/*ollama*.yml"))
    file = containers.load(str(cassette))
    assert file.issues == []
    result = run("validate", "-o", "json", str(cassette))
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert {note["pointer"] for note in notes} == {
        "$.http_interactions[0].request.uri",
        "$.http_interactions[1].request.uri",
    }
    assert all("<OLLAMA_API_BASE>" in note["note"] for note in notes)
    shown = run("show", str(cassette))
    assert "filled    on replay: the uri holds <OLLAMA_API_BASE>" in shown.stdout
    headers = next(FORMATS.glob("ruby_llm/**/*basic_conversation.yml"))
    notes = json.loads(run("validate", "-o", "json", str(headers)).stdout)["notes"]
    assert "$.http_interactions[0].request.headers['X-Api-Key']" in {n["pointer"] for n in notes}
    broken = run("validate", str(FORMATS / "ruby_llm"))
    assert broken.stdout.splitlines()[-1] == "All 3 cassettes valid."


# --- response fixtures (vercel/ai) ---------------------------------------------------


def _answer(relative: str) -> tuple[object, ...]:
    file = containers.load(str(FORMATS / "vercel-ai/packages" / relative))
    assert file.container is vercel and file.issues == []
    answer = file.answer(file.exchanges[0])
    assert answer is not None
    choice = answer.choices[0]
    usage = answer.usage
    return (
        file.exchanges[0].extras["provider"],
        answer.streamed,
        answer.model,
        (choice.text or "")[:30],
        [call.name for call in choice.tool_calls],
        choice.finish_reason,
        (usage.prompt_tokens, usage.completion_tokens) if usage else None,
    )


def test_response_fixtures_are_read_through_the_protocols() -> None:
    assert _answer("openai/src/chat/__fixtures__/openai-text.json") == (
        "openai",
        False,
        "gpt-4.1-nano-2025-04-14",
        "**Holiday Name:** Galaxy Day  ",
        [],
        "stop",
        (16, 363),
    )
    assert _answer("anthropic/src/__fixtures__/anthropic-clear-thinking.1.json") == (
        "anthropic",
        False,
        "claude-sonnet-4-5-20250929",
        "925 ÷ 5 = 185",
        [],
        "end_turn",
        (69, 33),
    )
    assert _answer("google/src/__fixtures__/google-reasoning.json")[2:] == (
        "gemini-3-pro-preview",
        'There are **3** "r"s in strawb',
        [],
        "STOP",
        (9, 311),  # candidates and thoughts
    )
    assert _answer("amazon-bedrock/src/__fixtures__/amazon-bedrock-json-tool.1.json") == (
        "amazon-bedrock",
        False,
        None,
        "",
        ["json"],
        "tool_use",
        (15, 42),
    )
    streamed = _answer("amazon-bedrock/src/__fixtures__/amazon-bedrock-json-tool.1.chunks.txt")
    assert streamed[1] is True and streamed[4:6] == (["json"], "tool_use")
    google = _answer("google/src/__fixtures__/google-reasoning.chunks.txt")
    assert google[1] is True and google[3] == 'There are **3** "r"s in strawb'


def test_a_fixture_line_that_is_not_json_is_a_finding(tmp_path: Path) -> None:
    path = tmp_path / "packages/openai/src/__fixtures__/x.chunks.txt"
    path.parent.mkdir(parents=True)
    path.write_text('{"id": "a", "object": "chat.completion.chunk", "choices": []}\nnot json\n')
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert "x.chunks.txt::$.line[2]: RC101 not a JSON payload" in result.stdout


# --- nothing read is never clean -----------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("prune",),
        ("scrub", "--check"),
        ("stats",),
        ("hash",),
        ("normalize", "--check"),
        ("reassemble",),
    ],
)
def test_paths_that_hold_nothing_recctl_reads_exit_2(tmp_path: Path, command: tuple[str]) -> None:
    _unrelated_tree(tmp_path)
    result = run(*command, str(tmp_path))
    assert result.exit_code == 2, result.output
    assert "no " in result.stderr and "found" in result.stderr


def test_diff_of_two_trees_that_hold_nothing_exits_2(tmp_path: Path) -> None:
    for side in ("old", "new"):
        _unrelated_tree(tmp_path / side)
    result = run("diff", str(tmp_path / "old"), str(tmp_path / "new"))
    assert result.exit_code == 2 and "no recordings or cassettes found" in result.stderr


def test_a_summary_counts_each_file_once_then_by_kind(tmp_path: Path) -> None:
    for name in ("oscar", "mirascope", "ruby_llm"):
        shutil.copytree(FORMATS / name, tmp_path / name)
    result = run("validate", str(tmp_path))
    assert result.stdout.splitlines()[-1] == (
        "All 10 files valid (3 cassettes, 5 traces, 2 HAR files)."
    )
    broken = next((tmp_path / "oscar").rglob("*.httprr"))
    broken.write_bytes(broken.read_bytes()[:-5])
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1
    assert re.match(
        r"1 of 10 files invalid \(3 cassettes, 5 traces, 2 HAR files\): 1 error, 0 warnings\.",
        result.stdout.splitlines()[-1],
    )


# --- every guard covers every container ----------------------------------------------


def _hook_patterns() -> list[str]:
    from conftest import ROOT

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    readme = (ROOT / "README.md").read_text()
    local = re.search(r"repo: local.*?files: (\S+)", readme, re.S)
    assert local is not None
    return [hook["files"] for hook in hooks if hook["id"] != "recctl-normalize"] + [local.group(1)]


def test_every_hook_pattern_takes_every_suffix_of_every_container() -> None:
    for pattern in _hook_patterns():
        for container in containers.CONTAINERS:
            for suffix in container.suffixes:
                assert re.search(pattern, f"a/b/file{suffix}"), (pattern, suffix)


def test_filter_keeps_what_a_walk_reads_of_the_files_given(tmp_path: Path) -> None:
    shutil.copytree(FORMATS / "fantasy", tmp_path / "fantasy")
    _unrelated_tree(tmp_path)
    given = sorted(str(p) for p in tmp_path.rglob("*") if p.is_file())
    result = run("validate", "--filter", *given)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "All 11 cassettes valid."
    nothing = run("validate", "--filter", str(tmp_path / "package.json"))
    assert nothing.exit_code == 0 and nothing.stdout == ""
    assert run("validate", str(tmp_path / "package.json")).exit_code == 2
