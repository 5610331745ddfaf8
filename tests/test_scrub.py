"""``recctl scrub``: every kind of planted key, in every container, removed with
replay intact; VCR.py itself replays the scrubbed cassettes."""

from __future__ import annotations

import base64
import gzip
import inspect
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from recctl.io import dumps_like_recorder
from recctl.ogx.hashing import judge_name

from conftest import CORPUS, FIXTURES, run

OPENAI = "sk-proj-" + "Ab3dEf9hIj2lMn0pQr7tUv1xYz5" * 2
ANTHROPIC = "sk-ant-api03-Zq8Wv4Xp1Ls9Km3Jn7Hb2Gc6Fd0Sa5"
GOOGLE = "AIzaSyD4k8Jx2mQ7vN9pR3sT6wY1zB5cE8fH0jL"
VENDOR = "3f2b8c1e-9d4a-4e7b-8c2f-1a5b6d7e8f90"
AWS = "AKIAZ7Q4R2M6T8W3X5Y9"
POSTHOG = "phc_k4J8m2N6p0Q3r7S1t5V9w2X6y0Z4a8B1c5D9e3"
PLANTED = (OPENAI, ANTHROPIC, GOOGLE, VENDOR, AWS, POSTHOG)
CASSETTE = (
    FIXTURES / "cassettes/openllmetry/packages/opentelemetry-instrumentation-openai/tests"
    "/traces/cassettes/test_vision/test_vision.yaml"
)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.email=t@t", "-c", "user.name=t", *args],
        cwd=repo,
        capture_output=True,
        check=True,
    )
    return done.stdout.decode()


def _leaky_cassette(target: Path) -> Path:
    """A real cassette with a key of every kind planted: headers (a Bearer key, a
    vendor UUID key, SigV4), the query string, a JSON request body, and inside the
    gzip body stored as ``!!binary``."""
    text = CASSETTE.read_text()
    sigv4 = f"AWS4-HMAC-SHA256 Credential={AWS}/20250101/us-east-1/bedrock/aws4_request"
    text = text.replace(
        "      accept:\n      - application/json\n",
        "      accept:\n      - application/json\n"
        f"      authorization:\n      - Bearer {OPENAI}\n"
        f"      X-Acme-Api-Key:\n      - {VENDOR}\n"
        f"      x-amz-authorization:\n      - {sigv4}\n",
        1,
    )
    text = text.replace(
        "uri: https://api.openai.com/v1/chat/completions",
        f"uri: https://api.openai.com/v1/chat/completions?key={GOOGLE}",
        1,
    )
    text = text.replace(
        '"model": "gpt-4-vision-preview"}',
        f'"model": "gpt-4-vision-preview", "api_key": "{POSTHOG}"}}',
        1,
    )
    block = re.search(r"!!binary \|\n((?:        [A-Za-z0-9+/=]+\n)+)", text)
    assert block is not None
    body = gzip.decompress(base64.b64decode("".join(block.group(1).split())))
    body = body.replace(b'"content":', f'"echo": "{ANTHROPIC}", "content":'.encode(), 1)
    lines = base64.encodebytes(gzip.compress(body, mtime=0)).decode().splitlines()
    text = (
        text[: block.start(1)]
        + "".join(f"        {line}\n" for line in lines)
        + text[block.end(1) :]
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    return target


def _leaky_recording(directory: Path) -> Path:
    """A real ogx recording with a key in its hashed request, under its hash's name."""
    source = next(p for p in sorted(CORPUS.rglob("*.json")) if '"messages"' in p.read_text())
    recording = json.loads(source.read_text())
    recording["request"]["body"]["messages"][0]["content"] = f"use the key {OPENAI} please"
    name = judge_name(source.name, recording).expected
    assert name is not None
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_bytes(dumps_like_recorder(recording))
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _leaky_cassette(tmp_path / "tests/cassettes/test_vision.yaml")
    _leaky_recording(tmp_path / "tests/integration/agents/recordings")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "recordings")
    return tmp_path


def _in(repo: Path, *args: str) -> Any:
    cwd = os.getcwd()
    os.chdir(repo)
    try:
        return run(*args)
    finally:
        os.chdir(cwd)


