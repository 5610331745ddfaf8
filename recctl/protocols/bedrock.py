"""Amazon Bedrock: the Converse API (``/model/{id}/converse``), its stream
(``converse-stream``), and InvokeModel streams (``invoke-with-response-stream``).

Streams come in AWS's binary event-stream framing, which the containers decode
(``containers.bodies.event_stream``) into one dict per message, its type under
``":event-type"``. A ConverseStream's messages are ``messageStart``,
``contentBlockStart``, ``contentBlockDelta``, ``messageStop`` and ``metadata``; an
InvokeModel stream's are ``chunk``s, each the model's own event (base64 in
``bytes``, decoded into ``chunk``): Anthropic's message events, read by the
Anthropic module, or Meta's and others' ``generation`` pieces.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from recctl.answer import Answer, Choice, ToolCall, Usage, add_whole_call, append, total
from recctl.request import (
    Message,
    Request,
    Shorten,
    ToolCallView,
    flatten,
    media,
    parameters_but,
)
from recctl.values import as_dict, as_int, as_list, as_str


def converse(body: dict[str, Any], model: str | None = None) -> Answer:
    answer = Answer("bedrock_converse", False, model=model)
    message = as_dict(as_dict(body.get("output")).get("message"))
    choice = Choice(0, role=as_str(message.get("role")))
    for block in as_list(message.get("content")):
        block = as_dict(block)
        choice.text = append(choice.text, block.get("text"))
        reasoning = as_dict(as_dict(block.get("reasoningContent")).get("reasoningText"))
        choice.reasoning = append(choice.reasoning, reasoning.get("text"))
        use = as_dict(block.get("toolUse"))
        if use:
            arguments = use.get("input", {})
            add_whole_call(choice, use.get("toolUseId"), "tool_use", use.get("name"), arguments)
    choice.finish_reason = as_str(body.get("stopReason"))
    answer.choices = [choice]
    answer.usage = _usage(body.get("usage"))
    return answer


volatile: tuple[str, ...] = ()


_CONVERSE_EVENTS = frozenset({"messageStart", "contentBlockDelta", "messageStop", "metadata"})


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    types = {event.get(":event-type") for event in events}
    if types & _CONVERSE_EVENTS:
        return converse_stream(events)
    chunks = [event["chunk"] for event in events if isinstance(event.get("chunk"), dict)]
    if not chunks:
        return None
    if any(isinstance(chunk.get("type"), str) for chunk in chunks):  # Anthropic's events
        from recctl.protocols import anthropic

        answer = anthropic.stream(chunks, len(events))
    else:
        answer = invoke_stream(chunks)
    return answer


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    if "message" in as_dict(body.get("output")) and "stopReason" in body:
        return converse(body, _model_in(url))
    if isinstance(body.get("generation"), str):  # InvokeModel: Meta Llama and the like
        answer = invoke_stream([body])
        answer.streamed, answer.chunks = False, 0
        return answer
    return None


def converse_stream(events: list[dict[str, Any]]) -> Answer:
    answer = Answer("bedrock_converse", True, chunks=len(events))
    choice = Choice(0)
    calls: dict[int, ToolCall] = {}
    for event in events:
        kind = event.get(":event-type")
        if kind == "messageStart":
            choice.role = as_str(event.get("role"))
        elif kind == "contentBlockStart":
            use = as_dict(as_dict(event.get("start")).get("toolUse"))
            if use:
                add_whole_call(choice, use.get("toolUseId"), "tool_use", use.get("name"), "")
                calls[as_int(event.get("contentBlockIndex")) or 0] = choice.tool_calls[-1]
        elif kind == "contentBlockDelta":
            delta = as_dict(event.get("delta"))
            choice.text = append(choice.text, delta.get("text"))
            reasoning = as_dict(delta.get("reasoningContent"))
            choice.reasoning = append(choice.reasoning, reasoning.get("text"))
            piece = as_dict(delta.get("toolUse")).get("input")
            call = calls.get(as_int(event.get("contentBlockIndex")) or 0)
            if call is not None and isinstance(piece, str):
                call.arguments += piece
        elif kind == "messageStop":
            choice.finish_reason = as_str(event.get("stopReason"))
        elif kind == "metadata":
            answer.usage = _usage(event.get("usage"))
    for call in choice.tool_calls:
        call.arguments = call.arguments or "{}"
    answer.choices = [choice] if events else []
    return answer


def invoke_stream(chunks: list[dict[str, Any]]) -> Answer:
    """InvokeModel chunks of models that stream text pieces: Meta's ``generation``,
    Amazon Titan's ``outputText``, Cohere's and Mistral's ``outputs``/``text``."""
    answer = Answer("bedrock_invoke", True, chunks=len(chunks))
    choice = Choice(0, role="assistant")
    for chunk in chunks:
        choice.text = append(choice.text, chunk.get("generation"))
        choice.text = append(choice.text, chunk.get("outputText"))
        for output in as_list(chunk.get("outputs")):
            choice.text = append(choice.text, as_dict(output).get("text"))
        reason = as_str(chunk.get("stop_reason")) or as_str(chunk.get("completionReason"))
        choice.finish_reason = reason or choice.finish_reason
        metrics = as_dict(chunk.get("amazon-bedrock-invocationMetrics"))
        if metrics:
            prompt, completion = (
                as_int(metrics.get("inputTokenCount")),
                as_int(metrics.get("outputTokenCount")),
            )
            answer.usage = Usage(prompt, completion, total(prompt, completion), metrics)
        elif "prompt_token_count" in chunk and answer.usage is None:
            prompt = as_int(chunk.get("prompt_token_count"))
            completion = as_int(chunk.get("generation_token_count"))
            answer.usage = Usage(prompt, completion, total(prompt, completion), chunk)
    answer.choices = [choice]
    return answer


