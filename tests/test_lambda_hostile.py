"""The baseline Lambda against hostile events, in process (issue 22 item 8): wrong types, huge values, unknown
actions, injection in names and URIs, Terraform templates and cdktf tokens. Each gets {"status": "ERROR"} naming
every problem (start_executions: StartExecutionsFailed, as its Terraform caller needs), and no AWS call is made."""

from __future__ import annotations

import copy
import struct
import sys

import pytest
from conftest import REPO, seed_events

sys.path.insert(0, str(REPO / "lambda_image"))

SEEDS = seed_events(usable=True)
DQ, BIAS = SEEDS["data_quality"], SEEDS["model_bias"]
NUMBER_TOKEN = struct.unpack("<d", struct.pack("<HHHH", 5, 0, 0, 0xFDFF))[0]


@pytest.fixture
def handler(monkeypatch):
    """app.handler with every way to AWS replaced by a failure: a hostile event must not get that far."""
    import app
    import sagemaker_baseline

    def no_aws(*args, **kwargs):
        raise AssertionError("an AWS call was attempted")

    monkeypatch.setattr(app, "aws_session", no_aws)
    monkeypatch.setattr(sagemaker_baseline, "start_baseline_job", no_aws)
    monkeypatch.setenv("SAGEMAKER_ROLE_ARN", "arn:aws:iam::123456789012:role/baseline-processing-role")
    return app.handler


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def _with(event: dict, **changes) -> dict:
    out = copy.deepcopy(event)
    out.update(changes)
    return out


def _params(event: dict, key: str, **changes) -> dict:
    out = copy.deepcopy(event)
    out[key] = {**(out.get(key) or {}), **changes}
    return out


