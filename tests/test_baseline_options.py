"""Issue 20 item 6, baseline jobs: the analyzer's scripts on the baseline jobs, scheduled regeneration switched off,
pinned baselines, and monitors held until their first baseline exists.

The Lambda against the moto server (what the SDK sent, what S3 and the schedules hold afterwards); the stack from the
settings (which resources, which policy statements, which Lambda environment); the state machine's pinned branch with
aws-local-stepfunctions (tests/test_state_machine.py holds the local-run tests)."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import BUCKET, MINIMAL, resources
from lambda_fixtures import ROLE_ARN, aws, fresh_aws, load_handler_module  # noqa: F401  (fixtures by name)

S = f"s3://{BUCKET}"
GENERATION = {
    "baseline_training_data_s3_uri": f"{S}/train.csv",
    "baseline_output_data_s3_uri": f"{S}/baselines/",
}
GENERATED_DQ = {**{k: v for k, v in MINIMAL.items() if k != "data_quality_baseline_s3_uri"}, **GENERATION}
LIVE = "s3://my-bucket/baselines/data_quality/"


@pytest.fixture(scope="module")
def app(aws):  # noqa: F811
    return load_handler_module()


def dq_event(**params) -> dict:
    return {
        "monitor_type": "data_quality",
        "endpoint_name": "my-endpoint",
        "training_data_uri": "s3://my-bucket/train.csv",
        "baseline_output_uri": "s3://my-bucket/baselines/",
        "data_quality_params": params,
    }


def put(aws, key: str, body: str = "{}") -> None:  # noqa: F811
    aws.client("s3").put_object(Bucket="my-bucket", Key=key, Body=body.encode())


def body(aws, key: str) -> str:  # noqa: F811
    return aws.client("s3").get_object(Bucket="my-bucket", Key=key)["Body"].read().decode()


# ----------------------------------------------------------------------------- (a) scripts on the baseline job


def test_data_quality_baseline_scripts_reach_the_job_as_the_sdk_passes_them(app, fresh_aws):  # noqa: F811
    """DefaultModelMonitor.suggest_baseline(record_preprocessor_script=..., post_analytics_processor_script=...): each
    script a processing input under /opt/ml/processing/input/<name>_input, the container path in the environment."""
    pre, post = "s3://my-bucket/scripts/pre.py", "s3://my-bucket/scripts/post.py"
    result = app.handler(dq_event(record_preprocessor_script=pre, post_analytics_processor_script=post), None)
    assert result["status"] == "IN_PROGRESS", result
    job = fresh_aws.client("sagemaker").describe_processing_job(ProcessingJobName=result["processing_job_name"])
    inputs = {i["InputName"]: i["S3Input"] for i in job["ProcessingInputs"]}
    assert list(inputs) == [
        "baseline_dataset_input",
        "record_preprocessor_script_input",
        "post_analytics_processor_script_input",
    ]
    assert inputs["record_preprocessor_script_input"]["S3Uri"] == pre
    assert (
        inputs["record_preprocessor_script_input"]["LocalPath"]
        == "/opt/ml/processing/input/record_preprocessor_script_input"
    )
    assert inputs["post_analytics_processor_script_input"]["S3Uri"] == post
    env = job["Environment"]
    assert env["record_preprocessor_script"] == "/opt/ml/processing/input/record_preprocessor_script_input/pre.py"
    assert env["post_analytics_processor_script"] == (
        "/opt/ml/processing/input/post_analytics_processor_script_input/post.py"
    )


def test_model_quality_baseline_takes_the_post_analytics_script_only(app, fresh_aws):  # noqa: F811
    event = {
        "monitor_type": "model_quality",
        "endpoint_name": "my-endpoint",
        "training_data_uri": "s3://my-bucket/train.csv",
        "baseline_output_uri": "s3://my-bucket/baselines/",
        "model_quality_params": {"post_analytics_processor_script": "s3://my-bucket/scripts/post.py"},
    }
    result = app.handler(copy.deepcopy(event), None)
    assert result["status"] == "IN_PROGRESS", result
    job = fresh_aws.client("sagemaker").describe_processing_job(ProcessingJobName=result["processing_job_name"])
    assert [i["InputName"] for i in job["ProcessingInputs"]] == [
        "baseline_dataset_input",
        "post_analytics_processor_script_input",
    ]
    assert job["Environment"]["post_analytics_processor_script"].endswith("/post.py")
    # ModelQualityMonitor.suggest_baseline has no record_preprocessor_script: an unknown field
    event["model_quality_params"] = {"record_preprocessor_script": "s3://my-bucket/scripts/pre.py"}
    answer = app.handler(event, None)
    assert answer["status"] == "ERROR"
    assert "unknown parameter(s) in 'model_quality_params': record_preprocessor_script" in answer["error"]


@pytest.mark.parametrize("uri", ["s3://my-bucket/scripts/", "s3://my-bucket", "https://x/pre.py"])
def test_a_baseline_script_must_be_an_s3_object(app, fresh_aws, uri):  # noqa: F811
    answer = app.handler(dq_event(record_preprocessor_script=uri), None)
    assert answer == {
        "status": "ERROR",
        "error": "'data_quality_params.record_preprocessor_script' must be an s3://bucket/key URI of a script object "
        f"(not a prefix) (got {uri!r})",
    }
    assert fresh_aws.create_processing_job_requests == []


def test_baseline_scripts_are_read_by_the_monitoring_role_and_must_be_in_the_bucket(synth):
    from monitors.settings.config import ConfigError, validate

    pre = f"{S}/scripts/baseline-pre.py"
    tf = synth({**GENERATED_DQ, "baseline_data_quality_params": {"record_preprocessor_script": pre}})
    policy = next(p for p in tf["data"]["aws_iam_policy_document"].values() if "ReadMonitorInputs" in json.dumps(p))
    read = next(s for s in policy["statement"] if s["sid"] == "ReadMonitorInputs")
    assert f"arn:aws:s3:::{BUCKET}/scripts/baseline-pre.py" in read["resources"]
    assert not any("scripts/*" in r for r in read["resources"])  # exactly the object (and its folder form)
    # The Lambda only names the script in CreateProcessingJob: its role gets nothing for it.
    lambda_policy = json.dumps([p for n, p in tf["data"]["aws_iam_policy_document"].items() if "lambda" in n])
    assert "baseline-pre.py" not in lambda_policy

    with pytest.raises(ConfigError) as exc:
        validate(
            {**GENERATED_DQ, "baseline_data_quality_params": {"post_analytics_processor_script": "s3://other/p.py"}}
        )
    assert exc.value.problems == [
        f"baseline_data_quality_params: post_analytics_processor_script must be inside the model bucket "
        f"s3://{BUCKET}/ (model_bucket_arn) (got 's3://other/p.py')"
    ]


# ----------------------------------------------------------------------------- (b) no scheduled regeneration


def test_run_on_schedule_false_drops_the_schedule_and_keeps_the_run_on_deploy(synth):
    on = synth(GENERATED_DQ)
    off = synth({**GENERATED_DQ, "baseline_run_on_schedule": False})
    assert len(resources(on, "aws_cloudwatch_event_rule")) == 1
    assert len(resources(on, "aws_cloudwatch_event_target")) == 1
    assert resources(off, "aws_cloudwatch_event_rule") == []
    assert resources(off, "aws_cloudwatch_event_target") == []
    # nor the role only the schedule used (EventBridge starting the state machine)
    roles = lambda tf: sorted(r["name"] for r in resources(tf, "aws_iam_role"))  # noqa: E731
    assert sorted(set(roles(on)) - set(roles(off))) == [n for n in roles(on) if n.endswith("-events")]
    assert len(resources(off, "aws_lambda_invocation")) == 1  # the run on deploy
    assert len(resources(off, "aws_sfn_state_machine")) == 1


def test_run_on_schedule_false_warnings_and_cost_line():
    from monitors.settings.config import validate
    from monitors.settings.rules import settings_warnings
    from monitors.tooling.cost import monitor_lines

    settings = validate(
        {**GENERATED_DQ, "baseline_run_on_schedule": False, "baseline_schedule_expression": "cron(0 3 * * ? *)"}
    )
    warnings = settings_warnings(settings)
    assert (
        "warning: baseline_schedule_expression: set, but baseline_run_on_schedule is false (no schedule), so ignored"
        in warnings
    )
    assert [line for line in monitor_lines(settings) if "baselines" in line] == [
        "cost: my-endpoint baselines: no scheduled regeneration (baseline_run_on_schedule: false); one run per "
        "monitor at apply time (1 x 1 ml.m5.xlarge x at most 1 h)"
    ]
    warnings = settings_warnings(
        validate({**GENERATED_DQ, "baseline_run_on_schedule": False, "baseline_run_on_deploy": False})
    )
    assert (
        "warning: baseline_run_on_schedule: false and baseline_run_on_deploy: false, so baselines are generated only "
        "when you start the baseline state machine yourself"
    ) in warnings


# ----------------------------------------------------------------------------- (c) pinned baselines


def test_a_pinned_baseline_that_exists_starts_no_job_and_is_never_overwritten(app, fresh_aws, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PINNED_BASELINES", "data_quality")
    # No live baseline yet: the first run generates it as usual.
    first = app.handler(dq_event(), None)
    assert first["status"] == "IN_PROGRESS"
    staged = first["staging_output_uri"].removeprefix("s3://my-bucket/")
    put(fresh_aws, staged + "statistics.json", '{"generated": 1}')
    put(fresh_aws, staged + "constraints.json", '{"generated": 1}')
    promote = {
        "action": "promote",
        **{k: first[k] for k in ("processing_job_name", "monitor_type", "staging_output_uri", "baseline_output_uri")},
    }
    assert app.handler(dict(promote), None)["status"] == "PROMOTED"
    # Hand edit; then a regeneration starts nothing ...
    put(fresh_aws, "baselines/data_quality/constraints.json", '{"edited": true}')
    jobs = len(fresh_aws.create_processing_job_requests)
    assert app.handler(dq_event(), None) == {
        "status": "PINNED",
        "monitor_type": "data_quality",
        "baseline_output_uri": LIVE,
    }
    assert len(fresh_aws.create_processing_job_requests) == jobs
    # ... and a job that was already running when the baseline appeared is not promoted over it.
    answer = app.handler(dict(promote), None)
    assert answer["status"] == "PINNED"
    assert answer["staging_output_uri"] == first["staging_output_uri"]
    assert body(fresh_aws, "baselines/data_quality/constraints.json") == '{"edited": true}'


def test_a_pinned_baseline_with_a_file_missing_is_generated_again(app, fresh_aws, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PINNED_BASELINES", "data_quality")
    put(fresh_aws, "baselines/data_quality/constraints.json")  # statistics.json deleted: regenerate
    assert app.handler(dq_event(), None)["status"] == "IN_PROGRESS"


def test_unpinned_monitors_are_promoted_as_before(app, fresh_aws, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PINNED_BASELINES", "model_quality")
    put(fresh_aws, "baselines/data_quality/statistics.json")
    put(fresh_aws, "baselines/data_quality/constraints.json", '{"edited": true}')
    first = app.handler(dq_event(), None)
    put(fresh_aws, first["staging_output_uri"].removeprefix("s3://my-bucket/") + "constraints.json", '{"new": 1}')
    promote = {
        "action": "promote",
        **{k: first[k] for k in ("processing_job_name", "monitor_type", "staging_output_uri", "baseline_output_uri")},
    }
    assert app.handler(promote, None)["status"] == "PROMOTED"
    assert body(fresh_aws, "baselines/data_quality/constraints.json") == '{"new": 1}'


def test_a_bad_pinned_environment_is_an_error(app, fresh_aws, monkeypatch):  # noqa: F811
    monkeypatch.setenv("PINNED_BASELINES", "data_quality,data_qualty")
    answer = app.handler(dq_event(), None)
    assert answer["status"] == "ERROR"
    assert "PINNED_BASELINES names unknown monitor types: data_qualty" in answer["error"]


def test_pinning_is_a_per_monitor_parameter_of_generated_baselines(synth):
    from monitors.settings.config import ConfigError, validate

    tf = synth({**GENERATED_DQ, "data_quality_baseline_pinned": True})
    [function] = resources(tf, "aws_lambda_function")
    assert function["environment"]["variables"]["PINNED_BASELINES"] == "data_quality"
    definition = json.dumps(tf["locals"])
    assert "BaselinePinned" in definition
    unpinned = synth(GENERATED_DQ)
    assert "PINNED_BASELINES" not in resources(unpinned, "aws_lambda_function")[0]["environment"]["variables"]
    assert "BaselinePinned" not in json.dumps(unpinned["locals"])

    with pytest.raises(ConfigError) as exc:
        validate({**MINIMAL, "data_quality_baseline_pinned": True})
    assert exc.value.problems == [
        "data_quality_baseline_pinned: pins a generated baseline, but baseline generation is off "
        "(baseline_training_data_s3_uri and baseline_output_data_s3_uri)"
    ]
    with pytest.raises(ConfigError) as exc:
        validate({**MINIMAL, **GENERATION, "data_quality_baseline_pinned": True})
    assert exc.value.problems == [
        "data_quality_baseline_pinned: pins the generated baseline, but the monitor reads its own "
        "data_quality_baseline_s3_uri"
    ]


def test_the_pinned_state_machine_passes_asl_validator():
    import sfn_fixtures as fx

    from baseline.state_machine import EVALUATE_PROMOTE_STATE, EVALUATE_START_STATE, build_state_machine_definition

    arn = "arn:aws:lambda:us-east-1:123456789012:function:baseline"
    pinned = build_state_machine_definition(arn, timeout_seconds=3600, pinned=True)
    [result] = fx.validate_definitions([pinned])
    assert result["isValid"], result
    for state in (EVALUATE_START_STATE, EVALUATE_PROMOTE_STATE):
        assert {
            "Variable": pinned["States"][state]["Choices"][1]["Variable"],
            "StringEquals": "PINNED",
            "Next": "BaselinePinned",
        } == pinned["States"][state]["Choices"][1]
    plain = build_state_machine_definition(arn, timeout_seconds=3600)
    assert "BaselinePinned" not in plain["States"]


# ----------------------------------------------------------------------------- (d) held until the first baseline


SCHEDULE = "my-endpoint-dq-schedule"


@pytest.fixture
def schedule(fresh_aws, monkeypatch):  # noqa: F811
    """A data quality schedule in the emulator and the Lambda told to hold it."""
    sm = fresh_aws.client("sagemaker")
    sm.create_data_quality_job_definition(
        JobDefinitionName="dq-def",
        DataQualityAppSpecification={"ImageUri": "156813124566.dkr.ecr.us-east-1.amazonaws.com/x:latest"},
        DataQualityJobInput={"EndpointInput": {"EndpointName": "my-endpoint", "LocalPath": "/opt/ml/processing/input"}},
        DataQualityJobOutputConfig={
            "MonitoringOutputs": [
                {"S3Output": {"S3Uri": "s3://my-bucket/out", "LocalPath": "/opt/ml/processing/output"}}
            ]
        },
        JobResources={"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 20}},
        RoleArn=ROLE_ARN,
    )
    sm.create_monitoring_schedule(
        MonitoringScheduleName=SCHEDULE,
        MonitoringScheduleConfig={
            "MonitoringJobDefinitionName": "dq-def",
            "MonitoringType": "DataQuality",
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
        },
    )
    monkeypatch.setenv("HELD_SCHEDULES", json.dumps({"data_quality": SCHEDULE}))
    return lambda: sm.describe_monitoring_schedule(MonitoringScheduleName=SCHEDULE)["MonitoringScheduleStatus"]


def _start_executions(app, fresh_aws):  # noqa: F811
    sfn = fresh_aws.client("stepfunctions")
    arn = sfn.create_state_machine(
        name="sm", definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}), roleArn=ROLE_ARN
    )["stateMachineArn"]
    return app.handler(
        {
            "action": "start_executions",
            "state_machine_arn": arn,
            "executions": [{"name": "deploy-dq-1", "input": dq_event()}],
        },
        None,
    )


def test_the_deploy_holds_a_monitor_until_its_first_baseline_is_promoted(app, fresh_aws, schedule):  # noqa: F811
    answer = _start_executions(app, fresh_aws)
    assert answer["status"] == "STARTED" and answer["held_schedules"] == [SCHEDULE]
    assert schedule() == "Stopped"  # no monitoring run against the missing baseline
    first = app.handler(dq_event(), None)
    staged = first["staging_output_uri"].removeprefix("s3://my-bucket/")
    put(fresh_aws, staged + "statistics.json")
    put(fresh_aws, staged + "constraints.json")
    promote = {
        "action": "promote",
        **{k: first[k] for k in ("processing_job_name", "monitor_type", "staging_output_uri", "baseline_output_uri")},
    }
    promoted = app.handler(dict(promote), None)
    assert promoted["status"] == "PROMOTED" and promoted["started_schedule"] == SCHEDULE
    assert schedule() == "Scheduled"
    # Later promotions leave the schedule alone, e.g. one its owner stopped by hand.
    fresh_aws.client("sagemaker").stop_monitoring_schedule(MonitoringScheduleName=SCHEDULE)
    again = app.handler(dict(promote), None)
    assert again["status"] == "PROMOTED" and "started_schedule" not in again
    assert schedule() == "Stopped"


def test_the_deploy_leaves_a_monitor_with_a_baseline_running(app, fresh_aws, schedule):  # noqa: F811
    put(fresh_aws, "baselines/data_quality/statistics.json")
    put(fresh_aws, "baselines/data_quality/constraints.json")
    answer = _start_executions(app, fresh_aws)
    assert answer["status"] == "STARTED" and "held_schedules" not in answer
    assert schedule() == "Scheduled"


def test_the_stack_holds_every_monitor_that_reads_a_generated_baseline(synth):
    tf = synth({**GENERATED_DQ, "enable_model_quality_monitor": False})
    [function] = resources(tf, "aws_lambda_function")
    [schedule] = resources(tf, "aws_sagemaker_monitoring_schedule")
    assert json.loads(function["environment"]["variables"]["HELD_SCHEDULES"]) == {"data_quality": schedule["name"]}
    [invocation] = resources(tf, "aws_lambda_invocation")
    assert "aws_sagemaker_monitoring_schedule.data_quality_schedule" in invocation["depends_on"]
    statement = next(
        s
        for p in tf["data"]["aws_iam_policy_document"].values()
        for s in p["statement"]
        if s.get("sid") == "HoldMonitoringSchedulesUntilTheirFirstBaseline"
    )
    assert statement["actions"] == [
        "sagemaker:DescribeMonitoringSchedule",
        "sagemaker:StartMonitoringSchedule",
        "sagemaker:StopMonitoringSchedule",
    ]
    assert [r.rsplit(":", 1)[1] for r in statement["resources"]] == [f"monitoring-schedule/{schedule['name']}"]
    # A monitor with its own baseline is not held; nor is anything without a run on deploy (nothing stops them).
    own = synth({**MINIMAL, **GENERATION})
    assert "HELD_SCHEDULES" not in resources(own, "aws_lambda_function")[0]["environment"]["variables"]
    no_deploy = synth({**GENERATED_DQ, "baseline_run_on_deploy": False})
    assert "HELD_SCHEDULES" not in resources(no_deploy, "aws_lambda_function")[0]["environment"]["variables"]


def test_holding_can_be_switched_off(synth):
    """baseline_hold_monitors: false (e.g. where an apply must change a monitor while its first baseline is still
    missing): no schedule is stopped, so the stack is as without holding: no HELD_SCHEDULES, no statement, and the
    run on deploy does not wait for the schedules."""
    config = {**GENERATED_DQ, "enable_model_quality_monitor": False}
    held, free = synth(config), synth({**config, "baseline_hold_monitors": False})
    assert "HELD_SCHEDULES" not in resources(free, "aws_lambda_function")[0]["environment"]["variables"]
    assert "HoldMonitoringSchedulesUntilTheirFirstBaseline" not in json.dumps(free["data"]["aws_iam_policy_document"])
    [invocation] = resources(free, "aws_lambda_invocation")
    assert not any("monitoring_schedule" in d for d in invocation["depends_on"])
    # Everything else is the same stack.
    assert resources(held, "aws_sagemaker_monitoring_schedule") == resources(free, "aws_sagemaker_monitoring_schedule")
    assert set(held["resource"]) == set(free["resource"])
