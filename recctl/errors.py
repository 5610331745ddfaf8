"""Exit codes and the exceptions that end a command. No Typer or Rich here."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """What every recctl command returns, as ruff and check-jsonschema do."""

    OK = 0
    FINDINGS = 1  # an invalid recording, a difference, a file that changed
    CANNOT_RUN = 2  # bad usage, unreadable schema, I/O error on an argument


class RecctlError(Exception):
    """A problem that stops a command from running at all (exit 2).

    The message is one line, shown to the user as is.
    """
