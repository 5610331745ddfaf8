"""``recctl stats`` as Rich tables: one per grouping, then the totals."""

from __future__ import annotations

import re
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


#: Columns: header, and how readily a narrow terminal drops it (0: never).
COLUMNS = (
    ("calls", 0),
    ("strm", 2),
    ("chunks", 1),
    ("MiB", 4),
    ("in tok", 0),
    ("out tok", 0),
    ("no use", 3),
    ("exc", 5),
)
_NAME_MIN = 16  # a group name wraps rather than go narrower
_NAME_ROOM = 40  # a column is dropped before a name of up to this many characters wraps


def print_overview(overview: Overview) -> None:
    """The tables on stdout at the console's width, unreadable files on stderr.

    Nothing read at all: no table, only the errors. A terminal too narrow for
    every column drops the least needed ones and says which (-o json has them).
    """
    from rich.text import Text

    from recctl.render import console, error, plural

    for item in overview.unreadable:
        error(f"{item['path']}: {item['reason']}")
    if not overview.totals.files:
        return
    out = console(wrap=True)
    tables = [
        (grouping, [(name, _cells(totals)) for name, totals in sorted_groups(rows)])
        for grouping, rows in overview.groups.items()
    ]
    total_cells = _cells(overview.totals)
    kept = _columns_that_fit(tables, total_cells, out.width)
    room = max(_NAME_MIN, out.width - sum(_widths(tables, total_cells)[n] + 2 for n in kept))
    for grouping, rows in tables:
        table = _table(TITLES[grouping], grouping, kept)
        for name, cells in rows:
            shown = wrap_name(printable(name), room)
            table.add_row(Text(shown), *(cells[n] for n in kept))  # Text: no markup
        table.add_section()
        table.add_row("total", *(total_cells[n] for n in kept), style="bold")
        out.print(table)
    for item in overview.notes:
        out.print(Text(printable(f"note: {item['path']}: {item['note']}"), style="dim"))
    dropped = [COLUMNS[n][0] for n in range(len(COLUMNS)) if n not in kept]
    legend = LEGEND + (
        f" · not shown at this width: {', '.join(dropped)} (-o json has every column)"
        if dropped
        else ""
    )
    out.print(legend, style="dim")
    totals = overview.totals
    calls = f" ({totals.exchanges:,} calls)" if totals.exchanges != totals.files else ""
    out.print(
        f"{plural(totals.files, 'file')}{calls}, {totals.bytes / 2**20:,.1f} MiB, "
        f"{totals.streamed:,} streamed, {totals.without_usage:,} without usage, "
        f"{plural(totals.exceptions, 'exception')}"
        + (f", {len(overview.notes):,} not HTTP recordings" if overview.notes else "")
        + (f", {len(overview.unreadable):,} unreadable" if overview.unreadable else "")
        + "."
    )


def _columns_that_fit(
    tables: list[tuple[str, list[tuple[str, list[str]]]]], total: list[str], width: int
) -> list[int]:
    """The columns kept at ``width``: all, or all but the most droppable ones."""
    widths = _widths(tables, total)
    names = max(
        [len(grouping) for grouping, _ in tables] + [len(n) for _, rows in tables for n, _ in rows]
    )
    kept = list(range(len(COLUMNS)))
    order = sorted((rank, n) for n, (_, rank) in enumerate(COLUMNS) if rank)
    while sum(widths[n] + 2 for n in kept) + min(names, _NAME_ROOM) > width and order:
        kept.remove(order.pop()[1])
    return kept


def _widths(tables: list[tuple[str, list[tuple[str, list[str]]]]], total: list[str]) -> list[int]:
    return [
        max([len(header), len(total[n])] + [len(c[n]) for _, rows in tables for _, c in rows])
        for n, (header, _) in enumerate(COLUMNS)
    ]


_BREAKS = re.compile(r"[^/.:_ -]*[/.:_ -]*")


def wrap_name(name: str, width: int) -> str:
    """``name`` in lines of at most ``width`` characters, broken after a ``/``, ``.``,
    ``:``, ``-``, ``_`` or space (a path, a model id, a host), never inside a word but
    for a word longer than a line."""
    if len(name) <= width:
        return name
    lines = [""]
    for piece in (p for p in _BREAKS.findall(name) if p):
        if lines[-1] and len(lines[-1]) + len(piece) > width:
            lines.append("")
        while len(piece) > width:
            lines[-1], piece = piece[:width], piece[width:]
            lines.append("")
        lines[-1] += piece
    return "\n".join(line.rstrip(" ") for line in lines if line)


def _table(title: str, grouping: str, kept: list[int]) -> Table:
    from rich.table import Table

    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=None,
        header_style="bold underline",
        pad_edge=False,
    )
    table.add_column(grouping, overflow="fold", min_width=min(len(grouping), _NAME_MIN))
    for n in kept:
        header = COLUMNS[n][0]
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
