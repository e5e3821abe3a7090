"""Baseline generation in the synthesized Terraform: wiring, parameters reaching the event, IAM, image."""

from __future__ import annotations

import json

import pytest
from conftest import BUCKET, MINIMAL, one, resources

from monitors.constructs.json_documents import document_value

S = f"s3://{BUCKET}"
IMAGE = "123456789012.dkr.ecr.us-east-2.amazonaws.com/baseline-lambda:v1"
BASELINE = {
    **{k: v for k, v in MINIMAL.items() if k != "data_quality_baseline_s3_uri"},
    "enable_model_bias_monitor": True,
    "model_bias_output_s3_uri": f"{S}/o/bias/",
    "model_bias_ground_truth_s3_uri": f"{S}/gt/",
    "baseline_training_data_s3_uri": f"{S}/training/train.csv",
    "baseline_output_data_s3_uri": f"{S}/baselines/",
    "baseline_instance_count": 2,
    "baseline_instance_type": "ml.c5.2xlarge",
    "baseline_volume_size_gb": 40,
    "baseline_max_runtime_seconds": 1200,
    "baseline_model_bias_params": {"label_header": "churn", "facet_name": "age", "headers": ["churn", "age"]},
    "baseline_lambda_image_uri": IMAGE,
    "baseline_schedule_expression": "cron(0 3 * * ? *)",
}


@pytest.fixture
def tf(synth):
    return synth(BASELINE)


def test_monitors_read_the_generated_baselines(tf):
    dq = one(tf, "aws_sagemaker_data_quality_job_definition")
    assert (
        dq["data_quality_baseline_config"]["statistics_resource"]["s3_uri"]
        == f"{S}/baselines/data_quality/statistics.json"
    )
    assert (
        dq["data_quality_baseline_config"]["constraints_resource"]["s3_uri"]
        == f"{S}/baselines/data_quality/constraints.json"
    )
    bias = one(tf, "awscc_sagemaker_model_bias_job_definition")
    assert (
        bias["model_bias_baseline_config"]["constraints_resource"]["s3_uri"]
        == f"{S}/baselines/model_bias/analysis.json"
    )


def test_bias_monitor_reads_its_own_immutable_analysis_config_as_the_sdk_writes_it(tf):
    """Issue 10 rows 1, 5, 6: the monitor's ConfigUri is an object written from the settings under a content-derived
    key (never the baselining job's analysis_config.json, which a regeneration rewrites), holding exactly what the
    SDK's BiasAnalysisConfig writes for the same baseline settings."""
    import os

    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    from sagemaker.clarify import BiasConfig
    from sagemaker.model_monitor.clarify_model_monitoring import BiasAnalysisConfig

    bias = one(tf, "awscc_sagemaker_model_bias_job_definition")
    [config] = resources(tf, "aws_s3_object")
    uri = f"s3://{config['bucket']}/{config['key']}"
    assert bias["model_bias_app_specification"]["config_uri"] == uri
    assert config["key"].startswith("baselines/model_bias/monitor-analysis-config/") and config["key"].endswith(".json")
    assert config["content_type"] == "application/json" and config["lifecycle"] == {"create_before_destroy": True}
    assert bias["depends_on"] == ["aws_s3_object." + next(iter(tf["resource"]["aws_s3_object"]))]  # a plain address
    # The Lambda's defaults for the fields BASELINE leaves out: label_values 0,1 and facet_values 100,200.
    sdk = BiasAnalysisConfig(
        BiasConfig(label_values_or_threshold=[0, 1], facet_name="age", facet_values_or_threshold=[100, 200]),
        headers=["churn", "age"],
        label="churn",
    )._to_dict()
    assert json.loads(config["content"]) == sdk
    # The probability threshold is the baseline's (the seed's default 0.8), on the monitor's job input (row 2).
    assert bias["model_bias_job_input"]["endpoint_input"]["probability_threshold_attribute"] == 0.8


def test_one_target_per_enabled_monitor_carrying_configured_parameters(tf):
    rule = one(tf, "aws_cloudwatch_event_rule")
    assert rule["schedule_expression"] == "cron(0 3 * * ? *)"
    targets = {t["target_id"]: document_value(tf, t["input"]) for t in resources(tf, "aws_cloudwatch_event_target")}
    assert set(targets) == {"baseline-dq", "baseline-bias"}
    bias = targets["baseline-bias"]
    assert bias["monitor_type"] == "model_bias"
    assert bias["training_data_uri"] == f"{S}/training/train.csv"
    assert bias["baseline_output_uri"] == f"{S}/baselines/"
    assert bias["model_bias_params"] == {
        "instance_count": 2,
        "instance_type": "ml.c5.2xlarge",
        "volume_size_gb": 40,
        "max_runtime_seconds": 1200,
        "label_header": "churn",
        "facet_name": "age",
        "headers": ["churn", "age"],
    }
    assert targets["baseline-dq"]["data_quality_params"]["instance_type"] == "ml.c5.2xlarge"


def test_lambda_settings(tf):
    fn = one(tf, "aws_lambda_function")
    assert fn["package_type"] == "Image" and fn["image_uri"] == IMAGE
    assert fn["timeout"] == 900 and fn["memory_size"] == 2048
    assert fn["image_config"] == {"command": ["app.handler"], "entry_point": ["/lambda-entrypoint.sh"]}
    assert fn["tracing_config"] == {"mode": "Active"}
    assert fn["environment"]["variables"]["SAGEMAKER_ROLE_ARN"] == "${aws_iam_role.monitoring_role.arn}"
    # With an image given, nothing Docker is synthesized.
    assert not [r for r in tf["resource"] if r.startswith("docker_")] and "docker" not in tf.get("provider", {})


