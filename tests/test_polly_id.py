"""recctl.containers.polly_id: the ``_id`` Polly.JS gives a HAR entry.

Three checks: every real Polly recording under ``fixtures/formats/`` has its stored
ids reproduced by a variant; a few ids real Polly 6.0.6 computed are pinned here (no
Node needed); and a slow cross-check records synthetic requests with real Polly
(``tests/replayers/polly_id.js``) and compares every entry's ``_id`` with
``entry_id`` under each of ``VARIANTS``.

The cross-check needs ``node`` and the Polly packages: ``npm ci --prefix
tests/replayers`` installs them in ``tests/replayers/node_modules``; otherwise set
``RECCTL_POLLY_MODULES`` to a ``node_modules`` folder holding ``@pollyjs/core``,
``@pollyjs/adapter-node-http``, ``@pollyjs/adapter-fetch`` and ``@pollyjs/persister``
(e.g. ``RECCTL_POLLY_MODULES=/tmp/polly/node_modules``).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from recctl.containers import js_json, polly_id
from recctl.containers.polly_id import (
    DEFAULT,
    SECRET_HEADERS,
    VARIANTS,
    Match,
    entry_id,
    match_of,
    match_of_file,
)

from conftest import FIXTURES

FORMATS = FIXTURES / "formats"
HAR_FILES = sorted(FORMATS.rglob("*.har"))
REPLAYERS = Path(__file__).parent / "replayers"

#: Entries whose ``_id`` is known not to be Polly's md5 (hand-written ids): none in
#: the sample so far.
HAND_WRITTEN: frozenset[str] = frozenset()

HEADERS_OFF = Match(headers=False)

#: The variant reproducing each file's ids, by the test folder it belongs to; the
#: projects' Polly configurations say the same (openllmetry-js' langchain test sets
#: ``headers: false, url: {query: false}``; its tests also drop ``authorization`` in
#: ``beforePersist``).
EXPECTED = {
    "instrumentation-langchain": Match(headers=False, url_query=False),
    "instrumentation-openai": Match(headers=False, body=False),
    "instrumentation-llamaindex": HEADERS_OFF,
    "instrumentation-anthropic": HEADERS_OFF,
    "instrumentation-bedrock": HEADERS_OFF,
    "traceloop-sdk": HEADERS_OFF,
    "mirascope": HEADERS_OFF,
}


def _entries(path: Path) -> list[Any]:
    entries = json.loads(path.read_bytes())["log"]["entries"]
    assert isinstance(entries, list)
    return entries


def test_the_sample_holds_polly_recordings() -> None:
    assert len(HAR_FILES) >= 11


@pytest.mark.parametrize("path", HAR_FILES, ids=lambda p: str(p.relative_to(FORMATS)))
def test_every_stored_id_of_a_real_recording_is_reproduced(path: Path) -> None:
    entries = _entries(path)
    for entry in entries:
        if entry["_id"] in HAND_WRITTEN:
            continue
        assert match_of(entry) is not None, (path, entry["_id"])
    [expected] = [m for folder, m in EXPECTED.items() if folder in path.parts]
    assert match_of_file(entries) == expected
    assert all(entry_id(e["request"], expected) == e["_id"] for e in entries)


def test_a_file_mixing_configurations_gets_the_variant_most_ids_agree_on() -> None:
    [path] = (FORMATS / "openllmetry-js/packages/instrumentation-langchain").rglob("*.har")
    first, second = _entries(path)
    # The first request has no query: headers off alone reproduces it...
    assert match_of(first) == HEADERS_OFF
    # ...the second (a Wikipedia search) needs the query left out as well.
    assert match_of(second) == Match(headers=False, url_query=False)
    assert match_of_file([first, second]) == Match(headers=False, url_query=False)
    assert match_of_file([first]) == HEADERS_OFF
    assert match_of_file([]) is None
    assert match_of_file(["junk", {"_id": 3}, {"_id": "x", "request": {}}]) is None


# Ids real Polly 6.0.6 computed (tests/replayers/polly_id.js), pinned so that this
# file checks exactness without Node.
PINNED: list[tuple[dict[str, Any], Match, str]] = [
    (
        {
            "method": "POST",
            "url": "https://api.example.com/v1/chat?b=2&a=1",
            "headers": [
                {"name": "content-type", "value": "application/json"},
                {"name": "x-multi", "value": "a", "_fromType": "array"},
                {"name": "x-multi", "value": "b", "_fromType": "array"},
                {"name": "authorization", "value": "Bearer x"},
                {"name": "host", "value": "api.example.com"},
            ],
            "postData": {
                "mimeType": "application/json",
                "text": '{"q": "h\u00e9llo \U0001f600 \\u0001"}',
            },
        },
        DEFAULT,
        "05b2b692b8e08c9b65718ab3f3b9f5bb",
    ),
    (
        {
            "method": "POST",
            "url": "http://localhost:8080/raw",
            "headers": [
                {"name": "content-type", "value": "text/plain"},
                {"name": "host", "value": "localhost:8080"},
            ],
            "postData": {"mimeType": "text/plain", "text": "ctl \u0001\u001f \u2028 \U0001f600"},
        },
        DEFAULT,
        "aac6a6b4d117e8db9f386141f97d9dee",
    ),
    (
        {
            "method": "GET",
            "url": "https://api.example.com/p%20x/\u00fcn\u00ef"
            "?2=y&10=x&q=caf%C3%A9&z&list=1&list=2#frag",
            "headers": [{"name": "x-a", "value": "1"}],
        },
        DEFAULT,
        "0c7240b869578d9c04efb851fe21d5b5",
    ),
    (
        {
            "method": "GET",
            "url": "https://api.example.com/p%20x/\u00fcn\u00ef"
            "?2=y&10=x&q=caf%C3%A9&z&list=1&list=2#frag",
            "headers": [{"name": "x-a", "value": "1"}],
        },
        HEADERS_OFF,
        "a87ea73371e5949f29aa2152bffee02b",
    ),
]


@pytest.mark.parametrize(("request_", "match", "expected"), PINNED)
def test_ids_real_polly_computed(request_: dict[str, Any], match: Match, expected: str) -> None:
    assert entry_id(request_, match) == expected


def test_what_cannot_be_identified_is_none() -> None:
    assert entry_id("GET /", DEFAULT) is None  # type: ignore[arg-type]
    assert entry_id({"url": "https://x.test/"}) is None
    assert entry_id({"method": "GET"}) is None
    assert entry_id({"method": "", "url": "https://x.test/"}) is None
    # A Buffer body: Polly hashed its base64, the HAR keeps only the mime type.
    binary = {"method": "POST", "url": "https://x.test/", "postData": {"mimeType": "a/b"}}
    assert entry_id(binary) is None
    assert entry_id(binary, Match(body=False)) is not None
    # Polly itself throws on a url whose query key is badly percent-encoded.
    assert entry_id({"method": "GET", "url": "https://x.test/?a%zz=1"}) is None
    assert match_of({"_id": "0" * 32}) is None
    assert match_of("entry") is None  # type: ignore[arg-type]


def test_headers_are_read_back_as_polly_reads_recorded_headers() -> None:
    def headers(pairs: Any, match: Match = DEFAULT) -> dict[str, Any]:
        return polly_id._headers(pairs, match)

    assert headers([{"name": "A", "value": "1", "_fromType": "array"}]) == {"a": ["1"]}
    assert headers([{"name": "a", "value": "1"}, {"name": "a", "value": "2"}]) == {"a": ["1", "2"]}
    assert headers([{"name": "n", "value": 12}]) == {"n": 12}
    assert (
        headers([{"name": "X-Api-Key", "value": "k"}], Match(exclude_headers=SECRET_HEADERS)) == {}
    )
    assert headers([{"name": "x", "value": "1"}], Match(exclude_headers=("X",))) == {}
    assert headers("junk") == {}


def test_urls_are_normalized_as_url_parse_and_qs_write_them() -> None:
    def url(text: str, match: Match = DEFAULT) -> str:
        return polly_id._normalize_url(text, match)

    assert url("HTTPS://API.Example.COM:443/V1/x?") == "https://api.example.com/V1/x"
    assert url("http://h.test:80/p") == "http://h.test/p"
    assert url("http://h.test:8080/p#f") == "http://h.test:8080/p"
    assert url("http://h.test:8080/p#f", Match(url_hash=True)) == "http://h.test:8080/p#f"
    assert url("https://h.test/%7e%2Fa b/?b=%7e&a=x+y") == "https://h.test/%7e%2Fa b/?a=x%20y&b=~"
    assert url("https://h.test/?z&y=&x=%zz") == "https://h.test/?x=%25zz&y=&z"
    # The array format is the one the query used: a[] -> brackets, a[0] -> indices,
    # a repeated key alone -> repeat.
    assert url("https://h.test/?a=1&a=2&b[]=3") == "https://h.test/?a%5B%5D=1&a%5B%5D=2&b%5B%5D=3"
    assert (
        url("https://h.test/?a[0]=1&b=2&b=3") == "https://h.test/?a%5B0%5D=1&b%5B0%5D=2&b%5B1%5D=3"
    )
    assert url("https://h.test/?a[25]=x&a[0]=y") == "https://h.test/?a%5B0%5D=y&a%5B25%5D=x"
    assert url("https://h.test/?a=2&a=1") == "https://h.test/?a=2&a=1"
    assert url("https://h.test/?y[b]=1&y[a]=2") == "https://h.test/?y%5Ba%5D=2&y%5Bb%5D=1"
    # Array indices before other keys (JavaScript's key order), then UTF-16 order.
    assert url("https://h.test/?b=1&10=2&2=3") == "https://h.test/?2=3&10=2&b=1"
    assert (
        url("https://h.test/?\U0001f600=1&\uffff=2") == "https://h.test/?%F0%9F%98%80=1&%EF%BF%BF=2"
    )
    no_origin = Match(url_protocol=False, url_hostname=False, url_port=False)
    assert url("https://h.test:8443/p?q=1", no_origin) == "/p?q=1"
    assert url("https://h.test:8443/p?q=1", Match(url_hostname=False)) == "https://:8443/p?q=1"
    assert url("https://u:p%40@h.test/p", Match(url_password=False)) == "https://u@h.test/p"


def test_json_is_written_as_javascript_writes_it() -> None:
    assert js_json.js_string('\U0001f600\ud800\u2028\x7f\x01"\\') == (
        '"\U0001f600\\ud800\u2028\x7f\\u0001\\"\\\\"'
    )
    # Two surrogates that JavaScript sees as one character.
    assert js_json.js_string("\ud83d\ude00") == '"\U0001f600"'
    assert js_json.stable_stringify({"\U0001f600": 1, "\uffff": 2, "b": [None, True, 1.5]}) == (
        '{"b":[null,true,1.5],"\U0001f600":1,"\uffff":2}'
    )
    # As Node prints them ('' + x).
    numbers = (1.0, 1e21, 1e-7, 0.000001, 2**60, -0.0, 123e-20, 1.5e300, 0.1 + 0.2, -5e-324)
    assert [js_json.js_number(v) for v in numbers] == [
        "1",
        "1e+21",
        "1e-7",
        "0.000001",
        "1152921504606847000",
        "0",
        "1.23e-18",
        "1.5e+300",
        "0.30000000000000004",
        "-5e-324",
    ]


def test_variants_and_their_polly_configuration() -> None:
    assert VARIANTS[0] == DEFAULT
    assert len(VARIANTS) <= 24 and len(set(VARIANTS)) == len(VARIANTS)
    config = Match(exclude_headers=("authorization",), url_query=False).polly_config()
    assert config == {
        "method": True,
        "headers": {"exclude": ["authorization"]},
        "body": True,
        "order": True,
        "url": {
            "protocol": True,
            "username": True,
            "password": True,
            "hostname": True,
            "port": True,
            "pathname": True,
            "query": False,
            "hash": False,
        },
    }
    assert json.loads(json.dumps(config)) == config
    assert Match(headers=False, exclude_headers=("x",)).polly_config()["headers"] is False


# ----------------------------------------------------------------- real Polly, slow

#: Synthetic requests, sent through Polly's node-http adapter (``http.request``, so
#: Node's URL normalizes the url first) or its fetch adapter (the url as written).
REQUESTS: list[dict[str, Any]] = [
    {
        "via": "node-http",
        "method": "POST",
        "url": "https://api.example.com/v1/chat/completions?b=2&a=1",
        "headers": [
            ["Content-Type", "application/json"],
            ["Authorization", "Bearer sk-test"],
            ["X-Multi", ["a", "b"]],
            ["X-Name", "caf\u00e9"],
            ["X-Num", 42],
        ],
        "body": json.dumps(
            {"messages": [{"role": "user", "content": "h\u00e9llo \U0001f600 \u4e16\u754c"}]},
            ensure_ascii=False,
        ),
    },
    {
        "via": "node-http",
        "method": "POST",
        "url": "http://localhost:8080/raw",
        "headers": [["Content-Type", "text/plain"]],
        "body": 'ctl \u0001\u001f\u007f \u2028\u2029 \U0001f600 "q" \\',
    },
    {
        "via": "node-http",
        "method": "POST",
        "url": "http://localhost:8080/empty",
        "headers": [["Content-Type", "application/json"]],
        "body": "",
    },
    {
        "via": "node-http",
        "method": "POST",
        "url": "https://api.example.com:8443/bin",
        "headers": [["Content-Type", "application/octet-stream"]],
        "body": {"base64": base64.b64encode(b"\xff\xfe\x00binary").decode()},
    },
    {
        "via": "node-http",
        "method": "GET",
        "url": "HTTPS://API.Example.com:443/v1/models?z=1&a=2&a=3",
        "headers": [["Cookie", "s=1"], ["x-api-key", "k"]],
        "body": None,
    },
    {
        "via": "fetch",
        "method": "get",
        "url": "HTTPS://API.Example.com:443/p%20x/%7euser/\u00fcn\u00ef?q=caf%C3%A9&z&list=1"
        "&list=2&10=x&2=y&e=&plus=a+b%2Bc&bad=%zz#frag",
        "headers": [["X-A", "1"], ["X-A", "2"]],
        "body": None,
    },
    {
        "via": "fetch",
        "method": "PATCH",
        "url": "http://user:p%40ss@Example.com:8080/a/b?x[]=1&x[]=2&y[b]=c&y[a]=d#h",
        "headers": [["Content-Type", "application/json"], ["Authorization", "Bearer t"]],
        "body": '{"k":"\u00e9\U0001f600","lone":"\ud800"}',
    },
    {
        "via": "fetch",
        "method": "POST",
        "url": "https://h.example/q?\U0001f600=1&\uffff=2&a[1]=b&a[0]=c&k=%E2%82%AC&k=%e2%82%ac",
        "headers": [["X-Goog-Api-Key", "g"], ["Accept", "*/*"]],
        "body": "plain \u00e9",
    },
    {
        "via": "fetch",
        "method": "DELETE",
        "url": "https://h.example/path?",
        "headers": [],
        "body": None,
    },
]


def _polly_modules() -> str | None:
    """Where the Polly packages are, or None: tests/replayers/node_modules, then
    $RECCTL_POLLY_MODULES."""
    local = REPLAYERS / "node_modules"
    if (local / "@pollyjs" / "core").is_dir():
        return str(local)
    configured = os.environ.get("RECCTL_POLLY_MODULES")
    if configured and (Path(configured) / "@pollyjs" / "core").is_dir():
        return configured
    return None


def _record(tmp_path: Path, configs: list[dict[str, Any]], redact: list[str]) -> list[Any]:
    node = shutil.which("node")
    modules = _polly_modules()
    if node is None:
        pytest.skip("node is not installed")
    if modules is None:
        pytest.skip(
            "Polly is not installed: npm ci --prefix tests/replayers, or set"
            " RECCTL_POLLY_MODULES to a node_modules folder holding @pollyjs/core"
        )
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"configs": configs, "requests": REQUESTS, "redact": redact}))
    env = {**os.environ, "NODE_PATH": modules}
    done = subprocess.run(
        [node, str(REPLAYERS / "polly_id.js"), str(plan)],
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    recorded = json.loads(done.stdout)
    assert isinstance(recorded, list) and len(recorded) == len(configs)
    return recorded


@pytest.mark.slow
def test_entry_id_agrees_with_real_polly_under_every_variant(tmp_path: Path) -> None:
    recorded = _record(tmp_path, [m.polly_config() for m in VARIANTS], [])
    checked = 0
    for match, entries in zip(VARIANTS, recorded, strict=True):
        assert len(entries) == len(REQUESTS), match
        for entry in entries:
            request = entry["request"]
            computed = entry_id(request, match)
            if computed is None:
                # Only the Buffer body, which the HAR does not keep, is unknown.
                assert match.body and "text" not in request["postData"], request["url"]
                continue
            assert computed == entry["_id"], (match, request["url"])
            assert match_of(entry) is not None
            checked += 1
    assert checked >= len(VARIANTS) * (len(REQUESTS) - 1)


@pytest.mark.slow
def test_a_header_scrubbed_after_hashing_needs_a_configuration_that_did_not_hash_it(
    tmp_path: Path,
) -> None:
    configs = [DEFAULT, HEADERS_OFF, Match(exclude_headers=SECRET_HEADERS)]
    recorded = _record(tmp_path, [m.polly_config() for m in configs], list(SECRET_HEADERS))
    default, headers_off, excluded = recorded
    scrubbed = 0
    for entry in default:
        names = {h["name"] for h in entry["request"]["headers"]}
        if names & set(SECRET_HEADERS):
            scrubbed += 1
            # Polly hashed the real key; no configuration brings that id back.
            assert entry_id(entry["request"], DEFAULT) != entry["_id"]
            assert match_of(entry) is None
    assert scrubbed >= 4
    for match, entries in ((HEADERS_OFF, headers_off), (configs[2], excluded)):
        for entry in entries:
            if entry_id(entry["request"], match) is not None:
                assert entry_id(entry["request"], match) == entry["_id"]
                assert match_of(entry) is not None
