"""Per-file budgets: what reading one file may cost, however hostile its bytes.

A file's bytes are bounded on disk (``io.MAX_FILE_BYTES``), but what they expand
to is not: gzip and deflate bodies (a 5 MB HAR can hold 40 bodies of 99 MiB each),
stream events, exchanges. Each container's ``parse`` runs under one ``Budget``
(``per_file``): every decompressed byte, stream event and exchange is charged to
it as it is made, and the first charge beyond a limit raises ``OverBudget``, a
``LoadError`` that names the budget and its ``[tool.recctl]`` key. A worker reads
one file at a time, so its memory follows the largest file plus the budget.

The limits are ``[tool.recctl.budget]``'s, read in each process when first needed
(``limits``); the defaults are far above every real recording of the samples
(docs/untrusted-input.md says how far). Work done outside a container's ``parse``
(an exchange an ogx recording builds later, a scrub's edit) is charged to a budget
of its own per call: still bounded, never counted across files.

``per_file`` is also the net under parsing: an exception no reader expected (a bug)
becomes a ``LoadError`` of its own file, so that one file never stops a run.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import NamedTuple, TypeVar

from recctl.io import LoadError

MiB = 2**20


class Limits(NamedTuple):
    """What one file may cost."""

    #: Bytes decompressed (gzip and deflate bodies, a gzipped file), all bodies together.
    decompressed: int = 64 * MiB
    #: Stream events (server-sent events, NDJSON lines, AWS event-stream frames).
    events: int = 100_000
    #: Exchanges (interactions, HAR entries, httprr records).
    exchanges: int = 10_000
    #: JSON values (a JSON file, and every JSON body), counted from the bytes before any
    #: is built: a value takes 30 to 60 times its bytes once built (``[{},{},...]``).
    values: int = 2_000_000


DEFAULTS = Limits()

#: Each limit: its ``[tool.recctl]`` key, and how its figures are shown.
KEYS = {
    "decompressed": ("budget.decompressed-mib", "MiB decompressed"),
    "events": ("budget.events", "stream events"),
    "exchanges": ("budget.exchanges", "exchanges"),
    "values": ("budget.json-values", "JSON values"),
}


class OverBudget(LoadError):
    """A file that costs more than one of its budgets: RC001, named."""

    def __init__(self, which: str, limit: int) -> None:
        key, unit = KEYS[which]
        shown = f"{limit:,} {unit}"
        if which == "decompressed":
            shown = f"{limit // MiB:,} {unit}" if limit >= MiB else f"{limit:,} bytes decompressed"
        super().__init__(
            f"over the per-file budget of {shown} ({key} in [tool.recctl]): not read further"
        )
        self.which = which
        self.code = "RC001"


class ParseFailed(LoadError):
    """What the net under ``per_file`` makes of an exception no reader expected."""


_limits: Limits | None = None


def limits() -> Limits:
    """The budgets in effect: ``[tool.recctl.budget]``, read once per process."""
    global _limits
    if _limits is None:
        from recctl import config

        settings = config.load()
        _limits = Limits(
            decompressed=settings.get("budget.decompressed-mib") * MiB,
            events=settings.get("budget.events"),
            exchanges=settings.get("budget.exchanges"),
            values=settings.get("budget.json-values"),
        )
    return _limits


def set_limits(new: Limits | None) -> None:
    """Set the budgets (tests), or with None read them again when next needed (each
    command starts so: its working directory may hold another configuration)."""
    global _limits
    _limits = new


class Budget:
    """What one file has spent."""

    __slots__ = ("decompressed", "events", "exchanges", "limits", "values")

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.decompressed = 0
        self.events = 0
        self.exchanges = 0
        self.values = 0

    def room(self, which: str) -> int:
        """What is left of a budget."""
        spent: int = getattr(self, which)
        limit: int = getattr(self.limits, which)
        return max(0, limit - spent)

    def charge(self, which: str, amount: int) -> None:
        spent = getattr(self, which) + amount
        setattr(self, which, spent)
        limit = getattr(self.limits, which)
        if spent > limit:
            raise OverBudget(which, limit)


_current: Budget | None = None


def current() -> Budget:
    """The budget of the file being parsed; outside a parse, a new one (per call)."""
    return _current if _current is not None else Budget(limits())


def charge(which: str, amount: int = 1) -> None:
    """Spend ``amount`` of the current file's budget ``which``; ``OverBudget`` beyond it."""
    current().charge(which, amount)


def json_values(raw: bytes) -> int:
    """At most how many values JSON ``raw`` holds (each but the first follows a comma or
    opens a container), counted at memory speed: charged before orjson builds them."""
    return raw.count(b",") + raw.count(b"[") + raw.count(b"{") + 1


F = TypeVar("F", bound=Callable[..., object])

#: What the net never turns into a finding: what readers raise on purpose is theirs
#: to say, and what ends a process (Ctrl-C, a worker told to stop) is not a file's.
_PASS_THROUGH: tuple[type[BaseException], ...] = (LoadError,)


def per_file(parse: F) -> F:
    """Run a container's ``parse`` under a new budget of its own, and turn an
    exception no reader expected into a ``LoadError`` of that file (with
    ``RECCTL_DEBUG`` set, it is raised as it is)."""

    @functools.wraps(parse)
    def parsed(*args: object, **kwargs: object) -> object:
        global _current
        outer, _current = _current, Budget(limits())
        try:
            return parse(*args, **kwargs)
        except _PASS_THROUGH:
            raise
        except Exception as error:
            if os.environ.get("RECCTL_DEBUG") or _passes(error):
                raise
            text = str(error).splitlines()[0][:200] if str(error) else ""
            raise ParseFailed(
                f"recctl failed on this file ({type(error).__name__}: {text}); "
                "please report it (RECCTL_DEBUG=1 shows where)"
            ) from None
        finally:
            _current = outer

    return parsed  # type: ignore[return-value]


def _passes(error: Exception) -> bool:
    """Exceptions a parse raises on purpose besides ``LoadError``: ``NotExchanges`` (a
    note), ``RecctlError`` (the run cannot go on)."""
    from recctl.errors import RecctlError
    from recctl.exchange import NotExchanges

    return isinstance(error, (NotExchanges, RecctlError))
