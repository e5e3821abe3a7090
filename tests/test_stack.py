"""What lands in the synthesized Terraform: every seed parameter in its attribute, names, IAM, outputs."""

from __future__ import annotations

import json
import re

import pytest
from conftest import BUCKET, MINIMAL, REPO, one, resources

DQ_TYPE = "aws_sagemaker_data_quality_job_definition"
AWSCC = {
    "model_quality": "awscc_sagemaker_model_quality_job_definition",
    "model_bias": "awscc_sagemaker_model_bias_job_definition",
    "model_explainability": "awscc_sagemaker_model_explainability_job_definition",
}
S = f"s3://{BUCKET}"
KMS = "${data.aws_kms_key.monitoring_key.arn}"

FULL = {
    **MINIMAL,
    "kms_key_id": "alias/monitoring",
    "security_group_id": "sg-0123456789abcdef0",
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "sagemaker_project_id": "p-1",
    "sagemaker_project_name": "proj",
    "tags": {"team": "ml"},
    "data_quality_instance_count": 2,
    "data_quality_instance_type": "ml.c5.xlarge",
    "data_quality_instance_volume_size_in_gb": 31,
    "data_quality_max_runtime_in_seconds": 1234,
    "data_quality_schedule_expression": "cron(0 6 ? * * *)",
    "enable_model_quality_monitor": True,
    "model_quality_baseline_s3_uri": f"{S}/b/mq",
    "model_quality_output_s3_uri": f"{S}/o/mq/",
    "model_quality_ground_truth_s3_uri": f"{S}/gt/mq/",
    "model_quality_instance_count": 3,
    "model_quality_instance_type": "ml.m5.2xlarge",
    "model_quality_instance_volume_size_in_gb": 32,
    "model_quality_max_runtime_in_seconds": 1700,
    "model_quality_problem_type": "BinaryClassification",
    "model_quality_inference_attribute": "prediction",
    "model_quality_probability_attribute": "probability",
    "model_quality_probability_threshold_attribute": 0.6,
    "model_quality_schedule_expression": "cron(0 0/4 ? * * *)",
    "enable_model_bias_monitor": True,
    "model_bias_baseline_s3_uri": f"{S}/b/bias/",
    # the user's own monitoring configuration, named explicitly (issue 20 item 3)
    "model_bias_analysis_config_s3_uri": f"{S}/b/bias/analysis_config.json",
    "model_bias_output_s3_uri": f"{S}/o/bias/",
    "model_bias_ground_truth_s3_uri": f"{S}/gt/bias/",
    "model_bias_instance_count": 4,
    "model_bias_instance_type": "ml.m5.4xlarge",
    "model_bias_instance_volume_size_in_gb": 33,
    "model_bias_max_runtime_in_seconds": 1600,
    "model_bias_features_attribute": "features",
    "model_bias_inference_attribute": "0",
    "model_bias_probability_attribute": "1",
    "model_bias_probability_threshold_attribute": 0.7,
    "model_bias_schedule_expression": "cron(0 7 ? * * *)",
    "enable_model_explainability_monitor": True,
    "model_explainability_baseline_s3_uri": f"{S}/b/expl/",
    "model_explainability_analysis_config_s3_uri": f"{S}/b/expl/analysis_config.json",
    "model_explainability_output_s3_uri": f"{S}/o/expl/",
    "model_explainability_instance_count": 5,
    "model_explainability_instance_type": "ml.m5.12xlarge",
    "model_explainability_instance_volume_size_in_gb": 34,
    "model_explainability_max_runtime_in_seconds": 1500,
    "model_explainability_features_attribute": "feats",
    "model_explainability_inference_attribute": "2",
    "model_explainability_probability_attribute": "3",
    "model_explainability_schedule_expression": "cron(0 8/12 ? * * *)",
}


@pytest.fixture
def full_tf(synth):
    return synth(FULL)


