"""Run a per-file function over many files on every core, results in file order.

Worker processes pay off from a few hundred files: below ``THRESHOLD`` (or with
one job) the function runs in this process. Files go to workers in batches, and
each worker handles one file at a time, so memory follows the largest file, not
the number of files. Tests lower ``THRESHOLD`` to run the worker path on small
inputs: the parallel path is the tested path.

The start method is chosen, not inherited from the platform's default. On Linux
workers are forked by hand (``_forked``): a few milliseconds each, they inherit
the modules this process has imported, the state the caller prepared and the
batches themselves, so only batch numbers go to them and results come back, each
worker on its own pair of pipes. That costs 6 ms over 3,000 files where
``concurrent.futures`` costs 28 (its import, queues, threads). A batch goes to
whichever worker is free: where large recordings cluster, fixed shares left one
worker with twice the work. Elsewhere workers are spawned by ``concurrent.futures``
(``_spawned``), the only method macOS and Windows support safely, and prepared by
``initializer``.

Workers end with their parent: on Linux each asks the kernel for SIGKILL when
the parent dies (``PR_SET_PDEATHSIG``), so a killed recctl (a CI timeout, the
OOM killer) leaves no idle worker behind. Elsewhere a worker blocked on its
queue may outlive a parent killed with SIGKILL.
"""

from __future__ import annotations

import itertools
import os
import signal
import struct
import sys
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from recctl import masking
from recctl.errors import RecctlError

if TYPE_CHECKING:
    from concurrent.futures import Future

T = TypeVar("T")
Item = TypeVar("Item")  # a path, usually; anything picklable

#: Below this many files, worker processes cost more than they save.
THRESHOLD = 200
_BATCH = 64
_FORK = sys.platform == "linux"
#: Files taken at a time from an iterable (about 1.6 MiB of paths): forked workers
#: start again for each chunk, a few milliseconds against seconds of work. Spawned
#: workers start in a tenth of a second or more, so they get larger chunks.
_CHUNK = 10_000 if _FORK else 50_000
_WINDOW = 4  # batches held (in flight or waiting for their turn) per worker
_PR_SET_PDEATHSIG = 1
_LENGTH = struct.Struct("<Q")  # the frame of one message on a worker's pipe
_NUMBER = struct.Struct("<I")  # a batch number, on a worker's task pipe
_PROTOCOL = -1  # pickle's highest


