"""recctl prune and normalize: the commands that delete and rewrite."""

import os
from pathlib import Path
from typing import Annotated

import typer

from recctl import render
from recctl.cli import (
    CheckOption,
    FindingsFormat,
    FindingsFormatOption,
    JobsOption,
    OutputFormat,
    OutputFormatOption,
    PathsArgument,
    RootOption,
    command,
    configured,
    files_of,
    jobs_from,
    recordings_only,
)
from recctl.cli.baselines import BaselineOption, UpdateBaselineOption
from recctl.errors import ExitCode, RecctlError


@command()
def prune(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATHS]...",
            help="Recordings, cassettes or directories [default: the root, walked as every "
            "command walks a directory (docs/formats.md)].",
            show_default=False,
        ),
    ] = None,
    root: RootOption = None,
    collected: Annotated[
        list[Path],
        typer.Option(
            "--collected",
            metavar="FILE",
            help="Node ids as 'pytest --collect-only -q' prints them, or a "
            "pytest-json-report file. Repeatable: their union counts. Exact mode: "
            "a recording is stale when its exact test id was not collected.",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, nothing mutates it
    collect: Annotated[
        list[str],
        typer.Option(
            "--collect",
            metavar="ARGS",
            help="Run 'python -m pytest --collect-only -q ARGS' in the root and use "
            "its node ids (quote the arguments; repeatable, one per configuration).",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, nothing mutates it
    exclude: Annotated[
        list[str],
        typer.Option(
            "--exclude",
            metavar="GLOB",
            help="Never judge recordings whose path (relative to the root) matches "
            "this glob, e.g. 'tests/legacy/*'. Repeatable.",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, nothing mutates it
    cassette_layout: Annotated[
        str | None,
        typer.Option(
            "--cassette-layout",
            metavar="auto|pytest-recording|mirrored",
            help="Where VCR.py cassettes lie: cassettes/<module>/<test>.yaml beside the "
            "module (pytest-recording's default), or under cassettes/ in a tree that "
            "mirrors the test directories (crewAI). auto (the default): per cassettes/ "
            "tree, the layout under which the most cassettes map to an existing test.",
            show_default=False,
        ),
    ] = None,
    delete: Annotated[bool, typer.Option("--delete", help="Delete the stale recordings.")] = False,
    baseline: BaselineOption = None,
    update_baseline: UpdateBaselineOption = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Delete even when it looks like a wrong root or layout (most recordings "
            "stale, or none of their test files found).",
        ),
    ] = False,
    output_format: FindingsFormatOption = FindingsFormat.text,
    jobs: JobsOption = None,
) -> None:
    """Find recordings whose test is gone; delete them.

    Deletion only on request (--delete).

    Static mode (the default) imports and runs nothing: a recording is stale
    when its test file is gone, or the file defines no such test function,
    class or method; whenever recctl cannot be sure (syntax errors, bases
    defined elsewhere, names made at run time) the recording is kept.
    Parametrization is judged only in exact mode (--collected, --collect).
    Recordings without a test id and test-free model lists are shared, never
    stale. Test ids are relative to the root: --root, else the git work tree,
    else the directory of the pyproject.toml holding [tool.recctl], else the
    directory from which their test files exist (none: exit 2). Nothing is
    deleted outside the root or through a symbolic link; --delete is refused
    when most recordings would go or none of their test files exists (--force
    insists). With --baseline, the stale recordings its file records are
    passed over (counted, never deleted). Exit 0 when nothing is stale, 1 when
    something is, 2 when it cannot run.
    """
    from recctl import containers, io, pytest_collect
    from recctl import prune as pruning
    from recctl.cli.baselines import baseline_of, baseline_written
    from recctl.confine import inside
    from recctl.containers.vcrpy_layouts import LAYOUTS
    from recctl.prune_root import RootUnknown, find_root
    from recctl.render.prune import prune_json, prune_lines

    settings = configured()
    given = [str(p) for p in paths] if paths else settings.get("prune.paths")
    root = root or settings.get("prune.root")
    exclude = exclude or settings.get("prune.exclude")
    collect = collect or ([] if collected else settings.get("prune.collect"))
    if root:
        if not os.path.isdir(root):
            raise RecctlError(f"--root {root}: not a directory")
        base, root_from = os.path.abspath(root), "--root"
    else:
        try:
            base, root_from = find_root(given[0] if given else ".", settings.file)
        except RootUnknown as error:
            raise RecctlError(str(error)) from None
    for target in given:
        if not inside(target, base):
            raise RecctlError(
                f"{target} is outside the root {base}: prune reads and deletes only inside it"
            )
    targets = given or [base]
    node_ids: set[str] | None = None
    if collected or collect:
        node_ids = set()
        for file in collected:
            try:
                node_ids |= pytest_collect.read_collected(
                    io.read_bytes(file).decode("utf-8", "replace")
                )
            except io.LoadError as error:
                raise RecctlError(f"--collected {file}: {error}") from None
        for arguments in collect:
            try:
                node_ids |= pytest_collect.collect(base, arguments)
            except pytest_collect.CollectError as error:
                raise RecctlError(str(error)) from None
    layout = cassette_layout or settings.get("prune.cassette-layout")
    if layout not in (*LAYOUTS, "auto"):
        raise RecctlError(f"--cassette-layout {layout}: one of auto, {', '.join(LAYOUTS)}")
    found = containers.discover(targets)
    files = [f for f in found if not pruning.excluded(f, base, exclude)]
    if not files:  # nothing read is never clean
        where = ", ".join(targets)
        raise RecctlError(f"no recordings or cassettes found under {where}")
    known = baseline_of(baseline, update_baseline, settings)
    report = pruning.prune(
        files, base, node_ids, jobs_from(jobs, settings), None if layout == "auto" else layout
    )
    if known is not None:
        report.pass_over_known(known, files)
        if update_baseline:
            baseline_written(known, frozenset({"stale"}))
    deleted = None
    refusal = report.refusal if not force else None
    if delete and refusal is None:
        deleted, refused = pruning.delete(report.stale, targets, base)
        report.unreadable += refused
    if output_format == "json":
        render.write_json(prune_json(report, deleted, base, root_from))
    elif output_format == "github":
        from recctl.render.github import known_notice, prune_annotations

        render.write_raw_lines(prune_annotations(report, deleted))
        if known is not None:
            render.write_raw_lines(known_notice(len(report.known), known.file))
    else:
        render.print_lines(prune_lines(report, deleted, base, root_from), wrap=True)
    if delete and refusal is not None:
        raise RecctlError(f"--delete refused, nothing deleted: {refusal} (--force insists)")
    if report.unreadable:
        raise typer.Exit(ExitCode.CANNOT_RUN)
    stale_left = bool(report.stale) and not delete and not update_baseline
    raise typer.Exit(ExitCode.FINDINGS if stale_left or report.unsafe else ExitCode.OK)


@command()
def normalize(
    paths: PathsArgument,
    check: CheckOption = False,
    diff: Annotated[
        bool, typer.Option("--diff", help="Write nothing; print a unified diff of each change.")
    ] = False,
    extra: Annotated[
        bool,
        typer.Option(
            "--extra",
            help="Also the extra rules: obfuscation, system_fingerprint, "
            "genai response_id / create_time / Date, Anthropic and interaction ids "
            "and timestamps.",
        ),
    ] = False,
    tool_call_ids: Annotated[
        bool,
        typer.Option(
            "--tool-call-ids",
            help="Rewrite provider tool-call ids per test to deterministic ones, in the "
            "response that introduced each and every request that echoes it; re-hash and "
            "rename what changed. A test whose ids are ambiguous or whose new names are "
            "taken is left alone.",
        ),
    ] = False,
    rule: Annotated[
        list[str],
        typer.Option(
            "--rule",
            metavar="NAME",
            help="Apply only these rules (repeatable). Default rules: id, created, "
            "created_at, durations; extra: obfuscation, system_fingerprint, "
            "genai_response_id, genai_create_time, date_header, anthropic_id, "
            "interaction_id, interaction_timestamps.",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, nothing mutates it
    output_format: OutputFormatOption = OutputFormat.text,
    jobs: JobsOption = None,
) -> None:
    """Normalize ids and timestamps: small re-record diffs.

    By default the recorder's own rules, on every typed object of the response:
    id -> rec-<hash[:12]> (the hash the file is named by), created -> 0 (not
    for models), Ollama created_at and durations. Request bodies are never
    touched. A file that does not change is not written; a changed file is
    written exactly as the recorder writes it, atomically, keeping its mode.
    A recording whose test id leads outside the repository, a symbolic link,
    or a file that resolves outside the root, is left alone. A run killed
    halfway is finished by the next.
    Exit 0 when done (or nothing to do), 1 with --check or --diff when a
    file would change, or when a file was left alone, 2 when it cannot run.
    """
    from recctl import io
    from recctl.confine import roots_of
    from recctl.ogx.normalize import ALL_RULES, DEFAULT_RULES
    from recctl.ogx.normalize_files import normalize_files, write_normalized
    from recctl.render.normalize import normalize_json, normalize_lines

    unknown = [name for name in rule if name not in ALL_RULES]
    if unknown:
        raise RecctlError(f"--rule {unknown[0]}: no such rule (see --help)")
    rules = frozenset(rule or (ALL_RULES if extra else DEFAULT_RULES))
    dry = check or diff
    files = recordings_only(files_of(paths), "normalize")
    if not files:
        raise typer.Exit(ExitCode.OK)
    results, aborted = normalize_files(files, rules, tool_call_ids, jobs_from(jobs))
    if not dry:
        roots = roots_of([str(path) for path in paths])
        io.remove_leftovers(files, roots)
        results = write_normalized(results, roots)
    if output_format is OutputFormat.json:
        render.write_json(normalize_json(results, aborted))
    else:
        lines = normalize_lines(results, aborted, written=not dry, show_diff=diff)
        render.print_lines(lines, wrap=False)
    if any(result.error for result in results):
        raise typer.Exit(ExitCode.CANNOT_RUN)
    changed = any(result.rules for result in results)
    refused = any(result.refused for result in results)
    raise typer.Exit(ExitCode.FINDINGS if (dry and changed) or refused else ExitCode.OK)
