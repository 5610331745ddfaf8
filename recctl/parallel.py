"""Run a per-file function over many files on every core, results in file order.

Worker processes pay off from a few hundred files: below ``THRESHOLD`` (or with
one job) the function runs in this process. Files go to workers in batches, and
each worker handles one file at a time, so memory follows the largest file, not
the number of files. Tests lower ``THRESHOLD`` to run the worker path on small
inputs: the parallel path is the tested path.

The start method is chosen, not inherited from the platform's default. On Linux
workers are forked by hand (``_forked``): a few milliseconds each, they inherit
the modules this process has imported and the state the caller prepared, and
each sends its results back through its own pipe. That costs 6 ms over 3,000
files where ``concurrent.futures`` costs 28 (its import, queues, threads).
Elsewhere workers are spawned by ``concurrent.futures`` (``_spawned``), the only
method macOS and Windows support safely, and prepared by ``initializer``.

Workers end with their parent: on Linux each asks the kernel for SIGKILL when
the parent dies (``PR_SET_PDEATHSIG``), so a killed recctl (a CI timeout, the
OOM killer) leaves no idle worker behind. Elsewhere a worker blocked on its
queue may outlive a parent killed with SIGKILL.
"""

from __future__ import annotations

import os
import signal
import struct
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from recctl.errors import RecctlError

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
Item = TypeVar("Item")  # a path, usually; anything picklable

#: Below this many files, worker processes cost more than they save.
THRESHOLD = 200
_BATCH = 64
_WINDOW = 4  # batches held (in flight or waiting for their turn) per worker
_PR_SET_PDEATHSIG = 1
_FORK = sys.platform == "linux"
_LENGTH = struct.Struct("<Q")  # the frame of one message on a worker's pipe
_PROTOCOL = -1  # pickle's highest


