"""``recctl scrub`` keeps replay intact, proved with the recording libraries themselves.

For every fixture file of each container, a copy gets a Google key planted in the URL
of every request and an API key in its headers (edited in the file's own syntax).
Each replayer (``tests/replayers/``: Ruby VCR 5 with WebMock, go-vcr v1, an httprr
reader, Polly.JS 6, VCR.py) replays every interaction in strict replay mode before
scrub, then ``recctl scrub`` runs, then every interaction is replayed again: the
request the test sends (its key still in it) with the replayer set as scrub's advice
says, and the request as stored after scrub. Each served status and body must be the
recorded one, byte for byte.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import FIXTURES, ROOT

pytestmark = pytest.mark.slow

REPLAYERS = ROOT / "tests/replayers"
GOPATH_SOURCES = Path("/usr/share/gocode")
GOOGLE = "AIzaSyA1b2C3d4E5f6G7h8I9j0KlMnOpQrStUvW"  # AIza + 35
ANTHROPIC = (
    "sk-ant-api03-" + "Qw7Er2Ty9Ui4Op1As6Df3Gh8Jk5Lz0Xc" * 2 + "Vb3Nm8Qw1Er6Ty4Ui9Op"
)  # + 80
OPENAI = "sk-proj-" + "Mn4Bv8Cx2Za6Sd0Fg3Hj7Kl1Qp5Wo9Ei" * 2  # + 64
PLANTED = {GOOGLE: "REDACTED-google-key", ANTHROPIC: "REDACTED-anthropic-key"}
PLANTED[OPENAI] = "REDACTED-openai-key"


@dataclass(frozen=True)
class Request:
    method: str
    url: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def plan(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "url": self.url,
            "headers": [list(pair) for pair in self.headers],
            "body": base64.b64encode(self.body).decode(),
        }


@dataclass(frozen=True)
class Call:
    """One recorded interaction: the request stored and the response to serve."""

    request: Request
    status: int
    response: bytes


def with_key(url: str) -> str:
    return url + ("&" if "?" in url else "?") + f"key={GOOGLE}"


def scrubbed(text: str) -> str:
    for secret, placeholder in PLANTED.items():
        text = text.replace(secret, placeholder)
    return text


def _planted_header(headers: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """The header a request gets: its own Authorization or x-api-key, else x-api-key."""
    names = {name.lower() for name, _ in headers}
    if "authorization" in names:
        return ("authorization", f"Bearer {OPENAI}")
    return ("x-api-key", ANTHROPIC)


# --- YAML cassettes (Ruby VCR, go-vcr, VCR.py): edited as text, indentation kept ---


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _plant_url(line: str) -> str:
    key, value = line.rstrip("\n").split(": ", 1)
    if value[:1] in "'\"":
        assert value[-1] == value[0], f"a URL on several lines: {line!r}"
        return f"{key}: {value[0]}{with_key(value[1:-1])}{value[0]}\n"
    return f"{key}: {with_key(value)}\n"


def _plant_headers(block: list[str], at: int) -> list[str]:
    """The request's header mapping (``block[at]`` is ``headers:``) with the planted
    header: an existing Authorization or x-api-key gets the key as its only value."""
    child = _indent(block[at])
    if block[at].rstrip().endswith("{}"):
        block[at] = block[at].replace("{}", "").rstrip() + "\n"
    end = at + 1
    while end < len(block) and (not block[end].strip() or _indent(block[end]) > child):
        end += 1
    names = [
        n
        for n in range(at + 1, end)
        if _indent(block[n]) == child + 2 and block[n][child + 2] != "-"
    ]
    existing = [(block[n].strip()[:-1], n) for n in names]
    pairs = tuple((name, "") for name, _ in existing)
    name, value = _planted_header(pairs)
    pad = " " * (child + 2)
    for found, n in existing:
        if found.lower() == name:
            stop = next((m for m in names if m > n), end)
            return [*block[: n + 1], f"{pad}- {value}\n", *block[stop:]]
    return [*block[: at + 1], f"{pad}{name}:\n", f"{pad}- {value}\n", *block[at + 1 :]]


def plant_yaml(path: Path) -> None:
    """A key in the URL and the headers of every ``request:`` mapping."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    out: list[str] = []
    n = 0
    while n < len(lines):
        found = re.match(r"( *)(- )?request:\s*$", lines[n])
        out.append(lines[n])
        n += 1
        if not found:
            continue
        parent = len(found[1]) + (2 if found[2] else 0)
        start = n
        while n < len(lines) and (not lines[n].strip() or _indent(lines[n]) > parent):
            n += 1
        block = lines[start:n]
        child = _indent(block[0])
        for m, line in enumerate(block):
            if _indent(line) == child and re.match(r" *(uri|url): ", line):
                block[m] = _plant_url(line)
        at = next(
            m
            for m, line in enumerate(block)
            if line == " " * child + "headers:\n"
            or (_indent(line) == child and line.strip() == "headers: {}")
        )
        out += _plant_headers(block, at)
    path.write_text("".join(out), encoding="utf-8")


