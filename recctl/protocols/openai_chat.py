"""OpenAI chat completions (streamed chunks or one object) and legacy completions.

A chunk is the dict the API streams as ``data: {...}`` (a cassette's SSE lines)
and the ``__data__`` of an ogx ``ChatCompletionChunk``: the same object, read once here.
"""

from __future__ import annotations

from typing import Any

from recctl.answer import Answer, Choice, Choices, ToolCall, Usage, add_call_delta, append
from recctl.request import (
    Message,
    Request,
    Shorten,
    ToolCallView,
    flatten,
    parameters_but,
    tool_names,
)
from recctl.values import as_dict, as_int, as_list, as_str


def openai_usage(raw: Any) -> Usage | None:
    if not isinstance(raw, dict):
        return None
    return Usage(
        as_int(raw.get("prompt_tokens")),
        as_int(raw.get("completion_tokens")),
        as_int(raw.get("total_tokens")),
        raw,
    )


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


def chat_stream(chunks: list[Any]) -> Answer:
    """OpenAI chat chunk dicts. The hot loop of the tool: plain type checks, no helpers."""
    answer = Answer("chat_completion", True, chunks=len(chunks))
    pieces: dict[int, _Pieces] = {}
    # Per choice: the call currently open at each tool-call index.
    open_calls: dict[tuple[int, int], ToolCall] = {}
    for data in chunks:
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
            answer.usage = openai_usage(usage)  # the last one reported, never a sum
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
                        add_call_delta(choice, open_calls, as_dict(raw_call))
            logprobs = raw_choice.get("logprobs")
            if logprobs is not None:
                choice.logprobs += _logprob_count(logprobs)
            finish = raw_choice.get("finish_reason")
            if type(finish) is str:
                choice.finish_reason = finish
    answer.choices = [pieces[index].finish() for index in sorted(pieces)]
    return answer


def _logprob_count(logprobs: Any) -> int:
    data = as_dict(logprobs)
    return len(as_list(data.get("content"))) + len(as_list(data.get("refusal")))


def chat_completion(data: dict[str, Any]) -> Answer:
    answer = Answer("chat_completion", False, model=as_str(data.get("model")), chunks=0)
    answer.usage = openai_usage(data.get("usage"))
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
            add_call_delta(choice, {}, {"index": call_index, **as_dict(raw_call)})
        choice.finish_reason = as_str(raw_choice.get("finish_reason"))
        choice.logprobs = _logprob_count(raw_choice.get("logprobs"))
        answer.choices.append(choice)
    return answer


def completions(objects: list[dict[str, Any]], streamed: bool) -> Answer:
    answer = Answer("completion", streamed, chunks=len(objects) if streamed else 0)
    choices = Choices()
    for data in objects:
        answer.model = as_str(data.get("model")) or answer.model
        if isinstance(data.get("usage"), dict):
            answer.usage = openai_usage(data["usage"])
        for raw_choice in as_list(data.get("choices")):
            raw_choice = as_dict(raw_choice)
            choice = choices.get(raw_choice.get("index"))
            choice.text = append(choice.text, raw_choice.get("text"))
            choice.finish_reason = as_str(raw_choice.get("finish_reason")) or choice.finish_reason
            logprobs = as_dict(raw_choice.get("logprobs"))
            choice.logprobs += len(as_list(logprobs.get("tokens")))
    answer.choices = choices.sorted()
    return answer


volatile: tuple[str, ...] = (
    "id",
    "created",
    "system_fingerprint",
    "obfuscation",
    "choices[*].obfuscation",
    "choices[*].message.tool_calls[*].id",
    "choices[*].delta.tool_calls[*].id",
)


#: Ids a request echoes (``protocols.REQUEST_VOLATILE``): the calls of its history.
request_volatile: tuple[str, ...] = ("messages[*].tool_calls[*].id", "messages[*].tool_call_id")


def _is_text_completion(data: dict[str, Any]) -> bool:
    return data.get("object") == "text_completion" or any(
        "text" in as_dict(choice) for choice in as_list(data.get("choices"))
    )


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    if not any("choices" in event for event in events):
        return None
    if any(_is_text_completion(event) for event in events):
        return completions(events, streamed=True)
    return chat_stream(events)


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    if body.get("object") == "list" and any(
        isinstance(item, dict) and "embedding" in item for item in as_list(body.get("data"))
    ):
        answer = Answer("embedding", False, model=as_str(body.get("model")))
        answer.usage = openai_usage(body.get("usage"))
        return answer
    if not isinstance(body.get("choices"), list):
        return None
    if _is_text_completion(body):
        return completions([body], streamed=False)
    return chat_completion(body)


# --- the request ----------------------------------------------------------------

#: What is history or tools in a chat or completions request; the rest are parameters.
_REQUEST_CONTENT = frozenset(
    {"model", "messages", "tools", "functions", "prompt", "system", "stream", "stream_options"}
)


def chat_message(raw: dict[str, Any], shorten: Shorten) -> Message:
    """One message of a chat request: its content, the tool calls it makes (an
    assistant's), or the call it answers (a ``tool`` message's)."""
    role = as_str(raw.get("role")) or as_str(raw.get("type")) or "?"
    message = Message(role, tool_call_id=as_str(raw.get("tool_call_id")))
    content = raw.get("content")
    text = flatten(content) if content is not None else None
    message.text = shorten(text) if text else text
    calls = as_list(raw.get("tool_calls"))
    if isinstance(raw.get("function_call"), dict):  # the legacy single call
        calls = [*calls, {"function": raw["function_call"]}]
    for call in map(as_dict, calls):
        function = as_dict(call.get("function"))
        message.tool_calls.append(
            ToolCallView.of(
                function.get("name"), function.get("arguments"), call.get("id"), shorten
            )
        )
    return message


def request(payload: dict[str, Any], shorten: Shorten) -> Request | None:
    """A chat request (``messages``, ``tools``) or a legacy completion's ``prompt``;
    Ollama's and Cohere's chat requests have the same shape."""
    if not isinstance(payload.get("messages"), list) and "prompt" not in payload:
        return None
    messages = []
    if isinstance(payload.get("system"), str):  # Ollama's generate
        messages.append(Message("system", shorten(payload["system"])))
    messages += [chat_message(as_dict(raw), shorten) for raw in as_list(payload.get("messages"))]
    prompt = payload.get("prompt")
    if prompt is not None:
        messages.append(Message("user", shorten(flatten(prompt))))
    tools = tool_names(as_list(payload.get("tools")) + as_list(payload.get("functions")))
    return Request(messages, tools, parameters_but(payload, _REQUEST_CONTENT))
