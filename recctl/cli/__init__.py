"""The command line: options -> core call -> renderer -> exit code. Nothing else.

Every command is registered through ``command``, the one place where a
``RecctlError`` becomes a one-line message on stderr and exit code 2.

Annotations here are evaluated when the module loads (no ``from __future__ import
annotations``): Typer then reads them as objects instead of evaluating hundreds of
strings at every start, which took 4 ms of it.
"""

import enum
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from recctl import __version__, render
from recctl.errors import ExitCode, RecctlError

if TYPE_CHECKING:
    from recctl.config import Config
    from recctl.containers import Container


class _Group(typer.core.TyperGroup):
    """The app's Click group: Click's own errors (a missing argument, an unknown
    option, a bad value) pass the error boundary too, one line ``recctl: error: …``
    and exit 2, as every other error; help and ``recctl`` alone print as Click does."""

    def main(  # type: ignore[override]
        self, args: Any = None, prog_name: str | None = None, **kwargs: Any
    ) -> Any:
        from typer._click import exceptions
        from typer.exceptions import Abort

        standalone_mode = kwargs.pop("standalone_mode", True)
        try:
            result = super().main(args, prog_name, standalone_mode=False, **kwargs)
        except exceptions.NoArgsIsHelpError as error:
            error.show()
            sys.exit(ExitCode.CANNOT_RUN)
        except exceptions.UsageError as error:
            where = error.ctx.command_path if error.ctx is not None else "recctl"
            message = error.format_message().rstrip(".")
            render.error(f"{message} (see {where} -h)")
            sys.exit(ExitCode.CANNOT_RUN)
        except exceptions.ClickException as error:
            render.error(error.format_message())
            sys.exit(ExitCode.CANNOT_RUN)
        except Abort:
            sys.exit(130)
        if not standalone_mode:
            return result
        sys.exit(result if isinstance(result, int) else ExitCode.OK)


app = typer.Typer(
    name="recctl",
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # recordings hold prompts: never dump locals
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    # Help is plain Click text: no Rich markup, so `[tool.recctl]` and `[default: …]`
    # print as written, and Click wraps at the terminal's width without cutting words.
    rich_markup_mode=None,
)

F = TypeVar("F", bound=Callable[..., Any])

_typer_metavar = typer.core.TyperArgument.make_metavar


def _metavar(self: typer.core.TyperArgument, ctx: Any, *, usage: bool = False) -> str:
    """A required argument reads ``PATHS...`` in usage, as Click writes it; Typer (pinned
    below 0.29 in pyproject.toml) writes ``{PATHS...}``."""
    var = _typer_metavar(self, ctx, usage=usage)
    return var[1:-1] if var.startswith("{") and var.endswith("}") else var


typer.core.TyperArgument.make_metavar = _metavar  # type: ignore[method-assign]


def command(name: str | None = None, epilog: Callable[[], str] | None = None) -> Callable[[F], F]:
    """Register a command; a ``RecctlError`` it raises becomes exit 2 with one line.

    ``epilog`` makes the text printed after the options (validate's table of codes,
    made from the one list of checks).
    """

    def register(function: F) -> F:
        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            budgets = sys.modules.get("recctl.budget")
            if budgets is not None:  # read again: another directory may configure others
                budgets.set_limits(None)
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
            except typer.Exit:
                raise
            except Exception as error:  # a bug: one line, the traceback on request
                if os.environ.get("RECCTL_DEBUG"):
                    raise
                render.error(
                    f"internal error: {type(error).__name__}: {error} "
                    "(set RECCTL_DEBUG=1 for the traceback, and please report it)"
                )
                raise typer.Exit(ExitCode.CANNOT_RUN) from None

        app.command(name, epilog=epilog() if epilog else None)(run)
        return function

    return register


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


class FindingsFormat(str, enum.Enum):
    text = "text"
    json = "json"
    github = "github"


