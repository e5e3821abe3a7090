"""Differential test: what this project sends to SageMaker against what the SageMaker Python SDK sends for
the same monitoring setup (tests/sdk_parity/; README, "How the monitors match SageMaker's own").

Every difference must be in tests/sdk_parity/known_differences.yaml, and every entry there must still occur.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from sdk_parity import compare, matrix
from sdk_parity.run import all_differences, capture_all
from sdk_parity.sdk_requests import MONITORING_TYPES


@pytest.fixture(scope="module")
def stacks(tmp_path_factory):
    """{case id: (cdk.tf.json, stack folder)} of every case, synthesized once."""
    from sdk_parity.project_requests import synthesize

    return synthesize(matrix.CASES, tmp_path_factory.mktemp("sdk-parity-synth"))


@pytest.fixture(scope="module")
def parity(moto_server, stacks, tmp_path_factory):
    """{case id: (SDK requests, project requests)}: the SDK and the project's code run against moto."""
    return capture_all(moto_server.endpoint, tmp_path_factory.mktemp("sdk-parity"), stacks)


@pytest.mark.slow
def test_every_difference_from_the_sdk_is_listed_and_every_listed_one_occurs(parity):
    known = compare.expand(compare.load_known())
    actual = {d.key(): d for d in all_differences(parity)}
    new = [d for key, d in actual.items() if key not in known]
    stale = sorted({(entry["operation"], entry["path"], key[0]) for key, entry in known.items() if key not in actual})
    message = []
    if new:
        message.append(
            f"{len(new)} new difference(s) from the SageMaker SDK; fix them, or add them to "
            f"{compare.KNOWN_DIFFERENCES.name} with a status and the AWS documentation sentence that "
            "justifies them:\n" + compare.as_yaml_entries(new)
        )
    if stale:
        message.append(
            "stale entries, remove them (or drop the config from their `configs`): the difference no "
            "longer occurs:\n" + "\n".join(f"  - {op} | {path} | config {config}" for op, path, config in stale)
        )
    assert not message, "\n\n".join(message)


def _expected_operations(case: matrix.Case) -> set[str]:
    operations = set()
    for monitor in case.monitors:
        mtype = MONITORING_TYPES[monitor]
        operations |= {f"Create{mtype}JobDefinition", f"CreateMonitoringSchedule ({mtype})"}
        if case.baselines == "generated":
            operations.add(f"CreateProcessingJob ({mtype} baseline)")
        if monitor in ("model_bias", "model_explainability"):
            operations.add(f"analysis_config.json ({mtype} monitor)")
            if case.baselines == "generated":
                operations.add(f"analysis_config.json ({mtype} baseline job)")
    return operations


