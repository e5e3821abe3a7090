"""Behaviour of the baseline Lambda handler (lambda_image/app.py) against a moto server.

Every start is read back from the server: DescribeProcessingJob for the request the SDK
sent, and for Clarify jobs the analysis_config.json it uploaded to S3.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import seed_events  # noqa: E402
from lambda_fixtures import (  # noqa: E402,F401  (fixtures are used by name)
    BUCKET,
    ENDPOINT_MODEL_NAME,
    ROLE_ARN,
    aws,
    fresh_aws,
    load_handler_module,
)

# ----------------------------------------------------------------------------- seed events

# The four sample events exactly as printed in the seed README (read from it, one source of truth).
SEEDS = seed_events()
assert sorted(SEEDS) == ["data_quality", "model_bias", "model_explainability", "model_quality"], sorted(SEEDS)


USABLE_SEEDS = seed_events(usable=True)


def seed(monitor_type: str) -> dict:
    """A seed sample; the explainability one with a usable SHAP baseline: the seed's [[0.0]] has one value
    for three features, which the handler rejects (test_seed_shap_baseline_with_too_few_values_is_rejected)."""
    return copy.deepcopy(USABLE_SEEDS[monitor_type])


# SageMaker's published image registries (independent of the SDK under test)
MODEL_MONITOR_IMAGE = {
    "us-east-1": "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer",
    "eu-west-1": "468650794304.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-model-monitor-analyzer",
}
CLARIFY_IMAGE = {
    "us-east-1": "205585389593.dkr.ecr.us-east-1.amazonaws.com/sagemaker-clarify-processing:1.0",
    "eu-west-1": "131013547314.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-clarify-processing:1.0",
}

TRAIN = "s3://my-bucket/training-data/train.csv"
HEADERS = ["feature1", "feature2", "feature3", "label"]
JOB_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
TIMESTAMPED_NAME_RE = re.compile(r"^baseline-(dq|mq|mb|me)-\d{8}-\d{6}-[0-9a-f]{8}$")


@pytest.fixture(scope="module")
def app(aws):
    return load_handler_module()


def describe(aws, name, region="us-east-1"):
    return aws.client("sagemaker", region).describe_processing_job(ProcessingJobName=name)


def inputs_by_name(description):
    return {i["InputName"]: i["S3Input"] for i in description["ProcessingInputs"]}


def staging(result) -> str:
    """Where the job writes (no trailing slash): <baseline_output_uri>/staging/<monitor>/<job>, never the live
    prefix."""
    live = result["baseline_output_uri"].rstrip("/")
    root = live[: -len(result["monitor_type"]) - 1]
    expected = f"{root}/staging/{result['monitor_type']}/{result['processing_job_name']}"
    assert result["staging_output_uri"] == expected + "/"
    return expected


def start_ok(app, event):
    result = app.handler(copy.deepcopy(event), None)
    assert result["status"] == "IN_PROGRESS", result
    assert JOB_NAME_RE.match(result["processing_job_name"])
    return result


# ----------------------------------------------------------------------------- start: seeds


def test_seed_data_quality_event_starts_data_quality_job(app, fresh_aws):
    result = start_ok(app, seed("data_quality"))

    prefix = "s3://my-bucket/baselines/data-quality/data_quality"
    assert result == {
        "status": "IN_PROGRESS",
        "processing_job_name": result["processing_job_name"],
        "monitor_type": "data_quality",
        "baseline_output_uri": prefix + "/",
        "staging_output_uri": f"s3://my-bucket/baselines/data-quality/staging/data_quality/{result['processing_job_name']}/",
    }
    assert TIMESTAMPED_NAME_RE.match(result["processing_job_name"])
    job = describe(fresh_aws, result["processing_job_name"])
    assert job["AppSpecification"]["ImageUri"] == MODEL_MONITOR_IMAGE["us-east-1"]
    assert job["RoleArn"] == ROLE_ARN
    assert job["Environment"] == {
        "dataset_format": json.dumps({"csv": {"header": True, "output_columns_position": "START"}}),
        "dataset_source": "/opt/ml/processing/input/baseline_dataset_input",
        "output_path": "/opt/ml/processing/output",
        "publish_cloudwatch_metrics": "Disabled",
    }
    inputs = inputs_by_name(job)
    assert list(inputs) == ["baseline_dataset_input"]
    assert inputs["baseline_dataset_input"]["S3Uri"] == TRAIN
    assert inputs["baseline_dataset_input"]["LocalPath"] == "/opt/ml/processing/input/baseline_dataset_input"
    [output] = job["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri"] == staging(result)  # promoted to prefix only when the job succeeds
    assert output["S3Output"]["LocalPath"] == "/opt/ml/processing/output"
    assert "KmsKeyId" not in job["ProcessingOutputConfig"]
    assert job["ProcessingResources"] == {
        "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}
    }
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 3600}
    assert "NetworkConfig" not in job
    assert len(fresh_aws.create_processing_job_requests) == 1


def test_seed_model_quality_event_starts_model_quality_job(app, fresh_aws):
    result = start_ok(app, seed("model_quality"))

    prefix = "s3://my-bucket/baselines/model-quality/model_quality"
    assert result["baseline_output_uri"] == prefix + "/"
    assert result["monitor_type"] == "model_quality"
    job = describe(fresh_aws, result["processing_job_name"])
    assert job["AppSpecification"]["ImageUri"] == MODEL_MONITOR_IMAGE["us-east-1"]
    env = job["Environment"]
    assert env["analysis_type"] == "MODEL_QUALITY"
    assert env["problem_type"] == "BinaryClassification"
    assert env["inference_attribute"] == "prediction"
    assert env["probability_attribute"] == "probability"
    assert env["ground_truth_attribute"] == "label"
    assert "probability_threshold_attribute" not in env  # not in the seed event
    assert env["dataset_source"] == "/opt/ml/processing/input/baseline_dataset_input"
    assert env["output_path"] == "/opt/ml/processing/output"
    assert json.loads(env["dataset_format"]) == {"csv": {"header": True, "output_columns_position": "START"}}
    assert inputs_by_name(job)["baseline_dataset_input"]["S3Uri"] == TRAIN
    [output] = job["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri"] == staging(result)
    assert job["ProcessingResources"]["ClusterConfig"] == {
        "InstanceCount": 1,
        "InstanceType": "ml.m5.xlarge",
        "VolumeSizeInGB": 30,
    }
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}


def _clarify_job(fresh_aws, result, live_prefix):
    """The started Clarify job (checked: image, dataset, analysis config and output under its staging folder, runtime)
    and the analysis_config.json it reads."""
    assert result["baseline_output_uri"] == live_prefix + "/"
    prefix = staging(result)
    job = describe(fresh_aws, result["processing_job_name"])
    assert job["AppSpecification"]["ImageUri"] == CLARIFY_IMAGE["us-east-1"]
    inputs = inputs_by_name(job)
    assert inputs["dataset"]["S3Uri"] == TRAIN
    assert inputs["analysis_config"]["S3Uri"] == prefix + "/analysis_config.json"
    [output] = job["ProcessingOutputConfig"]["Outputs"]
    assert output["S3Output"]["S3Uri"] == prefix
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}
    return job, fresh_aws.read_s3_json(inputs["analysis_config"]["S3Uri"])


def test_seed_model_bias_event_starts_clarify_bias_job(app, fresh_aws):
    result = start_ok(app, seed("model_bias"))

    prefix = "s3://my-bucket/baselines/model-bias/model_bias"
    assert result["baseline_output_uri"] == prefix + "/"
    job, config = _clarify_job(fresh_aws, result, prefix)
    [output] = job["ProcessingOutputConfig"]["Outputs"]
    assert output["OutputName"] == "analysis_result"
    assert job["ProcessingResources"]["ClusterConfig"] == {
        "InstanceCount": 1,
        "InstanceType": "ml.m5.xlarge",
        "VolumeSizeInGB": 30,
    }
    assert config["dataset_type"] == "text/csv"
    assert config["headers"] == HEADERS
    assert config["label"] == "label"
    assert config["label_values_or_threshold"] == [0, 1]
    assert config["facet"] == [{"name_or_index": "feature1", "value_or_threshold": [100, 200]}]
    assert config["probability_threshold"] == 0.8
    assert config["methods"]["pre_training_bias"] == {"methods": "all"}
    assert config["methods"]["post_training_bias"] == {"methods": "all"}
    # the seed event names its model explicitly: used as given
    assert config["predictor"] == {
        "model_name": "my-model",
        "instance_type": "ml.m5.xlarge",
        "initial_instance_count": 1,
        "accept_type": "text/csv",
        "content_type": "text/csv",
    }


def test_seed_model_explainability_event_starts_clarify_shap_job(app, fresh_aws):
    result = start_ok(app, seed("model_explainability"))

    prefix = "s3://my-bucket/baselines/model-explainability/model_explainability"
    assert result["baseline_output_uri"] == prefix + "/"
    job, config = _clarify_job(fresh_aws, result, prefix)
    assert config["headers"] == HEADERS
    assert config["label"] == "label"
    assert config["methods"]["shap"] == {
        "baseline": [[0.0, 0.0, 0.0]],
        "num_samples": 100,
        "agg_method": "mean_abs",
        "save_local_shap_values": False,
        "use_logit": False,
    }
    assert "pre_training_bias" not in config["methods"]
    assert config["predictor"]["model_name"] == "my-model"
    assert config["predictor"]["initial_instance_count"] == 1


def test_seed_shap_baseline_with_too_few_values_is_rejected(app, fresh_aws):
    result = app.handler(copy.deepcopy(SEEDS["model_explainability"]), None)
    assert result == {
        "status": "ERROR",
        "error": (
            "'model_explainability_params.shap_baseline' row 0 has 1 value(s); it needs one per feature "
            "(3: feature1, feature2, feature3), without the label"
        ),
    }
    assert fresh_aws.processing_job_names() == []


@pytest.mark.parametrize("monitor_type", list(SEEDS))
def test_start_returns_without_waiting_for_the_job(app, fresh_aws, monkeypatch, monitor_type):
    import sagemaker.session

    def no_waiting(*_args, **_kwargs):
        raise AssertionError("start waited for the processing job")

    monkeypatch.setattr(sagemaker.session.Session, "wait_for_processing_job", no_waiting)
    monkeypatch.setattr(sagemaker.session.Session, "logs_for_processing_job", no_waiting)
    result = start_ok(app, seed(monitor_type))
    job = describe(fresh_aws, result["processing_job_name"])
    assert job["ProcessingJobStatus"] == "InProgress"
    assert len(fresh_aws.create_processing_job_requests) == 1


# ----------------------------------------------------------------------------- start: rules


def test_defaults_apply_when_params_are_omitted(app, fresh_aws):
    event = seed("model_explainability")
    del event["model_explainability_params"]
    result = start_ok(app, event)
    job = describe(fresh_aws, result["processing_job_name"])
    assert job["ProcessingResources"]["ClusterConfig"] == {
        "InstanceCount": 1,
        "InstanceType": "ml.m5.xlarge",
        "VolumeSizeInGB": 30,
    }
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}
    config = fresh_aws.read_s3_json(inputs_by_name(job)["analysis_config"]["S3Uri"])
    assert config["methods"]["shap"]["num_samples"] == 100
    # no shap_baseline: Clarify computes one from the training data (the seed's default [[0.0]] was unusable)
    assert "baseline" not in config["methods"]["shap"]
    # no model_name: resolved from the endpoint, not the seed's placeholder
    assert config["predictor"]["model_name"] == ENDPOINT_MODEL_NAME


def test_custom_resources_reach_the_processing_job(app, fresh_aws):
    event = seed("data_quality")
    event["data_quality_params"] = {
        "instance_count": 2,
        "instance_type": "ml.c5.2xlarge",
        "volume_size_gb": 100,
        "max_runtime_seconds": 7200,
    }
    job = describe(fresh_aws, start_ok(app, event)["processing_job_name"])
    assert job["ProcessingResources"]["ClusterConfig"] == {
        "InstanceCount": 2,
        "InstanceType": "ml.c5.2xlarge",
        "VolumeSizeInGB": 100,
    }
    assert job["StoppingCondition"] == {"MaxRuntimeInSeconds": 7200}


def test_each_monitor_type_writes_under_its_own_prefix(app, fresh_aws):
    outputs = {}
    for monitor_type in SEEDS:
        event = seed(monitor_type)
        event["baseline_output_uri"] = "s3://my-bucket/baselines"  # same for all, no slash
        result = start_ok(app, event)
        assert result["baseline_output_uri"] == f"s3://my-bucket/baselines/{monitor_type}/"
        job = describe(fresh_aws, result["processing_job_name"])
        [output] = job["ProcessingOutputConfig"]["Outputs"]
        outputs[monitor_type] = (output["S3Output"]["S3Uri"], result["processing_job_name"])
    assert outputs == {t: (f"s3://my-bucket/baselines/staging/{t}/{job}", job) for t, (_, job) in outputs.items()}
    keys = sorted(o["Key"] for o in fresh_aws.client("s3").list_objects_v2(Bucket=BUCKET)["Contents"])
    # Nothing is written to a live prefix at start: only the Clarify jobs' analysis configs, in their staging folders.
    assert keys == [
        f"baselines/staging/model_bias/{outputs['model_bias'][1]}/analysis_config.json",
        f"baselines/staging/model_explainability/{outputs['model_explainability'][1]}/analysis_config.json",
    ]
    assert len(fresh_aws.processing_job_names()) == 4


def test_model_quality_probability_threshold_is_sent_as_string(app, fresh_aws):
    event = seed("model_quality")
    event["model_quality_params"]["probability_threshold_attribute"] = 0.65
    result = start_ok(app, event)
    job = describe(fresh_aws, result["processing_job_name"])
    assert job["Environment"]["probability_threshold_attribute"] == "0.65"
    [request] = fresh_aws.create_processing_job_requests
    assert request["Environment"]["probability_threshold_attribute"] == "0.65"


def test_regression_model_quality_drops_default_probability_attribute(app, fresh_aws):
    event = seed("model_quality")
    event["model_quality_params"] = {"problem_type": "Regression"}
    env = describe(fresh_aws, start_ok(app, event)["processing_job_name"])["Environment"]
    assert env["problem_type"] == "Regression"
    assert env["inference_attribute"] == "prediction"
    assert env["ground_truth_attribute"] == "label"
    assert "probability_attribute" not in env


@pytest.mark.parametrize("monitor_type", ["model_bias", "model_explainability"])
def test_clarify_model_name_is_resolved_from_the_endpoint(app, fresh_aws, monitor_type):
    event = seed(monitor_type)
    del event[f"{monitor_type}_params"]["model_name"]
    job = describe(fresh_aws, start_ok(app, event)["processing_job_name"])
    config = fresh_aws.read_s3_json(inputs_by_name(job)["analysis_config"]["S3Uri"])
    # DescribeEndpoint -> DescribeEndpointConfig -> ProductionVariants[0].ModelName
    assert config["predictor"]["model_name"] == ENDPOINT_MODEL_NAME
    assert config["predictor"]["model_name"] != event["endpoint_name"]


def test_bias_lists_and_facet_values_accept_arrays(app, fresh_aws):
    event = seed("model_bias")
    params = event["model_bias_params"]
    params.update(
        headers=["a", "b", "y"],
        label_header="y",
        facet_name="b",
        label_values=["yes"],
        facet_values=None,
        probability_threshold=0.5,
    )
    job = describe(fresh_aws, start_ok(app, event)["processing_job_name"])
    config = fresh_aws.read_s3_json(inputs_by_name(job)["analysis_config"]["S3Uri"])
    assert config["headers"] == ["a", "b", "y"]
    assert config["label"] == "y"
    assert config["label_values_or_threshold"] == ["yes"]
    assert config["facet"] == [{"name_or_index": "b"}]
    assert config["probability_threshold"] == 0.5


def test_unknown_endpoint_is_an_error_and_starts_nothing(app, fresh_aws):
    event = seed("model_bias")
    event["endpoint_name"] = "no-such-endpoint"
    del event["model_bias_params"]["model_name"]
    result = app.handler(event, None)
    assert result["status"] == "ERROR"
    assert "DescribeEndpoint failed" in result["error"]
    assert fresh_aws.processing_job_names() == []
    assert fresh_aws.create_processing_job_requests == []


NETWORK = {
    "enable_inter_container_traffic_encryption": True,
    "enable_network_isolation": False,
    "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "security_group_ids": ["sg-0123456789abcdef0"],
}


def test_kms_key_and_the_monitors_network_config_are_applied(app, fresh_aws, monkeypatch):
    """Issue 10 row 7: the event's network_config (the monitors' settings) reaches the baseline job, encryption
    included."""
    key = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    monkeypatch.setenv("BASELINE_KMS_KEY_ID", key)
    results = {}
    for monitor_type in ("data_quality", "model_bias"):
        results[monitor_type] = start_ok(app, {**seed(monitor_type), "network_config": NETWORK})
        job = describe(fresh_aws, results[monitor_type]["processing_job_name"])
        assert job["ProcessingOutputConfig"]["KmsKeyId"] == key
        assert job["ProcessingResources"]["ClusterConfig"]["VolumeKmsKeyId"] == key
        assert job["NetworkConfig"] == {
            "EnableInterContainerTrafficEncryption": True,
            "EnableNetworkIsolation": False,
            "VpcConfig": {
                "SecurityGroupIds": ["sg-0123456789abcdef0"],
                "Subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            },
        }
    isolated = start_ok(app, {**seed("data_quality"), "network_config": {"enable_network_isolation": True}})
    assert describe(fresh_aws, isolated["processing_job_name"])["NetworkConfig"] == {
        "EnableInterContainerTrafficEncryption": False,
        "EnableNetworkIsolation": True,
    }
    # the analysis config Clarify reads is uploaded with the same key
    head = fresh_aws.client("s3").head_object(
        Bucket=BUCKET, Key=staging(results["model_bias"])[len("s3://my-bucket/") :] + "/analysis_config.json"
    )
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"] == key


def test_the_monitors_tags_are_put_on_the_baseline_job(app, fresh_aws):
    """Like the SDK, which tags a monitor's baselining job with the monitor's tags (cost allocation, tag-based
    access)."""
    tags = {"team": "ml-platform", "cost-center": "1234"}
    for monitor_type in ("data_quality", "model_explainability"):
        start_ok(app, {**seed(monitor_type), "tags": tags})
    assert [
        sorted((t["Key"], t["Value"]) for t in request.get("Tags", []))
        for request in fresh_aws.create_processing_job_requests
    ] == [sorted(tags.items())] * 2
    start_ok(app, seed("data_quality"))
    assert (
        "Tags" not in fresh_aws.create_processing_job_requests[-1]
        or fresh_aws.create_processing_job_requests[-1]["Tags"] == []
    )


@pytest.mark.parametrize(
    ("tags", "error"),
    [
        (["team"], "'tags' must be an object of tag keys to values (got array)"),
        (
            {"aws:owner": "x"},
            "'tags' key 'aws:owner' must be 1-128 characters of letters, digits, spaces and _.:/=+-@, not "
            "starting with 'aws:'",
        ),
        ({"team": 7}, "'tags.team' must be a string of at most 256 letters, digits, spaces and _.:/=+-@ (got 7)"),
        ({f"k{i}": "v" for i in range(51)}, "'tags' may hold at most 50 tags (got 51)"),
    ],
)
def test_bad_tags_are_an_error_and_start_nothing(app, fresh_aws, tags, error):
    result = app.handler({**seed("data_quality"), "tags": tags}, None)
    assert result["status"] == "ERROR" and error in result["error"], result
    assert fresh_aws.create_processing_job_requests == []


def test_image_uris_follow_the_region(app, fresh_aws, monkeypatch):
    region = "eu-west-1"
    monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    monkeypatch.setenv("AWS_REGION", region)
    fresh_aws.client("s3", region).create_bucket(
        Bucket="eu-bucket", CreateBucketConfiguration={"LocationConstraint": region}
    )
    images = {}
    for monitor_type in ("data_quality", "model_bias"):
        event = seed(monitor_type)
        event["training_data_uri"] = "s3://eu-bucket/train.csv"
        event["baseline_output_uri"] = "s3://eu-bucket/baselines/"
        name = start_ok(app, event)["processing_job_name"]
        images[monitor_type] = describe(fresh_aws, name, region)["AppSpecification"]["ImageUri"]
    assert images == {
        "data_quality": MODEL_MONITOR_IMAGE[region],
        "model_bias": CLARIFY_IMAGE[region],
    }
    assert fresh_aws.processing_job_names() == []  # nothing went to us-east-1


def test_missing_role_is_an_error_and_starts_nothing(app, fresh_aws, monkeypatch):
    monkeypatch.delenv("SAGEMAKER_ROLE_ARN")
    result = app.handler(seed("data_quality"), None)
    assert result["status"] == "ERROR"
    assert "SAGEMAKER_ROLE_ARN is required" in result["error"]
    assert fresh_aws.create_processing_job_requests == []


def test_half_a_vpc_config_is_an_error(app, fresh_aws):
    result = app.handler({**seed("data_quality"), "network_config": {"subnet_ids": ["subnet-0123456789abcdef0"]}}, None)
    assert result == {
        "status": "ERROR",
        "error": "'network_config.subnet_ids' and 'network_config.security_group_ids' must be given together",
    }
    assert fresh_aws.create_processing_job_requests == []


def test_sdk_failure_is_returned_as_error_and_logged(app, fresh_aws, monkeypatch, caplog):
    import sagemaker_baseline

    def boom(*_args, **_kwargs):
        raise RuntimeError("sdk exploded")

    monkeypatch.setattr(sagemaker_baseline, "_run_suggest_baseline", boom)
    with caplog.at_level(logging.INFO):
        result = app.handler(seed("data_quality"), None)
    assert result == {"status": "ERROR", "error": "RuntimeError: sdk exploded"}
    assert any(r.exc_info and "sdk exploded" in str(r.exc_info[1]) for r in caplog.records)


# ----------------------------------------------------------------------------- idempotency


def test_execution_id_makes_start_idempotent(app, fresh_aws):
    execution_id = "arn:aws:states:us-east-1:123456789012:execution:baseline-sm:run-42"
    event = dict(seed("data_quality"), execution_id=execution_id)

    first = start_ok(app, event)
    second = start_ok(app, event)  # e.g. a Step Functions retry of the same state

    expected = "baseline-dq-" + hashlib.sha256((execution_id + "data_quality").encode()).hexdigest()[:16]
    assert first == second
    assert first["processing_job_name"] == expected
    assert fresh_aws.processing_job_names() == [expected]
    assert len(fresh_aws.create_processing_job_requests) == 1

    # same execution, another monitor type: a different job
    other = start_ok(app, dict(seed("model_quality"), execution_id=execution_id))
    assert other["processing_job_name"].startswith("baseline-mq-")
    assert len(fresh_aws.processing_job_names()) == 2


def test_concurrent_duplicate_create_is_reported_as_the_existing_job(app, fresh_aws, monkeypatch):
    import sagemaker_baseline

    execution_id = "arn:aws:states:us-east-1:123456789012:execution:baseline-sm:race"
    event = dict(seed("data_quality"), execution_id=execution_id)
    name = sagemaker_baseline.processing_job_name("data_quality", execution_id)
    # another attempt created the job between our existence check and our create
    first = start_ok(app, event)
    assert first["processing_job_name"] == name
    real_describe = sagemaker_baseline.describe_job_or_none
    calls = []

    def stale_first_describe(client, job_name):
        calls.append(job_name)
        return None if len(calls) == 1 else real_describe(client, job_name)

    monkeypatch.setattr(sagemaker_baseline, "describe_job_or_none", stale_first_describe)
    second = start_ok(app, event)
    assert second == first
    assert len(calls) == 2
    # the second CreateProcessingJob reached the server and was refused; one job exists
    assert len(fresh_aws.create_processing_job_requests) == 2
    assert fresh_aws.processing_job_names() == [name]


def test_without_execution_id_every_start_is_a_new_job(app, fresh_aws):
    names = {start_ok(app, seed("data_quality"))["processing_job_name"] for _ in range(2)}
    assert len(names) == 2
    assert all(TIMESTAMPED_NAME_RE.match(n) for n in names)
    assert fresh_aws.processing_job_names() == sorted(names)


# ----------------------------------------------------------------------------- bad events


def _with(seed_type, /, **changes):
    """The seed event of ``seed_type`` with changes; ``a__b`` addresses event["a"]["b"]."""
    event = seed(seed_type)
    for path, value in changes.items():
        target = event
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[parent]
        if value is DELETE:
            del target[leaf]
        else:
            target[leaf] = value
    return event


DELETE = object()
DQ, MQ, MB, ME = "data_quality", "model_quality", "model_bias", "model_explainability"

BAD_EVENTS = [
    ("not-an-object", ["data_quality"], "event must be a JSON object"),
    ("null-event", None, "event must be a JSON object"),
    (
        "unknown-action",
        dict(seed(DQ), action="delete"),
        "'action' must be one of start, check, promote, start_executions",
    ),
    ("missing-monitor-type", _with(DQ, monitor_type=DELETE), "missing required field 'monitor_type'"),
    (
        "unknown-monitor-type",
        _with(DQ, monitor_type="data_drift"),
        "'monitor_type' must be one of data_quality, model_quality, model_bias, model_explainability",
    ),
    ("missing-endpoint", _with(DQ, endpoint_name=DELETE), "missing required field 'endpoint_name'"),
    ("bad-endpoint-name", _with(DQ, endpoint_name="my_endpoint"), "'endpoint_name' must be a SageMaker endpoint name"),
    ("missing-training-data", _with(DQ, training_data_uri=DELETE), "missing required field 'training_data_uri'"),
    (
        "https-training-data",
        _with(DQ, training_data_uri="https://my-bucket.s3.amazonaws.com/train.csv"),
        "'training_data_uri' must be an s3://bucket/key URI",
    ),
    (
        "bucket-only-training-data",
        _with(DQ, training_data_uri="s3://my-bucket/"),
        "'training_data_uri' must be an s3://bucket/key URI",
    ),
    (
        "local-output",
        _with(DQ, baseline_output_uri="/tmp/baselines"),
        "'baseline_output_uri' must be an s3://bucket[/prefix] URI",
    ),
    ("missing-output", _with(DQ, baseline_output_uri=DELETE), "missing required field 'baseline_output_uri'"),
    ("unknown-top-level-field", _with(DQ, endpoint="x"), "unknown field(s): endpoint"),
    ("params-of-another-type", _with(DQ, model_quality_params={}), "unknown field(s): model_quality_params"),
    ("params-not-object", _with(DQ, data_quality_params="big"), "'data_quality_params' must be an object"),
    (
        "unknown-param",
        _with(DQ, data_quality_params__instance_size="big"),
        "unknown parameter(s) in 'data_quality_params': instance_size",
    ),
    (
        "count-as-string",
        _with(DQ, data_quality_params__instance_count="2"),
        "'data_quality_params.instance_count' must be an integer from 1 to 100 (got '2')",
    ),
    (
        "count-as-bool",
        _with(DQ, data_quality_params__instance_count=True),
        "'data_quality_params.instance_count' must be an integer from 1 to 100 (got True)",
    ),
    (
        "zero-volume",
        _with(DQ, data_quality_params__volume_size_gb=0),
        "'data_quality_params.volume_size_gb' must be an integer from 1 to 16384",
    ),
    (
        "runtime-too-long",
        _with(DQ, data_quality_params__max_runtime_seconds=10**7),
        "'data_quality_params.max_runtime_seconds' must be an integer from 1 to 777600",
    ),
    (
        "runtime-float",
        _with(MQ, model_quality_params__max_runtime_seconds=1800.5),
        "'model_quality_params.max_runtime_seconds' must be an integer",
    ),
    (
        "bad-instance-type",
        _with(DQ, data_quality_params__instance_type="m5.xlarge"),
        "'data_quality_params.instance_type' must be a SageMaker instance type",
    ),
    (
        "bad-problem-type",
        _with(MQ, model_quality_params__problem_type="Classification"),
        "'model_quality_params.problem_type' must be one of Regression, BinaryClassification, MulticlassClassification",
    ),
    (
        "threshold-as-string",
        _with(MQ, model_quality_params__probability_threshold_attribute="0.5"),
        "'model_quality_params.probability_threshold_attribute' must be a number from 0 to 1",
    ),
    (
        "no-inference-or-probability",
        _with(MQ, model_quality_params__inference_attribute=None, model_quality_params__probability_attribute=None),
        "needs 'inference_attribute' or 'probability_attribute'",
    ),
    (
        "headers-wrong-type",
        _with(MB, model_bias_params__headers=42),
        "'model_bias_params.headers' must be a comma-separated string or a list of strings",
    ),
    (
        "headers-empty-name",
        _with(MB, model_bias_params__headers="a,,label"),
        "'model_bias_params.headers' must not be empty or contain empty names",
    ),
    (
        "label-not-in-headers",
        _with(MB, model_bias_params__label_header="target"),
        "'model_bias_params.label_header' 'target' must be one of 'model_bias_params.headers'",
    ),
    (
        "facet-not-in-headers",
        _with(MB, model_bias_params__facet_name="age"),
        "'model_bias_params.facet_name' 'age' must be one of 'model_bias_params.headers'",
    ),
    (
        "json-dataset",
        _with(MB, model_bias_params__dataset_type="application/json"),
        "'model_bias_params.dataset_type' must be one of text/csv",
    ),
    (
        "bias-threshold-out-of-range",
        _with(MB, model_bias_params__probability_threshold=1.5),
        "'model_bias_params.probability_threshold' must be a number from 0 to 1",
    ),
    (
        "label-values-empty",
        _with(MB, model_bias_params__label_values=[]),
        "'model_bias_params.label_values' must be a comma-separated string or a non-empty list",
    ),
    (
        "bad-model-name",
        _with(MB, model_bias_params__model_name="my model"),
        "'model_bias_params.model_name' must be a SageMaker model name",
    ),
    (
        "bad-agg-method",
        _with(ME, model_explainability_params__agg_method="max"),
        "'model_explainability_params.agg_method' must be one of mean_abs, median, mean_sq",
    ),
    (
        "shap-flag-as-string",
        _with(ME, model_explainability_params__save_local_shap_values="false"),
        "'model_explainability_params.save_local_shap_values' must be true or false",
    ),
    (
        "shap-baseline-empty",
        _with(ME, model_explainability_params__shap_baseline=[]),
        "'model_explainability_params.shap_baseline' must be a non-empty list of non-empty rows",
    ),
    (
        "num-samples-zero",
        _with(ME, model_explainability_params__num_samples=0),
        "'model_explainability_params.num_samples' must be an integer from 1",
    ),
    ("execution-id-not-string", _with(DQ, execution_id=123), "'execution_id' must be a non-empty string"),
]


@pytest.mark.parametrize("event, fragment", [c[1:] for c in BAD_EVENTS], ids=[c[0] for c in BAD_EVENTS])
def test_bad_start_events_are_rejected_before_any_aws_call(app, fresh_aws, event, fragment):
    result = app.handler(copy.deepcopy(event), None)
    assert result["status"] == "ERROR", result
    assert set(result) == {"status", "error"}
    assert fragment in result["error"]
    assert fresh_aws.create_processing_job_requests == []
    assert fresh_aws.processing_job_names() == []


def test_all_problems_of_an_event_are_reported_together(app, fresh_aws):
    event = _with(
        DQ,
        endpoint_name=DELETE,
        training_data_uri="file:///train.csv",
        data_quality_params__instance_count=0,
        data_quality_params__color="red",
    )
    error = app.handler(event, None)["error"]
    for fragment in (
        "missing required field 'endpoint_name'",
        "'training_data_uri' must be an s3://bucket/key URI",
        "'data_quality_params.instance_count' must be an integer from 1 to 100",
        "unknown parameter(s) in 'data_quality_params': color",
    ):
        assert fragment in error
    assert error.count("; ") == 3
    assert fresh_aws.processing_job_names() == []


# ----------------------------------------------------------------------------- check


@pytest.mark.parametrize(
    "job_status, failure_reason, expected",
    [
        ("Completed", None, {"status": "COMPLETED"}),
        ("InProgress", None, {"status": "IN_PROGRESS"}),
        ("Stopping", None, {"status": "IN_PROGRESS"}),
        (
            "Failed",
            "AlgorithmError: no data in s3://my-bucket/training-data/train.csv",
            {"status": "FAILED", "failure_reason": "AlgorithmError: no data in s3://my-bucket/training-data/train.csv"},
        ),
        ("Failed", None, {"status": "FAILED", "failure_reason": "ProcessingJobStatus=Failed"}),
        ("Stopped", None, {"status": "FAILED", "failure_reason": "Stopped"}),
    ],
)
def test_check_maps_the_processing_job_status(app, fresh_aws, job_status, failure_reason, expected):
    started = start_ok(app, seed("model_quality"))
    name = started["processing_job_name"]
    fresh_aws.set_processing_job_status(name, job_status, failure_reason)
    # the state machine may pass the whole start result along: extra keys are ignored
    result = app.handler(dict(started, action="check"), None)
    assert result == {
        "processing_job_name": name,
        "monitor_type": "model_quality",
        "processing_job_status": job_status,
        **expected,
    }


def test_check_of_an_unknown_job_is_an_error(app, fresh_aws):
    result = app.handler(
        {"action": "check", "processing_job_name": "baseline-dq-nope", "monitor_type": "data_quality"}, None
    )
    assert result["status"] == "ERROR"
    assert "DescribeProcessingJob failed" in result["error"]


@pytest.mark.parametrize(
    "event, fragment",
    [
        ({"action": "check", "monitor_type": "data_quality"}, "missing required field 'processing_job_name'"),
        (
            {"action": "check", "processing_job_name": "job_1", "monitor_type": "data_quality"},
            "'processing_job_name' must be a SageMaker processing job name",
        ),
        ({"action": "check", "processing_job_name": "job-1", "monitor_type": "drift"}, "'monitor_type' must be one of"),
        ({"action": "check", "processing_job_name": "job-1"}, "missing required field 'monitor_type'"),
    ],
)
def test_bad_check_events_are_rejected(app, fresh_aws, event, fragment):
    result = app.handler(event, None)
    assert result["status"] == "ERROR"
    assert fragment in result["error"]


# ----------------------------------------------------------------------------- start_executions


@pytest.fixture
def state_machine_arn(fresh_aws):
    sfn = fresh_aws.client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    return sfn.create_state_machine(
        name="baseline-generation",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/sfn-role",
    )["stateMachineArn"]


def _executions(fresh_aws, arn):
    listed = fresh_aws.client("stepfunctions").list_executions(stateMachineArn=arn)["executions"]
    return {e["name"]: e["executionArn"] for e in listed}


def test_start_executions_starts_one_execution_per_monitor(app, fresh_aws, state_machine_arn):
    event = {
        "action": "start_executions",
        "state_machine_arn": state_machine_arn,
        "executions": [
            {"name": "deploy-data-quality", "input": seed("data_quality")},
            {"name": "deploy-model-bias", "input": seed("model_bias")},
        ],
    }
    result = app.handler(copy.deepcopy(event), None)
    assert result["status"] == "STARTED"
    started = _executions(fresh_aws, state_machine_arn)
    assert sorted(result["execution_arns"]) == sorted(started.values())
    assert set(started) == {"deploy-data-quality", "deploy-model-bias"}
    described = fresh_aws.client("stepfunctions").describe_execution(executionArn=started["deploy-model-bias"])
    assert json.loads(described["input"]) == seed("model_bias")
    # starting executions starts no processing job by itself
    assert fresh_aws.processing_job_names() == []

    # re-running the deployment: an execution that already exists counts as started
    sfn = fresh_aws.client("stepfunctions")
    sfn.stop_execution(executionArn=started["deploy-data-quality"])
    again = app.handler(copy.deepcopy(event), None)
    assert again == {"status": "STARTED", "execution_arns": result["execution_arns"]}
    assert len(_executions(fresh_aws, state_machine_arn)) == 2


def test_start_executions_validates_every_input_before_starting_any(app, fresh_aws, state_machine_arn):
    bad_input = _with(MB, model_bias_params__facet_name="age")
    event = {
        "action": "start_executions",
        "state_machine_arn": state_machine_arn,
        "executions": [
            {"name": "deploy-data-quality", "input": seed("data_quality")},
            {"name": "deploy-model-bias", "input": bad_input},
        ],
    }
    with pytest.raises(
        app.StartExecutionsFailed, match=r"executions\[1\]\.input: 'model_bias_params\.facet_name' 'age'"
    ):
        app.handler(event, None)
    assert _executions(fresh_aws, state_machine_arn) == {}


@pytest.mark.parametrize(
    "change, fragment",
    [
        (
            {"state_machine_arn": "baseline-generation"},
            "'state_machine_arn' must be a Step Functions state machine ARN",
        ),
        ({"executions": []}, "'executions' must be a non-empty array"),
        (
            {"executions": [{"name": "has space", "input": {}}]},
            "'executions[0].name' contains characters Step Functions rejects",
        ),
        (
            {
                "executions": [
                    {"name": "a", "input": seed("data_quality")},
                    {"name": "a", "input": seed("data_quality")},
                ]
            },
            "'executions[1].name' 'a' is used by more than one execution",
        ),
        ({"executions": [{"name": "a", "input": "{}"}]}, "'executions[0].input' must be an object"),
        ({"executions": [{"name": "a"}]}, "missing required field 'executions[0].input'"),
        (
            {"executions": [{"name": "a", "input": dict(seed("data_quality"), action="check")}]},
            "executions[0].input: 'action' must be 'start' here",
        ),
    ],
)
def test_bad_start_executions_events_are_rejected(app, fresh_aws, state_machine_arn, change, fragment):
    event = {
        "action": "start_executions",
        "state_machine_arn": state_machine_arn,
        "executions": [{"name": "ok", "input": seed("data_quality")}],
    }
    event.update(change)
    # Raised, not answered: Terraform's aws_lambda_invocation fails the apply only on a function error.
    with pytest.raises(app.StartExecutionsFailed) as exc:
        app.handler(event, None)
    assert fragment in str(exc.value)
    assert _executions(fresh_aws, state_machine_arn) == {}


def test_start_executions_on_a_missing_state_machine_is_an_error(app, fresh_aws):
    arn = "arn:aws:states:us-east-1:123456789012:stateMachine:does-not-exist"
    with pytest.raises(app.StartExecutionsFailed, match="StartExecution failed: StateMachineDoesNotExist"):
        app.handler(
            {
                "action": "start_executions",
                "state_machine_arn": arn,
                "executions": [{"name": "x", "input": seed("data_quality")}],
            },
            None,
        )


# ----------------------------------------------------------------------------- monitor semantics (issue 10)


@pytest.mark.parametrize("monitor_type", ["data_quality", "model_quality"])
@pytest.mark.parametrize(
    "dataset_format, expected",
    [
        ("json_lines", {"json": {"lines": True}}),
        ("json", {"json": {"lines": False}}),
        ("csv", {"csv": {"header": True, "output_columns_position": "START"}}),
    ],
)
def test_baseline_dataset_format_reaches_the_analyzer(app, fresh_aws, monitor_type, dataset_format, expected):
    event = seed(monitor_type)
    event[f"{monitor_type}_params"] = {**event.get(f"{monitor_type}_params", {}), "dataset_format": dataset_format}
    env = describe(fresh_aws, start_ok(app, event)["processing_job_name"])["Environment"]
    assert json.loads(env["dataset_format"]) == expected


def test_bias_baseline_locates_the_prediction_like_its_monitor(app, fresh_aws):
    """Issue 10 row 3: the monitor's inference/probability attributes and threshold reach the Clarify baseline as
    ModelPredictedLabelConfig (predictor label/probability, probability_threshold). The model answers text/csv, where
    Clarify reads column indexes: the monitors' "0"/"1" become the integers the SDK's own user passes."""
    event = seed("model_bias")
    event["model_bias_params"].update(inference_attribute="0", probability_attribute="1", probability_threshold=0.7)
    job = describe(fresh_aws, start_ok(app, event)["processing_job_name"])
    config = fresh_aws.read_s3_json(inputs_by_name(job)["analysis_config"]["S3Uri"])
    assert (config["predictor"]["label"], config["predictor"]["probability"]) == (0, 1)
    assert config["probability_threshold"] == 0.7
    explain = seed("model_explainability")
    explain["model_explainability_params"]["inference_attribute"] = "2"
    job = describe(fresh_aws, start_ok(app, explain)["processing_job_name"])
    assert fresh_aws.read_s3_json(inputs_by_name(job)["analysis_config"]["S3Uri"])["predictor"]["label"] == 2


@pytest.mark.parametrize(
    ("attribute", "expected"),
    [("0", 0), ("12", 12), ("score", "score"), ("$.label", "$.label"), ("-1", "-1"), (None, None)],
)
def test_model_output_location_is_a_column_index_only_for_digits(app, attribute, expected):
    import sagemaker_baseline

    assert sagemaker_baseline.model_output_location(attribute) == expected


def test_explainability_baseline_locates_the_scores_like_its_monitor(app, fresh_aws):
    event = seed("model_explainability")
    event["model_explainability_params"]["probability_attribute"] = "score"
    job = describe(fresh_aws, start_ok(app, event)["processing_job_name"])
    config = fresh_aws.read_s3_json(inputs_by_name(job)["analysis_config"]["S3Uri"])
    assert config["predictor"]["probability"] == "score" and "label" not in config["predictor"]
    plain = describe(fresh_aws, start_ok(app, seed("model_explainability"))["processing_job_name"])
    plain_config = fresh_aws.read_s3_json(inputs_by_name(plain)["analysis_config"]["S3Uri"])
    assert "probability" not in plain_config["predictor"] and "label" not in plain_config["predictor"]


def _put(fresh_aws, uri, body):
    bucket, _, key = uri[len("s3://") :].partition("/")
    fresh_aws.client("s3").put_object(Bucket=bucket, Key=key, Body=body)


def _get(fresh_aws, uri):
    bucket, _, key = uri[len("s3://") :].partition("/")
    return fresh_aws.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def test_promote_copies_the_staged_files_over_the_live_baseline(app, fresh_aws):
    """Issue 10 row 6: a job writes to its staging folder; promote (called only after Completed) replaces the live
    files."""
    result = start_ok(app, seed("data_quality"))
    live = result["baseline_output_uri"]
    _put(fresh_aws, live + "statistics.json", b"old statistics")
    _put(fresh_aws, live + "constraints.json", b"old constraints")
    _put(fresh_aws, result["staging_output_uri"] + "statistics.json", b"new statistics")
    _put(fresh_aws, result["staging_output_uri"] + "constraints.json", b"new constraints")
    # the live baseline is untouched until promoted
    assert _get(fresh_aws, live + "constraints.json") == b"old constraints"
    answer = app.handler(
        {
            "action": "promote",
            **{
                k: result[k]
                for k in ("processing_job_name", "monitor_type", "staging_output_uri", "baseline_output_uri")
            },
        },
        None,
    )
    assert answer == {
        "status": "PROMOTED",
        "processing_job_name": result["processing_job_name"],
        "monitor_type": "data_quality",
        "baseline_output_uri": live,
        "promoted": ["constraints.json", "statistics.json"],
    }
    assert _get(fresh_aws, live + "statistics.json") == b"new statistics"
    assert _get(fresh_aws, live + "constraints.json") == b"new constraints"


def test_promote_with_nothing_staged_is_an_error_and_changes_nothing(app, fresh_aws):
    result = start_ok(app, seed("data_quality"))
    _put(fresh_aws, result["baseline_output_uri"] + "constraints.json", b"old constraints")
    answer = app.handler(
        {
            "action": "promote",
            **{
                k: result[k]
                for k in ("processing_job_name", "monitor_type", "staging_output_uri", "baseline_output_uri")
            },
        },
        None,
    )
    assert answer["status"] == "ERROR"
    assert answer["error"].startswith(
        f"nothing to promote: processing job {result['processing_job_name']} wrote no files"
    )
    assert _get(fresh_aws, result["baseline_output_uri"] + "constraints.json") == b"old constraints"


@pytest.mark.parametrize(
    "change, fragment",
    [
        (
            {"staging_output_uri": "s3://my-bucket/elsewhere/"},
            "'staging_output_uri' must be 's3://my-bucket/b/staging/data_quality/baseline-dq-1/', this job's staging "
            "folder",
        ),
        (
            {"baseline_output_uri": "s3://my-bucket/b/model_quality/"},
            "'baseline_output_uri' must be the monitor's baseline prefix <baseline output>/data_quality/",
        ),
        ({"processing_job_name": "bad name"}, "'processing_job_name' must be a SageMaker processing job name"),
        ({"staging_output_uri": None}, "'staging_output_uri' must be an s3://bucket[/prefix] URI"),
    ],
)
def test_bad_promote_events_are_rejected_before_any_copy(app, fresh_aws, change, fragment):
    event = {
        "action": "promote",
        "processing_job_name": "baseline-dq-1",
        "monitor_type": "data_quality",
        "staging_output_uri": "s3://my-bucket/b/staging/data_quality/baseline-dq-1/",
        "baseline_output_uri": "s3://my-bucket/b/data_quality/",
        **change,
    }
    answer = app.handler(event, None)
    assert answer["status"] == "ERROR" and fragment in answer["error"], answer
