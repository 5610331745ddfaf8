"""Amazon Bedrock's Converse API, not streamed (``/model/{id}/converse``).

Streams (``converse-stream``) use AWS's binary event-stream framing and are not
read: their exchanges count as other calls.
"""

from __future__ import annotations

from typing import Any

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
