"""Fuzzing every container and framing (issue 29): no exception escapes a reader, no
file exceeds its budget, and what recctl writes reads back the same.

The structured fuzzer (Hypothesis) writes exchanges in each container's encoding,
then damages them; the mutation fuzzer damages the real files of
``fixtures/formats/``. A few seconds in the fast run; the slow run and
``bench/fuzz.py --seconds N`` go on longer. Each crash found is a fixture here.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuzzing
from fuzzing import NAMES, Call

CONTAINERS = sorted(NAMES)
_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
calls = st.builds(
    Call,
    method=st.sampled_from(["GET", "POST", "PUT"]),
    path=st.sampled_from(["/v1/chat/completions", "/v1/messages", "/api/chat", "/x?key=1"]),
    status=st.integers(100, 599),
    prompt=st.one_of(_text, st.just(fuzzing.KEY)),
    answer=_text,
    stream=st.sampled_from(["json", "sse", "ndjson", "eventstream"]),
    gzip=st.booleans(),
    chunked=st.booleans(),
    headers=st.dictionaries(
        st.sampled_from(["Authorization", "X-Api-Key", "Accept"]),
        st.sampled_from([f"Bearer {fuzzing.KEY}", "text/plain", "x"]),
        max_size=2,
    ),
)
FAST = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
SLOW = settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)


def _structured(container: str, exchanges: list[Call], seed: int) -> None:
    module, name = NAMES[container]
    raw = fuzzing.encode(container, exchanges)
    problem = fuzzing.round_trip(module, raw, name)
    assert problem is None, problem
    rng = random.Random(seed)
    for _ in range(4):
        fuzzing.read_everything(module, fuzzing.mutate(raw, rng), name)


@pytest.mark.parametrize("container", CONTAINERS)
@FAST
@given(exchanges=st.lists(calls, min_size=1, max_size=3), seed=st.integers(0, 2**32))
def test_structured_fuzz(container: str, exchanges: list[Call], seed: int) -> None:
    _structured(container, exchanges, seed)


@pytest.mark.slow
@pytest.mark.parametrize("container", CONTAINERS)
@SLOW
@given(exchanges=st.lists(calls, min_size=1, max_size=6), seed=st.integers(0, 2**32))
def test_structured_fuzz_longer(container: str, exchanges: list[Call], seed: int) -> None:
    _structured(container, exchanges, seed)


def _mutations(count: int, seed: int) -> None:
    rng = random.Random(seed)
    sources = list(fuzzing.seeds())
    assert len(sources) >= 50  # every sample of fixtures/formats/
    for _ in range(count):
        container, raw, name = rng.choice(sources)
        fuzzing.read_everything(container, fuzzing.mutate(raw, rng), name)


def test_every_sample_reads_and_round_trips() -> None:
    for container, raw, name in fuzzing.seeds():
        assert fuzzing.read_everything(container, raw, name) is not None, name
        assert fuzzing.round_trip(container, raw, name) is None, name


@pytest.mark.parametrize("seed", range(3))
def test_mutation_fuzz(seed: int) -> None:
    _mutations(150, seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3, 13))
def test_mutation_fuzz_longer(seed: int) -> None:
    _mutations(1_500, seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(4))
def test_every_reading_command_survives_damaged_samples(
    tmp_path: pytest.TempPathFactory, seed: int
) -> None:
    """Damaged copies of the samples of every format, through every command that reads
    them, each output format: a finding or a one-line error, never an internal error."""
    from pathlib import Path

    from conftest import run

    rng = random.Random(f"commands {seed}")
    sources = list(fuzzing.seeds())
    root = Path(str(tmp_path))
    made = []
    for number in range(8):
        _, raw, name = rng.choice(sources)
        path = root / f"d{number}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(fuzzing.mutate(raw, rng))
        made.append(str(path))
    commands = [
        ["validate", str(root)],
        ["stats", str(root)],
        ["reassemble", str(root)],
        ["hash", "-v", str(root)],
        ["scrub", "--check", str(root)],
    ]
    commands += [["show", path] for path in made] + [["diff", made[0], path] for path in made]
    for args in commands:
        for output in ("text", "json"):
            if args[0] == "scrub" and output == "json":
                continue
            result = run(*args, *(["-o", output] if args[0] != "scrub" else []))
            both = result.stdout + result.stderr
            assert "internal error" not in both and "Traceback" not in both, (args, both)
            assert result.exit_code in (0, 1, 2), (args, result.exit_code, both)
