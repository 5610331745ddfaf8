"""Google: genai ``generateContent`` responses and streams, and Gemini ``interactions``.

genai objects arrive in the Python SDK's snake_case (ogx recordings) or the REST
API's camelCase (cassettes); both are read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from recctl.answer import Answer, Choice, Choices, Usage, add_whole_call, append
from recctl.request import (
    Message,
    Request,
    Shorten,
    ToolCallView,
    arguments_text,
    flatten,
    parameters_but,
)
from recctl.values import as_dict, as_int, as_list, as_str


def _field(data: dict[str, Any], snake: str, camel: str) -> Any:
    """A field as the Python SDK dumps it (ogx), or as the REST API sends it (cassettes)."""
    value = data.get(snake)
    return data.get(camel) if value is None else value


#: genai's FinishReason enum, for SDKs that write its number.
_FINISH_REASONS = {
    0: "FINISH_REASON_UNSPECIFIED",
    1: "STOP",
    2: "MAX_TOKENS",
    3: "SAFETY",
    4: "RECITATION",
    5: "OTHER",
    6: "BLOCKLIST",
    7: "PROHIBITED_CONTENT",
    8: "SPII",
    9: "MALFORMED_FUNCTION_CALL",
}


def genai(objects: Iterable[Any], streamed: bool) -> Answer:
    objects = [as_dict(item) for item in objects]
    answer = Answer("genai", streamed, chunks=len(objects) if streamed else 0)
    choices = Choices()
    for data in objects:
        answer.model = as_str(_field(data, "model_version", "modelVersion")) or answer.model
        usage = as_dict(_field(data, "usage_metadata", "usageMetadata"))
        if as_int(_field(usage, "total_token_count", "totalTokenCount")) is not None:
            thoughts = as_int(_field(usage, "thoughts_token_count", "thoughtsTokenCount")) or 0
            candidates = as_int(_field(usage, "candidates_token_count", "candidatesTokenCount"))
            answer.usage = Usage(
                as_int(_field(usage, "prompt_token_count", "promptTokenCount")),
                None if candidates is None else candidates + thoughts,
                as_int(_field(usage, "total_token_count", "totalTokenCount")),
                usage,
            )
        for position, candidate in enumerate(as_list(data.get("candidates"))):
            candidate = as_dict(candidate)
            index = as_int(candidate.get("index"))
            choice = choices.get(position if index is None else index)
            content = as_dict(candidate.get("content"))
            role = as_str(content.get("role"))
            choice.role = choice.role or ("assistant" if role == "model" else role)
            for part in as_list(content.get("parts")):
                part = as_dict(part)
                if part.get("thought") is True:
                    choice.reasoning = append(choice.reasoning, part.get("text"))
                else:
                    choice.text = append(choice.text, part.get("text"))
                call = as_dict(_field(part, "function_call", "functionCall"))
                if call:
                    name, arguments = call.get("name"), call.get("args", {})
                    add_whole_call(choice, call.get("id"), "function", name, arguments)
            finish = _field(candidate, "finish_reason", "finishReason")
            if isinstance(finish, int) and not isinstance(finish, bool):
                finish = _FINISH_REASONS.get(finish, str(finish))  # the enum's number (Go SDK)
            choice.finish_reason = as_str(finish) or choice.finish_reason
    answer.choices = choices.sorted()
    return answer


def _interaction_usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    output = as_int(raw.get("total_output_tokens"))
    thoughts = as_int(raw.get("total_thought_tokens")) or 0
    return Usage(
        as_int(raw.get("total_input_tokens")),
        None if output is None else output + thoughts,
        as_int(raw.get("total_tokens")),
        raw,
    )


def _interaction_output(choice: Choice, output: dict[str, Any]) -> None:
    kind = output.get("type")
    if kind == "text":
        choice.text = append(choice.text, output.get("text"))
    elif kind == "thought":
        for summary in as_list(output.get("summary")):
            choice.reasoning = append(choice.reasoning, as_dict(summary).get("text"))
    elif kind == "function_call":
        name, arguments = output.get("name"), output.get("arguments", {})
        add_whole_call(choice, output.get("id"), "function_call", name, arguments)


def interaction(body: dict[str, Any]) -> Answer:
    answer = Answer("interaction", False, model=as_str(body.get("model")))
    choice = Choice(
        0, role="assistant" if body.get("role") == "model" else as_str(body.get("role"))
    )
    for output in as_list(body.get("outputs")):
        _interaction_output(choice, as_dict(output))
    choice.finish_reason = as_str(body.get("status"))
    answer.choices = [choice]
    answer.usage = _interaction_usage(body.get("usage"))
    return answer


def interaction_stream(events: list[dict[str, Any]], lines: int) -> Answer:
    answer = Answer("interaction", True, chunks=lines)
    choice = Choice(0, role="assistant")
    for event in events:
        kind = event.get("event_type")
        if kind in ("interaction.start", "interaction.complete"):
            interaction = as_dict(event.get("interaction"))
            answer.model = as_str(interaction.get("model")) or answer.model
            if kind == "interaction.complete":
                choice.finish_reason = as_str(interaction.get("status"))
                answer.usage = _interaction_usage(interaction.get("usage"))
        elif kind == "content.start":
            content = as_dict(event.get("content"))
            if content.get("type") != "text":
                _interaction_output(choice, content)
        elif kind == "content.delta":
            delta = as_dict(event.get("delta"))
            if delta.get("type") == "text":
                choice.text = append(choice.text, delta.get("text"))
            elif delta.get("type") == "thought_summary":
                choice.reasoning = append(
                    choice.reasoning, as_dict(delta.get("content")).get("text")
                )
            elif delta.get("type") == "function_call":
                _interaction_output(choice, delta)
    answer.choices = [choice] if events else []
    return answer


volatile: tuple[str, ...] = (
    "response_id",
    "responseId",
    "create_time",
    "createTime",
    "id",
    "created",
    "updated",
)


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    if any("event_type" in event for event in events):
        return interaction_stream(events, len(events))
    if any("candidates" in event for event in events):
        return genai(events, streamed=True)
    return None


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    if "candidates" in body:
        return genai([body], streamed=False)
    if "outputs" in body or body.get("object") == "interaction":
        return interaction(body)
    return None


#: The ids of the calls a request's history echoes (where the API gave them).
request_volatile: tuple[str, ...] = (
    "contents[*].parts[*].functionCall.id",
    "contents[*].parts[*].functionResponse.id",
    "contents[*].parts[*].function_call.id",
    "contents[*].parts[*].function_response.id",
)


# --- the request ----------------------------------------------------------------

#: genai requests as the REST API (camelCase) and the Python SDK (snake_case, the
#: rest under ``config``) write them; the rest are parameters.
_REQUEST_CONTENT = frozenset(
    {"model", "contents", "tools", "systemInstruction", "system_instruction", "config"}
)


def _content(raw: Any, shorten: Shorten) -> list[Message]:
    """One turn of ``contents``: its text parts, the calls a ``model`` turn makes
    (``functionCall``), and each result a turn sends back (``functionResponse``) as a
    ``tool`` message of its own."""
    if isinstance(raw, str):  # the SDK takes plain strings for user turns
        return [Message("user", shorten(raw))]
    content = as_dict(raw)
    role = as_str(content.get("role")) or "user"
    message = Message("assistant" if role == "model" else role)
    results: list[Message] = []
    texts = []
    for part in map(as_dict, as_list(content.get("parts"))):
        call = as_dict(_field(part, "function_call", "functionCall"))
        result = as_dict(_field(part, "function_response", "functionResponse"))
        if call:
            message.tool_calls.append(
                ToolCallView.of(call.get("name"), call.get("args"), call.get("id"), shorten)
            )
        elif result:
            # Gemini's results name their function; an id only where the call had one.
            call_id = as_str(result.get("id")) or as_str(result.get("name"))
            text = arguments_text(result.get("response"))
            results.append(Message("tool", shorten(text) if text else None, tool_call_id=call_id))
        else:
            text = flatten(part)
            if text:
                texts.append(text)
    message.text = shorten("\n".join(texts)) if texts else None
    if results and not (message.text or message.tool_calls):
        return results
    return [message, *results]


def _tool_names(tools: list[Any]) -> list[str]:
    """The functions a request declares, and its built-in tools by their key
    (``googleSearch``, ``codeExecution``)."""
    names: list[str] = []
    for tool in map(as_dict, tools):
        declarations = as_list(_field(tool, "function_declarations", "functionDeclarations"))
        names += [as_str(as_dict(d).get("name")) or "?" for d in declarations]
        names += [
            key for key in tool if key not in ("function_declarations", "functionDeclarations")
        ]
    return names


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    if "contents" not in payload:
        return None
    config = as_dict(payload.get("config"))
    messages = []
    system = _field(payload, "system_instruction", "systemInstruction")
    system = system if system is not None else config.get("system_instruction")
    if system is not None:
        messages.append(Message("system", shorten(flatten(system))))
    contents = payload["contents"]
    for raw in contents if isinstance(contents, list) else [contents]:
        messages += _content(raw, shorten)
    tools = _tool_names(as_list(payload.get("tools")) + as_list(config.get("tools")))
    parameters = parameters_but(payload, _REQUEST_CONTENT)
    parameters.update({k: v for k, v in config.items() if k not in ("system_instruction", "tools")})
    return Request(messages, tools, parameters)
