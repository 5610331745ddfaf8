"""``--output-format github``: one GitHub Actions workflow command per finding.

``::error file=PATH,line=N,title=CODE::message`` (or ``::warning``), escaped as
the runner requires: ``%``, ``\\r`` and ``\\n`` everywhere, and ``:`` and ``,``
in properties. GitHub shows each as an annotation on the file in the pull request.
Pure functions: the commands print what these return.
"""

from __future__ import annotations

import os
from typing import Any

from recctl.findings import CHECKS, Finding, Severity
from recctl.printable import printable
from recctl.prune import PruneReport


def escape_data(text: str) -> str:
    """GitHub's escapes, then any other control character shown, not sent (``printable``)."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _workspace_path(path: str) -> str:
    """GitHub resolves ``file=`` from the workspace (the checkout, where the job runs)."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if relative != ".." and not relative.startswith(".." + os.sep):
            return relative
    return path


def annotation(level: str, path: str, title: str, message: str, line: int | None = None) -> str:
    """One workflow command; ``level`` is ``error``, ``warning`` or ``notice``."""
    properties = [f"file={escape_property(_workspace_path(path))}"]
    if line is not None:
        properties.append(f"line={line}")
    properties.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(properties)}::{escape_data(message)}"


def known_notice(known: int, baseline: str) -> list[str]:
    """One ``::notice`` saying how many known findings the baseline passed over."""
    noun = "finding" if known == 1 else "findings"
    message = f"{known:,} known {noun} passed over (baseline {baseline}): only new ones fail"
    return [f"::notice title=recctl baseline::{escape_data(message)}"]


def finding_annotations(findings: list[Finding]) -> list[str]:
    return [
        annotation(
            "error" if finding.severity is Severity.ERROR else "warning",
            finding.path,
            finding.code,
            finding.message if finding.pointer == "$" else f"{finding.pointer}: {finding.message}",
            finding.line,
        )
        for finding in findings
    ]


def hash_annotations(documents: list[dict[str, Any]]) -> list[str]:
    """From ``hash_json``'s documents: each stale name, blocked fix and unreadable file."""
    lines = []
    for document in documents:
        path = document["path"]
        if "error" in document:
            lines.append(annotation("error", path, "RC001", document["error"]))
        elif document.get("container") == "har":
            if document["stale"] and not document["fixed"]:
                first = document["stale"][0]
                text = (
                    f"{len(document['stale'])} entries whose _id Polly.JS never finds (entry "
                    f"{first['entry']}: {first['actual']}, Polly computes {first['expected']})"
                )
                lines.append(annotation(CHECKS["RC204"].severity.value, path, "RC204", text))
        elif document["match"] is False or document["blocked"]:
            action = document["action"]
            done = action is not None and action["applied"]
            if done:
                continue  # fixed in this run
            parts = []
            if document["match"] is False:
                parts.append(
                    f"stale name: the recorder looks for {document['expected']} "
                    f"({document['reason']})"
                )
            if document["blocked"]:
                parts.append(f"not fixed: {document['blocked']}")
            elif action is not None:
                parts.append(f"recctl hash --fix would {action['kind']} it")
            level = CHECKS["RC204"].severity.value  # one severity per code, as validate
            lines.append(annotation(level, path, "RC204", "; ".join(parts)))
    return lines


def prune_annotations(report: PruneReport, deleted: int | None) -> list[str]:
    lines = []
    if deleted is None:
        lines += [
            annotation("error", item.path, "stale", f"{item.test_id}: {item.reason}")
            for item in report.stale
        ]
    lines += [
        annotation("error", path, "RC207", f"{test_id}: {why}: never pruned")
        for path, test_id, why in report.unsafe
    ]
    lines += [
        annotation(
            "warning",
            path,
            "RC202",
            f"{test_id}: not in the recordings/ directory of its test (not pruned)",
        )
        for path, test_id in report.elsewhere
    ]
    lines += [annotation("error", path, "RC001", why) for path, why in report.unreadable]
    return lines
