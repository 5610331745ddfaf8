"""``recctl stats`` as Rich tables: one per grouping, then the totals."""

from __future__ import annotations

from typing import TYPE_CHECKING

from recctl.printable import printable
from recctl.stats import Overview, Totals, sorted_groups

if TYPE_CHECKING:
    from rich.table import Table

TITLES = {
    "suite": "By suite directory",  # keys: stats.GROUPINGS
    "endpoint": "By endpoint",
    "provider": "By provider",
    "model": "By model",
}


def print_overview(overview: Overview) -> None:
    from rich.text import Text

    from recctl.render import console

    out = console(wrap=True)
    for grouping, rows in overview.groups.items():
        table = _table(TITLES[grouping], grouping)
        for name, totals in sorted_groups(rows):
            table.add_row(Text(printable(name)), *_cells(totals))  # Text: no markup
        table.add_section()
        table.add_row("total", *_cells(overview.totals), style="bold")
        out.print(table)
    for item in overview.unreadable:
        problem = printable(f" {item['path']}: {item['reason']}")
        out.print(Text.assemble(("unreadable", "red"), problem))
    for item in overview.notes:
        out.print(Text(printable(f"note: {item['path']}: {item['note']}"), style="dim"))
    out.print(LEGEND, style="dim")
    totals = overview.totals
    calls = f" ({totals.exchanges:,} calls)" if totals.exchanges != totals.files else ""
    out.print(
        f"{totals.files:,} files{calls}, {totals.bytes / 2**20:,.1f} MiB, "
        f"{totals.streamed:,} streamed, {totals.without_usage:,} without usage, "
        f"{totals.exceptions:,} exceptions"
        + (f", {len(overview.unreadable):,} unreadable" if overview.unreadable else "")
        + "."
    )


def _table(title: str, grouping: str) -> Table:
    from rich.table import Table

    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=None,
        header_style="bold underline",
        pad_edge=False,
    )
    table.add_column(grouping, overflow="ellipsis", max_width=22, no_wrap=True)
    for header in ("calls", "strm", "chunks", "MiB", "in tok", "out tok", "no use", "exc"):
        table.add_column(header, justify="right", no_wrap=True, min_width=len(header))
    return table


def _cells(totals: Totals) -> list[str]:
    return [
        f"{totals.exchanges:,}",
        f"{totals.streamed:,}",
        f"{totals.chunks:,}",
        f"{totals.bytes / 2**20:,.1f}",
        f"{totals.prompt_tokens:,}",
        f"{totals.completion_tokens:,}",
        f"{totals.without_usage:,}",
        f"{totals.exceptions:,}",
    ]


LEGEND = (
    "calls: recordings and cassette interactions · strm: streamed · in/out tok: "
    "prompt and completion tokens of the calls that hold usage · no use: calls "
    "without usage · exc: recorded exceptions and HTTP errors"
)
