"""The public construct in a CDKTF app of one's own: settings built in Python, Terraform references as
parameters (literal checks on literals, preconditions for references), the embedding example validated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BUCKET, MINIMAL, REPO, address, one, resources
from emulator import harness
from tftest import TerraformTestError


def _strip(tf):
    """The output without cdktf's "//" metadata."""
    if isinstance(tf, dict):
        return {k: _strip(v) for k, v in tf.items() if k != "//"}
    if isinstance(tf, list):
        return [_strip(v) for v in tf]
    return tf


def _app_stack(tmp_path):
    from cdktf import App, TerraformStack
    from cdktf_cdktf_provider_aws.provider import AwsProvider

    app = App(outdir=str(tmp_path / "out"))
    stack = TerraformStack(app, "app")
    AwsProvider(stack, "aws", region="us-east-2")
    return app, stack


def _synth(app, tmp_path, name="app") -> dict:
    app.synth()
    return json.loads((tmp_path / "out" / "stacks" / name / "cdk.tf.json").read_text())


# --- settings built in Python -----------------------------------------------------------------------------
def test_python_settings_raise_one_error_with_every_problem_and_the_file_path_messages():
    from monitors.settings.config import ConfigError, validate
    from sagemaker_model_monitoring_cdktf import SettingsError, monitoring_settings

    bad = {
        **MINIMAL,
        "data_quality_instance_count": 0,
        "data_quality_output_s3_uri": "s3://another-bucket/out/",
        "kms_key_id": "my key",
        "data_quality_schedule_expression": "rate(1 hour)",
    }
    with pytest.raises(SettingsError) as raised:
        monitoring_settings(**bad, data_quality_instance_typ="ml.m5.large")
    with pytest.raises(ConfigError) as from_file:
        validate(bad)
    problems = raised.value.problems
    assert problems[0] == "data_quality_instance_typ: unknown parameter (did you mean 'data_quality_instance_type'?)"
    assert problems[1:] == from_file.value.problems  # the same rules, the same messages
    assert sorted(p.split(":")[0] for p in problems[1:]) == [
        "data_quality_instance_count",
        "data_quality_output_s3_uri",
        "data_quality_schedule_expression",
        "kms_key_id",
    ]
    assert isinstance(raised.value, ConfigError) and str(raised.value) == "\n".join(problems)


def test_python_settings_take_objects_and_equal_the_file_settings():
    from monitors.monitor_types.data_quality import DriftAlarm
    from monitors.settings.config import validate
    from sagemaker_model_monitoring_cdktf import monitoring_settings

    extra = {"kms_key_id": "alias/model-monitoring", "alert_create_topic": True}
    built = monitoring_settings(
        **MINIMAL, **extra, data_quality_drift_alarms=[DriftAlarm(feature="tenure", threshold=0.2)]
    )
    assert built == validate(
        {**MINIMAL, **extra, "data_quality_drift_alarms": [{"feature": "tenure", "threshold": 0.2}]}
    )


def test_a_fleet_parameter_is_not_a_construct_parameter():
    from sagemaker_model_monitoring_cdktf import SettingsError, monitoring_settings

    with pytest.raises(SettingsError) as raised:
        monitoring_settings(**MINIMAL, endpoints=[{"endpoint_name": "a"}])
    assert raised.value.problems == [
        "endpoints: a SageMakerModelMonitoring monitors one endpoint; create one per "
        "endpoint (or use a configuration file with MonitoringStack)"
    ]


