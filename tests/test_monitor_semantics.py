"""Issue 10: what the monitors compute, held against what the SageMaker Python SDK sets up for the same settings.

The Clarify monitors' analysis configuration files are compared with the SDK's own ``BiasAnalysisConfig`` /
``ExplainabilityAnalysisConfig`` built from the same baseline settings; the new parameters are checked where
they land (job definitions, baseline events) and against the real tools (cfn-lint schemas, terraform validate).
"""

from __future__ import annotations

import json
import os
import re

import pytest
from conftest import BUCKET, MINIMAL, one, resources
from test_real_tools import CFN_TYPES, CfnValidator, _cfn_schema, to_cloudformation

from monitors.constructs.json_documents import document_value
from monitors.settings.config import ConfigError, validate

S = f"s3://{BUCKET}"
MODEL = "churn-model"
GENERATED = {
    **{k: v for k, v in MINIMAL.items() if k != "data_quality_baseline_s3_uri"},
    "kms_key_id": "alias/monitoring",
    "security_group_id": "sg-0123456789abcdef0",
    "subnet_ids": ["subnet-0123456789abcdef0"],
    "enable_inter_container_traffic_encryption": True,
    "baseline_training_data_s3_uri": f"{S}/training/train.csv",
    "baseline_output_data_s3_uri": f"{S}/baselines/",
    "baseline_lambda_image_uri": "123456789012.dkr.ecr.us-east-2.amazonaws.com/baseline-lambda:v1",
    "data_quality_baseline_dataset_format": "json_lines",
    "data_quality_record_preprocessor_source_uri": f"{S}/scripts/dq_pre.py",
    "data_quality_post_analytics_processor_source_uri": f"{S}/scripts/dq_post.py",
    "enable_model_quality_monitor": True,
    "model_quality_output_s3_uri": f"{S}/o/mq/",
    "model_quality_ground_truth_s3_uri": f"{S}/gt/mq/",
    "model_quality_problem_type": "BinaryClassification",
    "model_quality_inference_attribute": "0",
    "model_quality_probability_attribute": "1",
    "model_quality_probability_threshold_attribute": 0.6,
    "model_quality_start_time_offset": "-PT3H",
    "model_quality_end_time_offset": "-PT1H",
    "model_quality_record_preprocessor_source_uri": f"{S}/scripts/mq_pre.py",
    "model_quality_post_analytics_processor_source_uri": f"{S}/scripts/mq_post.py",
    "model_quality_baseline_inference_column": "predicted_churn",
    "model_quality_baseline_probability_column": "churn_score",
    "model_quality_baseline_ground_truth_column": "churned",
    "model_quality_baseline_dataset_format": "json",
    "enable_model_bias_monitor": True,
    "model_bias_output_s3_uri": f"{S}/o/bias/",
    "model_bias_ground_truth_s3_uri": f"{S}/gt/bias/",
    "model_bias_inference_attribute": "0",
    "model_bias_probability_attribute": "1",
    "model_bias_start_time_offset": "-P1D",
    "model_bias_end_time_offset": "-PT12H",
    "baseline_model_bias_params": {
        "label_header": "churned",
        "headers": ["churned", "age", "tenure"],
        "facet_name": "age",
        "facet_values": "40",
        "label_values": "1",
        "probability_threshold": 0.65,
    },
    "enable_model_explainability_monitor": True,
    "model_explainability_output_s3_uri": f"{S}/o/expl/",
    "model_explainability_probability_attribute": "1",
    "baseline_model_explainability_params": {
        "label_header": "churned",
        "headers": ["churned", "age", "tenure"],
        "model_name": MODEL,
        "num_samples": 50,
        "agg_method": "median",
        "shap_baseline": [[40, 12]],
    },
}


@pytest.fixture
def tf(synth):
    return synth(GENERATED)


def _sdk():
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    from sagemaker import clarify
    from sagemaker.model_monitor import clarify_model_monitoring

    return clarify, clarify_model_monitoring


def _config_object(tf, monitor: str) -> dict:
    [obj] = [r for name, r in tf["resource"]["aws_s3_object"].items() if name.startswith(f"{monitor}_analysis_config")]
    return obj


def _events(tf) -> dict:
    events = [document_value(tf, t["input"]) for t in resources(tf, "aws_cloudwatch_event_target")]
    return {event["monitor_type"]: event for event in events}


# ----------------------------------------------------------------------------- rows 1, 5, 6: the Clarify config files


