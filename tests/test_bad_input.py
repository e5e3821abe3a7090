"""Bad configurations through the real CLI: exit code 2, a message naming the parameter, nothing written."""

from __future__ import annotations

import pytest
import yaml
from conftest import BUCKET, MINIMAL

S = f"s3://{BUCKET}"
MQ = {"enable_model_quality_monitor": True, "model_quality_baseline_s3_uri": f"{S}/b/", "model_quality_output_s3_uri": f"{S}/o/",
      "model_quality_ground_truth_s3_uri": f"{S}/gt/", "model_quality_inference_attribute": "0"}
BIAS = {"enable_model_bias_monitor": True, "model_bias_baseline_s3_uri": f"{S}/b/", "model_bias_output_s3_uri": f"{S}/o/",
        "model_bias_ground_truth_s3_uri": f"{S}/gt/"}
BASELINE = {"baseline_training_data_s3_uri": f"{S}/train.csv", "baseline_output_data_s3_uri": f"{S}/baselines/"}
DROP = object()

CASES = [
    # (id, changes to MINIMAL, expected start of one error line after "error: ")
    ("missing endpoint", {"endpoint_name": DROP}, "endpoint_name: is required"),
    ("missing bucket", {"model_bucket_arn": DROP}, "model_bucket_arn: is required"),
    ("no monitor", {"enable_data_quality_monitor": False}, "enable_data_quality_monitor: at least one of"),
    ("bool as text", {"enable_data_quality_monitor": "sometimes"}, "enable_data_quality_monitor: Input should be a valid boolean"),
    ("count as text", {"data_quality_instance_count": "two"}, "data_quality_instance_count: Input should be a valid integer"),
    ("count zero", {"data_quality_instance_count": 0}, "data_quality_instance_count: Input should be greater than or equal to 1"),
    ("volume too big", {"data_quality_instance_volume_size_in_gb": 99999}, "data_quality_instance_volume_size_in_gb: Input should be less than or equal to 16384"),
    ("runtime too long", {"data_quality_max_runtime_in_seconds": 100000}, "data_quality_max_runtime_in_seconds: Input should be less than or equal to 86400"),
    ("instance type", {"data_quality_instance_type": "m5.large"}, "data_quality_instance_type: must be a SageMaker ML instance type"),
    ("bucket arn malformed", {"model_bucket_arn": "arn:aws:s3:my-bucket"}, "model_bucket_arn: must be an S3 bucket ARN"),
    ("bucket arn is a uri", {"model_bucket_arn": f"s3://{BUCKET}"}, "model_bucket_arn: must be an S3 bucket ARN"),
    ("uri not s3", {"data_quality_output_s3_uri": "https://x/y"}, "data_quality_output_s3_uri: must be an S3 URI"),
    ("uri outside bucket", {"data_quality_output_s3_uri": "s3://another-bucket/out/"}, "data_quality_output_s3_uri: must be inside the model bucket"),
    ("baseline outside bucket", {"data_quality_baseline_s3_uri": "s3://another-bucket/b/"}, "data_quality_baseline_s3_uri: must be inside the model bucket"),
    ("missing output", {"data_quality_output_s3_uri": DROP}, "data_quality_output_s3_uri: is required when enable_data_quality_monitor is true"),
    ("missing baseline", {"data_quality_baseline_s3_uri": DROP}, "data_quality_baseline_s3_uri: is required when enable_data_quality_monitor is true"),
    ("cron rate form", {"data_quality_schedule_expression": "rate(1 hour)"}, "data_quality_schedule_expression: must be one of the cron forms"),
    ("cron minutes", {"data_quality_schedule_expression": "cron(30 * ? * * *)"}, "data_quality_schedule_expression: must be one of the cron forms"),
    ("cron hour 24", {"data_quality_schedule_expression": "cron(0 24 ? * * *)"}, "data_quality_schedule_expression: must be one of the cron forms"),
    ("cron NOW", {"data_quality_schedule_expression": "NOW"}, "data_quality_schedule_expression: SageMaker's one-off 'NOW' schedule cannot be expressed"),
    ("sg without subnets", {"security_group_id": "sg-0123456789abcdef0"}, "security_group_id: security_group_id and subnet_ids must be given together"),
    ("subnets not a list", {"subnet_ids": "subnet-0123456789abcdef0", "security_group_id": "sg-0123456789abcdef0"}, "subnet_ids: Input should be a valid list"),
    ("bad subnet id", {"subnet_ids": ["subnet-x"], "security_group_id": "sg-0123456789abcdef0"}, "subnet_ids[0]: must be a subnet id"),
    ("bad kms", {"kms_key_id": "my key"}, "kms_key_id: must be a KMS key id, alias"),
    ("bad kms arn", {"kms_key_id": "arn:aws:kms:us-east-1:123:key/x"}, "kms_key_id: must be a KMS key id, alias"),
    ("tags not a map", {"tags": ["a", "b"]}, "tags: Input should be a valid dictionary"),
    ("reserved tag", {"tags": {"aws:owner": "me"}}, "tags: tag key 'aws:owner' uses the reserved 'aws:' prefix"),
    ("unknown name close", {"data_quality_instance_typ": "ml.m5.large"}, "data_quality_instance_typ: unknown parameter in config.yaml (did you mean 'data_quality_instance_type'?)"),
    ("unknown name far", {"favourite_colour": "blue"}, "favourite_colour: unknown parameter in config.yaml"),
    ("problem type", {**MQ, "model_quality_problem_type": "Ranking"}, "model_quality_problem_type: Input should be 'Regression', 'BinaryClassification' or 'MulticlassClassification'"),
    ("regression without attribute", {**MQ, "model_quality_inference_attribute": DROP}, "model_quality_inference_attribute: is required when model_quality_problem_type is Regression"),
    ("binary half probability", {**MQ, "model_quality_problem_type": "BinaryClassification", "model_quality_probability_attribute": "p"},
     "model_quality_probability_threshold_attribute: BinaryClassification needs"),
    ("threshold above 1", {**MQ, "model_quality_probability_threshold_attribute": 2}, "model_quality_probability_threshold_attribute: Input should be less than or equal to 1"),
    ("bias without ground truth", {**BIAS, "model_bias_ground_truth_s3_uri": DROP}, "model_bias_ground_truth_s3_uri: is required when enable_model_bias_monitor is true"),
    ("baseline half given", {"baseline_training_data_s3_uri": f"{S}/train.csv"}, "baseline_output_data_s3_uri: baseline_training_data_s3_uri and baseline_output_data_s3_uri must be given together"),
    ("baseline params unknown field", {**BASELINE, "baseline_data_quality_params": {"instance_cnt": 2}}, "baseline_data_quality_params: unknown field 'instance_cnt' (did you mean 'instance_count'?)"),
    ("baseline params for disabled monitor", {**BASELINE, "baseline_model_bias_params": {"facet_name": "age"}}, "baseline_model_bias_params: is set but enable_model_bias_monitor is false"),
    ("baseline params the lambda rejects", {**BASELINE, **BIAS, "model_bias_baseline_s3_uri": DROP,
                                            "baseline_model_bias_params": {"headers": ["label", "age"], "facet_name": "agee"}},
     "baseline_model_bias_params: the baseline Lambda would reject it: 'model_bias_params.facet_name' 'agee' must be one of "
     "'model_bias_params.headers' (label, age)"),
    ("shap baseline too narrow", {**BASELINE, "enable_model_explainability_monitor": True, "model_explainability_output_s3_uri": f"{S}/o/",
                                  "baseline_model_explainability_params": {"headers": ["label", "age", "tenure"], "shap_baseline": [[1]]}},
     "baseline_model_explainability_params: the baseline Lambda would reject it: 'model_explainability_params.shap_baseline' row 0 "
     "has 1 value(s); it needs one per feature (2: age, tenure), without the label"),
    ("baseline training data is a prefix", {**BASELINE, "baseline_training_data_s3_uri": f"s3://{BUCKET}"},
     "baseline_training_data_s3_uri: the baseline Lambda would reject it: 'training_data_uri'"),
    ("baseline schedule", {**BASELINE, "baseline_schedule_expression": "daily"}, "baseline_schedule_expression: must be an EventBridge schedule"),
    ("lambda image not ecr", {**BASELINE, "baseline_lambda_image_uri": "docker.io/me/img:1"}, "baseline_lambda_image_uri: must be an ECR image URI"),
    ("log retention", {**BASELINE, "baseline_log_retention_days": 10}, "baseline_log_retention_days: Input should be 1, 3, 5"),
    ("s3 backend without bucket", {"backend": "s3"}, "backend_s3_bucket: is required when backend is s3"),
    ("cloud backend both workspaces", {"backend": "cloud", "tfc_organization": "o", "tfc_workspace_name": "w", "tfc_workspace_tags": ["t"]},
     "tfc_workspace_name: backend cloud needs exactly one of tfc_workspace_name or tfc_workspace_tags"),
    ("absolute state path", {"backend_local_path": "/var/state.tfstate"}, "backend_local_path: must be a relative path"),
    ("region", {"region": "moon-1"}, "region: must be an AWS region like us-east-1"),
    ("stack name", {"stack_name": "1-bad name"}, "stack_name: must start with a letter"),
    ("boundary arn", {"permissions_boundary_arn": "arn:aws:iam::123456789012:role/x"}, "permissions_boundary_arn: must be an IAM policy ARN"),
    # --- monitor semantics (issue 10) ---
    ("positive time offset", {**MQ, "model_quality_start_time_offset": "PT2H"},
     "model_quality_start_time_offset: must be a negative ISO 8601 duration of at most 15 characters like -PT2H"),
    ("zero time offset", {**BIAS, "model_bias_end_time_offset": "-PT0H"}, "model_bias_end_time_offset: must be a negative ISO 8601 duration"),
    ("end offset before start", {**MQ, "model_quality_start_time_offset": "-PT1H", "model_quality_end_time_offset": "-PT2H"},
     "model_quality_end_time_offset: '-PT2H' is before model_quality_start_time_offset '-PT1H'"),
    ("offset for a disabled monitor", {"model_bias_start_time_offset": "-PT1H"},
     "model_bias_start_time_offset: is set but enable_model_bias_monitor is false"),
    ("preprocessor outside bucket", {"data_quality_record_preprocessor_source_uri": "s3://another-bucket/pre.py"},
     "data_quality_record_preprocessor_source_uri: must be inside the model bucket"),
    ("post-processor is a prefix", {**MQ, "model_quality_post_analytics_processor_source_uri": f"{S}/scripts/"},
     "model_quality_post_analytics_processor_source_uri: must name a script object, not a prefix"),
    ("bias thresholds differ", {**BASELINE, **BIAS, "model_bias_baseline_s3_uri": DROP, "model_bias_probability_threshold_attribute": 0.5,
                                "baseline_model_bias_params": {"headers": ["label", "age"], "facet_name": "age", "probability_threshold": 0.8}},
     "model_bias_probability_threshold_attribute: 0.5 differs from baseline_model_bias_params.probability_threshold 0.8"),
    ("explainability config without model", {**BASELINE, "enable_model_explainability_monitor": True, "model_explainability_output_s3_uri": f"{S}/o/"},
     "baseline_model_explainability_params: needs model_name"),
    ("model quality baseline column twice", {**BASELINE, **MQ, "model_quality_baseline_ground_truth_column": "churned",
                                             "baseline_model_quality_params": {"ground_truth_attribute": "label"}},
     "model_quality_baseline_ground_truth_column: 'churned' differs from baseline_model_quality_params.ground_truth_attribute 'label'"),
    ("model quality baseline column without generation", {**MQ, "model_quality_baseline_inference_column": "pred"},
     "model_quality_baseline_inference_column: is a column of the baseline dataset: it needs baseline generation"),
    ("baseline dataset format", {**BASELINE, "data_quality_baseline_dataset_format": "parquet"},
     "data_quality_baseline_dataset_format: Input should be 'csv', 'json_lines' or 'json'"),
    ("alarms without metrics", {"alert_create_topic": True, "kms_key_id": "alias/k", "publish_cloudwatch_metrics": False,
                                "data_quality_drift_alarms": [{"feature": "age", "threshold": 0.1}]},
     "data_quality_drift_alarms: alarms watch published metrics, but publish_cloudwatch_metrics is false"),
]


