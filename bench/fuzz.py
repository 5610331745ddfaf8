"""A long fuzz campaign over every container and framing (issue 29).

    python bench/fuzz.py --seconds 600              # ten minutes, one process
    python bench/fuzz.py --seconds 600 --seed 7 --crashes /tmp/crashes

Alternates the two fuzzers of ``tests/fuzzing.py``: real files of
``fixtures/formats/`` damaged at random, and exchanges written in each
container's encoding (gzip, chunked, SSE, NDJSON, event streams), read back after
a rewrite, then damaged. Each file that makes a reader fail (an exception that is
not a finding, a budget overrun, a rewrite that does not read back the same) is
saved under ``--crashes`` and counted; make it a fixture of
``tests/test_fuzz_formats.py``. Prints the mutations tried, the time, and what
was found.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import fuzzing  # noqa: E402

#: A read that takes longer than this is a finding too: a hostile file must not hang.
SLOW = 2.0


def _call(rng: random.Random) -> fuzzing.Call:
    return fuzzing.Call(
        method=rng.choice(["GET", "POST"]),
        status=rng.choice([200, 201, 400, 500]),
        prompt=rng.choice(["hi", fuzzing.KEY, "é" * rng.randint(0, 30)]),
        answer=rng.choice(["", "hello", "x" * rng.randint(0, 500)]),
        stream=rng.choice(["json", "sse", "ndjson", "eventstream"]),
        gzip=rng.random() < 0.4,
        chunked=rng.random() < 0.4,
        headers=rng.choice([{}, {"Authorization": f"Bearer {fuzzing.KEY}"}]),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--crashes", type=Path, default=Path("fuzz-crashes"))
    arguments = parser.parse_args()
    rng = random.Random(arguments.seed)
    sources = list(fuzzing.seeds())
    found: dict[str, str] = {}
    tried = refused = 0
    slowest = 0.0
    started = time.monotonic()
    while time.monotonic() - started < arguments.seconds:
        if tried % 2:
            container, raw, name = rng.choice(sources)
        else:
            kind = rng.choice(sorted(fuzzing.NAMES))
            container, name = fuzzing.NAMES[kind]
            raw = fuzzing.encode(kind, [_call(rng) for _ in range(rng.randint(1, 4))])
            try:
                problem = fuzzing.round_trip(container, raw, name)
            except fuzzing.Unexpected as error:
                problem = str(error)
            if problem:
                _save(arguments.crashes, name, raw, f"round trip: {problem}", found)
        damaged = fuzzing.mutate(raw, rng)
        tried += 1
        began = time.monotonic()
        try:
            if fuzzing.read_everything(container, damaged, name) is None:
                refused += 1
        except fuzzing.Unexpected as error:
            _save(arguments.crashes, name, damaged, str(error), found)
        took = time.monotonic() - began
        slowest = max(slowest, took)
        if took > SLOW:
            _save(arguments.crashes, name, damaged, f"slow: {took:.1f} s", found)
    elapsed = time.monotonic() - started
    print(
        f"{tried:,} mutations in {elapsed:.0f} s ({tried / elapsed:,.0f}/s), "
        f"{refused:,} refused with a finding, {len(found)} failures, "
        f"the slowest read {slowest:.2f} s"
    )
    for path, what in found.items():
        print(f"  {path}: {what}")


def _save(directory: Path, name: str, data: bytes, what: str, found: dict[str, str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{hashlib.sha256(data).hexdigest()[:16]}-{Path(name).name}"
    path.write_bytes(data)
    found[str(path)] = what[:200]


if __name__ == "__main__":
    main()
