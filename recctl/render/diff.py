"""``recctl diff`` output: lines for people, documents for machines. Pure functions."""

from __future__ import annotations

import re
from typing import Any

from recctl.answer import ToolCall, Usage, usage_json
from recctl.diff import MISSING, AnswerDiff, ExchangeDiff, RequestChange, ToolCallChange
from recctl.diff_files import FileDiff
from recctl.diff_trees import Pair, TreeDiff
from recctl.io import json_text
from recctl.render import Line, Segment, number, plural

# --- JSON ------------------------------------------------------------------------


def _value(value: Any) -> Any:
    return None if value is MISSING else value


def _kind(old: Any, new: Any) -> str:
    return "added" if old is MISSING else "removed" if new is MISSING else "changed"


def _pair(pair: tuple[Any, Any] | None) -> dict[str, Any] | None:
    return None if pair is None else {"old": pair[0], "new": pair[1]}


def _call(call: ToolCall | None) -> dict[str, Any] | None:
    if call is None:
        return None
    return {"name": call.name, "arguments": call.parsed if call.valid else call.arguments}


def usage_delta(old: Usage | None, new: Usage | None) -> dict[str, int | None]:
    def delta(name: str) -> int | None:
        a = getattr(old, name) if old else None
        b = getattr(new, name) if new else None
        return None if a is None or b is None else b - a

    return {name: delta(name) for name in ("prompt_tokens", "completion_tokens", "total_tokens")}


def answer_diff_json(answer: AnswerDiff) -> dict[str, Any]:
    return {
        "kind": _pair(answer.kind),
        "model": _pair(answer.model),
        "error": _pair(answer.error),
        "choices": _pair(answer.choices),
        "text": {str(index): lines for index, lines in answer.text.items()},
        "reasoning": {str(index): lines for index, lines in answer.reasoning.items()},
        "refusal": {str(index): _pair(pair) for index, pair in answer.refusal.items()},
        "finish_reason": {str(i): _pair(pair) for i, pair in answer.finish_reason.items()},
        "tool_calls": [
            {
                "choice": c.choice,
                "position": c.position,
                "change": c.change,
                "old": _call(c.old),
                "new": _call(c.new),
            }
            for c in answer.tool_calls
        ],
        "usage": None
        if answer.usage is None
        else {
            "old": usage_json(answer.usage[0]),
            "new": usage_json(answer.usage[1]),
            "delta": usage_delta(*answer.usage),
        },
    }


def diff_json(diff: ExchangeDiff) -> dict[str, Any]:
    """``recctl diff A B --output-format json``."""
    return {
        "verdict": diff.verdict,
        "labels": diff.labels,
        "volatile_ignored": diff.volatile,
        "shape": None
        if diff.shape is None
        else {"old": diff.shape[0].describe(), "new": diff.shape[1].describe()},
        "request": [
            {"part": c.part, "old": _value(c.old), "new": _value(c.new), "detail": c.detail}
            for c in diff.request
        ],
        "answer": answer_diff_json(diff.answer),
        "structural": [
            {
                "path": c.path,
                "old": _value(c.old),
                "new": _value(c.new),
                "change": _kind(c.old, c.new),
            }
            for c in diff.structural
        ],
    }


def tree_json(tree: TreeDiff, details: bool) -> dict[str, Any]:
    def pair(p: Pair) -> dict[str, Any]:
        document: dict[str, Any] = {
            "old": p.old,
            "new": p.new,
            "verdict": p.verdict,
            "test_id": p.test_id,
        }
        if details and p.diff is not None:
            document["diff"] = file_diff_json(p.diff)
        return document

    return {
        "differs": tree.differs,
        "added": tree.added,
        "removed": tree.removed,
        "renamed": [pair(p) for p in tree.renamed],
        "changed": [pair(p) for p in tree.changed],
        "unchanged": tree.unchanged,
        "volatile_only": tree.volatile_only,
        "unreadable": [{"path": path, "reason": reason} for path, reason in tree.unreadable],
    }


# --- text -------------------------------------------------------------------------


def short(value: Any, limit: int = 70) -> str:
    """A value on one line, cut in its middle beyond ``limit`` (two long values that
    differ at their end, test ids say, still show where)."""
    if value is MISSING:
        return "(missing)"
    text = value if isinstance(value, str) else json_text(value)
    text = " ".join(text.split())
    if len(text) > limit:
        head = (limit - 1) // 2
        text = text[:head] + "…" + text[len(text) - (limit - 1 - head) :]
    return repr(text) if isinstance(value, str) else text


def _word_diff_segments(detail: str) -> list[Segment]:
    """``[-removed-]`` in red, ``{+added+}`` in green."""
    segments: list[Segment] = []
    for piece in re.split(r"(\[-.*?-\]|\{\+.*?\+\})", detail, flags=re.DOTALL):
        if piece.startswith("[-") and piece.endswith("-]"):
            segments.append((piece, "red"))
        elif piece.startswith("{+") and piece.endswith("+}"):
            segments.append((piece, "green"))
        elif piece:
            segments.append((piece, ""))
    return segments


