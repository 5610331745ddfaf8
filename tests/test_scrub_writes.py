"""Writes that keep their container's framing and prove it: httprr byte counts and
lengths recomputed, a rewrite that would change more than the secrets refused, replay
advice in each replayer's own terms, leftover clean-up confined to the root."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from recctl import containers
from recctl.containers import httprr, polly_id

from conftest import FIXTURES, run

OPENAI = "sk-proj-" + "Ab3dEf9hIj2lMn0pQr7tUv1xYz5" * 2
GOOGLE = "AIzaSyD4k8Jx2mQ7vN9pR3sT6wY1zB5cE8fH0jL"


def _exchange(request: bytes, response: bytes) -> bytes:
    return b"%d %d\n" % (len(request), len(response)) + request + response


def _request(url: str, body: bytes, *headers: bytes) -> bytes:
    head = b"POST " + url.encode() + b" HTTP/1.1\r\nHost: api.example.com\r\n"
    head += b"".join(header + b"\r\n" for header in headers)
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


def _chunked(body: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
    return head + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def _plain(body: bytes, *headers: bytes) -> bytes:
    head = b"HTTP/1.1 200 OK\r\n" + b"".join(header + b"\r\n" for header in headers)
    return head + b"Content-Length: %d\r\n\r\n" % len(body) + body


def _leaky_trace() -> bytes:
    """Keys in a header, a URL, a request body that holds a counts line of its own, a
    chunked stream and a gzip body: every place where a byte count must move."""
    first = _request(
        "https://api.example.com/v1/chat",
        b'{"model":"m"}',
        b"Authorization: Bearer " + OPENAI.encode(),
    )
    second = _request(
        f"https://api.example.com/v1/x?key={GOOGLE}", b'12 34\n{"note":"' + OPENAI.encode() + b'"}'
    )
    zipped = gzip.compress(b'{"echo":"' + OPENAI.encode() + b'"}', mtime=0)
    stream = b'data: {"choices":[{"delta":{"content":"' + OPENAI.encode() + b'"}}]}\n\n'
    return (
        httprr.MAGIC
        + _exchange(first, _chunked(stream))
        + _exchange(second, _plain(zipped, b"Content-Encoding: gzip"))
    )


@pytest.mark.parametrize("zipped", [False, True], ids=["httprr", "httprr.gz"])
def test_scrub_reframes_an_httprr_trace(tmp_path: Path, zipped: bool) -> None:
    raw = _leaky_trace()
    trace = tmp_path / "testdata" / ("TestX.httprr.gz" if zipped else "TestX.httprr")
    trace.parent.mkdir()
    trace.write_bytes(gzip.compress(raw, mtime=0) if zipped else raw)
    before = containers.load(str(trace))

    done = run("scrub", "-o", "json", str(trace))

    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["scrubbed"][0]["reencoded"]
    written = trace.read_bytes()
    data = gzip.decompress(written) if zipped else written
    assert OPENAI.encode() not in data and GOOGLE.encode() not in data
    after = containers.load(str(trace))
    assert not after.issues
    assert [(e.method, e.status) for e in after.exchanges] == [
        (e.method, e.status) for e in before.exchanges
    ]
    assert after.exchanges[1].url == "https://api.example.com/v1/x?key=REDACTED-google-key"
    assert after.exchanges[1].request.body == '12 34\n{"note":"REDACTED-openai-key"}'
    assert after.exchanges[1].response.body == {"echo": "REDACTED-openai-key"}
    assert after.exchanges[0].events == [
        {"choices": [{"delta": {"content": "REDACTED-openai-key"}}]}
    ]
    # Every Content-Length that was true still is.
    for request, response in httprr._frames(data):
        for message in (request, response):
            head, _, body = message.partition(b"\r\n\r\n")
            length = httprr._CONTENT_LENGTH.search(head)
            if length is not None:
                assert int(length.group(2)) == len(body)
    assert run("scrub", "--check", str(trace)).exit_code == 0  # nothing left


def test_an_untouched_trace_is_not_rewritten(tmp_path: Path) -> None:
    source = next(FIXTURES.glob("formats/adk-go/**/*.httprr"))
    raw = source.read_bytes()
    rewritten, recompressed = httprr.rewrite(raw, lambda data: data)
    assert (rewritten, recompressed) == (raw, False)


def test_a_chunk_size_is_hex_digits_only() -> None:
    for size in (b"-10", b"+5", b"0x5", b" "):
        with pytest.raises(ValueError, match="not a chunk size"):
            httprr.dechunk(size + b"\r\nhello\r\n0\r\n\r\n")


def test_a_content_length_that_lies_is_a_finding(tmp_path: Path) -> None:
    request = _request("https://api.example.com/v1/chat", b"{}")
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 99999999\r\n\r\n{}"
    trace = tmp_path / "lies.httprr"
    trace.write_bytes(httprr.MAGIC + _exchange(request, response))
    done = run("validate", str(trace))
    assert done.exit_code == 1
    assert "Content-Length says 99999999, the body has 2 bytes" in done.stdout


def test_a_rewrite_that_would_change_more_than_the_secret_is_refused(tmp_path: Path) -> None:
    """A pattern whose match is also a YAML key: replacing it everywhere would turn
    the request's ``uri:`` into another key. The proof sees the URL go and refuses."""
    cassette = tmp_path / "cassettes" / "test_x.yaml"
    cassette.parent.mkdir()
    text = (
        'interactions:\n- request:\n    body: \'{"field": "uri"}\'\n    headers: {}\n'
        "    method: POST\n    uri: https://api.example.com/v1/chat\n"
        "  response:\n    body:\n      string: '{}'\n    headers: {}\n"
        "    status:\n      code: 200\n      message: OK\nversion: 1\n"
    )
    cassette.write_text(text)
    done = run("scrub", "--pattern", r"\b(uri)\b", str(cassette))
    assert done.exit_code == 1
    assert "left alone" in done.stdout and "URL" in done.stdout
    assert cassette.read_text() == text


