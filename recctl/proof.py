"""Every write proves itself: the new bytes are parsed again and compared with the old
file, exchange by exchange, before they replace it.

A rewrite may change only what it set out to change. ``difference`` says where the
new file differs otherwise: another number of exchanges, another method, URL or
status, a header or a body that differs by more than the replacements, a stream
whose events differ, or a problem of the file's own framing that the old file did
not have. A write whose proof fails is refused with that reason, never reported
as done.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from recctl.exchange import Message, RecordedFile

#: Headers a rewrite recomputes from the body it writes (httprr), compared by nothing
#: but their presence.
_DERIVED_HEADERS = frozenset({"content-length"})


class Replacements:
    """Secrets and what stands in for each, applied longest first, to any value."""

    def __init__(self, pairs: Sequence[tuple[str, str]] = ()) -> None:
        self.pairs = sorted(pairs, key=lambda pair: -len(pair[0]))
        self._stored: list[tuple[re.Pattern[bytes], bytes]] | None = None

    def text(self, value: str) -> str:
        """Decoded text with each secret replaced, as it is or as ``data`` finds it
        still encoded (a form body keeps its ``%XX``)."""
        for old, new in self.pairs:
            value = value.replace(old, new)
        if not _ESCAPED.search(value.encode("utf-8", "surrogatepass")):
            return value
        return self.data(value.encode("utf-8", "surrogatepass")).decode("utf-8", "surrogatepass")

    def data(self, value: bytes) -> bytes:
        """Stored bytes with each secret replaced in any form a file may store it in:
        as it is, or with any character written as a JSON ``\\u00XX``, a YAML
        ``\\xXX`` (either escaped once more, as JSON text inside a string is), a
        URL's ``%XX`` or JSON's ``\\/``."""
        if not _ESCAPED.search(value):  # as it is: no pattern to build
            for old, new in self.pairs:
                value = value.replace(old.encode(), new.encode())
            return value
        if self._stored is None:
            self._stored = [(stored_form(old), new.encode()) for old, new in self.pairs]
        for pattern, stand_in in self._stored:
            value = pattern.sub(stand_in.replace(b"\\", b"\\\\"), value)
        return value

    def value(self, value: Any) -> Any:
        """A parsed value with every string (and mapping key, and bytes) replaced."""
        if not self.pairs:
            return value
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, bytes):
            return self.data(value)
        if isinstance(value, dict):
            return {self.value(key): self.value(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return value


NONE = Replacements()


#: An escape that writes an ASCII character otherwise (what ``stored_form`` matches).
_ESCAPED = re.compile(rb"\\(?:u00|x)[0-7]|%[0-7]|\\/")


@functools.lru_cache(maxsize=1024)  # a secret is often in many files
def stored_form(secret: str) -> re.Pattern[bytes]:
    """A pattern matching ``secret`` in the bytes of a file, each ASCII character as it
    is or escaped as JSON, YAML or a URL may write it."""
    parts = []
    for character in secret:
        written = re.escape(character.encode("utf-8"))
        if ord(character) >= 128:
            parts.append(written)
            continue
        high, low = (f"[{c}{c.upper()}]" if c.isalpha() else c for c in f"{ord(character):02x}")
        # One backslash, or two: JSON text inside a YAML or JSON string escapes its own.
        escapes = [rb"(?:\\)?\\u00", rb"(?:\\)?\\x", rb"%"]
        forms = [written, *(e + (high + low).encode() for e in escapes)]
        if character == "/":
            forms.append(rb"\\/")
        parts.append(b"(?:" + b"|".join(forms) + b")")
    return re.compile(b"".join(parts))


def difference(
    before: RecordedFile, after: RecordedFile, replaced: Replacements = NONE, bodies: bool = True
) -> str | None:
    """Where ``after`` differs from ``before`` beyond ``replaced``, in words; None when it
    does not. Without ``bodies``, only the structure is compared (normalize rewrites
    ids inside bodies)."""
    if len(after.exchanges) != len(before.exchanges):
        return f"it would hold {len(after.exchanges)} exchanges, not {len(before.exchanges)}"
    for old, new in zip(before.exchanges, after.exchanges, strict=True):
        at = f"exchange {old.index}"
        if new.method != old.method:
            return f"{at}: the method would become {new.method!r}"
        if new.url != replaced.text(old.url):
            return f"{at}: the URL would change beyond the replacements"
        if new.status != old.status:
            return f"{at}: the status would become {new.status}"
        for side, old_side, new_side in (
            ("request", old.request, new.request),
            ("response", old.response, new.response),
        ):
            streamed = side == "response" and old.events is not None
            problem = _side_difference(old_side, new_side, replaced, bodies, streamed)
            if problem:
                return f"{at}: the {side} {problem}"
        if bodies and _decoded(new.events) != replaced.value(_decoded(old.events)):
            return f"{at}: the streamed events would change beyond the replacements"
    known = {message for _, message in before.issues}
    new_issues = [message for _, message in after.issues if message not in known]
    if new_issues:
        return f"it would no longer read as it did: {new_issues[0]}"
    return None


def _decoded(events: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """Events as compared: an InvokeModel chunk by what its base64 ``bytes`` decode to
    (``chunk``), not by the base64 itself, which an edit inside encodes again."""
    if events is None:
        return None
    return [
        {k: v for k, v in event.items() if k != "bytes"} if "chunk" in event else event
        for event in events
    ]


def _side_difference(
    old: Message, new: Message, replaced: Replacements, bodies: bool, streamed: bool = False
) -> str | None:
    """How one side would change beyond the replacements (a stream's body is compared
    by its events: its framing is written again)."""
    if set(new.headers) != set(old.headers):
        changed = sorted(set(new.headers) ^ set(old.headers))
        return f"headers would change: {', '.join(changed)[:80]}"
    for name, values in old.headers.items():
        if name not in _DERIVED_HEADERS and new.headers[name] != replaced.value(values):
            return f"header {name!r} would change beyond the replacements"
    if bodies and not streamed and new.body != replaced.value(old.body):
        return "body would change beyond the replacements"
    return None
