"""Issue 20 items 4 and 5: data_quality_exclude_features (awscc's data quality job definition) and, per monitor, the
container environment, S3 input mode and data distribution type: which attribute gets which value, the exact
messages for what AWS would refuse, and what the first plan after switching data quality to awscc does."""

from __future__ import annotations

import json
import re

import pytest
from conftest import BUCKET, MINIMAL
from emulator import harness
from test_apply_cycle import _awscc_substitutes
from test_real_tools import CfnValidator, _cfn_schema, to_cloudformation

from monitors.settings.config import ConfigError, validate
from monitors.settings.fields import RESERVED_ENVIRONMENT_KEYS

S = f"s3://{BUCKET}"
# Every monitor, endpoint input, given baselines (no baseline generation).
ALL = {
    **MINIMAL,
    "enable_model_quality_monitor": True,
    "model_quality_baseline_s3_uri": f"{S}/baseline/mq/",
    "model_quality_output_s3_uri": f"{S}/output/mq/",
    "model_quality_ground_truth_s3_uri": f"{S}/ground-truth/",
    "model_quality_inference_attribute": "0",
    "enable_model_bias_monitor": True,
    "model_bias_baseline_s3_uri": f"{S}/baseline/bias/",
    "model_bias_output_s3_uri": f"{S}/output/bias/",
    "model_bias_ground_truth_s3_uri": f"{S}/ground-truth/",
    "enable_model_explainability_monitor": True,
    "model_explainability_baseline_s3_uri": f"{S}/baseline/expl/",
    "model_explainability_output_s3_uri": f"{S}/output/expl/",
    # A given Clarify baseline's monitor configuration is written from these (issue 20 item 3).
    "baseline_model_bias_params": {"label_header": "label", "headers": ["label", "age"], "facet_name": "age"},
    "baseline_model_explainability_params": {"label_header": "label", "headers": ["label", "age"], "model_name": "m"},
}
MONITORS = ("data_quality", "model_quality", "model_bias", "model_explainability")
DQ_AWS = "aws_sagemaker_data_quality_job_definition"
DQ_AWSCC = "awscc_sagemaker_data_quality_job_definition"


def problems(**overrides) -> list[str]:
    with pytest.raises(ConfigError) as error:
        validate({**MINIMAL, **overrides})
    return error.value.problems


def job_definitions(tf: dict) -> dict[str, dict]:
    """monitor -> its job definition's attributes (whatever its resource type)."""
    out = {}
    for rtype, resources in tf["resource"].items():
        if rtype.endswith("_job_definition"):
            for logical, attributes in resources.items():
                out[logical.removesuffix("_job_definition")] = attributes
    return out


def app_specification(monitor: str, attributes: dict) -> dict:
    return attributes[f"{monitor}_app_specification"]


def endpoint_input(monitor: str, attributes: dict) -> dict:
    return attributes[f"{monitor}_job_input"]["endpoint_input"]


# --- unset: nothing changes ---------------------------------------------------------------------------------------
def test_the_defaults_written_out_give_the_same_output(synth):
    """The options at their defaults are what every earlier output had: File, FullyReplicated, only the metrics
    switch in the environment, and the aws provider's data quality resource."""
    defaults = {f"{m}_s3_input_mode": "File" for m in MONITORS} | {
        f"{m}_s3_data_distribution_type": "FullyReplicated" for m in MONITORS
    }
    assert synth({**ALL, **defaults}) == synth(ALL)
    tf = synth(ALL)
    assert DQ_AWSCC not in tf["resource"] and DQ_AWS in tf["resource"]
    for monitor, attributes in job_definitions(tf).items():
        assert app_specification(monitor, attributes)["environment"] == {"publish_cloudwatch_metrics": "Enabled"}
        assert endpoint_input(monitor, attributes)["s3_input_mode"] == "File"
        assert endpoint_input(monitor, attributes)["s3_data_distribution_type"] == "FullyReplicated"
        assert "exclude_features_attribute" not in endpoint_input(monitor, attributes)


