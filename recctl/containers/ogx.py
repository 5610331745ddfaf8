"""ogx (llama-stack) recordings: one JSON file per exchange, its response stored as
typed objects or raw (docs/format.md).

``parse`` turns a file into a ``RecordedFile`` of one exchange: the request
(headers, body or payload), the response body as stored, and the facts only ogx
records (test id, endpoint, provider) in ``extras``. ``ogx_answers.reassemble`` takes a
parsed recording and returns the ``Answer`` it holds (docs/format.md, section 6),
whatever the body kind: typed chunks and objects (their ``__data__`` is the
provider's object, and the class name says which protocol wrote it), raw
google-genai chunks, raw SSE lines, raw dicts. It never raises on a recording of
unexpected shape: what it cannot read contributes nothing. Reading each wire
protocol is left to ``recctl.protocols``, shared with every container.

The rest of what only ogx has (the request hash, id normalization, the schema,
``explain``) lives in the modules that say so: ``hashing``, ``normalize``,
``schema``, ``explain``.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, overload

from recctl import budget, io
from recctl.exchange import Exchange, Message, RecordedFile
from recctl.io import json_text
from recctl.ogx.shapes import BodyKind, RequestShape, Shape, classify
from recctl.values import as_dict, as_list, as_str

if TYPE_CHECKING:
    from recctl.answer import Answer
    from recctl.containers import Container
    from recctl.secrets import Secret

name = "ogx"
title: str = "ogx"
noun: str = "recording"
directories: tuple[str, ...] = ("recordings",)
dedicated: tuple[str, ...] = ("recordings",)
suffixes: tuple[str, ...] = (".json",)
#: A recording names the test it belongs to (its test id).
tests: str = "named"
one_per_file: bool = True
suffix_alone: bool = False
#: A broken file is "not valid JSON" (RC002).
broken_code: str = "RC002"
#: Where a provider's response object is in a recording: typed objects keep it in
#: ``__data__``, raw bodies as they are; streams are lists of either.
body_places: tuple[str, ...] = (
    "$.response.body.__data__",
    "$.response.body[*].__data__",
    "$.response.body",
    "$.response.body[*]",
)
#: What changes on every re-record outside the provider's objects.
volatile: tuple[str, ...] = (
    "$.response.body.sdk_http_response.headers.Date",
    "$.response.body[*].sdk_http_response.headers.Date",
)
#: What a recording holds at its top level; a JSON file holding neither is not one.
_RECORDING_KEYS = ("request", "response")


def claims(head: bytes, path: str) -> bool | None:
    """JSON holding ``request`` or ``response`` at its top level (a broken one too:
    reading it reports how); other JSON is something else."""
    if head[:64].lstrip()[:1] not in (b"{", b"["):
        return None
    try:
        document = io.parse(io.read_bytes(path))
    except io.LoadError:
        return True
    return isinstance(document, dict) and any(key in document for key in _RECORDING_KEYS)


@budget.per_file
def parse(raw: bytes, path: str) -> RecordedFile:
    budget.charge("values", budget.json_values(raw))
    document = io.parse(raw)
    exchanges = _OneExchange(document)
    return RecordedFile(path, len(raw), _self(), "ogx", exchanges, document=document, raw=raw)


class _OneExchange(Sequence[Exchange]):
    """A recording's one exchange, built when first asked for: ``reassemble`` reads
    the recording itself (``answers``), and building the exchange would cost a tenth
    of it."""

    __slots__ = ("_document", "_exchange")

    def __init__(self, document: Any) -> None:
        self._document = document
        self._exchange: Exchange | None = None

    def __len__(self) -> int:
        return 1

    @overload
    def __getitem__(self, index: int) -> Exchange: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Exchange]: ...
    def __getitem__(self, index: int | slice) -> Exchange | Sequence[Exchange]:
        if self._exchange is None:
            self._exchange = exchange_of(self._document)
        return [self._exchange][index]


def rewrite(raw: bytes, replace: Callable[[bytes], bytes]) -> tuple[bytes, bool]:
    return replace(raw), False  # JSON text: every string is where it stands


def renamed(path: str, before: RecordedFile, after: RecordedFile) -> str | None:
    """The request hash is the file's name: a scrubbed request that hashes to another
    name moves there (a name that was already stale stays: ``recctl hash`` says so)."""
    from recctl.ogx.hashing import judge_name

    name = os.path.basename(path)
    if judge_name(name, before.document).match is not True:
        return None
    verdict = judge_name(name, after.document)
    if verdict.match is False and verdict.expected is not None:
        return os.path.join(os.path.dirname(path), verdict.expected)
    return None


def replay_notes(file: RecordedFile, secrets: list[Secret]) -> list[str]:
    return []  # the recorder finds a recording by its name: ``renamed`` keeps it found


def answers(file: RecordedFile) -> list[tuple[int, Answer]]:
    from recctl.containers.ogx_answers import reassemble  # not for validate, hash, prune

    return [(0, reassemble(file.document))]


def searchable(file: RecordedFile) -> bytes:
    """The bytes the key search's pre-test reads: the whole file, its strings as they
    are (JSON escapes aside), streamed chunks included (a key may be split across
    them)."""
    return file.raw


def file_of(document: Any, path: str = "") -> RecordedFile:
    """A recording already parsed."""
    return RecordedFile(path, 0, _self(), "ogx", _OneExchange(document), document=document)


def _self() -> Container:
    return sys.modules[__name__]


def exchange_of(recording: Any, shape: Shape | None = None) -> Exchange:
    """The one exchange of a parsed recording (plain type tests: this runs on every
    file of every command)."""
    shape = shape or classify(recording)
    top = recording if type(recording) is dict else {}
    request = top.get("request")
    request = request if type(request) is dict else {}
    response = top.get("response")
    response = response if type(response) is dict else {}
    body_key = "body" if "body" in request else "payload" if "payload" in request else "kwargs"
    if body_key not in request:
        body_key = "body"
    body = request.get(body_key)
    model = request.get("model")
    if type(model) is not str or not model:
        model = body.get("model") if type(body) is dict else None
    test_id = top.get("test_id")
    if type(test_id) is not str or not test_id:
        test_id = request.get("test_id")
    extras: dict[str, Any] = {
        "test_id": test_id if type(test_id) is str and test_id else None,
        # the url path the request hash uses, else what kind of call it is
        "endpoint": shape.endpoint
        or (shape.request.value if shape.request is not RequestShape.UNKNOWN else None),
        "model": model if type(model) is str and model else None,
        "received": received_path(shape.endpoint, request.get("endpoint")),
        "provider": _provider(request),
        "streamed": bool(shape.streamed),
        "shape": shape,
    }
    if shape.request is RequestShape.TOOL:
        extras["call"] = "tool"
        extras["tool"] = request.get("tool_name")
        extras["parameters"] = {"tool": request.get("tool_name"), **as_dict(request.get("kwargs"))}
    elif shape.request is RequestShape.FILE_PROCESSOR:
        extras["call"] = "file processor"
        extras["parameters"] = {key: request.get(key) for key in ("api", "file_id")}
    headers = request.get("headers")
    names: dict[str, list[str]] = {}
    written: dict[str, tuple[str, bool]] = {}
    if type(headers) is dict:
        for key, value in headers.items():
            names[str(key).lower()] = [str(value)]
            written[str(key).lower()] = (str(key), False)
    method, url = request.get("method"), request.get("url")
    return Exchange(
        0,
        method.upper() if type(method) is str else "",
        url if type(url) is str else "",
        shape.status,
        Message(names, body, 0, ("request",), body_key, written=written),
        Message(
            {},
            response.get("body"),
            0,
            ("response",),
            "body",
            fragmented=shape.body in (BodyKind.TYPED_CHUNKS, BodyKind.MODEL_LIST),
        ),
        None,
        "url",
        extras,
        recording,
    )


def received_path(path: str | None, endpoint: Any) -> str | None:
    """The path the provider received. The recorder writes its url as the client's
    base url (``…/v1``, ``…/openai/v1``, ``…/v1beta/openai``) joined with the API
    path it records as ``endpoint`` (``/v1/chat/completions``); the client joined
    its base with the path after the version: ``/openai/v1/v1/chat/completions``
    was ``/openai/v1/chat/completions``."""
    if not path or type(endpoint) is not str or not path.endswith(endpoint):
        return path
    base = path[: len(path) - len(endpoint)]
    version, _, rest = endpoint.lstrip("/").partition("/")
    if base and rest and _VERSION.fullmatch(version):
        return f"{base.rstrip('/')}/{rest}"
    return path


_VERSION = re.compile(r"v\d+\w*")


def _provider(request: dict[str, Any]) -> str | None:
    """The provider the recorder wrote down, if any (else the url tells)."""
    metadata = request.get("provider_metadata")
    if type(metadata) is dict and type(metadata.get("provider")) is str:
        return str(metadata["provider"])
    if type(request.get("provider")) is str:
        return str(request["provider"])
    url = request.get("url")
    if type(url) is str and url.startswith("vertexai:"):
        return "vertexai"
    return None


def answer(exchange: Exchange) -> Answer:
    from recctl.containers.ogx_answers import reassemble

    return reassemble(exchange.source, exchange.extras.get("shape"))


# --- show ---------------------------------------------------------------------------


def stored(exchange: Exchange) -> str:
    """How the response is stored: ``typed chunks (ChatCompletionChunk)``."""
    shape: Shape = exchange.extras["shape"]
    return shape.body.value.replace("_", " ") + (f" ({shape.type_name})" if shape.type_name else "")


def facts(exchange: Exchange) -> dict[str, Any]:
    """What only a recording holds, as ``show`` prints it (its JSON keys)."""
    shape: Shape = exchange.extras["shape"]
    return {
        "test_id": exchange.extras["test_id"],
        "shape": {
            "request": shape.request.value,
            "body": shape.body.value,
            "type": shape.type_name,
            "streamed": shape.streamed,
            "exception": shape.exception,
            "status": shape.status,
        },
        # The path the provider received, as stats counts it (the recorder hashes the
        # one its client joined: ``/v1/v1/chat/completions``).
        "endpoint": exchange.extras.get("received") or shape.endpoint,
    }


def details(exchange: Exchange, answer: Answer | None, shorten: Any) -> dict[str, Any]:
    """Facts of bodies that are not an answer: model ids, embedding sizes, tool results."""
    kind = answer.kind if answer is not None else ""
    body = exchange.response.body
    data = as_dict(as_dict(body).get("__data__"))
    if kind == "model_list":
        return {
            "models": [
                as_str(as_dict(as_dict(item).get("__data__")).get("id")) for item in as_list(body)
            ]
        }
    if kind == "embedding":
        vectors = [as_dict(item).get("embedding") for item in as_list(data.get("data"))]
        first = vectors[0] if vectors else None
        return {
            "embeddings": len(vectors),
            "dimensions": len(first) if isinstance(first, list) else None,
        }
    if kind == "ollama_embedding":
        vectors = as_list(data.get("embeddings"))
        return {
            "embeddings": len(vectors),
            "dimensions": len(vectors[0]) if vectors and isinstance(vectors[0], list) else None,
        }
    if kind in ("ollama_ps", "ollama_tags"):
        return {
            "models": [
                as_str(as_dict(m).get("name")) or as_str(as_dict(m).get("model"))
                for m in as_list(data.get("models"))
            ]
        }
    if kind == "ollama_pull":
        return {"status": data.get("status")}
    if kind == "tool_result":
        content = data.get("content")
        text = (
            content
            if isinstance(content, str)
            else json_text(content)
            if content is not None
            else ""
        )
        return {"result": shorten(text), "error": data.get("error_message")}
    if kind == "file_processor_result":
        return {"chunks": len(as_list(data.get("chunks"))), "metadata": data.get("metadata")}
    return {}
