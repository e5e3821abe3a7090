"""Monitors that watch a batch transform job's captured data instead of the endpoint."""

from __future__ import annotations

import json

import pytest
from conftest import BUCKET, one
from test_real_tools import CFN_TYPES, CfnValidator, _cfn_schema, to_cloudformation
from test_stack import FULL

from monitors.settings.config import ConfigError, validate

S = f"s3://{BUCKET}"
BATCH = {
    **FULL,
    "data_quality_batch_transform_input": {
        "data_captured_destination_s3_uri": f"{S}/batch/dq/",
        "dataset_format": "csv",
        "csv_header": True,
    },
    "model_quality_batch_transform_input": {
        "data_captured_destination_s3_uri": f"{S}/batch/mq/",
        "dataset_format": "json",
        "json_line": True,
    },
    "model_bias_batch_transform_input": {
        "data_captured_destination_s3_uri": f"{S}/batch/bias/",
        "dataset_format": "parquet",
    },
    "model_explainability_batch_transform_input": {"data_captured_destination_s3_uri": f"{S}/batch/expl/"},
}


@pytest.fixture
def tf(synth):
    return synth(BATCH)


def test_each_monitor_reads_the_batch_capture_not_the_endpoint(tf):
    dq = one(tf, "aws_sagemaker_data_quality_job_definition")["data_quality_job_input"]
    assert "endpoint_input" not in dq
    assert dq["batch_transform_input"] == {
        "data_captured_destination_s3_uri": f"{S}/batch/dq/",
        "dataset_format": {"csv": {"header": True}},
        "local_path": "/opt/ml/processing/input/batch_transform",
        "s3_data_distribution_type": "FullyReplicated",
        "s3_input_mode": "File",
    }
    mq = one(tf, "awscc_sagemaker_model_quality_job_definition")["model_quality_job_input"]
    assert "endpoint_input" not in mq and mq["ground_truth_s3_input"] == {"s3_uri": f"{S}/gt/mq/"}
    assert mq["batch_transform_input"]["dataset_format"] == {"json": {"line": True}}
    assert (
        mq["batch_transform_input"]["inference_attribute"],
        mq["batch_transform_input"]["probability_threshold_attribute"],
    ) == ("prediction", 0.6)
    bias = one(tf, "awscc_sagemaker_model_bias_job_definition")["model_bias_job_input"]["batch_transform_input"]
    assert bias["dataset_format"] == {"parquet": True} and bias["features_attribute"] == "features"
    expl = one(tf, "awscc_sagemaker_model_explainability_job_definition")["model_explainability_job_input"]
    assert list(expl) == ["batch_transform_input"] and expl["batch_transform_input"]["dataset_format"] == {"csv": {}}


@pytest.mark.parametrize("rtype", sorted(CFN_TYPES))
def test_batch_payloads_match_cloudformation_schema(tf, rtype):
    schema = _cfn_schema(CFN_TYPES[rtype])
    [resource] = tf["resource"][rtype].values()
    text = json.dumps({k: v for k, v in resource.items() if k not in ("//", "lifecycle", "provider")})
    text = text.replace("${aws_iam_role.monitoring_role.arn}", "arn:aws:iam::123456789012:role/monitoring")
    text = text.replace(
        "${data.aws_kms_key.monitoring_key.arn}",
        "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    import re

    text = re.sub(
        r"\$\{data\.aws_sagemaker_prebuilt_ecr_image\.\w+\.registry_path\}",
        "156813124566.dkr.ecr.us-east-2.amazonaws.com/image:1",
        text,
    )
    errors = [
        f"{list(e.path)}: {e.message}"
        for e in CfnValidator(schema).iter_errors(to_cloudformation(json.loads(text), schema, schema))
    ]
    assert errors == []


@pytest.mark.slow
def test_terraform_validate_with_batch_input(tf, terraform_validate):
    report = terraform_validate(tf)
    assert report["valid"] is True, report["diagnostics"]


@pytest.mark.parametrize(
    "batch, expected",
    [
        (
            {"data_captured_destination_s3_uri": f"{S}/b/", "dataset_format": "json", "csv_header": True},
            "data_quality_batch_transform_input: csv_header only applies to dataset_format csv (got 'json')",
        ),
        (
            {"data_captured_destination_s3_uri": f"{S}/b/", "dataset_format": "parquet"},
            "data_quality_batch_transform_input.dataset_format: parquet is not available for data quality",
        ),
        (
            {"data_captured_destination_s3_uri": "s3://other-bucket/b/"},
            "data_quality_batch_transform_input.data_captured_destination_s3_uri: must be inside the model bucket",
        ),
        (
            {"dataset_format": "csv"},
            "data_quality_batch_transform_input.data_captured_destination_s3_uri: Field required",
        ),
        (
            {"data_captured_destination_s3_uri": f"{S}/b/", "dataset_format": "xml"},
            "data_quality_batch_transform_input.dataset_format: Input should be 'csv', 'json' or 'parquet'",
        ),
        (
            {"data_captured_destination_s3_uri": f"{S}/b/", "endpoint_name": "x"},
            "data_quality_batch_transform_input.endpoint_name: Extra inputs are not permitted",
        ),
    ],
)
def test_batch_input_rules(batch, expected):
    with pytest.raises(ConfigError) as exc:
        validate({**FULL, "data_quality_batch_transform_input": batch})
    assert any(p.startswith(expected) for p in exc.value.problems), exc.value.problems


def test_batch_input_for_a_disabled_monitor_is_an_error():
    config = {k: v for k, v in FULL.items() if not k.startswith("enable_model_bias")}
    config["model_bias_batch_transform_input"] = {"data_captured_destination_s3_uri": f"{S}/b/"}
    with pytest.raises(ConfigError) as exc:
        validate(config)
    assert "model_bias_batch_transform_input: is set but enable_model_bias_monitor is false" in exc.value.problems
