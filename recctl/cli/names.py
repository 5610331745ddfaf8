"""recctl hash and explain: the names the recorder looks for."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from recctl import render
from recctl.cli import (
    FindingsFormat,
    FindingsFormatOption,
    HashPathsArgument,
    JobsOption,
    OutputFormat,
    OutputFormatOption,
    RootOption,
    command,
    files_of,
    jobs_from,
    recordings_only,
)
from recctl.errors import ExitCode, RecctlError


@command(name="hash")
def hash_command(
    paths: HashPathsArgument,
    fix: Annotated[
        bool, typer.Option("--fix", help="Rename, move (and delete) as planned.")
    ] = False,
    delete_duplicates: Annotated[
        bool,
        typer.Option(
            "--delete-duplicates",
            help="Plan to delete a stale recording whose correctly named twin holds "
            "the same request.",
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="List matching recordings too.")
    ] = False,
    root: RootOption = None,
    output_format: FindingsFormatOption = FindingsFormat.text,
    jobs: JobsOption = None,
) -> None:
    """Check the names and Polly.JS _ids the replayers look for.

    A recording's name is the hash the recorder looks for; a HAR entry's _id is what
    Polly.JS looks for (the MD5 of the request as the file's matchRequestsBy
    normalizes it): one it does not compute is never replayed, and --fix
    rewrites it.

    A recording whose name is not the hash of its own request can never be
    replayed. For each such file recctl gives the name it should have and the
    likely reason (older rules, edited after recording, legacy 12-hex name),
    flags stale copies of correctly named twins and stale files that would all
    take one name, then plans safe renames (and moves into the recordings/
    directory the test maps to). Nothing is written without --fix; nothing is
    ever overwritten, and nothing moves outside the root. Exit 0 when every
    name matches (or was fixed), 1 when a stale recording remains, 2 when it
    cannot run.
    """
    from recctl import containers
    from recctl.confine import roots_of
    from recctl.containers import har
    from recctl.har_ids import judge_all, write_fixed
    from recctl.ogx import rename
    from recctl.render.hash import har_ids_json, har_ids_lines, hash_json, hash_lines

    roots = roots_of([str(p) for p in paths], str(root) if root else None)
    found = files_of(paths, kinds=(containers.DEFAULT, har))
    hars = [path for path in found if containers.identify(path) is har]
    files = recordings_only([p for p in found if p not in set(hars)], "hash", " and HAR files")
    if not files and not hars:
        raise typer.Exit(ExitCode.OK)
    planned = rename.plan(files, delete_duplicates, jobs_from(jobs), roots)
    failed = rename.apply(planned, roots) if fix else []
    ids = judge_all(hars, fix)
    if fix:
        ids = write_fixed(ids, roots)
    if output_format == "json":
        render.write_json(hash_json(planned, applied=fix, failed=failed) + har_ids_json(ids, fix))
    elif output_format == "github":
        from recctl.render.github import hash_annotations

        render.write_raw_lines(hash_annotations(hash_json(planned, applied=fix, failed=failed)))
        render.write_raw_lines(hash_annotations(har_ids_json(ids, fix)))
    else:
        lines = hash_lines(planned, fix, failed, verbose) if files else []
        render.print_lines(lines + har_ids_lines(ids, fix, verbose), wrap=True)
    if planned.unreadable or any(result.error for result in ids):
        raise typer.Exit(ExitCode.CANNOT_RUN)
    remaining = planned.blocked or failed or (planned.actions and not fix)
    stale_left = bool(planned.stale) and (not fix or bool(remaining))
    ids_left = any(result.stale and (not fix or result.new is None) for result in ids)
    raise typer.Exit(ExitCode.FINDINGS if stale_left or remaining or ids_left else ExitCode.OK)


@command()
def explain(
    request: Annotated[
        str,
        typer.Argument(
            metavar="[REQUEST]",
            help="A JSON request body, a whole recording, or the recorder's 'Recording not "
            "found' message (a file, or - for standard input).",
            show_default=False,
        ),
    ] = "-",
    url: Annotated[
        str | None,
        typer.Option("--url", metavar="URL", help="The request's url (with a request body)."),
    ] = None,
    method: Annotated[
        str, typer.Option("--method", metavar="METHOD", help="The request's HTTP method.")
    ] = "POST",
    test_id: Annotated[
        str | None,
        typer.Option("--test-id", metavar="ID", help="The pytest node id that made the request."),
    ] = None,
    recordings: Annotated[
        list[Path],
        typer.Option(
            "--recordings",
            metavar="DIR",
            help="Where to look (repeatable; default: the current directory).",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, nothing mutates it
    output_format: OutputFormatOption = OutputFormat.text,
) -> None:
    """Explain a replay miss: the hash, the closest recordings.

    Prints the request hash, whether a recording by that name exists, and
    otherwise the recordings of the same test and endpoint (then any test) whose
    requests come closest, each with what differs. Exit 0 when the recording
    exists, 1 when it does not, 2 when the input is not a request.
    """
    from recctl import io
    from recctl.ogx.explain import (
        ExplainError,
        query_from_request,
        query_from_text,
        rank,
        search,
        stale_copy,
    )
    from recctl.render.explain import explain_json, explain_lines

    if request == "-" and sys.stdin.isatty():
        raise RecctlError("give a request file, or pipe the recorder's message into recctl explain")
    if request != "-":
        from recctl import containers

        container = containers.identify(request)
        if container is not None and container is not containers.DEFAULT:
            raise RecctlError(
                f"{request}: a {container.title} {container.noun}: recctl explain reads "
                f"{containers.DEFAULT.noun}s, request bodies and the recorder's messages only"
            )
    try:
        raw = sys.stdin.buffer.read() if request == "-" else io.read_bytes(request)
    except io.LoadError as error:
        raise RecctlError(f"{request}: {error}") from None
    try:
        try:
            document = io.parse(raw)
        except io.LoadError:
            query = query_from_text(raw.decode("utf-8", "replace"), test_id)
        else:
            query = query_from_request(document, url, method, test_id)
    except ExplainError as error:
        raise RecctlError(f"{request}: {error}") from None
    given = None if request == "-" else request
    found, others = search(query, [str(path) for path in recordings] or ["."], given)
    stale = stale_copy(query, given)
    closest = [] if found or stale else rank(query, others)
    if output_format is OutputFormat.json:
        render.write_json(explain_json(query, found, closest, stale))
    else:
        render.print_lines(explain_lines(query, found, closest, stale), wrap=True)
    raise typer.Exit(ExitCode.OK if found else ExitCode.FINDINGS)
