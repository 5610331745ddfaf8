"""The command line: options -> core call -> renderer -> exit code. Nothing else.

Every command is registered through ``command``, the one place where a
``RecctlError`` becomes a one-line message on stderr and exit code 2.

Annotations here are evaluated when the module loads (no ``from __future__ import
annotations``): Typer then reads them as objects instead of evaluating hundreds of
strings at every start, which took 4 ms of it.
"""

import enum
import functools
import itertools
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from recctl import __version__, render
from recctl.errors import ExitCode, RecctlError
from recctl.masking import mask_text
from recctl.printable import printable

if TYPE_CHECKING:
    from recctl.config import Config

app = typer.Typer(
    name="recctl",
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
PathsArgument = Annotated[
    list[Path],
    typer.Argument(
        metavar="PATHS...",
        help="Recordings and cassettes, or directories: every *.json under a "
        "recordings/ directory and every *.yaml, *.yml, *.yaml.gz under a cassettes/ "
        "directory below them.",
        show_default=False,
    ),
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

    Reads ogx (llama-stack) JSON recordings and VCR.py YAML cassettes. Exit
    codes: 0 clean, 1 findings, 2 could not run.
    """


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
    output_format: FindingsFormatOption = FindingsFormat.text,
    jobs: JobsOption = None,
) -> None:
    """Check recordings and cassettes: schema, secrets, names.

    Recordings are checked against the schema `recctl schema` prints, cassettes
    against what VCR.py needs to replay them; then both for what a schema cannot
    express. Each finding is one line, `path::$.json.path: CODE message`, errors
    first. Exit 0 when every file is valid (warnings allowed), 1 when any is
    not, 2 when it cannot run.
    """
    from recctl import io
    from recctl.findings import CHECKS, Finding, selected
    from recctl.schema import SchemaError, SchemaValidator, shipped_schema_bytes
    from recctl.validate import validate_paths

    settings = _settings()
    ignore = ignore or settings.get("validate.ignore")
    schema = schema or settings.get("validate.schema")
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

    # Taken as the walk finds them, not listed first: memory stays flat however many.
    _given_files_are_read(paths)
    found = io.discover(paths, cassettes=True)
    first = next(found, None)
    if first is None:
        raise RecctlError("no recordings or cassettes found under " + ", ".join(map(str, paths)))
    files = itertools.chain([first], found)
    jobs = _jobs(jobs, settings)
    progress = render.Progress()
    if output_format == "json":  # one document: it holds the findings
        report = validate_paths(files, validator, enabled, jobs, progress=progress.step)
        progress.done()
        render.write_json(render.validate_json(report))
    elif output_format == "github":
        from recctl.render_github import finding_annotations

        def annotate(findings: list[Finding]) -> None:
            progress.done()
            render.write_raw_lines(finding_annotations(findings))

        report = validate_paths(files, validator, enabled, jobs, annotate, progress.step)
    else:  # errors printed as they come, warnings after them (kept: lines, not files)
        warnings: list[Finding] = []

        def show(findings: list[Finding]) -> None:
            errors = [f for f in findings if f.severity.value == "error"]
            warnings.extend(f for f in findings if f.severity.value != "error")
            if errors:
                progress.done()
                render.print_lines(render.finding_lines(errors))

        report = validate_paths(files, validator, enabled, jobs, show, progress.step)
        progress.done()
        render.print_lines(render.finding_lines(warnings))
        render.validate_summary(report)
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.FINDINGS)


def _load(path: str) -> tuple[int, Any]:
    """Size and parsed content of one file, or a one-line ``RecctlError`` naming it."""
    from recctl import io

    try:
        raw = io.read_bytes(path)
        return len(raw), io.parse(raw)
    except io.LoadError as error:
        raise RecctlError(f"{path}: {error}") from None


def _recordings_only(files: list[str], command: str) -> list[str]:
    """The files that are ogx recordings; each cassette (by its name) gets a one-line note."""
    from recctl.containers import is_cassette

    kept = []
    for path in files:
        if is_cassette(path, sniff=False):
            note = f"note: {path}: a VCR.py cassette: recctl {command} applies to recordings only"
            render.print_lines([render.Line([(note, "dim")])], stderr=True)
        else:
            kept.append(path)
    return kept


def _settings() -> "Config":
    """``[tool.recctl]`` of the nearest pyproject.toml (``config.load``)."""
    from recctl import config

    return config.load()


def _jobs(jobs: int | None, settings: "Config | None" = None) -> int | None:
    """``--jobs`` when given, else the configured ``jobs``, else one per core."""
    if jobs is not None:
        return jobs
    configured: int | None = (settings or _settings()).get("jobs")
    return configured


def _given_files_are_read(paths: list[Path]) -> None:
    """A file named on the command line that recctl does not read is one clear error."""
    from recctl.containers import kind_of

    for path in paths:
        if not os.path.isdir(path) and kind_of(str(path)) is None:
            raise RecctlError(f"{path}: not a recording or cassette recctl reads")


def _files(paths: list[Path], cassettes: bool = False) -> list[str]:
    from recctl import io

    _given_files_are_read(paths)
    files = list(io.discover(paths, cassettes))
    if not files:
        what = "recordings or cassettes" if cassettes else "*.json recordings"
        raise RecctlError(f"no {what} found under " + ", ".join(map(str, paths)))
    return files


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
    from recctl.jobs import reassemble_json, reassemble_plain
    from recctl.parallel import ordered_map

    files = _files(paths, cassettes=True)
    as_json = output_format is OutputFormat.json
    failed = False
    written = 0
    out = render.MaskedOutput()
    out.write(b"[\n" if as_json else b"")
    for result in ordered_map(reassemble_json if as_json else reassemble_plain, files, _jobs(jobs)):
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
    from recctl import io
    from recctl.containers import is_cassette
    from recctl.render_answer import cassette_json, cassette_lines, show_lines, view_json
    from recctl.view import build_view, shorten_data_urls

    documents: list[dict[str, Any]] = []
    lines: list[render.Line] = []
    for path in _files(paths, cassettes=True):
        try:
            if is_cassette(path):
                view: Any = _cassette_view(path, full or textconv)
            else:
                size, recording = _load(path)
                if textconv:  # full text, but base64 data as size and digest
                    recording = _map_strings(recording, shorten_data_urls)
                view = build_view(path, size, recording, full=full or textconv)
        except RecctlError:
            if not textconv:
                raise
            # git must always get text back: the file as it is, made safe, or (too
            # large, not a file) why not, without the path: git's is a temporary one.
            try:
                text = io.read_bytes(path).decode("utf-8", "replace")
            except io.LoadError as error:
                text = f"(recctl cannot show this file: {error})\n"
            sys.stdout.write(mask_text(printable(text, multiline=True)))
            sys.stdout.flush()
            continue
        if isinstance(view, str):  # not an HTTP cassette: a note
            documents.append({"path": path, "note": view})
            lines += ([render.Line([])] if lines else []) + [
                render.Line([(f"{path}: {view}", "dim")])
            ]
        elif output_format is OutputFormat.json:
            documents.append(cassette_json(view) if is_cassette(path) else view_json(view))
        else:
            shown = (
                cassette_lines(view, textconv) if is_cassette(path) else show_lines(view, textconv)
            )
            lines += ([render.Line([])] if lines else []) + shown
    if output_format is OutputFormat.json:
        render.write_json(documents[0] if len(documents) == 1 else documents)
    else:
        render.print_lines(lines, wrap=True, plain=textconv)
    raise typer.Exit(ExitCode.OK)


def _cassette_view(path: str, full: bool) -> Any:
    """The view of a cassette, or the note that says it is not one."""
    from recctl import io
    from recctl.containers.cassette import NotACassette, parse_cassette
    from recctl.view import cassette_view

    try:
        raw = io.read_bytes(path)
        return cassette_view(path, len(raw), parse_cassette(raw, path), full=full)
    except io.LoadError as error:
        raise RecctlError(f"{path}: {error}") from None
    except NotACassette as note:
        return str(note)


def _map_strings(value: Any, function: Callable[[str], str]) -> Any:
    """``value`` with ``function`` applied to every string in it."""
    if isinstance(value, str):
        return function(value)
    if isinstance(value, dict):
        return {key: _map_strings(item, function) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, function) for item in value]
    return value


@command()
def stats(
    paths: PathsArgument,
    output_format: OutputFormatOption = OutputFormat.text,
    jobs: JobsOption = None,
) -> None:
    """Count calls by suite, endpoint, provider and model.

    Over recordings and cassettes. For each group: files, streamed
    recordings, chunks, size, prompt and completion tokens (summed over the
    recordings that hold usage), recordings without usage, and recorded
    errors; then the totals.
    """
    from recctl.jobs import stats_row
    from recctl.parallel import ordered_map
    from recctl.stats import Rows, aggregate

    files = _files(paths, cassettes=True)
    rows: Iterable[Rows] = ordered_map(stats_row, files, _jobs(jobs))
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
    if output_format is OutputFormat.json:
        render.write_json(overview.to_json())
    else:
        from recctl.render_stats import print_overview

        print_overview(overview)
    raise typer.Exit(ExitCode.CANNOT_RUN if overview.unreadable else ExitCode.OK)


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

    settings = _settings()
    use_defaults = (
        settings.get("diff.default-ignores") if default_ignores is None else default_ignores
    )
    extra = ignore or settings.get("diff.ignore")
    patterns = [*(DEFAULT_IGNORES if use_defaults else []), *extra]
    cassette_patterns = [*(CASSETTE_IGNORES if use_defaults else []), *extra]
    jobs = _jobs(jobs, settings)
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

    _, old_recording = _load(old)
    _, new_recording = _load(new)
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


@command(name="hash")
def hash_command(
    paths: PathsArgument,
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
    """Check each recording is named by its request hash.

    The name is the hash the recorder looks for.

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
    from recctl import rename
    from recctl.confine import roots_of
    from recctl.render_hash import hash_json, hash_lines

    roots = roots_of([str(p) for p in paths], str(root) if root else None)
    files = _recordings_only(_files(paths), "hash")
    if not files:
        raise typer.Exit(ExitCode.OK)
    planned = rename.plan(files, delete_duplicates, _jobs(jobs), roots)
    failed = rename.apply(planned, roots) if fix else []
    if output_format == "json":
        render.write_json(hash_json(planned, applied=fix, failed=failed))
    elif output_format == "github":
        from recctl.render_github import hash_annotations

        render.write_raw_lines(hash_annotations(hash_json(planned, applied=fix, failed=failed)))
    else:
        render.print_lines(hash_lines(planned, fix, failed, verbose), wrap=True)
    if planned.unreadable:
        raise typer.Exit(ExitCode.CANNOT_RUN)
    remaining = planned.blocked or failed or (planned.actions and not fix)
    stale_left = bool(planned.stale) and (not fix or bool(remaining))
    raise typer.Exit(ExitCode.FINDINGS if stale_left or remaining else ExitCode.OK)


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
        str | None, typer.Option("--url", help="The request's url (with a request body).")
    ] = None,
    method: Annotated[str, typer.Option("--method", help="The request's HTTP method.")] = "POST",
    test_id: Annotated[
        str | None, typer.Option("--test-id", help="The pytest node id that made the request.")
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
    from recctl.explain import (
        ExplainError,
        query_from_request,
        query_from_text,
        rank,
        search,
        stale_copy,
    )
    from recctl.render_explain import explain_json, explain_lines

    if request == "-" and sys.stdin.isatty():
        raise RecctlError("give a request file, or pipe the recorder's message into recctl explain")
    if request != "-" and not _recordings_only([request], "explain"):
        raise typer.Exit(ExitCode.OK)
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


@command()
def prune(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATHS]...",
            help="Recordings, cassettes or directories [default: every recordings/ and cassettes/ "
            "directory under the root].",
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
    insists). Exit 0 when nothing is stale, 1 when something is, 2 when it
    cannot run.
    """
    from recctl import io
    from recctl import prune as pruning
    from recctl.cassette_tests import LAYOUTS
    from recctl.confine import inside
    from recctl.prune_root import RootUnknown, find_root
    from recctl.render_prune import prune_json, prune_lines

    settings = _settings()
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
    targets = given or pruning.recording_directories(base)
    node_ids: set[str] | None = None
    if collected or collect:
        node_ids = set()
        for file in collected:
            try:
                node_ids |= pruning.read_collected(io.read_bytes(file).decode("utf-8", "replace"))
            except io.LoadError as error:
                raise RecctlError(f"--collected {file}: {error}") from None
        for arguments in collect:
            try:
                node_ids |= pruning.collect(base, arguments)
            except pruning.CollectError as error:
                raise RecctlError(str(error)) from None
    layout = cassette_layout or settings.get("prune.cassette-layout")
    if layout not in (*LAYOUTS, "auto"):
        raise RecctlError(f"--cassette-layout {layout}: one of auto, {', '.join(LAYOUTS)}")
    found = io.discover(targets, cassettes=True)
    files = [f for f in found if not pruning.excluded(f, base, exclude)]
    report = pruning.prune(
        files, base, node_ids, _jobs(jobs, settings), None if layout == "auto" else layout
    )
    deleted = None
    refusal = report.refusal if not force else None
    if delete and refusal is None:
        deleted, refused = pruning.delete(report.stale, targets, base)
        report.unreadable += refused
    if output_format == "json":
        render.write_json(prune_json(report, deleted, base, root_from))
    elif output_format == "github":
        from recctl.render_github import prune_annotations

        render.write_raw_lines(prune_annotations(report, deleted))
    else:
        render.print_lines(prune_lines(report, deleted, base, root_from), wrap=True)
    if delete and refusal is not None:
        raise RecctlError(f"--delete refused, nothing deleted: {refusal} (--force insists)")
    if report.unreadable:
        raise typer.Exit(ExitCode.CANNOT_RUN)
    stale_left = bool(report.stale) and not delete
    raise typer.Exit(ExitCode.FINDINGS if stale_left or report.unsafe else ExitCode.OK)


@command()
def normalize(
    paths: PathsArgument,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 when a file would change.")
    ] = False,
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
    from recctl.normalize import ALL_RULES, DEFAULT_RULES
    from recctl.normalize_files import normalize_files, write_normalized
    from recctl.render_normalize import normalize_json, normalize_lines

    unknown = [name for name in rule if name not in ALL_RULES]
    if unknown:
        raise RecctlError(f"--rule {unknown[0]}: no such rule (see --help)")
    rules = frozenset(rule or (ALL_RULES if extra else DEFAULT_RULES))
    dry = check or diff
    files = _recordings_only(_files(paths), "normalize")
    if not files:
        raise typer.Exit(ExitCode.OK)
    results, aborted = normalize_files(files, rules, tool_call_ids, _jobs(jobs))
    if not dry:
        io.remove_leftovers(sorted({os.path.dirname(os.path.abspath(f)) for f in files}))
        results = write_normalized(results, roots_of([str(path) for path in paths]))
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


@command()
def config(output_format: OutputFormatOption = OutputFormat.text) -> None:
    """Print the settings in effect here, and their source.

    Settings come from [tool.recctl] in the nearest pyproject.toml, searched from
    the current directory up to the git work tree's root; an option given on the
    command line wins over them. Exit 2 when the file has an unknown key or a
    value of the wrong type.
    """
    import json

    from recctl.config import KEYS

    settings = _settings()
    rows = {name: {"value": settings.get(name), "source": settings.source(name)} for name in KEYS}
    if output_format == "json":
        render.write_json({"file": settings.file, "settings": rows})
    else:
        where = settings.file or "none (no pyproject.toml with [tool.recctl] up to the git root)"
        lines = [render.Line([("file: ", "bold"), (where, "")])]
        for name, row in rows.items():
            value = json.dumps(row["value"])
            lines.append(
                render.Line([(f"{name} = ", "bold"), (value, ""), (f"  ({row['source']})", "dim")])
            )
        render.print_lines(lines, wrap=True)
    raise typer.Exit(ExitCode.OK)


@command()
def schema() -> None:
    """Print the recording JSON Schema that validate uses."""
    from recctl.schema import shipped_schema_bytes

    sys.stdout.buffer.write(shipped_schema_bytes())
    sys.stdout.flush()
    raise typer.Exit(ExitCode.OK)


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
