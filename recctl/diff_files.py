"""``recctl diff`` of two recorded files: exchange by exchange, in meaning.

Exchanges are paired by position when both files hold as many, else by method
and URL (in order, as ``difflib`` aligns them); the rest are added or removed.
Each pair gets an ``ExchangeDiff`` (``recctl.diff``): the requests compared in
meaning, the answers reassembled by the protocol modules and compared, then
every other difference by path in the exchange's parsed form (its container's
``Exchange.source``), so that formatting never counts. What changes on every
re-record is volatile (``volatile_paths``): counted, not listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from recctl import protocols
from recctl.containers import Container
from recctl.diff import (
    AnswerDiff,
    ExchangeDiff,
    PathMatcher,
    answer_diff,
    compare_requests,
    json_changes,
)
from recctl.exchange import Exchange, RecordedFile
from recctl.sequences import align
from recctl.values import as_dict


def volatile_paths(container: Container) -> list[str]:
    """The paths ignored by default in a container's exchanges: every protocol's
    volatile fields below each place the container keeps a provider's objects,
    the ids a request echoes (every container keeps its body at ``$.request.body``),
    and the container's own."""
    return [
        *(f"{place}.{path}" for place in container.body_places for path in protocols.VOLATILE),
        *(f"$.request.body.{path}" for path in protocols.REQUEST_VOLATILE),
        *container.volatile,
    ]


@dataclass(frozen=True)
class Ignores:
    """What a diff ignores: the volatile paths of each container, and the user's."""

    defaults: bool = True
    extra: tuple[str, ...] = ()

    def matcher(self, container: Container) -> PathMatcher:
        return PathMatcher([*(volatile_paths(container) if self.defaults else []), *self.extra])


@dataclass
class FileDiff:
    one_per_file: bool  # a file of one exchange (an ogx recording): shown as that pair
    pairs: list[tuple[int, int, ExchangeDiff]] = field(default_factory=list)
    added: list[int] = field(default_factory=list)  # exchanges only in the new file
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

    @property
    def single(self) -> ExchangeDiff | None:
        """The one pair of two one-exchange files."""
        if self.one_per_file and len(self.pairs) == 1 and not (self.added or self.removed):
            return self.pairs[0][2]
        return None


class DifferentKinds(Exception):
    """Two files of different containers: ``str(error)`` says which."""


def _named(file: RecordedFile) -> str:
    """``a go-vcr cassette``, ``an ogx recording``: a file's container as people name it."""
    title = file.container.title
    return f"{'an' if title[:1].lower() in 'aeio' else 'a'} {title} {file.container.noun}"


def diff_files(
    old: RecordedFile, new: RecordedFile, ignores: Ignores | None = None, chunks: bool = False
) -> FileDiff:
    if old.container is not new.container:
        raise DifferentKinds(f"cannot compare {_named(old)} with {_named(new)}")
    ignores = ignores or Ignores()
    volatile = ignores.matcher(old.container)
    # Ignoring nothing by default, streams are compared chunk by chunk as well:
    # their ids and re-split chunks are differences, never counted as ignored.
    chunks = chunks or not ignores.defaults
    result = FileDiff(old.container.one_per_file)
    for i, j in _pairs(old.exchanges, new.exchanges, result):
        diff = diff_exchanges(old, new, old.exchanges[i], new.exchanges[j], volatile, chunks)
        result.pairs.append((i, j, diff))
    return result


def _pairs(
    old: Sequence[Exchange], new: Sequence[Exchange], result: FileDiff
) -> list[tuple[int, int]]:
    if len(old) == len(new):
        return [(i, i) for i in range(len(old))]
    keys = [f"{e.method} {e.url}" for e in old], [f"{e.method} {e.url}" for e in new]
    opcodes, exact = align(*keys)
    pairs = [
        (i1 + k, j1 + k) for tag, i1, i2, j1, _ in opcodes if tag == "equal" for k in range(i2 - i1)
    ]
    if not exact:  # a middle too long to align: its exchanges pair by position
        for tag, i1, i2, j1, j2 in opcodes:
            if tag == "replace":
                pairs += [(i1 + k, j1 + k) for k in range(min(i2 - i1, j2 - j1))]
        pairs.sort()
    paired_old, paired_new = {i for i, _ in pairs}, {j for _, j in pairs}
    result.removed = [i for i in range(len(old)) if i not in paired_old]
    result.added = [j for j in range(len(new)) if j not in paired_new]
    return pairs


def diff_exchanges(
    old_file: RecordedFile,
    new_file: RecordedFile,
    old: Exchange,
    new: Exchange,
    volatile: PathMatcher,
    chunks: bool = False,
) -> ExchangeDiff:
    streams = not chunks and old.streamed and new.streamed

    def skip(parts: tuple[str | int, ...]) -> bool:
        # Streams compare reassembled: a re-record splits the same text otherwise.
        return streams and parts == ("response", "body")

    structural, ignored = [], 0
    for change in json_changes(old.source, new.source, skip):
        if volatile(change.path):
            ignored += 1
        else:
            structural.append(change)
    old_answer, new_answer = old_file.answer(old), new_file.answer(new)
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
    if streams and not answer.content_changed and not answer.usage and not answer.model:
        # The same answer, split into other chunks or with other ids: volatile.
        ignored += len(json_changes(_body(old.source), _body(new.source)))
    old_form, new_form = old.extras.get("shape"), new.extras.get("shape")
    return ExchangeDiff(
        shape=None if _form(old_form) == _form(new_form) else (old_form, new_form),
        request=compare_requests(old, new),
        answer=answer,
        structural=structural,
        volatile=ignored,
    )


def _form(shape: Any) -> Any:
    """What makes two stored responses comparable: ogx's request and body kinds."""
    if shape is None:
        return None
    return (shape.request, shape.body, shape.streamed, shape.type_name)


def _body(source: Any) -> Any:
    return as_dict(as_dict(source).get("response")).get("body")
