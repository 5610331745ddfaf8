"""Which provider a call went to, told from its url's host."""

from __future__ import annotations

from urllib.parse import urlsplit

_PROVIDERS = (
    ("openai.azure.com", "azure"),
    ("cognitiveservices.azure.com", "azure"),
    ("api.openai.com", "openai"),
    ("anthropic.com", "anthropic"),
    ("bedrock", "bedrock"),
    ("generativelanguage.googleapis.com", "gemini"),
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
