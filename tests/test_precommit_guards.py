"""Every guard covers every container: the real pre-commit, with this repository's hook
definitions and with the README's local hook, blocks a commit that adds a key to a file
of each container, laid out where its project keeps it, and lets the clean files in."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow  # real processes: git and pre-commit

KEY = b"sk-proj-" + b"Ab3dEf9hIj2lMn0pQr7tUv1xYz5" * 2

#: container: (sample, its place in the project, what the key is added to).
PLANTS = {
    "ogx": (
        "chat-stream-valid/tests/integration/demo/recordings/"
        "19e3a833f077e89af3c3298da7d46d6773471c90e24f4fc663da86433b610f5d.json",
        "tests/integration/demo/recordings/"
        "19e3a833f077e89af3c3298da7d46d6773471c90e24f4fc663da86433b610f5d.json",
        b'"content": "',
    ),
    "vcrpy": (
        "cassettes/crewai/lib/crewai/tests/cassettes/llms/"
        "TestOpenAIToolCallStreaming.test_openai_streaming_emits_tool_call_events.yaml",
        "lib/crewai/tests/cassettes/llms/TestOpenAIToolCallStreaming.test_stream.yaml",
        b"X-USER-AGENT-XXX",
    ),
    "rubyvcr": (
        "formats/ruby_llm/spec/fixtures/vcr_cassettes/"
        "chat_basic_chat_functionality_ollama_qwen3_can_handle_multi-turn_conversations.yml",
        "spec/fixtures/vcr_cassettes/chat_ollama.yml",
        b"Faraday v2.14.2",
    ),
    "govcr": (
        "formats/fantasy/providertests/testdata/TestGoogleCommon/vertex-gemini-2-5-flash/"
        "simple.yaml",
        "providertests/testdata/TestGoogleCommon/simple.yaml",
        b"Charm-Fantasy/0.12.2",
    ),
    "httprr": (
        "formats/oscar/internal/ollama/testdata/embedbatch.httprr",
        "internal/ollama/testdata/embedbatch.httprr",
        b"User-Agent: Go-http-client/1.1",
    ),
    "har": (
        "formats/mirascope/typescript/tests/e2e/input/cassettes/empty-call/openai_responses/"
        "handles-user-message.har",
        "typescript/tests/e2e/cassettes/openai_responses/handles-user-message.har",
        b"OpenAI/JS 6.16.0",
    ),
    "vercel": (
        "formats/vercel-ai/packages/openai/src/chat/__fixtures__/openai-text.json",
        "packages/openai/src/chat/__fixtures__/openai-text.json",
        b'"content": "',
    ),
}


def _planted(raw: bytes, anchor: bytes, httprr: bool) -> bytes:
    """``raw`` with the key added after ``anchor`` (httprr: its byte count kept true)."""
    added = (
        anchor
        + (b"" if anchor.endswith(b'"') else b" ")
        + KEY
        + (b" " if anchor.endswith(b'"') else b"")
    )
    out = raw.replace(anchor, added, 1)
    if httprr:
        counts = re.match(rb"httprr trace v1\n(\d+) ", out)
        assert counts is not None
        grown = str(int(counts.group(1)) + len(added) - len(anchor)).encode()
        out = out[: counts.start(1)] + grown + out[counts.end(1) :]
    return out


def _hooks_from_this_repository() -> str:
    """``.pre-commit-hooks.yaml``'s validate and scrub, as local hooks of the recctl here."""
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    chosen = [
        {**hook, "language": "system"}
        for hook in hooks
        if hook["id"] in ("recctl-validate", "recctl-scrub")
    ]
    text: str = yaml.safe_dump({"repos": [{"repo": "local", "hooks": chosen}]})
    return text


def _hook_from_the_readme() -> str:
    readme = (ROOT / "README.md").read_text()
    snippets = re.findall(r"```yaml\n(.*?)```", readme, re.S)
    local: str = next(s for s in snippets if "repo: local" in s)
    return local


def _git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"),
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("config", ["hooks", "readme"])
def test_a_key_in_a_file_of_each_container_blocks_the_commit(tmp_path: Path, config: str) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    assert _git(repo, "init", "-q").returncode == 0
    text = _hooks_from_this_repository() if config == "hooks" else _hook_from_the_readme()
    (repo / ".pre-commit-config.yaml").write_text(text)
    (repo / "package.json").write_text('{"name": "x"}')  # passed to the hooks, not read
    (repo / "docker-compose.yml").write_text("services: {}\n")
    for source, place, _ in PLANTS.values():
        (repo / place).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / source, repo / place)
    install = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"], cwd=repo, capture_output=True, text=True
    )
    assert install.returncode == 0, install.stderr
    _git(repo, "add", "-A")
    clean = _git(repo, "commit", "-qm", "the recordings, clean")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for container, (source, place, anchor) in PLANTS.items():
        original = (FIXTURES / source).read_bytes()
        (repo / place).write_bytes(_planted(original, anchor, container == "httprr"))
        _git(repo, "add", place)
        blocked = _git(repo, "commit", "-qm", f"a key in a {container} file")
        output = blocked.stdout + blocked.stderr
        assert blocked.returncode != 0, (container, output)
        assert "RC203" in output or "to scrub" in output, (container, output)
        assert place in output, (container, output)
        (repo / place).write_bytes(original)
        _git(repo, "add", place)
    assert _git(repo, "status", "--porcelain").stdout == ""