# --- item 5: environment, input mode, distribution -----------------------------------------------------------------
def test_environment_is_merged_into_every_monitors_container_environment(synth):
    config = {**ALL} | {f"{m}_environment": {"LOG_LEVEL": m, "A_b_1": "x y"} for m in MONITORS}
    for monitor, attributes in job_definitions(synth(config)).items():
        assert app_specification(monitor, attributes)["environment"] == {
            "A_b_1": "x y",
            "LOG_LEVEL": monitor,
            "publish_cloudwatch_metrics": "Enabled",
        }


def test_input_mode_and_distribution_on_every_monitors_endpoint_input(synth):
    config = {**ALL} | {f"{m}_s3_input_mode": "Pipe" for m in MONITORS}
    config |= {f"{m}_s3_data_distribution_type": "ShardedByS3Key" for m in MONITORS}
    definitions = job_definitions(synth(config))
    assert sorted(definitions) == sorted(MONITORS)
    for monitor, attributes in definitions.items():
        assert endpoint_input(monitor, attributes)["s3_input_mode"] == "Pipe"
        assert endpoint_input(monitor, attributes)["s3_data_distribution_type"] == "ShardedByS3Key"
    # Data quality keeps the aws provider's resource: it has both attributes.
    assert DQ_AWS in synth(config)["resource"]


def test_input_mode_and_distribution_on_batch_transform_inputs(synth):
    config = {**ALL}
    for monitor in MONITORS:
        config[f"{monitor}_batch_transform_input"] = {
            "data_captured_destination_s3_uri": f"{S}/batch/{monitor}/",
            "dataset_format": "csv",
            "csv_header": True,
        }
        config[f"{monitor}_s3_input_mode"] = "Pipe"
        config[f"{monitor}_s3_data_distribution_type"] = "ShardedByS3Key"
    for monitor, attributes in job_definitions(synth(config)).items():
        batch = attributes[f"{monitor}_job_input"]["batch_transform_input"]
        assert (batch["s3_input_mode"], batch["s3_data_distribution_type"]) == ("Pipe", "ShardedByS3Key"), monitor


def test_environment_values_stay_literal_text(synth):
    """What looks like Terraform syntax but is no template (a lone $ or {) is written as given; templates and
    cdktf tokens are refused (below)."""
    tf = synth({**MINIMAL, "data_quality_environment": {"PATTERN": "$HOME {x} $(y)"}})
    environment = tf["resource"][DQ_AWS]["data_quality_job_definition"]["data_quality_app_specification"]
    assert environment["environment"]["PATTERN"] == "$HOME {x} $(y)"


@pytest.mark.parametrize("key", sorted(RESERVED_ENVIRONMENT_KEYS))
def test_reserved_environment_keys_are_refused_naming_the_key(key):
    assert problems(model_bias_environment={key: "x"}) == [
        f"model_bias_environment: key {key!r} is reserved: the monitoring container reads it and the job definition "
        "or SageMaker sets it (set it through its own parameter, if any)"
    ]


def test_reserved_keys_cover_what_the_payloads_and_the_sdk_set():
    import sagemaker.model_monitor.model_monitoring as sdk

    sdk_keys = {value for name, value in vars(sdk).items() if name.endswith("_ENV_NAME")}
    # categorical_drift_method: the SDK sets it on baselining jobs only; a monitoring job may take it from the user.
    assert sdk_keys - {"categorical_drift_method"} <= RESERVED_ENVIRONMENT_KEYS
    contract = {  # SageMaker developer guide, model-monitor-byoc-contract-inputs
        "dataset_format",
        "dataset_source",
        "end_time",
        "output_path",
        "publish_cloudwatch_metrics",
        "sagemaker_endpoint_name",
        "sagemaker_monitoring_schedule_name",
        "start_time",
    }
    assert contract <= RESERVED_ENVIRONMENT_KEYS


