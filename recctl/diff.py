"""What changed between two exchanges: in meaning first, in structure second.

The pieces ``diff_files`` puts together into one ``ExchangeDiff`` per pair of
exchanges (pure functions):

- meaning: the request as a reader sees it (model, endpoint, each message by
  position, tools offered, parameters, test id) and the reassembled answers
  (text, reasoning, tool calls compared as parsed JSON, finish reason, usage);
- structure: every other difference by JSON path. Streams are compared after
  reassembly (a re-record splits the same text into other chunks) unless
  ``chunks``; volatile fields (``diff_files.volatile_paths``) are counted, not listed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import orjson

from recctl import sequences
from recctl.answer import Answer, Choice, ToolCall, Usage
from recctl.exchange import Exchange
from recctl.findings import json_path
from recctl.printable import text_lines
from recctl.protocols import read_request
from recctl.request import Message
from recctl.show import shorten_data_urls
from recctl.values import as_dict


class _Missing:
    """What one side lacks: a key or a list item. One object, in every process."""

    def __repr__(self) -> str:
        return "(missing)"

    def __reduce__(self) -> str:
        return "MISSING"  # unpickles as this module's MISSING, so ``is MISSING`` holds


MISSING: Any = _Missing()


@dataclass(frozen=True)
class Change:
    """One structural difference; ``old``/``new`` is ``MISSING`` when absent."""

    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class RequestChange:
    part: str  # model, endpoint, message 2 (user), tools, parameter temperature, test id
    old: Any
    new: Any
    detail: str | None = None  # an inline word diff for text


@dataclass(frozen=True)
class ToolCallChange:
    choice: int
    position: int
    change: str  # added, removed, changed
    old: ToolCall | None
    new: ToolCall | None


@dataclass
class AnswerDiff:
    kind: tuple[str, str] | None = None
    model: tuple[str | None, str | None] | None = None
    error: tuple[str | None, str | None] | None = None
    text: dict[int, list[str]] = field(default_factory=dict)  # unified diff lines per choice
    reasoning: dict[int, list[str]] = field(default_factory=dict)
    refusal: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    finish_reason: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)
    choices: tuple[int, int] | None = None  # number of choices, when it differs
    tool_calls: list[ToolCallChange] = field(default_factory=list)
    usage: tuple[Usage | None, Usage | None] | None = None

    @property
    def content_changed(self) -> bool:
        return bool(
            self.kind
            or self.error
            or self.text
            or self.reasoning
            or self.refusal
            or self.finish_reason
            or self.choices
            or self.tool_calls
        )


@dataclass
class ExchangeDiff:
    """Two exchanges compared. ``shape``: how each stores its response, when that
    changed (an ogx recording's ``Shape``), which makes every other change moot."""

    shape: tuple[Any, Any] | None
    request: list[RequestChange]
    answer: AnswerDiff
    structural: list[Change]
    volatile: int  # differences ignored as volatile

    @property
    def labels(self) -> list[str]:
        if self.shape is not None:
            return ["shape changed"]
        labels = []
        if self.request:
            labels.append("request changed")
        if self.answer.content_changed:
            labels.append("answer changed")
        if self.answer.usage:
            labels.append("usage changed")
        if self.answer.model:
            labels.append("model changed")
        if not labels and self.structural:
            labels.append("other fields changed")
        return labels

    @property
    def verdict(self) -> str:
        labels = self.labels
        if labels:
            return ", ".join(labels)
        return "only volatile fields differ" if self.volatile else "identical"

    @property
    def differs(self) -> bool:
        return bool(self.labels)


# --- paths to ignore -----------------------------------------------------------


class PathMatcher:
    """JSON-path patterns (``[*]`` any index, ``*`` any key) compiled to one regex."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = list(patterns)
        parts = [_pattern_regex(pattern) for pattern in self.patterns]
        self._regex = re.compile("|".join(parts)) if parts else None

    def __call__(self, path: str) -> bool:
        return bool(self._regex and self._regex.fullmatch(path))


def _pattern_regex(pattern: str) -> str:
    out = re.escape(pattern.strip())
    out = out.replace(r"\[\*\]", r"\[\d+\]")
    # any key, written .name or ['a key'] (json_path quotes keys that are not identifiers)
    out = out.replace(r"\.\*", r"(?:\.[^.\[]+|\['(?:[^'\\]|\\.)*'\])")
    return f"(?:{out})"


# --- structure -------------------------------------------------------------------


def json_changes(
    old: Any, new: Any, skip: Callable[[tuple[str | int, ...]], bool] | None = None
) -> list[Change]:
    """Every difference between two JSON values, by path, in document order."""
    changes: list[Change] = []
    stack: list[tuple[tuple[str | int, ...], Any, Any]] = [((), old, new)]
    while stack:
        parts, a, b = stack.pop()
        if skip is not None and parts and skip(parts):
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            keys = list(a) + [key for key in b if key not in a]
            stack.extend(
                ((*parts, key), a.get(key, MISSING), b.get(key, MISSING)) for key in reversed(keys)
            )
        elif isinstance(a, list) and isinstance(b, list):
            stack.extend(
                ((*parts, i), a[i] if i < len(a) else MISSING, b[i] if i < len(b) else MISSING)
                for i in reversed(range(max(len(a), len(b))))
            )
        elif not _same(a, b):
            changes.append(Change(json_path(parts), a, b))
    return changes


def _same(a: Any, b: Any) -> bool:
    if type(a) is type(b) or (
        isinstance(a, (int, float))
        and isinstance(b, (int, float))
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        return bool(a == b)
    return False


# --- meaning: the request ----------------------------------------------------------


def compare_requests(old: Exchange, new: Exchange) -> list[RequestChange]:
    """What changed between two requests, in meaning: the call, the model, each
    message by position, the tools offered, every other parameter."""
    changes: list[RequestChange] = []

    def compare(part: str, x: Any, y: Any) -> None:
        if not _same_json(x, y):
            detail = text_diff(x, y) if isinstance(x, str) and isinstance(y, str) else None
            changes.append(RequestChange(part, x, y, detail))

    compare("test id", old.extras.get("test_id"), new.extras.get("test_id"))
    compare("endpoint", _call(old), _call(new))
    # A tool call's request is its arguments: no conversation, no parameters.
    old_tool, new_tool = "tool" in old.extras, "tool" in new.extras
    pa = {} if old_tool else as_dict(old.request.body)
    pb = {} if new_tool else as_dict(new.request.body)
    compare(
        "model",
        old.extras.get("model") or pa.get("model"),
        new.extras.get("model") or pb.get("model"),
    )
    if old_tool or new_tool:
        compare("tool", old.extras.get("tool"), new.extras.get("tool"))
        compare(
            "arguments",
            old.request.body if old_tool else None,
            new.request.body if new_tool else None,
        )
    # A WebSocket session's request is the list of what its client sent.
    sa = old.request.body if not old_tool and isinstance(old.request.body, list) else pa
    sb = new.request.body if not new_tool and isinstance(new.request.body, list) else pb
    ra, rb = read_request(sa, shorten_data_urls), read_request(sb, shorten_data_urls)
    changes += _message_changes(ra.messages, rb.messages)
    tools_a, tools_b = ra.tools, rb.tools
    if tools_a != tools_b:
        changes.append(RequestChange("tools offered", tools_a, tools_b))
    elif not _same_json(_tool_definitions(pa), _tool_definitions(pb)):
        changes.append(RequestChange("tool definitions", tools_a, tools_b, "definitions differ"))
    for key in _parameter_keys(ra.parameters, rb.parameters):
        compare(
            f"parameter {key}", ra.parameters.get(key, MISSING), rb.parameters.get(key, MISSING)
        )
    return changes


def _tool_definitions(payload: dict[str, Any]) -> Any:
    """Where a request defines its tools: ``tools`` (OpenAI, Anthropic, Gemini's REST
    API), ``config.tools`` (the genai SDK), ``toolConfig.tools`` (Bedrock)."""
    return [
        payload.get("tools"),
        as_dict(payload.get("config")).get("tools"),
        as_dict(payload.get("toolConfig")).get("tools"),
    ]


def _parameter_keys(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return list(a) + [key for key in b if key not in a]


def _call(exchange: Exchange) -> str:
    """``POST /v1/chat/completions``: the method and where the call went."""
    where = exchange.extras.get("endpoint") or exchange.url
    return " ".join(part for part in (exchange.method, where) if part)


def _message_changes(old: list[Message], new: list[Message]) -> list[RequestChange]:
    changes = []
    for position in range(max(len(old), len(new))):
        a = old[position] if position < len(old) else None
        b = new[position] if position < len(new) else None
        either = b or a
        part = f"message {position} ({either.role if either else '?'})"
        if a is None or b is None:
            changes.append(
                RequestChange(
                    part, _message_text(a), _message_text(b), "added" if a is None else "removed"
                )
            )
            continue
        if a.role != b.role:
            changes.append(RequestChange(part, a.role, b.role, "role"))
        if (a.text or "") != (b.text or ""):
            changes.append(
                RequestChange(part, a.text, b.text, word_diff(a.text or "", b.text or ""))
            )
        calls_a = [(c.name, _parsed(c.arguments)) for c in a.tool_calls]
        calls_b = [(c.name, _parsed(c.arguments)) for c in b.tool_calls]
        if calls_a != calls_b:  # ids are provider noise: calls are compared by position
            changes.append(
                RequestChange(
                    part,
                    [f"{c.name}({c.arguments})" for c in a.tool_calls],
                    [f"{c.name}({c.arguments})" for c in b.tool_calls],
                    "tool calls",
                )
            )
    return changes


def _message_text(message: Message | None) -> str | None:
    return None if message is None else message.text


def _parsed(arguments: str) -> Any:
    try:
        return orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return arguments


def _same_json(a: Any, b: Any) -> bool:
    return not json_changes(a, b)


def text_diff(old: str, new: str) -> str:
    """Words differ for prose; one long token (a test id, a url) differs in its middle."""
    if any(ch.isspace() for ch in old + new):
        return word_diff(old, new)
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    head = ("…" + old[max(0, start - 20) : start]) if start > 20 else old[:start]
    tail = (old[len(old) - end :][:20] + "…") if end > 20 else old[len(old) - end :]
    removed, added = old[start : len(old) - end], new[start : len(new) - end]
    return head + (f"[-{removed}-]" if removed else "") + (f"{{+{added}+}}" if added else "") + tail


def word_diff(old: str, new: str, context: int = 6, limit: int = 240) -> str:
    """A short inline diff: ``… same words [-removed-]{+added+} same …``."""
    a, b = re.findall(r"\s*\S+", old), re.findall(r"\s*\S+", new)
    opcodes, exact = sequences.align(a, b)
    out: list[str] = []
    for number, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag != "equal":
            if i2 > i1:
                out.append("[-" + "".join(a[i1:i2]).strip() + "-]")
            if j2 > j1:
                out.append("{+" + "".join(b[j1:j2]).strip() + "+}")
            continue
        same = a[i1:i2]
        first, last = number == 0, number == len(opcodes) - 1
        if first and len(same) > context:
            same = [" …", *same[-context:]]
        elif last and len(same) > context:
            same = [*same[:context], " …"]
        elif len(same) > 2 * context:
            same = [*same[:context], " …", *same[-context:]]
        out.append("".join(same) + (" " if not last else ""))
    text = "".join(out).strip()
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text if exact else f"{text} (too long to compare word by word)"


# --- meaning: the answer -------------------------------------------------------------


def answer_diff(old: Answer, new: Answer) -> AnswerDiff:
    diff = AnswerDiff()
    if old.kind != new.kind:
        diff.kind = (old.kind, new.kind)
    if old.model != new.model:
        diff.model = (old.model, new.model)
    if old.error != new.error:
        diff.error = (old.error, new.error)
    if len(old.choices) != len(new.choices):
        diff.choices = (len(old.choices), len(new.choices))
    by_index_a = {c.index: c for c in old.choices}
    by_index_b = {c.index: c for c in new.choices}
    for index in sorted(set(by_index_a) | set(by_index_b)):
        a = by_index_a.get(index) or Choice(index)
        b = by_index_b.get(index) or Choice(index)
        if (a.text or "") != (b.text or ""):
            diff.text[index] = unified(a.text or "", b.text or "")
        if (a.reasoning or "") != (b.reasoning or ""):
            diff.reasoning[index] = unified(a.reasoning or "", b.reasoning or "")
        if a.refusal != b.refusal:
            diff.refusal[index] = (a.refusal, b.refusal)
        if a.finish_reason != b.finish_reason:
            diff.finish_reason[index] = (a.finish_reason, b.finish_reason)
        diff.tool_calls += _tool_call_changes(index, a.tool_calls, b.tool_calls)
    if _usage_key(old.usage) != _usage_key(new.usage):
        diff.usage = (old.usage, new.usage)
    return diff


def _usage_key(usage: Usage | None) -> tuple[int | None, ...] | None:
    if usage is None:
        return None
    return (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens)


def _tool_call_changes(
    choice: int, old: list[ToolCall], new: list[ToolCall]
) -> list[ToolCallChange]:
    changes = []
    for position in range(max(len(old), len(new))):
        a = old[position] if position < len(old) else None
        b = new[position] if position < len(new) else None
        if a is None or b is None:
            changes.append(
                ToolCallChange(choice, position, "added" if a is None else "removed", a, b)
            )
        elif a.name != b.name or _arguments(a) != _arguments(b):
            changes.append(ToolCallChange(choice, position, "changed", a, b))
    return changes


def _arguments(call: ToolCall) -> Any:
    """Arguments as parsed JSON (whitespace and key order do not count), else the text."""
    return call.parsed if call.valid else call.arguments


def unified(old: str, new: str) -> list[str]:
    return sequences.unified(text_lines(old), text_lines(new))
