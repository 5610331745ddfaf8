"""The one place that finds, reads, parses and writes recording files.

Files are read with orjson. Every way a file can fail to load (missing, a
directory, unreadable, too large, empty, not UTF-8, not JSON, nested too deep)
becomes a ``LoadError`` with a one-line reason, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import orjson

#: No real recording comes near this (the largest of 3,162 is 1.1 MB).
MAX_FILE_BYTES = 100 * 1024 * 1024


class LoadError(Exception):
    """A file that could not be loaded; ``str(error)`` is the one-line reason."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.line = line  # where a parse failed, when known


class NoSuchFile(LoadError):
    """A path that names nothing (prune: a test file that is gone)."""


class TooLarge(LoadError):
    """A file over ``MAX_FILE_BYTES``: never read whole (validate searches its bytes for
    keys in pieces, ``rawsecrets``)."""


#: For each directory a walk enters (its path): the test of its files (their path and
#: name: yield it or not), or None when none of them can be wanted
#: (``containers.discover`` makes it from every container's directories and suffixes).
FileTest = Callable[[str, str], bool]
Select = Callable[[str], "FileTest | None"]


def discover(
    paths: Iterable[str | Path],
    select: Select,
    skip: Callable[[str, str], bool] | None = None,
) -> Iterator[str]:
    """Yield each file argument as given, and below each directory every regular file
    ``select`` wants. The walk holds no list of directories: ``select`` says, per
    directory, which of its files are wanted; ``skip`` (a directory's path and name)
    which directories are not entered. A directory named like a wanted file is
    yielded too (reading it reports it clearly), and so is a directory the walk
    cannot list (reading it says why: a run never calls a tree valid that it could
    not see); a FIFO, a device or a socket is no file anyone records into, and is
    never yielded.

    Directories are walked without following symlinks, in sorted order, so the
    output is deterministic. Paths that do not exist are yielded as they are: the
    caller reports them when it fails to read them. Paths are strings: a run over
    thousands of files should not pay for building Path objects.
    """
    given = [os.fspath(path) for path in paths]
    # One walk never yields a file twice: only several arguments need remembering
    # what was yielded (and a walk of 100,000 files does not hold their names).
    seen: set[str] | None = set() if len(given) > 1 else None
    for path in given:
        found = _walk(path, select, skip) if os.path.isdir(path) else iter([path])
        for file in found:
            if seen is None:
                yield file
            elif file not in seen:
                seen.add(file)
                yield file


def _walk(directory: str, select: Select, skip: Callable[[str, str], bool] | None) -> Iterator[str]:
    pending = [directory]
    while pending:
        root = pending.pop()
        try:
            with os.scandir(root) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            yield root  # reading it says why it cannot be listed
            continue
        wanted = select(root)
        below = []
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if wanted is not None and wanted(entry.path, entry.name):
                        yield entry.path  # a directory named like a recording
                    elif skip is None or not skip(entry.path, entry.name):
                        below.append(entry.path)
                elif (
                    wanted is not None
                    and entry.is_file()  # a regular file, or a link to one
                    and wanted(entry.path, entry.name)
                ):
                    yield entry.path
            except OSError:
                continue  # gone since the listing, or a link that leads nowhere
        pending.extend(reversed(below))


#: O_BINARY: on Windows a descriptor opened without it reads text, translating CRLF.
#: O_NONBLOCK: opening a FIFO must not wait for a writer (it is then refused, unread).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)

_NOT_REGULAR = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_bytes(path: str | Path, max_bytes: int = MAX_FILE_BYTES, head: bool = False) -> bytes:
    """Read a whole regular file, refusing anything else and anything over ``max_bytes``.

    A FIFO, a device or a socket is refused without reading it: a FIFO named
    ``x.json`` would otherwise block every command forever. A directory that
    cannot be listed says so (the walk yields it rather than skip it silently).
    With ``head``, only the first ``max_bytes`` of a longer file are read.
    With ``os.open`` and ``os.read``, not ``open``: no file object is built, which
    makes reading a recording a quarter faster.
    """
    try:
        fd = os.open(path, _READ_FLAGS)  # str paths: see discover
        try:
            return _read_all(fd, max_bytes, head)
        finally:
            os.close(fd)
    except OSError as error:
        raise _load_error(path, error) from None


def _load_error(path: str | Path, error: OSError) -> LoadError:
    if isinstance(error, FileNotFoundError):
        return NoSuchFile("no such file")
    if isinstance(error, IsADirectoryError):
        try:
            os.listdir(path)
        except OSError as listing:
            return LoadError(f"a directory recctl cannot list: {listing.strerror or listing}")
        return LoadError("is a directory, not a recording file")
    if isinstance(error, PermissionError):
        return LoadError("permission denied")
    return LoadError(f"cannot read: {error.strerror or error}")


def _read_all(fd: int, max_bytes: int, head: bool) -> bytes:
    status = os.fstat(fd)
    if stat.S_ISDIR(status.st_mode):
        raise IsADirectoryError
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for test, name in _NOT_REGULAR if test(status.st_mode)), "special")
        raise LoadError(f"not a regular file ({kind}): not read")
    if head:
        return os.read(fd, max_bytes)
    if status.st_size > max_bytes:
        raise _too_large(status.st_size, max_bytes)
    data = os.read(fd, status.st_size + 1)  # a regular file in one call
    if len(data) <= status.st_size:
        return data  # a short read of a regular file is its end
    parts = [data]  # a file that grew since fstat: read to its end, within the limit
    total = len(data)
    while data:
        data = os.read(fd, 1 << 20)
        parts.append(data)
        total += len(data)
        if total > max_bytes:
            raise _too_large(total, max_bytes)
    return b"".join(parts)


