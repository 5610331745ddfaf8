"""No control character from a recording or a file name reaches the terminal raw."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from recctl.cli import app
from recctl.printable import printable

from conftest import SEED, load, write_recording

#: Retitles the window, clears the screen, turns text red, overwrites the line,
#: reverses what follows, and a C1 control sequence introducer.
EVIL = "\x1b]0;TITLE\x07\x1b[2J\x1b[31mred\r\u202eevil\x9b1m\x7f"
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
TEST_ID = f"tests/integration/x/test_x.py::test_x[{EVIL}]"


def test_printable_escapes_controls_visibly() -> None:
    assert printable(EVIL) == ("\\x1b]0;TITLE\\x07\\x1b[2J\\x1b[31mred\\x0d\\u202eevil\\x9b1m\\x7f")
    assert printable("a\tb\nc") == "a\tb\\x0ac"
    assert printable("a\tb\nc", multiline=True) == "a\tb\nc"
    assert printable("plain ünïcode ☕") == "plain ünïcode ☕"
    assert printable("\u2066\u2069\u202a\x00\x1f\x80\x85") == (
        "\\u2066\\u2069\\u202a\\x00\\x1f\\x80\\x85"
    )


def _hostile(directory: Path, name: str = "hostile.json") -> Path:
    recording: Any = load(SEED)
    recording["test_id"] = TEST_ID
    recording["request"]["model"] = f"gpt{EVIL}"
    recording["request"]["body"]["messages"][0]["content"] = f"question {EVIL}"
    for chunk in recording["response"]["body"]:
        data = chunk["__data__"]
        data["model"] = f"model{EVIL}"
        if data["choices"] and data["choices"][0]["delta"]["content"] == "I":
            data["choices"][0]["delta"]["content"] = f"first line {EVIL}\nsecond line\n"
    return write_recording(directory / name, recording)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A repository with a hostile recording, one with a hostile name, and a copy."""
    recordings = tmp_path / "repo/tests/integration/x/recordings"
    _hostile(recordings)
    _hostile(recordings, f"name{EVIL}.json")
    (tmp_path / "repo/.git").mkdir()
    shutil.copytree(tmp_path / "repo/tests", tmp_path / "copy/tests")
    changed = tmp_path / "copy/tests/integration/x/recordings/hostile.json"
    recording = load(changed)
    recording["response"]["body"][1]["__data__"]["choices"][0]["delta"]["content"] = f"new {EVIL}"
    write_recording(changed, recording)
    return tmp_path


def _commands(root: Path) -> dict[str, list[str]]:
    recordings = root / "repo/tests/integration/x/recordings"
    hostile = str(recordings / "hostile.json")
    copy = str(root / "copy/tests/integration/x/recordings/hostile.json")
    body = root / "body.json"
    body.write_text(json.dumps(load(recordings / "hostile.json")["request"]["body"]))
    return {
        "show": ["show", hostile],
        "show --full": ["show", "--full", hostile],
        "show --textconv": ["show", "--textconv", hostile],
        "show (a broken file, --textconv)": ["show", "--textconv", str(_broken(root))],
        "reassemble": ["reassemble", str(recordings)],
        "validate": ["validate", str(recordings), str(_broken(root))],
        "hash -v": ["hash", "-v", str(recordings)],
        "prune": ["prune", "--root", str(root / "repo")],
        "stats": ["stats", str(recordings)],
        "diff": ["diff", hostile, copy],
        "diff trees": ["diff", "--details", str(root / "repo"), str(root / "copy")],
        "explain": [
            "explain",
            str(body),
            "--url",
            "http://localhost/v1/v1/chat/completions",
            "--test-id",
            TEST_ID,
            "--recordings",
            str(root / "repo/tests"),
        ],
        "normalize --diff": ["normalize", "--diff", "--extra", str(recordings)],
    }


def _broken(root: Path) -> Path:
    broken = root / f"broken{EVIL}.json"
    broken.write_text(f'{{"test_id": "{EVIL}"')
    return broken


@pytest.mark.parametrize("colour", [False, True], ids=["plain", "terminal"])
def test_no_command_prints_a_control_character(tree: Path, colour: bool) -> None:
    env = {"FORCE_COLOR": "1", "COLUMNS": "100"} if colour else {"NO_COLOR": "1"}
    for name, args in _commands(tree).items():
        result = CliRunner().invoke(app, args, env=env)
        output = result.stdout + result.stderr
        assert "internal error" not in output, (name, output)
        if colour:  # Rich's own styling is the only escape sequence allowed
            output = re.sub(r"\x1b\[[0-9;]*m", "", output)
        raw = sorted(set(UNSAFE.findall(output)))
        assert raw == [], (name, raw, output)
        assert "\\x1b" in output, (name, output)  # shown, not dropped


def test_multiline_answers_keep_their_newlines(tree: Path) -> None:
    hostile = tree / "repo/tests/integration/x/recordings/hostile.json"
    for args in (["show", str(hostile)], ["reassemble", str(hostile)]):
        lines = CliRunner().invoke(app, args).stdout.splitlines()
        first = next(i for i, line in enumerate(lines) if "first line" in line)
        assert "\\x0d" in lines[first] and lines[first + 1].strip().startswith("second line")


def test_one_line_fields_show_newlines_escaped(tmp_path: Path) -> None:
    recording: Any = load(SEED)
    recording["test_id"] = "tests/x/test_a.py::test_f[line\nbreak]"
    path = write_recording(tmp_path / "r.json", recording)
    output = CliRunner().invoke(app, ["show", str(path)]).stdout
    assert "test_f[line\\x0abreak]" in output


def test_json_output_stays_exact(tree: Path) -> None:
    hostile = tree / "repo/tests/integration/x/recordings/hostile.json"
    document = json.loads(CliRunner().invoke(app, ["show", str(hostile), "-o", "json"]).stdout)
    assert document["test_id"] == TEST_ID
    assert document["answer"]["choices"][0]["text"].startswith(f"first line {EVIL}\nsecond line")
    answers = json.loads(CliRunner().invoke(app, ["reassemble", str(hostile), "-o", "json"]).stdout)
    assert answers[0]["choices"][0]["text"].startswith(f"first line {EVIL}\n")


def test_cassettes_print_no_control_character_either(tmp_path: Path) -> None:
    body = json.dumps(
        {
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "model": f"m{EVIL}",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": f"hi {EVIL}"}}],
        }
    )
    cassette = {
        "interactions": [
            {
                "request": {
                    "method": "POST",
                    "uri": f"https://api.openai.com/v1/chat/completions?x={EVIL}",
                    "headers": {},
                    "body": json.dumps({"messages": [{"role": "user", "content": EVIL}]}),
                },
                "response": {"status": {"code": 200}, "headers": {}, "body": {"string": body}},
            }
        ]
    }
    path = tmp_path / "tests/cassettes/test_x/test_y.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(cassette))
    for args in (["show", str(path)], ["reassemble", str(path)], ["stats", str(tmp_path)]):
        output = CliRunner().invoke(app, args).stdout
        assert UNSAFE.findall(output) == [], (args, output)
        assert "\\x1b" in output or args[0] == "stats", (args, output)
