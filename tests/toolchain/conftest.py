"""Fixtures of the toolchain tests: a machine whose PATH holds only the fakes a test puts there, a local
registry that answers, and a port where nothing answers. No internet needed, none used."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.toolchain.fakes import Machine

DISCOVERY = {"modules.v1": "/v1/modules/", "providers.v1": "/v1/providers/"}


class Registry(BaseHTTPRequestHandler):
    """A registry's service discovery document, or (for any other path) a page that is not one."""

    def do_GET(self) -> None:
        body = json.dumps(DISCOVERY if self.path == "/.well-known/terraform.json" else {"ok": 1}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests assert on what setup prints, not on the server's log."""


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Registry)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port() -> str:
    """The URL of a port nothing listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    return Machine(bin=tmp_path / "bin", cache=tmp_path / "cache")