def test_data_quality_alone(synth):
    tf = synth(MINIMAL)
    assert set(tf["resource"]) == {"aws_iam_role", "aws_iam_role_policy", DQ_TYPE, "aws_sagemaker_monitoring_schedule"}
    assert "awscc" not in tf["provider"]
    dq = one(tf, DQ_TYPE)
    assert dq["data_quality_baseline_config"] == {
        "constraints_resource": {"s3_uri": f"{S}/baseline/dq/constraints.json"},
        "statistics_resource": {"s3_uri": f"{S}/baseline/dq/statistics.json"},
    }
    # Optional values are omitted when not given (the seed passed an empty KMS key).
    assert "kms_key_id" not in dq["data_quality_job_output_config"]
    assert "volume_kms_key_id" not in dq["job_resources"]["cluster_config"]
    assert "vpc_config" not in dq["network_config"]
    schedule = one(tf, "aws_sagemaker_monitoring_schedule")
    assert schedule["monitoring_schedule_config"] == {
        "monitoring_job_definition_name": (
            "${aws_sagemaker_data_quality_job_definition.data_quality_job_definition.name}"
        ),
        "monitoring_type": "DataQuality",
        "schedule_config": {"schedule_expression": "cron(0 * ? * * *)"},
    }


@pytest.mark.parametrize("monitor", ["model_quality", "model_bias", "model_explainability"])
def test_each_awscc_monitor_alone(synth, monitor):
    base = {
        k: v
        for k, v in FULL.items()
        if not k.startswith(("data_quality", "enable_", "model_quality", "model_bias", "model_explainability"))
    }
    config = {**base, f"enable_{monitor}_monitor": True, **{k: v for k, v in FULL.items() if k.startswith(monitor)}}
    tf = synth(config)
    assert [k for k in tf["resource"] if k.startswith("awscc_")] == [AWSCC[monitor]]
    assert DQ_TYPE not in tf["resource"]
    schedule = one(tf, "aws_sagemaker_monitoring_schedule")
    assert (
        schedule["monitoring_schedule_config"]["monitoring_type"]
        == {"model_quality": "ModelQuality", "model_bias": "ModelBias", "model_explainability": "ModelExplainability"}[
            monitor
        ]
    )
    assert schedule["monitoring_schedule_config"]["monitoring_job_definition_name"].startswith(f"${{{AWSCC[monitor]}.")


