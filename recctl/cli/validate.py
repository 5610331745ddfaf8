"""recctl validate: recordings and cassettes checked."""

import itertools
from pathlib import Path
from typing import Annotated

import typer

from recctl import render
from recctl.cli import (
    FilterOption,
    FindingsFormat,
    FindingsFormatOption,
    JobsOption,
    PathsArgument,
    command,
    configured,
    filtered,
    given_files_are_read,
    jobs_from,
)
from recctl.cli.baselines import BaselineOption, UpdateBaselineOption
from recctl.errors import ExitCode, RecctlError


def _codes_epilog() -> str:
    """The table of validate's codes, from ``findings.CHECKS``."""
    import textwrap

    from recctl.findings import CHECKS

    rows = []
    for check in CHECKS.values():
        text = f"{check.code} {check.severity.value:7} {check.name}: {check.summary}"
        rows += textwrap.wrap(text, 76, initial_indent="  ", subsequent_indent=" " * 16)
    return "\b\nCodes (errors fail the run, warnings do not):\n" + "\n".join(rows)


@command(epilog=_codes_epilog)
def validate(
    paths: PathsArgument,
    schema: Annotated[
        Path | None,
        typer.Option(
            "--schema",
            metavar="FILE",
            help="Validate against this JSON Schema file instead of "
            "the one recctl ships (see `recctl schema`).",
            show_default=False,
        ),
    ] = None,
    ignore: Annotated[
        list[str],
        typer.Option(
            "--ignore",
            metavar="CODE",
            help="Turn off a check by code (RC203), code prefix (RC2) "
            "or name (secret). Repeatable.",
            show_default=False,
        ),
    ] = [],  # noqa: B006 - Typer reads the default, nothing mutates it
    pii: Annotated[
        bool | None,
        typer.Option(
            "--pii/--no-pii",
            help="Also look for e-mail addresses and phone numbers (RC208) "
            "[default: validate.pii, else no].",
            show_default=False,
        ),
    ] = None,
    baseline: BaselineOption = None,
    update_baseline: UpdateBaselineOption = False,
    output_format: FindingsFormatOption = FindingsFormat.text,
    jobs: JobsOption = None,
    only_found: FilterOption = False,
) -> None:
    """Check recordings and cassettes: schema, secrets, names.

    Recordings are checked against the schema `recctl schema` prints, cassettes
    against what VCR.py needs to replay them; then both for what a schema cannot
    express. Each finding is one line, `path::$.json.path: CODE message`, errors
    first. With --baseline, the findings its file records are passed over
    (counted apart): only new ones fail. Exit 0 when every file is valid
    (warnings allowed), 1 when any is not, 2 when it cannot run.
    """
    from recctl import containers, io
    from recctl.cli.baselines import baseline_of, baseline_written
    from recctl.findings import CHECKS, Finding, selected
    from recctl.ogx.schema import SchemaError, SchemaValidator, shipped_schema_bytes
    from recctl.validate import Options, validate_paths

    settings = configured()
    ignore = ignore or settings.get("validate.ignore")
    schema = schema or settings.get("validate.schema")
    try:
        enabled = selected(CHECKS, ignore)
    except ValueError as error:
        raise RecctlError(f"--ignore {error}: no check has this code or name") from None
    options = Options(settings.get("validate.max-body-kib"), settings.get("validate.max-age-days"))
    opted_out = {"RC208"} if not (settings.get("validate.pii") if pii is None else pii) else set()
    opted_out |= {"RC209"} if options.max_body_kib is None else set()
    opted_out |= {"RC210"} if options.max_age_days is None else set()
    enabled -= opted_out
    known = baseline_of(baseline, update_baseline, settings)
    if schema is None:
        schema_bytes = shipped_schema_bytes()
    else:
        try:
            schema_bytes = io.read_bytes(schema)
        except io.LoadError as error:
            raise RecctlError(f"cannot read schema {schema}: {error}") from None
    try:
        validator = SchemaValidator(schema_bytes)
    except SchemaError as error:
        raise RecctlError(f"schema {schema or '(shipped)'}: {error}") from None

    # Taken as the walk finds them, not listed first: memory stays flat however many.
    paths = filtered(paths, only_found)
    given_files_are_read(paths)
    found = containers.discover(paths)
    first = next(found, None)
    if first is None:
        raise RecctlError("no recordings or cassettes found under " + ", ".join(map(str, paths)))
    files = itertools.chain([first], found)
    jobs = jobs_from(jobs, settings)
    progress = render.Progress()
    if output_format == "json":  # one document: it holds the findings
        report = validate_paths(
            files, validator, enabled, jobs, progress=progress.step, options=options, baseline=known
        )
        progress.done()
        if known is not None and update_baseline:
            baseline_written(known, enabled, quiet=True)
        render.write_json(render.validate_json(report, known.file if known else None))
    elif output_format == "github":
        from recctl.render.github import finding_annotations, known_notice

        def annotate(findings: list[Finding]) -> None:
            progress.done()
            render.write_raw_lines(finding_annotations(findings))

        report = validate_paths(
            files, validator, enabled, jobs, annotate, progress.step, options, known
        )
        if known is not None:
            render.write_raw_lines(known_notice(report.known_count, known.file))
            if update_baseline:
                baseline_written(known, enabled, quiet=True)
    else:  # errors printed as they come, warnings after them (kept: lines, not files)
        warnings: list[Finding] = []

        def show(findings: list[Finding]) -> None:
            errors = [f for f in findings if f.severity.value == "error"]
            warnings.extend(f for f in findings if f.severity.value != "error")
            if errors:
                progress.done()
                render.print_lines(render.finding_lines(errors))

        report = validate_paths(
            files, validator, enabled, jobs, show, progress.step, options, known
        )
        progress.done()
        render.print_lines(render.finding_lines(warnings))
        render.validate_summary(report, known.file if known is not None else None)
        if known is not None and update_baseline:
            baseline_written(known, enabled)
    if update_baseline:  # every finding is known now
        raise typer.Exit(ExitCode.OK)
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.FINDINGS)
