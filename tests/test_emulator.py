"""The offline AWS emulator harness: moto extensions, Terraform JSON helpers,
and a full Terraform plan/apply/plan/update/destroy cycle against moto."""

from __future__ import annotations

import json
import sys
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

try:  # ``tests`` imported as a package
    from .emulator import harness, moto_extensions
    from .emulator_fixtures import (  # noqa: F401  (fixtures)
        aws_client,
        moto_endpoint,
        moto_server,
        terraform_bin,
        tf_workdir,
    )
except ImportError:  # ``tests/`` is not a package: import from this directory
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from emulator import harness, moto_extensions  # type: ignore[no-redef]
    from emulator_fixtures import (  # type: ignore[no-redef]  # noqa: F401
        aws_client,
        moto_endpoint,
        moto_server,
        terraform_bin,
        tf_workdir,
    )

IMAGE_URI = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer:latest"
ROLE_ARN = f"arn:aws:iam::{harness.ACCOUNT_ID}:role/emulator-test-role"


def _uid() -> str:
    return uuid.uuid4().hex[:8]


def _error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return exc.value.response["Error"]["Code"]


def _dq_job_definition(sm, name: str, endpoint: str = "emu-endpoint") -> str:
    return sm.create_data_quality_job_definition(
        JobDefinitionName=name,
        DataQualityAppSpecification={"ImageUri": IMAGE_URI},
        DataQualityJobInput={
            "EndpointInput": {
                "EndpointName": endpoint,
                "LocalPath": "/opt/ml/processing/input/endpoint",
            }
        },
        DataQualityJobOutputConfig={
            "MonitoringOutputs": [
                {
                    "S3Output": {
                        "S3Uri": "s3://bucket/out",
                        "LocalPath": "/opt/ml/processing/output",
                    }
                }
            ]
        },
        JobResources={
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "VolumeSizeInGB": 20,
            }
        },
        RoleArn=ROLE_ARN,
    )["JobDefinitionArn"]


def _schedule_config(job_definition: str, monitoring_type: str, cron: str = "cron(0 * ? * * *)"):
    return {
        "MonitoringJobDefinitionName": job_definition,
        "MonitoringType": monitoring_type,
        "ScheduleConfig": {"ScheduleExpression": cron},
    }


def _awscc_payload(kind: str, name: str, endpoint: str) -> dict:
    """Attributes as the awscc_sagemaker_<kind>_job_definition resource has them."""
    payload = {
        "job_definition_name": name,
        "endpoint_name": endpoint,  # awscc/CFN-only attribute: dropped
        "role_arn": ROLE_ARN,
        f"{kind}_app_specification": {
            "image_uri": IMAGE_URI,
            "config_uri": "s3://bucket/analysis_config.json",
            "environment": {"dataset_format": "csv", "Mixed_Case_Key": "kept"},
        },
        f"{kind}_job_input": {
            "endpoint_input": {
                "endpoint_name": endpoint,
                "local_path": "/opt/ml/processing/input/endpoint",
            }
        },
        f"{kind}_job_output_config": {
            "monitoring_outputs": [
                {"s3_output": {"s3_uri": "s3://bucket/out", "local_path": "/opt/ml/processing/output"}}
            ]
        },
        "job_resources": {
            "cluster_config": {"instance_count": "1", "instance_type": "ml.m5.large", "volume_size_in_gb": 20}
        },
        "stopping_condition": {"max_runtime_in_seconds": 1800},
        "tags": [{"key": "Project", "value": "emulator"}],
    }
    if kind == "model_quality":
        payload["model_quality_app_specification"] = {
            "image_uri": IMAGE_URI,
            "problem_type": "BinaryClassification",
        }
        payload["model_quality_job_input"]["ground_truth_s3_input"] = {"s3_uri": "s3://bucket/gt"}
        payload["model_quality_job_input"]["endpoint_input"]["inference_attribute"] = "0"
    if kind == "model_bias":
        payload["model_bias_job_input"]["ground_truth_s3_input"] = {"s3_uri": "s3://bucket/gt"}
    return payload


