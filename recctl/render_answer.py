"""``show`` and ``reassemble`` output: lines for people and git, documents for machines.

Pure functions: a ``View`` or an ``Answer`` in, ``Line`` lists or JSON-ready
dicts out. ``render.print_lines`` prints the lines, styled on a terminal and
plain everywhere else (``--textconv`` always plain).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from recctl.answer import Answer, Choice, ToolCall, Usage
from recctl.io import json_text
from recctl.printable import text_lines
from recctl.render import Line, plural

if TYPE_CHECKING:
    from recctl.view import CassetteView, Message, View

ROLE_STYLES = {
    "system": "magenta",
    "developer": "magenta",
    "user": "green",
    "assistant": "blue",
    "tool": "yellow",
}


# --- JSON ---------------------------------------------------------------------


def tool_call_json(call: ToolCall) -> dict[str, Any]:
    return {
        "index": call.index,
        "id": call.id,
        "type": call.type,
        "name": call.name,
        "arguments": call.parsed if call.valid else call.arguments,
        "arguments_valid": call.valid,
    }


def choice_json(choice: Choice) -> dict[str, Any]:
    return {
        "index": choice.index,
        "role": choice.role,
        "text": choice.text,
        "reasoning": choice.reasoning,
        "refusal": choice.refusal,
        "tool_calls": [tool_call_json(call) for call in choice.tool_calls],
        "finish_reason": choice.finish_reason,
        "logprobs": choice.logprobs,
    }


def usage_json(usage: Usage | None) -> dict[str, Any] | None:
    if usage is None:
        return None
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "raw": usage.raw,
    }


def answer_json(path: str, answer: Answer) -> dict[str, Any]:
    """One element of ``recctl reassemble --output-format json``."""
    return {
        "path": path,
        "kind": answer.kind,
        "streamed": answer.streamed,
        "model": answer.model,
        "chunks": answer.chunks,
        "truncated": answer.truncated,
        "choices": [choice_json(choice) for choice in answer.choices],
        "usage": usage_json(answer.usage),
        "error": answer.error,
    }


def view_json(view: View) -> dict[str, Any]:
    """``recctl show --output-format json``: the same facts as the text view."""
    shape = view.shape
    return {
        "path": view.path,
        "size": view.size,
        "test_id": view.test_id,
        "shape": {
            "request": shape.request.value,
            "body": shape.body.value,
            "type": shape.type_name,
            "streamed": shape.streamed,
            "exception": shape.exception,
            "status": shape.status,
        },
        "endpoint": view.endpoint,
        "provider": view.provider,
        "model": view.model,
        "request": {
            "messages": [_message_json(message) for message in view.messages],
            "tools": view.tools,
            "parameters": view.parameters,
        },
        "answer": {k: v for k, v in answer_json(view.path, view.answer).items() if k != "path"},
        "details": view.details,
    }


# --- cassettes ---------------------------------------------------------------------


def cassette_lines(view: CassetteView, plain: bool = False) -> list[Line]:
    """Every interaction: the call in one line; for an LLM answer, the conversation too."""
    count = plural(len(view.interactions), "interaction")
    lines = [
        _rule(view.path.rpartition("/")[2] or view.path, plain),
        _field("cassette", f"VCR.py, {view.layout} layout · {count} · {_size(view.size)}"),
    ]
    for interaction in view.interactions:
        status = "no response status" if interaction.status is None else f"{interaction.status}"
        call = f"#{interaction.index}  {interaction.method} {interaction.url} → {status}"
        lines += [Line([]), Line([(call, "bold")])]
        if interaction.model:
            lines.append(_field("model", interaction.model))
        if interaction.answer is None:
            lines.append(Line([("response: ", "dim"), (interaction.response, "")], 2))
            continue
        if interaction.messages or interaction.tools or interaction.parameters:
            lines.append(_heading("Request"))
            lines += _request(interaction.messages, interaction.tools, interaction.parameters)
        lines += _answer(interaction.answer, {})
    return lines


def cassette_json(view: CassetteView) -> dict[str, Any]:
    """``recctl show --output-format json`` of a cassette."""
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
                "response": item.response,
                "request": {
                    "messages": [_message_json(message) for message in item.messages],
                    "tools": item.tools,
                    "parameters": item.parameters,
                },
                "answer": None
                if item.answer is None
                else {k: v for k, v in answer_json(view.path, item.answer).items() if k != "path"},
            }
            for item in view.interactions
        ],
    }


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


def answer_text(answer: Answer) -> str:
    """The answer as plain text: each choice's text, then its tool calls as
    ``name(arguments)``, one per line; an error as ``error: ...``."""
    parts: list[str] = []
    for choice in answer.choices:
        if len(answer.choices) > 1:
            parts.append(f"[choice {choice.index}]")
        if choice.text:
            parts.append(choice.text.rstrip("\n"))
        if choice.refusal:
            parts.append(f"refusal: {choice.refusal}")
        parts.extend(f"{call.name}({call.arguments})" for call in choice.tool_calls)
    if answer.error:
        parts.append(f"error: {answer.error}")
    return "\n".join(parts) + ("\n" if parts else "")


# --- show -----------------------------------------------------------------------


def show_lines(view: View, plain: bool = False) -> list[Line]:
    """The whole view. ``plain`` drops what depends on the terminal (rules, widths)."""
    lines = [_rule(view.path.rpartition("/")[2] or view.path, plain)]
    lines += _header(view)
    if view.messages or view.tools or view.parameters:
        lines += [Line([]), _heading("Request")]
        lines += _request(view.messages, view.tools, view.parameters)
    lines += [Line([])]
    lines += _answer(view.answer, view.details)
    return lines


def _rule(title: str, plain: bool) -> Line:
    return Line([(f"== {title} ==" if plain else f"━━ {title} ━━", "bold")])


def _heading(title: str, note: str = "") -> Line:
    return Line([(title, "bold underline"), (note, "dim")])


def _field(name: str, value: str, style: str = "") -> Line:
    return Line([(f"{name:<9} ", "dim"), (value, style)])


def _header(view: View) -> list[Line]:
    shape, answer = view.shape, view.answer
    lines = []
    if view.test_id:
        lines.append(_field("test", view.test_id))
    if view.endpoint:
        lines.append(_field("endpoint", view.endpoint))
    elif shape.request.value in ("tool", "file_processor"):
        lines.append(_field("call", shape.request.value.replace("_", " ")))
    who = " · ".join(part for part in (view.provider, view.model and f"model {view.model}") if part)
    if who:
        lines.append(_field("provider", who))
    response = [
        shape.body.value.replace("_", " ") + (f" ({shape.type_name})" if shape.type_name else "")
    ]
    if answer.streamed:
        response.insert(0, f"streamed, {plural(answer.chunks, 'chunk')}")
    if shape.status is not None:
        response.append(f"HTTP {shape.status}")
    response.append(_size(view.size))
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

    def number(value: int | None) -> str:
        return "—" if value is None else f"{value:,}"

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
