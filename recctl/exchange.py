"""The model every command reads: a recorded file is N exchanges, each one HTTP call.

A container (``recctl.containers``) turns a file's bytes into a ``RecordedFile``:
an ogx recording holds one exchange, a cassette N. An ``Exchange`` is one
request and its response, bodies decoded (parsed JSON, text, or bytes when
binary), with the data events of a stream, its place in the file (for findings),
and what only its container knows (``extras``: for ogx, the test id and the
endpoint). What the provider answered is read by the protocol modules
(``recctl.protocols``) through the container's ``answer``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recctl.answer import Answer
    from recctl.containers import Container

#: A path into a parsed file: keys and list indexes (``("interactions", 3, "request")``).
Place = tuple[str | int, ...]


class NotExchanges(Exception):
    """A file of a container's kind that holds no HTTP exchanges (a gRPC recording, a
    WebSocket session, other YAML): ``str(note)`` says what it is. A note, not an error."""


class CannotRewrite(Exception):
    """A rewrite a container cannot make without breaking replay (a Polly ``_id`` no
    known configuration reproduces): ``str(error)`` says why; the file is left alone."""


@dataclass
class Message:
    """One side of an exchange."""

    headers: dict[str, list[str]]  # names lower-cased
    body: Any  # parsed JSON, text, bytes (binary content), or None
    size: int  # bytes of the body as recorded (after decompression)
    #: Where this side is in the file (its headers and body are below it), and the
    #: key of its body there.
    place: Place = ()
    body_key: str = "body"
    #: True when the body is a stream split into chunks, where no credential field
    #: survives whole: the search for credential names skips it.
    fragmented: bool = False
    #: Where each header is in the file: lower-cased name -> (name as written, a list?).
    written: dict[str, tuple[str, bool]] = field(default_factory=dict)


@dataclass
class Exchange:
    """One recorded call: the request, the response, and its stream events if it streamed."""

    index: int  # position in the file, from 0
    method: str
    url: str
    status: int | None
    request: Message
    response: Message
    events: list[dict[str, Any]] | None  # the JSON data of each SSE event, when streamed
    #: The key of the URL in the request side (for findings).
    url_key: str = "uri"
    #: What only the container knows, as plain values: ``test_id``, ``endpoint``,
    #: ``provider`` and ``model`` (ogx), each present only when known.
    extras: dict[str, Any] = field(default_factory=dict)
    #: The container's own parsed form of this exchange (an ogx recording), for its
    #: ``answer``: never read by commands.
    source: Any = None

    @property
    def streamed(self) -> bool:
        return self.events is not None or bool(self.extras.get("streamed"))


@dataclass
class RecordedFile:
    """One file, read by its container."""

    path: str
    size: int  # bytes on disk
    container: Container
    layout: str  # the container's variant: "vcr", "parsed_body", "langchain", "ogx"
    exchanges: Sequence[Exchange]
    #: What does not fit the layout (RC101): (path into the file, what is wrong).
    issues: list[tuple[Place, str]] = field(default_factory=list)
    #: What replays, but not as recorded (RC102, warnings): (path, what).
    warnings: list[tuple[Place, str]] = field(default_factory=list)
    #: The parsed file as a whole, for the checks only its container runs.
    document: Any = None
    #: Its bytes (unzipped when the whole file is gzip), for the key search's pre-test.
    raw: bytes = b""
    #: Its credentials, once ``secrets.find_secrets`` has looked (each read finds them
    #: once, for the mask and for RC203).
    found: list[Any] | None = None

    def answer(self, exchange: Exchange) -> Answer | None:
        """What the provider answered in ``exchange``; None for a call that holds no
        LLM answer (an upload, an auth call, a GET)."""
        return self.container.answer(exchange)

    def answers(self) -> list[tuple[int, Answer]]:
        """(position, answer) of every exchange that holds one."""
        return self.container.answers(self)


def answers_of(file: RecordedFile) -> list[tuple[int, Answer]]:
    """(position, answer) of every exchange of ``file`` that holds one."""
    found = []
    for exchange in file.exchanges:
        answer = file.container.answer(exchange)
        if answer is not None:
            found.append((exchange.index, answer))
    return found
