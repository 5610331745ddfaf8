"""``recctl normalize --tool-call-ids``: deterministic provider tool-call ids, per test.

Providers give each tool call a random id (``call_...``, ``chatcmpl-tool-...``);
later requests of the same test echo it, and the request is what the file name
hashes. Renaming an id therefore means rewriting every recording that echoes
it, re-hashing, renaming, and following the chain to its end.

For one test, every id has an origin: the single recording whose response
introduced it (two origins: the test is left alone). Recordings are processed
so that origins come first. Each gets its echoed ids replaced, then its new
request hash, then new ids for the calls it introduces, derived from that hash
and the call's position, so a re-record of the same conversation gets the same
ids. Everything is planned before anything is written; a name that is taken
aborts the test, unless it already holds exactly what the plan writes there: a
run killed between writing the new name and removing the old one, which this
run then finishes (``normalize_files.write_normalized`` orders its writes so that
re-planning after a kill at any point gives the same plan).
"""

from __future__ import annotations

import copy
import hashlib
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from recctl.ogx.hashing import request_hash
from recctl.ogx.normalize import DEFAULT_RULES, normalize_recording
from recctl.values import as_dict, as_list, as_str


@dataclass
class Rewrite:
    path: str
    recording: Any  # the new content
    new_path: str  # equal to path when only the content changes


@dataclass
class ToolCallPlan:
    rewrites: list[Rewrite] = field(default_factory=list)
    aborted: list[tuple[str, str]] = field(default_factory=list)  # (test id, why)


def new_call_id(request_digest: str, position: int) -> str:
    """The deterministic id of the ``position``-th call a request's answer makes."""
    return "call_" + hashlib.sha256(f"{request_digest}:{position}".encode()).hexdigest()[:24]


# --- where ids live ------------------------------------------------------------------


def _response_calls(recording: Any) -> Iterator[dict[str, Any]]:
    """The tool-call dicts (with an ``id``) of a recording's response, in order."""
    body = as_dict(as_dict(recording).get("response")).get("body")
    for item in body if isinstance(body, list) else [body]:
        data = as_dict(as_dict(item).get("__data__"))
        for choice in as_list(data.get("choices")):
            choice = as_dict(choice)
            for holder in (as_dict(choice.get("delta")), as_dict(choice.get("message"))):
                for call in as_list(holder.get("tool_calls")):
                    if isinstance(call, dict) and isinstance(call.get("id"), str):
                        yield call


def introduced_ids(recording: Any) -> list[str]:
    seen: list[str] = []
    for call in _response_calls(recording):
        if call["id"] not in seen:
            seen.append(call["id"])
    return seen


def _request_messages(recording: Any) -> list[dict[str, Any]]:
    body = as_dict(as_dict(as_dict(recording).get("request")).get("body"))
    return [m for m in as_list(body.get("messages")) if isinstance(m, dict)]


def echoed_ids(recording: Any) -> set[str]:
    ids: set[str] = set()
    for message in _request_messages(recording):
        if isinstance(message.get("tool_call_id"), str):
            ids.add(message["tool_call_id"])
        for call in as_list(message.get("tool_calls")):
            if isinstance(as_dict(call).get("id"), str):
                ids.add(call["id"])
    return ids


def _replace_in_request(recording: Any, mapping: dict[str, str]) -> None:
    for message in _request_messages(recording):
        echoed = message.get("tool_call_id")
        if isinstance(echoed, str) and echoed in mapping:
            message["tool_call_id"] = mapping[echoed]
        for call in as_list(message.get("tool_calls")):
            if isinstance(call, dict) and isinstance(call.get("id"), str) and call["id"] in mapping:
                call["id"] = mapping[call["id"]]


def _replace_in_response(recording: Any, mapping: dict[str, str]) -> None:
    for call in _response_calls(recording):
        if call["id"] in mapping:  # _response_calls yields string ids only
            call["id"] = mapping[call["id"]]


# --- the plan ------------------------------------------------------------------------


def plan_tool_call_ids(
    recordings: dict[str, Any], written: Callable[[Rewrite], bool] | None = None
) -> ToolCallPlan:
    """What to rewrite and rename, for every test of ``{path: recording}``.

    ``written(rewrite)`` tells whether a rewrite's new name already holds what it
    would write there (an interrupted run's): that name is then not taken.
    """
    plan = ToolCallPlan()
    by_test: dict[str, list[str]] = defaultdict(list)
    for path, recording in recordings.items():
        test_id = as_str(as_dict(recording).get("test_id"))
        if test_id:
            by_test[test_id].append(path)
    taken = set(recordings)
    for test_id in sorted(by_test):
        result = _plan_test(sorted(by_test[test_id]), recordings)
        if isinstance(result, str):
            plan.aborted.append((test_id, result))
            continue
        renames = [r for r in result if r.new_path != r.path]
        targets = [r.new_path for r in renames]
        clash = next(
            (
                r.new_path
                for r in renames
                if (r.new_path in taken or os.path.lexists(r.new_path))
                and not (written is not None and written(r))
            ),
            None,
        )
        if clash is None and len(set(targets)) != len(targets):
            clash = "two recordings of this test"
        if clash is not None:
            plan.aborted.append(
                (test_id, f"{os.path.basename(clash)} is taken: nothing written for this test")
            )
            continue
        taken.update(targets)
        plan.rewrites += result
    return plan


def _plan_test(paths: list[str], recordings: dict[str, Any]) -> list[Rewrite] | str:
    origin: dict[str, str] = {}
    for path in paths:
        for call_id in introduced_ids(recordings[path]):
            if call_id in origin and origin[call_id] != path:
                return (
                    f"tool-call id {call_id} is introduced by both "
                    f"{os.path.basename(origin[call_id])} and {os.path.basename(path)}"
                )
            origin[call_id] = path
    order = _origins_first(paths, recordings, origin)
    if order is None:
        return "the recordings echo each other's tool-call ids in a cycle"
    mapping: dict[str, str] = {}
    rewrites = []
    for path in order:
        old = recordings[path]
        new = copy.deepcopy(old)
        _replace_in_request(new, mapping)
        request_changed = new.get("request") != old.get("request")
        digest = request_hash(new)
        if digest is None:
            continue
        for position, call_id in enumerate(introduced_ids(old)):
            mapping[call_id] = new_call_id(digest, position)
        _replace_in_response(new, mapping)
        new_path = path
        if request_changed:
            new_path = os.path.join(os.path.dirname(path), f"{digest}.json")
            normalize_recording(new, digest, frozenset(DEFAULT_RULES))
        if new != old or new_path != path:
            rewrites.append(Rewrite(path, new, new_path))
    return rewrites


def _origins_first(
    paths: list[str], recordings: dict[str, Any], origin: dict[str, str]
) -> list[str] | None:
    needs = {
        path: {origin[i] for i in echoed_ids(recordings[path]) if i in origin} - {path}
        for path in paths
    }
    order: list[str] = []
    while needs:
        ready = sorted(path for path, deps in needs.items() if not deps - set(order))
        if not ready:
            return None
        for path in ready:
            order.append(path)
            del needs[path]
    return order
