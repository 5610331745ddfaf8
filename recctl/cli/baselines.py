"""``--baseline FILE`` and ``--update-baseline``: what validate, scrub and prune share."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from recctl.errors import RecctlError

if TYPE_CHECKING:
    from recctl.baseline import Baseline
    from recctl.config import Config

BaselineOption = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        metavar="FILE",
        help="Findings recorded in FILE do not fail the run; new ones do "
        "[default: validate.baseline].",
        show_default=False,
    ),
]
UpdateBaselineOption = Annotated[
    bool,
    typer.Option(
        "--update-baseline",
        help="Write the baseline FILE from this run's findings (dropping those that are "
        "gone) and exit 0.",
    ),
]


def baseline_of(given: Path | None, update: bool, settings: Config) -> Baseline | None:
    """The baseline named (``--baseline``, else ``validate.baseline``), read; None when
    none is. ``--update-baseline`` needs one, and may create it."""
    from recctl import baseline

    file = str(given) if given is not None else settings.get("validate.baseline")
    if file is None:
        if update:
            raise RecctlError("--update-baseline: no baseline file (--baseline FILE)")
        return None
    return baseline.load(file, missing_ok=update)


def baseline_written(known: Baseline, codes: frozenset[str], quiet: bool = False) -> None:
    """Write ``known`` updated for ``codes``, and say so (on stderr: stdout may be JSON)."""
    from recctl import render

    entries, added, dropped = known.write(codes)
    message = (
        f"baseline {known.file} written: {render.plural(entries, 'finding')} "
        f"({added:,} added, {dropped:,} dropped)."
    )
    render.print_lines([render.Line([(message, "dim" if quiet else "bold")])], stderr=True)
