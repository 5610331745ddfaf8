"""recctl: a command-line tool for LLM API test recordings."""

__version__ = "0.1.0"
