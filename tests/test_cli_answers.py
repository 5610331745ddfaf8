"""`recctl reassemble`, `show` and `stats` end to end."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from builders import call, delta_chunk, recording
from conftest import (
    CORPUS,
    CORPUS_FILES,
    EVERY_FILE,
    ROOT,
    SEED,
    VALID_STREAM,
    WALKED_FILES,
    corpus_id,
    load,
    run,
    write_recording,
)

CURRENT = CORPUS / "current" / "tests" / "integration"


def _tool_stream(tmp_path: Path) -> Path:
    body = [
        delta_chunk(role="assistant", content="Checking."),
        delta_chunk(tool_calls=[call(0, '{"city": "Paris"}', "call_1", "get_weather")]),
        delta_chunk(tool_calls=[call(1, "{not json", "call_2", "broken")]),
        delta_chunk(finish="tool_calls"),
    ]
    return write_recording(tmp_path / "tool_stream.json", recording(body))


# --- reassemble ----------------------------------------------------------------


def test_reassemble_text_is_the_answer_then_tool_calls(tmp_path: Path) -> None:
    result = run("reassemble", str(_tool_stream(tmp_path)))
    assert result.exit_code == 0
    assert result.output == ('Checking.\nget_weather({"city": "Paris"})\nbroken({not json)\n')


def test_reassemble_several_files_get_headers() -> None:
    result = run("reassemble", str(SEED), str(VALID_STREAM))
    assert result.output.splitlines()[0] == f"==> {SEED} <=="
    assert f"==> {VALID_STREAM} <==\nBonjour !\n" in result.output


def test_reassemble_json_shape_is_pinned(tmp_path: Path) -> None:
    path = _tool_stream(tmp_path)
    result = run("reassemble", str(path), "-o", "json")
    assert result.exit_code == 0
    assert json.loads(result.output) == [
        {
            "path": str(path),
            "kind": "chat_completion",
            "streamed": True,
            "model": "m-1",
            "chunks": 4,
            "truncated": False,
            "choices": [
                {
                    "index": 0,
                    "role": "assistant",
                    "text": "Checking.",
                    "reasoning": None,
                    "refusal": None,
                    "tool_calls": [
                        {
                            "index": 0,
                            "id": "call_1",
                            "type": "function",
                            "name": "get_weather",
                            "arguments": {"city": "Paris"},
                            "arguments_valid": True,
                        },
                        {
                            "index": 1,
                            "id": "call_2",
                            "type": "function",
                            "name": "broken",
                            "arguments": "{not json",
                            "arguments_valid": False,
                        },
                    ],
                    "finish_reason": "tool_calls",
                    "logprobs": 0,
                }
            ],
            "usage": None,
            "error": None,
        }
    ]


def test_reassemble_json_in_parallel_equals_serial(tmp_path: Path) -> None:
    for copy in ("a", "b"):  # enough files for worker processes
        shutil.copytree(CORPUS, tmp_path / copy)
    parallel = json.loads(run("reassemble", str(tmp_path), "-o", "json", "-j", "2").output)
    serial = json.loads(run("reassemble", str(tmp_path), "-o", "json", "-j", "1").output)
    assert parallel == serial
    assert len(parallel) == 2 * len(WALKED_FILES)
    [seed] = json.loads(run("reassemble", str(SEED), "-o", "json").output)
    assert seed["usage"]["total_tokens"] == 681


def test_reassemble_bad_input_exits_2_and_goes_on(recordings: Path) -> None:
    (recordings / "a.json").write_text('{"request": ')
    shutil.copy(VALID_STREAM, recordings / "b.json")
    result = run("reassemble", str(recordings), "-o", "json")
    assert result.exit_code == 2
    documents = json.loads(result.stdout)
    assert documents[0] == {
        "path": str(recordings / "a.json"),
        "error": f"{recordings / 'a.json'}: truncated JSON: unexpected end of "
        "data at line 1 column 13",
    }
    assert documents[1]["choices"][0]["text"] == "Bonjour !"
    assert "truncated JSON" in result.stderr


def test_reassemble_missing_path_exits_2(tmp_path: Path) -> None:
    result = run("reassemble", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "no such file" in result.output


# --- show ----------------------------------------------------------------------


def test_show_the_seed() -> None:
    result = run("show", str(SEED))
    assert result.exit_code == 0
    out = result.output
    for expected in [
        "== " not in out and "━━ seed.json ━━",
        "test      tests/integration/responses/test_tool_responses.py::",
        "provider  openai · model gpt-4o-2024-08-06",
        "streamed, 52 chunks",
        "tools offered: knowledge_search",
        '→ knowledge_search({"query":"Llama 4 Maverick model number of experts"})',
        "Answer  finish: stop",
        "I currently only have information about the Llama 4 Maverick model",
        "prompt 631  completion 50  total 681",
        "more characters)",  # long tool results are shortened
    ]:
        assert expected and expected in out, expected


def test_show_full_does_not_shorten() -> None:
    assert "more characters)" not in run("show", "--full", str(SEED)).output


def test_show_a_stream_without_usage_says_so(tmp_path: Path) -> None:
    path = write_recording(
        tmp_path / "r.json", recording([delta_chunk(content="x", finish="stop")])
    )
    assert "usage not recorded" in run("show", str(path)).output


def test_show_shortens_base64_images(tmp_path: Path) -> None:
    image = "data:image/png;base64," + "iVBORw0KGgo" * 100
    rec = recording([delta_chunk(content="a cat", finish="stop")])
    rec["request"]["body"]["messages"] = [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": image}},
            ],
        }
    ]
    path = write_recording(tmp_path / "r.json", rec)
    for args in (["show"], ["show", "--textconv"]):
        out = run(*args, str(path)).output
        assert "data:image/png;base64,…(1,100 chars, sha256 " in out
        assert "iVBORw0KGgoiVBORw0KGgo" not in out
    assert "iVBORw0KGgoiVBORw0KGgo" in run("show", "--full", str(path)).output


@pytest.mark.parametrize("path", EVERY_FILE, ids=corpus_id)
def test_show_every_corpus_file(path: Path) -> None:
    text = run("show", str(path))
    assert text.exit_code == 0, text.output
    document = json.loads(run("show", str(path), "-o", "json").output)
    assert document["answer"]["kind"] != "unknown"
    assert run("show", "--textconv", str(path)).exit_code == 0


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("inference/recordings/28a43dc8", ["Error", "BadRequestError (400): Error code: 400"]),
        ("interactions/recordings/36a00e74", ["Error", "HTTP 400: Missing key 'type'"]),
        ("responses/recordings/0f1241e9", ["(tool result)", "result:", "tool=web_search"]),
    ],
)
def test_show_other_shapes(name: str, expected: list[str]) -> None:
    [path] = CURRENT.glob(name + "*.json")
    out = run("show", str(path)).output
    for text in expected:
        assert text in out, (text, out)


def test_show_model_list_and_embeddings() -> None:
    shown = {corpus_id(p): run("show", str(p)).output for p in CORPUS_FILES}
    model_lists = [out for out in shown.values() if "(model list)" in out]
    assert model_lists and all("models (" in out for out in model_lists)
    embeddings = [out for out in shown.values() if "Response  (embedding)" in out]
    assert embeddings and all("dimensions: " in out for out in embeddings)


def test_show_json_shape() -> None:
    document = json.loads(run("show", str(SEED), "-o", "json").output)
    assert set(document) == {
        "path",
        "size",
        "test_id",
        "shape",
        "endpoint",
        "provider",
        "model",
        "request",
        "answer",
        "details",
    }
    assert document["shape"] == {
        "request": "inference",
        "body": "typed_chunks",
        "type": "ChatCompletionChunk",
        "streamed": True,
        "exception": False,
        "status": None,
    }
    assert document["request"]["messages"][0] == {
        "role": "user",
        "text": "How many experts does the Llama 4 Maverick model have?",
        "tool_calls": [],
        "tool_call_id": None,
    }
    assert document["answer"]["usage"]["prompt_tokens"] == 631


def test_textconv_is_deterministic_plain_text() -> None:
    first = run("show", "--textconv", str(SEED)).output
    assert first == run("show", "--textconv", str(SEED)).output
    assert first.startswith("== seed.json ==\n")
    assert "\x1b[" not in first and "more characters)" not in first


def test_textconv_of_a_broken_file_passes_it_through(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text("{not json")
    result = run("show", "--textconv", str(path))
    assert (result.exit_code, result.output) == (0, "{not json")


def test_git_diff_with_textconv_shows_the_answer(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    path = repo / "r.json"
    shutil.copy(VALID_STREAM, path)

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
            cwd=repo,
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    git("init", "-q")
    (repo / ".gitattributes").write_text("*.json diff=recctl\n")
    git("config", "diff.recctl.textconv", f"{sys.executable} -m recctl show --textconv")
    git("add", ".")
    git("commit", "-qm", "first")
    changed: Any = load(path)
    changed["response"]["body"][1]["__data__"]["choices"][0]["delta"]["content"] = "Salut"
    write_recording(path, changed)
    diff = git("diff")
    assert "-  Bonjour !" in diff and "+  Salut !" in diff
    assert '"content"' not in diff  # the chunk noise is gone


# --- stats ---------------------------------------------------------------------


def test_stats_json_totals_of_the_corpus() -> None:
    result = run("stats", str(SEED), str(CORPUS), "-o", "json")
    assert result.exit_code == 0
    document = json.loads(result.output)
    totals = document["totals"]
    assert totals["files"] == len(WALKED_FILES) + 1  # and seed.json, named
    assert set(document) == {
        "totals",
        "by_suite",
        "by_endpoint",
        "by_provider",
        "by_model",
        "unreadable",
        "notes",
    }
    assert sum(row["files"] for row in document["by_model"]) == totals["files"]
    assert totals["exchanges"] == totals["files"]  # one exchange per recording
    assert set(document["by_suite"][0]) == {
        "name",
        "files",
        "exchanges",
        "streamed",
        "chunks",
        "bytes",
        "prompt_tokens",
        "completion_tokens",
        "without_usage",
        "exceptions",
    }
    seed_suite = next(row for row in document["by_suite"] if row["name"] == "corpus")
    assert (seed_suite["files"], seed_suite["prompt_tokens"], seed_suite["completion_tokens"]) == (
        1,
        631,
        50,
    )


def test_stats_text_fits_80_columns() -> None:
    result = run("stats", str(CORPUS))
    assert result.exit_code == 0
    assert "By suite directory" in result.output and "By model" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_stats_reports_unreadable_files(recordings: Path) -> None:
    (recordings / "bad.json").write_text("")
    shutil.copy(VALID_STREAM, recordings / "good.json")
    result = run("stats", str(recordings), "-o", "json")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["unreadable"] == [
        {"path": str(recordings / "bad.json"), "reason": "empty file"}
    ]
    assert document["totals"]["files"] == 1


def test_readme_gitattributes_line_matches() -> None:
    commands = (ROOT / "docs/commands.md").read_text()
    assert "diff=recctl" in commands and "recctl show --textconv" in commands


def test_a_bug_is_one_line_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    import recctl.per_file

    def broken(path: str) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(recctl.per_file, "reassemble_plain", broken)
    result = run("reassemble", str(SEED))
    assert result.exit_code == 2
    assert "recctl: error: internal error: ValueError: boom (set RECCTL_DEBUG=1" in result.output
