"""Run a per-file function over many files on every core, results in file order.

Worker processes pay off from a few hundred files: below ``THRESHOLD`` (or with
one job) the function runs in this process. Each worker handles one file at a
time, so memory follows the largest file, not the number of files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

#: Below this many files, worker processes cost more than they save.
THRESHOLD = 200
_BATCH = 64


def ordered_map(
    function: Callable[[str], T],
    files: Sequence[str],
    jobs: int | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[T]:
    """``function`` over ``files``, in order.

    ``function`` must be a module-level function. ``initializer(*initargs)`` runs
    in each worker process to prepare what it needs; in this process the caller
    has prepared it already.
    """
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs > 1 and len(files) >= THRESHOLD:
        from concurrent.futures import ProcessPoolExecutor  # 8 ms: only when used

        with ProcessPoolExecutor(jobs, initializer=initializer, initargs=initargs) as pool:
            yield from pool.map(function, files, chunksize=_BATCH)
    else:
        yield from map(function, files)