@pytest.mark.parametrize(
    ("environment", "message"),
    [
        (
            {"1abc": "x"},
            "data_quality_environment: key '1abc' must be 1-256 letters, digits and _, not starting with a digit "
            "(the API's ProcessingEnvironmentKey)",
        ),
        (
            {"MY-VAR": "x"},
            "data_quality_environment: key 'MY-VAR' must be 1-256 letters, digits and _, not starting with a digit "
            "(the API's ProcessingEnvironmentKey)",
        ),
        (
            {"K" * 257: "x"},
            f"data_quality_environment: key '{'K' * 74}...' must be 1-256 letters, digits and _, not starting with a "
            "digit (the API's ProcessingEnvironmentKey)",
        ),
        ({"V": "x" * 257}, "data_quality_environment: the value of 'V' must be at most 256 characters (got 257)"),
        (
            {f"K{i}": "v" for i in range(50)},
            "data_quality_environment: at most 49 variables (the API takes 50, one is publish_cloudwatch_metrics) "
            "(got 50)",
        ),
        (
            {"V": "${var.x}"},
            "data_quality_environment.V: must not contain '${' or '%{' (Terraform would evaluate it as a template) "
            "(got '${var.x}')",
        ),
    ],
)
def test_environments_aws_would_refuse_are_refused(environment, message):
    assert problems(data_quality_environment=environment) == [message]


def test_the_api_limits_are_accepted(synth):
    environment = {f"K{i}": "v" * 256 for i in range(49)}
    tf = synth({**MINIMAL, "data_quality_environment": environment})
    written = tf["resource"][DQ_AWS]["data_quality_job_definition"]["data_quality_app_specification"]["environment"]
    assert len(written) == 50 and written["K0"] == "v" * 256


def test_input_mode_and_distribution_take_the_apis_values_only():
    assert problems(data_quality_s3_input_mode="FastFile", model_quality_s3_data_distribution_type="Sharded") == [
        "data_quality_s3_input_mode: Input should be 'File' or 'Pipe' (got 'FastFile')",
        "model_quality_s3_data_distribution_type: Input should be 'FullyReplicated' or 'ShardedByS3Key' "
        "(got 'Sharded')",
    ]


def test_changing_an_option_renames_the_job_definition(synth):
    """Job definitions are immutable: a changed option gives a new content-derived name (replaced, schedule
    updated in place)."""
    names = {
        json.dumps(extra): synth({**MINIMAL, **extra})["resource"][DQ_AWS]["data_quality_job_definition"]["name"]
        for extra in (
            {},
            {"data_quality_s3_input_mode": "Pipe"},
            {"data_quality_s3_data_distribution_type": "ShardedByS3Key"},
            {"data_quality_environment": {"A": "1"}},
            {"data_quality_environment": {"A": "2"}},
        )
    }
    assert len(set(names.values())) == 5, names


# --- item 4: excluded features ---------------------------------------------------------------------------------------
EXCLUDED = {**MINIMAL, "data_quality_exclude_features": ["customer_id", "event_time", "3"]}


def test_exclude_features_use_awsccs_data_quality_job_definition(synth):
    tf = synth(EXCLUDED)
    assert DQ_AWS not in tf["resource"]
    [(logical, definition)] = tf["resource"][DQ_AWSCC].items()
    assert logical == "data_quality_job_definition"
    assert definition["provider"] == "awscc" and definition["lifecycle"] == {"create_before_destroy": True}
    assert definition["data_quality_job_input"] == {
        "endpoint_input": {
            "endpoint_name": "my-endpoint",
            "exclude_features_attribute": "customer_id,event_time,3",
            "local_path": "/opt/ml/processing/input/endpoint",
            "s3_data_distribution_type": "FullyReplicated",
            "s3_input_mode": "File",
        }
    }
    assert definition["data_quality_baseline_config"] == {
        "constraints_resource": {"s3_uri": f"{S}/baseline/dq/constraints.json"},
        "statistics_resource": {"s3_uri": f"{S}/baseline/dq/statistics.json"},
    }
    assert definition["data_quality_app_specification"] == {
        "environment": {"publish_cloudwatch_metrics": "Enabled"},
        "image_uri": "${data.aws_sagemaker_prebuilt_ecr_image.analyzer_image.registry_path}",
    }
    # The awscc provider is added for it; the schedule (same address) names the awscc definition.
    assert "awscc" in tf["provider"] and "awscc" in tf["terraform"]["required_providers"]
    schedule = tf["resource"]["aws_sagemaker_monitoring_schedule"]["data_quality_schedule"]
    assert schedule["monitoring_schedule_config"]["monitoring_job_definition_name"] == (
        f"${{{DQ_AWSCC}.data_quality_job_definition.job_definition_name}}"
    )