@pytest.mark.parametrize(
    ("sample", "said", "never"),
    [
        (
            "formats/ruby-openai/spec/fixtures/cassettes/gpt-3_5-turbo_chat.yml",
            "VCR.request_matchers.uri_without_params(:key)",
            "filter_query_parameters",
        ),
        (
            "formats/anthropic-sdk-go/toolrunner/testdata/cassettes/tool_runner_basic.yaml",
            'the query parameters "key"',
            "filter_query_parameters",
        ),
        (
            "cassettes/openllmetry/packages/opentelemetry-instrumentation-openai/tests"
            "/traces/cassettes/test_vision/test_vision.yaml",
            "filter_query_parameters=['key']",
            "request_matchers",
        ),
    ],
    ids=["ruby-vcr", "go-vcr", "vcrpy"],
)
def test_replay_advice_is_in_the_replayers_own_terms(
    tmp_path: Path, sample: str, said: str, never: str
) -> None:
    source = FIXTURES / sample
    target = tmp_path / sample
    target.parent.mkdir(parents=True)
    text = source.read_text()  # the first request's URL gets the key
    url_key = "uri: " if "uri: " in text else "url: "
    at = text.index(url_key) + len(url_key)
    end = text.index("\n", at)
    url = text[at:end]
    text = text[:at] + url + ("&" if "?" in url else "?") + f"key={GOOGLE}" + text[end:]
    target.write_text(text)
    done = run("scrub", "-o", "json", str(target))
    assert done.exit_code == 0, done.output
    advice = " ".join(json.loads(done.stdout)["scrubbed"][0]["replay"])
    assert said in advice and never not in advice


def test_leftovers_are_removed_inside_the_root_never_through_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "repo"
    outside = tmp_path / "outside"
    (repo / ".git").mkdir(parents=True)
    outside.mkdir()
    cassettes = repo / "tests" / "cassettes"
    cassettes.mkdir(parents=True)
    (repo / "tests" / "linked").symlink_to(outside)
    sample = (
        FIXTURES / "cassettes/openllmetry/packages/opentelemetry-instrumentation-openai/tests"
        "/traces/cassettes/test_vision/test_vision.yaml"
    )
    (cassettes / "test_a.yaml").write_bytes(sample.read_bytes())
    (outside / "test_b.yaml").write_bytes(sample.read_bytes())
    dead = 2**22 + 12345  # above the default pid range: no such process
    inside_leftover = cassettes / f".recctl-{dead}-x.tmp"
    outside_leftover = outside / f".recctl-{dead}-y.tmp"
    for leftover in (inside_leftover, outside_leftover):
        leftover.write_text("half-written")
    monkeypatch.chdir(repo)
    run("scrub", str(repo / "tests"), str(repo / "tests" / "linked" / "test_b.yaml"))
    assert not inside_leftover.exists()
    assert outside_leftover.exists()


HAR = (
    FIXTURES / "formats/openllmetry-js/packages/instrumentation-openai/test/recordings"
    "/Test-OpenAI-instrumentation_1770406427/should-set-attributes-in-span-for-chat_1427850401"
    "/recording.har"
)


def _har_with_header_key(target: Path, hand_written_id: str | None = None) -> dict[str, Any]:
    """The HAR sample with a key planted in a request header, its ``_id`` the one Polly
    computes with headers matched (Polly's default), or one written by hand; the
    planted entry."""
    document = json.loads(HAR.read_text())
    entry = document["log"]["entries"][0]
    entry["request"]["headers"].append({"name": "x-api-key", "value": OPENAI})
    entry["_id"] = hand_written_id or polly_id.entry_id(entry["request"], polly_id.DEFAULT)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(document, indent=2))
    planted: dict[str, Any] = entry
    return planted


def test_scrub_gives_an_edited_polly_entry_the_id_polly_computes(tmp_path: Path) -> None:
    har = tmp_path / "recordings" / "x_1" / "recording.har"
    planted = _har_with_header_key(har)

    done = run("scrub", "-o", "json", str(har))

    assert done.exit_code == 0, done.output
    entry = json.loads(har.read_text())["log"]["entries"][0]
    assert {"name": "x-api-key", "value": "REDACTED-openai-key"} in entry["request"]["headers"]
    assert entry["_id"] == polly_id.entry_id(entry["request"], polly_id.DEFAULT)
    assert entry["_id"] != planted["_id"]
    advice = " ".join(json.loads(done.stdout)["scrubbed"][0]["replay"])
    assert "matchRequestsBy.headers as {exclude: ['x-api-key']}" in advice
    assert "filter_query_parameters" not in advice


def test_scrub_refuses_an_edit_of_a_polly_entry_whose_id_polly_never_computes(
    tmp_path: Path,
) -> None:
    har = tmp_path / "recordings" / "x_1" / "recording.har"
    _har_with_header_key(har, hand_written_id="bedrock_anthropic_cache_001")
    before = har.read_bytes()

    done = run("scrub", str(har))

    assert done.exit_code == 1
    assert "_id is not one Polly computes" in done.output and "left alone" in done.output
    assert har.read_bytes() == before