def test_every_planted_key_is_found_then_scrubbed_and_replay_survives(repo: Path) -> None:
    before = _in(repo, "validate", "-o", "json", "tests")
    assert {f["code"] for f in json.loads(before.stdout)["findings"]} == {"RC203"}
    answers_before = json.loads(_in(repo, "reassemble", "-o", "json", "tests").stdout)
    result = _in(repo, "scrub", "-o", "json", "tests")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {
        "written",
        "scrubbed",
        "clean",
        "errors",
        "refused",
        "notes",
        "history",
        "known",
    }
    kinds = sorted(s["kind"] for f in report["scrubbed"] for s in f["secrets"])
    assert kinds == [
        "anthropic-key",
        "api-key",
        "aws-access-key-id",
        "google-key",
        "openai-key",
        "openai-key",
        "posthog-key",
    ]
    [cassette] = [f for f in report["scrubbed"] if f["path"].endswith(".yaml")]
    assert cassette["reencoded"] and "filter_query_parameters=['key']" in cassette["replay"][0]
    [recording] = [f for f in report["scrubbed"] if f["path"].endswith(".json")]
    assert recording["renamed_to"] is not None
    assert report["history"] and all(entry["commits"] for entry in report["history"])
    after = _in(repo, "validate", "-o", "json", "tests")
    assert after.exit_code == 0, after.stdout  # no RC203, and RC204: the rename is right
    answers_after = json.loads(_in(repo, "reassemble", "-o", "json", "tests").stdout)
    for item in answers_before + answers_after:
        item.pop("path")
    assert answers_after == answers_before
    for path in repo.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            raw = path.read_bytes()
            assert not any(secret.encode() in raw for secret in PLANTED), path
    again = _in(repo, "scrub", "--check", "tests")
    assert again.exit_code == 0 and "0 files to scrub" in again.stdout


def test_a_scrubbed_file_changes_only_where_its_secrets_were(repo: Path) -> None:
    _in(repo, "scrub", "tests")
    diff = _git(repo, "diff", "-U0", "--", "tests/cassettes")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    plain = [line for line in changed if not re.fullmatch(r"[+-] {8}[A-Za-z0-9+/=]+", line)]
    assert len(plain) == 10  # five lines with a secret, each removed and added
    assert all("REDACTED-" in line for line in plain if line.startswith("+"))
    stat = _git(repo, "diff", "--stat", "--", "tests/cassettes")
    assert "1 file changed" in stat


def test_nothing_is_written_with_check_or_diff_and_no_secret_is_printed(repo: Path) -> None:
    before = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    for args in (("--check",), ("--diff",), ("--check", "-o", "json")):
        result = _in(repo, "scrub", *args, "tests")
        assert result.exit_code == 1
        assert not any(secret in result.output for secret in PLANTED)
    diff = _in(repo, "scrub", "--diff", "tests").stdout
    assert "+      - Bearer REDACTED-openai-key" in diff and "-      - Bearer sk-pro…" in diff
    after = {p: p.read_bytes() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts}
    assert after == before


