"""Turn any recording into the answer it holds (docs/format.md, section 6).

``reassemble`` takes a parsed recording and returns an ``Answer``: per choice
the text, reasoning, refusal, tool calls and finish reason, plus usage, model,
number of chunks and whether a stream looks truncated. It never raises on a
recording of unexpected shape: what it cannot read contributes nothing.

Usage is taken as the provider reported it, never summed over chunks and never
made up: a recording without usage has ``usage = None`` ("not recorded").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from recctl.shapes import BodyKind, RequestShape, Shape, classify
from recctl.values import as_dict, as_int, as_list, as_str


@dataclass
class ToolCall:
    index: int
    id: str | None = None
    type: str | None = None
    name: str | None = None
    arguments: str = ""  # as the provider sent it, concatenated; JSON text for object arguments
    parsed: Any = None  # the arguments parsed as JSON, when they parse
    valid: bool = False  # whether ``arguments`` parsed as JSON

    def finish(self) -> None:
        try:
            self.parsed, self.valid = orjson.loads(self.arguments), True
        except orjson.JSONDecodeError:
            self.parsed, self.valid = None, False


@dataclass
class Choice:
    index: int
    role: str | None = None
    text: str | None = None
    reasoning: str | None = None
    refusal: str | None = None
    tool_calls: list[ToolCall] = field(default_factory=list)
    finish_reason: str | None = None
    logprobs: int = 0  # logprob entries recorded for this choice


@dataclass
class Usage:
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    raw: Any  # the provider's own usage object


@dataclass
class Answer:
    kind: str  # chat_completion, completion, genai, anthropic_message, interaction, ...
    streamed: bool
    model: str | None = None
    chunks: int = 0
    truncated: bool = False
    choices: list[Choice] = field(default_factory=list)
    usage: Usage | None = None
    error: str | None = None  # the recorded exception or HTTP error


def reassemble(recording: Any, shape: Shape | None = None) -> Answer:
    """The answer a parsed recording holds."""
    shape = shape or classify(recording)
    response = as_dict(as_dict(recording).get("response"))
    body: Any = response.get("body")
    streamed = bool(shape.streamed)
    if shape.exception:
        answer = Answer("exception", streamed, error=_exception_message(response))
    elif shape.body is BodyKind.TYPED_CHUNKS:
        answer = _typed_stream(shape.type_name, body)
    elif shape.body is BodyKind.TYPED_OBJECT:
        answer = _typed_object(shape.type_name, as_dict(body["__data__"]), streamed)
    elif shape.body is BodyKind.MODEL_LIST:
        answer = Answer("model_list", streamed, chunks=0)
    elif shape.body is BodyKind.GENAI_CHUNKS:
        answer = _genai(body, streamed=True)
    elif shape.body is BodyKind.SSE_LINES:
        answer = _sse(body)
    elif shape.body is BodyKind.RAW_DICT:
        answer = _raw(body, shape)
    else:
        answer = Answer("unknown", streamed)
    answer.streamed = streamed
    unfinished = not answer.choices or any(c.finish_reason is None for c in answer.choices)
    if shape.exception or (
        streamed and (not body or (answer.kind not in _NO_ANSWER and unfinished))
    ):
        answer.truncated = True
    for choice in answer.choices:
        for call in choice.tool_calls:
            call.finish()
    return answer


#: Kinds that never carry choices.
_NO_ANSWER = frozenset(
    {
        "model_list",
        "embedding",
        "ollama_embedding",
        "ollama_ps",
        "ollama_tags",
        "ollama_pull",
        "tool_result",
        "file_processor_result",
        "exception",
        "http_error",
        "unknown",
    }
)


# --- helpers -------------------------------------------------------------------


def _append(current: str | None, piece: Any) -> str | None:
    if not isinstance(piece, str):
        return current
    return piece if current is None else current + piece


def _sum(*values: int | None) -> int | None:
    present = [v for v in values if v is not None]
    return sum(present) if len(present) == len(values) else None


class _Choices:
    """Choices by index, in order of first appearance."""

    def __init__(self) -> None:
        self.by_index: dict[int, Choice] = {}

    def get(self, index: Any) -> Choice:
        key = index if isinstance(index, int) else 0
        if key not in self.by_index:
            self.by_index[key] = Choice(key)
        return self.by_index[key]

    def sorted(self) -> list[Choice]:
        return [self.by_index[k] for k in sorted(self.by_index)]


def _exception_message(response: dict[str, Any]) -> str:
    data = as_dict(response.get("exception_data"))
    kind = as_str(data.get("type")) or "exception"
    status = as_int(data.get("status_code"))
    message = as_str(data.get("message")) or as_str(response.get("exception_message")) or ""
    return f"{kind}" + (f" ({status})" if status is not None else "") + f": {message}"


def _openai_usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return Usage(
        as_int(raw.get("prompt_tokens")),
        as_int(raw.get("completion_tokens")),
        as_int(raw.get("total_tokens")),
        raw,
    )


# --- OpenAI chat completions ----------------------------------------------------


class _Pieces:
    """Text pieces of one choice, joined once at the end (streams have 1,000+ chunks)."""

    __slots__ = ("choice", "reasoning", "refusal", "text")

    def __init__(self, choice: Choice) -> None:
        self.choice = choice
        self.text: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []

    def finish(self) -> Choice:
        choice = self.choice
        choice.text = "".join(self.text) if self.text else None
        choice.reasoning = "".join(self.reasoning) if self.reasoning else None
        choice.refusal = "".join(self.refusal) if self.refusal else None
        return choice


def _chat_stream(chunks: list[Any]) -> Answer:
    """OpenAI chat chunks. The hot loop of the tool: plain type checks, no helpers."""
    answer = Answer("chat_completion", True, chunks=len(chunks))
    pieces: dict[int, _Pieces] = {}
    # Per choice: the call currently open at each tool-call index.
    open_calls: dict[tuple[int, int], ToolCall] = {}
    for chunk in chunks:
        data = chunk.get("__data__") if type(chunk) is dict else None
        if type(data) is not dict:
            continue
        raw_choices = data.get("choices")
        if data.get("object") == "" and not raw_choices:
            continue  # Azure's leading prompt-filter chunk
        model = data.get("model")
        if type(model) is str and model:
            answer.model = model
        usage = data.get("usage")
        if type(usage) is dict:
            answer.usage = _openai_usage(usage)  # the last one reported, never a sum
        if type(raw_choices) is not list:
            continue
        for raw_choice in raw_choices:
            if type(raw_choice) is not dict:
                continue
            index = raw_choice.get("index")
            index = index if type(index) is int else 0
            acc = pieces.get(index)
            if acc is None:
                acc = pieces[index] = _Pieces(Choice(index))
            choice = acc.choice
            delta = raw_choice.get("delta")
            if type(delta) is dict:
                if choice.role is None and type(delta.get("role")) is str:
                    choice.role = delta["role"]
                content = delta.get("content")
                if type(content) is str:
                    acc.text.append(content)
                refusal = delta.get("refusal")
                if type(refusal) is str:
                    acc.refusal.append(refusal)
                reasoning = delta.get("reasoning_content")
                if reasoning is None:  # vLLM sends both with the same text: one only
                    reasoning = delta.get("reasoning")
                if type(reasoning) is str:
                    acc.reasoning.append(reasoning)
                calls = delta.get("tool_calls")
                if type(calls) is list:
                    for raw_call in calls:
                        _add_call_delta(choice, open_calls, as_dict(raw_call))
            logprobs = raw_choice.get("logprobs")
            if logprobs is not None:
                choice.logprobs += _logprob_count(logprobs)
            finish = raw_choice.get("finish_reason")
            if type(finish) is str:
                choice.finish_reason = finish
    answer.choices = [pieces[index].finish() for index in sorted(pieces)]
    return answer


def _add_call_delta(
    choice: Choice, open_calls: dict[tuple[int, int], ToolCall], delta: dict[str, Any]
) -> None:
    """One tool-call delta: a piece of an open call, or a new call.

    A new non-null id at an index already in use starts a new call (providers
    that send several whole calls at index 0).
    """
    index = as_int(delta.get("index"))
    index = index if index is not None else len(choice.tool_calls)
    call_id = as_str(delta.get("id"))
    function = as_dict(delta.get("function"))
    call = open_calls.get((choice.index, index))
    if call is None or (call_id is not None and call.id is not None and call_id != call.id):
        call = ToolCall(index)
        choice.tool_calls.append(call)
        open_calls[(choice.index, index)] = call
    call.id = call.id or call_id
    call.type = call.type or as_str(delta.get("type"))
    call.name = call.name or as_str(function.get("name"))
    arguments = function.get("arguments")
    if isinstance(arguments, str):
        call.arguments += arguments
    elif isinstance(arguments, (dict, list)):
        call.arguments += orjson.dumps(arguments).decode()


def _logprob_count(logprobs: Any) -> int:
    data = as_dict(logprobs)
    return len(as_list(data.get("content"))) + len(as_list(data.get("refusal")))


def _chat_completion(data: dict[str, Any]) -> Answer:
    answer = Answer("chat_completion", False, model=as_str(data.get("model")), chunks=0)
    answer.usage = _openai_usage(data.get("usage"))
    for position, raw_choice in enumerate(as_list(data.get("choices"))):
        raw_choice = as_dict(raw_choice)
        message = as_dict(raw_choice.get("message"))
        index = as_int(raw_choice.get("index"))
        choice = Choice(position if index is None else index)
        choice.role = as_str(message.get("role"))
        choice.text = as_str(message.get("content"))
        choice.refusal = as_str(message.get("refusal"))
        choice.reasoning = as_str(message.get("reasoning_content")) or as_str(
            message.get("reasoning")
        )
        for call_index, raw_call in enumerate(as_list(message.get("tool_calls"))):
            _add_call_delta(choice, {}, {"index": call_index, **as_dict(raw_call)})
        choice.finish_reason = as_str(raw_choice.get("finish_reason"))
        choice.logprobs = _logprob_count(raw_choice.get("logprobs"))
        answer.choices.append(choice)
    return answer


# --- legacy completions ---------------------------------------------------------


def _completions(objects: list[dict[str, Any]], streamed: bool) -> Answer:
    answer = Answer("completion", streamed, chunks=len(objects) if streamed else 0)
    choices = _Choices()
    for data in objects:
        answer.model = as_str(data.get("model")) or answer.model
        if isinstance(data.get("usage"), dict):
            answer.usage = _openai_usage(data["usage"])
        for raw_choice in as_list(data.get("choices")):
            raw_choice = as_dict(raw_choice)
            choice = choices.get(raw_choice.get("index"))
            choice.text = _append(choice.text, raw_choice.get("text"))
            choice.finish_reason = as_str(raw_choice.get("finish_reason")) or choice.finish_reason
            logprobs = as_dict(raw_choice.get("logprobs"))
            choice.logprobs += len(as_list(logprobs.get("tokens")))
    answer.choices = choices.sorted()
    return answer


# --- Ollama native (older recordings) ------------------------------------------


def _ollama(kind: str, objects: list[dict[str, Any]], streamed: bool) -> Answer:
    answer = Answer(kind, streamed, chunks=len(objects) if streamed else 0)
    choice = Choice(0, role="assistant")
    for data in objects:
        answer.model = as_str(data.get("model")) or answer.model
        if kind == "ollama_generate":
            choice.text = _append(choice.text, data.get("response"))
            choice.reasoning = _append(choice.reasoning, data.get("thinking"))
        else:
            message = as_dict(data.get("message"))
            choice.role = as_str(message.get("role")) or choice.role
            choice.text = _append(choice.text, message.get("content"))
            choice.reasoning = _append(choice.reasoning, message.get("thinking"))
            for raw_call in as_list(message.get("tool_calls")):
                function = as_dict(as_dict(raw_call).get("function"))
                _add_call_delta(
                    choice,
                    {},
                    {
                        "index": len(choice.tool_calls),
                        "type": "function",
                        "function": function,
                    },
                )
        if data.get("done") is True:
            choice.finish_reason = as_str(data.get("done_reason")) or "stop"
            answer.usage = _ollama_usage(data)
    answer.choices = [choice]
    return answer


def _ollama_usage(data: dict[str, Any]) -> Usage | None:
    prompt, completion = as_int(data.get("prompt_eval_count")), as_int(data.get("eval_count"))
    if prompt is None and completion is None:
        return None
    raw = {"prompt_eval_count": data.get("prompt_eval_count"), "eval_count": data.get("eval_count")}
    return Usage(prompt, completion, _sum(prompt, completion), raw)


# --- typed bodies ---------------------------------------------------------------


def _typed_stream(name: str | None, chunks: list[Any]) -> Answer:
    if name == "ChatCompletionChunk":
        return _chat_stream(chunks)
    objects = [as_dict(as_dict(chunk).get("__data__")) for chunk in chunks]
    if name == "Completion":
        return _completions(objects, streamed=True)
    if name == "GenerateResponse":
        return _ollama("ollama_generate", objects, streamed=True)
    if name == "ChatResponse":
        return _ollama("ollama_chat", objects, streamed=True)
    return Answer("unknown", True, chunks=len(chunks))


def _typed_object(name: str | None, data: dict[str, Any], streamed: bool) -> Answer:
    if name == "ChatCompletion":
        return _chat_completion(data)
    if name == "Completion":
        return _completions([data], streamed=False)
    if name == "GenerateResponse":
        return _ollama("ollama_generate", [data], streamed=False)
    if name == "ChatResponse":
        return _ollama("ollama_chat", [data], streamed=False)
    if name == "CreateEmbeddingResponse":
        answer = Answer("embedding", streamed, model=as_str(data.get("model")))
        answer.usage = _openai_usage(data.get("usage"))
        return answer
    if name == "EmbedResponse":
        answer = Answer("ollama_embedding", streamed, model=as_str(data.get("model")))
        prompt = as_int(data.get("prompt_eval_count"))
        if prompt is not None:
            answer.usage = Usage(prompt, None, prompt, {"prompt_eval_count": prompt})
        return answer
    simple = {
        "ProcessResponse": "ollama_ps",
        "ListResponse": "ollama_tags",
        "ProgressResponse": "ollama_pull",
        "ToolInvocationResult": "tool_result",
        "ProcessFileResponse": "file_processor_result",
    }
    return Answer(simple.get(name or "", "unknown"), streamed)


# --- google-genai ---------------------------------------------------------------


def _genai(objects: Iterable[Any], streamed: bool) -> Answer:
    objects = [as_dict(item) for item in objects]
    answer = Answer("genai", streamed, chunks=len(objects) if streamed else 0)
    choices = _Choices()
    for data in objects:
        answer.model = as_str(data.get("model_version")) or answer.model
        usage = as_dict(data.get("usage_metadata"))
        if as_int(usage.get("total_token_count")) is not None:
            thoughts = as_int(usage.get("thoughts_token_count")) or 0
            candidates = as_int(usage.get("candidates_token_count"))
            answer.usage = Usage(
                as_int(usage.get("prompt_token_count")),
                None if candidates is None else candidates + thoughts,
                as_int(usage.get("total_token_count")),
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
                    choice.reasoning = _append(choice.reasoning, part.get("text"))
                else:
                    choice.text = _append(choice.text, part.get("text"))
                call = as_dict(part.get("function_call"))
                if call:
                    _add_call_delta(
                        choice,
                        {},
                        {
                            "index": len(choice.tool_calls),
                            "id": call.get("id"),
                            "type": "function",
                            "function": {
                                "name": call.get("name"),
                                "arguments": call.get("args", {}),
                            },
                        },
                    )
            choice.finish_reason = as_str(candidate.get("finish_reason")) or choice.finish_reason
    answer.choices = choices.sorted()
    return answer


# --- Anthropic messages and Gemini interactions ----------------------------------


def _sse_events(lines: list[Any]) -> Iterator[dict[str, Any]]:
    """The JSON payload of each ``data:`` line (``[DONE]`` and bad JSON skipped)."""
    for line in lines:
        if isinstance(line, str) and line.startswith("data:"):
            payload = line[5:].strip()
            try:
                event = orjson.loads(payload)
            except orjson.JSONDecodeError:
                continue
            if isinstance(event, dict):
                yield event


def _sse(lines: list[Any]) -> Answer:
    events = list(_sse_events(lines))
    if any("event_type" in event for event in events):
        return _interaction_stream(events, len(lines))
    return _anthropic_stream(events, len(lines))


def _anthropic_usage(raw: Any, input_tokens: int | None = None) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    prompt = as_int(raw.get("input_tokens"))
    prompt = prompt if prompt is not None else input_tokens
    completion = as_int(raw.get("output_tokens"))
    return Usage(prompt, completion, _sum(prompt, completion), raw)


def _anthropic_block(choice: Choice, block: dict[str, Any]) -> None:
    kind = block.get("type")
    if kind == "text":
        choice.text = _append(choice.text, block.get("text"))
    elif kind == "thinking":
        choice.reasoning = _append(choice.reasoning, block.get("thinking"))
    elif kind == "tool_use":
        arguments = block.get("input")
        _add_call_delta(
            choice,
            {},
            {
                "index": len(choice.tool_calls),
                "id": block.get("id"),
                "type": "tool_use",
                "function": {
                    "name": block.get("name"),
                    "arguments": arguments if arguments not in (None, {}) else "",
                },
            },
        )


def _anthropic_message(body: dict[str, Any]) -> Answer:
    answer = Answer("anthropic_message", False, model=as_str(body.get("model")))
    choice = Choice(0, role=as_str(body.get("role")))
    for block in as_list(body.get("content")):
        _anthropic_block(choice, as_dict(block))
    for call in choice.tool_calls:
        call.arguments = call.arguments or "{}"
    choice.finish_reason = as_str(body.get("stop_reason"))
    answer.choices = [choice]
    answer.usage = _anthropic_usage(body.get("usage"))
    return answer


def _anthropic_stream(events: list[dict[str, Any]], lines: int) -> Answer:
    answer = Answer("anthropic_message", True, chunks=lines)
    choice = Choice(0)
    blocks: dict[int, ToolCall] = {}
    input_tokens: int | None = None
    for event in events:
        kind = event.get("type")
        if kind == "message_start":
            message = as_dict(event.get("message"))
            answer.model = as_str(message.get("model"))
            choice.role = as_str(message.get("role"))
            answer.usage = _anthropic_usage(message.get("usage"))
            input_tokens = answer.usage.prompt_tokens if answer.usage else None
        elif kind == "content_block_start":
            block = as_dict(event.get("content_block"))
            _anthropic_block(choice, {**block, "input": None})
            if block.get("type") == "tool_use" and choice.tool_calls:
                blocks[as_int(event.get("index")) or 0] = choice.tool_calls[-1]
        elif kind == "content_block_delta":
            delta = as_dict(event.get("delta"))
            if delta.get("type") == "text_delta":
                choice.text = _append(choice.text, delta.get("text"))
            elif delta.get("type") == "thinking_delta":
                choice.reasoning = _append(choice.reasoning, delta.get("thinking"))
            elif delta.get("type") == "input_json_delta":
                call = blocks.get(as_int(event.get("index")) or 0)
                if call is not None and isinstance(delta.get("partial_json"), str):
                    call.arguments += delta["partial_json"]
        elif kind == "message_delta":
            choice.finish_reason = as_str(as_dict(event.get("delta")).get("stop_reason"))
            if isinstance(event.get("usage"), dict):  # final and cumulative: take it
                answer.usage = _anthropic_usage(event["usage"], input_tokens)
    for call in choice.tool_calls:
        call.arguments = call.arguments or "{}"
    answer.choices = [choice] if events else []
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
        choice.text = _append(choice.text, output.get("text"))
    elif kind == "thought":
        for summary in as_list(output.get("summary")):
            choice.reasoning = _append(choice.reasoning, as_dict(summary).get("text"))
    elif kind == "function_call":
        _add_call_delta(
            choice,
            {},
            {
                "index": len(choice.tool_calls),
                "id": output.get("id"),
                "type": "function_call",
                "function": {"name": output.get("name"), "arguments": output.get("arguments", {})},
            },
        )


def _interaction(body: dict[str, Any]) -> Answer:
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


def _interaction_stream(events: list[dict[str, Any]], lines: int) -> Answer:
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
                choice.text = _append(choice.text, delta.get("text"))
            elif delta.get("type") == "thought_summary":
                choice.reasoning = _append(
                    choice.reasoning, as_dict(delta.get("content")).get("text")
                )
            elif delta.get("type") == "function_call":
                _interaction_output(choice, delta)
    answer.choices = [choice] if events else []
    return answer


def _raw(body: dict[str, Any], shape: Shape) -> Answer:
    if isinstance(body.get("error"), dict) or (shape.status or 200) >= 400:
        error = as_dict(body.get("error"))
        message = as_str(error.get("message")) or orjson.dumps(body).decode()[:200]
        status = f"HTTP {shape.status}: " if shape.status else ""
        return Answer("http_error", False, error=status + message)
    if "candidates" in body:
        return _genai([body], streamed=False)
    if body.get("type") == "message":
        return _anthropic_message(body)
    if "outputs" in body or body.get("object") == "interaction":
        return _interaction(body)
    if shape.request is RequestShape.RAW_HTTP:
        return Answer("unknown", False, model=as_str(body.get("model")))
    return Answer("unknown", False)
