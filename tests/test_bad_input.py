"""Bad configurations through main.main() (in this process, the ``cli`` fixture): exit code 2, a message naming the
parameter, nothing written. tests/test_cli.py holds the same contract for `python main.py` as a process."""

from __future__ import annotations

import os
import time

import pytest
import yaml
from conftest import BUCKET, MINIMAL

S = f"s3://{BUCKET}"
MQ = {
    "enable_model_quality_monitor": True,
    "model_quality_baseline_s3_uri": f"{S}/b/",
    "model_quality_output_s3_uri": f"{S}/o/",
    "model_quality_ground_truth_s3_uri": f"{S}/gt/",
    "model_quality_inference_attribute": "0",
}
BIAS = {
    "enable_model_bias_monitor": True,
    "model_bias_baseline_s3_uri": f"{S}/b/",
    "model_bias_output_s3_uri": f"{S}/o/",
    "model_bias_ground_truth_s3_uri": f"{S}/gt/",
}
BASELINE = {"baseline_training_data_s3_uri": f"{S}/train.csv", "baseline_output_data_s3_uri": f"{S}/baselines/"}
DROP = object()

CASES = [
    # (id, changes to MINIMAL, expected start of one error line after "error: ")
    ("missing endpoint", {"endpoint_name": DROP}, "endpoint_name: is required"),
    ("missing bucket", {"model_bucket_arn": DROP}, "model_bucket_arn: is required"),
    ("no monitor", {"enable_data_quality_monitor": False}, "enable_data_quality_monitor: at least one of"),
    (
        "bool as text",
        {"enable_data_quality_monitor": "sometimes"},
        "enable_data_quality_monitor: Input should be a valid boolean",
    ),
    (
        "count as text",
        {"data_quality_instance_count": "two"},
        "data_quality_instance_count: Input should be a valid integer",
    ),
    (
        "count zero",
        {"data_quality_instance_count": 0},
        "data_quality_instance_count: Input should be greater than or equal to 1",
    ),
    (
        "volume too big",
        {"data_quality_instance_volume_size_in_gb": 99999},
        "data_quality_instance_volume_size_in_gb: Input should be less than or equal to 16384",
    ),
    (
        "runtime too long",
        {"data_quality_max_runtime_in_seconds": 100000},
        "data_quality_max_runtime_in_seconds: Input should be less than or equal to 86400",
    ),
    (
        "instance type",
        {"data_quality_instance_type": "m5.large"},
        "data_quality_instance_type: must be a SageMaker ML instance type",
    ),
    (
        "bucket arn malformed",
        {"model_bucket_arn": "arn:aws:s3:my-bucket"},
        "model_bucket_arn: must be an S3 bucket ARN",
    ),
    ("bucket arn is a uri", {"model_bucket_arn": f"s3://{BUCKET}"}, "model_bucket_arn: must be an S3 bucket ARN"),
    ("uri not s3", {"data_quality_output_s3_uri": "https://x/y"}, "data_quality_output_s3_uri: must be an S3 URI"),
    (
        "uri outside bucket",
        {"data_quality_output_s3_uri": "s3://another-bucket/out/"},
        "data_quality_output_s3_uri: must be inside the model bucket",
    ),
    (
        "baseline outside bucket",
        {"data_quality_baseline_s3_uri": "s3://another-bucket/b/"},
        "data_quality_baseline_s3_uri: must be inside the model bucket",
    ),
    (
        "missing output",
        {"data_quality_output_s3_uri": DROP},
        "data_quality_output_s3_uri: is required when enable_data_quality_monitor is true",
    ),
    (
        "missing baseline",
        {"data_quality_baseline_s3_uri": DROP},
        "data_quality_baseline_s3_uri: is required when enable_data_quality_monitor is true",
    ),
    (
        "cron rate form",
        {"data_quality_schedule_expression": "rate(1 hour)"},
        "data_quality_schedule_expression: must be one of the cron forms",
    ),
    (
        "cron minutes",
        {"data_quality_schedule_expression": "cron(30 * ? * * *)"},
        "data_quality_schedule_expression: must be one of the cron forms",
    ),
    (
        "cron hour 24",
        {"data_quality_schedule_expression": "cron(0 24 ? * * *)"},
        "data_quality_schedule_expression: must be one of the cron forms",
    ),
    (
        "cron NOW",
        {"data_quality_schedule_expression": "NOW"},
        "data_quality_schedule_expression: SageMaker's one-off 'NOW' schedule cannot be expressed",
    ),
    (
        "sg without subnets",
        {"security_group_id": "sg-0123456789abcdef0"},
        "security_group_id: security_group_id and subnet_ids must be given together",
    ),
    (
        "subnets not a list",
        {"subnet_ids": "subnet-0123456789abcdef0", "security_group_id": "sg-0123456789abcdef0"},
        "subnet_ids: Input should be a valid list",
    ),
    (
        "bad subnet id",
        {"subnet_ids": ["subnet-x"], "security_group_id": "sg-0123456789abcdef0"},
        "subnet_ids[0]: must be a subnet id",
    ),
    ("bad kms", {"kms_key_id": "my key"}, "kms_key_id: must be a KMS key id, alias"),
    ("bad kms arn", {"kms_key_id": "arn:aws:kms:us-east-1:123:key/x"}, "kms_key_id: must be a KMS key id, alias"),
    ("tags not a map", {"tags": ["a", "b"]}, "tags: Input should be a valid dictionary"),
    ("reserved tag", {"tags": {"aws:owner": "me"}}, "tags: tag key 'aws:owner' uses the reserved 'aws:' prefix"),
    (
        "unknown name close",
        {"data_quality_instance_typ": "ml.m5.large"},
        "data_quality_instance_typ: unknown parameter in config.yaml (did you mean 'data_quality_instance_type'?)",
    ),
    ("unknown name far", {"favourite_colour": "blue"}, "favourite_colour: unknown parameter in config.yaml"),
    (
        "problem type",
        {**MQ, "model_quality_problem_type": "Ranking"},
        "model_quality_problem_type: Input should be 'Regression', 'BinaryClassification' or "
        "'MulticlassClassification'",
    ),
    (
        "regression without attribute",
        {**MQ, "model_quality_inference_attribute": DROP},
        "model_quality_inference_attribute: is required when model_quality_problem_type is Regression",
    ),
    (
        "binary half probability",
        {**MQ, "model_quality_problem_type": "BinaryClassification", "model_quality_probability_attribute": "p"},
        "model_quality_probability_threshold_attribute: BinaryClassification needs",
    ),
    (
        "threshold above 1",
        {**MQ, "model_quality_probability_threshold_attribute": 2},
        "model_quality_probability_threshold_attribute: Input should be less than or equal to 1",
    ),
    (
        "bias without ground truth",
        {**BIAS, "model_bias_ground_truth_s3_uri": DROP},
        "model_bias_ground_truth_s3_uri: is required when enable_model_bias_monitor is true",
    ),
    (
        "baseline half given",
        {"baseline_training_data_s3_uri": f"{S}/train.csv"},
        "baseline_output_data_s3_uri: baseline_training_data_s3_uri and baseline_output_data_s3_uri must be given "
        "together",
    ),
    (
        "baseline params unknown field",
        {**BASELINE, "baseline_data_quality_params": {"instance_cnt": 2}},
        "baseline_data_quality_params: unknown field 'instance_cnt' (did you mean 'instance_count'?)",
    ),
    (
        "baseline params for disabled monitor",
        {**BASELINE, "baseline_model_bias_params": {"facet_name": "age"}},
        "baseline_model_bias_params: is set but enable_model_bias_monitor is false",
    ),
    (
        "baseline params the lambda rejects",
        {
            **BASELINE,
            **BIAS,
            "model_bias_baseline_s3_uri": DROP,
            "baseline_model_bias_params": {"headers": ["label", "age"], "facet_name": "agee"},
        },
        "baseline_model_bias_params: the baseline Lambda would reject it: 'model_bias_params.facet_name' 'agee' must "
        "be one of "
        "'model_bias_params.headers' (label, age)",
    ),
    (
        "shap baseline too narrow",
        {
            **BASELINE,
            "enable_model_explainability_monitor": True,
            "model_explainability_output_s3_uri": f"{S}/o/",
            "baseline_model_explainability_params": {"headers": ["label", "age", "tenure"], "shap_baseline": [[1]]},
        },
        "baseline_model_explainability_params: the baseline Lambda would reject it: "
        "'model_explainability_params.shap_baseline' row 0 "
        "has 1 value(s); it needs one per feature (2: age, tenure), without the label",
    ),
    (
        "baseline training data at the bucket root",
        {**BASELINE, "baseline_training_data_s3_uri": f"s3://{BUCKET}"},
        "baseline_training_data_s3_uri: must name a prefix inside the bucket, not the bucket root",
    ),
    (
        "baseline schedule",
        {**BASELINE, "baseline_schedule_expression": "daily"},
        "baseline_schedule_expression: must be an EventBridge schedule",
    ),
    (
        "lambda image not ecr",
        {**BASELINE, "baseline_lambda_image_uri": "docker.io/me/img:1"},
        "baseline_lambda_image_uri: must be an ECR image URI",
    ),
    (
        "log retention",
        {**BASELINE, "baseline_log_retention_days": 10},
        "baseline_log_retention_days: Input should be 1, 3, 5",
    ),
    ("s3 backend without bucket", {"backend": "s3"}, "backend_s3_bucket: is required when backend is s3"),
    (
        "cloud backend both workspaces",
        {"backend": "cloud", "tfc_organization": "o", "tfc_workspace_name": "w", "tfc_workspace_tags": ["t"]},
        "tfc_workspace_name: give tfc_workspace_name or tfc_workspace_tags, not both",
    ),
    (
        "absolute state path",
        {"backend_local_path": "/var/state.tfstate"},
        "backend_local_path: must be a relative path",
    ),
    ("region", {"region": "moon-1"}, "region: must be an AWS region like us-east-1"),
    ("stack name", {"stack_name": "1-bad name"}, "stack_name: must start with a letter"),
    (
        "boundary arn",
        {"permissions_boundary_arn": "arn:aws:iam::123456789012:role/x"},
        "permissions_boundary_arn: must be an IAM policy ARN",
    ),
    # --- monitor semantics (issue 10) ---
    (
        "positive time offset",
        {**MQ, "model_quality_start_time_offset": "PT2H"},
        "model_quality_start_time_offset: must be a negative ISO 8601 duration of at most 15 characters like -PT2H",
    ),
    (
        "zero time offset",
        {**BIAS, "model_bias_end_time_offset": "-PT0H"},
        "model_bias_end_time_offset: must be a negative ISO 8601 duration",
    ),
    (
        "end offset before start",
        {**MQ, "model_quality_start_time_offset": "-PT1H", "model_quality_end_time_offset": "-PT2H"},
        "model_quality_end_time_offset: '-PT2H' is before model_quality_start_time_offset '-PT1H'",
    ),
    (
        "offset for a disabled monitor",
        {"model_bias_start_time_offset": "-PT1H"},
        "model_bias_start_time_offset: is set but enable_model_bias_monitor is false",
    ),
    (
        "preprocessor outside bucket",
        {"data_quality_record_preprocessor_source_uri": "s3://another-bucket/pre.py"},
        "data_quality_record_preprocessor_source_uri: must be inside the model bucket",
    ),
    (
        "post-processor is a prefix",
        {**MQ, "model_quality_post_analytics_processor_source_uri": f"{S}/scripts/"},
        "model_quality_post_analytics_processor_source_uri: must name a script object, not a prefix",
    ),
    (
        "bias thresholds differ",
        {
            **BASELINE,
            **BIAS,
            "model_bias_baseline_s3_uri": DROP,
            "model_bias_probability_threshold_attribute": 0.5,
            "baseline_model_bias_params": {
                "headers": ["label", "age"],
                "facet_name": "age",
                "probability_threshold": 0.8,
            },
        },
        "model_bias_probability_threshold_attribute: 0.5 differs from "
        "baseline_model_bias_params.probability_threshold 0.8",
    ),
    (
        "explainability config without model",
        {**BASELINE, "enable_model_explainability_monitor": True, "model_explainability_output_s3_uri": f"{S}/o/"},
        "baseline_model_explainability_params: needs model_name",
    ),
    (
        "model quality baseline column twice",
        {
            **BASELINE,
            **MQ,
            "model_quality_baseline_ground_truth_column": "churned",
            "baseline_model_quality_params": {"ground_truth_attribute": "label"},
        },
        "model_quality_baseline_ground_truth_column: 'churned' differs from "
        "baseline_model_quality_params.ground_truth_attribute 'label'",
    ),
    (
        "model quality baseline column without generation",
        {**MQ, "model_quality_baseline_inference_column": "pred"},
        "model_quality_baseline_inference_column: is a column of the baseline dataset: it needs baseline generation",
    ),
    (
        "baseline dataset format",
        {**BASELINE, "data_quality_baseline_dataset_format": "parquet"},
        "data_quality_baseline_dataset_format: Input should be 'csv', 'json_lines' or 'json'",
    ),
    (
        "alarms without metrics",
        {
            "alert_create_topic": True,
            "kms_key_id": "alias/k",
            "publish_cloudwatch_metrics": False,
            "data_quality_drift_alarms": [{"feature": "age", "threshold": 0.1}],
        },
        "data_quality_drift_alarms: alarms watch published metrics, but publish_cloudwatch_metrics is false",
    ),
    # issue 11 item 5: Terraform template sequences in values that must be plain (tags too: issue 22 item 3)
    (
        "template in s3 uri",
        {"data_quality_output_s3_uri": f'{S}/${{file("/etc/hostname")}}/'},
        "data_quality_output_s3_uri: must not contain '${' or '%{' (Terraform would evaluate it as a template)",
    ),
    (
        "directive in baseline params",
        {**BASELINE, "baseline_data_quality_params": {"instance_type": "%{if true}ml.m5.large%{endif}"}},
        "baseline_data_quality_params.instance_type: must not contain '${' or '%{'",
    ),
    (
        "template in alarm label",
        {
            **BIAS,
            "alert_sns_topic_arn": "arn:aws:sns:us-east-2:123456789012:t",
            "model_bias_alarms": [
                {
                    "metric": "DPPL",
                    "threshold": 0.1,
                    "direction": "above",
                    "label": "${var.x}",
                    "label_value": "1",
                    "facet": "age",
                    "facet_value": "1",
                }
            ],
        },
        "model_bias_alarms[0].label: must not contain '${' or '%{'",
    ),
    # item 6: full-match semantics, no control characters
    ("stack name newline", {"stack_name": "monitoring\n"}, "stack_name: must not contain control characters"),
    ("endpoint newline", {"endpoint_name": "my-endpoint\n"}, "endpoint_name: must not contain control characters"),
    ("kms newline", {"kms_key_id": "alias/model-monitoring\n"}, "kms_key_id: must not contain control characters"),
    ("tag value tab", {"tags": {"team": "a\tb"}}, "tags.team: must not contain control characters"),
    # item 7: AWS limits and forms
    (
        "51 tags",
        {"tags": {f"k{i}": "v" for i in range(51)}},
        "tags: 51 tags (tags, custom_tags, project and SeedFarmer tags together); AWS allows at most 50",
    ),
    ("tag value 257", {"tags": {"k": "v" * 257}}, "tags: tag 'k': the value must be 0-256 characters (got 257)"),
    ("tag key 129", {"tags": {"k" * 129: "v"}}, "tags: tag key 'kkkk"),
    (
        "monitoring uri over 512",
        {"data_quality_output_s3_uri": f"{S}/{'o' * 500}/"},
        "data_quality_output_s3_uri: must be at most 512 characters (SageMaker MonitoringS3Uri) (got 539)",
    ),
    (
        "17 subnets",
        {"security_group_id": "sg-0123456789abcdef0", "subnet_ids": [f"subnet-{i:017x}" for i in range(17)]},
        "subnet_ids: 17 subnets; a monitoring job's VPC config takes at most 16",
    ),
    (
        "kms key arn with a non-id",
        {"kms_key_id": "arn:aws:kms:us-east-2:123456789012:key/x"},
        "kms_key_id: must be a KMS key id, alias",
    ),
    ("kms bare key/", {"kms_key_id": "key/0123"}, "kms_key_id: must be a KMS key id, alias"),
    (
        "kms arn other partition",
        {"kms_key_id": "arn:aws-cn:kms:us-east-2:123456789012:alias/x"},
        "kms_key_id: is in partition 'aws-cn', but the stack's (model_bucket_arn) is 'aws'",
    ),
    (
        "kms arn other region",
        {"kms_key_id": "arn:aws:kms:us-west-2:123456789012:alias/x"},
        "kms_key_id: is in region 'us-west-2', but the stack's region is 'us-east-2'",
    ),
    (
        "sns topic other region",
        {"alert_sns_topic_arn": "arn:aws:sns:eu-west-1:123456789012:alerts"},
        "alert_sns_topic_arn: is in region 'eu-west-1'",
    ),
    (
        "boundary other partition",
        {"permissions_boundary_arn": "arn:aws-us-gov:iam::123456789012:policy/b"},
        "permissions_boundary_arn: is in partition 'aws-us-gov'",
    ),
    (
        "wildcard in s3 key",
        {"data_quality_baseline_s3_uri": f"{S}/baseline/*/"},
        "data_quality_baseline_s3_uri: must not contain the wildcards '*' or '?'",
    ),
    (
        "question mark in s3 key",
        {"data_quality_output_s3_uri": f"{S}/out?/"},
        "data_quality_output_s3_uri: must not contain the wildcards '*' or '?'",
    ),
    (
        "s3 uri at bucket root",
        {"data_quality_output_s3_uri": f"{S}/"},
        "data_quality_output_s3_uri: must name a prefix inside the bucket, not the bucket root",
    ),
    (
        "s3 uri empty segment",
        {"data_quality_output_s3_uri": f"{S}//out/"},
        "data_quality_output_s3_uri: must not contain an empty path segment '//'",
    ),
    (
        "aws managed key for created topic",
        {"alert_create_topic": True, "kms_key_id": "alias/aws/sns"},
        "kms_key_id: an AWS managed key cannot encrypt the created alert topic",
    ),
    (
        "rate 1 minutes",
        {**BASELINE, "baseline_schedule_expression": "rate(1 minutes)"},
        "baseline_schedule_expression: EventBridge wants rate(1 minute)",
    ),
    (
        "rate 5 minute",
        {**BASELINE, "baseline_schedule_expression": "rate(5 minute)"},
        "baseline_schedule_expression: EventBridge wants rate(5 minutes)",
    ),
    (
        "rate 0",
        {**BASELINE, "baseline_schedule_expression": "rate(0 hours)"},
        "baseline_schedule_expression: must be an EventBridge schedule",
    ),
    (
        "cron five fields",
        {**BASELINE, "baseline_schedule_expression": "cron(0 2 * * ?)"},
        "baseline_schedule_expression: must be an EventBridge schedule: cron(m h dom mon dow yr) or rate(N unit); "
        "cron needs six",
    ),
    (
        "cron two question marks",
        {**BASELINE, "baseline_schedule_expression": "cron(0 2 ? * ? *)"},
        "baseline_schedule_expression: must be an EventBridge schedule: cron(m h dom mon dow yr) or rate(N unit); "
        "exactly one of day-of-month",
    ),
    (
        "cron no question mark",
        {**BASELINE, "baseline_schedule_expression": "cron(0 2 * * * *)"},
        "baseline_schedule_expression: must be an EventBridge schedule: cron(m h dom mon dow yr) or rate(N unit); "
        "exactly one of day-of-month",
    ),
    ("empty state path", {"backend_local_path": ""}, "backend_local_path: must name a state file"),
    ("state path a folder", {"backend_local_path": "state/"}, "backend_local_path: must name a state file"),
    (
        "state path climbing out",
        {"backend_local_path": "../../../../elsewhere.tfstate"},
        "backend_local_path: climbs out of the project folder",
    ),
    (
        "s3 key slash",
        {"backend": "s3", "backend_s3_bucket": "state-bucket", "backend_s3_key": "/"},
        "backend_s3_key: must be an S3 object key",
    ),
    (
        "s3 key leading slash",
        {"backend": "s3", "backend_s3_bucket": "state-bucket", "backend_s3_key": "/a/terraform.tfstate"},
        "backend_s3_key: must be an S3 object key",
    ),
    (
        "s3 state bucket name",
        {"backend": "s3", "backend_s3_bucket": "State_Bucket"},
        "backend_s3_bucket: must be an S3 bucket name",
    ),
    (
        "tfc hostname as url",
        {
            "backend": "cloud",
            "tfc_organization": "o",
            "tfc_workspace_name": "w",
            "tfc_hostname": "https://app.terraform.io/",
        },
        "tfc_hostname: must be a host name like app.terraform.io, not a URL",
    ),
    (
        "fleet case collision",
        {"endpoints": [{"endpoint_name": "Churn"}, {"endpoint_name": "churn"}], "stack_per_endpoint": False},
        "endpoints[1].endpoint_name: 'churn' and endpoints[0] 'Churn' derive the same resource names",
    ),
    (
        "fleet hyphen collision",
        {"endpoints": [{"endpoint_name": "a--b"}, {"endpoint_name": "a-b"}]},
        "endpoints[1].endpoint_name: 'a-b' and endpoints[0] 'a--b' derive the same resource names",
    ),
    # item 8: booleans are not numbers; item 9: non-finite numbers
    (
        "bool as count",
        {"data_quality_instance_count": True},
        "data_quality_instance_count: must be a number, not a boolean (got true)",
    ),
    (
        "bool as alarm threshold",
        {
            "alert_sns_topic_arn": "arn:aws:sns:us-east-2:123456789012:t",
            "data_quality_drift_alarms": [{"feature": "age", "threshold": True}],
        },
        "data_quality_drift_alarms[0].threshold: must be a number, not a boolean",
    ),
    (
        "nan threshold",
        {
            "alert_sns_topic_arn": "arn:aws:sns:us-east-2:123456789012:t",
            "data_quality_drift_alarms": [{"feature": "age", "threshold": float("nan")}],
        },
        "data_quality_drift_alarms[0].threshold: must be a finite number (got nan)",
    ),
    (
        "infinite probability threshold",
        {**MQ, "model_quality_probability_threshold_attribute": float("inf")},
        "model_quality_probability_threshold_attribute: must be a finite number (got inf)",
    ),
    # issue 14: regions, permissions boundary by name
    (
        "unknown region",
        {"region": "us-east-9"},
        "region: 'us-east-9' is not a known region of partition 'aws' (botocore endpoint data) (did you mean "
        "'us-east-2'?)",
    ),
    (
        "region of another partition",
        {"region": "cn-north-1"},
        "region: 'cn-north-1' is a region of partition 'aws-cn', but model_bucket_arn is in partition 'aws'",
    ),
    (
        "unknown state bucket region",
        {"backend": "s3", "backend_s3_bucket": "state-bucket", "backend_s3_region": "eu-west-7"},
        "backend_s3_region: 'eu-west-7' is not a known region of any partition",
    ),
    (
        "both boundaries",
        {"permissions_boundary_arn": "arn:aws:iam::123456789012:policy/b", "permissions_boundary_name": "b"},
        "permissions_boundary_name: give permissions_boundary_arn or permissions_boundary_name, not both",
    ),
    (
        "boundary name with a path",
        {"permissions_boundary_name": "x/b"},
        "permissions_boundary_name: must be an IAM policy name",
    ),
]


