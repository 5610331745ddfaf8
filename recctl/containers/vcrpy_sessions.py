"""What pydantic-ai keeps beside its VCR.py cassettes that is not HTTP, read as
exchanges (docs/cassettes.md): xAI gRPC recordings and realtime WebSocket sessions.

An xAI recording (``*.xai.yaml``) lists ``interactions``, each a
``request_sample`` and a ``response_sample`` (``chat.sample()``) or a
``request_stream`` and a ``response_stream`` (``chat.stream()``): each side the
protobuf message as JSON (``json``, ``chunks_json``, written for people and
optional) and as its bytes (``raw``, ``chunks_raw``: what the replayer uses).
Each interaction is an exchange: ``POST`` to a URL naming the gRPC method
(``grpc://api.x.ai/xai_api.Chat/GetCompletion``; synthetic, the file names
none), the request's JSON its body, the response's its body or, streamed, each
chunk's JSON its events, read by ``protocols.xai_grpc``. The protobuf bytes are
not decoded: a side without JSON has them as a binary body.

A WebSocket session lists ``interactions`` of frames (``kind: message``,
``direction: sent | received``, ``data``): the whole session is one exchange,
``WEBSOCKET`` to the URL the file names, else ``wss://session.invalid/realtime``
(synthetic); the request body is the list of what the client sent, the events
what it received, read by ``protocols.openai_realtime`` (a session of another
protocol, Gemini Live's, is an exchange with no answer).
"""

from __future__ import annotations

from typing import Any

from recctl.containers import sniff
from recctl.exchange import Exchange, Message, Place
from recctl.io import json_text
from recctl.values import as_dict

#: The host and service of xAI's gRPC API, and the method each kind of call is.
GRPC_URL = "grpc://api.x.ai/xai_api.Chat/"
SAMPLE, STREAM = "GetCompletion", "GetCompletionChunk"
#: A session's URL when its file names none (``.invalid``: no host has it).
WEBSOCKET_URL = "wss://session.invalid/realtime"

Issues = list[tuple[Place, str]]


def is_grpc(items: list[Any]) -> bool:
    return any(isinstance(item, dict) and sniff.GRPC_KEYS.intersection(item) for item in items)


def is_websocket(items: list[Any]) -> bool:
    return bool(items) and all(sniff.is_frame(item) for item in items)


def _size(body: Any) -> int:
    if body is None:
        return 0
    return len(body) if isinstance(body, bytes) else len(json_text(body, default=str).encode())


def _side(side: Any, place: Place, key: str, raw_key: str, fragmented: bool = False) -> Message:
    """One side of a gRPC call: its JSON, else its protobuf bytes undecoded."""
    side = as_dict(side)
    body = side.get(key)
    if body is None:
        body, key = side.get(raw_key), raw_key
    return Message({}, body, _size(body), place, key, fragmented=fragmented)


def _exchange(
    index: int,
    method: str,
    url: str,
    request: Message,
    response: Message,
    events: list[dict[str, Any]] | None,
    **extras: Any,
) -> Exchange:
    """An exchange without HTTP's status and headers; ``source`` as ``http.exchange``
    gives it, for diff."""
    source = {
        "request": {"method": method, "uri": url, "headers": {}, "body": _plain(request.body)},
        "response": {
            "status": None,
            "headers": {},
            "body": events if events is not None else _plain(response.body),
        },
    }
    return Exchange(
        index, method, url, None, request, response, events, "", dict(extras), source=source
    )


def _plain(body: Any) -> Any:
    return f"<{len(body):,} bytes>" if isinstance(body, bytes) else body


def grpc(items: list[Any], at: Place = ("interactions",)) -> tuple[list[Exchange], Issues]:
    """One exchange per interaction; an interaction that is neither kind of call is
    an issue."""
    exchanges: list[Exchange] = []
    issues: Issues = []
    for n, item in enumerate(items):
        place: Place = (*at, n) if at else ()
        item = as_dict(item)
        if "request_stream" in item or "response_stream" in item:
            request = _side(item.get("request_stream"), (*place, "request_stream"), "json", "raw")
            response = as_dict(item.get("response_stream"))
            chunks = response.get("chunks_json")
            events = [as_dict(chunk) for chunk in chunks] if isinstance(chunks, list) else None
            answer = _side(response, (*place, "response_stream"), "chunks_json", "chunks_raw", True)
            method = STREAM
        elif "request_sample" in item or "response_sample" in item:
            request = _side(item.get("request_sample"), (*place, "request_sample"), "json", "raw")
            answer = _side(item.get("response_sample"), (*place, "response_sample"), "json", "raw")
            events, method = None, SAMPLE
        else:
            issues.append((place, "neither request_sample nor request_stream: not an xAI call"))
            continue
        for side, name in ((request, "request"), (answer, "response")):
            if side.body is None:
                issues.append((side.place, f"the {name} holds neither JSON nor protobuf bytes"))
        exchanges.append(
            _exchange(len(exchanges), "POST", GRPC_URL + method, request, answer, events)
        )
    return exchanges, issues


def websocket(document: dict[str, Any], items: list[Any]) -> Exchange:
    """The session as one exchange: what the client sent, what it received."""
    sent = [as_dict(item.get("data")) for item in items if item.get("direction") == "sent"]
    received = [as_dict(item.get("data")) for item in items if item.get("direction") == "received"]
    url = next(
        (document[k] for k in ("url", "uri") if isinstance(document.get(k), str)), WEBSOCKET_URL
    )
    # The sides' places: the list of interactions, whose frames each side's body
    # gathers (an index into a body counts that side's frames).
    request = Message({}, sent, _size(sent), ("interactions",), "sent")
    response = Message({}, received, _size(received), ("interactions",), "received")
    return _exchange(0, "WEBSOCKET", url, request, response, received, frames=len(items))
