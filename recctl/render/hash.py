"""``recctl hash`` output: verdicts and the rename plan, as lines or JSON. Pure functions."""

from __future__ import annotations

import os
from typing import Any

from recctl.har_ids import HarIds
from recctl.ogx.rename import Blocked, Plan
from recctl.render import Line, plural


def hash_json(plan: Plan, applied: bool, failed: list[Blocked]) -> list[dict[str, Any]]:
    """One object per file: ``{"path", "expected", "actual", "match", "reason", ...}``."""
    actions = {action.source: action for action in plan.actions}
    blocked = {item.path: item.reason for item in [*plan.blocked, *failed]}
    failed_paths = {item.path for item in failed}
    documents: list[dict[str, Any]] = []
    for file in plan.verdicts:
        verdict, action = file.verdict, actions.get(file.path)
        documents.append(
            {
                "path": file.path,
                "expected": verdict.expected,
                "actual": verdict.actual,
                "match": verdict.match,
                "reason": verdict.reason,
                "twin": plan.twins.get(file.path),
                "group": plan.groups.get(file.path, 1 if verdict.match is False else 0),
                "action": None
                if action is None
                else {
                    "kind": action.kind,
                    "target": action.target,
                    "applied": applied and file.path not in failed_paths,
                },
                "blocked": blocked.get(file.path),
            }
        )
    documents += [{"path": path, "error": reason} for path, reason in plan.unreadable]
    return documents


def hash_lines(plan: Plan, applied: bool, failed: list[Blocked], verbose: bool) -> list[Line]:
    lines: list[Line] = []
    for file in plan.verdicts:
        verdict = file.verdict
        if verdict.match is True:
            if verbose:
                lines.append(Line([(file.path, ""), (": ok", "green")]))
            continue
        if verdict.match is None:
            lines.append(
                Line([(file.path, ""), (": not judged: ", "dim"), (verdict.reason or "", "dim")])
            )
            continue
        lines.append(Line([(file.path, "bold"), (": stale", "bold yellow")]))
        lines.append(Line([("should be ", "dim"), (verdict.expected or "?", "")], 4))
        lines.append(Line([(verdict.reason or "", "yellow")], 4))
        if file.path in plan.twins:
            twin = os.path.basename(plan.twins[file.path])
            lines.append(Line([(f"a copy of its correctly named twin {twin}", "yellow")], 4))
        if plan.groups.get(file.path, 1) > 1:
            lines.append(
                Line([(f"{plan.groups[file.path]} stale recordings map to this name", "yellow")], 4)
            )
    for path, reason in plan.unreadable:
        lines.append(Line([(path, "bold"), (f": unreadable: {reason}", "red")]))
    lines += _plan_lines(plan, applied, failed)
    return lines


def _plan_lines(plan: Plan, applied: bool, failed: list[Blocked]) -> list[Line]:
    lines: list[Line] = []
    failed_paths = {item.path for item in failed}
    verb = {"rename": "renamed", "move": "moved", "delete": "deleted"}
    for action in plan.actions:
        if applied and action.source in failed_paths:
            continue
        head = verb[action.kind].capitalize() if applied else f"Would {action.kind}"
        target = ""
        if action.target:
            same_dir = os.path.dirname(action.target) == os.path.dirname(action.source)
            target = " → " + (os.path.basename(action.target) if same_dir else action.target)
        lines.append(
            Line([(head + " ", "bold green" if applied else "bold"), (action.source + target, "")])
        )
    for item in [*plan.blocked, *failed]:
        lines.append(
            Line([("Cannot fix ", "bold red"), (item.path, ""), (": ", ""), (item.reason, "red")])
        )
    counts = [
        plural(len(plan.verdicts), "recording"),
        f"{sum(v.verdict.match is True for v in plan.verdicts):,} named right",
        f"{len(plan.stale):,} stale",
        f"{sum(v.verdict.match is None for v in plan.verdicts):,} not judged",
    ]
    summary = ", ".join(counts) + "."
    if plan.actions and not applied:
        summary += f" {plural(len(plan.actions), 'change')} planned: run with --fix to apply."
    elif applied and plan.actions:
        summary += f" {plural(len(plan.actions) - len(failed), 'change')} applied."
    if lines:
        lines.append(Line([]))
    lines.append(Line([(summary, "bold")]))
    return lines


def har_ids_json(results: list[HarIds], applied: bool) -> list[dict[str, Any]]:
    """One object per HAR file: ``{"path", "container": "har", "entries",
    "configuration", "stale": [{"entry", "actual", "expected"}], "fixed", "blocked"}``."""
    documents: list[dict[str, Any]] = []
    for result in results:
        if result.error:
            documents.append({"path": result.path, "error": result.error})
            continue
        documents.append(
            {
                "path": result.path,
                "container": "har",
                "entries": result.entries,
                "configuration": result.configuration,
                "stale": [
                    {"entry": s.entry, "actual": s.actual, "expected": s.expected}
                    for s in result.stale
                ],
                "fixed": applied and result.new is not None,
                "blocked": result.refused,
            }
        )
    return documents


def har_ids_lines(results: list[HarIds], applied: bool, verbose: bool) -> list[Line]:
    if not results:
        return []
    lines: list[Line] = []
    for result in results:
        if result.error:
            lines.append(Line([(result.path, "bold"), (f": unreadable: {result.error}", "red")]))
            continue
        if not result.stale:
            if verbose:
                lines.append(Line([(result.path, ""), (": ok", "green")]))
            continue
        fixed = applied and result.new is not None
        verdict = ": _ids fixed" if fixed else ": entries Polly.JS never finds"
        lines.append(Line([(result.path, "bold"), (verdict, "green" if fixed else "bold yellow")]))
        for item in result.stale:
            should = item.expected or "none: the request has no method or URL"
            lines.append(
                Line([(f"entry {item.entry}: _id {item.actual}, Polly computes {should}", "")], 4)
            )
        if result.refused:
            lines.append(Line([(f"not fixed: {result.refused}", "red")], 4))
    stale = sum(len(result.stale) for result in results)
    summary = (
        f"{plural(len(results), 'HAR file')}, {stale:,} {'entry' if stale == 1 else 'entries'} "
        "whose _id Polly.JS does not compute"
    )
    if stale and applied:
        done = sum(len(r.stale) for r in results if r.new is not None)
        summary += f", {done:,} fixed"
    elif stale:
        summary += ": run with --fix to rewrite them"
    if lines:
        lines.append(Line([]))
    lines.append(Line([(summary + ".", "bold")]))
    return lines
