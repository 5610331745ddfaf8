"""``show`` and ``reassemble`` output: lines for people and git, documents for machines.

Pure functions: a ``FileView`` or an ``Answer`` in, ``Line`` lists or JSON-ready
dicts out. ``render.print_lines`` prints the lines, styled on a terminal and
plain everywhere else (``--textconv`` always plain).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from recctl.answer import Answer, ToolCall, Usage, answer_json
from recctl.io import json_text
from recctl.printable import text_lines
from recctl.render import Line, number, plural

if TYPE_CHECKING:
    from recctl.request import Message
    from recctl.show import ExchangeView, FileView

ROLE_STYLES = {
    "system": "magenta",
    "developer": "magenta",
    "user": "green",
    "assistant": "blue",
    "tool": "yellow",
}


# --- JSON ---------------------------------------------------------------------


def view_json(view: FileView) -> dict[str, Any]:
    """``recctl show --output-format json`` of one file: a file of one exchange
    (an ogx recording) as that exchange, else its exchanges in ``interactions``."""
    if view.one_per_file and len(view.exchanges) == 1:
        item = view.exchanges[0]
        return {
            "path": view.path,
            "size": view.size,
            **item.facts,
            "provider": item.provider,
            "model": item.model,
            "request": _request_json(item),
            "answer": _answer_json(item.answer),
            "details": item.details,
        }
    return {
        "path": view.path,
        "size": view.size,
        "layout": view.layout,
        "interactions": [
            {
                "index": item.index,
                "method": item.method,
                "url": item.url,
                "status": item.status,
                "model": item.model,
                "response": item.stored,
                "request": _request_json(item),
                "answer": _answer_json(item.answer),
            }
            for item in view.exchanges
        ],
    }


def _request_json(item: ExchangeView) -> dict[str, Any]:
    return {
        "messages": [_message_json(message) for message in item.messages],
        "tools": item.tools,
        "parameters": item.parameters,
    }


def _answer_json(answer: Answer | None) -> dict[str, Any] | None:
    if answer is None:
        return None
    return {k: v for k, v in answer_json("", answer).items() if k != "path"}


# --- text ---------------------------------------------------------------------------


def show_lines(view: FileView, plain: bool = False) -> list[Line]:
    """The whole view. ``plain`` drops what depends on the terminal (rules, widths)."""
    lines = [_rule(view.path.rpartition("/")[2] or view.path, plain)]
    if view.one_per_file and len(view.exchanges) == 1:
        item = view.exchanges[0]
        lines += _header(item, view.size)
        if item.messages or item.tools or item.parameters:
            lines += [Line([]), _heading("Request")]
            lines += _request(item.messages, item.tools, item.parameters)
        lines += [Line([])]
        if item.answer is None:  # a response fixture no protocol reads
            return [*lines, Line([("response: ", "dim"), (item.stored, "")], 2)]
        return lines + _answer(item.answer, item.details)
    count = plural(len(view.exchanges), "interaction")
    what = f"{view.title}, {view.layout} layout · {count} · {_size(view.size)}"
    lines.append(_field(view.noun, what))
    for item in view.exchanges:
        call = f"#{item.index}  {item.method} {item.url}"
        if item.status is not None:
            call += f" → {item.status}"
        elif item.url.startswith(("http://", "https://")):  # not HTTP (gRPC, WebSocket): none
            call += " → no response status"
        lines += [Line([]), Line([(call, "bold")])]
        if item.model:
            lines.append(_field("model", item.model))
        if item.facts.get("placeholders"):
            lines.append(_field("filled", f"on replay: {'; '.join(item.facts['placeholders'])}"))
        if item.answer is None:
            lines.append(Line([("response: ", "dim"), (item.stored, "")], 2))
            continue
        if item.messages or item.tools or item.parameters:
            lines.append(_heading("Request"))
            lines += _request(item.messages, item.tools, item.parameters)
        lines += _answer(item.answer, item.details)
    return lines


def _message_json(message: Message) -> dict[str, Any]:
    return {
        "role": message.role,
        "text": message.text,
        "tool_calls": [
            {"id": call.id, "name": call.name, "arguments": call.arguments}
            for call in message.tool_calls
        ],
        "tool_call_id": message.tool_call_id,
    }


# --- reassemble text ------------------------------------------------------------


# --- show -----------------------------------------------------------------------


def _rule(title: str, plain: bool) -> Line:
    return Line([(f"== {title} ==" if plain else f"━━ {title} ━━", "bold")])


def _heading(title: str, note: str = "") -> Line:
    return Line([(title, "bold underline"), (note, "dim")])


def _field(name: str, value: str, style: str = "") -> Line:
    return Line([(f"{name:<9} ", "dim"), (value, style)])


def _header(item: ExchangeView, size: int) -> list[Line]:
    answer = item.answer
    lines = []
    if item.facts.get("test_id"):
        lines.append(_field("test", item.facts["test_id"]))
    if item.facts.get("endpoint"):
        lines.append(_field("endpoint", item.facts["endpoint"]))
    elif item.call:
        lines.append(_field("call", item.call))
    who = " · ".join(part for part in (item.provider, item.model and f"model {item.model}") if part)
    if who:
        lines.append(_field("provider", who))
    response = [item.stored]
    if answer is not None and answer.streamed:
        response.insert(0, f"streamed, {plural(answer.chunks, 'chunk')}")
    if item.status is not None:
        response.append(f"HTTP {item.status}")
    response.append(_size(size))
    lines.append(_field("response", " · ".join(response)))
    return lines


def _size(size: int) -> str:
    return f"{size:,} bytes" if size < 10_000 else f"{size / 1024:,.1f} KiB"


def _request(messages: list[Message], tools: list[str], parameters: dict[str, Any]) -> list[Line]:
    lines = []
    if tools:
        lines.append(Line([("tools offered: ", "dim"), (", ".join(tools), "")], 2))
    if parameters:
        shown = ", ".join(f"{k}={_compact(v)}" for k, v in parameters.items())
        lines.append(Line([("parameters: ", "dim"), (shown, "")], 2))
    for message in messages:
        lines += _message(message)
    return lines


def _compact(value: Any, limit: int = 80) -> str:
    text = value if isinstance(value, str) else json_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _message(message: Message) -> list[Line]:
    label: list[tuple[str, str]] = [(message.role, f"bold {ROLE_STYLES.get(message.role, '')}")]
    if message.tool_call_id:
        label.append((f" [{message.tool_call_id}]", "dim"))
    lines = [Line(label, 2)]
    if message.text:
        lines += [Line([(text, "")], 6) for text in text_lines(message.text) or [""]]
    for call in message.tool_calls:
        call_id = f"  [{call.id}]" if call.id else ""
        lines.append(
            Line([("→ ", "yellow"), (f"{call.name}({call.arguments})", ""), (call_id, "dim")], 6)
        )
    return lines


def _answer(answer: Answer, details: dict[str, Any]) -> list[Line]:
    # "usage not recorded" only where usage belongs: answers and embeddings.
    usage = _usage(answer.usage) if answer.usage or answer.kind in _WITH_USAGE else []
    if answer.error:
        return [_heading("Error"), Line([(answer.error, "red")], 2), *usage]
    if not answer.choices:
        lines = [_heading("Response", f"  ({answer.kind.replace('_', ' ')})")]
        return lines + _details(details) + usage
    lines = []
    for choice in answer.choices:
        note = f"  finish: {choice.finish_reason or 'none'}"
        if answer.truncated:
            note += " · looks truncated"
        title = "Answer" if len(answer.choices) == 1 else f"Answer, choice {choice.index}"
        lines.append(_heading(title, note))
        if choice.reasoning:
            lines.append(Line([("reasoning", "dim italic")], 2))
            lines += [Line([(t, "dim")], 6) for t in text_lines(choice.reasoning.strip("\n"))]
        if choice.text:
            lines += [Line([(t, "")], 2) for t in text_lines(choice.text.strip("\n"))]
        if choice.refusal:
            lines.append(Line([("refusal: ", "red"), (choice.refusal, "")], 2))
        for call in choice.tool_calls:
            lines += _tool_call(call)
        if choice.logprobs:
            lines.append(Line([(f"{plural(choice.logprobs, 'logprob')} recorded", "dim")], 2))
    return lines + _usage(answer.usage)


_WITH_USAGE = frozenset({"embedding", "ollama_embedding"})


def _tool_call(call: ToolCall) -> list[Line]:
    head = [("→ ", "yellow"), (call.name or "?", "bold")]
    if call.id:
        head.append((f"  [{call.id}]", "dim"))
    if not call.valid:
        head.append(("  arguments are not valid JSON", "red"))
        return [Line(head, 2), Line([(call.arguments, "")], 6)]
    pretty = json_text(call.parsed, indent=True)
    return [Line(head, 2), *(Line([(text, "")], 6) for text in text_lines(pretty))]


def _usage(usage: Usage | None) -> list[Line]:
    if usage is None:
        return [Line([]), Line([("usage not recorded", "dim")])]

    return [
        Line([]),
        _heading("Usage"),
        Line(
            [
                ("prompt ", "dim"),
                (number(usage.prompt_tokens), "bold"),
                ("  completion ", "dim"),
                (number(usage.completion_tokens), "bold"),
                ("  total ", "dim"),
                (number(usage.total_tokens), "bold"),
            ],
            2,
        ),
    ]


def _details(details: dict[str, Any]) -> list[Line]:
    lines = []
    for key, value in details.items():
        if isinstance(value, list):
            lines.append(Line([(f"{key} ({len(value)}):", "dim")], 2))
            lines += [Line([(str(item), "")], 4) for item in value]
        elif isinstance(value, str) and "\n" in value:
            lines.append(Line([(f"{key}:", "dim")], 2))
            lines += [Line([(text, "")], 4) for text in text_lines(value)]
        elif value is not None:
            lines.append(Line([(f"{key}: ", "dim"), (_compact(value, 200), "")], 2))
    return lines