def ordered_map(
    function: Callable[[Item], T],
    files: Iterable[Item],
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

    ``files`` that is not a sequence (a directory walk, say) is taken ``_CHUNK``
    items at a time, each chunk with its own workers: memory then follows the
    chunk, not the number of files.
    """
    jobs = workers_for(jobs)
    if isinstance(files, Sequence):
        yield from _map_sequence(function, files, jobs, initializer, initargs, cost)
        return
    iterator = iter(files)
    while chunk := list(itertools.islice(iterator, _CHUNK)):
        yield from _map_sequence(function, chunk, jobs, initializer, initargs, cost)


def workers_for(jobs: int | None) -> int:
    """The workers ``--jobs`` asks for, at most one per CPU: the work is CPU-bound, and
    ``-j 100000`` must not fork 100,000 processes. Two are allowed on a single
    CPU, so that the parallel path runs (and is tested) on every machine."""
    cpus = os.cpu_count() or 1
    return max(1, min(jobs if jobs is not None else cpus, max(cpus, 2)))


def _map_sequence(
    function: Callable[[Item], T],
    files: Sequence[Item],
    jobs: int,
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
    cost: float,
) -> Generator[T, None, None]:
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

    __slots__ = ("buffer", "in_hand", "pid", "tasks")

    def __init__(self, pid: int, tasks: int) -> None:
        self.pid = pid  # 0 once reaped
        self.tasks: int | None = tasks  # where batch numbers go; None once closed
        self.in_hand = 0  # batches given and not yet sent back
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
    """Batches go to whichever worker is free; results come back in order.

    Workers inherit the batches; this process sends each one batch numbers down
    one pipe, keeping two in its hands so that it never waits, and reads results
    from another, one framed pickle per batch. It holds at most ``_WINDOW``
    batches per worker that are done but not yet due; beyond that it waits for
    the worker with the batch that is due. Memory stays bounded however many files.
    """
    # Loaded here, before the fork: imported in each worker after it, pickle and
    # ctypes took 5 to 12 ms of the start of every one.
    import pickle
    import selectors

    request_death_signal = death_signal_request()
    parent = os.getpid()
    workers: dict[int, _Worker] = {}  # by the end its results are read from
    holder: dict[int, int] = {}  # batch number -> the worker it was given to
    done: dict[int, list[T]] = {}
    given = 0

    def give(results: int, worker: _Worker) -> None:
        nonlocal given
        while worker.in_hand < 2 and given < len(batches) and len(done) < _WINDOW * jobs:
            assert worker.tasks is not None
            try:
                os.write(worker.tasks, _NUMBER.pack(given))
            except BrokenPipeError:  # not the reader of recctl's output: a dead worker
                raise WorkerDied(worker.death()) from None
            holder[given] = results
            worker.in_hand += 1
            given += 1
        if given == len(batches) and worker.tasks is not None:
            os.close(worker.tasks)  # no more: the worker ends when its hands are empty
            worker.tasks = None

    try:
        for _ in range(min(jobs, len(batches))):
            try:
                tasks_read, tasks_write = os.pipe()
                results_read, results_write = os.pipe()
                pid = os.fork()
            except OSError as error:  # a process or file limit: the started ones are reaped
                raise RecctlError(
                    f"cannot start a worker process: {error.strerror or error} (try --jobs 1)"
                ) from None
            if pid == 0:  # pragma: no cover - the child's coverage is not collected
                for fd in (tasks_write, results_read, *_parent_ends(workers)):
                    os.close(fd)
                request_death_signal(parent)
                _work(function, batches, tasks_read, results_write, pickle.dumps)
            os.close(tasks_read)
            os.close(results_write)
            workers[results_read] = _Worker(pid, tasks_write)
        with selectors.DefaultSelector() as selector:
            for results, worker in workers.items():
                selector.register(results, selectors.EVENT_READ)
                give(results, worker)
            for due in range(len(batches)):
                while due not in done:
                    if len(done) >= _WINDOW * jobs:
                        ready = [holder[due]]
                    else:
                        ready = [key.fd for key, _ in selector.select()]
                    for results in ready:
                        worker = workers[results]
                        if not _receive(results, worker, done, pickle.loads):
                            selector.unregister(results)  # it sent every batch and ended
                        give(results, worker)
                del holder[due]
                yield from done.pop(due)
                for results, worker in workers.items():
                    give(results, worker)  # room in the window again
    finally:
        for results, worker in workers.items():
            os.close(results)
            if worker.tasks is not None:
                os.close(worker.tasks)
            if worker.pid:
                os.kill(worker.pid, signal.SIGKILL)  # a no-op for one that has ended
                os.waitpid(worker.pid, 0)


def _parent_ends(workers: dict[int, _Worker]) -> list[int]:
    """The pipe ends of the workers forked before: a new worker must not keep them
    open (a task pipe held open by another process would never reach its end)."""
    ends = list(workers)
    ends += [worker.tasks for worker in workers.values() if worker.tasks is not None]
    return ends


def _receive(
    results: int, worker: _Worker, done: dict[int, Any], loads: Callable[[memoryview], Any]
) -> bool:
    """Read what the worker's pipe holds and file each whole message under its batch;
    False when the worker has ended after sending back every batch it was given."""
    data = os.read(results, 1 << 20)
    if not data:  # the worker ended: done, or died
        if worker.tasks is not None or worker.in_hand or worker.buffer:
            raise WorkerDied(worker.death())
        return False
    worker.buffer += data
    start = 0
    while len(worker.buffer) - start >= _LENGTH.size:
        (length,) = _LENGTH.unpack_from(worker.buffer, start)
        end = start + _LENGTH.size + length
        if len(worker.buffer) < end:
            break
        number, status, payload, found = loads(
            memoryview(worker.buffer)[start + _LENGTH.size : end]
        )
        start = end
        if status == "error":
            raise payload
        masking.remember(found)
        done[number] = payload
        worker.in_hand -= 1
    del worker.buffer[:start]
    return True


def _work(
    function: Callable[[Item], T],
    batches: list[Sequence[Item]],
    tasks: int,
    results: int,
    dumps: Callable[[Any, int], bytes],
) -> None:  # pragma: no cover - runs in the forked child
    """A forked worker's whole life: the batches it is given, one message each, until
    its task pipe ends; then ``_exit``.

    ``os._exit`` ends it without running this process's exit handlers or
    flushing buffers it inherited (the parent's unwritten output among them).
    """
    status = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        with os.fdopen(tasks, "rb") as incoming:
            while number_bytes := incoming.read(_NUMBER.size):
                (number,) = _NUMBER.unpack(number_bytes)
                try:
                    result = [function(item) for item in batches[number]]
                    data = dumps((number, "ok", result, masking.forget()), _PROTOCOL)
                except Exception as error:  # a bug: the parent raises it
                    try:
                        data = dumps((number, "error", error, []), _PROTOCOL)
                    except Exception:  # an exception pickle cannot carry: its text can
                        text = f"{type(error).__name__}: {error}"
                        data = dumps((number, "error", RuntimeError(text), []), _PROTOCOL)
                view = memoryview(_LENGTH.pack(len(data)) + data)
                while view:
                    view = view[os.write(results, view) :]
    except BaseException:  # the parent went away (a broken pipe)
        status = 1
    finally:
        os._exit(status)


def death_signal_request() -> Callable[[int], None]:
    """A function a child calls first (Linux): SIGKILL when ``parent`` dies, or exit now
    if it already has. Prepared in the parent, so that no worker loads ctypes itself."""
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
        window: deque[Future[tuple[list[T], list[str]]]] = deque()
        for batch in batches:
            window.append(pool.submit(_run_batch, function, batch))
            if len(window) >= _WINDOW * jobs:
                yield from _received(window.popleft().result())
        while window:
            yield from _received(window.popleft().result())


def _run_batch(function: Callable[[Item], T], batch: Sequence[Item]) -> tuple[list[T], list[str]]:
    """A batch's results, and the credentials found reading its files (``masking``)."""
    return [function(item) for item in batch], masking.forget()


def _received(sent: tuple[list[T], list[str]]) -> list[T]:
    results, found = sent
    masking.remember(found)
    return results