def _usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return Usage(
        as_int(raw.get("inputTokens")),
        as_int(raw.get("outputTokens")),
        as_int(raw.get("totalTokens")),
        raw,
    )


def _model_in(url: str) -> str | None:
    """Bedrock names the model in the path: ``/model/{id}/converse``."""
    parts = urlsplit(url).path.split("/")
    return unquote(parts[2]) if len(parts) > 2 and parts[1] == "model" else None


#: The ids of the calls a request's history echoes.
request_volatile: tuple[str, ...] = (
    "messages[*].content[*].toolUse.toolUseId",
    "messages[*].content[*].toolResult.toolUseId",
)


# --- the request ----------------------------------------------------------------

_REQUEST_CONTENT = frozenset({"modelId", "messages", "system", "toolConfig"})


def _is_request(payload: dict[str, Any]) -> bool:
    """A Converse request: ``toolConfig`` or ``inferenceConfig``, or messages of
    untyped content blocks (``{"text": …}``, ``{"toolUse": …}``)."""
    if "toolConfig" in payload or "inferenceConfig" in payload:
        return True
    blocks = [
        as_dict(block)
        for raw in as_list(payload.get("messages"))
        for block in as_list(as_dict(raw).get("content"))
    ]
    return bool(blocks) and all(block and "type" not in block for block in blocks)


def _message(raw: dict[str, Any], shorten: Shorten) -> Message:
    message = Message(as_str(raw.get("role")) or "?")
    texts = []
    for block in map(as_dict, as_list(raw.get("content"))):
        use, result = as_dict(block.get("toolUse")), as_dict(block.get("toolResult"))
        if use:
            message.tool_calls.append(
                ToolCallView.of(use.get("name"), use.get("input"), use.get("toolUseId"), shorten)
            )
        elif result:
            message.role = "tool"
            message.tool_call_id = as_str(result.get("toolUseId"))
            texts.append(flatten([_result_part(part) for part in as_list(result.get("content"))]))
        elif isinstance(block.get("text"), str):
            texts.append(block["text"])
        elif block:
            kind = next(iter(block))
            texts.append(media(kind, as_dict(block[kind]).get("format") or kind))
    text = "\n".join(t for t in texts if t)
    message.text = shorten(text) if text else None
    return message


def _result_part(part: Any) -> Any:
    part = as_dict(part)
    return part.get("json", part)


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    if not _is_request(payload):
        return None
    messages = []
    if payload.get("system"):
        messages.append(Message("system", shorten(flatten(payload["system"]))))
    messages += [_message(as_dict(raw), shorten) for raw in as_list(payload.get("messages"))]
    tool_config = as_dict(payload.get("toolConfig"))
    tools = [
        as_str(as_dict(as_dict(tool).get("toolSpec")).get("name")) or "?"
        for tool in as_list(tool_config.get("tools"))
    ]
    parameters = parameters_but(payload, _REQUEST_CONTENT)
    parameters.update({k: v for k, v in tool_config.items() if k != "tools"})
    return Request(messages, tools, parameters)
