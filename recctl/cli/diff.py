"""recctl diff: two files, two trees, two revisions."""

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from recctl import render
from recctl.cli import (
    DiffFormat,
    DiffFormatOption,
    JobsOption,
    command,
    configured,
    jobs_from,
)
from recctl.errors import ExitCode, RecctlError

if TYPE_CHECKING:
    from recctl.diff_files import Ignores


@command()
def diff(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATHS]...",
            help="OLD and NEW: two recordings or cassettes, or two directories. With --rev: "
            "the paths to compare [default: the root, walked as every command walks a "
            "directory].",
            show_default=False,
        ),
    ] = None,
    rev: Annotated[
        str | None,
        typer.Option(
            "--rev",
            metavar="REV",
            help="Compare the recordings at git revision REV with the work tree, or "
            "A..B: revision A with revision B. Read from git's objects, no checkout.",
            show_default=False,
        ),
    ] = None,
    chunks: Annotated[
        bool, typer.Option("--chunks", help="Compare streams chunk by chunk, not reassembled.")
    ] = False,
    ignore: Annotated[
        list[str],
        typer.Option(
            "--ignore",
            metavar="PATH",
            help="Also ignore this JSON path ([*] for any index, * for any key), e.g. "
            "'$.response.body[*].__data__.model'. Repeatable.",
            show_default=False,
        ),
    ] = [],  # noqa: B006 - Typer reads the default, nothing mutates it
    default_ignores: Annotated[
        bool | None,
        typer.Option(
            "--default-ignores/--no-default-ignores",
            help="Ignore the volatile fields (ids, created, obfuscation, "
            "system_fingerprint, tool-call ids, genai response_id / create_time / "
            "Date, Anthropic and interactions ids and timestamps) [default: ignore].",
            show_default=False,
        ),
    ] = None,
    details: Annotated[
        bool, typer.Option("--details", help="With directories: the full diff of each pair.")
    ] = False,
    output_format: DiffFormatOption = DiffFormat.text,
    jobs: JobsOption = None,
) -> None:
    """Show what changed: two files, trees or revisions.

    A verdict first (identical, only volatile fields differ, request changed,
    answer changed, usage changed, shape changed), then the meaning (request
    parts, the reassembled answers), then every other difference by JSON path.
    Directories are paired by relative path, then by test, endpoint and
    position. Exit 0 when nothing differs after the ignores, 1 when something
    does, 2 when it cannot run.
    """
    from recctl.diff_files import Ignores

    settings = configured()
    use_defaults = (
        settings.get("diff.default-ignores") if default_ignores is None else default_ignores
    )
    ignores = Ignores(use_defaults, tuple(ignore or settings.get("diff.ignore")))
    jobs = jobs_from(jobs, settings)
    given = [str(path) for path in paths or []]
    if rev is not None:
        _diff_revisions(rev, given, ignores, chunks, details, output_format, jobs)
    if len(given) != 2:
        raise RecctlError("diff takes two paths, OLD and NEW (or --rev REV and paths)")
    old, new = given
    if os.path.isdir(old) and os.path.isdir(new):
        from recctl.diff_trees import diff_trees

        tree = diff_trees(old, new, ignores, chunks, jobs)
        _report_tree(tree, f"{old} → {new}", details, output_format)
    if os.path.isdir(old) or os.path.isdir(new):
        raise RecctlError(
            f"cannot compare a directory with a file: {old} and {new} (give two of a kind)"
        )
    _diff_pair(old, new, ignores, chunks, output_format)


def _diff_pair(
    old: str, new: str, ignores: "Ignores", chunks: bool, output_format: DiffFormat
) -> None:
    """Two files, exchange by exchange (``diff_files``)."""
    from recctl import containers, io
    from recctl.diff_files import DifferentKinds, diff_files
    from recctl.exchange import NotExchanges
    from recctl.render.diff import file_diff_json, file_diff_lines

    files = []
    for path in (old, new):
        try:
            files.append(containers.load(path))
        except (io.LoadError, NotExchanges) as error:
            raise RecctlError(f"{path}: {error}") from None
    try:
        result = diff_files(files[0], files[1], ignores, chunks)
    except DifferentKinds as error:
        raise RecctlError(f"{error}: {old} and {new}") from None
    if output_format == "json":
        render.write_json(file_diff_json(result))
    elif output_format == "markdown":
        from recctl.render.markdown import file_markdown

        render.write_raw_lines([file_markdown(result, old, new).rstrip("\n")])
    else:
        render.print_lines(file_diff_lines(result), wrap=True)
    raise typer.Exit(ExitCode.FINDINGS if result.differs else ExitCode.OK)


def _diff_revisions(
    rev: str,
    paths: list[str],
    ignores: "Ignores",
    chunks: bool,
    details: bool,
    output_format: DiffFormat,
    jobs: int | None,
) -> None:
    from recctl import gitrev
    from recctl.diff_trees import diff_sides

    root = gitrev.work_tree_root()
    old_rev, new_rev = gitrev.split_range(rev)
    specs = gitrev.pathspecs(root, paths)
    with gitrev.BlobReader(root) as reader:
        old = gitrev.revision_side(root, old_rev, specs, reader)
        if new_rev is None:
            new = gitrev.worktree_side(root, specs)
        else:
            new = gitrev.revision_side(root, new_rev, specs, reader)
        tree = diff_sides(old, new, ignores, chunks, jobs)
    title = f"{old_rev} → {new_rev or 'work tree'}"
    _report_tree(tree, title, details, output_format)


def _report_tree(tree: Any, title: str, details: bool, output_format: DiffFormat) -> None:
    from recctl.render.diff import tree_json, tree_lines

    if not (tree.differs or tree.unchanged or tree.volatile_only or tree.unreadable):
        raise RecctlError(f"no recordings or cassettes found on either side: {title}")
    if output_format == "json":
        render.write_json(tree_json(tree, details))
    elif output_format == "markdown":
        from recctl.render.markdown import tree_markdown

        render.write_raw_lines([tree_markdown(tree, title).rstrip("\n")])
    else:
        render.print_lines(tree_lines(tree, details, render.is_terminal()), wrap=True)
    if tree.unreadable:
        raise typer.Exit(ExitCode.CANNOT_RUN)
    raise typer.Exit(ExitCode.FINDINGS if tree.differs else ExitCode.OK)