def test_a_projects_own_names_and_patterns(tmp_path: Path) -> None:
    cassette = tmp_path / "cassettes/test_x.yaml"
    cassette.parent.mkdir()
    shutil.copy(CASSETTE, cassette)
    text = cassette.read_text().replace(
        "      accept:\n      - application/json\n",
        "      accept:\n      - application/json\n      x-session:\n      - short1\n",
        1,
    )
    cassette.write_text(
        text.replace("What\n      is in this image?", "What is ticket TKT-12345?", 1)
    )
    assert run("scrub", "--check", str(tmp_path)).exit_code == 0  # nothing RC203 knows
    result = run(
        "scrub",
        "--key",
        "X-Session",
        "--pattern",
        r"TKT-(\d+)",
        "--placeholder",
        "XX-{kind}",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    scrubbed = cassette.read_text()
    assert "short1" not in scrubbed and "12345" not in scrubbed
    assert "- XX-credential" in scrubbed and "TKT-XX-credential" in scrubbed
    assert run("scrub", "--pattern", "(", str(tmp_path)).exit_code == 2
    assert run("scrub", "--placeholder", "{other}", str(tmp_path)).exit_code == 2
    assert run("scrub", "--key", "a b", str(tmp_path)).exit_code == 2


def test_a_gzip_cassette_is_scrubbed_inside_and_reported_reencoded(tmp_path: Path) -> None:
    plain = _leaky_cassette(tmp_path / "work/test_vision.yaml")
    packed = tmp_path / "cassettes/test_vision.yaml.gz"
    packed.parent.mkdir()
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    result = run("scrub", "-o", "json", str(packed))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scrubbed"][0]["reencoded"]
    inner = gzip.decompress(packed.read_bytes())
    assert not any(secret.encode() in inner for secret in PLANTED)
    assert run("validate", str(packed)).exit_code == 0


def test_broken_files_and_other_yaml_are_reported_not_scrubbed(tmp_path: Path) -> None:
    (tmp_path / "cassettes").mkdir()
    (tmp_path / "cassettes/broken.yaml").write_text("interactions: [\n")
    (tmp_path / "cassettes/other.yaml").write_text("name: ci\n")
    result = run("scrub", "-o", "json", str(tmp_path))
    report = json.loads(result.stdout)
    assert result.exit_code == 2 and report["errors"][0]["path"].endswith("broken.yaml")
    assert report["notes"][0]["path"].endswith("other.yaml")


# --- VCR.py replays what scrub wrote ------------------------------------------------


def _replays(scrubbed: Path, original: Path, **options: Any) -> int:
    """How many of the original cassette's requests (real keys and all) VCR.py can
    still play from the scrubbed one, with the project's filters applied."""
    import vcr  # a test dependency: the real replayer
    from vcr.cassette import Cassette
    from vcr.request import Request

    config = vcr.VCR(**options).get_merged_config()
    accepted = inspect.signature(Cassette.__init__).parameters
    cassette = Cassette.load(
        path=str(scrubbed), **{k: v for k, v in config.items() if k in accepted}
    )
    played = 0
    for interaction in yaml.safe_load(original.read_text())["interactions"]:
        asked = interaction["request"]
        request = Request(asked["method"], asked["uri"], asked["body"], asked["headers"])
        played += cassette.can_play_response_for(request)
    return played


def test_vcrpy_replays_every_scrubbed_cassette(tmp_path: Path) -> None:
    originals = sorted((FIXTURES / "cassettes").rglob("*.yaml"))
    leaky = _leaky_cassette(tmp_path / "original/test_vision.yaml")
    copies = tmp_path / "cassettes"
    for number, source in enumerate([*originals, leaky]):
        target = copies / f"{number:03d}" / source.name
        target.parent.mkdir(parents=True)
        shutil.copy(source, target)
    result = run("scrub", "-o", "json", str(copies))
    assert result.exit_code in (0, 1), result.output  # 1: a file left alone, said why
    scrubbed = {Path(f["path"]).parent.name for f in json.loads(result.stdout)["scrubbed"]}
    assert f"{len(originals):03d}" in scrubbed
    checked = 0
    for number, source in enumerate([*originals, leaky]):
        target = copies / f"{number:03d}" / source.name
        document = yaml.safe_load(source.read_text()) if "xai" not in source.name else None
        if not isinstance(document, dict) or not isinstance(document.get("interactions"), list):
            continue  # gRPC and other layouts VCR.py does not read
        interactions = document["interactions"]
        if not interactions or not all("uri" in i.get("request", {}) for i in interactions):
            continue
        if any(
            "parsed_body" in i["request"] or "parsed_body" in i["response"] for i in interactions
        ):
            continue  # pydantic-ai's layout: its own VCR.py serializer reads it
        filters = {"filter_query_parameters": ["key"]} if source == leaky else {}
        assert _replays(target, source, **filters) == len(interactions), source
        checked += 1
    assert checked >= 10
    # The setting the output names is what keeps it matching: without it, the request
    # that carried the key (one of three) finds nothing to play.
    assert _replays(copies / f"{len(originals):03d}" / leaky.name, leaky) == 2


def test_a_linked_cassette_and_one_outside_the_root_are_left_alone(tmp_path: Path) -> None:
    outside = _leaky_cassette(tmp_path / "elsewhere/test_vision.yaml")
    root = tmp_path / "repo"
    (root / "cassettes").mkdir(parents=True)
    (root / "cassettes/test_vision.yaml").symlink_to(outside)
    before = outside.read_bytes()
    result = run("scrub", "-o", "json", str(root))
    assert result.exit_code == 1
    [refused] = json.loads(result.stdout)["refused"]
    assert "symbolic link" in refused["reason"]
    assert outside.read_bytes() == before


def test_a_credential_in_a_form_body_is_found_and_scrubbed(tmp_path: Path) -> None:
    cassette = tmp_path / "cassettes/test_form.yaml"
    cassette.parent.mkdir()
    shutil.copy(CASSETTE, cassette)
    text = cassette.read_text()
    start, end = text.index("    body: '{"), text.index("    headers:")
    form = f"grant_type=client_credentials&client_secret={VENDOR}&scope=all"
    cassette.write_text(text[:start] + f"    body: {form}\n" + text[end:])
    found = json.loads(run("validate", "-o", "json", str(cassette)).stdout)["findings"]
    assert [f["pointer"] for f in found] == ["$.interactions[0].request.body"]
    assert run("scrub", str(cassette)).exit_code == 0
    assert "client_secret=REDACTED-secret&scope=all" in cassette.read_text()


def test_a_key_inside_a_ruby_binary_stream_is_scrubbed_and_reencoded(tmp_path: Path) -> None:
    source = (
        FIXTURES
        / "formats/ruby-openai/spec/fixtures/cassettes/deepseek_deepseek-chat_streamed_chat.yml"
    )
    text = source.read_text()
    block = re.search(r"string: !binary \|-\n        ([A-Za-z0-9+/=]+)\n", text)
    assert block is not None
    stream = base64.b64decode(block.group(1)).replace(
        b'"content":"Hello"', f'"content":"Hello {OPENAI}"'.encode(), 1
    )
    planted = text[: block.start(1)] + base64.b64encode(stream).decode() + text[block.end(1) :]
    target = tmp_path / "cassettes/deepseek.yml"
    target.parent.mkdir()
    target.write_text(planted)
    answer = _scrubbed_and_reencoded(target)
    assert answer["choices"][0]["text"].startswith("Hello REDACTED-openai-key")
    lines = target.read_text().splitlines()
    assert len(lines) == len(text.splitlines())  # one base64 line stays one line


def test_a_key_inside_a_polly_gzip_chunk_array_is_scrubbed(tmp_path: Path) -> None:
    source = next(
        (FIXTURES / "formats/openllmetry-js/packages/instrumentation-openai").rglob(
            "should-set-attributes-in-span-for-chat_*/recording.har"
        )
    )
    har = json.loads(source.read_text())
    content = har["log"]["entries"][0]["response"]["content"]
    chunks = json.loads(content["text"])
    body = gzip.decompress(b"".join(base64.b64decode(c) for c in chunks))
    body = body.replace(b'"content":', f'"echo": "{OPENAI}", "content":'.encode(), 1)
    content["text"] = json.dumps([base64.b64encode(gzip.compress(body)).decode()])
    target = tmp_path / "recordings/chat/recording.har"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(har, indent=2))
    answer = _scrubbed_and_reencoded(target)
    assert answer["kind"] == "chat_completion" and answer["choices"][0]["text"]


def _scrubbed_and_reencoded(target: Path) -> Any:
    """Scrub a file whose only secret is inside an encoded body: validate finds it
    before, not after, and the file is reported re-encoded. Its first answer."""
    assert run("validate", str(target)).exit_code == 1
    result = run("scrub", "-o", "json", str(target))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scrubbed"][0]["reencoded"]
    assert run("validate", str(target)).exit_code == 0
    return json.loads(run("reassemble", "-o", "json", str(target)).stdout)[0]
