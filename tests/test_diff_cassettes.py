"""`recctl diff` on VCR.py cassettes: interaction by interaction, in meaning."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from recctl import parallel

from conftest import FIXTURES, run

SOURCE = (
    FIXTURES
    / "cassettes/crewai/lib/crewai/tests/cassettes/llms/anthropic"
    / "test_anthropic_async_with_max_tokens.yaml"
)


def _load() -> Any:
    return yaml.load(SOURCE.read_text(), Loader=yaml.CSafeLoader)


def _write(path: Path, document: Any, **style: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(document, **style))
    return path


def _rerecorded(document: Any, title: str) -> Any:
    """A re-record of interaction 1: another answer, another date and request id."""
    response = document["interactions"][1]["response"]
    response["body"]["string"] = response["body"]["string"].replace("Thalassion", title)
    for name in list(response["headers"]):
        if name.lower() in ("date", "request-id"):
            response["headers"][name] = ["changed"]
    return document


def test_the_same_content_in_other_yaml_formatting_is_identical(tmp_path: Path) -> None:
    reformatted = _write(tmp_path / "r.yaml", _load(), default_flow_style=True, width=50)
    assert reformatted.read_text() != SOURCE.read_text()
    result = run("diff", str(SOURCE), str(reformatted))
    assert result.exit_code == 0
    assert result.stdout.strip() == (
        "identical: 0 interactions changed, 0 added, 0 removed, 2 unchanged."
    )


def test_an_answer_changed_in_one_interaction(tmp_path: Path) -> None:
    changed = _write(tmp_path / "c.yaml", _rerecorded(_load(), "Moros"))
    result = run("diff", str(SOURCE), str(changed), "-o", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert set(document) == {"verdict", "differs", "interactions", "added", "removed"}
    assert document["verdict"] == "answer changed"
    first, second = document["interactions"]
    assert (first["old"], first["new"], first["verdict"]) == (0, 0, "identical")
    assert second["verdict"] == "answer changed"
    assert second["volatile_ignored"] >= 2  # the date and request-id headers
    assert second["answer"]["text"]["0"][-2:] == [
        "-# The Last Song of Thalassion",
        "+# The Last Song of Moros",
    ]
    text = run("diff", str(SOURCE), str(changed)).stdout
    assert "interaction 1: answer changed" in text


def test_interactions_are_paired_by_method_and_url_when_the_counts_differ(
    tmp_path: Path,
) -> None:
    document = _load()
    extra = json.loads(json.dumps(document["interactions"][0]))
    extra["request"]["uri"] = "https://api.anthropic.com/v1/files"
    document["interactions"].insert(0, extra)
    longer = _write(tmp_path / "l.yaml", document)
    result = json.loads(run("diff", str(SOURCE), str(longer), "-o", "json").stdout)
    assert [(p["old"], p["new"], p["verdict"]) for p in result["interactions"]] == [
        (0, 1, "identical"),
        (1, 2, "identical"),
    ]
    assert (result["added"], result["removed"]) == ([0], [])
    assert result["verdict"] == "interactions added or removed"


def test_directories_of_cassettes(tmp_path: Path) -> None:
    old, new = tmp_path / "old/tests/cassettes", tmp_path / "new/tests/cassettes"
    for root in (old, new):
        shutil.copytree(FIXTURES / "cassettes/crewai", root / "crewai")
    target = new / "crewai/lib/crewai/tests/cassettes/llms/anthropic" / SOURCE.name
    _write(target, _rerecorded(_load(), "Moros"))
    result = run("diff", str(tmp_path / "old"), str(tmp_path / "new"), "-o", "json", "--details")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    [changed] = document["changed"]
    assert changed["verdict"] == "answer changed"
    assert changed["diff"]["interactions"][1]["verdict"] == "answer changed"
    assert document["unchanged"] == 4 and document["unreadable"] == []


def test_a_cassette_against_a_recording_is_exit_2() -> None:
    result = run("diff", str(SOURCE), str(FIXTURES / "corpus/seed.json"))
    assert result.exit_code == 2
    assert "cannot compare a VCR.py cassette with an ogx recording" in result.output


@pytest.mark.parametrize("output", ["markdown"])
def test_markdown_of_two_cassettes(tmp_path: Path, output: str) -> None:
    changed = _write(tmp_path / "c.yaml", _rerecorded(_load(), "Moros"))
    markdown = run("diff", str(SOURCE), str(changed), "-o", output).stdout
    assert markdown.startswith(f"## recctl diff: {SOURCE} → {changed}\n\n**answer changed**")
    assert "| 1 | answer changed |" in markdown
    assert "<details><summary>interaction 1: answer changed</summary>" in markdown


def test_directories_of_cassettes_on_one_process_and_on_two(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "THRESHOLD", 2)  # the worker path on a small tree
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(FIXTURES / "cassettes", old)
    shutil.copytree(FIXTURES / "cassettes", new)
    target = next(new.rglob(SOURCE.name))
    _write(target, _rerecorded(_load(), "Moros"))
    one = run("diff", str(old), str(new), "-o", "json", "--details", "-j", "1")
    two = run("diff", str(old), str(new), "-o", "json", "--details", "-j", "2")
    assert (one.exit_code, one.stdout) == (two.exit_code, two.stdout)
    assert len(json.loads(one.stdout)["changed"]) == 1


def test_an_added_or_removed_cassette_is_not_unreadable(tmp_path: Path) -> None:
    old, new = tmp_path / "old/tests/cassettes", tmp_path / "new/tests/cassettes"
    old.mkdir(parents=True)
    new.mkdir(parents=True)
    shutil.copy(SOURCE, old / "gone.yaml")
    shutil.copy(SOURCE, new / "added.yaml")
    document = json.loads(
        run("diff", str(tmp_path / "old"), str(tmp_path / "new"), "-o", "json").stdout
    )
    assert document["added"] == ["tests/cassettes/added.yaml"]
    assert document["removed"] == ["tests/cassettes/gone.yaml"]
    assert document["unreadable"] == []
