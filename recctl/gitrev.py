"""Recordings at a git revision, read from git's objects: no checkout, no temporary tree.

``revision_side`` lists a revision's recordings with one ``git ls-tree`` and reads
them through one ``git cat-file --batch`` process, as ``compare.Side`` wants.
``worktree_side`` lists the same paths in the work tree. Paths are relative to the
work tree's root on both sides, so that a revision diffs like a checked-out tree.
"""

from __future__ import annotations

import functools
import hashlib
import os
import subprocess
from collections.abc import Callable, Sequence
from typing import IO

from recctl import containers, io
from recctl.diff_trees import Side
from recctl.errors import RecctlError


def _git(arguments: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    # Literal pathspecs: a file named ':foo' is that file, as on the work-tree side, not
    # pathspec magic.
    command = ["git", "--literal-pathspecs", *arguments]
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    except OSError as error:
        raise RecctlError(f"cannot run git: {error.strerror or error}") from None


def work_tree_root(start: str = ".") -> str:
    result = _git(["rev-parse", "--show-toplevel"], start)
    if result.returncode != 0 or not result.stdout.strip():
        raise RecctlError(f"--rev needs a git repository: {os.path.abspath(start)} is not in one")
    return os.fsdecode(result.stdout.strip())


def resolve(root: str, revision: str) -> str:
    """The commit a revision names, or a one-line error."""
    if not revision or revision.startswith("-"):
        raise RecctlError(f"unknown revision {revision!r}")
    result = _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    if result.returncode != 0:
        raise RecctlError(f"unknown revision {revision!r} in {root}")
    return result.stdout.decode().strip()


def split_range(text: str) -> tuple[str, str | None]:
    """``A..B`` -> (A, B); ``A`` -> (A, None): A against the work tree."""
    old, dots, new = text.partition("..")
    if not dots:
        return text, None
    return old or "HEAD", new or "HEAD"


def pathspecs(root: str, paths: Sequence[str]) -> list[str]:
    """The paths given, relative to the work tree's root (each must be inside it)."""
    specs = []
    for path in paths:
        relative = os.path.relpath(os.path.abspath(path), root)
        if relative == ".." or relative.startswith(".." + os.sep):
            raise RecctlError(f"{path} is outside the git work tree {root}")
        specs.append("." if relative == "." else relative.replace(os.sep, "/"))
    return specs


def revision_side(root: str, revision: str, specs: Sequence[str], reader: BlobReader) -> Side:
    commit = resolve(root, revision)
    listed = _git(["ls-tree", "-r", "-z", "--full-tree", commit, "--", *specs], root)
    if listed.returncode != 0:
        raise RecctlError(
            f"git ls-tree {revision}: {listed.stderr.decode(errors='replace').strip()}"
        )
    # What a walk of the checked-out tree would find (``containers.discover``): by
    # name, or, where the name leaves it to the structure, by the blob's first bytes.
    rules = containers.walk_rules()
    tests: dict[str, Callable[[str, str], bool | None] | None] = {}
    files, undecided = {}, {}
    for entry in listed.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, blob = meta.split()
        relative = os.fsdecode(name)
        if kind != b"blob" or mode == b"120000":
            continue
        directory, _, base = relative.rpartition("/")
        parts = directory.split("/")
        if containers.NOT_THE_PROJECTS.intersection(parts):
            continue
        if directory not in tests:
            tests[directory] = rules.by_name(os.path.join(root, directory))
        test = tests[directory]
        verdict = test(os.path.join(root, relative), base) if test is not None else False
        if verdict:
            files[relative] = blob.decode()
        elif verdict is None:
            undecided[relative] = blob.decode()
    keys = list(undecided)
    for start in range(0, len(keys), 1000):
        batch = keys[start : start + 1000]
        for relative, content in zip(
            batch, reader.read_many([undecided[k] for k in batch]), strict=True
        ):
            head = content[: containers.HEAD_BYTES] if isinstance(content, bytes) else b""
            if rules.claimed(relative, head):
                files[relative] = undecided[relative]
    return Side(files, reader.read, f"{revision}:", on_disk=False, read_many=reader.read_many)


def object_format(root: str) -> str:
    """``sha1``, or ``sha256`` in a repository made with ``--object-format=sha256``."""
    result = _git(["rev-parse", "--show-object-format"], root)
    name = result.stdout.decode().strip()
    return name if result.returncode == 0 and name in ("sha1", "sha256") else "sha1"


def object_id(content: bytes, algorithm: str = "sha1") -> str:
    """The id git gives a blob of ``content`` (what ``git hash-object`` prints)."""
    digest = hashlib.new(algorithm, b"blob %d\0" % len(content))
    digest.update(content)
    return digest.hexdigest()


def worktree_side(root: str, specs: Sequence[str]) -> Side:
    """The work tree's recordings under the same paths, relative to its root.

    As git stores them: a symbolic link (to a file or a directory) is a link, not
    the file it leads to, so neither it nor anything below it is read, as
    ``revision_side`` skips links. A pull request that replaces a recording by a
    link to a file outside the repository never gets that file printed.
    """
    tops = [os.path.join(root, spec) for spec in specs] if specs else [root]
    found = containers.discover(tops)
    real_root = os.path.realpath(root)
    resolved: dict[str, bool] = {}  # directory -> reached without a link

    def as_git_sees_it(path: str) -> bool:
        directory = os.path.dirname(os.path.abspath(path))
        if directory not in resolved:
            relative = os.path.relpath(directory, root)
            resolved[directory] = os.path.realpath(directory) == os.path.normpath(
                os.path.join(real_root, relative)
            )
        return resolved[directory] and not os.path.islink(path)

    files = {
        os.path.relpath(path, root).replace(os.sep, "/"): path
        for path in found
        if as_git_sees_it(path)
    }
    algorithm = object_format(root)
    return Side(
        files, label=root + os.sep, object_id=functools.partial(object_id, algorithm=algorithm)
    )


class BlobReader:
    """One ``git cat-file --batch`` process, asked for one blob at a time."""

    def __init__(self, root: str) -> None:
        self._root = root
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BlobReader:
        return self

    def __exit__(self, *_: object) -> None:
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            self._process.wait()

    def _pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        if self._process is None:
            self._process = subprocess.Popen(
                ["git", "cat-file", "--batch"],
                cwd=self._root,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
            )
        assert self._process.stdin is not None and self._process.stdout is not None
        return self._process.stdin, self._process.stdout

    def read(self, blob: str) -> bytes:
        result = self.read_many([blob])[0]
        if isinstance(result, io.LoadError):
            raise result
        return result

    def read_many(self, blobs: Sequence[str]) -> list[bytes | io.LoadError]:
        """Several blobs for one round trip: requests written together, answers read in order.

        The requests of one call must fit the pipe's buffer (64 KiB, over 1,500 ids),
        or git, blocked on its full output, would stop reading them.
        """
        send, receive = self._pipes()
        send.write(b"".join(blob.encode() + b"\n" for blob in blobs))
        send.flush()
        return [self._answer(receive, blob) for blob in blobs]

    @staticmethod
    def _answer(receive: IO[bytes], blob: str) -> bytes | io.LoadError:
        header = receive.readline().split()
        if len(header) != 3:
            return io.LoadError(f"git has no object {blob}")
        size = int(header[2])
        if size > io.MAX_FILE_BYTES:
            _skip(receive, size + 1)
            return io.LoadError(
                f"file too large ({size / 2**20:.1f} MiB; the limit is "
                f"{io.MAX_FILE_BYTES / 2**20:.0f} MiB)"
            )
        content = receive.read(size)
        receive.read(1)  # the newline after each object
        return content


def _skip(stream: IO[bytes], count: int) -> None:
    while count > 0:
        count -= len(stream.read(min(count, 1 << 20)) or b"\0" * count)
