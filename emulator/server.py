"""Run moto's server with this project's extensions: ``python -m emulator.server --port 4566``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from collections.abc import Iterable
from types import FrameType
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server
from werkzeug.wrappers import Request

from emulator import ENDPOINT_VARIABLE, EXTENSIONS, ExtensionError, install_all
from emulator.core import control, fastpath
from emulator.ctl import port_in_use

_WILDCARD_HOSTS = ("", "0.0.0.0", "::")  # noqa: S104 - names of "every interface", compared, not bound


class ControlMiddleware:
    """Answer ``/_emulator/...`` requests; hand every other request to moto."""

    def __init__(self, app: Any, extensions: Iterable[str]) -> None:
        self._app = app
        self._extensions = tuple(extensions)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if str(environ.get("PATH_INFO", "")).startswith(control.PREFIX):
            response = control.handle(Request(environ), self._extensions)
            return response(environ, start_response)
        return self._app(environ, start_response)


def build_app(extensions: Iterable[str] = EXTENSIONS) -> ControlMiddleware:
    return ControlMiddleware(fastpath.FastDispatcherApplication(create_backend_app), extensions)


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="labeling-emulator",
        description="Local AWS emulator: moto's server with this project's extensions.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4566, help="port to listen on (default: 4566)")
    return parser.parse_args(argv)


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum if signum != signal.SIGTERM else 0)


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    args = _parse_args(argv)
    if not 0 < args.port < 65536:
        print(f"error: port {args.port} is not between 1 and 65535", file=sys.stderr)
        return 2
    internal_host = "127.0.0.1" if args.host in _WILDCARD_HOSTS else args.host
    os.environ["MOTO_PORT"] = str(args.port)
    os.environ[ENDPOINT_VARIABLE] = f"http://{internal_host}:{args.port}"

    # Bind before installing the extensions so that a busy port fails fast.
    if port_in_use(args.host, args.port):
        print(f"error: cannot listen on {args.host}:{args.port}: the port is in use", file=sys.stderr)
        return 1
    server = make_server(args.host, args.port, build_app(), threaded=True, request_handler=MotoRequestHandler)
    try:
        install_all()
        fastpath.install()
    except ExtensionError as error:
        server.server_close()
        print(f"error: {error}", file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(
        f"emulator: serving http://{args.host}:{args.port} "
        f"(started in {time.monotonic() - started:.2f}s; extensions: {', '.join(EXTENSIONS)})",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