# ---------------------------------------------------------------------------
# server
# ---------------------------------------------------------------------------


def test_server_runs_with_lambda_without_docker(moto_server):
    assert moto_server.is_running()
    assert moto_server.endpoint.startswith("http://127.0.0.1:")
    config = moto_server.configure({})
    assert config["lambda"]["use_docker"] is False


# ---------------------------------------------------------------------------
# SageMaker monitoring schedules
# ---------------------------------------------------------------------------


def test_monitoring_schedule_lifecycle(aws_client):
    sm = aws_client("sagemaker")
    uid = _uid()
    job_def = f"dq-{uid}"
    name = f"sched-{uid}"
    _dq_job_definition(sm, job_def, endpoint=f"ep-{uid}")

    arn = sm.create_monitoring_schedule(
        MonitoringScheduleName=name,
        MonitoringScheduleConfig=_schedule_config(job_def, "DataQuality"),
        Tags=[{"Key": "Project", "Value": "emulator"}],
    )["MonitoringScheduleArn"]
    assert arn == f"arn:aws:sagemaker:us-east-1:{harness.ACCOUNT_ID}:monitoring-schedule/{name}"

    desc = sm.describe_monitoring_schedule(MonitoringScheduleName=name)
    assert desc["MonitoringScheduleArn"] == arn
    assert desc["MonitoringScheduleName"] == name
    assert desc["MonitoringScheduleStatus"] == "Scheduled"
    assert desc["MonitoringType"] == "DataQuality"
    assert desc["EndpointName"] == f"ep-{uid}"
    assert desc["MonitoringScheduleConfig"] == _schedule_config(job_def, "DataQuality")
    assert desc["CreationTime"] <= desc["LastModifiedTime"]

    summaries = sm.list_monitoring_schedules(NameContains=uid)["MonitoringScheduleSummaries"]
    assert [s["MonitoringScheduleName"] for s in summaries] == [name]
    assert summaries[0]["MonitoringJobDefinitionName"] == job_def
    assert summaries[0]["EndpointName"] == f"ep-{uid}"
    assert sm.list_monitoring_schedules(EndpointName=f"ep-{uid}")["MonitoringScheduleSummaries"]
    assert not sm.list_monitoring_schedules(
        NameContains=uid, MonitoringTypeEquals="ModelBias"
    )["MonitoringScheduleSummaries"]

    sm.update_monitoring_schedule(
        MonitoringScheduleName=name,
        MonitoringScheduleConfig=_schedule_config(job_def, "DataQuality", "cron(0 0 ? * * *)"),
    )
    updated = sm.describe_monitoring_schedule(MonitoringScheduleName=name)
    assert updated["MonitoringScheduleConfig"]["ScheduleConfig"] == {
        "ScheduleExpression": "cron(0 0 ? * * *)"
    }
    assert updated["LastModifiedTime"] >= desc["LastModifiedTime"]

    # tags on the schedule ARN, as the provider reads/updates them
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "Project", "Value": "emulator"}]
    sm.add_tags(ResourceArn=arn, Tags=[{"Key": "Team", "Value": "ml"}])
    sm.delete_tags(ResourceArn=arn, TagKeys=["Project"])
    assert sm.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "Team", "Value": "ml"}]

    sm.delete_monitoring_schedule(MonitoringScheduleName=name)
    with pytest.raises(ClientError) as exc:
        sm.describe_monitoring_schedule(MonitoringScheduleName=name)
    assert _error_code(exc) == "ResourceNotFound"
    with pytest.raises(ClientError) as exc:
        sm.delete_monitoring_schedule(MonitoringScheduleName=name)
    assert _error_code(exc) == "ResourceNotFound"
    assert not sm.list_monitoring_schedules(NameContains=uid)["MonitoringScheduleSummaries"]


