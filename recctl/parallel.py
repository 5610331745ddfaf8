"""Run a per-file function over many files on every core, results in file order.

Worker processes pay off from a few hundred files: below ``THRESHOLD`` (or with
one job) the function runs in this process. Files go to workers in batches, and
each worker handles one file at a time, so memory follows the largest file, not
the number of files. Tests lower ``THRESHOLD`` to run the worker path on small
inputs: the parallel path is the tested path.

The start method is chosen, not inherited from the platform's default: on Linux
workers are forked (a few milliseconds each, and they inherit the modules this
process has imported and the state it prepared); elsewhere they are spawned,
the only method macOS and Windows support safely.

Workers end with their parent: on Linux each asks the kernel for SIGKILL when
the parent dies (``PR_SET_PDEATHSIG``), so a killed recctl (a CI timeout, the
OOM killer) leaves no idle worker behind. Elsewhere a worker blocked on its
queue may outlive a parent killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
Item = TypeVar("Item")  # a path, usually; anything picklable

#: Below this many files, worker processes cost more than they save.
THRESHOLD = 200
_BATCH = 64
_WINDOW = 4  # batches in flight per worker
_PR_SET_PDEATHSIG = 1


def ordered_map(
    function: Callable[[Item], T],
    files: Sequence[Item],
    jobs: int | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    cost: float = 1.0,
) -> Iterator[T]:
    """``function`` over ``files`` (paths, or other picklable items), in order.

    ``function`` must be picklable (a module-level function, or a partial of
    one). ``initializer(*initargs)`` runs in each worker process to prepare what
    it needs; in this process the caller has prepared it already. ``cost`` is the
    work per file relative to parsing and checking a whole recording: a cheaper
    function needs proportionally more files before workers pay off.
    """
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs > 1 and len(files) * cost >= THRESHOLD:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor  # 8 ms: only when used

        method = "fork" if sys.platform == "linux" else "spawn"
        start = (os.getpid(), initializer, initargs)
        with ProcessPoolExecutor(
            jobs, multiprocessing.get_context(method), _start_worker, start
        ) as pool:
            size = max(1, min(_BATCH, len(files) // (jobs * 4)))
            # A bounded window of batches in flight, not all of them at once: memory
            # follows the window and the largest files, not the number of files.
            window: deque[Future[list[T]]] = deque()
            for start_at in range(0, len(files), size):
                window.append(pool.submit(_run_batch, function, files[start_at : start_at + size]))
                if len(window) >= _WINDOW * jobs:
                    yield from window.popleft().result()
            while window:
                yield from window.popleft().result()
    else:
        yield from map(function, files)


def _run_batch(function: Callable[[Item], T], batch: Sequence[Item]) -> list[T]:
    return [function(item) for item in batch]


def _start_worker(
    parent: int, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]
) -> None:
    if sys.platform == "linux":  # forked: this process's parent is recctl
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)
    if initializer is not None:
        initializer(*initargs)