@pytest.mark.parametrize("case_id, changes, expected", CASES, ids=[c[0] for c in CASES])
def test_bad_configuration_is_rejected_by_the_cli(cli, tmp_path, case_id, changes, expected):
    config = {k: v for k, v in {**MINIMAL, **changes}.items() if v is not DROP}
    result = cli(config=yaml.safe_dump(config))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line.removeprefix("error: ") for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert any(line.startswith(expected) for line in errors), errors
    assert result.stderr.rstrip().endswith("configuration problem(s); nothing was written.")
    assert not (tmp_path / "cdktf.out").exists()


def _manifest(*entries: str) -> str:
    return "name: monitoring\nparameters:\n" + "".join(f"  - {e}\n" for e in entries)


_FLAT = yaml.safe_dump(MINIMAL)
_BOMB = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)
# (id, file content (text or bytes), expected text in one "error: " line)
FILE_CASES = [
    (
        "yaml duplicate key",
        _FLAT + "endpoint_name: other\n",
        "is not valid YAML or JSON: line 7, column 1: duplicate key 'endpoint_name' (first at line 4)",
    ),
    (
        "json duplicate key",
        '{"endpoint_name": "a", "endpoint_name": "b"}',
        "is not valid YAML or JSON: line 1, column 24: duplicate key 'endpoint_name'",
    ),
    (
        "kebab and snake spelling",
        _FLAT + "endpoint-name: other\n",
        "endpoint_name: given as 'endpoint_name' and 'endpoint-name' in config.yaml; give it once",
    ),
    (
        "manifest entry twice",
        _manifest("name: endpoint_name\n    value: a", "name: endpoint-name\n    value: b"),
        "endpoint_name: given as 'endpoint_name' and 'endpoint-name' in config.yaml",
    ),
    (
        "flat key beside parameters",
        _manifest("name: endpoint_name\n    value: a") + "region: us-east-2\n",
        "region: is a flat parameter beside the manifest's 'parameters:' in config.yaml",
    ),
    (
        "octal endpoint name",
        _FLAT.replace("endpoint_name: my-endpoint", "endpoint_name: 0123"),
        "endpoint_name: YAML 1.1 reads the unquoted 0123 as 83; quote it ('0123') if you mean the text",
    ),
    (
        "sexagesimal project id",
        _FLAT + "sagemaker_project_id: 1:20\n",
        "sagemaker_project_id: YAML 1.1 reads the unquoted 1:20 as 80",
    ),
    ("yes as tag value", _FLAT + "tags: {enabled: yes}\n", "tags.enabled: YAML 1.1 reads the unquoted yes as True"),
    (
        "date as project id",
        _FLAT + "sagemaker_project_id: 2025-10-23\n",
        "sagemaker_project_id: YAML 1.1 reads the unquoted 2025-10-23 as datetime.date(2025, 10, 23); quote it "
        "('2025-10-23')",
    ),
    (
        "off as attribute",
        _FLAT + "model_quality_inference_attribute: off\n",
        "model_quality_inference_attribute: YAML 1.1 reads the unquoted off as False",
    ),
    (
        "value from on a required parameter",
        _manifest(
            "name: endpoint_name\n    valueFrom:\n      moduleMetadata: {group: g, name: m, key: EndpointName}",
            f"name: model_bucket_arn\n    value: {MINIMAL['model_bucket_arn']}",
            "name: enable_data_quality_monitor\n    value: true",
            f"name: data_quality_baseline_s3_uri\n    value: {MINIMAL['data_quality_baseline_s3_uri']}",
            f"name: data_quality_output_s3_uri\n    value: {MINIMAL['data_quality_output_s3_uri']}",
        ),
        "endpoint_name: is required (its manifest entry has 'valueFrom', which only SeedFarmer resolves; pass the "
        "value with "
        "SEEDFARMER_PARAMETER_ENDPOINT_NAME or as 'value')",
    ),
    ("syntax error keeps line and column", _FLAT + "tags: {a: [b}\n", "is not valid YAML or JSON: line 7, column 13:"),
    ("binary", b"\x00\x01\x02\xff", "is not a text file (it holds NUL bytes)"),
    ("latin-1", "endpoint_name: caf\xe9\n".encode("latin-1"), "is not UTF-8 text (byte 18)"),
    ("utf-16", _FLAT.encode("utf-16"), "is UTF-16; save it as UTF-8"),
    ("deep nesting", "a: " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than 32 levels"),
    ("alias bomb", _BOMB, "expands to more than 200000 values (aliases); write the values out"),
    (
        "50 MB of unknown keys",
        "".join(f"unknown_key_{i}: {'x' * 40}\n" for i in range(1_000_000)),
        "bytes; a configuration file may have at most 1000000",
    ),
]


@pytest.mark.parametrize("case_id, content, expected", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_bad_configuration_file_is_rejected_quickly(cli, tmp_path, case_id, content, expected):
    path = tmp_path / "config.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    started = time.monotonic()
    result = cli(["--config", str(path)])
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert any(expected in line for line in errors), errors
    assert all(len(line) < 400 for line in errors), errors  # nothing huge echoed back
    assert elapsed < 20, elapsed  # seconds; minutes before (50 MB of keys, alias bombs)
    assert not (tmp_path / "cdktf.out").exists()


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "folder"])
def test_config_that_is_not_a_regular_file(run_main, cli, tmp_path, special):
    # /dev/zero and the fifo in a real process, with its timeout: read, they would fill the memory or block forever.
    run = cli if special == "folder" else run_main
    if special == "fifo":
        os.mkfifo(tmp_path / "fifo")  # opening it would block forever
        special = str(tmp_path / "fifo")
    elif special == "folder":
        special = str(tmp_path)
    result = run(["--config", special])
    assert result.returncode == 2 and f"error: --config: {special} is not a regular file" in result.stderr, (
        result.stderr
    )
    assert not (tmp_path / "cdktf.out").exists()


