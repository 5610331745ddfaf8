"""Which provider a call went to, told from its url's host.

One naming rule for every command: the provider's short name where this table
knows its host (``api.x.ai`` is ``xai``, ``api.cohere.com`` is ``cohere``), the host
otherwise. Recorders that write the provider down (ogx) use the same short names.
"""

from __future__ import annotations

from urllib.parse import urlsplit

_PROVIDERS = (
    ("openai.azure.com", "azure"),
    ("cognitiveservices.azure.com", "azure"),
    ("api.openai.com", "openai"),
    ("anthropic.com", "anthropic"),
    ("bedrock", "bedrock"),
    ("generativelanguage.googleapis.com", "gemini"),
    ("aiplatform.googleapis.com", "vertexai"),
    ("api.x.ai", "xai"),
    ("cohere.com", "cohere"),
    ("cohere.ai", "cohere"),
    ("deepseek.com", "deepseek"),
    ("openrouter.ai", "openrouter"),
    ("perplexity.ai", "perplexity"),
    ("huggingface.co", "huggingface"),
    ("voyageai.com", "voyage"),
    ("api.tavily.com", "tavily"),
    ("cerebras", "cerebras"),
    ("together", "together"),
    ("fireworks", "fireworks"),
    ("groq", "groq"),
    ("ml.cloud.ibm.com", "watsonx"),
    ("databricks", "databricks"),
    (":11434", "ollama"),
    ("nvidia", "nvidia"),
    ("sambanova", "sambanova"),
    ("mistral", "mistral"),
    ("moonshot", "moonshot"),
    ("dashscope", "qwen"),
    ("replicate.com", "replicate"),
)


def provider_of_url(url: str) -> str | None:
    """A provider name from a request url's host; the host itself when unknown."""
    if url.startswith("vertexai:"):
        return "vertexai"
    try:
        host = urlsplit(url).netloc or url.split("/", 1)[0]
    except ValueError:
        return None
    for needle, name in _PROVIDERS:
        if needle in host:
            return name
    return host or None


#: Other names recorders give providers (vercel/ai's packages, ogx's provider types).
_ALIASES = {
    "amazon-bedrock": "bedrock",
    "aws": "bedrock",
    "google": "gemini",
    "google-genai": "gemini",
    "google-vertex": "vertexai",
    "vertex": "vertexai",
    "azure-openai": "azure",
    "openai-compatible": "openai",
}


def provider_of(recorded: object, url: str) -> str | None:
    """The provider of a call: the name its recorder wrote down, in this module's
    names, else its url's (``provider_of_url``)."""
    if isinstance(recorded, str) and recorded:
        return _ALIASES.get(recorded, recorded)
    return provider_of_url(url)
