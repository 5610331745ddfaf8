"""recctl: a command-line tool for LLM API test recordings."""

import sys

__version__ = "0.1.0"

#: recctl reads JSON nested as deep as orjson parses it (1,024 levels; docs/format.md).
#: Walking that takes a few Python frames a level, more than the default limit of
#: 1,000 allows; 6,000 frames stay far within the C stack.
MAX_NESTING = 1024
if sys.getrecursionlimit() < 6000:
    sys.setrecursionlimit(6000)
