"""The shared boto3 clients: the Feature Store client leaves retries to the writer (one attempt per call)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from botocore.exceptions import ClientError

from labeling_pipeline import aws


class _AlwaysThrottled(BaseHTTPRequestHandler):
    """Answers every request as a throttled AWS JSON call, which botocore's standard mode retries."""

    requests = 0

    def do_PUT(self) -> None:
        type(self).requests += 1
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("x-amzn-ErrorType", "ThrottlingException")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def throttling_endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[_AlwaysThrottled]]:
    handler = type("Handler", (_AlwaysThrottled,), {"requests": 0})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{server.server_address[1]}")
    aws.client.cache_clear()
    yield handler
    aws.client.cache_clear()
    server.shutdown()
    server.server_close()


def test_the_feature_store_client_sends_each_request_once(
    throttling_endpoint: type[_AlwaysThrottled],
) -> None:
    # Given the shared Feature Store client and an endpoint that throttles every request
    client = aws.client("sagemaker-featurestore-runtime")

    # When one PutRecord is throttled
    with pytest.raises(ClientError) as raised:
        client.put_record(
            FeatureGroupName="labels", Record=[{"FeatureName": "record_id", "ValueAsString": "a"}]
        )

    # Then botocore made exactly one attempt, as its resolved configuration says, and left retrying to us
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"
    assert throttling_endpoint.requests == 1
    assert client.meta.config.retries["total_max_attempts"] == 1
    assert raised.value.response["ResponseMetadata"].get("MaxAttemptsReached") is True