# --- Terraform references ----------------------------------------------------------------------------------
def test_references_where_a_literal_is_needed_are_clear_errors(tmp_path):
    from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket

    from sagemaker_model_monitoring_cdktf import SettingsError, monitoring_settings

    _, stack = _app_stack(tmp_path)
    bucket = S3Bucket(stack, "models", bucket=BUCKET)
    with pytest.raises(SettingsError) as raised:
        monitoring_settings(
            **{
                **MINIMAL,
                "endpoint_name": f"prefix-{bucket.id}",
                "data_quality_baseline_s3_uri": f"s3://{BUCKET}/{bucket.id}/",
            },  # a reference in the key
            stack_name=bucket.bucket,
            data_quality_instance_type=bucket.id,  # a reference where a literal is needed
            data_quality_instance_count=0,  # and an ordinary problem, reported with them
        )
    assert raised.value.problems == [
        "endpoint_name: must be a literal or one Terraform reference alone, not text mixed with a reference",
        "data_quality_baseline_s3_uri: only the bucket of an S3 URI may be a Terraform reference "
        "(s3://<reference>/prefix/): "
        "the prefix is checked and scoped in IAM policies at synth time",
        "stack_name: must be a literal, not a Terraform reference: it is used at synth time (names, folders, IAM "
        "policies); references are taken by endpoint_name, model_bucket_arn, kms_key_id, alert_sns_topic_arn and "
        "the bucket of an S3 URI (*_s3_uri)",
        "data_quality_instance_type: must be a literal, not a Terraform reference: it is used at synth time (names, "
        "folders, IAM policies); references are taken by endpoint_name, model_bucket_arn, kms_key_id, "
        "alert_sns_topic_arn and the bucket of an S3 URI (*_s3_uri)",
        "data_quality_instance_count: Input should be greater than or equal to 1 (got 0)",
    ]


def test_a_referenced_endpoint_needs_a_stack_name_and_literal_checks_still_apply(tmp_path):
    from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket

    from sagemaker_model_monitoring_cdktf import SettingsError, monitoring_settings

    _, stack = _app_stack(tmp_path)
    bucket = S3Bucket(stack, "models", bucket=BUCKET)
    with pytest.raises(SettingsError) as raised:
        monitoring_settings(
            **{
                **MINIMAL,
                "endpoint_name": bucket.id,
                "model_bucket_arn": bucket.arn,
                # two literal buckets cannot both be the referenced one
                "data_quality_output_s3_uri": "s3://another-bucket/out/",
            },
            baseline_training_data_s3_uri=f"s3://{BUCKET}/train.csv",
            baseline_output_data_s3_uri=f"s3://{BUCKET}/b/",
        )
    assert raised.value.problems == [
        "data_quality_output_s3_uri: must be inside the model bucket (model_bucket_arn, a Terraform reference), like "
        f"data_quality_baseline_s3_uri (got bucket 'another-bucket', data_quality_baseline_s3_uri names {BUCKET!r})",
        "stack_name: is required when endpoint_name is a Terraform reference (the default stack name, which prefixes "
        "the resource names, is derived from the endpoint name)",
        "baseline_training_data_s3_uri: baseline generation needs literal endpoint_name, model_bucket_arn and S3 URIs "
        "(its Lambda events and analysis configurations are written at synth time); give those as literals or leave "
        "baseline generation off",
    ]


def test_user_template_text_is_still_rejected_and_references_are_not_escaped(tmp_path):
    from cdktf_cdktf_provider_aws.sagemaker_endpoint import SagemakerEndpoint

    from sagemaker_model_monitoring_cdktf import SageMakerModelMonitoring, SettingsError, monitoring_settings

    with pytest.raises(SettingsError) as raised:
        monitoring_settings(**{**MINIMAL, "data_quality_output_s3_uri": f"s3://{BUCKET}/${{var.x}}/"})
    assert raised.value.problems[0].startswith("data_quality_output_s3_uri: must not contain '${' or '%{'")

    # Tags used to be escaped ($${); AWS takes no '$' or '{' in a tag, so template text there is refused too (issue 22)
    with pytest.raises(SettingsError) as raised:
        monitoring_settings(**{**MINIMAL, "tags": {"note": "${literal}"}})
    assert raised.value.problems[0].startswith("tags.note: must not contain '${' or '%{'")

    app, stack = _app_stack(tmp_path)
    endpoint = SagemakerEndpoint(stack, "endpoint", name="churn", endpoint_config_name="churn")
    SageMakerModelMonitoring(
        stack,
        "monitoring",
        settings={
            **MINIMAL,
            "endpoint_name": endpoint.name,
            "stack_name": "churn-monitoring",
            "tags": {"note": "literal"},
        },
    )
    tf = _synth(app, tmp_path)
    job = one(tf, "aws_sagemaker_data_quality_job_definition")
    assert job["data_quality_job_input"]["endpoint_input"]["endpoint_name"] == "${aws_sagemaker_endpoint.endpoint.name}"
    # References are not escaped; every aws resource that takes tags has them, as given
    assert job["tags"] == {"note": "literal"}
    assert one(tf, "aws_iam_role")["tags"] == {"note": "literal"}
    assert one(tf, "aws_sagemaker_monitoring_schedule")["tags"] == {"note": "literal"}
    assert "tags" not in one(tf, "aws_iam_role_policy")  # takes none


