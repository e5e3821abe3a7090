"""`python main.py import` (monitors/tooling/importer.py): running monitors -> configuration and import blocks.

The mapping from the describe responses to the flat parameters and its refusals are unit tests; the end-to-end tests
let the SageMaker SDK (2.257.7) create the four monitors against the moto server, import them, and plan the written
configuration's stack against the same server with the schedules imported (aws provider; the awscc job definitions,
for which there is no provider binary here, are compared with the SDK's at the configuration level).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from emulator import harness

from monitors.monitor_types import MONITORS
from monitors.tooling import importer
from monitors.tooling.importer import Found, ImportRefused, endpoint_parameters

ACCOUNT = "123456789012"
REGION = "us-east-2"
BUCKET = f"sagemaker-{REGION}-{ACCOUNT}"
ENDPOINT = "churn"
SDK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/service-role/AmazonSageMaker-ExecutionRole"
HEADERS = ["age", "tenure", "monthly_charges", "label"]
ANALYZER = f"777275614652.dkr.ecr.{REGION}.amazonaws.com/sagemaker-model-monitor-analyzer"
CLARIFY = f"211330385671.dkr.ecr.{REGION}.amazonaws.com/sagemaker-clarify-processing:1.0"


def s3(*parts: str) -> str:
    return f"s3://{BUCKET}/" + "/".join(parts)


# ---------------------------------------------------------------------------------------------------------------------
# Describe responses as the SDK's monitors have them (the shapes the emulator answered for make_sdk_monitors)
# ---------------------------------------------------------------------------------------------------------------------
def described(monitor: str, name: str | None = None) -> Found:
    spec = MONITORS[monitor]
    t = spec.monitoring_type
    definition = f"{monitor.replace('_', '-')}-job-definition-1"
    endpoint_input: dict = {
        "EndpointName": ENDPOINT,
        "LocalPath": "/opt/ml/processing/input/endpoint",
        "S3InputMode": "File",
        "S3DataDistributionType": "FullyReplicated",
    }
    job: dict = {
        "JobDefinitionArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{definition.removesuffix('-1')}/{definition}",
        "JobDefinitionName": definition,
        "CreationTime": "2026-01-01T00:00:00Z",
        f"{t}AppSpecification": {
            "ImageUri": ANALYZER if spec.image == "analyzer" else CLARIFY,
            "Environment": {"publish_cloudwatch_metrics": "Enabled"},
        },
        f"{t}BaselineConfig": {
            "ConstraintsResource": {"S3Uri": s3(ENDPOINT, "baselines", monitor, spec.baseline_files["constraints"])}
        },
        f"{t}JobInput": {"EndpointInput": endpoint_input},
        f"{t}JobOutputConfig": {
            "MonitoringOutputs": [
                {
                    "S3Output": {
                        "S3Uri": s3(ENDPOINT, "monitoring", monitor) + "/",
                        "LocalPath": "/opt/ml/processing/output",
                        "S3UploadMode": "Continuous",
                    }
                }
            ]
        },
        "JobResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}},
        "RoleArn": SDK_ROLE,
        "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
    }
    if "statistics" in spec.baseline_files:
        job[f"{t}BaselineConfig"]["StatisticsResource"] = {
            "S3Uri": s3(ENDPOINT, "baselines", monitor, "statistics.json")
        }
    if spec.name == "model_quality":
        job[f"{t}AppSpecification"]["ProblemType"] = "BinaryClassification"
        endpoint_input.update(InferenceAttribute="0", ProbabilityAttribute="1", ProbabilityThresholdAttribute=0.5)
    if spec.image == "clarify":
        job[f"{t}AppSpecification"]["ConfigUri"] = s3(
            ENDPOINT, "monitoring", monitor, definition, "0000", "analysis_config.json"
        )
        endpoint_input["InferenceAttribute"] = "0"
    if spec.needs_ground_truth:
        job[f"{t}JobInput"]["GroundTruthS3Input"] = {"S3Uri": s3(ENDPOINT, "ground-truth") + "/"}
    schedule_name = name or f"monitoring-schedule-{monitor.replace('_', '-')}"
    schedule = {
        "MonitoringScheduleArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:monitoring-schedule/{schedule_name}",
        "MonitoringScheduleName": schedule_name,
        "MonitoringType": t,
        "EndpointName": ENDPOINT,
        "MonitoringScheduleConfig": {
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": definition,
            "MonitoringType": t,
        },
    }
    return Found(spec, schedule, job, {"team": "ml-platform"})


def changed(found: Found, path: str, value: object) -> Found:
    """A copy of ``found`` with one field of its job definition (dotted path; None removes it) changed."""
    job = copy.deepcopy(found.job)
    *parents, last = path.split(".")
    node = job
    for part in parents:
        node = node.setdefault(part, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return Found(found.spec, found.schedule, job, found.tags)


def refusals(monitors: list[Found]) -> list[str]:
    with pytest.raises(ImportRefused) as refused:
        endpoint_parameters(ENDPOINT, monitors, REGION)
    return refused.value.problems


# ---------------------------------------------------------------------------------------------------------------------
# The mapping
# ---------------------------------------------------------------------------------------------------------------------
def test_the_four_sdk_monitors_map_onto_the_flat_parameters():
    params, notes = endpoint_parameters(ENDPOINT, [described(m) for m in MONITORS], REGION)
    assert params["endpoint_name"] == ENDPOINT
    assert params["model_bucket_arn"] == f"arn:aws:s3:::{BUCKET}"
    assert params["region"] == REGION
    assert params["tags"] == {"team": "ml-platform"}
    # The SDK sends no NetworkConfig: no inter-container traffic encryption (the project's default is on).
    assert params["enable_inter_container_traffic_encryption"] is False
    for monitor in MONITORS:
        assert params[f"enable_{monitor}_monitor"] is True
        assert params[f"{monitor}_schedule_name"] == f"monitoring-schedule-{monitor.replace('_', '-')}"
        assert params[f"{monitor}_baseline_s3_uri"] == s3(ENDPOINT, "baselines", monitor) + "/"
        assert params[f"{monitor}_output_s3_uri"] == s3(ENDPOINT, "monitoring", monitor) + "/"
        assert params[f"{monitor}_instance_type"] == "ml.m5.xlarge"
        assert params[f"{monitor}_instance_volume_size_in_gb"] == 30
        assert f"{monitor}_instance_count" not in params  # the default is not written
        assert f"{monitor}_schedule_expression" not in params  # hourly, the default
    assert params["data_quality_max_runtime_in_seconds"] == 1800  # its default is 3600
    assert "model_quality_max_runtime_in_seconds" not in params  # 1800 is its default
    assert params["model_quality_problem_type"] == "BinaryClassification"
    assert params["model_quality_probability_threshold_attribute"] == 0.5
    assert params["model_quality_ground_truth_s3_uri"] == s3(ENDPOINT, "ground-truth") + "/"
    assert params["model_bias_analysis_config_s3_uri"].endswith(
        "/model-bias-job-definition-1/0000/analysis_config.json"
    )
    assert "publish_cloudwatch_metrics" not in params and "kms_key_id" not in params
    assert "model_monitor_image_uri" not in params and "clarify_image_uri" not in params  # the regions' prebuilt
    assert any(n.startswith(f"RoleArn {SDK_ROLE}: the stack's own") for n in notes), notes
    assert any("S3UploadMode" in n for n in notes), notes


def test_a_schedule_named_as_this_project_names_it_needs_no_schedule_name():
    params, _ = endpoint_parameters(ENDPOINT, [described("data_quality", name="churn-dq-schedule")], REGION)
    assert "data_quality_schedule_name" not in params


def test_network_kms_offsets_metrics_and_a_custom_image_are_carried_over():
    dq = described("data_quality")
    dq = changed(
        dq,
        "NetworkConfig",
        {
            "EnableInterContainerTrafficEncryption": True,
            "EnableNetworkIsolation": True,
            "VpcConfig": {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": ["subnet-0aa11bb22cc33dd44"]},
        },
    )
    key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666"
    dq = changed(dq, "JobResources.ClusterConfig.VolumeKmsKeyId", key)
    dq = changed(dq, "DataQualityJobOutputConfig.KmsKeyId", key)
    dq = changed(dq, "DataQualityAppSpecification.Environment", {"publish_cloudwatch_metrics": "Disabled"})
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/my-analyzer:2"
    dq = changed(dq, "DataQualityAppSpecification.ImageUri", image)
    dq = changed(dq, "DataQualityAppSpecification.RecordPreprocessorSourceUri", s3("code", "pre.py"))
    bias = changed(described("model_bias"), "ModelBiasJobInput.EndpointInput.StartTimeOffset", "-PT2H")
    params, _ = endpoint_parameters(ENDPOINT, [dq], REGION)
    assert params["security_group_id"] == "sg-0123456789abcdef0"
    assert params["subnet_ids"] == ["subnet-0aa11bb22cc33dd44"]
    assert params["enable_network_isolation"] is True
    assert "enable_inter_container_traffic_encryption" not in params  # true: the default
    assert params["kms_key_id"] == key
    assert params["publish_cloudwatch_metrics"] is False
    assert params["model_monitor_image_uri"] == image
    assert params["data_quality_record_preprocessor_source_uri"] == s3("code", "pre.py")
    assert endpoint_parameters(ENDPOINT, [bias], REGION)[0]["model_bias_start_time_offset"] == "-PT2H"


@pytest.mark.parametrize(
    ("monitor", "path", "value", "message"),
    [
        (
            "data_quality",
            "NetworkConfig.VpcConfig",
            {
                "SecurityGroupIds": ["sg-0123456789abcdef0", "sg-0123456789abcdef1"],
                "Subnets": ["subnet-0aa11bb22cc33dd44"],
            },
            "NetworkConfig.VpcConfig.SecurityGroupIds: 2 security groups; security_group_id is one",
        ),
        (
            "model_quality",
            "ModelQualityJobInput.EndpointInput.ExcludeFeaturesAttribute",
            "1",
            "ModelQualityJobInput.EndpointInput.ExcludeFeaturesAttribute: this project has no "
            "model_quality_exclude_features parameter",
        ),
        (
            "model_explainability",
            "ModelExplainabilityJobInput.EndpointInput.ProbabilityThresholdAttribute",
            0.5,
            "ModelExplainabilityJobInput.EndpointInput.ProbabilityThresholdAttribute: this project has no "
            "model_explainability_probability_threshold_attribute parameter",
        ),
        (
            "model_quality",
            "ModelQualityAppSpecification.Environment",
            {"publish_cloudwatch_metrics": "Enabled", "analysis_type": "x"},
            "ModelQualityAppSpecification.Environment.analysis_type: a key the container reserves; "
            "<monitor>_environment refuses it",
        ),
        (
            "model_quality",
            "ModelQualityAppSpecification.ContainerEntrypoint",
            ["python", "x.py"],
            "ModelQualityAppSpecification.ContainerEntrypoint: this project has no parameter for it",
        ),
        (
            "data_quality",
            "DataQualityBaselineConfig.StatisticsResource",
            {"S3Uri": s3(ENDPOINT, "baselines", "data_quality", "stats-v2.json")},
            "DataQualityBaselineConfig.StatisticsResource.S3Uri: 's3://sagemaker-us-east-2-123456789012/churn/"
            "baselines/data_quality/stats-v2.json': this project reads statistics.json under "
            "data_quality_baseline_s3_uri",
        ),
        (
            "data_quality",
            "DataQualityBaselineConfig.StatisticsResource",
            {"S3Uri": s3(ENDPOINT, "other", "statistics.json")},
            "DataQualityBaselineConfig: the baseline files are under different prefixes",
        ),
        (
            "model_quality",
            "ModelQualityBaselineConfig",
            None,
            "ModelQualityBaselineConfig.ConstraintsResource.S3Uri: no baseline file; this project needs a baseline",
        ),
        (
            "data_quality",
            "DataQualityJobOutputConfig.KmsKeyId",
            f"arn:aws:kms:{REGION}:{ACCOUNT}:key/0a1b2c3d-1111-2222-3333-444455556666",
            "DataQualityJobOutputConfig.KmsKeyId: 'arn:aws:kms:us-east-2:123456789012:key/0a1b2c3d-1111-2222-3333-"
            "444455556666' differs from JobResources.ClusterConfig.VolumeKmsKeyId None",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " not in v and len(v) < 60 else None,
)
def test_what_cannot_be_expressed_is_refused_naming_the_field(monitor, path, value, message):
    found = changed(described(monitor), path, value)
    problems = refusals([found])
    assert any(p.startswith(f"schedule {found.name} ({MONITORS[monitor].title}): {message}") for p in problems), (
        problems
    )


def test_monitors_of_one_endpoint_must_agree_on_its_shared_parameters():
    dq = described("data_quality")
    mq = changed(described("model_quality"), "NetworkConfig", {"EnableInterContainerTrafficEncryption": True})
    [problem] = refusals([dq, mq])
    assert problem == (
        "schedule monitoring-schedule-model-quality (model quality): "
        "NetworkConfig.EnableInterContainerTrafficEncryption: True differs from False of schedule "
        "monitoring-schedule-data-quality; "
        "enable_inter_container_traffic_encryption is one value for all monitors of an endpoint"
    )


def test_two_schedules_of_one_type_are_refused():
    [problem] = refusals([described("data_quality", "a"), described("data_quality", "b")])
    assert problem == "endpoint churn: 2 data quality schedules (a, b); this project runs one per monitor type"


def test_a_one_time_analysis_window_is_refused():
    found = described("data_quality")
    found.schedule["MonitoringScheduleConfig"]["ScheduleConfig"] = {
        "ScheduleExpression": "NOW",
        "DataAnalysisStartTime": "-PT1H",
        "DataAnalysisEndTime": "-PT0H",
    }
    problems = refusals([found])
    assert any("ScheduleConfig.DataAnalysisStartTime: a one-time (NOW) analysis window" in p for p in problems)


def test_several_endpoints_become_a_fleet_sharing_what_they_have_in_common():
    churn, _ = endpoint_parameters("churn", [described("data_quality")], REGION)
    other = described("data_quality", name="fraud-dq")
    other.schedule["EndpointName"] = "fraud"
    other.job["DataQualityJobInput"]["EndpointInput"]["EndpointName"] = "fraud"
    fraud, _ = endpoint_parameters("fraud", [other], REGION)
    config = importer.configuration({"churn": churn, "fraud": fraud})
    assert config["model_bucket_arn"] == f"arn:aws:s3:::{BUCKET}"
    assert config["data_quality_instance_type"] == "ml.m5.xlarge"
    assert config["enable_data_quality_monitor"] is True
    assert [e["endpoint_name"] for e in config["endpoints"]] == ["churn", "fraud"]
    assert config["endpoints"][1]["data_quality_schedule_name"] == "fraud-dq"
    assert "model_bucket_arn" not in config["endpoints"][0]


# ---------------------------------------------------------------------------------------------------------------------
# The new parameters
# ---------------------------------------------------------------------------------------------------------------------
def _dq_config(**extra) -> dict:
    return {
        "endpoint_name": ENDPOINT,
        "model_bucket_arn": f"arn:aws:s3:::{BUCKET}",
        "region": REGION,
        "enable_data_quality_monitor": True,
        "data_quality_baseline_s3_uri": s3("baseline") + "/",
        "data_quality_output_s3_uri": s3("output") + "/",
        **extra,
    }


def test_schedule_name_names_the_schedule_and_its_alarms_metric(synth):
    tf = synth(
        _dq_config(
            data_quality_schedule_name="monitoring-schedule-2024-01-01",
            data_quality_drift_alarms=[{"feature": "age", "threshold": 0.2}],
            alert_sns_topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts",
        )
    )
    [schedule] = tf["resource"]["aws_sagemaker_monitoring_schedule"].values()
    assert schedule["name"] == "monitoring-schedule-2024-01-01"
    drift = [
        a
        for a in tf["resource"]["aws_cloudwatch_metric_alarm"].values()
        if a["metric_name"] == "feature_baseline_drift_age"
    ]
    assert [a["dimensions"]["MonitoringSchedule"] for a in drift] == ["monitoring-schedule-2024-01-01"]


def test_analysis_config_s3_uri_is_the_config_uri_and_the_role_may_read_it(synth):
    uri = s3("monitoring", "bias", "def", "0000", "analysis_config.json")
    tf = synth(
        _dq_config(
            enable_data_quality_monitor=False,
            enable_model_bias_monitor=True,
            model_bias_baseline_s3_uri=s3("baselines", "bias") + "/",
            model_bias_output_s3_uri=s3("monitoring", "bias") + "/",
            model_bias_ground_truth_s3_uri=s3("ground-truth") + "/",
            model_bias_analysis_config_s3_uri=uri,
        )
    )
    [definition] = tf["resource"]["awscc_sagemaker_model_bias_job_definition"].values()
    assert definition["model_bias_app_specification"]["config_uri"] == uri
    assert f"arn:aws:s3:::{BUCKET}/monitoring/bias/def/0000/analysis_config.json" in json.dumps(tf)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"data_quality_schedule_name": "-x"}, "data_quality_schedule_name: must be a SageMaker name"),
        (
            {
                "enable_model_quality_monitor": True,
                "model_quality_schedule_name": "churn-dq-schedule",
                "model_quality_baseline_s3_uri": s3("mqb") + "/",
                "model_quality_output_s3_uri": s3("mqo") + "/",
                "model_quality_ground_truth_s3_uri": s3("gt") + "/",
            },
            "model_quality_schedule_name: 'churn-dq-schedule' is also the schedule name of data quality",
        ),
    ],
)
def test_the_new_parameters_bad_values(cli, extra, message):
    result = cli(config=_dq_config(**extra))
    assert result.returncode == 2
    assert message in result.stderr, result.stderr


# ---------------------------------------------------------------------------------------------------------------------
# Import blocks at the synthesized addresses
# ---------------------------------------------------------------------------------------------------------------------
def test_import_blocks_use_the_addresses_the_synth_wrote(synth):
    monitors = [described(m) for m in MONITORS]
    params, _ = endpoint_parameters(ENDPOINT, monitors, REGION)
    tf = synth(params)
    blocks = importer.import_blocks(tf, monitors)
    schedules = tf["resource"]["aws_sagemaker_monitoring_schedule"]
    for found in monitors:
        [to] = [b["to"] for b in blocks if b["id"] == found.name]
        rtype, name = to.split(".")
        assert rtype == "aws_sagemaker_monitoring_schedule" and schedules[name]["name"] == found.name
        job = [b for b in blocks if b["id"] in (found.job["JobDefinitionName"], found.job["JobDefinitionArn"])]
        [definition] = job
        rtype, name = definition["to"].split(".")
        assert name in tf["resource"][rtype]
        assert rtype == found.spec.job_definition_resource
        # aws provider: imported by name; awscc: by its primary identifier, the ARN
        assert definition["id"] == found.job["JobDefinitionName" if rtype.startswith("aws_") else "JobDefinitionArn"]
    assert len(blocks) == 8
    hcl = importer.imports_hcl(blocks[:2])
    assert hcl.startswith('terraform {\n  required_version = ">= 1.5.0"\n}\n\nimport {\n  to = aws_sagemaker_')


# ---------------------------------------------------------------------------------------------------------------------
# End to end: SDK-made monitors in the emulator
# ---------------------------------------------------------------------------------------------------------------------
def make_sdk_monitors(endpoint: str = ENDPOINT) -> None:
    """The four monitors as an SDK user makes them with given baselines (the AWS documentation's examples)."""
    import boto3
    import sagemaker
    from sagemaker.clarify import BiasConfig, ModelConfig, SHAPConfig
    from sagemaker.model_monitor import (
        BiasAnalysisConfig,
        DefaultModelMonitor,
        EndpointInput,
        ExplainabilityAnalysisConfig,
        ModelBiasMonitor,
        ModelExplainabilityMonitor,
        ModelQualityMonitor,
    )

    boto_session = boto3.Session(region_name=REGION)
    s3_client = boto_session.client("s3")
    if BUCKET not in {b["Name"] for b in s3_client.list_buckets()["Buckets"]}:
        s3_client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    for monitor in MONITORS:
        for name in ("statistics.json", "constraints.json", "analysis.json"):
            s3_client.put_object(Bucket=BUCKET, Key=f"{endpoint}/baselines/{monitor}/{name}", Body=b'{"version": 0.0}')
    session = sagemaker.Session(boto_session=boto_session, default_bucket=BUCKET)
    common = dict(
        role=SDK_ROLE,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        volume_size_in_gb=30,
        max_runtime_in_seconds=1800,
        sagemaker_session=session,
        tags={"team": "ml-platform"},
    )

    def captured(**attributes) -> EndpointInput:
        return EndpointInput(endpoint_name=endpoint, destination="/opt/ml/processing/input/endpoint", **attributes)

    def baseline(monitor: str, name: str) -> str:
        return s3(endpoint, "baselines", monitor, name)

    def output(monitor: str) -> str:
        return s3(endpoint, "monitoring", monitor) + "/"

    DefaultModelMonitor(**common).create_monitoring_schedule(
        endpoint_input=captured(),
        output_s3_uri=output("data_quality"),
        statistics=baseline("data_quality", "statistics.json"),
        constraints=baseline("data_quality", "constraints.json"),
        schedule_cron_expression="cron(0 * ? * * *)",
    )
    ModelQualityMonitor(**common).create_monitoring_schedule(
        endpoint_input=captured(
            inference_attribute="0", probability_attribute="1", probability_threshold_attribute=0.5
        ),
        ground_truth_input=s3(endpoint, "ground-truth") + "/",
        problem_type="BinaryClassification",
        constraints=baseline("model_quality", "constraints.json"),
        output_s3_uri=output("model_quality"),
        schedule_cron_expression="cron(0 0/2 ? * * *)",
    )
    bias = BiasConfig(label_values_or_threshold=[1], facet_name="age", facet_values_or_threshold=[40])
    ModelBiasMonitor(**common).create_monitoring_schedule(
        endpoint_input=captured(
            inference_attribute="0",
            probability_threshold_attribute=0.6,
            start_time_offset="-PT2H",
            end_time_offset="-PT1H",
        ),
        analysis_config=BiasAnalysisConfig(bias, headers=HEADERS, label="label"),
        ground_truth_input=s3(endpoint, "ground-truth") + "/",
        constraints=baseline("model_bias", "analysis.json"),
        output_s3_uri=output("model_bias"),
        schedule_cron_expression="cron(0 3 ? * * *)",
    )
    model = ModelConfig(
        model_name="churn-model",
        instance_count=1,
        instance_type="ml.m5.xlarge",
        content_type="text/csv",
        accept_type="text/csv",
    )
    shap = SHAPConfig(baseline=None, num_samples=100, agg_method="mean_abs", save_local_shap_values=False)
    ModelExplainabilityMonitor(**common).create_monitoring_schedule(
        endpoint_input=captured(inference_attribute="0"),
        analysis_config=ExplainabilityAnalysisConfig(shap, model, headers=HEADERS[:-1]),
        constraints=baseline("model_explainability", "analysis.json"),
        output_s3_uri=output("model_explainability"),
        schedule_cron_expression="cron(0 4 ? * * *)",
    )


@pytest.fixture
def sdk_account(moto_server):
    """The emptied emulator holding the SDK's four monitors of the endpoint churn; AWS_* point boto3 at it."""
    from sdk_parity.run import aws_environment

    moto_server.reset()
    with aws_environment(moto_server.endpoint):
        make_sdk_monitors()
        yield moto_server


def _leaves(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, f"{path}[{i}]")
    else:
        yield path, node


# Fields this project sets on purpose differently from the SDK (docs/sdk-parity.md) or that name the object.
NOT_COMPARED = (
    "JobDefinitionArn",
    "JobDefinitionName",
    "CreationTime",
    "RoleArn",
    "ImageUri",
    "LocalPath",
    "S3UploadMode",
    "NetworkConfig",
)


@pytest.mark.slow  # the SDK and Terraform against the emulator
def test_sdk_made_monitors_are_adopted_by_the_first_plan(sdk_account, cli, terraform, tmp_path):
    moto_server = sdk_account
    sagemaker = moto_server.client("sagemaker", REGION)
    before = {
        s["MonitoringScheduleName"]: s
        for s in sagemaker.list_monitoring_schedules(EndpointName=ENDPOINT)["MonitoringScheduleSummaries"]
    }
    assert len(before) == 4
    env = {k: v for k, v in __import__("os").environ.items() if k.startswith("AWS_")}
    result = cli(["import", "--endpoint", ENDPOINT], env=env)
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load((tmp_path / "monitoring.yaml").read_text())
    assert {config[f"{m}_schedule_name"] for m in MONITORS} == set(before)
    [stack] = (tmp_path / "cdktf.out" / "stacks").iterdir()
    tf = json.loads((stack / "cdk.tf.json").read_text())
    imports = json.loads((stack / "imports.tf.json").read_text())["import"]

    # awscc job definitions, at the configuration level: the written configuration reproduces the SDK's
    # definitions, field by field (the payload as the Create request botocore would send).
    for rtype, resources in tf["resource"].items():
        if not rtype.startswith("awscc_"):
            continue
        [attrs] = resources.values()
        monitor = rtype.removeprefix("awscc_sagemaker_").removesuffix("_job_definition")
        schedule = next(n for n in before if config[f"{monitor}_schedule_name"] == n)
        existing = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=schedule)
        described_job = getattr(sagemaker, f"describe_{monitor}_job_definition")(
            JobDefinitionName=existing["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"]
        )
        operation = "Create" + monitor.title().replace("_", "") + "JobDefinition"
        shape = sagemaker.meta.service_model.operation_model(operation).input_shape
        payload = {k: v for k, v in attrs.items() if k not in ("//", "lifecycle", "provider", "depends_on", "tags")}
        written = dict(_leaves(harness._coerce_to_shape(payload, shape, operation)))
        compared = [
            (path, value)
            for path, value in _leaves({k: v for k, v in described_job.items() if k != "ResponseMetadata"})
            if not any(part in NOT_COMPARED for part in path.replace("[", ".").split("."))
        ]
        assert compared, monitor
        for path, value in compared:
            assert written.get(path) == value, (monitor, path, written.get(path), value)

    # aws provider resources: plan against the emulator with the import blocks (awscc ones left out: no binary).
    workdir = tmp_path / "tf"
    subs = {}
    for block in imports:
        if block["to"].startswith("awscc_"):
            name = block["id"].rsplit("/", 1)[1]
            subs[f"{block['to']}.job_definition_name"] = name + "-new"  # the replacement's (content-derived) name
            subs[f"{block['to']}.job_definition_arn"] = block["id"] + "-new"
    harness.emulator_copy(stack, workdir, moto_server.endpoint, substitutions=subs, region=REGION)
    aws_imports = [b for b in imports if not b["to"].startswith("awscc_")]
    (workdir / "imports.tf.json").write_text(
        json.dumps({"terraform": {"required_version": ">= 1.5.0"}, "import": aws_imports})
    )
    tf_cli = terraform(workdir)
    tf_cli.init()
    tf_cli.run("plan", "-out=import.tfplan")
    changes = {c["address"]: c for c in tf_cli.show("import.tfplan")["resource_changes"]}
    schedules = {a: c for a, c in changes.items() if c["type"] == "aws_sagemaker_monitoring_schedule"}
    assert len(schedules) == 4
    for address, change in schedules.items():
        assert change["change"]["actions"] in (["update"], ["no-op"]), (address, change["change"]["actions"])
        assert change["change"]["importing"]["id"] in before
        assert change["change"]["after"]["name"] == change["change"]["importing"]["id"]
    [dq_definition] = [c for c in changes.values() if c["type"] == "aws_sagemaker_data_quality_job_definition"]
    assert dq_definition["change"]["actions"] == ["create", "delete"]  # create before destroy
    assert dq_definition["change"]["importing"]["id"].startswith("data-quality-job-definition-")
    after = dq_definition["change"]["after"]
    assert after["data_quality_baseline_config"][0]["statistics_resource"][0]["s3_uri"] == s3(
        ENDPOINT, "baselines", "data_quality", "statistics.json"
    )
    assert after["job_resources"][0]["cluster_config"][0]["instance_type"] == "ml.m5.xlarge"
    print(
        "\nimport plan:",
        {a: c["change"]["actions"] for a, c in changes.items() if c["change"]["actions"] != ["create"]},
    )
    deleted = [a for a, c in changes.items() if "delete" in c["change"]["actions"]]
    assert deleted == [dq_definition["address"]], deleted
    created = [a for a, c in changes.items() if c["change"]["actions"] == ["create"]]
    assert not [a for a in created if "monitoring_schedule" in a], created
    # nothing happened in the account: still the SDK's four schedules
    assert {
        s["MonitoringScheduleName"] for s in sagemaker.list_monitoring_schedules()["MonitoringScheduleSummaries"]
    } == set(before)