def test_unknown_keys_are_counted_not_listed(cli, tmp_path):
    result = cli(config=_FLAT + "".join(f"stray_{i}: 1\n" for i in range(500)))
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert result.returncode == 2
    assert errors[-1] == "error: (and 480 more unknown parameters)" and len(errors) == 21, errors


def test_huge_value_is_not_echoed_back(cli, tmp_path):
    result = cli(config={**MINIMAL, "data_quality_instance_type": "m" * 200_000})
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert line.startswith(
        "error: data_quality_instance_type: must be a SageMaker ML instance type like ml.m5.large (got 'mmmm"
    )
    assert line.endswith("...')") and len(line) < 200, line


def test_non_finite_number_from_the_environment(cli, tmp_path):
    result = cli(
        config={**MINIMAL, **MQ}, env={"SEEDFARMER_PARAMETER_MODEL_QUALITY_PROBABILITY_THRESHOLD_ATTRIBUTE": "NaN"}
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "error: model_quality_probability_threshold_attribute: Input should be a finite number" in result.stderr, (
        result.stderr
    )


def test_malformed_yaml_and_manifest_shapes(cli, tmp_path):
    for text, expected in (
        ("endpoint_name: [unclosed", "config.yaml is not valid YAML or JSON"),
        ("- just\n- a list\n", "error: --config: "),
        ("parameters: {endpoint_name: x}\n", "error: --config: 'parameters' in"),
        ("parameters:\n  - value: 1\n", "error: parameters[0]: each entry needs a 'name' and a 'value'"),
    ):
        result = cli(config=text)
        assert result.returncode == 2 and expected in result.stderr, result.stderr
        assert "is required" not in result.stderr  # only the file's own problem, not its consequences
        assert not (tmp_path / "cdktf.out").exists()


def test_output_folder_that_is_a_file(cli, tmp_path):
    # (A read-only folder takes the same path, but these tests run as root, which may write anywhere.)
    out = tmp_path / "out"
    out.write_text("not a folder")
    result = cli(["--outdir", str(out)], config=MINIMAL)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    [line] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert line == "error: --outdir: out exists and is not a folder; nothing was written", line
    assert out.read_text() == "not a folder"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".synth-")] == []