def test_every_data_quality_parameter_lands(full_tf):
    dq = one(full_tf, DQ_TYPE)
    assert dq["job_resources"]["cluster_config"] == {
        "instance_count": 2,
        "instance_type": "ml.c5.xlarge",
        "volume_size_in_gb": 31,
        "volume_kms_key_id": KMS,
    }
    assert dq["stopping_condition"] == {"max_runtime_in_seconds": 1234}
    assert dq["data_quality_job_output_config"]["kms_key_id"] == KMS
    assert dq["data_quality_job_output_config"]["monitoring_outputs"]["s3_output"]["s3_uri"] == f"{S}/output/dq/"
    assert dq["data_quality_job_input"]["endpoint_input"]["endpoint_name"] == "my-endpoint"
    assert dq["network_config"]["vpc_config"] == {
        "security_group_ids": ["sg-0123456789abcdef0"],
        "subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    }
    schedules = {
        s["monitoring_schedule_config"]["monitoring_type"]: s
        for s in resources(full_tf, "aws_sagemaker_monitoring_schedule")
    }
    assert (
        schedules["DataQuality"]["monitoring_schedule_config"]["schedule_config"]["schedule_expression"]
        == "cron(0 6 ? * * *)"
    )
    assert (
        schedules["ModelQuality"]["monitoring_schedule_config"]["schedule_config"]["schedule_expression"]
        == "cron(0 0/4 ? * * *)"
    )
    assert (
        schedules["ModelBias"]["monitoring_schedule_config"]["schedule_config"]["schedule_expression"]
        == "cron(0 7 ? * * *)"
    )
    assert (
        schedules["ModelExplainability"]["monitoring_schedule_config"]["schedule_config"]["schedule_expression"]
        == "cron(0 8/12 ? * * *)"
    )


def test_every_model_quality_parameter_lands(full_tf):
    mq = one(full_tf, AWSCC["model_quality"])
    assert mq["model_quality_app_specification"]["problem_type"] == "BinaryClassification"
    assert (
        mq["model_quality_app_specification"]["image_uri"]
        == "${data.aws_sagemaker_prebuilt_ecr_image.analyzer_image.registry_path}"
    )
    assert mq["model_quality_job_input"]["endpoint_input"] == {
        "endpoint_name": "my-endpoint",
        "local_path": "/opt/ml/processing/input/endpoint",
        "s3_data_distribution_type": "FullyReplicated",
        "s3_input_mode": "File",
        "inference_attribute": "prediction",
        "probability_attribute": "probability",
        "probability_threshold_attribute": 0.6,
    }
    assert mq["model_quality_job_input"]["ground_truth_s3_input"] == {"s3_uri": f"{S}/gt/mq/"}
    assert mq["model_quality_baseline_config"] == {"constraints_resource": {"s3_uri": f"{S}/b/mq/constraints.json"}}
    assert mq["model_quality_job_output_config"] == {
        "kms_key_id": KMS,
        "monitoring_outputs": [
            {
                "s3_output": {
                    "s3_uri": f"{S}/o/mq/",
                    "local_path": "/opt/ml/processing/output",
                    "s3_upload_mode": "EndOfJob",
                }
            }
        ],
    }
    assert mq["job_resources"]["cluster_config"] == {
        "instance_count": 3,
        "instance_type": "ml.m5.2xlarge",
        "volume_size_in_gb": 32,
        "volume_kms_key_id": KMS,
    }
    assert mq["stopping_condition"] == {"max_runtime_in_seconds": 1700}
    assert mq["lifecycle"] == {"create_before_destroy": True}
    assert {"key": "sagemaker:project-id", "value": "p-1"} in mq["tags"]


def test_every_bias_and_explainability_parameter_lands(full_tf):
    bias = one(full_tf, AWSCC["model_bias"])
    assert bias["model_bias_app_specification"] == {
        "image_uri": "${data.aws_sagemaker_prebuilt_ecr_image.clarify_image.registry_path}",
        "config_uri": f"{S}/b/bias/analysis_config.json",  # a given baseline: its own monitoring config
        "environment": {"publish_cloudwatch_metrics": "Enabled"},
    }  # the SDK's default
    assert bias["model_bias_baseline_config"] == {"constraints_resource": {"s3_uri": f"{S}/b/bias/analysis.json"}}
    ei = bias["model_bias_job_input"]["endpoint_input"]
    assert (
        ei["features_attribute"],
        ei["inference_attribute"],
        ei["probability_attribute"],
        ei["probability_threshold_attribute"],
    ) == ("features", "0", "1", 0.7)
    assert bias["model_bias_job_input"]["ground_truth_s3_input"] == {"s3_uri": f"{S}/gt/bias/"}
    assert bias["job_resources"]["cluster_config"]["instance_count"] == 4
    assert bias["stopping_condition"] == {"max_runtime_in_seconds": 1600}
    expl = one(full_tf, AWSCC["model_explainability"])
    ei = expl["model_explainability_job_input"]["endpoint_input"]
    assert (ei["features_attribute"], ei["inference_attribute"], ei["probability_attribute"]) == ("feats", "2", "3")
    assert "probability_threshold_attribute" not in ei  # not an explainability attribute
    assert expl["model_explainability_app_specification"]["config_uri"] == f"{S}/b/expl/analysis_config.json"
    assert expl["job_resources"]["cluster_config"] == {
        "instance_count": 5,
        "instance_type": "ml.m5.12xlarge",
        "volume_size_in_gb": 34,
        "volume_kms_key_id": KMS,
    }
    assert expl["stopping_condition"] == {"max_runtime_in_seconds": 1500}


def test_providers_tags_and_version_ranges(full_tf):
    aws = full_tf["provider"]["aws"][0]
    assert aws["region"] == "us-east-2"
    assert aws["default_tags"] == [
        {"tags": {"sagemaker:project-id": "p-1", "sagemaker:project-name": "proj", "team": "ml"}}
    ]
    assert full_tf["provider"]["awscc"] == [{"region": "us-east-2"}]
    rp = full_tf["terraform"]["required_providers"]
    assert rp["aws"] == {"source": "hashicorp/aws", "version": ">= 5.100.0, < 7.0.0"}
    assert rp["awscc"]["source"] == "hashicorp/awscc"
    assert full_tf["terraform"]["backend"] == {
        "local": {"path": "../../../terraform.smm-my-endpoint-us-east-2.tfstate"}
    }  # beside cdktf.out


def test_job_definition_names_follow_content(synth):
    base = synth(MINIMAL)
    same = synth(dict(MINIMAL))
    changed = synth({**MINIMAL, "data_quality_instance_type": "ml.m5.xlarge"})
    name = one(base, DQ_TYPE)["name"]
    assert name == one(same, DQ_TYPE)["name"]
    assert name != one(changed, DQ_TYPE)["name"]
    assert name.startswith("my-endpoint-dq-") and len(name) <= 63
    # The schedule keeps its name (updated in place); the definition is replaced before the old one goes.
    assert (
        one(base, "aws_sagemaker_monitoring_schedule")["name"]
        == one(changed, "aws_sagemaker_monitoring_schedule")["name"]
    )
    assert one(base, DQ_TYPE)["lifecycle"] == {"create_before_destroy": True}


def test_long_endpoint_names_stay_valid(synth):
    tf = synth({**MINIMAL, "endpoint_name": "e" * 63})
    for name in (one(tf, DQ_TYPE)["name"], one(tf, "aws_sagemaker_monitoring_schedule")["name"]):
        assert len(name) <= 63 and name[0].isalnum()


def _statements(tf: dict) -> dict[str, dict]:
    docs = tf["data"]["aws_iam_policy_document"]
    [permissions] = [d for key, d in docs.items() if key.startswith("monitoring_role_permissions")]
    return {s["sid"]: s for s in permissions["statement"]}


def test_monitoring_role_least_privilege(full_tf):
    st = _statements(full_tf)
    b = f"arn:aws:s3:::{BUCKET}"
    # Read: baselines (a prefix without / is an object or a folder), ground truth, the endpoint's capture folders.
    assert st["ReadMonitorInputs"] == {
        "sid": "ReadMonitorInputs",
        "effect": "Allow",
        "actions": ["s3:GetObject"],
        "resources": [
            f"{b}/*/my-endpoint/*",
            f"{b}/b/bias/*",
            f"{b}/b/expl/*",
            f"{b}/b/mq",
            f"{b}/b/mq/*",
            f"{b}/baseline/dq/*",
            f"{b}/gt/bias/*",
            f"{b}/gt/mq/*",
            f"{b}/my-endpoint/*",
        ],
    }
    # Write: only the monitors' output prefixes; no bucket-wide object access left.
    assert st["WriteMonitorOutputs"]["actions"] == ["s3:PutObject"]
    assert st["WriteMonitorOutputs"]["resources"] == [
        f"{b}/o/bias/*",
        f"{b}/o/expl/*",
        f"{b}/o/mq/*",
        f"{b}/output/dq/*",
    ]
    assert st["ListMonitorPrefixes"]["actions"] == ["s3:ListBucket"]
    assert st["ListMonitorPrefixes"]["resources"] == [b]
    assert st["ListMonitorPrefixes"]["condition"] == [
        {
            "test": "StringLike",
            "variable": "s3:prefix",
            "values": [
                "*/my-endpoint/*",
                "b/bias/",
                "b/bias/*",
                "b/expl/",
                "b/expl/*",
                "b/mq",
                "b/mq/",
                "b/mq/*",
                "baseline/dq/",
                "baseline/dq/*",
                "gt/bias/",
                "gt/bias/*",
                "gt/mq/",
                "gt/mq/*",
                "my-endpoint/*",
                "o/bias/",
                "o/bias/*",
                "o/expl/",
                "o/expl/*",
                "o/mq/",
                "o/mq/*",
                "output/dq/",
                "output/dq/*",
            ],
        }
    ]
    assert st["LocateModelBucket"]["actions"] == ["s3:GetBucketLocation"]
    assert not any(f"{b}/*" in s["resources"] for s in st.values())  # no bucket-wide object access
    # No re-encryption: the jobs encrypt and decrypt with the one key.
    key_use = st["UseMonitoringKeyThroughServices"]
    assert not any(a.startswith("kms:ReEncrypt") for a in key_use["actions"])
    assert key_use["resources"] == ["${data.aws_kms_key.monitoring_key.arn}"]
    # Only through the services the jobs use it with: S3 objects, SageMaker and EC2 for the job volumes.
    assert key_use["condition"] == [
        {
            "test": "StringEquals",
            "variable": "kms:ViaService",
            "values": [
                "s3.us-east-2.amazonaws.com",
                "sagemaker.us-east-2.amazonaws.com",
                "ec2.us-east-2.amazonaws.com",
            ],
        }
    ]
    assert st["GrantKeyToSageMakerVolumes"]["condition"] == [
        {"test": "Bool", "variable": "kms:GrantIsForAWSResource", "values": ["true"]},
        {
            "test": "StringEquals",
            "variable": "kms:ViaService",
            "values": ["sagemaker.us-east-2.amazonaws.com", "ec2.us-east-2.amazonaws.com"],
        },
    ]
    assert "ec2:CreateNetworkInterface" in st["CreateJobNetworkInterfaces"]["actions"]
    assert st["ClarifyShadowEndpoint"]["resources"][0].endswith(":endpoint/sm-clarify-*")
    role = one(full_tf, "aws_iam_role")
    assert "managed_policy_arns" not in role  # no AmazonSageMakerFullAccess
    assert "AmazonSageMakerFullAccess" not in json.dumps(full_tf)


def test_minimal_role_has_no_vpc_kms_or_clarify(synth):
    st = _statements(synth(MINIMAL))
    assert not {
        "UseMonitoringKeyThroughServices",
        "GrantKeyToSageMakerVolumes",
        "CreateJobNetworkInterfaces",
        "ClarifyShadowEndpoint",
    } & set(st)


def test_permissions_boundary_applied(synth):
    arn = "arn:aws:iam::123456789012:policy/boundary"
    assert one(synth({**MINIMAL, "permissions_boundary_arn": arn}), "aws_iam_role")["permissions_boundary"] == arn


def test_image_override_replaces_data_source(synth):
    image = "123456789012.dkr.ecr.us-east-2.amazonaws.com/my-analyzer:1"
    tf = synth({**MINIMAL, "model_monitor_image_uri": image})
    assert one(tf, DQ_TYPE)["data_quality_app_specification"]["image_uri"] == image
    assert "aws_sagemaker_prebuilt_ecr_image" not in tf.get("data", {})


def test_outputs(full_tf):
    outputs = full_tf["output"]
    assert outputs["monitoring_role_arn"]["value"] == "${aws_iam_role.monitoring_role.arn}"
    for m in ("data_quality", "model_quality", "model_bias", "model_explainability"):
        assert {f"{m}_job_definition_name", f"{m}_schedule_name", f"{m}_schedule_arn"} <= set(outputs)


@pytest.mark.parametrize(
    "backend, extra, expected",
    [
        (
            "s3",
            {"backend_s3_bucket": "tf-state", "backend_s3_region": "eu-west-1"},
            {
                "s3": {
                    "bucket": "tf-state",
                    "key": "smm-my-endpoint-us-east-2/terraform.tfstate",
                    "region": "eu-west-1",
                    "encrypt": True,
                    "use_lockfile": True,
                }
            },
        ),
        ("cloud", {"tfc_organization": "acme", "tfc_workspace_name": "monitoring-prod"}, None),
    ],
)
def test_backends(synth, backend, extra, expected):
    tf = synth({**MINIMAL, "backend": backend, **extra})
    if expected:
        assert tf["terraform"]["backend"] == expected
    else:
        assert tf["terraform"]["cloud"] == {
            "hostname": "app.terraform.io",
            "organization": "acme",
            "workspaces": {"name": "monitoring-prod"},
        }


def _empty_objects(node, path="") -> list[str]:
    if isinstance(node, dict):
        found = [path] if not node and not path.endswith("/outputs") else []
        return found + [p for k, v in node.items() for p in _empty_objects(v, f"{path}/{k}")]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _empty_objects(v, f"{path}/{i}")]
    return []


