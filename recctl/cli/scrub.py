"""recctl scrub: credentials removed from recorded files, replay intact."""

import os
import re
from typing import Annotated

import typer

from recctl import render
from recctl.cli import (
    CheckOption,
    FilterOption,
    JobsOption,
    OutputFormat,
    OutputFormatOption,
    PathsArgument,
    command,
    configured,
    files_of,
    filtered,
    jobs_from,
)
from recctl.cli.baselines import BaselineOption, UpdateBaselineOption
from recctl.errors import ExitCode, RecctlError


@command()
def scrub(
    paths: PathsArgument,
    check: CheckOption = False,
    diff: Annotated[
        bool,
        typer.Option("--diff", help="Write nothing; print a diff of each change, secrets masked."),
    ] = False,
    key: Annotated[
        list[str],
        typer.Option(
            "--key",
            metavar="NAME",
            help="Also a header, field or query parameter of this name (repeatable): its "
            "value is a credential, whatever it looks like.",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, nothing mutates it
    pattern: Annotated[
        list[str],
        typer.Option(
            "--pattern",
            metavar="REGEX",
            help="Also every match of this regular expression in headers, URLs and bodies "
            "(repeatable; its group 1, when it has one, is the secret).",
        ),
    ] = [],  # noqa: B006 - Typer reads the default, nothing mutates it
    placeholder: Annotated[
        str,
        typer.Option(
            "--placeholder",
            metavar="TEXT",
            help="What replaces a secret; {kind} is what it was (openai-key, token, ...).",
        ),
    ] = "REDACTED-{kind}",
    pii: Annotated[
        bool,
        typer.Option(
            "--pii",
            help="Also replace e-mail addresses and phone numbers (validate's RC208) with "
            "fakes of the same shape, one value always the same fake.",
        ),
    ] = False,
    baseline: BaselineOption = None,
    update_baseline: UpdateBaselineOption = False,
    output_format: OutputFormatOption = OutputFormat.text,
    jobs: JobsOption = None,
    only_found: FilterOption = False,
) -> None:
    """Remove leaked credentials in place, replay intact.

    What validate's RC203 finds, plus --key and --pattern: in headers, query
    strings, form and JSON bodies, SigV4 key ids, and inside base64 and gzip
    bodies (decoded, scrubbed, encoded again). Each secret is replaced where it
    stands, so every other byte stays; the placeholder says what was there. An
    ogx recording whose hashed request held a key is renamed to its new hash;
    for a cassette, the output names the VCR.py setting that keeps requests
    matching. Writes are atomic and a second run changes nothing. A scrubbed key
    is still in git history: the output names the commits; rotate the key.
    With --pii, e-mail addresses become user-<hash>@example.com and phone
    numbers a number of the same format in the 555-01XX range, through the same
    proof. With --check (or --diff) and --baseline, a file whose every value
    the baseline records is passed over.
    Exit 0 when done (or nothing to scrub), 1 with --check or --diff when a file
    would change, or when a file was left alone, 2 when it cannot run.
    """
    import functools

    from recctl import io
    from recctl.cli.baselines import baseline_of, baseline_written
    from recctl.confine import roots_of
    from recctl.parallel import ordered_map
    from recctl.render.scrub import known_lines, scrub_json, scrub_lines
    from recctl.scrub import KEY_NAME, history, pass_over_known, scrub_file, write_scrubbed
    from recctl.secrets import Extra

    for name in key:
        if not KEY_NAME.match(name):
            raise RecctlError(f"--key {name!r}: a header, field or parameter name")
    compiled = []
    for text in pattern:
        try:
            compiled.append(re.compile(text))
        except re.error as error:
            raise RecctlError(f"--pattern {text!r}: {error}") from None
    if "{kind}" not in placeholder and not placeholder.strip():
        raise RecctlError("--placeholder: an empty replacement would hide what was there")
    try:
        placeholder.format(kind="x")
    except (KeyError, IndexError, ValueError):
        raise RecctlError(f"--placeholder {placeholder!r}: only {{kind}} may be named") from None
    extra = Extra(frozenset(name.lower() for name in key), tuple(compiled))
    dry = check or diff
    known = baseline_of(baseline, update_baseline, configured()) if dry or baseline else None
    if (known is not None or update_baseline) and not dry:
        raise RecctlError("--baseline goes with --check or --diff (a write scrubs every file)")
    files = files_of(filtered(paths, only_found), cassettes=True)
    per_file = functools.partial(scrub_file, extra=extra, placeholder=placeholder, pii=pii)
    results = list(ordered_map(per_file, files, jobs_from(jobs)))
    if known is not None:
        pass_over_known(results, known)
        if update_baseline:
            baseline_written(known, frozenset({"RC203", "RC208"} if pii else {"RC203"}))
    if not dry:
        roots = roots_of([str(path) for path in paths])
        io.remove_leftovers(files, roots)
        results = write_scrubbed(results, roots)
    secrets = sorted({s for result in results if result.new is not None for s in result.secrets})
    where = os.path.dirname(os.path.abspath(files[0]))  # git finds the work tree from it
    commits = history(where, secrets) if secrets and not dry else []  # pre-commit: no need
    if output_format is OutputFormat.json:
        render.write_json(scrub_json(results, commits, written=not dry))
    else:
        lines = scrub_lines(results, commits, written=not dry, show_diff=diff)
        render.print_lines(lines + known_lines(results, known.file if known else None))
    if any(result.error for result in results):
        raise typer.Exit(ExitCode.CANNOT_RUN)
    changed = any(result.new is not None and not result.known for result in results)
    if update_baseline:
        changed = False
    refused = any(result.refused for result in results)
    raise typer.Exit(ExitCode.FINDINGS if (dry and changed) or refused else ExitCode.OK)