def _was_now(label: str, old: Any, new: Any, note: str = "", indent: int = 2) -> Line:
    """``label: old → new  (note)``, old in red and new in green."""
    return Line([(label, "bold"), (old, "red"), (" → ", ""), (new, "green"), (note, "dim")], indent)


def request_change_line(change: RequestChange, indent: int) -> Line:
    """``part: inline word diff``, or ``part: old → new  (note)``."""
    label = f"{change.part}: "
    if change.detail and ("[-" in change.detail or "{+" in change.detail):
        return Line([(label, "bold"), *_word_diff_segments(change.detail)], indent)
    note = f"  ({change.detail})" if change.detail else ""
    return _was_now(label, short(change.old), short(change.new), note, indent)


def diff_lines(diff: ExchangeDiff) -> list[Line]:
    ignored = plural(diff.volatile, "volatile difference")
    colour = "bold yellow" if diff.differs else "bold green"
    lines = [
        Line(
            [
                ("verdict: ", "bold"),
                (diff.verdict, colour),
                (f"  ({ignored} ignored)" if diff.volatile else "", "dim"),
            ]
        )
    ]
    if diff.shape is not None:
        old, new = (shape.describe() for shape in diff.shape)
        lines.append(_was_now("shape: ", old, new))
    if diff.request:
        lines += [Line([]), Line([("Request", "bold underline")])]
        lines += [request_change_line(change, 2) for change in diff.request]
    answer_lines = _answer_lines(diff.answer)
    if answer_lines:
        lines += [Line([]), Line([("Answer", "bold underline")]), *answer_lines]
    if diff.structural:
        lines += [Line([]), Line([("Structure", "bold underline")])]
        lines += [
            Line(
                [
                    (change.path, "cyan"),
                    (": ", ""),
                    (short(change.old), "red"),
                    (" → ", ""),
                    (short(change.new), "green"),
                ],
                2,
            )
            for change in diff.structural
        ]
    return lines


def _unified(title: str, diff: list[str]) -> list[Line]:
    lines = [Line([(title, "bold")], 2)]
    for text in diff:
        if text.startswith(("---", "+++")):
            style = "bold"
        elif text.startswith("@@"):
            style = "cyan"
        else:
            style = {"-": "red", "+": "green"}.get(text[:1], "")
        lines.append(Line([(text, style)], 4))
    return lines


def _answer_lines(answer: AnswerDiff) -> list[Line]:
    lines: list[Line] = []
    for name, pair in (
        ("kind", answer.kind),
        ("model", answer.model),
        ("error", answer.error),
        ("choices", answer.choices),
    ):
        if pair is not None:
            lines.append(_was_now(f"{name}: ", short(pair[0]), short(pair[1])))
    for index, diff in answer.text.items():
        lines += _unified(f"text (choice {index}):", diff)
    for index, diff in answer.reasoning.items():
        lines += _unified(f"reasoning (choice {index}):", diff)
    for index, (old, new) in answer.refusal.items():
        lines.append(_was_now(f"refusal (choice {index}): ", short(old), short(new)))
    lines += [_tool_call_line(change) for change in answer.tool_calls]
    for index, (old, new) in answer.finish_reason.items():
        lines.append(_was_now(f"finish reason (choice {index}): ", str(old), str(new)))
    if answer.usage is not None:
        lines.append(_usage_line(*answer.usage))
    return lines


def _call_text(call: ToolCall | None) -> str:
    if call is None:
        return "(none)"
    arguments = json_text(call.parsed) if call.valid else call.arguments
    return f"{call.name}({arguments})"


def _tool_call_line(change: ToolCallChange) -> Line:
    label = f"tool call {change.position} (choice {change.choice}) {change.change}: "
    if change.change == "added":
        return Line([(label, "bold"), (_call_text(change.new), "green")], 2)
    if change.change == "removed":
        return Line([(label, "bold"), (_call_text(change.old), "red")], 2)
    return _was_now(label, _call_text(change.old), _call_text(change.new))


def _usage_line(old: Usage | None, new: Usage | None) -> Line:
    if old is None or new is None:
        return _was_now(
            "usage: ",
            "not recorded" if old is None else "recorded",
            "not recorded" if new is None else "recorded",
        )
    segments: list[Segment] = [("usage: ", "bold")]
    for name, delta in usage_delta(old, new).items():
        change = f" ({delta:+,})" if delta else ""
        was, now = number(getattr(old, name)), number(getattr(new, name))
        text = f"{name.replace('_tokens', '')} {was} → {now}"
        segments.append((f"{text}{change}  ", "yellow" if delta else ""))
    return Line(segments, 2)


