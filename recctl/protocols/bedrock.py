"""Amazon Bedrock's Converse API, not streamed (``/model/{id}/converse``).

Streams (``converse-stream``) use AWS's binary event-stream framing and are not
read: their exchanges count as other calls.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from recctl.answer import Answer, Choice, Usage, add_whole_call, append
from recctl.values import as_dict, as_int, as_list, as_str


def converse(body: dict[str, Any], model: str | None = None) -> Answer:
    answer = Answer("bedrock_converse", False, model=model)
    message = as_dict(as_dict(body.get("output")).get("message"))
    choice = Choice(0, role=as_str(message.get("role")))
    for block in as_list(message.get("content")):
        block = as_dict(block)
        choice.text = append(choice.text, block.get("text"))
        reasoning = as_dict(as_dict(block.get("reasoningContent")).get("reasoningText"))
        choice.reasoning = append(choice.reasoning, reasoning.get("text"))
        use = as_dict(block.get("toolUse"))
        if use:
            arguments = use.get("input", {})
            add_whole_call(choice, use.get("toolUseId"), "tool_use", use.get("name"), arguments)
    choice.finish_reason = as_str(body.get("stopReason"))
    answer.choices = [choice]
    raw = body.get("usage")
    if isinstance(raw, dict):
        answer.usage = Usage(
            as_int(raw.get("inputTokens")),
            as_int(raw.get("outputTokens")),
            as_int(raw.get("totalTokens")),
            raw,
        )
    return answer


volatile: tuple[str, ...] = ()


def stream_answer(events: list[dict[str, Any]], kinds: set[str]) -> Answer | None:
    return None  # binary event-stream framing: not read yet


def body_answer(body: dict[str, Any], url: str) -> Answer | None:
    if "message" in as_dict(body.get("output")) and "stopReason" in body:
        return converse(body, _model_in(url))
    return None


def _model_in(url: str) -> str | None:
    """Bedrock names the model in the path: ``/model/{id}/converse``."""
    parts = urlsplit(url).path.split("/")
    return unquote(parts[2]) if len(parts) > 2 and parts[1] == "model" else None