def test_no_block_synthesizes_empty(synth):
    """Guards against jsii dropping multi-word keys of dicts passed inside lists (an ECR encryption
    block once came out as `[{}]`)."""
    import yaml
    from conftest import REPO

    example = yaml.safe_load((REPO / "examples" / "full.yaml").read_text())
    without_key = {
        k: v
        for k, v in example.items()
        if k != "kms_key_id"
        and not k.startswith(
            ("alert_", "data_quality_drift", "model_quality_alarms", "model_bias_alarms", "model_explainability_alarms")
        )
    }
    for config in (FULL, example, without_key):
        assert _empty_objects(synth({k: v for k, v in config.items() if v is not None})) == []


def test_monitoring_role_trust_is_limited_to_this_account(full_tf):
    [trust] = [
        d for key, d in full_tf["data"]["aws_iam_policy_document"].items() if key.startswith("monitoring_role_trust")
    ]
    [statement] = trust["statement"]
    assert statement["principals"] == [{"type": "Service", "identifiers": ["sagemaker.amazonaws.com"]}]
    assert statement["condition"] == [
        {
            "test": "StringEquals",
            "variable": "aws:SourceAccount",
            "values": ["${data.aws_caller_identity.caller.account_id}"],
        }
    ]


def test_s3_access_at_the_bucket_root_never_gives_a_double_slash():
    from monitors.constructs.iam import s3_list_prefixes, s3_object_arns

    arn = f"arn:aws:s3:::{BUCKET}"
    assert s3_object_arns(arn, [f"s3://{BUCKET}", f"s3://{BUCKET}/"]) == (f"{arn}/*",)
    assert s3_list_prefixes([f"s3://{BUCKET}/"]) == ("*",)
    assert s3_object_arns(arn, [f"s3://{BUCKET}/a/x.py"]) == (f"{arn}/a/x.py", f"{arn}/a/x.py/*")