def test_the_awscc_data_quality_payload_matches_the_cloudformation_schema(synth):
    """Every option at once (scripts, environment, input options, batch parquet, VPC and KMS, tags) against
    AWS::SageMaker::DataQualityJobDefinition as cfn-lint ships it."""
    config = {
        **EXCLUDED,
        "data_quality_environment": {"LOG_LEVEL": "debug"},
        "data_quality_s3_input_mode": "Pipe",
        "data_quality_s3_data_distribution_type": "ShardedByS3Key",
        "data_quality_record_preprocessor_source_uri": f"{S}/code/pre.py",
        "data_quality_post_analytics_processor_source_uri": f"{S}/code/post.py",
        "data_quality_batch_transform_input": {
            "data_captured_destination_s3_uri": f"{S}/batch/",
            "dataset_format": "parquet",
        },
        "kms_key_id": "alias/model-monitoring",
        "subnet_ids": ["subnet-0aa11bb22cc33dd44"],
        "security_group_id": "sg-0123456789abcdef0",
        "tags": {"team": "ml"},
    }
    [resource] = synth(config)["resource"][DQ_AWSCC].values()
    assert resource["data_quality_job_input"]["batch_transform_input"]["exclude_features_attribute"] == (
        "customer_id,event_time,3"
    )
    assert resource["data_quality_job_input"]["batch_transform_input"]["dataset_format"] == {"parquet": True}
    schema = _cfn_schema("AWS::SageMaker::DataQualityJobDefinition")
    payload = {k: v for k, v in resource.items() if k not in ("//", "lifecycle", "provider", "depends_on")}
    text = json.dumps(payload).replace("${aws_iam_role.monitoring_role.arn}", "arn:aws:iam::123456789012:role/m")
    text = re.sub(r"\$\{data\.aws_sagemaker_prebuilt_ecr_image\.\w+\.registry_path\}", "1.dkr.ecr/image:1", text)
    text = text.replace(
        "${data.aws_kms_key.monitoring_key.arn}", "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234"
    )
    assert "${" not in text
    document = to_cloudformation(json.loads(text), schema, schema)
    errors = sorted(CfnValidator(schema).iter_errors(document), key=str)
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    assert document["DataQualityJobInput"]["BatchTransformInput"]["ExcludeFeaturesAttribute"] == (
        "customer_id,event_time,3"
    )


def test_parquet_batch_input_is_allowed_once_data_quality_is_awscc():
    batch = {"data_captured_destination_s3_uri": f"{S}/batch/", "dataset_format": "parquet"}
    assert problems(data_quality_batch_transform_input=batch) == [
        "data_quality_batch_transform_input.dataset_format: parquet is not available for data quality: the aws "
        "provider's aws_sagemaker_data_quality_job_definition only has csv and json"
    ]
    validate({**EXCLUDED, "data_quality_batch_transform_input": batch})


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            ["a,b"],
            "each column name must be non-empty, without a comma or surrounding spaces (they are joined with commas) "
            "(got 'a,b')",
        ),
        (
            [" id"],
            "each column name must be non-empty, without a comma or surrounding spaces (they are joined with commas) "
            "(got ' id')",
        ),
        (
            [""],
            "each column name must be non-empty, without a comma or surrounding spaces (they are joined with commas) "
            "(got '')",
        ),
        ([], "must name at least one column (leave it unset to analyze every column)"),
        (["id", "id"], "each column once (got ['id', 'id'])"),
        (
            ["x" * 50, "y" * 50],
            "joined with commas the names must be at most 100 characters (the API's ExcludeFeaturesAttribute) "
            "(got 101)",
        ),
        ("id", "Input should be a valid list (got 'id')"),
    ],
)
def test_exclude_features_aws_would_refuse_are_refused(value, message):
    assert problems(data_quality_exclude_features=value) == [f"data_quality_exclude_features: {message}"]