def test_monitoring_schedule_rejections(aws_client):
    sm = aws_client("sagemaker")
    uid = _uid()
    job_def = f"dq-{uid}"
    _dq_job_definition(sm, job_def)

    cases = [
        # no job definition of that name
        (f"s1-{uid}", _schedule_config(f"missing-{uid}", "DataQuality"), "ValidationException"),
        # job definition exists, but for another monitoring type
        (f"s2-{uid}", _schedule_config(job_def, "ModelQuality"), "ValidationException"),
        # not a monitoring type
        (f"s3-{uid}", _schedule_config(job_def, "Drift"), "ValidationException"),
        # not a SageMaker schedule expression
        (f"s4-{uid}", _schedule_config(job_def, "DataQuality", "rate(1 hour)"), "ValidationException"),
        # invalid name
        (f"bad_name_{uid}", _schedule_config(job_def, "DataQuality"), "ValidationException"),
    ]
    for name, config, code in cases:
        with pytest.raises(ClientError) as exc:
            sm.create_monitoring_schedule(MonitoringScheduleName=name, MonitoringScheduleConfig=config)
        assert _error_code(exc) == code, (name, config, exc.value)
    assert not sm.list_monitoring_schedules(NameContains=uid)["MonitoringScheduleSummaries"]

    name = f"ok-{uid}"
    sm.create_monitoring_schedule(
        MonitoringScheduleName=name, MonitoringScheduleConfig=_schedule_config(job_def, "DataQuality")
    )
    with pytest.raises(ClientError) as exc:  # duplicate
        sm.create_monitoring_schedule(
            MonitoringScheduleName=name, MonitoringScheduleConfig=_schedule_config(job_def, "DataQuality")
        )
    assert _error_code(exc) == "ResourceInUse"
    with pytest.raises(ClientError) as exc:  # update to a job definition of another type
        sm.update_monitoring_schedule(
            MonitoringScheduleName=name, MonitoringScheduleConfig=_schedule_config(job_def, "ModelBias")
        )
    assert _error_code(exc) == "ValidationException"
    assert (
        sm.describe_monitoring_schedule(MonitoringScheduleName=name)["MonitoringType"] == "DataQuality"
    )
    with pytest.raises(ClientError) as exc:
        sm.update_monitoring_schedule(
            MonitoringScheduleName=f"nope-{uid}",
            MonitoringScheduleConfig=_schedule_config(job_def, "DataQuality"),
        )
    assert _error_code(exc) == "ResourceNotFound"
    with pytest.raises(ClientError) as exc:
        sm.list_tags(ResourceArn=f"arn:aws:sagemaker:us-east-1:{harness.ACCOUNT_ID}:monitoring-schedule/nope-{uid}")
    assert _error_code(exc) == "ValidationException"
    sm.delete_monitoring_schedule(MonitoringScheduleName=name)