def diff_summary(diff: ExchangeDiff) -> Line:
    answer = diff.answer
    parts = [plural(len(diff.request), "request change")]
    answer_changes = (
        len(answer.text)
        + len(answer.reasoning)
        + len(answer.refusal)
        + len(answer.finish_reason)
        + len(answer.tool_calls)
        + sum(
            x is not None
            for x in (answer.kind, answer.model, answer.error, answer.usage, answer.choices)
        )
    )
    parts.append(plural(answer_changes, "answer change"))
    parts.append(plural(len(diff.structural), "structural difference"))
    if diff.volatile:
        parts.append(f"{diff.volatile:,} volatile ignored")
    return Line([(", ".join(parts) + ".", "bold")])


_HASH_NAME = re.compile(r"([0-9a-f]{12})[0-9a-f]{52}")


def short_path(path: str) -> str:
    """Request-hash names cut to 12 digits, unique in practice (on a terminal only)."""
    return _HASH_NAME.sub(r"\1…", path)


def tree_lines(tree: TreeDiff, details: bool, terminal: bool = False) -> list[Line]:
    """The tree diff as lines: paths whole, to copy, unless shown on a ``terminal``."""

    def shown(path: str) -> str:
        return short_path(path) if terminal else path

    lines: list[Line] = []
    for pair in tree.changed:
        lines += _pair_lines("M", [shown(pair.new)], pair, details)
    for pair in tree.renamed:
        new_name = shown(pair.new).rpartition("/")[2]
        lines += _pair_lines("R", [shown(pair.old), f"  → {new_name}"], pair, details)
    lines += [Line([("A ", "bold green"), (shown(path), "green")]) for path in tree.added]
    lines += [Line([("D ", "bold red"), (shown(path), "red")]) for path in tree.removed]
    lines += [
        Line([("! ", "bold red"), (f"{path}: {reason}", "red")]) for path, reason in tree.unreadable
    ]
    counts = [
        f"{len(tree.changed):,} changed",
        f"{len(tree.renamed):,} renamed",
        f"{len(tree.added):,} added",
        f"{len(tree.removed):,} removed",
        f"{tree.unchanged + tree.volatile_only:,} unchanged",
    ]
    if tree.volatile_only:
        counts[-1] += f" ({tree.volatile_only:,} volatile only)"
    if tree.unreadable:
        counts.append(f"{len(tree.unreadable):,} unreadable")
    if lines:
        lines.append(Line([]))
    lines.append(Line([(", ".join(counts) + ".", "bold")]))
    return lines


def _pair_lines(letter: str, names: list[str], pair: Pair, details: bool) -> list[Line]:
    """``M path``, then the verdict and the test id, indented."""
    lines = [Line([(f"{letter} ", "bold yellow"), (name, "")]) for name in names[:1]]
    lines += [Line([(name, "")]) for name in names[1:]]
    test_id = [(" · ", "dim"), (pair.test_id, "dim")] if pair.test_id else []
    lines.append(Line([(pair.verdict, "yellow"), *test_id], 4))
    if details and pair.diff is not None:
        shown = file_diff_lines(pair.diff, summary=False)
        lines += [Line(line.segments, line.indent + 4) for line in shown]
        lines.append(Line([]))
    return lines


# --- files of many exchanges --------------------------------------------------------


def file_diff_json(diff: FileDiff) -> dict[str, Any]:
    """``recctl diff A B --output-format json``: a pair of one-exchange files (ogx
    recordings) as that pair, else each pair of exchanges in ``interactions``."""
    single = diff.single
    if single is not None:
        return diff_json(single)
    return {
        "verdict": diff.verdict,
        "differs": diff.differs,
        "interactions": [{"old": i, "new": j, **diff_json(d)} for i, j, d in diff.pairs],
        "added": diff.added,
        "removed": diff.removed,
    }


def file_diff_lines(diff: FileDiff, summary: bool = True) -> list[Line]:
    """Each exchange that differs, its verdict, then its diff, indented; a pair of
    one-exchange files as that diff (with ``summary``, its verdict line after it)."""
    single = diff.single
    if single is not None:
        return [*diff_lines(single), *([Line([]), diff_summary(single)] if summary else [])]
    lines: list[Line] = []
    for i, j, pair in diff.pairs:
        if not pair.differs:
            continue
        name = f"interaction {i}" if i == j else f"interaction {i} → {j}"
        lines.append(Line([(name, "bold"), (f": {pair.verdict}", "yellow")]))
        lines += [Line(line.segments, line.indent + 4) for line in diff_lines(pair)]
    lines += [Line([(f"interaction {j}", "bold green"), (": added", "green")]) for j in diff.added]
    lines += [Line([(f"interaction {i}", "bold red"), (": removed", "red")]) for i in diff.removed]
    unchanged = sum(1 for _, _, pair in diff.pairs if not pair.differs)
    changed = len(diff.pairs) - unchanged
    verdict = (
        f"{diff.verdict}: {plural(changed, 'interaction')} changed, {len(diff.added):,} added, "
        f"{len(diff.removed):,} removed, {unchanged:,} unchanged."
    )
    return [*lines, *([Line([])] if lines else []), Line([(verdict, "bold")])]
