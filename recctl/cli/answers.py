"""recctl reassemble, show and stats: what recordings hold."""

import sys
from collections.abc import Iterable
from typing import Annotated, Any

import typer

from recctl import render
from recctl.cli import (
    JobsOption,
    OutputFormat,
    OutputFormatOption,
    PathsArgument,
    command,
    files_of,
    jobs_from,
)
from recctl.errors import ExitCode, RecctlError
from recctl.masking import mask_text
from recctl.printable import printable


@command()
def reassemble(
    paths: PathsArgument,
    output_format: OutputFormatOption = OutputFormat.text,
    jobs: JobsOption = None,
) -> None:
    """Print the answer each recording or cassette holds.

    Streamed or not, every flavour. Text mode prints the answer text, then
    each tool call as `name(arguments)`, ready for grep or an editor; with
    several files, each answer follows a `==> path <==` line. JSON mode
    prints one array, one object per file and line. A file that cannot be
    read is reported on stderr and the run exits 2.
    """
    from recctl.parallel import ordered_map
    from recctl.per_file import reassemble_json, reassemble_plain

    files = files_of(paths, cassettes=True)
    as_json = output_format is OutputFormat.json
    failed = False
    written = 0
    out = render.MaskedOutput()
    out.write(b"[\n" if as_json else b"")
    for result in ordered_map(
        reassemble_json if as_json else reassemble_plain, files, jobs_from(jobs)
    ):
        if result.note:
            render.print_lines([render.Line([(f"note: {result.note}", "dim")])], stderr=True)
        if result.error:
            render.error(result.error)
            failed = True
        if not result.content or (result.error and not as_json):
            continue
        if as_json:
            out.write((b",\n" if written else b"") + result.content)
        else:
            header = f"==> {printable(result.path)} <==\n".encode() if len(files) > 1 else b""
            out.write(header + result.content)
        written += 1
    out.write(b"\n]\n" if as_json else b"")
    out.flush()
    raise typer.Exit(ExitCode.CANNOT_RUN if failed else ExitCode.OK)


@command()
def show(
    paths: PathsArgument,
    full: Annotated[
        bool, typer.Option("--full", help="Show long strings and base64 data in full.")
    ] = False,
    textconv: Annotated[
        bool,
        typer.Option(
            "--textconv",
            help="Plain, deterministic text for git's diff.<driver>.textconv: no colour, "
            "no width dependence, full text (base64 data as size and digest).",
        ),
    ] = False,
    output_format: OutputFormatOption = OutputFormat.text,
) -> None:
    """Show a recording or cassette: request, answer, usage.

    As a person reads it, one interaction after another for a cassette. The
    header names the test, endpoint, provider and model; the request is
    shown as a conversation with the tools offered and sampling parameters; the
    answer has its reasoning set apart, tool calls with pretty-printed
    arguments, the finish reason, and a usage line ("usage not recorded" when
    the recording holds none).
    """
    from recctl import containers, io
    from recctl.exchange import NotExchanges
    from recctl.render.answer import show_lines, view_json
    from recctl.show import build_view

    documents: list[dict[str, Any]] = []
    lines: list[render.Line] = []
    for path in files_of(paths, cassettes=True):
        try:
            file = containers.load(path)
        except NotExchanges as note:
            documents.append({"path": path, "note": str(note)})
            lines += ([render.Line([])] if lines else []) + [
                render.Line([(f"{path}: {note}", "dim")])
            ]
            continue
        except io.LoadError as error:
            if not textconv:
                raise RecctlError(f"{path}: {error}") from None
            # git must always get text back: the file as it is, made safe, or (too
            # large, not a file) why not, without the path: git's is a temporary one.
            try:
                text = io.read_bytes(path).decode("utf-8", "replace")
            except io.LoadError as error:
                text = f"(recctl cannot show this file: {error})\n"
            sys.stdout.write(mask_text(printable(text, multiline=True)))
            sys.stdout.flush()
            continue
        # --textconv: full text, but base64 data as size and digest
        view = build_view(file, full=full or textconv, data_urls=textconv)
        if output_format is OutputFormat.json:
            documents.append(view_json(view))
        else:
            lines += ([render.Line([])] if lines else []) + show_lines(view, textconv)
    if output_format is OutputFormat.json:
        render.write_json(documents[0] if len(documents) == 1 else documents)
    else:
        render.print_lines(lines, wrap=True, plain=textconv)
    raise typer.Exit(ExitCode.OK)


@command()
def stats(
    paths: PathsArgument,
    output_format: OutputFormatOption = OutputFormat.text,
    jobs: JobsOption = None,
    audit: Annotated[
        bool,
        typer.Option(
            "--audit",
            help="Also the largest files and bodies (media in base64, audio, images, called "
            "so) and how old the recordings are (the time a file keeps, else its last commit).",
        ),
    ] = False,
) -> None:
    """Count calls by suite, endpoint, provider and model.

    Over recordings and cassettes. For each group: files, streamed
    recordings, chunks, size, prompt and completion tokens (summed over the
    recordings that hold usage), recordings without usage, and recorded
    errors; then the totals.
    """
    from recctl.parallel import ordered_map
    from recctl.per_file import stats_row
    from recctl.stats import Rows, aggregate

    files = files_of(paths, cassettes=True)
    audits: list[Any] = []
    if audit:
        from recctl.audit import stats_and_audit

        def kept(both: Iterable[tuple[Rows, Any]]) -> Iterable[Rows]:
            for row, audited in both:
                if audited is not None:
                    audits.append(audited)
                yield row

        rows: Iterable[Rows] = kept(ordered_map(stats_and_audit, files, jobs_from(jobs)))
    else:
        rows = ordered_map(stats_row, files, jobs_from(jobs))
    if len(files) > 300 and render.is_terminal(stderr=True):
        from rich.progress import track

        rows = track(
            rows,
            total=len(files),
            description="Reading",
            console=render.console(stderr=True),
            transient=True,
        )
    overview = aggregate(rows)
    audited = None
    if audit:
        from recctl.audit import audit_json

        audited = audit_json(audits)
    if output_format is OutputFormat.json:
        document = overview.to_json()
        render.write_json({**document, "audit": audited} if audited else document)
    else:
        from recctl.render.stats import print_overview

        print_overview(overview)
        if audited is not None:
            from recctl.render.audit import audit_lines

            render.print_lines(audit_lines(audited))
    raise typer.Exit(ExitCode.CANNOT_RUN if overview.unreadable else ExitCode.OK)