def test_explainability_monitor_config_is_what_the_sdks_explainability_analysis_config_writes(tf):
    clarify, cmm = _sdk()
    sdk = cmm.ExplainabilityAnalysisConfig(
        explainability_config=clarify.SHAPConfig(
            baseline=[[40, 12]], num_samples=50, agg_method="median", save_local_shap_values=False
        ),
        model_config=clarify.ModelConfig(
            model_name=MODEL,
            instance_count=1,
            instance_type="ml.m5.xlarge",
            content_type="text/csv",
            accept_type="text/csv",
        ),
        headers=["age", "tenure"],  # the SDK's suggest_baseline drops the label from the headers
    )._to_dict()
    obj = _config_object(tf, "model_explainability")
    assert json.loads(obj["content"]) == sdk
    assert "label" not in json.loads(obj["content"]) and "dataset_type" not in json.loads(obj["content"])
    expl = one(tf, "awscc_sagemaker_model_explainability_job_definition")
    assert expl["model_explainability_app_specification"]["config_uri"] == f"s3://{obj['bucket']}/{obj['key']}"
    assert obj["key"].startswith("baselines/model_explainability/monitor-analysis-config/")


def test_bias_monitor_config_is_what_the_sdks_bias_analysis_config_writes(tf):
    clarify, cmm = _sdk()
    sdk = cmm.BiasAnalysisConfig(
        clarify.BiasConfig(label_values_or_threshold=[1], facet_name="age", facet_values_or_threshold=[40]),
        headers=["churned", "age", "tenure"],
        label="churned",
    )._to_dict()
    content = json.loads(_config_object(tf, "model_bias")["content"])
    assert content == sdk
    # only the documented monitor fields: no dataset_type, methods, predictor or probability_threshold (row 5)
    assert set(content) == {"headers", "label", "label_values_or_threshold", "facet"}


def test_config_objects_are_encrypted_and_keyed_by_their_content(tf):
    for monitor in ("model_bias", "model_explainability"):
        obj = _config_object(tf, monitor)
        digest = re.fullmatch(rf"baselines/{monitor}/monitor-analysis-config/([0-9a-f]{{16}})\.json", obj["key"])
        assert digest, obj["key"]
        assert (obj["server_side_encryption"], obj["kms_key_id"]) == (
            "aws:kms",
            "${data.aws_kms_key.monitoring_key.arn}",
        )
        assert obj["lifecycle"] == {"create_before_destroy": True}


def test_a_changed_setting_is_a_new_config_object_and_a_new_job_definition():
    from monitors.payloads import analysis_configs
    from monitors.payloads.job_definitions import job_definition_name, monitor_job

    before = monitor_job(validate(GENERATED), "model_bias")
    after = monitor_job(
        validate(
            {
                **GENERATED,
                "baseline_model_bias_params": {**GENERATED["baseline_model_bias_params"], "label_values": "0"},
            }
        ),
        "model_bias",
    )
    assert before.baseline_prefix == after.baseline_prefix == f"{S}/baselines/model_bias/"
    key_before = analysis_configs.config_object(before.analysis_config, before.baseline_prefix)[1]
    assert key_before != analysis_configs.config_object(after.analysis_config, after.baseline_prefix)[1]
    assert job_definition_name(before, "x") != job_definition_name(after, "x")


def test_a_given_clarify_baseline_gets_a_config_written_from_its_params(tmp_path):
    """Issue 20 item 3: a given baseline's own analysis_config.json (Clarify's, with the label in its headers) is no
    longer read; the monitor's file is written from the same params, in the given prefix; the user's own file only
    when named (tests/test_clarify_options.py)."""
    from monitors.payloads.common import baseline_uri
    from monitors.payloads.job_definitions import monitor_job

    given = monitor_job(validate({**GENERATED, "model_bias_baseline_s3_uri": f"{S}/mine/bias/"}), "model_bias")
    generated = monitor_job(validate(GENERATED), "model_bias")
    assert given.analysis_config == generated.analysis_config
    assert baseline_uri(given, "config").startswith(f"{S}/mine/bias/monitor-analysis-config/")
    assert baseline_uri(given, "constraints") == f"{S}/mine/bias/analysis.json"


# ----------------------------------------------------------------------------- rows 2, 3, 4, 7: one setting, both sides


def test_bias_threshold_and_attributes_are_one_setting_for_baseline_and_monitor(tf):
    bias_input = one(tf, "awscc_sagemaker_model_bias_job_definition")["model_bias_job_input"]["endpoint_input"]
    # the monitor's threshold is the baseline's probability_threshold (the SDK backfills it from the baseline)
    assert bias_input["probability_threshold_attribute"] == 0.65
    params = _events(tf)["model_bias"]["model_bias_params"]
    assert (params["inference_attribute"], params["probability_attribute"], params["probability_threshold"]) == (
        "0",
        "1",
        0.65,
    )
    assert (bias_input["inference_attribute"], bias_input["probability_attribute"]) == ("0", "1")
    expl = _events(tf)["model_explainability"]["model_explainability_params"]
    assert expl["probability_attribute"] == "1" and "inference_attribute" not in expl


