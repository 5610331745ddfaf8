"""The answer an ogx recording holds (docs/format.md, section 6), whatever the body
kind: typed chunks and objects (their ``__data__`` is the provider's object, and the
class name says which protocol wrote it), raw google-genai chunks, raw SSE lines, raw
dicts. ``reassemble`` never raises on a recording of unexpected shape: what it cannot
read contributes nothing. Apart from the container (``ogx``) so that the commands
that read no answer (validate, hash, prune) never load the protocol modules.
"""

from __future__ import annotations

from typing import Any

from recctl.answer import Answer, Usage
from recctl.ogx.shapes import BodyKind, RequestShape, Shape, classify
from recctl.protocols import google, http_error, ollama, openai_chat, read_body, read_stream
from recctl.protocols.sse import data_events
from recctl.values import as_dict, as_int, as_str


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
        answer = google.genai(body, streamed=True)
    elif shape.body is BodyKind.SSE_LINES:
        answer = _sse(body)
    elif shape.body is BodyKind.RAW_DICT:
        answer = _raw(body, shape, as_str(as_dict(as_dict(recording).get("request")).get("url")))
    else:
        answer = Answer("unknown", streamed)
    answer.streamed = streamed
    answer.truncated = shape.exception or (streamed and not body)
    return answer.close()


#: Kinds that never carry choices.


def _exception_message(response: dict[str, Any]) -> str:
    data = as_dict(response.get("exception_data"))
    kind = as_str(data.get("type")) or "exception"
    status = as_int(data.get("status_code"))
    message = as_str(data.get("message")) or as_str(response.get("exception_message")) or ""
    return f"{kind}" + (f" ({status})" if status is not None else "") + f": {message}"


def _typed_stream(name: str | None, chunks: list[Any]) -> Answer:
    if name == "ChatCompletionChunk":
        return openai_chat.chat_stream([as_dict(chunk).get("__data__") for chunk in chunks])
    objects = [as_dict(as_dict(chunk).get("__data__")) for chunk in chunks]
    if name == "Completion":
        return openai_chat.completions(objects, streamed=True)
    if name == "GenerateResponse":
        return ollama.ollama("ollama_generate", objects, streamed=True)
    if name == "ChatResponse":
        return ollama.ollama("ollama_chat", objects, streamed=True)
    return Answer("unknown", True, chunks=len(chunks))


def _typed_object(name: str | None, data: dict[str, Any], streamed: bool) -> Answer:
    if name == "ChatCompletion":
        return openai_chat.chat_completion(data)
    if name == "Completion":
        return openai_chat.completions([data], streamed=False)
    if name == "GenerateResponse":
        return ollama.ollama("ollama_generate", [data], streamed=False)
    if name == "ChatResponse":
        return ollama.ollama("ollama_chat", [data], streamed=False)
    if name == "CreateEmbeddingResponse":
        answer = Answer("embedding", streamed, model=as_str(data.get("model")))
        answer.usage = openai_chat.openai_usage(data.get("usage"))
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


def _sse(lines: list[Any]) -> Answer:
    """Raw SSE lines, read by whichever protocol's events they carry; an ogx stream
    counts its stored lines as its chunks."""
    answer = read_stream(list(data_events(lines))) or Answer("unknown", True)
    answer.chunks = len(lines)
    return answer


def _raw(body: dict[str, Any], shape: Shape, url: str | None) -> Answer:
    answer = read_body(body, url or "") or http_error(body, shape.status)
    if answer is not None:
        return answer
    if shape.request is RequestShape.RAW_HTTP:
        return Answer("unknown", False, model=as_str(body.get("model")))
    return Answer("unknown", False)