# --- the construct in a stack of one's own -----------------------------------------------------------------
def test_construct_uses_the_stacks_providers_and_creates_no_backend(tmp_path):
    from cdktf import TerraformBackend

    from monitors.constructs.awscc import AwsccProvider
    from sagemaker_model_monitoring_cdktf import SageMakerModelMonitoring

    app, stack = _app_stack(tmp_path)
    dq_only = SageMakerModelMonitoring(stack, "dq", settings=MINIMAL)
    mq = {
        **MINIMAL,
        "endpoint_name": "other",
        "stack_name": "other-monitoring",
        "enable_model_quality_monitor": True,
        "model_quality_baseline_s3_uri": f"s3://{BUCKET}/mq/b/",
        "model_quality_output_s3_uri": f"s3://{BUCKET}/mq/o/",
        "model_quality_ground_truth_s3_uri": f"s3://{BUCKET}/mq/gt/",
        "model_quality_inference_attribute": "0",
    }
    first = SageMakerModelMonitoring(stack, "mq", settings=mq)
    second = SageMakerModelMonitoring(
        stack, "mq2", settings={**mq, "endpoint_name": "third", "stack_name": "third-monitoring"}
    )
    assert dq_only.awscc_provider is None and isinstance(first.awscc_provider, AwsccProvider)
    assert second.awscc_provider is first.awscc_provider  # the stack's awscc provider, not a second one
    tf = _synth(app, tmp_path)
    assert (
        set(tf["provider"]) == {"aws", "awscc"}
        and len(tf["provider"]["awscc"]) == 1
        and len(tf["provider"]["aws"]) == 1
    )
    # No backend of ours (cdktf gives a stack without one its default local backend), outputs only when asked
    assert not any(isinstance(n, TerraformBackend) for n in first.node.find_all())
    assert list(tf["terraform"]["backend"]) == ["local"] and "output" not in tf
    # Typed attributes are the resources themselves
    schedules = resources(tf, "aws_sagemaker_monitoring_schedule")
    assert sorted(s["name"] for s in schedules) == [
        "my-endpoint-dq-schedule",
        "other-dq-schedule",
        "other-mq-schedule",
        "third-dq-schedule",
        "third-mq-schedule",
    ]
    assert first.schedules["model_quality"].terraform_resource_type == "aws_sagemaker_monitoring_schedule"
    assert first.monitoring_role.terraform_resource_type == "aws_iam_role"
    assert set(first.job_definitions) == {"data_quality", "model_quality"}
    assert first.state_machine is None and first.alert_topic_arn is None


def _named(tf: dict, rtype: str, readable: str) -> dict:
    """The one ``rtype`` (``data.<type>``) block named ``readable`` (cdktf's hash suffix or not)."""
    block, kind = ("data", rtype.removeprefix("data.")) if rtype.startswith("data.") else ("resource", rtype)
    return tf[block][kind][address(tf, rtype, readable).rsplit(".", 1)[1]]


