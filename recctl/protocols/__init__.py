"""Wire protocols: what a provider sends back, read into an ``Answer`` (``recctl.answer``).

One module per protocol family: ``openai_chat`` (chat completions and legacy
completions), ``anthropic`` (messages), ``google`` (genai ``generateContent`` and
Gemini interactions), ``ollama`` (native API), and ``sse`` (event streams). Each
takes a body or a list of event dicts, never a container: ogx recordings and VCR
cassettes hand them the same objects.
"""
