"""The HTTP server and handler base classes of the harness's loopback servers."""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackHandler(BaseHTTPRequestHandler):
    """A quiet HTTP/1.1 handler, so that clients keep their connections open."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes. Without TCP_NODELAY the second write waits
    # for the client's delayed ACK, which adds about 40 ms to every keep-alive exchange.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        pass


class LoopbackServer(ThreadingHTTPServer):
    """A threading server on a free port of 127.0.0.1."""

    daemon_threads = True

    def __init__(self, handler: type[LoopbackHandler]) -> None:
        super().__init__(("127.0.0.1", 0), handler)

    def handle_error(self, request, client_address) -> None:
        # A function process killed at the end of its run drops its connections; that is
        # expected, so only other errors are printed.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)