class DiffFormat(str, enum.Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


OutputFormatOption = Annotated[
    OutputFormat,
    typer.Option(
        "--output-format", "-o", metavar="text|json", help="text for people, json for machines."
    ),
]
FindingsFormatOption = Annotated[
    FindingsFormat,
    typer.Option(
        "--output-format",
        "-o",
        metavar="text|json|github",
        help="text for people, json for machines, github for workflow annotations.",
    ),
]
DiffFormatOption = Annotated[
    DiffFormat,
    typer.Option(
        "--output-format",
        "-o",
        metavar="text|json|markdown",
        help="text for people, json for machines, markdown for a pull request or "
        "$GITHUB_STEP_SUMMARY.",
    ),
]
#: For ``hash``, which reads the two formats whose names or ids a replayer computes.
HashPathsArgument = Annotated[
    list[Path],
    typer.Argument(
        metavar="PATHS...",
        help="ogx recordings and Polly.JS HAR files, or directories: below them, each "
        "such file a replayer would read (recordings/*.json, *.har); the cassettes of "
        "other formats are not named by a hash, and are left out.",
        show_default=False,
    ),
]

PathsArgument = Annotated[
    list[Path],
    typer.Argument(
        metavar="PATHS...",
        help="Recordings and cassettes, or directories: below them, every file a "
        "replayer would read, by each format's directories (recordings/, cassettes/, "
        "vcr_cassettes/, testdata/, __fixtures__/, ...) and suffixes, a file whose "
        "suffix other tools share judged by its structure (docs/formats.md).",
        show_default=False,
    ),
]


#: pre-commit passes every staged file its ``files:`` pattern matches: recctl judges them.
FilterOption = Annotated[
    bool,
    typer.Option(
        "--filter",
        help="Read only the files given that a walk would read, judged by directory and "
        "structure as a walk judges them; skip the others (pre-commit's file lists). "
        "Exit 0 when none is left.",
    ),
]


def filtered(paths: list[Path], keep: bool) -> list[Path]:
    """With ``--filter``, the paths a walk would read (directories kept); exit 0 when
    none is: a commit that holds no recording has none to check."""
    if not keep:
        return paths
    from recctl import containers

    kept = [p for p in paths if os.path.isdir(p) or containers.found_by_walk(str(p))]
    if not kept:
        raise typer.Exit(ExitCode.OK)
    return kept


#: The dry run of the commands that rewrite files (normalize, scrub): pre-commit's.
CheckOption = Annotated[
    bool, typer.Option("--check", help="Write nothing; exit 1 when a file would change.")
]
JobsOption = Annotated[
    int | None,
    typer.Option(
        "--jobs",
        "-j",
        min=1,
        metavar="N",
        help="Worker processes for large runs (default: one per core).",
        show_default=False,
    ),
]
RootOption = Annotated[
    Path | None,
    typer.Option(
        "--root",
        metavar="DIR",
        help="The repository root: test ids are relative to it and nothing is "
        "written outside it (default: the git work tree holding the paths).",
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
    """Inspect, validate and maintain LLM API test recordings.

    Reads ogx (llama-stack) JSON recordings, VCR.py YAML cassettes, and the
    cassettes of Ruby's VCR, go-vcr, httprr and Polly.JS. Exit codes: 0 clean,
    1 findings, 2 could not run.
    """
    from recctl import masking

    masking.forget()  # one run, one set of credentials to mask (the tests run many)


def recordings_only(files: list[str], command: str, also: str = "") -> list[str]:
    """The files of the default container (ogx recordings), which ``command`` reads;
    each other file given (by its name) gets a one-line note (``also``: what else
    the command reads, for the note)."""
    from recctl import containers

    kept = []
    for path in files:
        container = containers.identify(path)
        if container is None or container is containers.DEFAULT:
            kept.append(path)
        else:
            note = (
                f"note: {path}: a {container.title} {container.noun}: recctl {command} applies "
                f"to {containers.DEFAULT.noun}s{also} only"
            )
            render.print_lines([render.Line([(note, "dim")])], stderr=True)
    return kept


def configured() -> "Config":
    """``[tool.recctl]`` of the nearest pyproject.toml (``config.load``)."""
    from recctl import config

    return config.load()


def jobs_from(jobs: int | None, settings: "Config | None" = None) -> int | None:
    """``--jobs`` when given, else the configured ``jobs``, else one per core."""
    if jobs is not None:
        return jobs
    from_file: int | None = (settings or configured()).get("jobs")
    return from_file


def given_files_are_read(paths: list[Path]) -> None:
    """A file named on the command line that recctl does not read is one clear error."""
    from recctl.containers import identify

    for path in paths:
        if not os.path.isdir(path) and identify(str(path)) is None:
            raise RecctlError(f"{path}: not a recording or cassette recctl reads")


def files_of(
    paths: list[Path], cassettes: bool = False, kinds: "tuple[Container, ...] | None" = None
) -> list[str]:
    """The files given and found below the directories given: of every container, or
    (without ``cassettes``) of the default one, ogx recordings, or of ``kinds``."""
    from recctl import containers

    given_files_are_read(paths)
    if kinds is None:
        kinds = containers.CONTAINERS if cassettes else (containers.DEFAULT,)
    files = list(containers.discover(paths, kinds))
    if not files:
        if cassettes or kinds == containers.CONTAINERS:
            what = "recordings or cassettes"
        elif kinds == (containers.DEFAULT,):
            what = "*.json recordings"
        else:  # a command that reads some formats only says which
            what = " or ".join(
                f"{kind.noun}s"
                if kind.noun.split()[0] in kind.title
                else f"{kind.title} {kind.noun}s"
                for kind in kinds
            )
        raise RecctlError(f"no {what} found under " + ", ".join(map(str, paths)))
    return files


def main() -> None:
    """The console script. Typer turns every registered command into a Click command
    before it runs one; when the first argument names a command, only that one is
    registered, which spares most of that work (2 ms of every start-up)."""
    wanted = sys.argv[1] if len(sys.argv) > 1 else None
    chosen = [info for info in app.registered_commands if _command_name(info) == wanted]
    if chosen:
        app.registered_commands = chosen
    app(prog_name="recctl")


def _command_name(info: typer.models.CommandInfo) -> str:
    assert info.callback is not None
    return info.name or info.callback.__name__.replace("_", "-")


def _register_commands() -> None:
    """Import the command modules: each registers its commands with ``app``, in this
    order (the order of ``recctl --help``)."""
    import importlib

    commands = ("validate", "answers", "diff", "names", "maintaining", "scrub", "configuration")
    for module in commands:
        importlib.import_module(f"recctl.cli.{module}")


_register_commands()