# (name, event, [the fields the error must name])
HOSTILE = [
    ("not an object", [1, 2], ["event"]),
    ("null", None, ["event"]),
    ("a string", "start", ["event"]),
    ("unknown action", {"action": "delete_everything"}, ["action"]),
    ("action of the wrong type", {"action": ["start"]}, ["action"]),
    ("monitor type injection", _with(DQ, monitor_type="data_quality; rm -rf /"), ["monitor_type"]),
    ("endpoint injection", _with(DQ, endpoint_name="a; rm -rf /"), ["endpoint_name"]),
    ("endpoint template", _with(DQ, endpoint_name="${aws_iam_role.x.arn}"), ["endpoint_name"]),
    ("endpoint string token", _with(DQ, endpoint_name="${TfToken[TOKEN.1]}"), ["endpoint_name"]),
    ("endpoint list token", _with(DQ, endpoint_name="#{TfToken[TOKEN.1]}"), ["endpoint_name"]),
    ("endpoint huge", _with(DQ, endpoint_name="a" * 5_000_000), ["endpoint_name"]),
    ("endpoint a number", _with(DQ, endpoint_name=12), ["endpoint_name"]),
    ("uri template", _with(DQ, training_data_uri='s3://b/${file("/etc/passwd")}'), ["training_data_uri"]),
    ("uri map token", _with(DQ, baseline_output_uri="s3://b/&{TfToken[TOKEN.2]}/"), ["baseline_output_uri"]),
    ("uri directive", _with(DQ, baseline_output_uri="s3://b/%{if true}x%{endif}/"), ["baseline_output_uri"]),
    ("uri other scheme", _with(DQ, training_data_uri="file:///etc/passwd"), ["training_data_uri"]),
    ("uri with newline", _with(DQ, training_data_uri="s3://b/x\nrm"), ["training_data_uri"]),
    ("uri a list", _with(DQ, training_data_uri=["s3://b/x"]), ["training_data_uri"]),
    (
        "params wrong types",
        _params(
            DQ,
            "data_quality_params",
            instance_count="many",
            instance_type=5,
            volume_size_gb=-1,
            max_runtime_seconds=1e300,
        ),
        [
            "data_quality_params.instance_count",
            "data_quality_params.instance_type",
            "data_quality_params.volume_size_gb",
            "data_quality_params.max_runtime_seconds",
        ],
    ),
    (
        "params huge list",
        _params(DQ, "data_quality_params", instance_count=list(range(1_000_000))),
        ["data_quality_params.instance_count"],
    ),
    (
        "params number token",
        _params(DQ, "data_quality_params", instance_count=NUMBER_TOKEN),
        ["data_quality_params.instance_count"],
    ),
    (
        "params NaN",
        _params(DQ, "data_quality_params", max_runtime_seconds=float("nan")),
        ["data_quality_params.max_runtime_seconds"],
    ),
    (
        "params boolean count",
        _params(DQ, "data_quality_params", instance_count=True),
        ["data_quality_params.instance_count"],
    ),
    (
        "params instance type injection",
        _params(DQ, "data_quality_params", instance_type="ml.m5.large; rm"),
        ["data_quality_params.instance_type"],
    ),
    ("params unknown", _params(DQ, "data_quality_params", evil="x"), ["data_quality_params"]),
    ("params nested 10,000 deep", _with(DQ, data_quality_params=_nested(10_000)), ["data_quality_params[0][0]..."]),
    (
        "bias header token",
        _params(BIAS, "model_bias_params", label_header="${var.label}"),
        ["model_bias_params.label_header"],
    ),
    (
        "bias facet token",
        _params(BIAS, "model_bias_params", facet_name="TfToken[TOKEN.3]"),
        ["model_bias_params.facet_name"],
    ),
    ("tags template", _with(DQ, tags={"team": "${var.x}"}), ["tags.team"]),
    ("tags key token", _with(DQ, tags={"&{TfToken[TOKEN.1]}": "x"}), ["tags"]),
    ("tags characters", _with(DQ, tags={"team": "a;b", "o<k": "v"}), ["tags"]),
    ("tags too many", _with(DQ, tags={f"k{i}": "v" for i in range(51)}), ["tags"]),
    ("tags reserved", _with(DQ, tags={"aws:owner": "me"}), ["tags"]),
    (
        "network wrong",
        _with(
            DQ,
            network_config={
                "subnet_ids": ["subnet-${x}"],
                "security_group_ids": "sg-1",
                "enable_network_isolation": "yes",
            },
        ),
        [
            "network_config.subnet_ids[0]",
            "network_config.security_group_ids",
            "network_config.enable_network_isolation",
        ],
    ),
    (
        "check injection",
        {"action": "check", "processing_job_name": "../../etc", "monitor_type": 3},
        ["processing_job_name", "monitor_type"],
    ),
    (
        "check token",
        {"action": "check", "processing_job_name": "${TfToken[TOKEN.9]}", "monitor_type": "data_quality"},
        ["processing_job_name"],
    ),
    (
        "promote template",
        {
            "action": "promote",
            "processing_job_name": "j",
            "monitor_type": "data_quality",
            "staging_output_uri": "s3://b/staging/data_quality/j/",
            "baseline_output_uri": "s3://b/${x}/",
        },
        ["baseline_output_uri"],
    ),
    (
        "promote wrong types",
        {
            "action": "promote",
            "processing_job_name": 1,
            "monitor_type": None,
            "staging_output_uri": 2,
            "baseline_output_uri": {},
        },
        ["processing_job_name", "monitor_type", "staging_output_uri", "baseline_output_uri"],
    ),
]


@pytest.mark.parametrize(("name", "event", "fields"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_events_get_an_error_naming_every_problem_and_no_aws_call(handler, name, event, fields):
    result = handler(event, None)
    assert result["status"] == "ERROR", result
    assert set(result) == {"status", "error"}
    for field in fields:
        assert f"'{field}'" in result["error"] or f"{field} must" in result["error"], (field, result["error"])
    assert len(result["error"]) < 2_000  # never the huge value echoed back


START_EXECUTIONS = [
    (
        "arn template",
        {"action": "start_executions", "state_machine_arn": "arn:aws:states:${x}", "executions": "all"},
        ["state_machine_arn", "executions"],
    ),
    (
        "execution input token",
        {
            "action": "start_executions",
            "state_machine_arn": "arn:aws:states:us-east-1:123456789012:stateMachine:sm",
            "executions": [{"name": "x", "input": _with(DQ, endpoint_name="#{TfToken[TOKEN.1]}")}],
        },
        ["executions[0].input.endpoint_name"],
    ),
]


@pytest.mark.parametrize(("name", "event", "fields"), START_EXECUTIONS, ids=[h[0] for h in START_EXECUTIONS])
def test_hostile_start_executions_fail_the_invocation_without_an_aws_call(handler, name, event, fields):
    import app

    with pytest.raises(app.StartExecutionsFailed) as exc:
        handler(event, None)
    for field in fields:
        assert f"'{field}'" in str(exc.value), (field, str(exc.value))