@pytest.mark.parametrize("kind", ["model_quality", "model_bias", "model_explainability"])
def test_awscc_job_definitions_via_boto3_and_schedules(aws_client, kind):
    sm = aws_client("sagemaker")
    uid = _uid()
    monitoring_type = harness.normalize_monitoring_type(kind)
    assert monitoring_type == harness.normalize_monitoring_type(
        f"awscc_sagemaker_{kind}_job_definition"
    )
    name = f"{kind.replace('_', '-')}-{uid}"
    created = harness.create_job_definition(sm, kind, _awscc_payload(kind, name, f"ep-{uid}"))
    assert created["JobDefinitionArn"].endswith(f"-job-definition/{name}")

    method = f"describe_{kind}_job_definition"
    desc = getattr(sm, method)(JobDefinitionName=name)
    app_spec = desc[f"{monitoring_type}AppSpecification"]
    assert app_spec["ImageUri"] == IMAGE_URI
    if kind != "model_quality":
        assert app_spec["Environment"] == {"dataset_format": "csv", "Mixed_Case_Key": "kept"}
    assert desc["JobResources"]["ClusterConfig"] == {
        "InstanceCount": 1,
        "InstanceType": "ml.m5.large",
        "VolumeSizeInGB": 20,
    }
    assert desc["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}

    # API-shaped payloads work as well
    api_name = f"api-{name}"
    method_name, request = harness.job_definition_request(sm, monitoring_type, _awscc_payload(kind, api_name, "x"))
    assert method_name == f"create_{kind}_job_definition"
    harness.create_job_definition(sm, monitoring_type, request)

    schedule = f"sched-{uid}"
    sm.create_monitoring_schedule(
        MonitoringScheduleName=schedule,
        MonitoringScheduleConfig=_schedule_config(name, monitoring_type),
    )
    listed = sm.list_monitoring_schedules(MonitoringTypeEquals=monitoring_type, NameContains=uid)
    assert [s["MonitoringScheduleName"] for s in listed["MonitoringScheduleSummaries"]] == [schedule]
    with pytest.raises(ClientError) as exc:  # right name, wrong type
        sm.create_monitoring_schedule(
            MonitoringScheduleName=f"wrong-{uid}",
            MonitoringScheduleConfig=_schedule_config(name, "DataQuality"),
        )
    assert _error_code(exc) == "ValidationException"
    sm.delete_monitoring_schedule(MonitoringScheduleName=schedule)
    harness.delete_job_definition(sm, kind, name)
    harness.delete_job_definition(sm, kind, api_name)


def test_create_job_definition_rejects_unknown_keys(aws_client):
    sm = aws_client("sagemaker")
    payload = _awscc_payload("model_bias", f"x-{_uid()}", "ep")
    payload["model_bias_job_input"]["no_such_field"] = 1
    with pytest.raises(ValueError, match="no_such_field"):
        harness.create_job_definition(sm, "ModelBias", payload)
    with pytest.raises(ValueError, match="unknown monitoring type"):
        harness.normalize_monitoring_type("Drift")


def test_job_definition_describe_looks_like_aws(aws_client):
    """Unset optional structures are omitted and service defaults filled in
    (otherwise aws_sagemaker_data_quality_job_definition plans a replacement)."""
    sm = aws_client("sagemaker")
    name = f"dq-{_uid()}"
    _dq_job_definition(sm, name)
    desc = sm.describe_data_quality_job_definition(JobDefinitionName=name)
    assert "NetworkConfig" not in desc
    assert "DataQualityBaselineConfig" not in desc
    assert "Environment" not in desc["DataQualityAppSpecification"]
    assert desc["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    endpoint_input = desc["DataQualityJobInput"]["EndpointInput"]
    assert endpoint_input["S3InputMode"] == "File"
    assert endpoint_input["S3DataDistributionType"] == "FullyReplicated"
    s3_output = desc["DataQualityJobOutputConfig"]["MonitoringOutputs"][0]["S3Output"]
    assert s3_output["S3UploadMode"] == "EndOfJob"


# ---------------------------------------------------------------------------
# Lambda (package type Image, no Docker)
# ---------------------------------------------------------------------------


def test_image_lambda_config_and_invocation_without_docker(aws_client):
    iam = aws_client("iam")
    lam = aws_client("lambda")
    uid = _uid()
    role = iam.create_role(
        RoleName=f"fn-{uid}",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    # AWS managed policies exist (MOTO_IAM_LOAD_MANAGED_POLICIES)
    iam.attach_role_policy(
        RoleName=f"fn-{uid}",
        PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    )
    image = f"{harness.ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com/repo-{uid}:latest"
    lam.create_function(FunctionName=f"plain-{uid}", PackageType="Image", Code={"ImageUri": image}, Role=role)
    lam.create_function(
        FunctionName=f"cmd-{uid}",
        PackageType="Image",
        Code={"ImageUri": image},
        Role=role,
        ImageConfig={"Command": ["app.handler"]},
    )
    # never-set image config is omitted (else the provider plans a diff forever)
    assert "ImageConfigResponse" not in lam.get_function(FunctionName=f"plain-{uid}")["Configuration"]
    assert lam.get_function(FunctionName=f"cmd-{uid}")["Configuration"]["ImageConfigResponse"] == {
        "ImageConfig": {"Command": ["app.handler"]}
    }
    result = lam.invoke(FunctionName=f"plain-{uid}", Payload=json.dumps({"action": "baseline"}))
    assert result["StatusCode"] == 200
    assert json.loads(result["Payload"].read()) == {"action": "baseline"}
    for name in (f"plain-{uid}", f"cmd-{uid}"):
        lam.delete_function(FunctionName=name)


# ---------------------------------------------------------------------------
# Step Functions
# ---------------------------------------------------------------------------


def test_validate_state_machine_definition(aws_client):
    sfn = aws_client("stepfunctions")
    ok = sfn.validate_state_machine_definition(
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}),
        type="STANDARD",
    )
    assert ok["result"] == "OK"
    assert ok["diagnostics"] == []

    bad_json = sfn.validate_state_machine_definition(definition='{"StartAt": ')
    assert bad_json["result"] == "FAIL"
    assert bad_json["diagnostics"][0]["code"] == "INVALID_JSON_DESCRIPTION"
    assert bad_json["diagnostics"][0]["severity"] == "ERROR"

    missing_target = sfn.validate_state_machine_definition(
        definition=json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})
    )
    assert missing_target["result"] == "FAIL"
    assert missing_target["diagnostics"][0]["code"] == "MISSING_TRANSITION_TARGET"

    no_states = sfn.validate_state_machine_definition(definition=json.dumps({"StartAt": "A"}))
    assert no_states["result"] == "FAIL"
    assert no_states["diagnostics"][0]["code"] == "SCHEMA_VALIDATION_FAILED"