def test_exclude_features_of_the_api_limit_are_accepted(synth):
    names = ["x" * 49, "y" * 50]  # 49 + 1 + 50 = 100 characters
    [resource] = synth({**MINIMAL, "data_quality_exclude_features": names})["resource"][DQ_AWSCC].values()
    assert len(resource["data_quality_job_input"]["endpoint_input"]["exclude_features_attribute"]) == 100


def test_switching_to_awscc_renames_the_definition_and_keeps_the_schedule(synth):
    """What the first plan after setting the option does, from the output: the old definition's address goes,
    the new one (another resource type) has a different content-derived name, so both can exist while the
    schedule (same address, updated in place) moves over; create_before_destroy on both. The emulator test below
    runs that plan."""
    before, after = synth(MINIMAL), synth(EXCLUDED)
    old = before["resource"][DQ_AWS]["data_quality_job_definition"]
    new = after["resource"][DQ_AWSCC]["data_quality_job_definition"]
    assert old["name"] != new["job_definition_name"]
    assert old["name"].startswith("my-endpoint-dq-") and new["job_definition_name"].startswith("my-endpoint-dq-")
    assert old["lifecycle"] == new["lifecycle"] == {"create_before_destroy": True}
    schedules = [
        before["resource"]["aws_sagemaker_monitoring_schedule"],
        after["resource"]["aws_sagemaker_monitoring_schedule"],
    ]
    assert [list(s) for s in schedules] == [["data_quality_schedule"], ["data_quality_schedule"]]
    assert schedules[0]["data_quality_schedule"]["name"] == schedules[1]["data_quality_schedule"]["name"]


@pytest.mark.slow
def test_first_plan_after_excluding_features_replaces_the_definition_once(moto_server, synth, terraform, tmp_path):
    """Against the emulator (the awscc definition created through boto3, as in test_apply_cycle.py): apply data
    quality on the aws resource, then set data_quality_exclude_features. The plan deletes the old definition and
    updates the one schedule in place (no second schedule); Terraform orders that delete after the schedule's
    update (create_before_destroy, recorded in the state); after the apply SageMaker holds one data quality
    definition, the new one, and the schedule names it."""
    config = {
        **MINIMAL,
        "endpoint_name": "switch-endpoint",
        "region": "us-east-1",
        "stack_name": "options-switch",
        "data_quality_baseline_s3_uri": f"{S}/switch/baseline/",
        "data_quality_output_s3_uri": f"{S}/switch/output/",
    }
    role_arn = "arn:aws:iam::123456789012:role/options-switch-monitoring"
    sagemaker = moto_server.client("sagemaker")
    workdir = tmp_path / "tf"
    first = synth(config)
    harness.emulator_copy(synth.folder(config), workdir, moto_server.endpoint)
    tf = terraform(workdir)
    tf.init()
    tf.run("apply", "-auto-approve")
    old_name = first["resource"][DQ_AWS]["data_quality_job_definition"]["name"]

    switched = {**config, "data_quality_exclude_features": ["customer_id"]}
    second = synth(switched)
    subs = _awscc_substitutes(second, sagemaker, role_arn)  # the awscc definition, created as awscc would
    harness.emulator_copy(synth.folder(switched), workdir, moto_server.endpoint, substitutions=subs)
    new_name = second["resource"][DQ_AWSCC]["data_quality_job_definition"]["job_definition_name"]
    tf.run("plan", "-out=switch.tfplan")
    changes = {
        c["address"]: c["change"]["actions"]
        for c in tf.show("switch.tfplan")["resource_changes"]
        if c["change"]["actions"] != ["no-op"]
    }
    assert changes == {
        f"{DQ_AWS}.data_quality_job_definition": ["delete"],
        "aws_sagemaker_monitoring_schedule.data_quality_schedule": ["update"],
    }
    graph = tf.execute_command("graph", "-plan=switch.tfplan").out
    # DOT edge "A" -> "B": A waits for B. The old definition's delete waits for the schedule's update.
    assert re.search(
        rf'"\[root\] {DQ_AWS}\.data_quality_job_definition \(destroy\)" -> '
        r'"\[root\] aws_sagemaker_monitoring_schedule\.data_quality_schedule"',
        graph,
    ), graph
    tf.run("apply", "switch.tfplan")
    schedule = sagemaker.describe_monitoring_schedule(MonitoringScheduleName="switch-endpoint-dq-schedule")
    assert schedule["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"] == new_name
    names = [
        d["MonitoringJobDefinitionName"]
        for d in sagemaker.list_data_quality_job_definitions()["JobDefinitionSummaries"]
    ]
    assert new_name in names and old_name not in names
    assert [
        s["MonitoringScheduleName"]
        for s in sagemaker.list_monitoring_schedules()["MonitoringScheduleSummaries"]
        if s["MonitoringScheduleName"].startswith("switch-endpoint")
    ] == ["switch-endpoint-dq-schedule"]
    assert tf.plan_exit_code() == 0


