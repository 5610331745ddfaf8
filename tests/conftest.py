from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from recctl.cli import app

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
FIXTURES = ROOT / "fixtures"
VALID_STREAM = next((FIXTURES / "chat-stream-valid").rglob("*.json"))
SEED = CORPUS / "seed.json"

CORPUS_FILES = sorted(CORPUS.rglob("*.json"))


def corpus_id(path: Path) -> str:
    return str(path.relative_to(CORPUS))


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def load(path: Path) -> Any:
    return json.loads(path.read_text())


def write_recording(path: Path, recording: Any) -> Path:
    """Write as the recorder does (FORMAT.md section 8)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(recording, indent=2) + "\n")
    return path


@pytest.fixture
def seed() -> Any:
    return load(SEED)
