"""Alerting: the synthesized topic, alarms, rules and checker, the checker's logic, and validation."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import yaml
from conftest import REPO, one, resources

from monitors.constructs.json_documents import document_value
from monitors.settings.config import ConfigError, validate

EXAMPLE = yaml.safe_load((REPO / "examples" / "full.yaml").read_text())
KMS = "${data.aws_kms_key.monitoring_key.arn}"

# A "Step Functions Execution Status Change" event in the shape the AWS Step Functions documentation gives
# (docs.aws.amazon.com/step-functions/latest/dg/cw-events.html; the detail fields executionArn, stateMachineArn,
# name, status, startDate, stopDate, input, output are also those of the CDK's generated pattern class
# aws_cdk.mixins_preview.aws_states.events.StepFunctionsExecutionStatusChange). Our state machine ARN goes in.
STEP_FUNCTIONS_FAILED_EVENT = {
    "version": "0",
    "id": "315c1398-40ff-a850-213b-158f73e60175",
    "detail-type": "Step Functions Execution Status Change",
    "source": "aws.states",
    "account": "123456789012",
    "time": "2019-02-26T19:42:21Z",
    "region": "us-east-2",
    "resources": ["arn:aws:states:us-east-2:123456789012:execution:state-machine-name:execution-name"],
    "detail": {
        "executionArn": "arn:aws:states:us-east-2:123456789012:execution:state-machine-name:execution-name",
        "stateMachineArn": "STATE_MACHINE_ARN",
        "name": "execution-name",
        "status": "FAILED",
        "startDate": 1551225146847,
        "stopDate": 1551225151881,
        "input": "{}",
        "output": None,
    },
}


@pytest.fixture
def tf(synth):
    return synth(EXAMPLE)


def test_topic_is_encrypted_and_only_this_accounts_alarms_and_rules_publish(tf):
    topic = one(tf, "aws_sns_topic")
    assert topic["kms_master_key_id"] == KMS
    [doc] = [
        d for k, d in tf["data"]["aws_iam_policy_document"].items() if k.startswith("alerts_topic_policy_document")
    ]
    statement, _deny_without_tls = doc["statement"]  # the Deny is checked in test_security.py
    # The topic's ARN built from its name: the plan shows the policy before the topic exists.
    assert statement["resources"] == [
        "arn:aws:sns:us-east-2:${data.aws_caller_identity.caller.account_id}:sagemaker-model-monitoring-alerts"
    ]
    assert statement["actions"] == ["sns:Publish"]
    assert statement["principals"] == [
        {"type": "Service", "identifiers": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}
    ]
    assert statement["condition"] == [
        {
            "test": "StringEquals",
            "variable": "aws:SourceAccount",
            "values": ["${data.aws_caller_identity.caller.account_id}"],
        }
    ]
    subscription = one(tf, "aws_sns_topic_subscription")
    assert (subscription["protocol"], subscription["endpoint"]) == ("email", "ml-platform-oncall@example.com")
    assert tf["output"]["alert_topic_arn"]["value"] == "${aws_sns_topic.alerts_topic.arn}"


def _alarms(tf) -> dict[str, dict]:
    return {a["metric_name"]: a for a in resources(tf, "aws_cloudwatch_metric_alarm")}


def _schedule_name(tf, monitoring_type: str) -> str:
    return next(
        s["name"]
        for s in resources(tf, "aws_sagemaker_monitoring_schedule")
        if s["monitoring_schedule_config"]["monitoring_type"] == monitoring_type
    )


def _assert_rejected(extra: dict, expected: str) -> None:
    """The example without alerts, plus extra (None removes a key): validation reports a problem starting with
    expected."""
    config = {k: v for k, v in {**BASE, **extra}.items() if v is not None}
    with pytest.raises(ConfigError) as exc:
        validate(config)
    assert any(p.startswith(expected) for p in exc.value.problems), exc.value.problems


def _monitor_alarms(tf) -> list[dict]:
    """The alarms on model monitor metrics (not the checker's own Errors alarm)."""
    return [a for a in resources(tf, "aws_cloudwatch_metric_alarm") if a["namespace"].startswith("aws/sagemaker/")]


def test_drift_alarms_use_the_data_metrics_namespace_and_schedule_dimensions(tf):
    alarm = _alarms(tf)["feature_baseline_drift_tenure"]
    schedule = _schedule_name(tf, "DataQuality")
    assert alarm["namespace"] == "aws/sagemaker/Endpoints/data-metrics"
    assert alarm["dimensions"] == {"Endpoint": "churn-pred-endpoint", "MonitoringSchedule": schedule}
    assert (alarm["comparison_operator"], alarm["threshold"], alarm["statistic"]) == (
        "GreaterThanThreshold",
        0.2,
        "Maximum",
    )
    assert alarm["treat_missing_data"] == "ignore" and alarm["period"] == 3600
    [topic_id] = tf["resource"]["aws_sns_topic"]
    assert alarm["alarm_actions"] == alarm["ok_actions"] == [f"${{aws_sns_topic.{topic_id}.arn}}"]


def test_model_quality_alarms_direction_and_namespace(tf):
    alarm = _alarms(tf)["accuracy"]
    assert alarm["namespace"] == "aws/sagemaker/Endpoints/model-metrics"
    assert (alarm["comparison_operator"], alarm["threshold"], alarm["statistic"]) == (
        "LessThanThreshold",
        0.8,
        "Minimum",
    )


def test_alarms_turn_on_metric_publishing(tf):
    dq = one(tf, "aws_sagemaker_data_quality_job_definition")
    assert dq["data_quality_app_specification"]["environment"] == {"publish_cloudwatch_metrics": "Enabled"}
    mq = one(tf, "awscc_sagemaker_model_quality_job_definition")
    assert mq["model_quality_app_specification"]["environment"] == {"publish_cloudwatch_metrics": "Enabled"}
    expl = one(tf, "awscc_sagemaker_model_explainability_job_definition")
    assert expl["model_explainability_app_specification"]["environment"] == {"publish_cloudwatch_metrics": "Enabled"}


def test_monitors_publish_metrics_without_alarms_unless_turned_off(synth):
    """publish_cloudwatch_metrics=Enabled is the SDK's default for every monitor, alarms or not (issue 10 row 8)."""
    tf = synth(
        {**BASE, "alert_create_topic": True, "data_quality_drift_alarms": [{"feature": "age", "threshold": 0.1}]}
    )
    assert one(tf, "aws_sagemaker_data_quality_job_definition")["data_quality_app_specification"]["environment"] == {
        "publish_cloudwatch_metrics": "Enabled"
    }
    for monitor in ("model_quality", "model_bias", "model_explainability"):
        spec = one(tf, f"awscc_sagemaker_{monitor}_job_definition")[f"{monitor}_app_specification"]
        assert spec["environment"] == {"publish_cloudwatch_metrics": "Enabled"}, monitor
    off = synth({**BASE, "publish_cloudwatch_metrics": False})
    assert one(off, "aws_sagemaker_data_quality_job_definition")["data_quality_app_specification"]["environment"] == {
        "publish_cloudwatch_metrics": "Disabled"
    }
    for monitor in ("model_quality", "model_bias", "model_explainability"):
        spec = one(off, f"awscc_sagemaker_{monitor}_job_definition")[f"{monitor}_app_specification"]
        assert spec["environment"] == {"publish_cloudwatch_metrics": "Disabled"}, monitor


def test_baseline_failure_rule_matches_the_documented_event():
    from moto.events.models import EventPattern

    from monitors.constructs.alerts import baseline_failure_pattern

    arn = "arn:aws:states:us-east-2:123456789012:stateMachine:sagemaker-model-monitoring-baseline"
    pattern = EventPattern.load(json.dumps(baseline_failure_pattern(arn)))
    event = json.loads(json.dumps(STEP_FUNCTIONS_FAILED_EVENT).replace("STATE_MACHINE_ARN", arn))
    assert pattern.matches_event(event)
    for status in ("TIMED_OUT", "ABORTED"):
        assert pattern.matches_event({**event, "detail": {**event["detail"], "status": status}})
    assert not pattern.matches_event({**event, "detail": {**event["detail"], "status": "SUCCEEDED"}})
    assert not pattern.matches_event({**event, "detail": {**event["detail"], "stateMachineArn": arn + "-other"}})


def test_baseline_failure_rule_targets_the_topic_with_a_readable_message(tf):
    [rule] = [r for r in resources(tf, "aws_cloudwatch_event_rule") if r["name"].endswith("baseline-failures")]
    assert document_value(tf, rule["event_pattern"])["detail"]["stateMachineArn"] == [
        "arn:aws:states:us-east-2:${data.aws_caller_identity.caller.account_id}:stateMachine:sagemaker-model-monitoring-baseline"
    ]
    [target] = [t for t in resources(tf, "aws_cloudwatch_event_target") if t["target_id"] == "alert-topic"]
    assert target["arn"] == "${aws_sns_topic.alerts_topic.arn}"
    assert "<status>" in target["input_transformer"]["input_template"]


def test_checker_function_is_scheduled_and_knows_every_schedule(tf):
    [checker] = [f for f in resources(tf, "aws_lambda_function") if f["function_name"].endswith("alerts-checker")]
    assert checker["handler"] == "execution_alerts.handler" and checker["runtime"] == "python3.12"
    env = checker["environment"]["variables"]
    assert {s["monitor_type"] for s in json.loads(env["MONITORING_SCHEDULES"])} == {
        "data_quality",
        "model_quality",
        "model_bias",
        "model_explainability",
    }
    assert env["CHECK_INTERVAL_MINUTES"] == "60"
    assert checker["filename"].startswith("assets/") and checker["kms_key_arn"] == KMS
    [rule] = [r for r in resources(tf, "aws_cloudwatch_event_rule") if r["name"] == checker["function_name"]]
    assert rule["schedule_expression"] == "rate(60 minutes)"


def test_checker_zip_is_reproducible():
    from monitors.constructs.alerts import checker_zip

    assert checker_zip() == checker_zip()


# --- the checker's logic ---------------------------------------------------------------------------
class FakeSageMaker:
    def __init__(self, executions):
        self.executions = executions  # {(schedule, status): [pages]}
        self.calls = []

    def list_monitoring_executions(self, **kwargs):
        self.calls.append(kwargs)
        pages = self.executions.get((kwargs["MonitoringScheduleName"], kwargs["StatusEquals"]), [[]])
        index = int(kwargs.get("NextToken", 0))
        page = {"MonitoringExecutionSummaries": pages[index]}
        if index + 1 < len(pages):
            page["NextToken"] = str(index + 1)
        return page

    def describe_processing_job(self, ProcessingJobName):
        return {
            "ProcessingOutputConfig": {"Outputs": [{"S3Output": {"S3Uri": f"s3://bucket/out/{ProcessingJobName}/"}}]}
        }


class FakeSns:
    def __init__(self):
        self.published = []

    def publish(self, **kwargs):
        self.published.append(kwargs)


def load_checker():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "execution_alerts", REPO / "lambda_image" / "alerts" / "execution_alerts.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_checker_notifies_failed_and_violating_executions_in_its_window(monkeypatch):
    checker = load_checker()
    failed = {
        "MonitoringExecutionStatus": "Failed",
        "FailureReason": "Job inputs had no data",
        "ScheduledTime": "2026-11-26T09:00:00Z",
        "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:1:processing-job/job-a",
    }
    violating = {
        "MonitoringExecutionStatus": "CompletedWithViolations",
        "ScheduledTime": "2026-11-26T09:00:00Z",
        "ProcessingJobArn": "arn:aws:sagemaker:us-east-1:1:processing-job/job-b",
    }
    sagemaker = FakeSageMaker(
        {("dq-schedule", "Failed"): [[failed], [failed]], ("mq-schedule", "CompletedWithViolations"): [[violating]]}
    )
    sns = FakeSns()
    monkeypatch.setenv(
        "MONITORING_SCHEDULES",
        json.dumps(
            [
                {"name": "dq-schedule", "monitor_type": "data_quality", "endpoint": "ep"},
                {"name": "mq-schedule", "monitor_type": "model_quality", "endpoint": "ep"},
            ]
        ),
    )
    monkeypatch.setenv("ALERT_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:alerts")
    monkeypatch.setenv("CHECK_INTERVAL_MINUTES", "60")
    result = checker.handler({"time": "2026-11-26T10:00:00Z"}, None, sagemaker=sagemaker, sns=sns)
    assert result == {"notified": 3, "window": ["2026-11-26T09:00:00+00:00", "2026-11-26T10:00:00+00:00"]}
    first = sagemaker.calls[0]
    assert first["LastModifiedTimeAfter"] == datetime(2026, 11, 26, 9, tzinfo=UTC)
    assert first["LastModifiedTimeBefore"] == datetime(2026, 11, 26, 10, tzinfo=UTC)
    assert {c["StatusEquals"] for c in sagemaker.calls} == {"Failed", "CompletedWithViolations"}
    subjects = [p["Subject"] for p in sns.published]
    assert subjects == ["SageMaker data_quality monitoring Failed: ep"] * 2 + [
        "SageMaker model_quality monitoring CompletedWithViolations: ep"
    ]
    assert "Failure reason: Job inputs had no data" in sns.published[0]["Message"]
    assert "Violations report: s3://bucket/out/job-b/constraint_violations.json" in sns.published[2]["Message"]
    assert all(p["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:alerts" for p in sns.published)


def test_checker_is_quiet_when_nothing_went_wrong(monkeypatch):
    checker = load_checker()
    sns = FakeSns()
    monkeypatch.setenv(
        "MONITORING_SCHEDULES", json.dumps([{"name": "s", "monitor_type": "data_quality", "endpoint": "ep"}])
    )
    monkeypatch.setenv("ALERT_TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:alerts")
    monkeypatch.setenv("CHECK_INTERVAL_MINUTES", "15")
    assert (
        checker.handler({"time": "2026-11-26T10:00:00Z"}, None, sagemaker=FakeSageMaker({}), sns=sns)["notified"] == 0
    )
    assert sns.published == []


# --- validation -------------------------------------------------------------------------------------
BASE = {
    k: v
    for k, v in EXAMPLE.items()
    if not k.startswith(
        ("alert_", "data_quality_drift", "model_quality_alarms", "model_bias_alarms", "model_explainability_alarms")
    )
}


@pytest.mark.parametrize(
    "extra, expected",
    [
        (
            {
                "model_quality_alarms": [{"metric": "acuracy", "threshold": 0.8, "direction": "below"}],
                "alert_create_topic": True,
            },
            "model_quality_alarms[0].metric: 'acuracy' is not a BinaryClassification metric (did you mean 'accuracy'?)",
        ),
        (
            {
                "model_quality_alarms": [{"metric": "rmse", "threshold": 1, "direction": "above"}],
                "alert_create_topic": True,
            },
            "model_quality_alarms[0].metric: 'rmse' is not a BinaryClassification metric",
        ),
        (
            {
                "model_quality_alarms": [{"metric": "f1", "threshold": "high", "direction": "below"}],
                "alert_create_topic": True,
            },
            "model_quality_alarms[0].threshold: Input should be a valid number",
        ),
        (
            {"data_quality_drift_alarms": [{"feature": "age", "threshold": 0.1}]},
            "data_quality_drift_alarms: is set but alerting is off: give alert_sns_topic_arn or alert_create_topic",
        ),
        (
            {"data_quality_drift_alarms": [{"feature": "age", "threshold": 2}], "alert_create_topic": True},
            "data_quality_drift_alarms[0].threshold: Input should be less than or equal to 1",
        ),
        (
            {"alert_create_topic": True, "alert_sns_topic_arn": "arn:aws:sns:us-east-2:123456789012:x"},
            "alert_create_topic: give alert_sns_topic_arn or alert_create_topic, not both",
        ),
        ({"alert_create_topic": True, "kms_key_id": None}, "alert_create_topic: needs kms_key_id"),
        ({"alert_sns_topic_arn": "topic"}, "alert_sns_topic_arn: must be an SNS topic ARN"),
        (
            {"alert_email_addresses": ["not-an-address"], "alert_create_topic": True},
            "alert_email_addresses[0]: must be an e-mail address",
        ),
    ],
)
def test_alert_rules(extra, expected):
    _assert_rejected(extra, expected)


def test_alarms_for_a_disabled_monitor_are_an_error():
    config = {
        **BASE,
        "enable_data_quality_monitor": False,
        "alert_create_topic": True,
        "data_quality_drift_alarms": [{"feature": "age", "threshold": 0.1}],
    }
    with pytest.raises(ConfigError) as exc:
        validate(config)
    assert "data_quality_drift_alarms: is set but enable_data_quality_monitor is false" in exc.value.problems


def test_alerts_are_off_by_default(synth):
    tf = synth(BASE)
    assert "aws_sns_topic" not in tf["resource"] and "aws_cloudwatch_metric_alarm" not in tf["resource"]
    assert "alert_topic_arn" not in tf["output"]


def test_bias_alarm_dimensions_name_the_published_metric(tf):
    alarm = _alarms(tf)["bias_metric_DPPL"]
    schedule = _schedule_name(tf, "ModelBias")
    assert alarm["namespace"] == "aws/sagemaker/Endpoints/bias-metrics"
    assert alarm["dimensions"] == {
        "Endpoint": "churn-pred-endpoint",
        "MonitoringSchedule": schedule,
        "BiasStage": "Post-Training",
        "Label": "label",
        "LabelValue": "1",
        "Facet": "age",
        "FacetValue": "40",
    }
    assert (alarm["comparison_operator"], alarm["threshold"]) == ("GreaterThanThreshold", 0.1)
    bias = one(tf, "awscc_sagemaker_model_bias_job_definition")
    assert bias["model_bias_app_specification"]["environment"] == {"publish_cloudwatch_metrics": "Enabled"}


def test_bias_stage_follows_the_metric():
    from monitors.monitor_types.model_bias import bias_stage

    assert (bias_stage("CI"), bias_stage("DPPL")) == ("Pre-training", "Post-Training")


def test_unknown_bias_metric_is_reported():
    alarm = {
        "metric": "DPLL",
        "threshold": 0.1,
        "direction": "above",
        "label": "l",
        "label_value": 1,
        "facet": "f",
        "facet_value": 2,
    }
    with pytest.raises(ConfigError) as exc:
        validate({**BASE, "alert_create_topic": True, "model_bias_alarms": [alarm]})
    assert any(
        p.startswith("model_bias_alarms[0].metric: 'DPLL' is not a Clarify bias metric (did you mean 'DPL'?)")
        for p in exc.value.problems
    )


# --- feature attribution (explainability) alarms ------------------------------------------------------
def test_explainability_alarm_dimensions_name_the_published_metric(tf):
    # "CloudWatch Metrics for Feature Drift Analysis" (docs.aws.amazon.com/sagemaker/latest/dg/
    # clarify-feature-attribute-drift-cw.html): feature_<name> is the global SHAP value, published with
    # Endpoint, MonitoringSchedule, ExplainabilityMethod=KernelShap, Label, ValueType=GlobalShapValues.
    alarm = _alarms(tf)["feature_tenure"]
    schedule = _schedule_name(tf, "ModelExplainability")
    assert alarm["namespace"] == "aws/sagemaker/Endpoints/explainability-metrics"
    assert alarm["dimensions"] == {
        "Endpoint": "churn-pred-endpoint",
        "MonitoringSchedule": schedule,
        "ExplainabilityMethod": "KernelShap",
        "Label": "label0",
        "ValueType": "GlobalShapValues",
    }
    assert (alarm["comparison_operator"], alarm["threshold"], alarm["statistic"]) == (
        "LessThanThreshold",
        0.01,
        "Minimum",
    )
    assert alarm["alarm_name"] == "churn-pred-endpoint-model-explainability-tenure-label0-below"
    assert "global SHAP value of feature tenure" in alarm["alarm_description"]


def test_explainability_alarm_on_batch_transform_uses_the_model_monitoring_namespace(synth):
    tf = synth(
        {
            **BASE,
            "alert_create_topic": True,
            "model_explainability_batch_transform_input": {
                "data_captured_destination_s3_uri": "s3://sagemaker-us-east-2-123456789012/churn/batch/",
                "dataset_format": "csv",
                "csv_header": True,
            },
            "model_explainability_alarms": [
                {"feature": "age", "threshold": 0.5, "direction": "above", "label": "churn"}
            ],
        }
    )
    [alarm] = _monitor_alarms(tf)
    assert alarm["namespace"] == "aws/sagemaker/ModelMonitoring/explainability-metrics"
    assert "Endpoint" not in alarm["dimensions"]
    assert (alarm["dimensions"]["Label"], alarm["comparison_operator"], alarm["statistic"]) == (
        "churn",
        "GreaterThanThreshold",
        "Maximum",
    )


def test_the_same_metric_may_alarm_in_both_directions(synth):
    # Both used to get the construct id "model_quality_accuracy" and crashed the synth with a jsii traceback.
    tf = synth(
        {
            **BASE,
            "alert_create_topic": True,
            "model_quality_alarms": [
                {"metric": "accuracy", "threshold": 0.8, "direction": "below"},
                {"metric": "accuracy", "threshold": 0.99, "direction": "above"},
            ],
        }
    )
    alarms = sorted((a["alarm_name"], a["comparison_operator"]) for a in _monitor_alarms(tf))
    assert alarms == [
        ("churn-pred-endpoint-model-quality-accuracy-above", "GreaterThanThreshold"),
        ("churn-pred-endpoint-model-quality-accuracy-below", "LessThanThreshold"),
    ]


EXPL = {"feature": "tenure", "threshold": 0.01, "direction": "below"}
BIAS_ALARM = {
    "metric": "DPPL",
    "threshold": 0.1,
    "direction": "above",
    "label": "label",
    "label_value": "1",
    "facet": "age",
    "facet_value": "40",
}


@pytest.mark.parametrize(
    "extra, expected",
    [
        (
            {"model_explainability_alarms": [EXPL]},
            "model_explainability_alarms: is set but alerting is off: give alert_sns_topic_arn or alert_create_topic",
        ),
        (
            {
                "alert_create_topic": True,
                "enable_model_explainability_monitor": False,
                "model_explainability_output_s3_uri": None,
                "model_explainability_inference_attribute": None,
                "model_explainability_schedule_expression": None,
                "baseline_model_explainability_params": None,
                "model_explainability_alarms": [EXPL],
            },
            "model_explainability_alarms: is set but enable_model_explainability_monitor is false",
        ),
        (
            {"alert_create_topic": True, "model_explainability_alarms": [{**EXPL, "feature": "tenur"}]},
            "model_explainability_alarms[0].feature: 'tenur' is not a feature of "
            "baseline_model_explainability_params.headers "
            "(did you mean 'tenure'?); features: age, tenure, monthly_charges",
        ),
        (
            {"alert_create_topic": True, "model_explainability_alarms": [{**EXPL, "feature": "label"}]},
            "model_explainability_alarms[0].feature: 'label' is not a feature",
        ),
        (
            {"alert_create_topic": True, "model_explainability_alarms": [{**EXPL, "direction": "sideways"}]},
            "model_explainability_alarms[0].direction: Input should be 'above' or 'below'",
        ),
        (
            {"alert_create_topic": True, "model_explainability_alarms": [{**EXPL, "threshold": "low"}]},
            "model_explainability_alarms[0].threshold: Input should be a valid number",
        ),
        (
            {"alert_create_topic": True, "model_explainability_alarms": [{**EXPL, "label": ""}]},
            "model_explainability_alarms[0].label: String should have at least 1 character",
        ),
        (
            {"alert_create_topic": True, "model_explainability_alarms": [{**EXPL, "shap": 1}]},
            "model_explainability_alarms[0].shap: Extra inputs are not permitted",
        ),
        (
            {"alert_create_topic": True, "model_explainability_alarms": [EXPL, {**EXPL, "threshold": 0.02}]},
            "model_explainability_alarms[1]: is the same alarm as model_explainability_alarms[0] (alarm "
            "'tenure_label0_below')",
        ),
        (
            {
                "alert_create_topic": True,
                "model_quality_alarms": [{"metric": "f1", "threshold": 0.7, "direction": "below"}] * 2,
            },
            "model_quality_alarms[1]: is the same alarm as model_quality_alarms[0]",
        ),
        (
            {
                "alert_create_topic": True,
                "data_quality_drift_alarms": [
                    {"feature": "age", "threshold": 0.1},
                    {"feature": "age", "threshold": 0.2},
                ],
            },
            "data_quality_drift_alarms[1]: is the same alarm as data_quality_drift_alarms[0]",
        ),
        (
            {"alert_create_topic": True, "model_bias_alarms": [{**BIAS_ALARM, "facet": "tenure"}]},
            "model_bias_alarms[0].facet: 'tenure' differs from baseline_model_bias_params.facet_name 'age', which "
            "names the published metric",
        ),
        (
            {"alert_create_topic": True, "model_bias_alarms": [{**BIAS_ALARM, "label": "churn"}]},
            "model_bias_alarms[0].label: 'churn' differs from baseline_model_bias_params.label_header 'label'",
        ),
        # Without headers and facet_name the baseline Lambda's seed defaults write the analysis configuration.
        (
            {
                "alert_create_topic": True,
                "baseline_model_explainability_params": None,
                "model_explainability_alarms": [EXPL],
            },
            "model_explainability_alarms[0].feature: 'tenure' is not a feature of the baseline Lambda's default "
            "headers "
            "(set baseline_model_explainability_params.headers); features: feature1, feature2, feature3",
        ),
        (
            {
                "alert_create_topic": True,
                "baseline_model_bias_params": {"label_header": "label", "headers": ["label", "feature1", "age"]},
                "model_bias_alarms": [BIAS_ALARM],
            },
            "model_bias_alarms[0].facet: 'age' differs from baseline_model_bias_params.facet_name 'feature1' (the "
            "baseline Lambda's default)",
        ),
    ],
)
def test_explainability_and_duplicate_alarm_rules(extra, expected):
    _assert_rejected(extra, expected)


def test_alarm_dimensions_are_not_checked_against_a_baseline_the_user_supplies():
    # With their own model_*_baseline_s3_uri the analysis configuration is the user's: any feature or facet goes.
    config = {
        **BASE,
        "alert_create_topic": True,
        "model_explainability_baseline_s3_uri": "s3://sagemaker-us-east-2-123456789012/churn/own-baselines/expl/",
        "model_bias_baseline_s3_uri": "s3://sagemaker-us-east-2-123456789012/churn/own-baselines/bias/",
        "model_explainability_alarms": [{**EXPL, "feature": "region"}],
        "model_bias_alarms": [{**BIAS_ALARM, "facet": "gender", "facet_value": "f"}],
    }
    settings = validate(config)
    assert [a.feature for a in settings.model_explainability.alarms] == ["region"]