def test_list_state_machine_versions(aws_client):
    sfn = aws_client("stepfunctions")
    uid = _uid()
    definition = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}})
    plain = sfn.create_state_machine(name=f"plain-{uid}", definition=definition, roleArn=ROLE_ARN)
    assert sfn.list_state_machine_versions(stateMachineArn=plain["stateMachineArn"])[
        "stateMachineVersions"
    ] == []

    published = sfn.create_state_machine(
        name=f"pub-{uid}", definition=definition, roleArn=ROLE_ARN, publish=True
    )
    time.sleep(0.01)
    second = sfn.update_state_machine(
        stateMachineArn=published["stateMachineArn"], definition=definition, publish=True
    )
    versions = sfn.list_state_machine_versions(stateMachineArn=published["stateMachineArn"])[
        "stateMachineVersions"
    ]
    assert [v["stateMachineVersionArn"] for v in versions] == [
        second["stateMachineVersionArn"],
        published["stateMachineVersionArn"],
    ]
    page = sfn.list_state_machine_versions(stateMachineArn=published["stateMachineArn"], maxResults=1)
    assert len(page["stateMachineVersions"]) == 1 and page["nextToken"]

    with pytest.raises(ClientError) as exc:
        sfn.list_state_machine_versions(
            stateMachineArn=f"arn:aws:states:us-east-1:{harness.ACCOUNT_ID}:stateMachine:none-{uid}"
        )
    assert _error_code(exc) == "StateMachineDoesNotExist"
    for arn in (plain["stateMachineArn"], published["stateMachineArn"]):
        sfn.delete_state_machine(stateMachineArn=arn)


def test_extension_registration_is_idempotent():
    from moto.sagemaker.responses import SageMakerResponse

    moto_extensions.register()
    moto_extensions.register()
    assert hasattr(SageMakerResponse, "create_monitoring_schedule")


