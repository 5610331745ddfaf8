"""What kind of recording a parsed file is (docs/format.md, sections 3 and 4).

``classify`` accepts any JSON value and never raises: whatever it does not
recognise is reported as ``unknown``. Nothing named in a ``__type__`` is imported;
class paths are only compared as strings.
"""

from __future__ import annotations

import enum
from typing import Any, NamedTuple
from urllib.parse import urlsplit

#: Paths whose hash leaves the test id out: model lists shared by every test.
SHARED_PATHS = frozenset({"/api/tags", "/v1/models", "/v1/openai/v1/models"})


class RequestShape(str, enum.Enum):
    INFERENCE = "inference"  # OpenAI / Ollama / genai client calls
    RAW_HTTP = "raw_http"  # /v1/messages, /interactions, /rerank passthrough
    TOOL = "tool"  # tool invocations such as web search
    FILE_PROCESSOR = "file_processor"  # retired
    UNKNOWN = "unknown"


class BodyKind(str, enum.Enum):
    TYPED_OBJECT = "typed_object"  # {"__type__", "__data__"}
    TYPED_CHUNKS = "typed_chunks"  # a streamed list of typed objects
    GENAI_CHUNKS = "genai_chunks"  # a streamed list of raw google-genai dicts
    SSE_LINES = "sse_lines"  # a streamed list of raw "event:"/"data:" lines
    MODEL_LIST = "model_list"  # a non-streamed list of typed Model objects
    RAW_DICT = "raw_dict"  # Anthropic message, genai response, interaction, error
    NULL = "null"
    UNKNOWN = "unknown"


# Keys each request shape must have, and the optional ones it may have too.
_REQUEST_KEYS: dict[RequestShape, tuple[frozenset[str], frozenset[str]]] = {
    RequestShape.INFERENCE: (
        frozenset({"method", "url", "headers", "body", "endpoint", "model"}),
        frozenset({"provider_metadata"}),
    ),
    RequestShape.RAW_HTTP: (frozenset({"url", "method", "payload"}), frozenset({"test_id"})),
    RequestShape.TOOL: (frozenset({"provider", "tool_name", "kwargs"}), frozenset({"test_id"})),
    RequestShape.FILE_PROCESSOR: (
        frozenset({"provider", "api", "file_id"}),
        frozenset({"test_id"}),
    ),
}


class Shape(NamedTuple):
    """The classification of one recording."""

    request: RequestShape
    endpoint: str | None  # the url path the request hash uses, e.g. /v1/v1/chat/completions
    streamed: bool | None  # None when is_streaming is missing or not a bool
    exception: bool  # recorded with is_exception
    status: int | None  # the HTTP status of raw HTTP calls
    body: BodyKind
    type_name: str | None  # class name of the typed body or of its chunks, e.g. ChatCompletionChunk

    def describe(self) -> str:
        """A short human label, e.g. ``inference, streamed typed_chunks (ChatCompletionChunk)``."""
        parts = [self.request.value]
        if self.exception:
            parts.append("exception")
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        body = self.body.value + (f" ({self.type_name})" if self.type_name else "")
        parts.append(("streamed " if self.streamed else "") + body)
        return ", ".join(parts)


def classify(recording: Any) -> Shape:
    """Classify a parsed recording. Any JSON value is accepted."""
    top = recording if isinstance(recording, dict) else {}
    request = top.get("request")
    response = top.get("response")
    response = response if isinstance(response, dict) else {}
    streamed = response.get("is_streaming")
    streamed = streamed if isinstance(streamed, bool) else None
    status = response.get("status")
    body_kind, type_name = classify_body(response.get("body"), streamed)
    return Shape(
        request=classify_request(request),
        endpoint=endpoint_of(request),
        streamed=streamed,
        exception=response.get("is_exception") is True,
        status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        body=body_kind,
        type_name=type_name,
    )


def classify_request(request: Any) -> RequestShape:
    if not isinstance(request, dict):
        return RequestShape.UNKNOWN
    keys = request.keys()
    for shape, (required, optional) in _REQUEST_KEYS.items():
        if required <= keys and keys <= required | optional:
            return shape
    return RequestShape.UNKNOWN


def endpoint_of(request: Any) -> str | None:
    """The path of the request url; ``vertexai:///generate_content`` gives ``/generate_content``."""
    if not isinstance(request, dict):
        return None
    url = request.get("url")
    if not isinstance(url, str):
        return None
    try:
        return urlsplit(url).path
    except ValueError:
        return None


def class_name(item: Any) -> str | None:
    """The class name of a typed object (``a.b.Model`` gives ``Model``), else None."""
    if isinstance(item, dict) and isinstance(item.get("__type__"), str) and "__data__" in item:
        name: str = item["__type__"]
        return name.rpartition(".")[2]
    return None


def classify_body(body: Any, streamed: bool | None) -> tuple[BodyKind, str | None]:
    if body is None:
        return BodyKind.NULL, None
    if isinstance(body, dict):
        name = class_name(body)
        if name is not None:
            return BodyKind.TYPED_OBJECT, name
        return (BodyKind.UNKNOWN if "__type__" in body else BodyKind.RAW_DICT), None
    if not isinstance(body, list):
        return BodyKind.UNKNOWN, None
    if all(isinstance(item, str) for item in body) and body:
        return BodyKind.SSE_LINES, None
    # Each item's class path, "" for a raw dict, None for anything else; inline
    # rather than a function call per item: streams have up to 1,400 chunks.
    kinds = {
        (kind if type(kind := item.get("__type__", "")) is str else None)
        if type(item) is dict and ("__data__" in item or "__type__" not in item)
        else None
        for item in body
    }
    if not body:
        # An empty list: a model list with no models, or a stream with no chunks.
        return (BodyKind.TYPED_CHUNKS if streamed else BodyKind.MODEL_LIST), None
    if None in kinds:
        return BodyKind.UNKNOWN, None
    if "" in kinds:  # raw dicts
        return (BodyKind.GENAI_CHUNKS if kinds == {""} else BodyKind.UNKNOWN), None
    only = kinds.pop() if len(kinds) == 1 else None
    name = only.rpartition(".")[2] if only else None
    if not streamed and name == "Model":
        return BodyKind.MODEL_LIST, name
    return BodyKind.TYPED_CHUNKS, name
