"""The container registry: what a file is, and what every container shares.

Each container's own reading is tested in its module (``test_cassettes`` for
VCR.py, ``test_reassemble`` and the rest for ogx); here, what they share: one
``identify`` for walks and paths given, and the body decoding of ``bodies``.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest

from recctl import budget, containers, io
from recctl.containers import bodies, ogx, vcrpy
from recctl.exchange import NotExchanges


def test_a_file_is_taken_by_its_name_where_its_container_keeps_it(tmp_path: Path) -> None:
    assert containers.identify(str(tmp_path / "recordings/x.json")) is ogx
    assert containers.identify(str(tmp_path / "anywhere/x.yml")) is vcrpy
    assert containers.identify(str(tmp_path / "x.yaml.gz")) is vcrpy
    assert containers.identify(str(tmp_path / "missing.json")) is ogx  # reading says why
    assert containers.identify(str(tmp_path)) is ogx  # a directory: reading says so


def test_a_file_of_another_name_is_judged_by_its_content(tmp_path: Path) -> None:
    recording = tmp_path / "r.txt"
    recording.write_text(json.dumps({"request": {}, "response": {}}))
    cassette = tmp_path / "c.txt"
    cassette.write_text("interactions: []\n")
    package = tmp_path / "package.json"
    package.write_text('{"name": "x"}')
    broken = tmp_path / "broken.json"
    broken.write_text("{ not json")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    assert containers.identify(str(recording)) is ogx
    assert containers.identify(str(cassette)) is vcrpy
    assert containers.identify(str(package)) is None  # JSON, but something else
    assert containers.identify(str(broken)) is ogx  # a broken recording, reported as one
    assert containers.identify(str(notes)) is None
    assert containers.identify(str(notes), sniff=False) is ogx


def test_load_reads_any_file_through_its_container(tmp_path: Path) -> None:
    cassette = tmp_path / "odd-name.txt"
    cassette.write_text("interactions: []\n")
    file = containers.load(str(cassette))
    assert file.container is vcrpy and file.exchanges == []
    grpc = tmp_path / "x.xai.yaml"  # one xAI gRPC call, not in a list, and empty
    grpc.write_text("request_sample: {}\n")
    file = containers.load(str(grpc))
    assert (file.container, file.layout, len(file.exchanges)) == (vcrpy, "xai_grpc", 1)
    assert [where for where, _ in file.issues] == [("request_sample",), ("response_sample",)]
    other = tmp_path / "cassettes" / "other.yaml"
    other.parent.mkdir()
    other.write_text("name: not a cassette\n")
    with pytest.raises(NotExchanges, match="no interactions"):
        containers.load(str(other))


def test_the_walk_takes_each_containers_files_under_its_directory(tmp_path: Path) -> None:
    for name in ("recordings/a.json", "cassettes/b.yaml", "cassettes/c.json", "other/d.yaml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in containers.discover([tmp_path])]
    assert found == ["cassettes/b.yaml", "recordings/a.json"]
    only = containers.discover([tmp_path], [containers.DEFAULT])
    assert [Path(p).name for p in only] == ["a.json"]


# --- bodies ------------------------------------------------------------------------


def test_bodies_decode_as_json_text_or_bytes() -> None:
    assert bodies.decode(b'{"a": 1}', False) == {"a": 1}
    assert bodies.decode(b"{ not json", False) == "{ not json"
    assert bodies.decode(b"\xff\xfe", True) == b"\xff\xfe"
    assert bodies.decode(b"\xff", False) == "\ufffd"


def test_deflate_is_inflated_wrapped_or_raw_and_bad_data_is_one_line() -> None:
    text = b"hello " * 100
    raw_deflate = zlib.compressobj(wbits=-15)
    raw = raw_deflate.compress(text) + raw_deflate.flush()
    assert bodies.inflate(zlib.compress(text), "the body") == text
    assert bodies.inflate(raw, "the body") == text
    with pytest.raises(io.LoadError, match="the body is not valid deflate data"):
        bodies.inflate(b"not deflate", "the body")


def test_gzip_that_is_bad_truncated_or_too_large_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    packed = gzip.compress(b"x" * 10_000)
    with pytest.raises(io.LoadError, match="not valid gzip"):
        bodies.gunzip(b"\x1f\x8b not gzip", "the body")
    with pytest.raises(io.LoadError, match="truncated"):
        bodies.gunzip(packed[:20], "the body")
    monkeypatch.setattr(budget, "_limits", budget.Limits(decompressed=1_000))
    with pytest.raises(budget.OverBudget, match="budget of 1,000 bytes decompressed"):
        bodies.gunzip(packed, "the body")


def test_a_deflated_binary_cassette_body_is_read() -> None:
    body = zlib.compress(json.dumps({"choices": [], "object": "chat.completion"}).encode())
    import yaml

    document = {
        "interactions": [
            {
                "request": {"method": "GET", "uri": "https://x/", "body": None, "headers": {}},
                "response": {
                    "status": {"code": 200},
                    "headers": {"Content-Encoding": "deflate"},
                    "body": {"string": body},
                },
            }
        ]
    }
    file = vcrpy.parse(yaml.safe_dump(document).encode(), "c.yaml")
    assert file.exchanges[0].response.body == {"choices": [], "object": "chat.completion"}


def test_which_test_a_cassette_maps_to_and_which_names_map_to_none(tmp_path: Path) -> None:
    from recctl.containers.vcrpy_layouts import collected_keys, map_cassette

    root = str(tmp_path)
    tests = tmp_path / "tests"
    (tests / "cassettes/test_mod").mkdir(parents=True)
    (tests / "test_mod.py").write_text("def test_x(): pass\n")
    mapped = map_cassette(
        str(tests / "cassettes/test_mod/test_x.yaml.gz"), root, "pytest-recording"
    )
    assert (
        mapped is not None
        and mapped.modules == ["tests/test_mod.py"]
        and mapped.names == ["test_x"]
    )
    mirrored = map_cassette(str(tests / "cassettes/Test_y.test_z.yaml"), root, "mirrored")
    assert mirrored is not None and mirrored.modules == ["tests/test_mod.py"]
    for name in ("helper.yaml", "a.b.test_c.yaml", "lower.test_x.yaml", "test_x.yaml"):
        layout = "pytest-recording"
        assert map_cassette(str(tests / "cassettes" / name), root, layout) is None, name
    assert (
        map_cassette(str(tmp_path.parent / "elsewhere/cassettes/test_x.yaml"), root, "mirrored")
        is None
    )
    assert map_cassette(str(tests / "other/test_x.yaml"), root, "mirrored") is None
    assert collected_keys(
        {"tests/test_mod.py", "tests/test_mod.py::T::test_x[a/b]"}, "mirrored"
    ) == {("tests", "T.test_x[a-b]")}