def test_reset_forgets_schedules_and_keeps_config(moto_server, aws_client):
    sm = aws_client("sagemaker")
    uid = _uid()
    _dq_job_definition(sm, f"dq-{uid}")
    sm.create_monitoring_schedule(
        MonitoringScheduleName=f"s-{uid}", MonitoringScheduleConfig=_schedule_config(f"dq-{uid}", "DataQuality")
    )
    moto_server.reset()
    assert not sm.list_monitoring_schedules()["MonitoringScheduleSummaries"]
    assert not sm.list_data_quality_job_definitions()["JobDefinitionSummaries"]
    assert moto_server.configure({})["lambda"]["use_docker"] is False


# ---------------------------------------------------------------------------
# Terraform JSON helpers
# ---------------------------------------------------------------------------

SYNTH = {
    "//": {"metadata": {"backend": "local", "stackName": "monitor"}},
    "terraform": {
        "backend": {"local": {"path": "/somewhere/terraform.monitor.tfstate"}},
        "required_providers": {
            "aws": {"source": "aws", "version": "5.100.0"},
            "awscc": {"source": "hashicorp/awscc", "version": "1.0.0"},
            "docker": {"source": "kreuzwerker/docker", "version": "3.0.2"},
        },
    },
    "provider": {
        "aws": [
            {"region": "eu-west-1", "profile": "prod", "default_tags": [{"tags": {"A": "b"}}]},
            {"alias": "other", "region": "eu-west-1"},
        ],
        "awscc": [{"region": "eu-west-1"}],
        "docker": [{}],
    },
    "resource": {
        "awscc_sagemaker_model_quality_job_definition": {
            "mq": {"job_definition_name": "mq-def", "role_arn": "${aws_iam_role.r.arn}"}
        },
        "docker_registry_image": {"img": {"name": "repo:tag"}},
        "aws_iam_role": {"r": {"name": "r", "assume_role_policy": "{}"}},
        "aws_sagemaker_monitoring_schedule": {
            "s": {
                "name": "s",
                "depends_on": ["awscc_sagemaker_model_quality_job_definition.mq", "aws_iam_role.r"],
                "monitoring_schedule_config": {
                    "monitoring_job_definition_name": "${awscc_sagemaker_model_quality_job_definition.mq.job_definition_name}",
                    "monitoring_type": "ModelQuality",
                },
            }
        },
        "aws_lambda_function": {
            "f": {
                "function_name": "f",
                "image_uri": "${docker_registry_image.img.name}",
                "environment": {"variables": {"X": "${upper(docker_registry_image.img.name)}"}},
            }
        },
    },
    "output": {"mq_arn": {"value": "${awscc_sagemaker_model_quality_job_definition.mq.arn}"}},
}


def test_prune_tf_json_drops_resources_and_substitutes():
    pruned, dropped = harness.prune_tf_json(
        SYNTH,
        substitutions={
            "awscc_sagemaker_model_quality_job_definition.mq.job_definition_name": "mq-def",
            "docker_registry_image.img.name": "123.dkr.ecr/repo:tag",
        },
    )
    assert sorted(dropped) == [
        "awscc_sagemaker_model_quality_job_definition.mq",
        "docker_registry_image.img",
    ]
    assert set(pruned["resource"]) == {"aws_iam_role", "aws_sagemaker_monitoring_schedule", "aws_lambda_function"}
    assert set(pruned["provider"]) == {"aws"}
    assert set(pruned["terraform"]["required_providers"]) == {"aws"}
    schedule = pruned["resource"]["aws_sagemaker_monitoring_schedule"]["s"]
    assert schedule["depends_on"] == ["aws_iam_role.r"]
    assert schedule["monitoring_schedule_config"]["monitoring_job_definition_name"] == "mq-def"
    function = pruned["resource"]["aws_lambda_function"]["f"]
    assert function["image_uri"] == "123.dkr.ecr/repo:tag"
    assert function["environment"]["variables"]["X"] == '${upper("123.dkr.ecr/repo:tag")}'
    assert "output" not in pruned  # the output only referred to a dropped resource
    assert "awscc" in SYNTH["provider"]  # the input is not modified