def test_state_machine_logging_tracing_and_lambda(tf):
    sm = one(tf, "aws_sfn_state_machine")
    assert (
        sm["logging_configuration"]["level"] == "ALL" and sm["logging_configuration"]["include_execution_data"] is True
    )
    assert sm["tracing_configuration"] == {"enabled": True}
    definition = document_value(tf, sm["definition"])
    assert definition["TimeoutSeconds"] == 1200 + 1800
    # The function's ARN built from its name (known at plan time); the state machine still waits for the function.
    assert f"arn:aws:lambda:us-east-2:{ACCOUNT}:function:smm-my-endpoint-us-east-2-baseline" in json.dumps(definition)
    assert any(d == "aws_lambda_function.baseline_function" for d in sm["depends_on"])


def test_run_on_deploy_reruns_only_when_configuration_changes(tf, synth):
    inv = one(tf, "aws_lambda_invocation")
    payload = document_value(tf, inv["input"])
    assert payload["action"] == "start_executions"
    assert [e["input"]["monitor_type"] for e in payload["executions"]] == ["data_quality", "model_bias"]
    other = synth({**BASELINE, "baseline_instance_count": 3})
    assert one(other, "aws_lambda_invocation")["triggers"] != inv["triggers"]
    same = synth(dict(BASELINE))
    assert one(same, "aws_lambda_invocation")["triggers"] == inv["triggers"]


ACCOUNT = "${data.aws_caller_identity.caller.account_id}"


def _statements(tf: dict, prefix: str) -> dict:
    docs = tf["data"]["aws_iam_policy_document"]
    [doc] = [d for k, d in docs.items() if k.startswith(prefix)]
    return {s["sid"]: s for s in doc["statement"]}


def test_lambda_and_state_machine_least_privilege(tf):
    lam = _statements(tf, "baseline_lambda_role_permissions")
    assert lam["PassMonitoringRoleToSageMakerOnly"]["condition"] == [
        {"test": "StringEquals", "variable": "iam:PassedToService", "values": ["sagemaker.amazonaws.com"]}
    ]
    assert lam["PassMonitoringRoleToSageMakerOnly"]["resources"] == [
        f"arn:aws:iam::{ACCOUNT}:role/smm-my-endpoint-us-east-2-monitoring"
    ]
    assert lam["ReadTrainingData"]["resources"] == [
        f"arn:aws:s3:::{BUCKET}/training/train.csv",
        f"arn:aws:s3:::{BUCKET}/training/train.csv/*",
    ]
    assert lam["WriteBaselineOutput"]["resources"] == [f"arn:aws:s3:::{BUCKET}/baselines/*"]
    assert lam["RunBaselineProcessingJobs"]["resources"][0].endswith(":processing-job/baseline-*")
    sfn = _statements(tf, "baseline_state_machine_role_permissions")
    assert sfn["InvokeBaselineLambdaOnly"]["actions"] == ["lambda:InvokeFunction"]
    fn = f"arn:aws:lambda:us-east-2:{ACCOUNT}:function:smm-my-endpoint-us-east-2-baseline"
    assert sfn["InvokeBaselineLambdaOnly"]["resources"] == [fn, f"{fn}:*"]
    events = _statements(tf, "baseline_events_role_permissions")
    [arn] = events["StartBaselineStateMachineOnly"]["resources"]
    assert arn == f"arn:aws:states:us-east-2:{ACCOUNT}:stateMachine:smm-my-endpoint-us-east-2-baseline"


def test_docker_build_when_no_image_given(synth):
    from monitors.constructs.baseline_generation import lambda_image_hash

    tf = synth({k: v for k, v in BASELINE.items() if k != "baseline_lambda_image_uri"})
    image = one(tf, "docker_image")
    assert image["triggers"] == {"source_hash": lambda_image_hash()}
    assert image["build"]["context"].startswith("assets/")
    repo = one(tf, "aws_ecr_repository")
    assert repo["image_tag_mutability"] == "IMMUTABLE" and repo["image_scanning_configuration"] == {
        "scan_on_push": True
    }
    assert "@${docker_registry_image." in one(tf, "aws_lambda_function")["image_uri"]  # pinned by digest


def test_image_hash_changes_with_any_file(tmp_path):
    from monitors.constructs.baseline_generation import lambda_image_hash

    (tmp_path / "app.py").write_text("a")
    first = lambda_image_hash(tmp_path)
    assert lambda_image_hash(tmp_path) == first
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "x.py").write_text("b")
    assert lambda_image_hash(tmp_path) != first


def test_baseline_param_names_are_checked():
    from monitors.settings.config import ConfigError, validate

    with pytest.raises(ConfigError) as exc:
        validate(
            {
                **BASELINE,
                "baseline_model_bias_params": {"facet_nme": "age"},
                "baseline_model_quality_params": {"problem_type": "Regression"},
            }
        )
    assert any(
        p.startswith("baseline_model_bias_params: unknown field 'facet_nme' (did you mean 'facet_name'?)")
        for p in exc.value.problems
    )
    assert "baseline_model_quality_params: is set but enable_model_quality_monitor is false" in exc.value.problems


@pytest.mark.slow
def test_terraform_validate_with_baseline(tf, terraform_validate):
    report = terraform_validate(tf)
    assert report["valid"] is True, report["diagnostics"]