def test_at_least_thirty_distinct_cases():
    assert len({case[0] for case in CASES}) == len(CASES) >= 30


@pytest.mark.parametrize("case_id, changes, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_configuration_is_rejected_by_the_cli(run_main, tmp_path, case_id, changes, expected):
    config = {k: v for k, v in {**MINIMAL, **changes}.items() if v is not DROP}
    result = run_main(config=yaml.safe_dump(config))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line.removeprefix("error: ") for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert any(line.startswith(expected) for line in errors), errors
    assert result.stderr.rstrip().endswith("configuration problem(s); nothing was written.")
    assert not (tmp_path / "cdktf.out").exists()


def test_malformed_yaml_and_manifest_shapes(run_main, tmp_path):
    for text, expected in (
        ("endpoint_name: [unclosed", "config.yaml is not valid YAML or JSON"),
        ("- just\n- a list\n", "error: --config: "),
        ("parameters: {endpoint_name: x}\n", "error: --config: 'parameters' in"),
        ("parameters:\n  - value: 1\n", "error: parameters[0]: each entry needs a 'name' and a 'value'"),
    ):
        result = run_main(config=text)
        assert result.returncode == 2 and expected in result.stderr, result.stderr
        assert "is required" not in result.stderr  # only the file's own problem, not its consequences
        assert not (tmp_path / "cdktf.out").exists()