def test_s3_access_is_the_one_list_of_monitor_locations():
    from monitors.constructs.iam import s3_access
    from monitors.settings.config import validate

    read, write = s3_access(
        validate(
            {
                **MINIMAL,
                "data_quality_batch_transform_input": {
                    "data_captured_destination_s3_uri": f"{S}/batch-capture/",
                    "dataset_format": "csv",
                },
            }
        )
    )
    assert read == [f"{S}/baseline/dq/", f"{S}/batch-capture/"]
    assert write == [f"{S}/output/dq/"]


def test_batch_transform_only_monitors_read_no_endpoint_capture(synth):
    st = _statements(
        synth(
            {
                **MINIMAL,
                "data_quality_batch_transform_input": {
                    "data_captured_destination_s3_uri": f"{S}/batch-capture/",
                    "dataset_format": "csv",
                },
            }
        )
    )
    assert st["ReadMonitorInputs"]["resources"] == [
        f"arn:aws:s3:::{BUCKET}/baseline/dq/*",
        f"arn:aws:s3:::{BUCKET}/batch-capture/*",
    ]


def test_every_schedule_waits_for_the_monitoring_role_policy(full_tf):
    # A schedule that starts before the role's policy exists fails its first jobs with AccessDenied.
    schedules = full_tf["resource"]["aws_sagemaker_monitoring_schedule"]
    assert len(schedules) == 4
    for name, schedule in schedules.items():
        assert schedule["depends_on"] == ["aws_iam_role_policy.monitoring_role_policy"], name


def test_every_depends_on_is_a_plain_address(tmp_path):
    # `depends_on` takes `type.name`; a `${...}` reference there fails `terraform init` ("Invalid expression"),
    # which the awscc-stripped validate runs would not see. The bundled example writes Clarify analysis configs.
    from monitors.constructs.app import synthesize
    from monitors.settings.config import load_plan

    plans, _ = load_plan(REPO / "examples" / "full.yaml")
    [stack] = synthesize(plans, tmp_path / "cdktf.out")
    tf = json.loads((stack / "cdk.tf.json").read_text())
    entries = [
        (rtype, name, dep)
        for rtype, block in tf["resource"].items()
        for name, r in block.items()
        for dep in r.get("depends_on", [])
    ]
    assert any(
        rtype.startswith("awscc_") for rtype, _, _ in entries
    )  # the Clarify job definitions wait for their configs
    bad = [
        (rtype, name, dep)
        for rtype, name, dep in entries
        if not re.fullmatch(r"(data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+", dep)
    ]
    assert bad == []