@pytest.mark.slow
def test_the_sdk_and_the_project_send_the_options_alike(moto_server, tmp_path, monkeypatch):
    """The differential test's extras case (tests/sdk_parity/matrix.py) is not vacuous for these options: both sides
    send the excluded features, the environment, the input mode and the distribution, with the same values."""
    from sdk_parity import matrix
    from sdk_parity.project_requests import synthesize
    from sdk_parity.run import capture_all
    from sdk_parity.sdk_requests import MONITORING_TYPES

    [case] = [c for c in matrix.CASES if c.id == "endpoint-given"]
    assert case.extras
    monkeypatch.setattr(matrix, "CASES", (case,))
    stacks = synthesize((case,), tmp_path / "cdktf.out")
    sdk, project = capture_all(moto_server.endpoint, tmp_path, stacks)[case.id]
    for side in (sdk, project):
        dq_input = side["CreateDataQualityJobDefinition"]["DataQualityJobInput"]["EndpointInput"]
        assert dq_input["ExcludeFeaturesAttribute"] == "customer_id,1"
        for monitor in case.monitors:
            mtype = MONITORING_TYPES[monitor]
            definition = side[f"Create{mtype}JobDefinition"]
            assert definition[f"{mtype}AppSpecification"]["Environment"] == {
                "LOG_LEVEL": "debug",
                "TZ": "UTC",
                "publish_cloudwatch_metrics": "Enabled",
            }
            endpoint = definition[f"{mtype}JobInput"]["EndpointInput"]
            assert (endpoint["S3InputMode"], endpoint["S3DataDistributionType"]) == ("Pipe", "ShardedByS3Key")


def test_import_maps_the_options_of_a_running_monitor():
    """`python main.py import` (monitors/tooling/importer.py) writes them for a running monitor that has them."""
    from test_import import ENDPOINT, REGION, changed, described

    from monitors.tooling.importer import endpoint_parameters

    dq = described("data_quality")
    dq = changed(dq, "DataQualityJobInput.EndpointInput.ExcludeFeaturesAttribute", "customer_id,1")
    dq = changed(dq, "DataQualityJobInput.EndpointInput.S3InputMode", "Pipe")
    dq = changed(dq, "DataQualityAppSpecification.Environment", {"publish_cloudwatch_metrics": "Enabled", "TZ": "UTC"})
    bias = changed(described("model_bias"), "ModelBiasJobInput.EndpointInput.S3DataDistributionType", "ShardedByS3Key")
    params, _ = endpoint_parameters(ENDPOINT, [dq, bias], REGION)
    assert params["data_quality_exclude_features"] == ["customer_id", "1"]
    assert params["data_quality_s3_input_mode"] == "Pipe"
    assert params["data_quality_environment"] == {"TZ": "UTC"}
    assert params["model_bias_s3_data_distribution_type"] == "ShardedByS3Key"
    assert "model_bias_environment" not in params and "model_bias_s3_input_mode" not in params  # the defaults
