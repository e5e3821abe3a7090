"""Configuration: sources, precedence, names, and one test per validation rule (checking the message)."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import BUCKET, MINIMAL, seed_manifest

from monitors.settings.config import ConfigError, load_settings, validate


def problems(config: dict) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        validate(config)
    return exc.value.problems


def test_minimal_config_defaults_are_the_seeds():
    s = validate(MINIMAL)
    assert s.data_quality.instance_type == "ml.m5.large"
    assert s.data_quality.instance_count == 1
    assert s.data_quality.instance_volume_size_in_gb == 20
    assert s.data_quality.max_runtime_in_seconds == 3600
    assert s.model_quality.max_runtime_in_seconds == 1800
    assert s.model_quality.problem_type == "Regression"
    assert s.data_quality.schedule_expression == "cron(0 * ? * * *)"
    assert s.baseline_instance_type == "ml.m5.xlarge"
    assert s.baseline_volume_size_gb == 20
    assert s.baseline_max_runtime_seconds == 3600
    assert s.enabled_monitors == ("data_quality",)


@pytest.mark.parametrize(
    "override, expected",
    [
        (
            {"enable_data_quality_monitor": False},
            "enable_data_quality_monitor: at least one of enable_data_quality_monitor, enable_model_quality_monitor",
        ),
        ({"endpoint_name": None}, "endpoint_name: is required"),
        (
            {"model_bucket_arn": "my-bucket"},
            "model_bucket_arn: must be an S3 bucket ARN like arn:aws:s3:::my-bucket (got 'my-bucket')",
        ),
        ({"model_bucket_arn": "arn:aws:s3:::my-bucket/key"}, "model_bucket_arn: must be an S3 bucket ARN"),
        (
            {"data_quality_output_s3_uri": "https://example.com/x"},
            "data_quality_output_s3_uri: must be an S3 URI like s3://bucket/prefix",
        ),
        (
            {"data_quality_output_s3_uri": "s3://other-bucket/out/"},
            f"data_quality_output_s3_uri: must be inside the model bucket s3://{BUCKET}/",
        ),
        (
            {"data_quality_baseline_s3_uri": None},
            "data_quality_baseline_s3_uri: is required when enable_data_quality_monitor is true (or enable baseline "
            "generation",
        ),
        (
            {"data_quality_output_s3_uri": None},
            "data_quality_output_s3_uri: is required when enable_data_quality_monitor is true",
        ),
        (
            {"data_quality_schedule_expression": "cron(0 0 * * ? *)"},
            "data_quality_schedule_expression: must be one of the cron forms SageMaker accepts",
        ),
        (
            {"data_quality_schedule_expression": "cron(0 25 ? * * *)"},
            "data_quality_schedule_expression: must be one of the cron forms",
        ),
        (
            {"data_quality_schedule_expression": "NOW"},
            "data_quality_schedule_expression: SageMaker's one-off 'NOW' schedule cannot be expressed",
        ),
        (
            {"data_quality_instance_type": "m5.large"},
            "data_quality_instance_type: must be a SageMaker ML instance type like ml.m5.large (got 'm5.large')",
        ),
        ({"data_quality_instance_count": 0}, "data_quality_instance_count: Input should be greater than or equal to 1"),
        (
            {"data_quality_instance_count": 101},
            "data_quality_instance_count: Input should be less than or equal to 100",
        ),
        (
            {"data_quality_instance_volume_size_in_gb": 20000},
            "data_quality_instance_volume_size_in_gb: Input should be less than or equal to 16384",
        ),
        (
            {"data_quality_max_runtime_in_seconds": 90000},
            "data_quality_max_runtime_in_seconds: Input should be less than or equal to 86400",
        ),
        ({"data_quality_instance_count": "two"}, "data_quality_instance_count: Input should be a valid integer"),
        (
            {"security_group_id": "sg-0123456789abcdef0"},
            "security_group_id: security_group_id and subnet_ids must be given together",
        ),
        (
            {"subnet_ids": ["subnet-0123456789abcdef0"]},
            "security_group_id: security_group_id and subnet_ids must be given together",
        ),
        (
            {"subnet_ids": ["sn-1"], "security_group_id": "sg-0123456789abcdef0"},
            "subnet_ids[0]: must be a subnet id like subnet-0123456789abcdef0",
        ),
        ({"kms_key_id": "not a key"}, "kms_key_id: must be a KMS key id, alias (alias/name) or key/alias ARN"),
        ({"tags": {"aws:foo": "x"}}, "tags: tag key 'aws:foo' uses the reserved 'aws:' prefix"),
        ({"region": "Ohio"}, "region: must be an AWS region like us-east-1"),
        (
            {"baseline_training_data_s3_uri": f"s3://{BUCKET}/train.csv"},
            "baseline_output_data_s3_uri: baseline_training_data_s3_uri and baseline_output_data_s3_uri must be "
            "given together",
        ),
        ({"backend": "s3"}, "backend_s3_bucket: is required when backend is s3"),
        ({"backend": "cloud"}, "tfc_organization: is required when backend is cloud"),
        (
            {"backend": "cloud", "tfc_organization": "acme", "tfc_workspace_name": "w", "tfc_workspace_tags": ["t"]},
            "tfc_workspace_name: give tfc_workspace_name or tfc_workspace_tags, not both (neither: the workspace is "
            "named after the stack)",
        ),
        ({"backend_local_path": "/abs/terraform.tfstate"}, "backend_local_path: must be a relative path"),
        ({"backend": "consul"}, "backend: Input should be 'local', 's3' or 'cloud'"),
        ({"model_monitor_image_uri": "my-image:latest"}, "model_monitor_image_uri: must be an ECR image URI"),
        ({"permissions_boundary_arn": "boundary"}, "permissions_boundary_arn: must be an IAM policy ARN"),
        ({"endpoint_name": "bad_name!"}, "endpoint_name: must be a SageMaker endpoint name"),
    ],
)
def test_each_rule_names_the_parameter(override, expected):
    config = {**MINIMAL, **override}
    config = {k: v for k, v in config.items() if v is not None}
    found = problems(config)
    assert any(p.startswith(expected) for p in found), found


MQ = {
    "enable_model_quality_monitor": True,
    "model_quality_baseline_s3_uri": f"s3://{BUCKET}/b/mq/",
    "model_quality_output_s3_uri": f"s3://{BUCKET}/o/mq/",
    "model_quality_ground_truth_s3_uri": f"s3://{BUCKET}/gt/",
}


@pytest.mark.parametrize(
    "override, expected",
    [
        (
            {"model_quality_problem_type": "Ranking"},
            "model_quality_problem_type: Input should be 'Regression', 'BinaryClassification' or "
            "'MulticlassClassification'",
        ),
        ({}, "model_quality_inference_attribute: is required when model_quality_problem_type is Regression"),
        (
            {"model_quality_problem_type": "MulticlassClassification"},
            "model_quality_inference_attribute: is required when model_quality_problem_type is "
            "MulticlassClassification",
        ),
        (
            {"model_quality_problem_type": "BinaryClassification", "model_quality_probability_attribute": "prob"},
            "model_quality_probability_threshold_attribute: BinaryClassification needs "
            "model_quality_probability_attribute together with",
        ),
        (
            {
                "model_quality_problem_type": "BinaryClassification",
                "model_quality_probability_threshold_attribute": 0.5,
            },
            "model_quality_probability_attribute: BinaryClassification needs model_quality_probability_attribute "
            "together with",
        ),
        (
            {"model_quality_inference_attribute": "0", "model_quality_ground_truth_s3_uri": None},
            "model_quality_ground_truth_s3_uri: is required when enable_model_quality_monitor is true",
        ),
        (
            {"model_quality_inference_attribute": "0", "model_quality_probability_threshold_attribute": 1.5},
            "model_quality_probability_threshold_attribute: Input should be less than or equal to 1",
        ),
    ],
)
def test_model_quality_rules(override, expected):
    config = {k: v for k, v in {**MINIMAL, **MQ, **override}.items() if v is not None}
    assert any(p.startswith(expected) for p in problems(config)), problems(config)


@pytest.mark.parametrize(
    "ptype, extra",
    [
        ("BinaryClassification", {"model_quality_inference_attribute": "0"}),
        (
            "BinaryClassification",
            {"model_quality_probability_attribute": "0", "model_quality_probability_threshold_attribute": 0.5},
        ),
        ("Regression", {"model_quality_inference_attribute": "0"}),
    ],
)
def test_model_quality_attribute_combinations_accepted(ptype, extra):
    validate({**MINIMAL, **MQ, "model_quality_problem_type": ptype, **extra})


def test_bias_needs_ground_truth():
    config = {
        **MINIMAL,
        "enable_model_bias_monitor": True,
        "model_bias_baseline_s3_uri": f"s3://{BUCKET}/b/",
        "model_bias_output_s3_uri": f"s3://{BUCKET}/o/",
    }
    assert "model_bias_ground_truth_s3_uri: is required when enable_model_bias_monitor is true" in problems(config)


def test_all_problems_reported_at_once_field_and_cross_field():
    config = {
        **MINIMAL,
        "data_quality_instance_type": "large",
        "data_quality_output_s3_uri": "s3://elsewhere/x",
        "security_group_id": "sg-0123456789abcdef0",
        "model_bucket_arn": f"arn:aws:s3:::{BUCKET}",
    }
    found = problems(config)
    assert any(p.startswith("data_quality_instance_type:") for p in found)
    assert any(p.startswith("data_quality_output_s3_uri: must be inside the model bucket") for p in found)
    assert any(p.startswith("security_group_id:") for p in found)
    assert len(found) == 3, found


def test_baseline_generation_makes_baseline_uris_optional():
    config = {
        **MINIMAL,
        "baseline_training_data_s3_uri": f"s3://{BUCKET}/train.csv",
        "baseline_output_data_s3_uri": f"s3://{BUCKET}/baselines/",
    }
    del config["data_quality_baseline_s3_uri"]
    assert validate(config).baseline_generation_enabled


def write(tmp_path, name, content) -> object:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else yaml.safe_dump(content))
    return path


def test_flat_json_file_and_kebab_case_names(tmp_path):
    config = {k.replace("_", "-"): v for k, v in MINIMAL.items()}
    config["data-quality-schedule-expression"] = "cron(0 5 ? * * *)"
    settings, warnings = load_settings(write(tmp_path, "c.json", json.dumps(config)), environ={})
    assert settings.data_quality.schedule_expression == "cron(0 5 ? * * *)"
    assert warnings == []


def test_environment_overrides_file_with_seedfarmer_encodings(tmp_path):
    path = write(tmp_path, "c.yaml", MINIMAL)
    env = {
        "SEEDFARMER_PARAMETER_DATA_QUALITY_INSTANCE_COUNT": "3",
        "SEEDFARMER_PARAMETER_ENABLE_MODEL_QUALITY_MONITOR": "false",
        "SEEDFARMER_PARAMETER_SUBNET_IDS": '["subnet-0123456789abcdef0"]',
        "SEEDFARMER_PARAMETER_SECURITY_GROUP_ID": "sg-0123456789abcdef0",
        "SEEDFARMER_PARAMETER_TAGS": '{"team": "ml"}',
        "SEEDFARMER_PROJECT_NAME": "proj",
    }
    settings, _ = load_settings(path, environ=env)
    assert settings.data_quality.instance_count == 3
    assert settings.subnet_ids == ["subnet-0123456789abcdef0"]
    assert settings.tags == {"team": "ml"}
    assert settings.resource_tags()["seedfarmer:project-name"] == "proj"


def test_environment_only_configuration():
    env = {
        f"SEEDFARMER_PARAMETER_{k.upper()}": str(v).lower() if isinstance(v, bool) else str(v)
        for k, v in MINIMAL.items()
    }
    settings, _ = load_settings(None, environ=env)
    assert settings.endpoint_name == "my-endpoint"


def test_bad_json_in_environment_is_reported():
    env = {"SEEDFARMER_PARAMETER_SUBNET_IDS": "subnet-1,subnet-2"}
    with pytest.raises(ConfigError) as exc:
        load_settings(None, environ=env)
    assert any(p.startswith("subnet_ids: SEEDFARMER_PARAMETER_SUBNET_IDS must be JSON") for p in exc.value.problems)


def test_unknown_parameter_with_did_you_mean(tmp_path):
    path = write(tmp_path, "c.yaml", {**MINIMAL, "enpoint_name": "x", "totally_unrelated": 1})
    with pytest.raises(ConfigError) as exc:
        load_settings(path, environ={})
    assert "enpoint_name: unknown parameter in c.yaml (did you mean 'endpoint_name'?)" in exc.value.problems
    assert "totally_unrelated: unknown parameter in c.yaml" in exc.value.problems


def test_manifest_value_from_is_ignored_with_warning(tmp_path):
    manifest = {
        "name": "monitoring",
        "path": "x",
        "parameters": [
            *({"name": k, "value": v} for k, v in MINIMAL.items()),
            {"name": "kms_key_id", "valueFrom": {"moduleMetadata": {"group": "base", "name": "kms", "key": "KeyId"}}},
        ],
    }
    settings, warnings = load_settings(write(tmp_path, "m.yaml", manifest), environ={})
    assert settings.kms_key_id is None
    assert warnings and warnings[0].startswith("warning: kms_key_id: 'valueFrom' is resolved by SeedFarmer")


@pytest.mark.parametrize("name", ["basic", "baseline"])
def test_seed_manifests_load_as_they_are(tmp_path, name):
    settings, warnings = load_settings(write(tmp_path, "m.yaml", seed_manifest(name)), environ={})
    assert settings.model_bucket_arn == f"arn:aws:s3:::{BUCKET}"
    # The seed's manifests give no region: the derived stack name cannot name it, which is said.
    assert warnings[0].startswith(
        f"warning: region: not set, so the derived stack_name {settings.stack_name!r} does not name the region"
    )
    if name == "basic":
        assert warnings[1:] == []
    else:  # the seed's manifest sets BinaryClassification without attributes: allowed, with a warning; and it
        # generates baselines although both monitors name their own baseline URI: nothing reads them
        assert len(warnings) == 3 and warnings[1].startswith(
            "warning: model_quality_inference_attribute: BinaryClassification with neither"
        )
        assert warnings[2].startswith(
            "warning: baseline_training_data_s3_uri: baseline generation is on, but every enabled monitor"
        )
        assert settings.enabled_monitors == ("data_quality", "model_quality")
        assert settings.baseline_generation_enabled
        assert settings.model_quality.problem_type == "BinaryClassification"


def test_yaml_number_accepted_where_a_string_is_meant():
    settings = validate({**MINIMAL, **MQ, "model_quality_inference_attribute": 0})
    assert settings.model_quality.inference_attribute == "0"


def test_generated_bias_baseline_without_label_values_warns(tmp_path):
    config = {
        **MINIMAL,
        "enable_model_bias_monitor": True,
        "model_bias_output_s3_uri": f"s3://{BUCKET}/o/",
        "model_bias_ground_truth_s3_uri": f"s3://{BUCKET}/gt/",
        "baseline_training_data_s3_uri": f"s3://{BUCKET}/train.csv",
        "baseline_output_data_s3_uri": f"s3://{BUCKET}/b/",
    }
    _, warnings = load_settings(write(tmp_path, "c.json", json.dumps(config)), environ={})
    assert warnings == [
        "warning: baseline_model_bias_params: label_values is not set, so the generated bias baseline uses "
        "the seed's default '0,1', which counts both binary labels as the positive outcome and makes the "
        "bias metrics meaningless; set label_values to the positive label value(s)"
    ]
    config["baseline_model_bias_params"] = {"label_values": "1"}
    assert load_settings(write(tmp_path, "c.json", json.dumps(config)), environ={})[1] == []
