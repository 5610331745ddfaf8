"""recctl config and schema: what recctl is set to use."""

import sys

import typer

from recctl import render
from recctl.cli import (
    OutputFormat,
    OutputFormatOption,
    command,
    configured,
)
from recctl.errors import ExitCode


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

    settings = configured()
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
    from recctl.ogx.schema import shipped_schema_bytes

    sys.stdout.buffer.write(shipped_schema_bytes())
    sys.stdout.flush()
    raise typer.Exit(ExitCode.OK)