class _RubyLoader(yaml.SafeLoader):  # type: ignore[misc]
    """PyYAML's safe loader taught Ruby's ``!binary`` (base64 bytes)."""


_RubyLoader.add_constructor(
    "!binary",
    lambda loader, node: base64.b64decode("".join(loader.construct_scalar(node).split())),
)


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def _header_pairs(headers: Any) -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(name), str(value))
        for name, values in (headers or {}).items()
        for value in (values if isinstance(values, list) else [values])
    )


def read_ruby(path: Path) -> list[Call]:
    def body(side: dict[str, Any]) -> bytes:
        stored = side.get("body") or {}
        if "base64_string" in stored:
            return base64.b64decode(stored["base64_string"])
        return _bytes(stored.get("string"))

    document = yaml.load(path.read_text(encoding="utf-8"), Loader=_RubyLoader)
    return [
        Call(
            Request(
                item["request"]["method"].upper(),
                item["request"]["uri"],
                _header_pairs(item["request"].get("headers")),
                body(item["request"]),
            ),
            int(item["response"]["status"]["code"]),
            body(item["response"]),
        )
        for item in document["http_interactions"]
    ]


def read_govcr(path: Path) -> list[Call]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Call(
            Request(
                item["request"]["method"],
                item["request"]["url"],
                _header_pairs(item["request"].get("headers")),
                _bytes(item["request"].get("body")),
            ),
            int(item["response"]["code"]),
            _bytes(item["response"].get("body")),
        )
        for item in document["interactions"]
    ]


def read_vcrpy(path: Path) -> list[Call]:
    """As VCR.py reads it; a ``parsed_body`` as pydantic-ai's serializer dumps it."""

    def body(side: dict[str, Any], response: bool) -> bytes:
        if "parsed_body" in side:
            return json.dumps(side["parsed_body"]).encode()
        stored = side.get("body")
        return _bytes(stored.get("string") if response and isinstance(stored, dict) else stored)

    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Call(
            Request(
                item["request"]["method"],
                item["request"]["uri"],
                _header_pairs(item["request"].get("headers")),
                body(item["request"], False),
            ),
            int(item["response"]["status"]["code"]),
            body(item["response"], True),
        )
        for item in document["interactions"]
    ]


# --- httprr: raw requests edited, byte counts recomputed ---------------------------

_HTTPRR = b"httprr trace v1\n"


def plant_httprr(path: Path) -> None:
    data = path.read_bytes()
    assert data.startswith(_HTTPRR)
    rest, out = data[len(_HTTPRR) :], [_HTTPRR]
    while rest:
        line, rest = rest.split(b"\n", 1)
        sizes = [int(size) for size in line.split()]
        request, response, rest = rest[: sizes[0]], rest[sizes[0] : sum(sizes)], rest[sum(sizes) :]
        first, headers = request.split(b"\r\n", 1)
        method, url, proto = first.decode().split(" ")
        request = f"{method} {with_key(url)} {proto}\r\nX-Api-Key: {ANTHROPIC}\r\n".encode()
        request += headers
        out += [f"{len(request)} {len(response)}\n".encode(), request, response]
    path.write_bytes(b"".join(out))


