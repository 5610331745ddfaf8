from __future__ import annotations

import pytest

from recctl.findings import CHECKS, json_path, selected


def test_json_path() -> None:
    assert json_path([]) == "$"
    assert json_path(["response", "body", 3, "__data__", "id"]) == "$.response.body[3].__data__.id"
    assert json_path(["headers", "api-key"]) == "$.headers['api-key']"


@pytest.mark.parametrize(
    ("ignore", "dropped"),
    [
        ([], set()),
        (["RC203"], {"RC203"}),
        (["rc2"], {f"RC2{n:02}" for n in range(1, 11)}),
        (["secret", "schema"], {"RC203", "RC100"}),
    ],
)
def test_selected(ignore: list[str], dropped: set[str]) -> None:
    assert selected(CHECKS, ignore) == set(CHECKS) - dropped


def test_unknown_ignore_is_an_error() -> None:
    with pytest.raises(ValueError, match="RC999"):
        selected(CHECKS, ["RC999"])


def test_codes_are_stable() -> None:
    assert {code: check.name for code, check in CHECKS.items()} == {
        "RC001": "unreadable",
        "RC002": "not-json",
        "RC003": "not-yaml",
        "RC100": "schema",
        "RC101": "cassette-structure",
        "RC102": "decoded-body-encoded-header",
        "RC201": "stream-ids-differ",
        "RC202": "misplaced",
        "RC203": "secret",
        "RC204": "stale-name",
        "RC205": "stale-duplicate",
        "RC206": "stale-collision",
        "RC207": "unsafe-test-id",
        "RC208": "personal-data",
        "RC209": "large-body",
        "RC210": "old-recording",
    }
