"""An AWS endpoint on loopback that responds at once, by replaying moto's earlier responses.

The first request of each (service, action) goes to moto's server, and the stub keeps its
response. Later requests of the same action get that response back without reaching moto. Request
parameters are not part of the key, so the stub suits only runs that repeat one event, as the
warm and cold runs of this harness do. It takes moto's latency out of a measurement and leaves
the function's own time: signing, HTTP, parsing the response.
"""

from __future__ import annotations

import http.client
import re
import threading
import urllib.parse

from harness.loopback import LoopbackHandler, LoopbackServer

# "Credential=AKID/20250101/us-east-1/sns/aws4_request" names the service of a signed request.
_CREDENTIAL_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")
# Hop-by-hop and length headers that must not be copied from moto's response.
_SKIPPED_HEADERS = {"connection", "content-length", "transfer-encoding", "keep-alive", "date"}


def action_key(headers, path: str, body: bytes) -> tuple[str, str]:
    """Returns (service, action) of an AWS request in the query, JSON or REST protocols."""
    scope = _CREDENTIAL_SCOPE.search(headers.get("Authorization", ""))
    service = scope.group(1) if scope else "-"
    target = headers.get("X-Amz-Target")
    if target:
        return service, target
    if body:
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "Action" in form:
            return service, form["Action"][0]
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    if "Action" in query:
        return service, query["Action"][0]
    return service, urllib.parse.urlsplit(path).path


class _Handler(LoopbackHandler):
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        key = action_key(self.headers, self.path, body)
        with self.server.lock:
            self.server.calls.append(key)
            cached = self.server.responses.get(key)
        if cached is None:
            cached = self._forward(body)
            if 200 <= cached[0] < 300:
                with self.server.lock:
                    self.server.responses.setdefault(key, cached)
                    self.server.forwarded += 1
        else:
            with self.server.lock:
                self.server.replayed += 1
        status, headers, payload = cached
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        upstream = http.client.HTTPConnection(self.server.upstream, timeout=30)
        try:
            headers = {
                name: value
                for name, value in self.headers.items()
                if name.lower() not in ("connection", "keep-alive")
            }
            upstream.request(self.command, self.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            kept = [
                (name, value)
                for name, value in response.getheaders()
                if name.lower() not in _SKIPPED_HEADERS
            ]
            return response.status, kept, payload
        finally:
            upstream.close()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle  # noqa: N815 (stdlib names)


class _Server(LoopbackServer):
    pass


class ReplayStub:
    """The replaying endpoint on a free port of 127.0.0.1, in front of `upstream_url`."""

    def __init__(self, upstream_url: str) -> None:
        upstream = urllib.parse.urlsplit(upstream_url)
        if upstream.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"upstream {upstream_url!r} is not on loopback")
        self._server = _Server(_Handler)
        self._server.upstream = upstream.netloc
        self._server.responses = {}
        self._server.lock = threading.Lock()
        self._server.forwarded = 0
        self._server.replayed = 0
        self._server.calls = []
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def replayed(self) -> int:
        """The number of requests served from kept responses."""
        return self._server.replayed

    def calls_since(self, start: int) -> list[tuple[str, str]]:
        """Returns the (service, action) of every request from the `start`-th on."""
        with self._server.lock:
            return list(self._server.calls[start:])

    @property
    def call_count(self) -> int:
        """The number of requests received so far."""
        with self._server.lock:
            return len(self._server.calls)

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