@pytest.mark.slow  # the SDK against the emulator
def test_an_import_that_is_refused_writes_nothing(sdk_account, cli, tmp_path):
    sagemaker = sdk_account.client("sagemaker", REGION)
    [summary] = sagemaker.list_monitoring_schedules(MonitoringTypeEquals="DataQuality")["MonitoringScheduleSummaries"]
    schedule = sagemaker.describe_monitoring_schedule(MonitoringScheduleName=summary["MonitoringScheduleName"])
    job = sagemaker.describe_data_quality_job_definition(
        JobDefinitionName=schedule["MonitoringScheduleConfig"]["MonitoringJobDefinitionName"]
    )
    # a second data quality schedule with a job definition of two security groups on another endpoint
    request = {k: v for k, v in job.items() if k not in ("JobDefinitionArn", "CreationTime", "ResponseMetadata")}
    request["JobDefinitionName"] = "fraud-dq-definition"
    request["DataQualityJobInput"]["EndpointInput"]["EndpointName"] = "fraud"
    request["NetworkConfig"] = {
        "VpcConfig": {
            "SecurityGroupIds": ["sg-0123456789abcdef0", "sg-0123456789abcdef1"],
            "Subnets": ["subnet-0aa11bb22cc33dd44"],
        }
    }
    sagemaker.create_data_quality_job_definition(**request)
    sagemaker.create_monitoring_schedule(
        MonitoringScheduleName="fraud-dq",
        MonitoringScheduleConfig={
            "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
            "MonitoringJobDefinitionName": "fraud-dq-definition",
            "MonitoringType": "DataQuality",
        },
    )
    env = {k: v for k, v in __import__("os").environ.items() if k.startswith("AWS_")}
    result = cli(["import", "--all"], env=env)
    assert result.returncode == 2
    assert (
        "error: schedule fraud-dq (data quality): NetworkConfig.VpcConfig.SecurityGroupIds: 2 security groups; "
        "security_group_id is one"
    ) in result.stderr
    assert result.stderr.rstrip().endswith("nothing was written.")
    assert not (tmp_path / "monitoring.yaml").exists() and not (tmp_path / "cdktf.out").exists()
    # the endpoint churn alone imports; with --hcl the import blocks are HCL beside cdk.tf
    result = cli(["import", "--endpoint", ENDPOINT, "--output", "churn.yaml", "--hcl"], env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "churn.yaml").is_file()
    [stack] = (tmp_path / "cdktf.out" / "stacks").iterdir()
    assert (stack / "cdk.tf").is_file() and not (stack / "imports.tf.json").exists()
    hcl = (stack / "imports.tf").read_text()
    assert hcl.count("import {") == 8
    assert "to = aws_sagemaker_monitoring_schedule.data_quality_schedule" in hcl
    # an existing configuration file is never overwritten
    again = cli(["import", "--endpoint", ENDPOINT, "--output", "churn.yaml"], env=env)
    assert again.returncode == 2
    assert "error: --output: churn.yaml exists; remove it or give another file" in again.stderr


def test_the_readme_names_the_command():
    readme = (REPO / "README.md").read_text()
    assert "python main.py import" in readme
    assert Path(REPO / "docs" / "user-guide.md").read_text().count("main.py import") >= 1


def test_a_schedule_name_shared_by_the_endpoints_of_a_fleet_is_refused(cli):
    config = {
        **{k: v for k, v in _dq_config().items() if k not in ("endpoint_name",) and not k.endswith("_s3_uri")},
        "data_quality_schedule_name": "shared-dq",
        "endpoints": [
            {
                "endpoint_name": name,
                "data_quality_baseline_s3_uri": s3(name, "baseline") + "/",
                "data_quality_output_s3_uri": s3(name, "output") + "/",
            }
            for name in ("churn", "fraud")
        ],
    }
    result = cli(config=config)
    assert result.returncode == 2
    assert (
        "error: data_quality_schedule_name: 'shared-dq' names the schedules of churn data quality and fraud data "
        "quality (schedule names are unique in an account and region); set it per endpoint"
    ) in result.stderr