@pytest.mark.slow
@pytest.mark.parametrize("case", matrix.CASES, ids=lambda c: c.id)
def test_both_sides_make_every_call_of_the_setup(parity, case):
    """The comparison is not vacuous: each side made each job definition, schedule and baselining call."""
    sdk, project = parity[case.id]
    assert set(sdk) == _expected_operations(case)
    assert set(project) == _expected_operations(case)
    # e.g. the data quality definition as both sides send it, normalized
    # e.g. the first monitor's definition (data quality where the case has it)
    first = f"Create{MONITORING_TYPES[case.monitors[0]]}JobDefinition"
    dq_sdk = compare.normalize(sdk[first])
    dq_project = compare.normalize(project[first])
    assert (
        dq_sdk["JobResources"]
        == dq_project["JobResources"]
        == {
            "ClusterConfig": {
                "InstanceCount": 1,
                "InstanceType": matrix.INSTANCE_TYPE,
                "VolumeSizeInGB": matrix.VOLUME_GB,
                **({"VolumeKmsKeyId": "<kms-key-arn>"} if case.secure else {}),
            }
        }
    )
    assert dq_sdk["RoleArn"] == dq_project["RoleArn"] == "<monitoring-role-arn>"


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in matrix.CASES if c.baseline_scripts], ids=lambda c: c.id)
def test_both_sides_give_the_baseline_jobs_the_analyzers_scripts(parity, case):
    """The comparison of the baseline scripts is not vacuous: each side's baselining job mounts each script
    (suggest_baseline's record_preprocessor_script / post_analytics_processor_script; the project's
    baseline_<monitor>_params) and names its container path in the environment."""
    sdk, project = parity[case.id]
    for monitor in ("data_quality", "model_quality"):
        scripts = matrix.baseline_scripts(case, monitor)
        assert scripts, f"{case.id} {monitor}: no baseline scripts"
        for side in (sdk, project):
            job = side[f"CreateProcessingJob ({MONITORING_TYPES[monitor]} baseline)"]
            inputs = {i["InputName"]: i["S3Input"]["S3Uri"] for i in job["ProcessingInputs"]}
            # ModelQualityMonitor.suggest_baseline takes the post-analytics script only
            assert inputs == {"baseline_dataset_input": matrix.training_data_uri(case)} | {
                f"{argument}_input": uri for argument, uri in scripts.items()
            }
            for argument, uri in scripts.items():
                assert job["Environment"][argument] == (
                    f"/opt/ml/processing/input/{argument}_input/{uri.rsplit('/', 1)[1]}"
                )


@pytest.mark.slow
def test_a_changed_field_is_reported_at_its_path(parity):
    sdk, project = parity["endpoint-given"]
    changed = copy.deepcopy(project)
    changed["CreateModelQualityJobDefinition"]["ModelQualityJobInput"]["EndpointInput"]["InferenceAttribute"] = "7"
    before = {d.key() for d in compare.differences("endpoint-given", sdk, project)}
    [new] = [d for d in compare.differences("endpoint-given", sdk, changed) if d.key() not in before]
    assert (new.operation, new.path, new.sdk, new.project) == (
        "CreateModelQualityJobDefinition",
        "ModelQualityJobInput.EndpointInput.InferenceAttribute",
        "0",
        "7",
    )


def test_project_attributes_are_mapped_only_onto_members_of_the_api_shape():
    from sdk_parity.project_requests import _to_api

    with pytest.raises(
        ValueError,
        match=r"CreateModelBiasJobDefinition.config_url: not a member of CreateModelBiasJobDefinitionRequest",
    ):
        _to_api("CreateModelBiasJobDefinition", {"config_url": "s3://b/k"})


@pytest.mark.slow
def test_the_aws_provider_sends_what_the_mapping_says(stacks, moto_server, terraform_bin, tmp_path):
    """The data quality definition and its schedule applied with Terraform against moto (through a recording
    proxy): the provider's request bodies are exactly the mapped requests the comparison used."""
    from sdk_parity.project_requests import terraform_requests
    from sdk_parity.provider_apply import apply_and_capture

    tf, _ = stacks["batch-csv-given-secure"]  # batch input, VPC, KMS
    sent = apply_and_capture(tf, moto_server.endpoint, tmp_path / "tf")
    mapped = terraform_requests(tf)
    assert compare.normalize(sent["CreateDataQualityJobDefinition"]) == compare.normalize(
        mapped["CreateDataQualityJobDefinition"]
    )
    assert compare.normalize(sent["CreateMonitoringSchedule"]) == compare.normalize(
        mapped["CreateMonitoringSchedule (DataQuality)"]
    )
    assert sorted(sent["CreateDataQualityJobDefinition"]["NetworkConfig"]["VpcConfig"]["Subnets"]) == matrix.SUBNETS