# --- Polly.JS HAR: JSON edited, each entry's _id recomputed --------------------------


def _polly_id() -> Any:
    try:
        from recctl.containers import polly_id  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        pytest.skip("recctl/containers/polly_id.py is not there yet: Polly ids cannot be computed")
    return polly_id


def plant_har(path: Path) -> dict[str, Any]:
    """The key in every request; each entry's ``_id`` recomputed under the file's
    match, so that Polly finds the planted request. The adapter and matchRequestsBy
    to replay with."""
    polly_id = _polly_id()
    har = json.loads(path.read_text(encoding="utf-8"))
    entries = har["log"]["entries"]
    match = polly_id.match_of_file(entries)
    assert match is not None, f"{path}: polly_id finds no matchRequestsBy giving its _ids"
    for entry in entries:
        request = entry["request"]
        request["url"] = with_key(request["url"])
        request.setdefault("queryString", []).append({"name": "key", "value": GOOGLE})
        pairs = tuple((h["name"], h["value"]) for h in request["headers"])
        name, value = _planted_header(pairs)
        kept = [h for h in request["headers"] if h["name"].lower() != name]
        request["headers"] = [*kept, {"name": name, "value": value}]
        entry["_id"] = polly_id.entry_id(request, match)
    path.write_text(json.dumps(har, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    # The adapter it was recorded with: node-http stores the host header, fetch not.
    node = any(h["name"].lower() == "host" for e in entries for h in e["request"]["headers"])
    return {"adapter": "node-http" if node else "fetch", "match": match.polly_config()}


def read_har(path: Path) -> list[Call]:
    def body(content: dict[str, Any], headers: list[dict[str, str]]) -> bytes:
        text = content.get("text")
        if text is None:
            return b""
        encoded = any(h["name"].lower() == "content-encoding" for h in headers)
        if content.get("encoding") == "base64" and encoded and text.startswith("["):
            return b"".join(base64.b64decode(chunk) for chunk in json.loads(text))
        if content.get("encoding") == "base64":
            return base64.b64decode(text)
        return str(text).encode("utf-8")

    calls = []
    for entry in json.loads(path.read_text(encoding="utf-8"))["log"]["entries"]:
        request, response = entry["request"], entry["response"]
        calls.append(
            Call(
                Request(
                    request["method"],
                    request["url"],
                    tuple((h["name"], h["value"]) for h in request["headers"]),
                    str(request.get("postData", {}).get("text", "")).encode("utf-8"),
                ),
                int(response["status"]),
                body(response["content"], response["headers"]),
            )
        )
    return calls


# --- the replayers -----------------------------------------------------------------

Served = dict[str, Any]  # {"status", "body"} or {"error"}
Replay = list[tuple[Path, list[Request], Any]]  # each file, what to send, its options


@dataclass(frozen=True)
class Tools:
    go_bin: Path | None  # where the Go programs were built, None without Go
    govcr: bool  # go-vcr's sources were there
    tmp: Path


def _run_json(command: list[str], **env: str) -> Any:
    done = subprocess.run(
        command, capture_output=True, check=False, timeout=120, env={**os.environ, **env}
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
    return json.loads(done.stdout)


def _plan(tmp: Path, files: Replay, ignore_key: bool, **extra: Any) -> Path:
    plan = tmp / f"plan-{len(list(tmp.glob('plan-*')))}.json"
    items = [
        {"path": str(path), "ignore_key": ignore_key, "requests": [r.plan() for r in sent]}
        | (options or {})
        for path, sent, options in files
    ]
    plan.write_text(json.dumps({"files": items, **extra}))
    return plan


def _served(output: Any) -> list[list[Served]]:
    return [file["responses"] for file in output["files"]]


def serve_ruby(tools: Tools, files: Replay, ignore_key: bool) -> list[list[Served]]:
    plan = _plan(tools.tmp, files, ignore_key)
    return _served(_run_json(["ruby", str(REPLAYERS / "vcr_replay.rb"), str(plan)]))


def serve_govcr(tools: Tools, files: Replay, ignore_key: bool) -> list[list[Served]]:
    assert tools.go_bin is not None
    plan = _plan(tools.tmp, files, ignore_key)
    return _served(_run_json([str(tools.go_bin / "govcr"), str(plan)]))


def serve_vcrpy(tools: Tools, files: Replay, ignore_key: bool) -> list[list[Served]]:
    plan = _plan(tools.tmp, files, ignore_key)
    return _served(_run_json([sys.executable, str(REPLAYERS / "vcrpy_replay.py"), str(plan)]))


def serve_polly(tools: Tools, files: Replay, ignore_key: bool) -> list[list[Served]]:
    recordings = tools.tmp / f"polly-{len(list(tools.tmp.glob('polly-*')))}"
    plan = _plan(tools.tmp, files, ignore_key, recordings_dir=str(recordings))
    return _served(_run_json(["node", str(REPLAYERS / "polly_replay.js"), str(plan)]))


def _httprr_read(tools: Tools, path: Path) -> list[Call]:
    assert tools.go_bin is not None
    [trace] = _run_json([str(tools.go_bin / "httprr"), str(path)])["files"]
    assert not trace.get("error"), f"{path}: {trace['error']}"
    return [
        Call(
            Request(
                e["method"],
                e["url"],
                (("X-Api-Key", e["api_key"]),) if e["api_key"] else (),
                base64.b64decode(e["body"] or ""),
            ),
            e["status"],
            base64.b64decode(e["response"] or ""),
        )
        for e in trace["exchanges"]
    ]


def serve_httprr(tools: Tools, files: Replay, ignore_key: bool) -> list[list[Served]]:
    """httprr serves the response read at its byte count: what the reader reads."""
    return [
        [
            {"status": c.status, "body": base64.b64encode(c.response).decode()}
            for c in _httprr_read(tools, path)
        ]
        for path, _, _ in files
    ]


@dataclass(frozen=True)
class Container:
    name: str
    globs: tuple[str, ...]  # under fixtures/
    files: int  # what the fixtures hold: every one is replayed
    interactions: int
    plant: Callable[[Path], Any]  # edits a copy; gives the file's replay options
    read: Callable[[Tools, Path], list[Call]]
    serve: Callable[[Tools, Replay, bool], list[list[Served]]]
    #: After scrub, also send the original request (its key in it) under the advice.
    sends_original: bool = True
    skip: Callable[[Tools], str | None] = lambda tools: None


def _no_ruby(tools: Tools) -> str | None:
    if shutil.which("ruby") is None:
        return "no ruby (apt-get install ruby-vcr ruby-webmock)"
    check = subprocess.run(
        ["ruby", "-e", 'require "vcr"; require "webmock"'], capture_output=True, check=False
    )
    return (
        "no vcr or webmock gem (apt-get install ruby-vcr ruby-webmock)"
        if check.returncode
        else None
    )


def _no_go(tools: Tools) -> str | None:
    return None if tools.go_bin else "no go (apt-get install golang-go)"


def _no_govcr(tools: Tools) -> str | None:
    return _no_go(tools) or (
        None
        if tools.govcr
        else "no go-vcr sources (apt-get install golang-github-dnaeon-go-vcr-dev)"
    )


def _no_polly(tools: Tools) -> str | None:
    if shutil.which("node") is None:
        return "no node"
    if not (REPLAYERS / "node_modules/@pollyjs/core").is_dir():
        return "no Polly.JS: npm ci --prefix tests/replayers"
    return None


#: Files of fixtures/cassettes VCR.py has no HTTP interactions in (recctl notes them):
#: pydantic-ai's xAI gRPC recordings and a WebSocket session.
NOT_HTTP = (".xai.yaml", "test_message_history_seeding.yaml")

CONTAINERS = {
    c.name: c
    for c in (
        Container(
            "ruby-vcr",
            ("formats/ruby-openai/**/*.yml", "formats/alexrudall-anthropic/**/*.yml"),
            15,
            18,
            plant_yaml,
            lambda tools, path: read_ruby(path),
            serve_ruby,
            skip=_no_ruby,
        ),
        Container(
            "go-vcr",
            (
                "formats/anthropic-sdk-go/**/testdata/**/*.yaml",
                "formats/fantasy/**/testdata/**/*.yaml",
            ),
            19,
            27,
            plant_yaml,
            lambda tools, path: read_govcr(path),
            serve_govcr,
            skip=_no_govcr,
        ),
        Container(
            "httprr",
            ("formats/adk-go/**/*.httprr", "formats/oscar/**/*.httprr"),
            11,
            15,
            plant_httprr,
            _httprr_read,
            serve_httprr,
            sends_original=False,
            skip=_no_go,
        ),
        Container(
            "polly",
            ("formats/openllmetry-js/**/recording.har", "formats/mirascope/**/recording.har"),
            11,
            14,
            plant_har,
            lambda tools, path: read_har(path),
            serve_polly,
            sends_original=False,
            skip=_no_polly,
        ),
        Container(
            "vcrpy",
            ("cassettes/**/*.yaml",),
            13,
            20,
            plant_yaml,
            lambda tools, path: read_vcrpy(path),
            serve_vcrpy,
        ),
    )
}


@pytest.fixture(scope="session")
def go_bin(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path | None, bool]:
    """The Go programs, built once, offline, in GOPATH mode against Debian's sources."""
    if shutil.which("go") is None:
        return None, False
    out = tmp_path_factory.mktemp("go")
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": f"{out / 'gopath'}:{GOPATH_SOURCES}",
        "GOCACHE": str(out / "cache"),
        "GOFLAGS": "",
    }
    govcr = (GOPATH_SOURCES / "src/github.com/dnaeon/go-vcr").is_dir()
    for program in ("httprr", "govcr") if govcr else ("httprr",):
        built = subprocess.run(  # a relative package path: GOPATH mode wants one
            ["go", "build", "-o", str(out / program), f"./{program}"],
            cwd=REPLAYERS,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert built.returncode == 0, built.stderr
    return out, govcr


def _recctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "recctl", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _assert_served(
    what: str, files: list[Path], expected: dict[Path, list[Call]], served: list[list[Served]]
) -> int:
    """Every interaction served with its recorded status and body; how many."""
    wrong = []
    for path, responses in zip(files, served, strict=True):
        calls, name = expected[path], "/".join(path.parts[-2:])
        if len(responses) != len(calls):
            wrong.append(f"{name}: {len(responses)} responses for {len(calls)} requests")
        for n, (call, got) in enumerate(zip(calls, responses, strict=False)):
            if "error" in got:
                wrong.append(f"{name} #{n}: {got['error']}")
            elif got["status"] != call.status or base64.b64decode(got["body"]) != call.response:
                wrong.append(f"{name} #{n}: served {got['status']}, not the recorded answer")
    assert not wrong, f"{what}:\n" + "\n".join(wrong)
    return sum(len(responses) for responses in served)


@pytest.mark.parametrize("name", list(CONTAINERS))
def test_replay_survives_scrub(
    name: str,
    go_bin: tuple[Path | None, bool],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
) -> None:
    _replay_survives_scrub(name, go_bin, tmp_path, record_property)


#: Personal data planted where the keys go: an address in every request's URL, a phone
#: number in its Authorization or x-api-key header (neither looks like a credential).
EMAIL = "jane.doe@acme-corp.io"
PHONE = "+1-415-867-5309"


@pytest.mark.parametrize("name", list(CONTAINERS))
def test_replay_survives_scrub_pii(
    name: str,
    go_bin: tuple[Path | None, bool],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same, with an e-mail address and a phone number planted in every request
    and ``scrub --pii``: each replaced by its fake (the same in every file), and every
    file still replays, the request as stored after scrub (the test itself would send
    the fakes: no replay advice applies)."""
    from recctl.pii import fake

    module = sys.modules[__name__]
    monkeypatch.setattr(module, "GOOGLE", EMAIL)
    monkeypatch.setattr(module, "OPENAI", PHONE)
    monkeypatch.setattr(module, "ANTHROPIC", PHONE)
    monkeypatch.setattr(
        module, "PLANTED", {EMAIL: fake(EMAIL, "email"), PHONE: fake(PHONE, "phone")}
    )
    _replay_survives_scrub(name, go_bin, tmp_path, record_property, pii=True)


def _replay_survives_scrub(
    name: str,
    go_bin: tuple[Path | None, bool],
    tmp_path: Path,
    record_property: Callable[[str, object], None],
    pii: bool = False,
) -> None:
    container = CONTAINERS[name]
    if pii:  # the test sends what it sent when recording: the fakes after scrub
        container = replace(container, sends_original=False)
    tools = Tools(go_bin[0], go_bin[1], tmp_path / "work")
    tools.tmp.mkdir()
    if reason := container.skip(tools):
        pytest.skip(reason)
    sources = sorted({p for pattern in container.globs for p in FIXTURES.glob(pattern)})
    sources = [p for p in sources if not p.name.endswith(NOT_HTTP)]
    assert len(sources) == container.files
    root = tmp_path / "copy"
    copies = [root / p.relative_to(FIXTURES) for p in sources]
    options = {}
    for source, copy in zip(sources, copies, strict=True):
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
        options[copy] = container.plant(copy)

    # The planted file reads as the original with a key in every request.
    original = {c: container.read(tools, s) for s, c in zip(sources, copies, strict=True)}
    planted = {copy: container.read(tools, copy) for copy in copies}
    for copy in copies:
        assert len(planted[copy]) == len(original[copy])
        for before, after in zip(original[copy], planted[copy], strict=True):
            assert after.request.url == with_key(before.request.url)
            assert ANTHROPIC in dict(after.request.headers).values() or any(
                value == f"Bearer {OPENAI}" for _, value in after.request.headers
            ), after.request.headers
            assert replace(after, request=before.request) == before
    assert sum(map(len, planted.values())) == container.interactions
    leaky = {str(copy) for copy in copies if planted[copy]}
    validated = _recctl("validate", *(["--pii"] if pii else []), "-o", "json", str(root))
    assert validated.returncode == 1, validated.stdout
    findings = json.loads(validated.stdout)["findings"]
    assert {f["path"] for f in findings if f["code"] == ("RC208" if pii else "RC203")} == leaky

    # 1. Before scrub: strict replay, each request as planted.
    sent: Replay = [(c, [call.request for call in planted[c]], options[c]) for c in copies]
    replayed = {
        "before": _assert_served(
            "before scrub", copies, planted, container.serve(tools, sent, False)
        )
    }

    # 2. Scrub: every planted value gone from the bytes.
    result = _recctl("scrub", *(["--pii"] if pii else []), "-o", "json", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert not report["refused"] and not report["errors"], report
    for copy in copies:
        raw = copy.read_bytes()
        assert not [s for s in PLANTED if s.encode() in raw], copy

    # 3. After scrub: the stored requests hold placeholders where the keys were, and
    # every interaction is still served its recorded answer.
    stored = {copy: container.read(tools, copy) for copy in copies}
    for copy in copies:
        assert [c.request.url for c in stored[copy]] == [
            scrubbed(c.request.url) for c in planted[copy]
        ]
        assert [c.request.headers for c in stored[copy]] == [
            tuple((n, scrubbed(v)) for n, v in c.request.headers) for c in planted[copy]
        ]
        assert [(c.request.body, c.status, c.response) for c in stored[copy]] == [
            (c.request.body, c.status, c.response) for c in planted[copy]
        ]
    # Both sendings in one run: go-vcr replays its files concurrently (it sleeps for
    # each recorded duration), every file with a cassette of its own.
    as_stored: Replay = [(c, [call.request for call in stored[c]], options[c]) for c in copies]
    served = container.serve(tools, as_stored + (sent if container.sends_original else []), True)
    replayed["after, as stored"] = _assert_served(
        "after scrub, the request as stored", copies, planted, served[: len(copies)]
    )
    if container.sends_original:
        replayed["after, original request"] = _assert_served(
            "after scrub, the original request under the replay advice",
            copies,
            planted,
            served[len(copies) :],
        )
    record_property("files", len(copies))
    record_property("interactions", replayed)
    assert set(replayed.values()) == {container.interactions}, replayed