def test_a_monitor_threshold_alone_reaches_the_bias_baseline():
    from monitors.settings.baseline_events import baseline_params

    params = dict(GENERATED["baseline_model_bias_params"])
    params.pop("probability_threshold")
    settings = validate(
        {**GENERATED, "baseline_model_bias_params": params, "model_bias_probability_threshold_attribute": 0.55}
    )
    assert baseline_params(settings, "model_bias")["probability_threshold"] == 0.55


def test_model_quality_baseline_reads_its_own_columns_not_the_captured_output_attributes(tf):
    mq = _events(tf)["model_quality"]["model_quality_params"]
    assert (mq["inference_attribute"], mq["probability_attribute"], mq["ground_truth_attribute"]) == (
        "predicted_churn",
        "churn_score",
        "churned",
    )
    assert mq["probability_threshold_attribute"] == 0.6 and mq["dataset_format"] == "json"
    ei = one(tf, "awscc_sagemaker_model_quality_job_definition")["model_quality_job_input"]["endpoint_input"]
    assert (ei["inference_attribute"], ei["probability_attribute"]) == ("0", "1")  # the captured output's


def test_seed_params_still_name_the_model_quality_baseline_columns():
    from monitors.settings.baseline_events import baseline_params

    config = {k: v for k, v in GENERATED.items() if not k.startswith("model_quality_baseline_")}
    settings = validate(
        {**config, "baseline_model_quality_params": {"inference_attribute": "p", "ground_truth_attribute": "y"}}
    )
    params = baseline_params(settings, "model_quality")
    assert (params["inference_attribute"], params["ground_truth_attribute"]) == ("p", "y")
    assert "probability_attribute" not in params  # the Lambda's default column name applies


def test_baseline_jobs_get_the_monitors_network_config(tf):
    for event in _events(tf).values():
        assert event["network_config"] == {
            "enable_inter_container_traffic_encryption": True,
            "enable_network_isolation": False,
            "subnet_ids": ["subnet-0123456789abcdef0"],
            "security_group_ids": ["sg-0123456789abcdef0"],
        }
    env = one(tf, "aws_lambda_function")["environment"]["variables"]
    assert not {"BASELINE_SUBNET_IDS", "BASELINE_SECURITY_GROUP_IDS"} & set(env)  # one source: the event


def test_events_pass_the_lambdas_own_validator(tf):
    from monitors.settings.baseline_events import _event_validation

    validation = _event_validation()
    for monitor, event in _events(tf).items():
        request = validation.validate_start(event)
        assert request.network_config.enable_inter_container_traffic_encryption is True, monitor
    assert _events(tf)["data_quality"]["data_quality_params"]["dataset_format"] == "json_lines"


def test_baseline_jobs_carry_the_monitors_tags():
    """The SDK tags a monitor's baselining job with the monitor's tags; the events carry the stack's resource tags to
    the Lambda, which puts them on the processing job (found by the differential test, tests/sdk_parity)."""
    from monitors.settings.baseline_events import _event_validation, baseline_event

    settings = validate({**GENERATED, "tags": {"team": "ml-platform", "cost-center": "1234"}})
    for monitor in settings.enabled_monitors:
        event = baseline_event(settings, monitor)
        assert event["tags"] == settings.resource_tags() == {"team": "ml-platform", "cost-center": "1234"}
        assert _event_validation().validate_start(event).tags == {"team": "ml-platform", "cost-center": "1234"}
    assert "tags" not in baseline_event(validate(GENERATED), "data_quality")  # no tags configured: none sent


# ----------------------------------------------------------------------------- row 8 and the new parameters


def test_time_offsets_and_scripts_land_in_the_job_definitions(tf):
    mq = one(tf, "awscc_sagemaker_model_quality_job_definition")
    ei = mq["model_quality_job_input"]["endpoint_input"]
    assert (ei["start_time_offset"], ei["end_time_offset"]) == ("-PT3H", "-PT1H")
    spec = mq["model_quality_app_specification"]
    assert (spec["record_preprocessor_source_uri"], spec["post_analytics_processor_source_uri"]) == (
        f"{S}/scripts/mq_pre.py",
        f"{S}/scripts/mq_post.py",
    )
    assert spec["environment"] == {"publish_cloudwatch_metrics": "Enabled"}
    bias = one(tf, "awscc_sagemaker_model_bias_job_definition")["model_bias_job_input"]["endpoint_input"]
    assert (bias["start_time_offset"], bias["end_time_offset"]) == ("-P1D", "-PT12H")
    expl = one(tf, "awscc_sagemaker_model_explainability_job_definition")["model_explainability_job_input"][
        "endpoint_input"
    ]
    assert "start_time_offset" not in expl  # the explainability schema has no analysis window
    dq = one(tf, "aws_sagemaker_data_quality_job_definition")["data_quality_app_specification"]
    assert dq == {
        "image_uri": dq["image_uri"],
        "environment": {"publish_cloudwatch_metrics": "Enabled"},
        "record_preprocessor_source_uri": f"{S}/scripts/dq_pre.py",
        "post_analytics_processor_source_uri": f"{S}/scripts/dq_post.py",
    }