@pytest.mark.parametrize(
    ("key", "lifetime"),
    [
        (
            "churn/monitor-configs/model_bias/analysis_config-3f9a1c2b7d.json",
            "written once for this job definition (its own key)",
        ),
        (
            "churn/monitor-configs/model_bias/analysis_config.json",
            "an aws_s3_object whose key does not change with its content",
        ),
    ],
)
def test_an_analysis_config_written_by_terraform_is_read_from_its_s3_object(tmp_path, key, lifetime):
    """How the fix of issue 10 rows 1/5/6 will look (an aws_s3_object per config): its content and lifetime
    are taken from the object."""
    from sdk_parity.project_requests import analysis_configs

    case = next(c for c in matrix.CASES if c.id == "endpoint-given")
    tf = {
        "resource": {
            "aws_s3_object": {
                "bias_config": {
                    "bucket": matrix.BUCKET,
                    "key": key,
                    "content": '{"label": "label", "headers": ["age", "label"]}',
                    "kms_key_id": "${data.aws_kms_key.monitoring_key.arn}",
                }
            }
        }
    }
    requests = {
        "CreateModelBiasJobDefinition": {
            "JobDefinitionName": "churn-bias-0011223344",
            "ModelBiasAppSpecification": {"ConfigUri": f"s3://{matrix.BUCKET}/{key}"},
        }
    }
    [config] = analysis_configs(case, tf, tmp_path, requests).values()
    assert config["content"] == {"label": "label", "headers": ["age", "label"]}
    assert config["upload"] == {"SSEKMSKeyId": matrix.KMS_KEY_ARN}
    assert config["lifetime"] == lifetime


@pytest.mark.slow
def test_exclude_features_attribute_is_in_no_resource_the_project_writes(terraform, tmp_path):
    """Why data_quality_exclude_features makes the data quality job definition awscc's (issue 20 item 4): the pinned
    aws provider's data quality job definition has no such argument, and of the CloudFormation (awscc) schemas only
    the data quality one has it. Fails when a pin brings it, so the choice is revisited."""
    import json

    import cfnlint

    (tmp_path / "main.tf.json").write_text(
        json.dumps({"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}}})
    )
    tf = terraform(tmp_path)
    tf.init(backend=False)
    out = tf.execute_command("providers", "schema", "-json").out
    schemas = json.loads(out)["provider_schemas"]["registry.terraform.io/hashicorp/aws"]["resource_schemas"]
    job_input = schemas["aws_sagemaker_data_quality_job_definition"]["block"]["block_types"]["data_quality_job_input"]
    inputs = {
        name: sorted(block["block"].get("attributes", {})) for name, block in job_input["block"]["block_types"].items()
    }
    assert inputs == {
        "endpoint_input": ["endpoint_name", "local_path", "s3_data_distribution_type", "s3_input_mode"],
        "batch_transform_input": [
            "data_captured_destination_s3_uri",
            "local_path",
            "s3_data_distribution_type",
            "s3_input_mode",
        ],
    }
    schedule = schemas["aws_sagemaker_monitoring_schedule"]["block"]["block_types"]["monitoring_schedule_config"][
        "block"
    ]
    assert "monitoring_job_definition" not in schedule.get("block_types", {})  # no inline job definition either

    cfn = Path(cfnlint.__file__).parent / "data" / "schemas"
    index = json.loads((cfn / "providers" / "us-east-1.json").read_text())
    carries = {
        cfn_type: "ExcludeFeaturesAttribute" in (cfn / "resources" / f"{index[cfn_type]}.json").read_text()
        for cfn_type in (
            "AWS::SageMaker::DataQualityJobDefinition",
            "AWS::SageMaker::ModelQualityJobDefinition",
            "AWS::SageMaker::ModelBiasJobDefinition",
            "AWS::SageMaker::ModelExplainabilityJobDefinition",
        )
    }
    assert carries == {
        "AWS::SageMaker::DataQualityJobDefinition": True,
        "AWS::SageMaker::ModelQualityJobDefinition": False,
        "AWS::SageMaker::ModelBiasJobDefinition": False,
        "AWS::SageMaker::ModelExplainabilityJobDefinition": False,
    }
