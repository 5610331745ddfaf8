"""recctl diff: two files, two trees, two revisions."""

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from recctl import render
from recctl.cli import (
    DiffFormat,
    DiffFormatOption,
    JobsOption,
    command,
    configured,
    jobs_from,
    load_file,
)
from recctl.errors import ExitCode, RecctlError


@command()
def diff(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATHS]...",
            help="OLD and NEW: two recordings or cassettes, or two directories. With --rev: "
            "the paths to compare [default: every recordings/ directory].",
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
    from recctl.diff import DEFAULT_IGNORES
    from recctl.diff_cassettes import DEFAULT_IGNORES as CASSETTE_IGNORES

    settings = configured()
    use_defaults = (
        settings.get("diff.default-ignores") if default_ignores is None else default_ignores
    )
    extra = ignore or settings.get("diff.ignore")
    patterns = [*(DEFAULT_IGNORES if use_defaults else []), *extra]
    cassette_patterns = [*(CASSETTE_IGNORES if use_defaults else []), *extra]
    jobs = jobs_from(jobs, settings)
    given = [str(path) for path in paths or []]
    if rev is not None:
        _diff_revisions(
            rev, given, (patterns, cassette_patterns), chunks, details, output_format, jobs
        )
    if len(given) != 2:
        raise RecctlError("diff takes two paths, OLD and NEW (or --rev REV and paths)")
    old, new = given
    if os.path.isdir(old) and os.path.isdir(new):
        from recctl.compare import diff_trees

        tree = diff_trees(old, new, patterns, chunks, jobs, cassette_patterns)
        _report_tree(tree, f"{old} → {new}", details, output_format)
    if _is_cassette(old) or _is_cassette(new):
        _diff_cassettes(old, new, cassette_patterns, output_format)
    if os.path.isdir(old) or os.path.isdir(new):
        raise RecctlError(
            f"cannot compare a directory with a file: {old} and {new} (give two of a kind)"
        )
    from recctl.diff import diff_recordings
    from recctl.render_diff import diff_json, diff_lines, diff_summary

    _, old_recording = load_file(old)
    _, new_recording = load_file(new)
    result = diff_recordings(old_recording, new_recording, patterns, chunks)
    if output_format == "json":
        render.write_json(diff_json(result))
    elif output_format == "markdown":
        from recctl.render_markdown import pair_markdown

        render.write_raw_lines([pair_markdown(result, old, new).rstrip("\n")])
    else:
        render.print_lines([*diff_lines(result), render.Line([]), diff_summary(result)], wrap=True)
    raise typer.Exit(ExitCode.FINDINGS if result.differs else ExitCode.OK)


def _is_cassette(path: str) -> bool:
    from recctl.containers import is_cassette

    return not os.path.isdir(path) and is_cassette(path)


def _diff_cassettes(old: str, new: str, patterns: list[str], output_format: DiffFormat) -> None:
    """Two cassettes, interaction by interaction (``diff_cassettes``)."""
    from recctl import io
    from recctl.containers.cassette import NotACassette, load_cassette
    from recctl.diff_cassettes import diff_cassettes
    from recctl.render_diff import cassette_diff_json, cassette_diff_lines

    if not (_is_cassette(old) and _is_cassette(new)):
        raise RecctlError(f"cannot compare a cassette with a recording: {old} and {new}")
    loaded = []
    for path in (old, new):
        try:
            loaded.append(load_cassette(path))
        except io.LoadError as error:
            raise RecctlError(f"{path}: {error}") from None
        except NotACassette as note:
            raise RecctlError(f"{path}: {note}") from None
    result = diff_cassettes(loaded[0], loaded[1], patterns)
    if output_format == "json":
        render.write_json(cassette_diff_json(result))
    elif output_format == "markdown":
        from recctl.render_markdown import cassette_markdown

        render.write_raw_lines([cassette_markdown(result, old, new).rstrip("\n")])
    else:
        render.print_lines(cassette_diff_lines(result), wrap=True)
    raise typer.Exit(ExitCode.FINDINGS if result.differs else ExitCode.OK)


def _diff_revisions(
    rev: str,
    paths: list[str],
    patterns: tuple[list[str], list[str]],
    chunks: bool,
    details: bool,
    output_format: DiffFormat,
    jobs: int | None,
) -> None:
    from recctl import gitrev
    from recctl.compare import diff_sides

    root = gitrev.work_tree_root()
    old_rev, new_rev = gitrev.split_range(rev)
    specs = gitrev.pathspecs(root, paths)
    with gitrev.BlobReader(root) as reader:
        old = gitrev.revision_side(root, old_rev, specs, reader)
        if new_rev is None:
            new = gitrev.worktree_side(root, specs)
        else:
            new = gitrev.revision_side(root, new_rev, specs, reader)
        tree = diff_sides(old, new, patterns[0], chunks, jobs, patterns[1])
    title = f"{old_rev} → {new_rev or 'work tree'}"
    _report_tree(tree, title, details, output_format)


def _report_tree(tree: Any, title: str, details: bool, output_format: DiffFormat) -> None:
    from recctl.render_diff import tree_json, tree_lines

    if output_format == "json":
        render.write_json(tree_json(tree, details))
    elif output_format == "markdown":
        from recctl.render_markdown import tree_markdown

        render.write_raw_lines([tree_markdown(tree, title).rstrip("\n")])
    else:
        render.print_lines(tree_lines(tree, details, render.is_terminal()), wrap=True)
    if tree.unreadable:
        raise typer.Exit(ExitCode.CANNOT_RUN)
    raise typer.Exit(ExitCode.FINDINGS if tree.differs else ExitCode.OK)
