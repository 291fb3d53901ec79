"""A local Lambda Runtime API that hands out events and times the function's responses.

It serves the routes a runtime client uses (API version 2018-06-01):

    GET  /2018-06-01/runtime/invocation/next             -> the next event, with its headers
    POST /2018-06-01/runtime/invocation/{id}/response    <- the handler's result
    POST /2018-06-01/runtime/invocation/{id}/error       <- the handler's error
    POST /2018-06-01/runtime/init/error                  <- an error during init

Each run of a function process is a `Session`: the events it will receive and the times at
which the function asked for work and answered. All times are `time.perf_counter()` seconds.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field

from harness.loopback import LoopbackHandler, LoopbackServer

API_PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:{name}"
# The deadline given to the function, from when it receives an event: twice the 30-second
# timeout the functions are deployed with.
DEADLINE_SECONDS = 60


@dataclass
class Invocation:
    """One event handed to the function, and what came back."""

    payload: bytes
    request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    handed_at: float | None = None
    answered_at: float | None = None
    response: bytes | None = None
    is_error: bool = False

    @property
    def duration(self) -> float | None:
        """Seconds from handing the event out to receiving the response or error."""
        if self.handed_at is None or self.answered_at is None:
            return None
        return self.answered_at - self.handed_at


class Session:
    """The events for one function process, and the times of its requests."""

    def __init__(self, function_name: str, payloads: list[bytes]):
        self.function_name = function_name
        self.invocations = [Invocation(payload) for payload in payloads]
        self.first_next_at: float | None = None
        self.init_error: bytes | None = None
        self.finished = threading.Event()
        self.closed = threading.Event()
        self._pending: queue.Queue[Invocation] = queue.Queue()
        self._by_id = {invocation.request_id: invocation for invocation in self.invocations}
        self._answered = 0
        self._lock = threading.Lock()
        for invocation in self.invocations:
            self._pending.put(invocation)

    def note_next(self) -> None:
        with self._lock:
            if self.first_next_at is None:
                self.first_next_at = time.perf_counter()

    def take(self) -> Invocation | None:
        """Blocks until an event is pending or the session closes (then returns None)."""
        while not self.closed.is_set():
            try:
                return self._pending.get(timeout=0.2)
            except queue.Empty:
                continue
        return None

    def answer(self, request_id: str, body: bytes, is_error: bool) -> bool:
        """Records a response or error; returns False for an unknown request ID."""
        answered_at = time.perf_counter()
        with self._lock:
            invocation = self._by_id.get(request_id)
            if invocation is None or invocation.answered_at is not None:
                return False
            invocation.answered_at = answered_at
            invocation.response = body
            invocation.is_error = is_error
            self._answered += 1
            if self._answered == len(self.invocations):
                self.finished.set()
        return True

    def fail_init(self, body: bytes) -> None:
        self.init_error = body
        self.finished.set()

    def close(self) -> None:
        """Releases any request still waiting for an event."""
        self.closed.set()


class _Handler(LoopbackHandler):
    server: _Server

    def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        if self.path != f"{API_PREFIX}/invocation/next":
            self._reply(404, b'{"errorMessage":"unknown route"}')
            return
        session = self.server.session
        if session is None:
            self._reply(500, b'{"errorMessage":"no session"}')
            return
        session.note_next()
        invocation = session.take()
        if invocation is None:
            # The run is over and the process is being stopped.
            self.close_connection = True
            self._reply(410, b'{"errorMessage":"session closed"}')
            return
        deadline_ms = int((time.time() + DEADLINE_SECONDS) * 1000)
        headers = {
            "Lambda-Runtime-Aws-Request-Id": invocation.request_id,
            "Lambda-Runtime-Deadline-Ms": str(deadline_ms),
            "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN.format(
                name=session.function_name
            ),
            "Lambda-Runtime-Trace-Id": (
                f"Root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};Parent="
                f"{uuid.uuid4().hex[:16]};Sampled=0"
            ),
        }
        invocation.handed_at = time.perf_counter()
        self._reply(200, invocation.payload, headers)

    def do_POST(self) -> None:  # noqa: N802 (stdlib name)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        session = self.server.session
        parts = self.path.removeprefix(API_PREFIX).strip("/").split("/")
        if session is None:
            self._reply(500, b'{"errorMessage":"no session"}')
        elif parts == ["init", "error"]:
            session.fail_init(body)
            self._reply(202, b'{"status":"OK"}')
        elif len(parts) == 3 and parts[0] == "invocation" and parts[2] in ("response", "error"):
            if session.answer(parts[1], body, is_error=parts[2] == "error"):
                self._reply(202, b'{"status":"OK"}')
            else:
                self._reply(400, json.dumps({"errorMessage": "unknown request ID"}).encode())
        else:
            self._reply(404, b'{"errorMessage":"unknown route"}')

    def _read_chunked(self) -> bytes:
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                # Skip the trailers up to the blank line that ends the body.
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()


class _Server(LoopbackServer):
    session: Session | None = None


class RuntimeApi:
    """The Runtime API on a free port of 127.0.0.1, serving one session at a time."""

    def __init__(self) -> None:
        self._server = _Server(_Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        """The value of AWS_LAMBDA_RUNTIME_API: host and port."""
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    def start_session(self, function_name: str, payloads: list[bytes]) -> Session:
        previous = self._server.session
        if previous is not None:
            previous.close()
        session = Session(function_name, payloads)
        self._server.session = session
        return session

    def shutdown(self) -> None:
        if self._server.session is not None:
            self._server.session.close()
        self._server.shutdown()
        self._server.server_close()
