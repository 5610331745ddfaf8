"""``recctl scrub``: credentials removed from recorded files in place, replay intact.

What is removed is what RC203 finds (``secrets.find_secrets``, the one detector),
plus a project's own names and patterns. Each secret's text is replaced where it
stands in the file's bytes, so every other byte stays as it was (formatting, key
order, quoting); a secret inside an encoded body (``!!binary`` base64, gzip) is
replaced by the container, which decodes, edits and re-encodes that body
(``Container.rewrite``), and the file is reported as re-encoded. The result is
read again and compared with the file, exchange by exchange (``recctl.proof``): if
a secret is still there, or anything but the secrets changed, the file is left
alone, with why.

The replacement says what was there (``REDACTED-openai-key``), never a hash of
the secret. Replay stays intact: where a secret was in what the replayer matches
on, the container either renames the file (an ogx recording's request hash) or
names the setting that keeps requests matching (``Container.replay_notes``).

``scrub_file`` is pure (nothing is written here); the command writes through the
safe path ``hash --fix`` and ``normalize`` use.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field

from recctl import containers, io
from recctl.baseline import Baseline, digest
from recctl.exchange import CannotRewrite, NotExchanges, RecordedFile
from recctl.findings import json_path
from recctl.masking import redact
from recctl.pii import Personal, fake, shown
from recctl.proof import Replacements, difference
from recctl.secrets import NO_EXTRA, SPLIT, Extra, Secret, find_secrets

DEFAULT_PLACEHOLDER = "REDACTED-{kind}"

#: What a key shape is, for the placeholder: (prefix, kind), the first that matches.
_KINDS = (
    ("sk-ant-", "anthropic-key"),
    ("sk-", "openai-key"),
    ("AIza", "google-key"),
    ("AKIA", "aws-access-key-id"),
    ("ASIA", "aws-access-key-id"),
    ("ghp_", "github-token"),
    ("github_pat_", "github-token"),
    ("xox", "slack-token"),
    ("phc_", "posthog-key"),
)


@dataclass(frozen=True)
class Removed:
    """One secret removed, as it may be shown: never the secret itself."""

    kind: str
    pointer: str
    masked: str
    #: SHA-256 of the value, for a baseline's fingerprint (``recctl.baseline``).
    digest: str = ""
    code: str = "RC203"  # RC208 for personal data


@dataclass
class Scrubbed:
    """What scrubbing one file gives; ``new`` None when nothing changes."""

    path: str
    removed: list[Removed] = field(default_factory=list)
    old: bytes | None = None
    new: bytes | None = None
    renamed_to: str | None = None  # the name its scrubbed request hashes to (ogx)
    reencoded: bool = False  # an encoded body was decoded and encoded again
    replay: list[str] = field(default_factory=list)  # the replayer settings to add
    error: str | None = None  # could not be read
    refused: str | None = None  # left alone, with why
    note: str | None = None  # not a recorded file (other YAML)
    known: bool = False  # every value it would replace is recorded in the baseline
    #: The secrets themselves, for ``history`` in this process only: never shown.
    secrets: tuple[str, ...] = ()


def kind_of(secret: Secret) -> str:
    """What a secret is, for its placeholder: its shape (a SigV4 key id is ``AKIA…`` or
    ``ASIA…``), else the name that holds it."""
    for prefix, kind in _KINDS:
        if secret.value.startswith(prefix):
            return kind
    name = secret.name.lower()
    if "token" in name or name in ("authorization", "proxy-authorization"):
        return "token"
    if "secret" in name:
        return "secret"
    return "api-key" if "key" in name else "credential"


def scrub_file(
    path: str, extra: Extra = NO_EXTRA, placeholder: str = DEFAULT_PLACEHOLDER, pii: bool = False
) -> Scrubbed:
    """What one file becomes with its secrets replaced (nothing is written here); with
    ``pii``, its e-mail addresses and phone numbers too, each by its fake
    (``pii.fake``: the same in every file), proven as the secrets are."""
    try:
        raw = io.read_bytes(path)
        file = containers.parse(raw, path)
    except io.LoadError as error:
        return Scrubbed(path, error=str(error))
    except NotExchanges as note:
        return Scrubbed(path, note=str(note))
    found = list(find_secrets(file, extra))
    personal = _personal(file) if pii else []
    if not found and not personal:
        return Scrubbed(path)
    if any(secret.what == SPLIT for secret in found):
        return Scrubbed(
            path,
            refused="a key is split across a stream's events, no piece of it whole: "
            "scrub cannot replace it where it is stored; left alone (re-record the call)",
        )
    replacements: dict[str, str] = {}
    removed = []
    for secret in found:
        if secret.value in replacements:
            continue  # one secret, reported where it is first found
        kind = kind_of(secret)
        replacements[secret.value] = placeholder.format(kind=kind)
        at = json_path(list(secret.place))
        removed.append(Removed(kind, at, redact(secret.value), digest(secret.value)))
    for item in personal:
        if item.value not in replacements:
            replacements[item.value] = fake(item.value, item.kind)
            at = json_path(list(item.place))
            removed.append(Removed(item.kind, at, shown(item.value), digest(item.value), "RC208"))
    replaced = Replacements(list(replacements.items()))
    result = Scrubbed(path, removed, secrets=tuple(replacements))
    try:
        new, result.reencoded = file.container.rewrite(raw, replaced.data)
    except CannotRewrite as error:
        result.refused = f"{error}: left alone"
        return result
    try:
        after = file.container.parse(new, path)
    except (io.LoadError, NotExchanges) as error:
        result.refused = f"scrubbed, it would no longer read ({error}): left alone"
        return result
    left = {secret.value for secret in find_secrets(after, extra)} & set(replacements)
    if pii:
        left |= {item.value for item in _personal(after)} & set(replacements)
    if left:
        result.refused = (
            f"{len(left)} secret(s) are stored in a form scrub cannot edit in place: left alone"
        )
        return result
    problem = difference(file, after, replaced)
    if problem:
        result.refused = f"scrubbed, {problem}: left alone"
        return result
    result.old, result.new = raw, new
    result.renamed_to = file.container.renamed(path, file, after)
    result.replay = file.container.replay_notes(file, found)
    return result


def _personal(file: RecordedFile) -> list[Personal]:
    from recctl.pii import find_pii

    return list(find_pii(file))


def pass_over_known(results: list[Scrubbed], baseline: Baseline) -> None:
    """Mark each file whose every replacement the baseline records as known (``scrub
    --check --baseline``): it neither fails the run nor is listed with the new ones."""
    for result in results:
        if result.error is None:
            baseline.judged(result.path)
        if result.new is None:
            continue
        entries = [baseline.entry(result.path, r.pointer, r.code, r.digest) for r in result.removed]
        result.known = all([baseline.is_known(entry) for entry in entries])


def write_scrubbed(results: list[Scrubbed], roots: list[str]) -> list[Scrubbed]:
    """Write every scrubbed file through the path ``normalize`` and ``hash --fix`` take:
    atomic, never through a link or outside the root, a new name before the old
    one goes (a run killed at any point is finished by the next)."""
    from recctl.ogx.normalize_files import Normalized, write_normalized

    planned = [
        Normalized(r.path, ("scrub",), r.old, r.new, renamed_to=r.renamed_to)
        for r in results
        if r.new is not None
    ]
    written = iter(write_normalized(planned, roots))
    out = []
    for result in results:
        if result.new is None:
            out.append(result)
            continue
        done = next(written)
        if done.error or done.refused:
            result.new, result.renamed_to = None, None
            result.error, result.refused = done.error, done.refused
        out.append(result)
    return out


def history(
    root: str, secrets: list[str], limit: int = 5, timeout: float = 30.0
) -> list[tuple[str, list[str]]]:
    """For each secret, the commits that added or removed it, as (masked secret, short
    commit ids): one pass of ``git log -G`` over every ref for all of them at once
    (a pass per secret took a minute on a few hundred), its patches then read for
    which secret each commit touched. Nothing outside a git work tree, nothing
    after ``timeout`` seconds."""
    if not secrets:
        return []
    # git matches the secrets' first characters (a long alternation is slow in its
    # regular expressions); the patches then say which secret each commit holds.
    heads = sorted({secret[:16] for secret in secrets})
    pattern = "|".join("".join(_posix_literal(c) for c in head) for head in heads)
    try:
        listed = subprocess.run(
            [*_LOG, "-G", pattern, "--"],
            cwd=root,
            capture_output=True,
            check=False,
            timeout=timeout,
        )
    except (OSError, subprocess.TimeoutExpired):
        return []
    if listed.returncode != 0:
        return []
    commits: dict[str, list[str]] = {secret: [] for secret in secrets}
    for chunk in listed.stdout.split(b"\0")[1:]:
        commit, _, patch = chunk.partition(b"\n")
        changed = b"\n".join(line for line in patch.split(b"\n") if line[:1] in (b"+", b"-"))
        for secret in secrets:
            if secret.encode() in changed:
                commits[secret].append(commit.decode("ascii", "replace").strip())
    return [(redact(secret), found[-limit:]) for secret, found in commits.items() if found]


_LOG = ("git", "log", "--all", "--no-color", "--no-ext-diff", "--format=%x00%h", "-p")


def _posix_literal(character: str) -> str:
    """One character of a POSIX regular expression that matches only itself."""
    return character if character.isalnum() else f"[{character}]"


def mask_secrets(text: str, secrets: tuple[str, ...]) -> str:
    """``text`` with each of ``secrets`` shown masked (a diff's removed lines)."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, redact(secret))
    return text


#: The names ``--key`` accepts: a header, field or query parameter name.
KEY_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