@pytest.mark.slow
def test_embedded_example_wires_references_and_terraform_validates(tmp_path, terraform_validate):
    import importlib.util

    # examples/embedded_app/main.py, loaded under its own name: `main` is the project's main.py for other tests.
    spec = importlib.util.spec_from_file_location("embedded_app_main", REPO / "examples" / "embedded_app" / "main.py")
    embedded_app = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(embedded_app)

    stack_dir = embedded_app.build(tmp_path / "out")
    tf = json.loads((stack_dir / "cdk.tf.json").read_text())
    clean = _strip(tf)
    # the app's own provider and backend, no awscc (data quality only)
    assert (
        set(clean["provider"]) == {"aws"}
        and clean["terraform"]["backend"]["s3"]["key"] == "churn-app/terraform.tfstate"
    )
    job = one(clean, "aws_sagemaker_data_quality_job_definition")
    assert job["data_quality_job_input"]["endpoint_input"]["endpoint_name"] == "${aws_sagemaker_endpoint.endpoint.name}"
    assert (
        job["data_quality_job_output_config"]["monitoring_outputs"]["s3_output"]["s3_uri"]
        == "s3://${aws_s3_bucket.models.bucket}/monitoring/output/"
    )
    assert job["name"].startswith("churn-monitoring-dq-") and "${substr(sha256(join(" in job["name"]
    role = _named(clean, "aws_iam_role", "monitoring_monitoring_role")
    assert [c["error_message"] for c in role["lifecycle"]["precondition"]] == [
        "endpoint_name: must be a SageMaker endpoint name (letters, digits, hyphens; ≤ 63)",
        "model_bucket_arn: must be an S3 bucket ARN like arn:aws:s3:::my-bucket",
        "kms_key_id: must be a KMS key id, alias (alias/name) or key/alias ARN",
        "data_quality_baseline_s3_uri: must be inside the model bucket (model_bucket_arn)",
        "data_quality_output_s3_uri: must be inside the model bucket (model_bucket_arn)",
        "region: us-east-2 must be the region of the stack's aws provider",
    ]
    policy = _named(clean, "data.aws_iam_policy_document", "monitoring_monitoring_role_permissions")["statement"]
    key = address(clean, "data.aws_kms_key", "monitoring_monitoring_key")
    by_sid = {s["sid"]: s for s in policy}
    assert by_sid["WriteMonitorOutputs"]["resources"] == ["${aws_s3_bucket.models.arn}/monitoring/output/*"]
    assert by_sid["UseMonitoringKeyThroughServices"]["resources"] == [f"${{{key}.arn}}"]
    assert _named(clean, "data.aws_kms_key", "monitoring_monitoring_key")["key_id"] == "${aws_kms_key.key.arn}"
    assert "TfToken" not in json.dumps(tf)

    # The app pins the aws provider its bindings were generated for (6.25.0); offline there is 5.100.0 only.
    tf["terraform"]["required_providers"]["aws"]["version"] = ">= 5.100.0"
    report = terraform_validate(tf)
    assert report["valid"], report["diagnostics"]
    assert report["error_count"] == 0 and report["warning_count"] == 0, report["diagnostics"]


def test_references_reach_clarify_iam_and_alerts(tmp_path):
    from cdktf_cdktf_provider_aws.sagemaker_endpoint import SagemakerEndpoint
    from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

    from sagemaker_model_monitoring_cdktf import SageMakerModelMonitoring

    app, stack = _app_stack(tmp_path)
    endpoint = SagemakerEndpoint(stack, "endpoint", name="churn", endpoint_config_name="churn")
    topic = SnsTopic(stack, "alerts", name="churn-alerts")
    bias = SageMakerModelMonitoring(
        stack,
        "bias",
        settings={
            "endpoint_name": endpoint.name,
            "stack_name": "churn-bias",
            "model_bucket_arn": MINIMAL["model_bucket_arn"],
            "region": "us-east-2",
            "enable_model_bias_monitor": True,
            "model_bias_baseline_s3_uri": f"s3://{BUCKET}/bias/b/",
            "baseline_model_bias_params": {"headers": "feature1,feature2,feature3,label", "label_values": "1"},
            "model_bias_output_s3_uri": f"s3://{BUCKET}/bias/o/",
            "model_bias_ground_truth_s3_uri": f"s3://{BUCKET}/bias/gt/",
        },
    )
    SageMakerModelMonitoring(
        stack,
        "dq",
        settings={
            **MINIMAL,
            "alert_sns_topic_arn": topic.arn,
            "data_quality_drift_alarms": [{"feature": "tenure", "threshold": 0.2}],
        },
    )
    tf = _strip(_synth(app, tmp_path))
    documents = tf["data"]["aws_iam_policy_document"]
    [describe] = [s for d in documents.values() for s in d["statement"] if s["sid"] == "DescribeMonitoredModel"]
    assert describe["resources"][1].startswith("arn:aws:sagemaker:us-east-2:${data.aws_caller_identity.bias_caller_")
    assert describe["resources"][1].endswith(".account_id}:endpoint/${lower(aws_sagemaker_endpoint.endpoint.name)}")
    assert bias.job_definitions["model_bias"].terraform_resource_type == "awscc_sagemaker_model_bias_job_definition"
    schedules = tf["resource"]["aws_sagemaker_monitoring_schedule"]
    assert sorted(s["name"] for s in schedules.values()) == ["churn-bias-bias-schedule", "my-endpoint-dq-schedule"]
    [alarm] = [
        a for a in resources(tf, "aws_cloudwatch_metric_alarm") if a["metric_name"] == "feature_baseline_drift_tenure"
    ]
    assert alarm["alarm_actions"] == ["${aws_sns_topic.alerts.arn}"]
    [dq_role] = [r for k, r in tf["resource"]["aws_iam_role"].items() if k.startswith("dq_monitoring_role")]
    assert [c["error_message"] for c in dq_role["lifecycle"]["precondition"]] == [
        "alert_sns_topic_arn: must be an SNS topic ARN",
        "region: us-east-2 must be the region of the stack's aws provider",
    ]


