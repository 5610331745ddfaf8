from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from recctl.cli import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
#: Real recordings copied unchanged (fixtures/README.md): the suite's corpus.
CORPUS = FIXTURES / "corpus"
VALID_STREAM = next((FIXTURES / "chat-stream-valid").rglob("*.json"))
SEED = CORPUS / "seed.json"

CORPUS_FILES = sorted(CORPUS.rglob("*.json"))
#: What a walk of the corpus reads: the recordings, under recordings/ (not seed.json).
WALKED_FILES = [path for path in CORPUS_FILES if "recordings" in path.parts]

#: For local checks on a bigger corpus (a checkout of ogx, say), the per-file tests
#: also run over every *.json under $RECCTL_CORPUS. Unset, they run over the fixtures.
EXTRA_CORPUS = Path(os.environ["RECCTL_CORPUS"]) if os.environ.get("RECCTL_CORPUS") else None
EVERY_FILE = CORPUS_FILES + (sorted(EXTRA_CORPUS.rglob("*.json")) if EXTRA_CORPUS else [])


def corpus_id(path: Path) -> str:
    for root in (CORPUS, EXTRA_CORPUS):
        if root is not None and path.is_relative_to(root):
            return str(path.relative_to(root))
    return str(path)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def write_recording(path: Path, recording: Any) -> Path:
    """Write as the recorder does (docs/format.md, bytes on disk)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(recording, indent=2) + "\n")
    return path


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    """An empty ``recordings/`` directory: where a directory walk reads JSON."""
    directory = tmp_path / "recordings"
    directory.mkdir()
    return directory


@pytest.fixture
def seed() -> Any:
    return load(SEED)
