"""Replays requests through VCR.py in strict replay mode (``record_mode="none"``, no
playback repeats) and prints what each request was served; requests go through
``http.client``, which VCR.py patches, so nothing is decoded on the way.

    python vcrpy_replay.py PLAN.json

PLAN and output as in vcr_replay.rb. A file whose interactions hold ``parsed_body``
(pydantic-ai's layout) is read with the serializer pydantic-ai's tests register
(``tests/json_body_serializer.py``): a parsed body is dumped back to JSON text.
"""

from __future__ import annotations

import base64
import http.client
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import vcr
import yaml
from vcr.errors import CannotOverwriteExistingCassetteException


class PydanticAiSerializer:
    """pydantic-ai's cassette serializer, reading side: ``parsed_body`` to a body."""

    @staticmethod
    def deserialize(text: str) -> Any:
        cassette = yaml.safe_load(text)
        for interaction in cassette["interactions"]:
            for kind, side in interaction.items():
                parsed = side.pop("parsed_body", None)
                if parsed is not None:
                    dumped = json.dumps(parsed)
                    side["body"] = {"string": dumped} if kind == "response" else dumped
        return cassette

    @staticmethod
    def serialize(cassette: Any) -> str:
        raise AssertionError("replay only: nothing is written")


def send(request: dict[str, Any]) -> dict[str, Any]:
    url = urlsplit(request["url"])
    kind = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    connection = kind(url.netloc)
    target = url.path + (f"?{url.query}" if url.query else "")
    body = base64.b64decode(request["body"]) or None
    try:
        connection.putrequest(request["method"], target, skip_host=True, skip_accept_encoding=True)
        for name, value in request["headers"]:
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        return {"status": response.status, "body": base64.b64encode(response.read()).decode()}
    except CannotOverwriteExistingCassetteException as error:
        return {"error": str(error).splitlines()[0]}


def main() -> None:
    plan = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    out = []
    for file in plan["files"]:
        replayer = vcr.VCR(
            record_mode="none",
            # What scrub's advice says; VCR.py filters stored requests as it loads them.
            filter_query_parameters=["key"] if file["ignore_key"] else [],
        )
        replayer.register_serializer("pydantic_ai", PydanticAiSerializer)
        text = Path(file["path"]).read_text(encoding="utf-8")
        serializer = "pydantic_ai" if "parsed_body:" in text else "yaml"
        with replayer.use_cassette(
            file["path"], serializer=serializer, allow_playback_repeats=False
        ):
            responses = [send(request) for request in file["requests"]]
        out.append({"path": file["path"], "responses": responses})
    print(json.dumps({"files": out}))


if __name__ == "__main__":
    main()
