"""Unit tests of the benchmark harness: python3 -m unittest discover -s bench/tests"""

import http.client
import json
import sys
import tempfile
import threading
import unittest
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH / "python"))

import parse_classify  # noqa: E402
from harness import report  # noqa: E402
from harness.measure import Summary  # noqa: E402
from harness.replay import ReplayStub, action_key  # noqa: E402
from harness.runtime_api import RuntimeApi  # noqa: E402


class SummaryTest(unittest.TestCase):
    def test_median_p90_max(self):
        summary = Summary.of([float(value) for value in range(10, 0, -1)])
        self.assertEqual(summary.median, 5.5)
        self.assertEqual(summary.p90, 9.0)
        self.assertEqual(summary.max, 10.0)
        self.assertEqual(summary.count, 10)

    def test_two_samples(self):
        summary = Summary.of([3.0, 1.0])
        self.assertEqual(summary.median, 2.0)
        self.assertEqual(summary.p90, 3.0)


class RuntimeApiTest(unittest.TestCase):
    def setUp(self):
        self.api = RuntimeApi()
        self.addCleanup(self.api.shutdown)
        host, port = self.api.address.split(":")
        self.client = http.client.HTTPConnection(host, int(port), timeout=5)
        self.addCleanup(self.client.close)

    def request(self, method, path, body=None):
        self.client.request(method, "/2018-06-01/runtime" + path, body=body)
        response = self.client.getresponse()
        return response, response.read()

    def test_events_and_answers(self):
        session = self.api.start_session("fn", [b'{"n": 1}', b'{"n": 2}'])

        response, body = self.request("GET", "/invocation/next")
        self.assertEqual(response.status, 200)
        self.assertEqual(body, b'{"n": 1}')
        first_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
        self.assertEqual(first_id, session.invocations[0].request_id)
        self.assertEqual(
            response.getheader("Lambda-Runtime-Invoked-Function-Arn"),
            "arn:aws:lambda:us-east-1:123456789012:function:fn",
        )
        self.assertTrue(response.getheader("Lambda-Runtime-Deadline-Ms").isdigit())
        self.assertTrue(response.getheader("Lambda-Runtime-Trace-Id").startswith("Root=1-"))
        self.assertIsNotNone(session.first_next_at)

        response, _ = self.request("POST", f"/invocation/{first_id}/response", b'"ok"')
        self.assertEqual(response.status, 202)
        self.assertFalse(session.finished.is_set())

        response, _ = self.request("GET", "/invocation/next")
        second_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
        response, _ = self.request("POST", f"/invocation/{second_id}/error", b'{"errorType":"x"}')
        self.assertEqual(response.status, 202)

        self.assertTrue(session.finished.is_set())
        self.assertEqual(session.invocations[0].response, b'"ok"')
        self.assertFalse(session.invocations[0].is_error)
        self.assertTrue(session.invocations[1].is_error)
        self.assertGreaterEqual(session.invocations[0].duration, 0)

    def test_unknown_request_id_rejected(self):
        session = self.api.start_session("fn", [b"{}"])
        response, _ = self.request("POST", "/invocation/not-an-id/response", b"{}")
        self.assertEqual(response.status, 400)
        self.assertFalse(session.finished.is_set())

    def test_init_error_ends_session(self):
        session = self.api.start_session("fn", [b"{}"])
        response, _ = self.request("POST", "/init/error", b'{"errorMessage":"boom"}')
        self.assertEqual(response.status, 202)
        self.assertTrue(session.finished.is_set())
        self.assertEqual(session.init_error, b'{"errorMessage":"boom"}')

    def test_closed_session_releases_waiting_next(self):
        session = self.api.start_session("fn", [])
        threading.Timer(0.3, session.close).start()
        response, _ = self.request("GET", "/invocation/next")
        self.assertEqual(response.status, 410)


class ReplayTest(unittest.TestCase):
    SIGNED = {
        "Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sns/aws4_request, "
        "SignedHeaders=host, Signature=0"
    }

    def test_query_protocol_action(self):
        key = action_key(self.SIGNED, "/", b"Action=Publish&Version=2010-03-31")
        self.assertEqual(key, ("sns", "Publish"))

    def test_json_protocol_target(self):
        headers = {**self.SIGNED, "X-Amz-Target": "AmazonSQS.ReceiveMessage"}
        self.assertEqual(action_key(headers, "/", b"{}"), ("sns", "AmazonSQS.ReceiveMessage"))

    def test_unsigned_rest_request(self):
        self.assertEqual(action_key({}, "/moto-api/?x=1", b""), ("-", "/moto-api/"))

    def test_rejects_remote_upstream(self):
        with self.assertRaises(ValueError):
            ReplayStub("http://192.0.2.1:5000")

    def test_replays_first_answer(self):
        upstream = RuntimeApi()  # any loopback server will do as the upstream
        self.addCleanup(upstream.shutdown)
        upstream.start_session("fn", [b"first"])
        stub = ReplayStub(f"http://{upstream.address}")
        self.addCleanup(stub.shutdown)
        host, port = stub.url.removeprefix("http://").split(":")
        bodies = []
        for _ in range(2):
            client = http.client.HTTPConnection(host, int(port), timeout=5)
            client.request("GET", "/2018-06-01/runtime/invocation/next")
            bodies.append(client.getresponse().read())
            client.close()
        self.assertEqual(bodies, [b"first", b"first"])
        self.assertEqual(stub.replayed, 1)


class ReportTest(unittest.TestCase):
    def test_rewrite_replaces_section(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "BENCHMARKS.md"
            path.write_text(f"intro\n{report.START_MARKER}\nold\n{report.END_MARKER}\nafter\n")
            report.rewrite(path, f"{report.START_MARKER}\nnew\n{report.END_MARKER}")
            self.assertEqual(
                path.read_text(),
                f"intro\n{report.START_MARKER}\nnew\n{report.END_MARKER}\nafter\n",
            )

    def test_rewrite_needs_markers(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "BENCHMARKS.md"
            path.write_text("no markers\n")
            with self.assertRaises(SystemExit):
                report.rewrite(path, "x")


class ParseClassifyTest(unittest.TestCase):
    def test_samples_classify_as_rust_does(self):
        catalogue = parse_classify.load_catalogue()
        self.assertEqual(len(catalogue), 346)
        for name, path in parse_classify.SAMPLES.items():
            with self.subTest(sample=name):
                self.assertEqual(
                    parse_classify.classify(path.read_text(), catalogue), [(True, 1)]
                )

    def test_unknown_event_matches_no_route(self):
        catalogue = parse_classify.load_catalogue()
        payload = json.dumps(
            {
                "detail-type": "RDS DB Instance Event",
                "detail": {"SourceType": "DB_INSTANCE", "EventID": "RDS-EVENT-9999"},
            }
        )
        self.assertEqual(parse_classify.classify(payload, catalogue), [(False, 0)])


if __name__ == "__main__":
    unittest.main()