def _variables_app(tmp_path, *, bucket_arn: str, endpoint: str, uri_bucket: str, region: str) -> Path:
    """A stack whose references are variables (values known at plan time, unlike a new bucket's arn, whose
    preconditions Terraform checks at apply)."""
    from cdktf import TerraformVariable

    from sagemaker_model_monitoring_cdktf import SageMakerModelMonitoring

    app, stack = _app_stack(tmp_path)
    arn = TerraformVariable(stack, "bucket_arn", type="string", default=bucket_arn)
    name = TerraformVariable(stack, "endpoint_name", type="string", default=endpoint)
    SageMakerModelMonitoring(
        stack,
        "monitoring",
        settings={
            **MINIMAL,
            "region": region,
            "stack_name": "plan-check",
            "endpoint_name": name.string_value,
            "model_bucket_arn": arn.string_value,
            "data_quality_baseline_s3_uri": f"s3://{uri_bucket}/baseline/",
            "data_quality_output_s3_uri": f"s3://{uri_bucket}/output/",
        },
    )
    _synth(app, tmp_path)
    return tmp_path / "out" / "stacks" / "app" / "cdk.tf.json"


@pytest.mark.slow
@pytest.mark.parametrize("case", ["valid", "outside bucket", "bad endpoint name", "other region"])
def test_preconditions_stop_the_plan_with_the_rule(case, moto_server, terraform, tmp_path):
    bucket_arn, endpoint, uri_bucket = f"arn:aws:s3:::{BUCKET}", "churn", BUCKET
    if case == "outside bucket":
        uri_bucket = "another-bucket"  # synth cannot know: the bucket is a reference
    if case == "bad endpoint name":
        endpoint = "churn_endpoint"  # underscores: not an endpoint name
    source = _variables_app(
        tmp_path,
        bucket_arn=bucket_arn,
        endpoint=endpoint,
        uri_bucket=uri_bucket,
        region="us-west-2" if case == "other region" else "us-east-1",
    )
    doc = json.loads(source.read_text())
    doc["terraform"]["required_providers"]["aws"]["version"] = ">= 5.100.0"  # the offline binary (see above)
    workdir = tmp_path / "tf"
    harness.emulator_copy(source.parent, workdir, moto_server.endpoint, tf=doc)
    tf = terraform(workdir)
    tf.init()
    if case == "valid":
        rc, out, err = tf.run("plan")
        assert rc == 0, err
        assert "aws_sagemaker_monitoring_schedule.monitoring_data_quality_schedule" in out
        return
    with pytest.raises(TerraformTestError) as failed:  # exit 1
        tf.run("plan")
    message = " ".join(failed.value.cmd_error.replace("│", " ").split())  # Terraform's stderr
    assert "Resource precondition failed" in message
    expected = {
        "outside bucket": "data_quality_output_s3_uri: must be inside the model bucket (model_bucket_arn)",
        "bad endpoint name": "endpoint_name: must be a SageMaker endpoint name (letters, digits, hyphens; ≤ 63)",
        "other region": "region: us-west-2 must be the region of the stack's aws provider",
    }[case]
    assert expected in message, message


def test_settings_built_directly_still_get_the_baseline_event_rules(tmp_path):
    """Settings(...) runs the model's rules; the construct adds the baseline Lambda's, as config validation does."""
    import yaml
    from cdktf import App, TerraformStack

    from monitors.constructs.construct import SageMakerModelMonitoring
    from monitors.settings.builder import SettingsError
    from monitors.settings.model import Settings

    params = yaml.safe_load((REPO / "examples" / "full.yaml").read_text())
    params["baseline_model_bias_params"]["facet_name"] = "agee"  # not one of its headers: the Lambda's rule
    settings = Settings(**params)
    with pytest.raises(SettingsError) as error:
        SageMakerModelMonitoring(TerraformStack(App(outdir=str(tmp_path)), "s"), "m", settings=settings)
    assert any("baseline_model_bias_params" in p and "agee" in p for p in error.value.problems), error.value.problems
