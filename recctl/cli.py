"""The command line: options -> core call -> renderer -> exit code. Nothing else.

Every command is registered through ``command``, the one place where a
``RecctlError`` becomes a one-line message on stderr and exit code 2.
"""

from __future__ import annotations

import enum
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from recctl import __version__, render
from recctl.errors import ExitCode, RecctlError

app = typer.Typer(
    name="recctl",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # recordings hold prompts: never dump locals
    context_settings={"help_option_names": ["-h", "--help"]},
)

F = TypeVar("F", bound=Callable[..., Any])


def command(name: str | None = None) -> Callable[[F], F]:
    """Register a command; a ``RecctlError`` it raises becomes exit 2 with one line."""

    def register(function: F) -> F:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return function(*args, **kwargs)
            except RecctlError as error:
                render.error(str(error))
                raise typer.Exit(ExitCode.CANNOT_RUN) from None
            except BrokenPipeError:  # `recctl ... | head`: the reader left, not an error
                sys.stderr.close()
                raise typer.Exit(ExitCode.OK) from None
            except KeyboardInterrupt:
                raise typer.Exit(130) from None

        app.command(name)(run)
        return function

    return register


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


OutputFormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--output-format", "-o", metavar="text|json", help="text for people, json for machines."
    ),
]
PathsArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Recording files, or directories: every *.json below them.",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"recctl {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Inspect, validate and maintain LLM API test recordings (llama-stack / ogx format).

    Exit codes: 0 clean, 1 findings, 2 could not run.
    """


@command()
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
    output_format: OutputFormatOption = OutputFormat.text,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            "-j",
            min=1,
            metavar="N",
            help="Worker processes for large runs (default: one per core).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check recordings against the shipped schema and further checks.

    Recordings are checked against the schema `recctl schema` prints, then for
    what a schema cannot express.
    Each finding is one line, `path::$.json.path: CODE message`. Codes:
    RC001 unreadable, RC002 not JSON, RC100 schema, RC201 stream ids differ,
    RC202 stored outside its test's recordings/ directory, RC203 secret.
    Exit 0 when every recording is valid, 1 when any is not, 2 when it cannot run.
    """
    from recctl import io
    from recctl.findings import CHECKS, selected
    from recctl.schema import SchemaError, SchemaValidator, shipped_schema_bytes
    from recctl.validate import validate_paths

    try:
        enabled = selected(CHECKS, ignore)
    except ValueError as error:
        raise RecctlError(f"--ignore {error}: no check has this code or name") from None
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

    files = list(io.discover(paths))
    if not files:
        render.error("no *.json recordings found under " + ", ".join(map(str, paths)))
    report = validate_paths(files, validator, enabled, jobs)
    if output_format is OutputFormat.json:
        render.write_json(render.validate_json(report))
    else:
        render.validate_text(report)
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.FINDINGS)


@command()
def schema() -> None:
    """Print the recording JSON Schema (Draft 2020-12) that validate uses."""
    from recctl.schema import shipped_schema_bytes

    sys.stdout.buffer.write(shipped_schema_bytes())
    sys.stdout.flush()
    raise typer.Exit(ExitCode.OK)


def main() -> None:
    app(prog_name="recctl")