def ordered_map(
    function: Callable[[Item], T],
    files: Sequence[Item],
    jobs: int | None = None,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
    cost: float = 1.0,
) -> Generator[T, None, None]:
    """``function`` over ``files`` (paths, or other picklable items), in order.

    The caller prepares in this process whatever ``function`` needs; forked
    workers inherit it. Spawned workers (macOS, Windows) run
    ``initializer(*initargs)`` to prepare it, and need ``function`` picklable (a
    module-level function, or a partial of one). Results must be picklable.
    ``cost`` is the work per file relative to parsing and checking a whole
    recording: a cheaper function needs proportionally more files before workers
    pay off.
    """
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs <= 1 or len(files) * cost < THRESHOLD:
        yield from map(function, files)
        return
    size = max(1, min(_BATCH, len(files) // (jobs * 4)))
    batches = [files[start : start + size] for start in range(0, len(files), size)]
    if _FORK:
        yield from _forked(function, batches, jobs)
    else:
        yield from _spawned(function, batches, jobs, initializer, initargs)


class WorkerDied(RecctlError):
    """A worker process ended before sending its results (killed, out of memory)."""


class _Worker:
    """A forked worker, as its parent sees it."""

    __slots__ = ("buffer", "number", "owed", "pid", "received")

    def __init__(self, number: int, pid: int, owed: int) -> None:
        self.number = number
        self.pid = pid  # 0 once reaped
        self.owed = owed  # batches it has to send
        self.received = 0
        self.buffer = bytearray()  # the start of a message not yet whole

    def death(self) -> str:
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        how = (
            f"signal {os.WTERMSIG(status)}"
            if os.WIFSIGNALED(status)
            else f"exit status {os.waitstatus_to_exitcode(status)}"
        )
        return f"a worker process died ({how}) before sending its results"


def _forked(
    function: Callable[[Item], T], batches: list[Sequence[Item]], jobs: int
) -> Generator[T, None, None]:
    """Worker ``n`` handles batches ``n``, ``n + jobs``, ...; results come back in order.

    Each worker writes one framed pickle per batch to its pipe, and blocks when
    the pipe is full. This process reads whichever pipe has data and holds up to
    ``_WINDOW`` batches per worker that are not yet due; beyond that it waits for
    the worker whose batch is due. Memory stays bounded however many files.
    """
    # Loaded here, before the fork: imported in each worker after it, pickle and
    # ctypes took 5 to 12 ms of the start of every one.
    import pickle
    import selectors

    request_death_signal = _death_signal_request()
    jobs = min(jobs, len(batches))
    parent = os.getpid()
    workers: dict[int, _Worker] = {}  # by the read end of its pipe
    try:
        for number in range(jobs):
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                os.close(read_end)
                request_death_signal(parent)
                _work(function, batches[number::jobs], write_end, pickle.dumps)
            os.close(write_end)
            workers[read_end] = _Worker(number, pid, len(batches[number::jobs]))
        owners = list(workers)  # owners[n]: the read end of worker n
        done: dict[int, list[T]] = {}
        with selectors.DefaultSelector() as selector:
            for read_end in workers:
                selector.register(read_end, selectors.EVENT_READ)
            for due in range(len(batches)):
                while due not in done:
                    if len(done) >= _WINDOW * jobs:
                        ready = [owners[due % jobs]]
                    else:
                        ready = [key.fd for key, _ in selector.select()]
                    for read_end in ready:
                        worker = workers[read_end]
                        if not _receive(read_end, worker, jobs, done, pickle.loads):
                            selector.unregister(read_end)  # it sent every batch and ended
                yield from done.pop(due)
    finally:
        for read_end, worker in workers.items():
            os.close(read_end)
            if worker.pid:
                os.kill(worker.pid, signal.SIGKILL)  # a no-op for one that has ended
                os.waitpid(worker.pid, 0)


def _receive(
    read_end: int,
    worker: _Worker,
    jobs: int,
    done: dict[int, Any],
    loads: Callable[[memoryview], Any],
) -> bool:
    """Read what the worker's pipe holds and file each whole message under its batch;
    False when the worker has ended after sending every batch."""
    data = os.read(read_end, 1 << 20)
    if not data:  # the worker ended: done, or died
        if worker.received < worker.owed or worker.buffer:
            raise WorkerDied(worker.death())
        return False
    worker.buffer += data
    start = 0
    while len(worker.buffer) - start >= _LENGTH.size:
        (length,) = _LENGTH.unpack_from(worker.buffer, start)
        end = start + _LENGTH.size + length
        if len(worker.buffer) < end:
            break
        status, payload = loads(memoryview(worker.buffer)[start + _LENGTH.size : end])
        start = end
        if status == "error":
            raise payload
        done[worker.number + jobs * worker.received] = payload
        worker.received += 1
    del worker.buffer[:start]
    return True


def _work(
    function: Callable[[Item], T],
    batches: list[Sequence[Item]],
    write_end: int,
    dumps: Callable[[Any, int], bytes],
) -> None:  # pragma: no cover - runs in the forked child
    """A forked worker's whole life: its batches, one message each, then ``_exit``.

    ``os._exit`` ends it without running this process's exit handlers or
    flushing buffers it inherited (the parent's unwritten output among them).
    """
    status = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        for batch in batches:
            try:
                data = dumps(("ok", [function(item) for item in batch]), _PROTOCOL)
            except Exception as error:  # a bug: the parent raises it
                try:
                    data = dumps(("error", error), _PROTOCOL)
                except Exception:  # an exception pickle cannot carry: its text can
                    data = dumps(
                        ("error", RuntimeError(f"{type(error).__name__}: {error}")), _PROTOCOL
                    )
            view = memoryview(_LENGTH.pack(len(data)) + data)
            while view:
                view = view[os.write(write_end, view) :]
    except BaseException:  # the parent went away (a broken pipe)
        status = 1
    finally:
        os._exit(status)


def _death_signal_request() -> Callable[[int], None]:
    """A function a worker calls first: SIGKILL when ``parent`` dies, or exit now if it
    already has. Prepared in the parent, so that no worker loads ctypes itself."""
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def request(parent: int) -> None:  # pragma: no cover - runs in the forked child
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before the request took effect
            os._exit(1)

    return request


def _spawned(
    function: Callable[[Item], T],
    batches: list[Sequence[Item]],
    jobs: int,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> Iterator[T]:
    """``concurrent.futures`` with spawned workers, each prepared by ``initializer``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # 8 ms: only when used

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, context, initializer, initargs) as pool:
        # A bounded window of batches in flight, not all of them at once: memory
        # follows the window and the largest files, not the number of files.
        window: deque[Future[list[T]]] = deque()
        for batch in batches:
            window.append(pool.submit(_run_batch, function, batch))
            if len(window) >= _WINDOW * jobs:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()


def _run_batch(function: Callable[[Item], T], batch: Sequence[Item]) -> list[T]:
    return [function(item) for item in batch]
