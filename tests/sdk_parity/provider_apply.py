"""Cross-check of the attribute -> API mapping for the aws provider's resources: apply the data quality job
definition and its schedule with Terraform against moto, through a recording proxy, and keep the request
bodies the provider really sends. (The provider's debug log truncates long bodies, hence the proxy.)
"""

from __future__ import annotations

import http.client
import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from emulator import harness

from sdk_parity import matrix as m
from sdk_parity.project_requests import _resolver


class RecordingProxy:
    """Forwards every HTTP request to moto unchanged; records the SageMaker JSON requests on the way."""

    def __init__(self, upstream: str) -> None:
        self.requests: list[tuple[str, dict]] = []
        target = urlsplit(upstream)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                operation = self.headers.get("X-Amz-Target", "")
                if operation.startswith("SageMaker."):
                    proxy.requests.append((operation.removeprefix("SageMaker."), json.loads(body or b"{}")))
                connection = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                connection.request(self.command, self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                connection.close()

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

            def log_message(self, *args) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> RecordingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def data_quality_document(tf: dict) -> dict:
    """The stack's data quality job definition and its schedule alone, references to other resources resolved."""
    resolve = _resolver(tf)
    resources = tf["resource"]
    [(name, definition)] = resources["aws_sagemaker_data_quality_job_definition"].items()
    [(schedule_name, schedule)] = [
        (k, v)
        for k, v in resources["aws_sagemaker_monitoring_schedule"].items()
        if v["monitoring_schedule_config"]["monitoring_type"] == "DataQuality"
    ]
    strip = ("//", "lifecycle", "depends_on")  # ordering on resources left out here (the role's policy)
    provider = {k: v for k, v in tf["provider"]["aws"][0].items() if k == "default_tags"}
    return {
        "provider": {"aws": [provider]},
        "resource": {
            "aws_sagemaker_data_quality_job_definition": {
                name: resolve({k: v for k, v in definition.items() if k not in strip})
            },
            # keeps its reference to the definition, as in the stack
            "aws_sagemaker_monitoring_schedule": {schedule_name: {k: v for k, v in schedule.items() if k not in strip}},
        },
    }


def apply_and_capture(tf: dict, moto_endpoint: str, workdir: Path) -> dict[str, dict]:
    """{operation: request body} of the Create calls the aws provider sends when applying the document."""
    shutil.rmtree(workdir, ignore_errors=True)
    with RecordingProxy(moto_endpoint) as proxy:
        workdir.mkdir(parents=True)
        doc = data_quality_document(tf)
        doc["provider"]["aws"][0].update(harness.provider_block(proxy.endpoint, m.REGION))
        (workdir / "cdk.tf.json").write_text(json.dumps(doc))
        terraform = harness.Terraform(workdir)
        terraform.init()
        # No destroy: it would double the time; the two objects stay in the session's moto server, in
        # the matrix's region and under the matrix's endpoint name, which no other test uses.
        terraform.apply()
    return {operation: body for operation, body in proxy.requests if operation.startswith("Create")}
