"""``recctl diff`` of two VCR.py cassettes: interaction by interaction, in meaning.

Interactions are paired by position when both cassettes hold as many, else by
method and URL (in order, as ``difflib`` aligns them); the rest are added or
removed. Each pair gets the verdicts two recordings get (``diff.RecordingDiff``),
from the same pieces: the requests compared in meaning, the answers reassembled
by the protocol modules and compared, then every other difference by path in the
interaction's parsed form, so that YAML formatting never counts. Headers are
volatile by default (dates, request ids, rate limits, cookies), as are the ids and
timestamps of response bodies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from recctl.answer import Answer
from recctl.containers.cassette import Cassette, Exchange
from recctl.diff import (
    AnswerDiff,
    PathMatcher,
    RecordingDiff,
    answer_diff,
    compare_requests,
    json_changes,
)
from recctl.protocols.detect import read_answer
from recctl.sequences import align

DEFAULT_IGNORES: tuple[str, ...] = (
    "$.request.headers.*",
    "$.request.headers.*[*]",
    "$.response.headers.*",
    "$.response.headers.*[*]",
    "$.response.body.id",
    "$.response.body.created",
    "$.response.body.created_at",
    "$.response.body.system_fingerprint",
    "$.response.body.choices[*].message.tool_calls[*].id",
    "$.response.body.output[*].id",
    "$.response.body.output[*].call_id",
    "$.response.body.responseId",
    "$.request.body.messages[*].tool_calls[*].id",
    "$.request.body.messages[*].tool_call_id",
)


@dataclass
class CassetteDiff:
    pairs: list[tuple[int, int, RecordingDiff]] = field(default_factory=list)
    added: list[int] = field(default_factory=list)  # interactions only in the new cassette
    removed: list[int] = field(default_factory=list)  # only in the old one

    @property
    def differs(self) -> bool:
        return bool(self.added or self.removed or any(d.differs for _, _, d in self.pairs))

    @property
    def verdict(self) -> str:
        labels: list[str] = []
        for _, _, diff in self.pairs:
            labels += [label for label in diff.labels if label not in labels]
        if self.added or self.removed:
            labels.append("interactions added or removed")
        if labels:
            return ", ".join(labels)
        volatile = any(diff.volatile for _, _, diff in self.pairs)
        return "only volatile fields differ" if volatile else "identical"


def diff_cassettes(
    old: Cassette, new: Cassette, ignore: Iterable[str] | None = None
) -> CassetteDiff:
    patterns = list(DEFAULT_IGNORES if ignore is None else ignore)
    result = CassetteDiff()
    for i, j in _pairs(old.exchanges, new.exchanges, result):
        result.pairs.append((i, j, diff_exchanges(old.exchanges[i], new.exchanges[j], patterns)))
    return result


def _pairs(old: list[Exchange], new: list[Exchange], result: CassetteDiff) -> list[tuple[int, int]]:
    if len(old) == len(new):
        return [(i, i) for i in range(len(old))]
    keys = [f"{e.method} {e.url}" for e in old], [f"{e.method} {e.url}" for e in new]
    opcodes, exact = align(*keys)
    pairs = [
        (i1 + k, j1 + k) for tag, i1, i2, j1, _ in opcodes if tag == "equal" for k in range(i2 - i1)
    ]
    if not exact:  # a middle too long to align: its interactions pair by position
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "replace":
                pairs += [(i1 + k, j1 + k) for k in range(min(i2 - i1, j2 - j1))]
        pairs.sort()
    paired_old, paired_new = {i for i, _ in pairs}, {j for _, j in pairs}
    result.removed = [i for i in range(len(old)) if i not in paired_old]
    result.added = [j for j in range(len(new)) if j not in paired_new]
    return pairs


def _as_data(exchange: Exchange) -> dict[str, Any]:
    """An interaction as plain data: parsed bodies, so YAML formatting does not count."""
    body = exchange.response.body
    return {
        "request": {
            "method": exchange.method,
            "uri": exchange.url,
            "headers": exchange.request.headers,
            "body": _plain(exchange.request.body),
        },
        "response": {
            "status": exchange.status,
            "headers": exchange.response.headers,
            "body": exchange.events if exchange.events is not None else _plain(body),
        },
    }


def _plain(body: Any) -> Any:
    return f"<{len(body):,} bytes>" if isinstance(body, bytes) else body


def _answer(exchange: Exchange) -> Answer | None:
    return read_answer(exchange.url, exchange.status, exchange.response.body, exchange.events)


def diff_exchanges(old: Exchange, new: Exchange, ignore: Iterable[str]) -> RecordingDiff:
    volatile = PathMatcher(ignore)
    streamed = old.events is not None and new.events is not None
    old_answer, new_answer = _answer(old), _answer(new)

    def skip(parts: tuple[str | int, ...]) -> bool:
        # Streams compare reassembled: a re-record splits the same text otherwise.
        return streamed and old_answer is not None and parts == ("response", "body")

    structural, ignored = [], 0
    for change in json_changes(_as_data(old), _as_data(new), skip):
        if volatile(change.path):
            ignored += 1
        else:
            structural.append(change)
    if old_answer is not None and new_answer is not None:
        answer = answer_diff(old_answer, new_answer)
    elif old_answer is None and new_answer is None:
        answer = AnswerDiff()
    else:
        kinds = (
            old_answer.kind if old_answer else "none",
            new_answer.kind if new_answer else "none",
        )
        answer = AnswerDiff(kind=kinds)
    requests = compare_requests(
        {"body": old.request.body if isinstance(old.request.body, dict) else {}},
        {"body": new.request.body if isinstance(new.request.body, dict) else {}},
        (f"{old.method} {old.url}", f"{new.method} {new.url}"),
    )
    if streamed and not answer.content_changed and not answer.usage and not answer.model:
        ignored += len(json_changes(old.events, new.events))
    return RecordingDiff(None, requests, answer, structural, ignored)