def _too_large(size: int, max_bytes: int) -> LoadError:
    return TooLarge(
        f"file too large ({size / 2**20:.1f} MiB; the limit is {max_bytes / 2**20:.0f} MiB)"
    )


def parse(raw: bytes) -> Any:
    """Parse JSON bytes with orjson, turning every failure into a ``LoadError``."""
    if not raw.strip():
        raise LoadError("empty file")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise LoadError(_describe_decode_error(error), error.lineno) from None


def load(path: str | Path) -> Any:
    """Read and parse one recording file."""
    return parse(read_bytes(path))


def json_text(value: Any, indent: bool = False, default: Any = None) -> str:
    """``value`` as JSON text, compact or indented by 2: orjson's, or the standard
    library's where orjson refuses (nesting beyond 255 levels, integers beyond 64
    bits), so that every value a recording can hold has a text."""
    try:
        option = orjson.OPT_INDENT_2 if indent else 0
        return orjson.dumps(value, default=default, option=option).decode()
    except orjson.JSONEncodeError:
        if indent:
            return json.dumps(value, ensure_ascii=False, indent=2, default=default)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=default)


def _describe_decode_error(error: orjson.JSONDecodeError) -> str:
    where = f"line {error.lineno} column {error.colno}"
    if "UTF-8" in error.msg:
        return f"not UTF-8 text at {where}"
    if "depth" in error.msg or "recursion" in error.msg.lower():
        return "not valid JSON: nested more than 1024 levels deep"
    if error.msg.startswith("unexpected end of data"):
        return f"truncated JSON: unexpected end of data at {where}"
    return f"not valid JSON: {error.msg} at {where}"


#: ``1e-7``: starting with the literal, it scans ten times faster than ``\de-\d``.
_NEGATIVE_EXPONENT = re.compile(rb"e-(?<=[0-9]e-)[0-9]")


def dumps_like_recorder(value: Any) -> bytes:
    """The bytes the recorder writes: ``json.dump(obj, f, indent=2)`` then a newline.

    ASCII escapes, insertion key order, LF (docs/format.md, section 8). With an
    indent the standard library encodes in pure Python, twenty times slower than
    orjson, whose indented layout is the same. orjson's output is kept only where it
    cannot differ: ASCII only (the standard library escapes the rest, DEL
    included), and no float below 1e-4 (its spelling differs from ``repr`` there,
    ``0.00001`` or ``1e-7`` for ``1e-05`` and ``1e-07``; the same marks inside a
    string only send a file to the slow path). Integers beyond 64 bits, which
    orjson refuses, take the standard library too.
    """
    try:
        fast = orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    except orjson.JSONEncodeError:
        fast = b""
    if (
        fast
        and fast.isascii()
        and b"\x7f" not in fast
        and b"0.0000" not in fast
        and not _NEGATIVE_EXPONENT.search(fast)
    ):
        return fast
    return (json.dumps(value, indent=2) + "\n").encode("ascii")


_TEMPORARY = re.compile(r"^\.recctl-(\d+)-.*\.tmp$")


def _synced_temporary(directory: str, content: bytes, mode: int | None) -> str:
    """A temporary file in ``directory`` holding ``content``, flushed and synced.

    Its name carries this process's id, so that a later run can tell the
    leftover of a killed run from the file of a run still going.
    """
    import tempfile  # writing commands only: 1 ms of start-up spared for the rest

    prefix = f".recctl-{os.getpid()}-"
    handle, temporary = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def remove_leftovers(files: Iterable[str], roots: Sequence[str]) -> list[str]:
    """Remove the temporary files of killed recctl runs beside ``files``.

    A SIGKILL between creating a temporary file and renaming it leaves the file
    behind (nothing can clean up after SIGKILL). Only recctl's own names are
    touched, only when the process that made them is gone, and only in a
    directory inside one of ``roots`` reached through no symbolic link (a clean-up
    is a write, confined like every other).
    """
    from recctl.confine import reached_plainly

    removed = []
    for directory in sorted({os.path.dirname(os.path.abspath(f)) for f in files}):
        if not reached_plainly(directory, roots):
            continue
        try:
            names = os.listdir(directory)
        except OSError:
            continue
        for name in names:
            found = _TEMPORARY.match(name)
            if found is None or _alive(int(found.group(1))):
                continue
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(directory, name))
                removed.append(os.path.join(directory, name))
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # another user's process, or not a pid: leave the file alone
    return True


def write_atomic(path: str, content: bytes) -> None:
    """Replace ``path`` with ``content`` atomically, keeping its mode.

    The bytes go to a synced temporary file in the same directory, renamed over
    the original: a reader (or a crash) sees the old content or the new, never a
    mix. The temporary file is removed on failure.
    """
    mode = os.stat(path).st_mode & 0o7777 if os.path.exists(path) else None
    temporary = _synced_temporary(os.path.dirname(os.path.abspath(path)), content, mode)
    try:
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def write_new(new_path: str, content: bytes, mode_from: str) -> None:
    """Write ``content`` under a name that must not exist (``FileExistsError``), with
    the mode of ``mode_from``.

    The new file appears complete or not at all: a synced temporary file, hard
    linked to its name, which fails if the name is taken. The caller removes the
    old name after: a crash in between leaves both, never neither.
    """
    mode = os.stat(mode_from).st_mode & 0o7777
    temporary = _synced_temporary(os.path.dirname(os.path.abspath(new_path)), content, mode)
    try:
        os.link(temporary, new_path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