def test_prune_tf_json_reports_dangling_references():
    with pytest.raises(ValueError, match="docker_registry_image.img"):
        harness.prune_tf_json(
            SYNTH,
            substitutions={
                "awscc_sagemaker_model_quality_job_definition.mq.job_definition_name": "mq-def"
            },
        )


def test_prepare_workdir_points_every_aws_provider_at_the_emulator(tmp_path):
    src_dir = tmp_path / "cdktf.out" / "stacks" / "monitor"
    (src_dir / "assets" / "lambda").mkdir(parents=True)
    (src_dir / "assets" / "lambda" / "Dockerfile").write_text("FROM scratch\n")
    (src_dir / "cdk.tf.json").write_text(json.dumps(SYNTH))
    out = harness.prepare_workdir(
        src_dir / "cdk.tf.json",
        tmp_path / "wd",
        "http://127.0.0.1:1234",
        substitutions={
            "awscc_sagemaker_model_quality_job_definition.mq.job_definition_name": "mq-def",
            "docker_registry_image.img.name": "img",
        },
    )
    doc = json.loads(out.read_text())
    assert (tmp_path / "wd" / "assets" / "lambda" / "Dockerfile").exists()
    assert "backend" not in doc["terraform"]
    blocks = doc["provider"]["aws"]
    assert [b.get("alias") for b in blocks] == [None, "other"]
    assert blocks[0]["default_tags"] == [{"tags": {"A": "b"}}]
    for block in blocks:
        assert "profile" not in block
        assert block["region"] == harness.REGION
        assert block["access_key"] and block["secret_key"]
        assert block["skip_credentials_validation"] is True
        assert block["skip_metadata_api_check"] is True
        assert block["skip_region_validation"] is True
        assert block["s3_use_path_style"] is True
        assert block["max_retries"] in (1, 2)
        endpoints = block["endpoints"][0]
        for service in ("sagemaker", "iam", "sts", "s3", "kms", "logs", "lambda", "sfn",
                        "events", "ecr", "sns", "cloudwatch", "ec2"):
            assert endpoints[service] == "http://127.0.0.1:1234"


def test_require_terraform_explains_what_is_missing(tmp_path):
    with pytest.raises(harness.TerraformUnavailable, match="Terraform CLI not found"):
        harness.require_terraform(str(tmp_path / "terraform"))
    with pytest.raises(harness.TerraformUnavailable, match="provider binary not found"):
        harness.require_terraform(harness.TERRAFORM_BIN, plugin_dir=str(tmp_path))


def test_cli_config_disables_checkpoint():
    env = harness.terraform_env()
    assert env["TF_IN_AUTOMATION"] == "1"
    assert Path(env["TF_CLI_CONFIG_FILE"]).read_text().strip() == "disable_checkpoint = true"


# ---------------------------------------------------------------------------
# Terraform against the emulator
# ---------------------------------------------------------------------------


