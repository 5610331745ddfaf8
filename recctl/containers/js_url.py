"""The ``url-parse`` package (1.5) as Polly.JS uses it to normalize a request's url:
its parse of protocol, credentials, host, port, path, query (through ``qs``) and
hash, its blanking of a part, and its ``href``."""

from __future__ import annotations

import re
from typing import Any

from recctl.containers.js_json import decode_uri_component, encode_uri_component
from recctl.containers.js_qs import array_format, qs_parse, qs_stringify

# ----------------------------------------------------------------------------- url-parse

_LEADING = re.compile("^[\x00-\x20\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")
_CRHTLF = re.compile("[\n\r\t]")
_PROTOCOL = re.compile(r"([A-Za-z][A-Za-z0-9.+-]*:)?(//)?([\\/]+)?(.*)", re.S)
_PORT_AT_END = re.compile(r":([0-9]*)\Z")
_HOST_PORT = re.compile(r":[0-9]+\Z")
_WINDOWS_DRIVE = re.compile("[a-zA-Z]:")
_FIRST_LINE = re.compile("[^\n\r\u2028\u2029]*")
ABSOLUTE = re.compile(r"[a-zA-Z][a-zA-Z0-9+\-.]*:")
WINDOWS_PATH = re.compile(r"[a-zA-Z]:\\")
_SPECIAL = frozenset(("file:", "ftp:", "http:", "https:", "ws:", "wss:"))
_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443, "ftp": 21, "gopher": 70}


def _required(port: str, protocol: str) -> bool:
    """``requires-port``: whether ``port`` is not the protocol's default."""
    scheme = protocol.split(":")[0]
    number = int(port) if port.isascii() and port.isdigit() else 0
    if not number:
        return False
    if scheme == "file":
        return False
    return number != _DEFAULT_PORTS.get(scheme, 0)


class Url:
    """``@pollyjs/utils``' ``URL`` (``url-parse`` 1.5 with a ``qs`` query), in Node
    (no ``location``)."""

    def __init__(self, address: str) -> None:
        address = _CRHTLF.sub("", _LEADING.sub("", address))
        m = _PROTOCOL.match(address)
        assert m is not None
        protocol = m.group(1).lower() if m.group(1) else ""
        forward, other = m.group(2) or "", m.group(3) or ""
        rest = forward + other + m.group(4)
        count = len(forward) + len(other)
        if protocol == "file:":
            if count >= 2:
                rest = rest[2:]
        elif protocol in _SPECIAL:
            rest = m.group(4)
        elif protocol and forward:
            rest = rest[2:]
        slashes = bool(forward) or protocol in _SPECIAL
        self.slashes = slashes
        self.protocol = protocol
        self.array_format: str | None = None
        self.hash = self.query_text = self.pathname = self.auth = ""
        self.host = self.port = self.hostname = ""
        self.query: dict[str, Any] | str = ""
        address = rest
        path_first = (protocol == "file:" and (count != 2 or _WINDOWS_DRIVE.match(address))) or (
            not slashes and (protocol or count < 2 or protocol not in _SPECIAL)
        )
        index = address.find("#")
        if index >= 0:
            self.hash, address = address[index:], address[:index]
        index = address.find("?")
        if index >= 0:
            self.query_text, address = address[index:], address[:index]
        if protocol in _SPECIAL:
            address = address.replace("\\", "/")
        if path_first:
            line = _FIRST_LINE.match(address)
            self.pathname, address = (line.group() if line else ""), ""
        else:
            index = address.find("/")
            if index >= 0:
                self.pathname, address = address[index:], address[:index]
        index = address.rfind("@")
        if index >= 0:
            self.auth, address = address[:index], address[index + 1 :]
        self.host = address.lower()
        port = _PORT_AT_END.search(address)
        if port:
            self.port, address = port.group(1), address[: port.start()]
        self.hostname = address.lower()
        if self.pathname[:1] != "/" and protocol in _SPECIAL:
            self.pathname = "/" + self.pathname
        if not _required(self.port, self.protocol):
            self.host, self.port = self.hostname, ""
        self.username = self.password = ""
        if self.auth:
            index = self.auth.find(":")
            if index >= 0:
                self.username = encode_uri_component(decode_uri_component(self.auth[:index]))
                self.password = encode_uri_component(decode_uri_component(self.auth[index + 1 :]))
            else:
                self.username = encode_uri_component(decode_uri_component(self.auth))
        # URL(url, true): this.set('query', this.query || {})
        if self.query_text:
            self.array_format = array_format(self.query_text)
            self.query = qs_parse(self.query_text)
        else:
            self.query = {}

    def blank(self, part: str) -> None:
        """``url.set(part, '')``."""
        if part == "query":
            self.query = ""
        elif part == "port":
            self.port = ""
            self.host = self.hostname
        elif part == "hostname":
            self.hostname = ""
            self.host = ":" + self.port if self.port else ""
        elif part == "protocol":
            self.protocol = ""
            self.slashes = True
        elif part == "host":
            self.host = self.hostname = self.port = ""
        elif part in ("pathname", "hash", "username", "password"):
            setattr(self, part, "")

    def href(self) -> str:
        protocol = self.protocol
        if protocol and not protocol.endswith(":"):
            protocol += ":"
        special = self.protocol in _SPECIAL
        result = protocol + ("//" if (self.protocol and self.slashes) or special else "")
        host = self.host
        if self.username:
            result += self.username
            if self.password:
                result += ":" + self.password
            result += "@"
        elif self.password:
            result += ":" + self.password + "@"
        elif self.protocol != "file:" and special and not host and self.pathname != "/":
            result += "@"
        if host.endswith(":") or (_HOST_PORT.search(self.hostname) and not self.port):
            host += ":"
        result += host + self.pathname
        query = (
            qs_stringify(self.query, self.array_format)
            if isinstance(self.query, dict)
            else self.query
        )
        if query:
            result += query if query.startswith("?") else "?" + query
        if self.hash:
            result += self.hash
        return result
