"""Recordings are untrusted: damaged copies of real ones never crash any module.

Each case takes a corpus recording and damages it at random places (a value
replaced by one of the wrong type, or a key removed), then runs everything that
reads recordings. The random generator is seeded: failures reproduce.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from recctl.answer import answer_json, answer_text
from recctl.containers import ogx
from recctl.containers.ogx_answers import reassemble
from recctl.ogx import checks
from recctl.ogx.hashing import judge_name
from recctl.ogx.normalize import ALL_RULES, normalize_recording
from recctl.ogx.schema import SchemaValidator, shipped_schema_bytes
from recctl.ogx.shapes import classify
from recctl.ogx.toolcalls import plan_tool_call_ids
from recctl.render.answer import show_lines, view_json
from recctl.secrets import check_secrets
from recctl.show import build_view
from recctl.stats import exchange_rows

from conftest import CORPUS_FILES, load

RECORDINGS = [load(path) for path in CORPUS_FILES]
JUNK: list[Any] = [
    None,
    0,
    -1,
    1.5,
    "",
    "x",
    "data: {",
    [],
    {},
    [None],
    {"a": None},
    True,
    [[]],
    {"__type__": {}},
    {"__type__": "a.B", "__data__": []},
]
VALIDATOR = SchemaValidator(shipped_schema_bytes())


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in list(value.items())[:40]:
            yield from _places(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:6]):
            yield from _places(item, (*path, index))


def _damage(recording: Any, rng: random.Random) -> Any:
    damaged = copy.deepcopy(recording)
    places = [p for p in _places(damaged) if p]
    for path in rng.sample(places, min(len(places), rng.randint(1, 4))):
        parent = damaged
        try:
            for key in path[:-1]:
                parent = parent[key]
            if isinstance(parent, dict) and rng.random() < 0.3:
                parent.pop(path[-1], None)
            elif isinstance(parent, dict if isinstance(path[-1], str) else list):
                parent[path[-1]] = copy.deepcopy(rng.choice(JUNK))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this place
    return damaged


@pytest.mark.parametrize("seed", range(40))
def test_damaged_recordings_never_crash(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(50):
        recording = _damage(rng.choice(RECORDINGS), rng)
        raw = json.dumps(recording).encode()
        shape = classify(recording)
        answer = reassemble(recording, shape)
        json.dumps(answer_json("r.json", answer))
        answer_text(answer)
        file = ogx.parse(raw, "r.json")
        view = build_view(file)
        show_lines(view)
        json.dumps(view_json(view))
        exchange_rows(file)
        checks.check_stream_ids("r.json", recording, shape)
        checks.check_location("tests/x/recordings/r.json", recording)
        check_secrets(file)
        VALIDATOR.issues(recording)
        judge_name("0" * 64 + ".json", recording)
        normalize_recording(copy.deepcopy(recording), "a" * 64, frozenset(ALL_RULES))
        plan_tool_call_ids({"a.json": recording, "b.json": copy.deepcopy(recording)})