def _hand_written_stack(uid: str) -> dict:
    trust = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["sagemaker.amazonaws.com", "states.amazonaws.com"]},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
    )
    definition = json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}})
    return {
        "variable": {"schedule_expression": {"type": "string", "default": "cron(0 * ? * * *)"}},
        "resource": {
            "aws_iam_role": {"monitor": {"name": f"emu-monitor-{uid}", "assume_role_policy": trust}},
            "aws_sagemaker_data_quality_job_definition": {
                "dq": {
                    "name": f"emu-dq-{uid}",
                    "role_arn": "${aws_iam_role.monitor.arn}",
                    "data_quality_app_specification": {"image_uri": IMAGE_URI},
                    "data_quality_job_input": {
                        "endpoint_input": {
                            "endpoint_name": f"emu-endpoint-{uid}",
                            "local_path": "/opt/ml/processing/input/endpoint",
                        }
                    },
                    "data_quality_job_output_config": {
                        "monitoring_outputs": {
                            "s3_output": {
                                "s3_uri": "s3://bucket/out",
                                "local_path": "/opt/ml/processing/output",
                            }
                        }
                    },
                    "job_resources": {
                        "cluster_config": {
                            "instance_count": 1,
                            "instance_type": "ml.m5.large",
                            "volume_size_in_gb": 20,
                        }
                    },
                }
            },
            "aws_sagemaker_monitoring_schedule": {
                "schedule": {
                    "name": f"emu-schedule-{uid}",
                    "monitoring_schedule_config": {
                        "monitoring_job_definition_name": "${aws_sagemaker_data_quality_job_definition.dq.name}",
                        "monitoring_type": "DataQuality",
                        "schedule_config": {"schedule_expression": "${var.schedule_expression}"},
                    },
                    "tags": {"Project": "emulator"},
                }
            },
            "aws_sfn_state_machine": {
                "sm": {
                    "name": f"emu-sm-{uid}",
                    "role_arn": "${aws_iam_role.monitor.arn}",
                    "definition": definition,
                }
            },
            "aws_cloudwatch_log_group": {
                "lg": {"name": f"/emu/monitor-{uid}", "retention_in_days": 7}
            },
        },
    }


def test_terraform_apply_cycle_against_emulator(moto_server, aws_client, tmp_path):
    problem = None
    try:  # a missing CLI/provider FAILS this test (it is never skipped)
        harness.require_terraform()
    except harness.TerraformUnavailable as exc:
        problem = str(exc)
    if problem:
        pytest.fail(problem, pytrace=False)

    uid = _uid()
    workdir = tmp_path / "tf"
    harness.prepare_workdir(_hand_written_stack(uid), workdir, moto_server.endpoint)
    tf = harness.TerraformWorkdir(workdir, timeout=300)
    started = time.monotonic()
    try:
        tf.init()
        rc, out, _ = tf.plan()
        assert rc == 2, out
        assert "5 to add, 0 to change, 0 to destroy" in out, out

        tf.apply()
        rc, out, err = tf.plan()
        assert rc == 0, "second plan is not empty:\n" + out + err

        sm = aws_client("sagemaker")
        desc = sm.describe_monitoring_schedule(MonitoringScheduleName=f"emu-schedule-{uid}")
        assert desc["MonitoringScheduleStatus"] == "Scheduled"
        assert desc["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"] == f"emu-dq-{uid}"

        new_expression = "-var=schedule_expression=cron(0 0 ? * * *)"
        _, out, _ = tf.apply(new_expression)
        assert "aws_sagemaker_monitoring_schedule.schedule will be updated in-place" in out, out
        assert "0 added, 1 changed, 0 destroyed" in out, out
        desc = sm.describe_monitoring_schedule(MonitoringScheduleName=f"emu-schedule-{uid}")
        assert desc["MonitoringScheduleConfig"]["ScheduleConfig"]["ScheduleExpression"] == "cron(0 0 ? * * *)"
        rc, out, err = tf.plan(new_expression)
        assert rc == 0, "plan after the update is not empty:\n" + out + err

        _, out, _ = tf.destroy(new_expression)
        assert "5 destroyed" in out, out
        with pytest.raises(ClientError) as exc:
            sm.describe_monitoring_schedule(MonitoringScheduleName=f"emu-schedule-{uid}")
        assert _error_code(exc) == "ResourceNotFound"
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n--- moto log tail ---\n{moto_server.log_tail(3000)}") from None
    finally:
        print(f"\nterraform cycle: {tf.timing_report()} (wall {time.monotonic() - started:.1f}s)")