@pytest.mark.parametrize("rtype", sorted(CFN_TYPES))
def test_payloads_with_the_new_parameters_match_cloudformation_schema(tf, rtype):
    schema = _cfn_schema(CFN_TYPES[rtype])
    [resource] = tf["resource"][rtype].values()
    text = json.dumps({k: v for k, v in resource.items() if k not in ("//", "lifecycle", "provider", "depends_on")})
    text = text.replace("${aws_iam_role.monitoring_role.arn}", "arn:aws:iam::123456789012:role/monitoring")
    text = text.replace(
        "${data.aws_kms_key.monitoring_key.arn}",
        "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    text = re.sub(
        r"\$\{data\.aws_sagemaker_prebuilt_ecr_image\.\w+\.registry_path\}",
        "156813124566.dkr.ecr.us-east-2.amazonaws.com/image:1",
        text,
    )
    assert "${" not in text
    errors = [
        f"{list(e.path)}: {e.message}"
        for e in CfnValidator(schema).iter_errors(to_cloudformation(json.loads(text), schema, schema))
    ]
    assert errors == []


def test_schema_check_rejects_a_bad_time_offset(tf):
    schema = _cfn_schema(CFN_TYPES["awscc_sagemaker_model_quality_job_definition"])
    resource = json.loads(json.dumps(one(tf, "awscc_sagemaker_model_quality_job_definition")))
    resource["model_quality_job_input"]["endpoint_input"]["start_time_offset"] = "-PT1H-and-more-than-15"
    document = to_cloudformation(
        {k: v for k, v in resource.items() if k in ("model_quality_job_input",)}, schema, schema
    )
    messages = [e.message for e in CfnValidator(schema).iter_errors(document)]
    assert any("is too long" in m for m in messages), messages


@pytest.mark.slow
def test_terraform_validate_with_the_new_parameters(tf, terraform_validate):
    report = terraform_validate(tf)
    assert report["valid"] is True, report["diagnostics"]


@pytest.mark.parametrize("offset", ["-PT2H", "-P1D", "-PT30M", "-P1DT2H", "-PT90S"])
def test_offsets_accepted(offset):
    settings = validate({**GENERATED, "model_quality_start_time_offset": offset, "model_quality_end_time_offset": None})
    assert settings.model_quality.start_time_offset == offset


@pytest.mark.parametrize("offset", ["PT2H", "-P", "-PT", "2 hours", "-PT0S", "-P1W", "-PT1H30", "-P100000DT100000H"])
def test_offsets_rejected(offset):
    with pytest.raises(ConfigError) as exc:
        validate({**GENERATED, "model_quality_start_time_offset": offset, "model_quality_end_time_offset": None})
    assert any(
        p.startswith("model_quality_start_time_offset: must be a negative ISO 8601 duration")
        for p in exc.value.problems
    )


def test_equal_offsets_are_allowed_and_every_problem_is_reported_at_once():
    validate({**GENERATED, "model_quality_start_time_offset": "-PT1H", "model_quality_end_time_offset": "-PT60M"})
    with pytest.raises(ConfigError) as exc:
        validate(
            {
                **GENERATED,
                "model_quality_start_time_offset": "-PT1H",
                "model_quality_end_time_offset": "-PT2H",
                "model_bias_start_time_offset": "PT1H",
                "model_quality_record_preprocessor_source_uri": "s3://other-bucket/x.py",
            }
        )
    assert [p.split(":")[0] for p in exc.value.problems] == [
        "model_bias_start_time_offset",
        "model_quality_end_time_offset",
        "model_quality_record_preprocessor_source_uri",
    ]


def test_monitoring_role_s3_access_lists_the_new_locations():
    from monitors.payloads.job_definitions import monitoring_role_s3_access

    assert monitoring_role_s3_access(validate(GENERATED)) == {
        "read": [
            f"{S}/scripts/dq_pre.py",
            f"{S}/scripts/dq_post.py",
            f"{S}/scripts/mq_pre.py",
            f"{S}/scripts/mq_post.py",
            f"{S}/baselines/model_bias/monitor-analysis-config/",
            f"{S}/baselines/model_explainability/monitor-analysis-config/",
            f"{S}/training/train.csv",
        ],
        "write": [f"{S}/baselines/staging/"],
    }
