"""Issue 20 items 1-3: Clarify monitors of JSON and JSON Lines endpoints, several facets and group_name, the SHAP
options, and generated monitor configurations for given Clarify baselines.

Each monitor's analysis configuration object is compared with what the SageMaker Python SDK's own
``BiasAnalysisConfig`` / ``ExplainabilityAnalysisConfig`` (sagemaker 2.257.7, installed) write for the same values,
field for field; the baseline events with the baseline Lambda's own validator.
"""

from __future__ import annotations

import json
import os

import pytest
from conftest import BUCKET, MINIMAL, one, resources

from monitors.constructs.json_documents import document_value
from monitors.settings.config import ConfigError, validate

S = f"s3://{BUCKET}"
MODEL = "churn-model"
HEADERS = ["age", "gender", "income", "label"]
TEMPLATE = '{"features":$features}'
BASE = {k: v for k, v in MINIMAL.items() if not k.startswith(("data_quality", "enable_data_quality"))}

# A JSON Lines endpoint: requests {"features": [...]}, responses {"predicted_label": 1, "score": 0.8}; the baseline
# dataset in JSON Lines: {"features": [...], "label": 1}.
JSONL = {
    **BASE,
    "enable_data_quality_monitor": False,
    "baseline_training_data_s3_uri": f"{S}/training/train.jsonl",
    "baseline_output_data_s3_uri": f"{S}/baselines/",
    "baseline_lambda_image_uri": "123456789012.dkr.ecr.us-east-2.amazonaws.com/baseline-lambda:v1",
    "enable_model_bias_monitor": True,
    "model_bias_output_s3_uri": f"{S}/o/bias/",
    "model_bias_ground_truth_s3_uri": f"{S}/gt/",
    "model_bias_content_type": "application/jsonlines",
    "model_bias_accept_type": "application/jsonlines",
    "model_bias_content_template": TEMPLATE,
    "model_bias_features_attribute": "features",
    "model_bias_inference_attribute": "predicted_label",
    "model_bias_probability_attribute": "score",
    "model_bias_label_headers": ["churn"],
    "baseline_model_bias_params": {
        "dataset_type": "application/jsonlines",
        "label_header": "label",
        "headers": HEADERS,
        "facets": [{"name": "age", "values": [40]}, {"name": "gender"}],
        "group_name": "income",
        "label_values": [1],
        "model_name": MODEL,
    },
    "enable_model_explainability_monitor": True,
    "model_explainability_output_s3_uri": f"{S}/o/expl/",
    "model_explainability_content_type": "application/jsonlines",
    "model_explainability_accept_type": "application/json",
    "model_explainability_content_template": TEMPLATE,
    "model_explainability_features_attribute": "features",
    "model_explainability_probability_attribute": "score",
    "model_explainability_label_headers": ["churn"],
    "baseline_model_explainability_params": {
        "dataset_type": "application/jsonlines",
        "label_header": "label",
        "headers": HEADERS,
        "model_name": MODEL,
        "use_logit": True,
        "seed": 7,
        "num_clusters": 5,
    },
}


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


def _problems(config: dict) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        validate(config)
    return caught.value.problems


def _warnings(config: dict) -> list[str]:
    from monitors.settings.rules import settings_warnings

    return settings_warnings(validate(config))


@pytest.fixture(scope="module")
def tf(tmp_path_factory):
    from conftest import Synth

    return Synth(tmp_path_factory.mktemp("clarify-options"))(JSONL)


# ----------------------------------------------------------------------------- a JSON Lines endpoint, field for field


def test_jsonl_bias_monitor_config_is_what_the_sdks_bias_analysis_config_writes(tf):
    clarify, cmm = _sdk()
    sdk = cmm.BiasAnalysisConfig(
        clarify.BiasConfig(
            label_values_or_threshold=[1],
            facet_name=["age", "gender"],
            facet_values_or_threshold=[[40], None],
            group_name="income",
        ),
        headers=HEADERS,
        label="label",
    )._to_dict()
    content = json.loads(_config_object(tf, "model_bias")["content"])
    assert content == sdk
    assert content["facet"] == [{"name_or_index": "age", "value_or_threshold": [40]}, {"name_or_index": "gender"}]
    assert content["group_variable"] == "income"
    # BiasAnalysisConfig has no predictor: the model's formats reach the bias baseline job only
    assert "predictor" not in content


def test_jsonl_explainability_monitor_config_is_what_the_sdks_explainability_analysis_config_writes(tf):
    clarify, cmm = _sdk()
    sdk = cmm.ExplainabilityAnalysisConfig(
        explainability_config=clarify.SHAPConfig(
            num_samples=100, agg_method="mean_abs", use_logit=True, save_local_shap_values=False, seed=7, num_clusters=5
        ),
        model_config=clarify.ModelConfig(
            model_name=MODEL,
            instance_count=1,
            instance_type="ml.m5.xlarge",
            content_type="application/jsonlines",
            accept_type="application/json",
            content_template=TEMPLATE,
        ),
        headers=["age", "gender", "income"],  # the SDK's suggest_baseline drops the label from the headers
        label_headers=["churn"],
    )._to_dict()
    content = json.loads(_config_object(tf, "model_explainability")["content"])
    assert content == sdk
    assert content["predictor"]["content_type"] == "application/jsonlines"
    assert content["predictor"]["accept_type"] == "application/json"
    assert content["predictor"]["content_template"] == TEMPLATE
    assert content["predictor"]["label_headers"] == ["churn"]
    assert (content["methods"]["shap"]["use_logit"], content["methods"]["shap"]["seed"]) == (True, 7)
    assert content["methods"]["shap"]["num_clusters"] == 5


def test_jsonl_monitors_find_features_and_predictions_by_jmespath(tf):
    bias = one(tf, "awscc_sagemaker_model_bias_job_definition")["model_bias_job_input"]["endpoint_input"]
    assert (bias["features_attribute"], bias["inference_attribute"], bias["probability_attribute"]) == (
        "features",
        "predicted_label",
        "score",
    )
    expl = one(tf, "awscc_sagemaker_model_explainability_job_definition")
    assert expl["model_explainability_job_input"]["endpoint_input"]["features_attribute"] == "features"


def test_jsonl_baseline_events_carry_the_models_formats_and_pass_the_lambdas_validator(tf):
    from monitors.settings.baseline_events import _event_validation

    events = _events(tf)
    bias = events["model_bias"]["model_bias_params"]
    assert {k: bias[k] for k in ("content_type", "accept_type", "content_template", "label_headers", "features")} == {
        "content_type": "application/jsonlines",
        "accept_type": "application/jsonlines",
        "content_template": TEMPLATE,
        "label_headers": ["churn"],
        # the dataset's features JMESPath defaults to the monitor's features_attribute (as the SDK shares them)
        "features": "features",
    }
    expl = events["model_explainability"]["model_explainability_params"]
    assert (expl["use_logit"], expl["seed"], expl["num_clusters"]) == (True, 7, 5)
    for event in events.values():
        _event_validation().validate_start(event)


def test_the_dataset_features_can_differ_from_the_captured_requests():
    from monitors.settings.baseline_events import baseline_params

    config = {**JSONL, "baseline_model_bias_params": {**JSONL["baseline_model_bias_params"], "features": "x.f"}}
    assert baseline_params(validate(config), "model_bias")["features"] == "x.f"


def test_one_facet_as_before_is_unchanged():
    """The seed's single-facet names keep working and write what they wrote."""
    from monitors.payloads.job_definitions import monitor_job

    params = {k: v for k, v in JSONL["baseline_model_bias_params"].items() if k not in ("facets", "group_name")}
    job = monitor_job(validate({**JSONL, "baseline_model_bias_params": {**params, "facet_name": "age"}}), "model_bias")
    assert job.analysis_config is not None
    assert job.analysis_config["facet"] == [{"name_or_index": "age", "value_or_threshold": [100, 200]}]
    assert "group_variable" not in job.analysis_config


def test_unset_options_write_what_they_wrote():
    """CSV endpoint, no new option: the explainability predictor is text/csv both ways, use_logit false, no seed."""
    from monitors.payloads.job_definitions import monitor_job

    config = {
        **{k: v for k, v in JSONL.items() if not k.startswith(("model_bias", "enable_model_bias", "baseline_model_b"))},
        "enable_model_bias_monitor": False,
        "model_explainability_content_type": None,
        "model_explainability_accept_type": None,
        "model_explainability_content_template": None,
        "model_explainability_features_attribute": None,
        "model_explainability_label_headers": None,
        "baseline_model_explainability_params": {"label_header": "label", "headers": HEADERS, "model_name": MODEL},
    }
    config = {k: v for k, v in config.items() if v is not None}
    content = monitor_job(validate(config), "model_explainability").analysis_config
    assert content is not None
    assert content["predictor"] == {
        "model_name": MODEL,
        "instance_type": "ml.m5.xlarge",
        "initial_instance_count": 1,
        "accept_type": "text/csv",
        "content_type": "text/csv",
    }
    assert content["methods"]["shap"] == {
        "use_logit": False,
        "save_local_shap_values": False,
        "num_samples": 100,
        "agg_method": "mean_abs",
    }


def test_json_content_type_writes_the_record_template():
    from monitors.payloads.job_definitions import monitor_job

    config = {
        **JSONL,
        "model_explainability_content_type": "application/json",
        "model_explainability_content_template": '{"instances":$records}',
        "model_explainability_record_template": "$features_kvp",
    }
    predictor = monitor_job(validate(config), "model_explainability").analysis_config["predictor"]  # type: ignore[index]
    clarify, _ = _sdk()
    expected = clarify.ModelConfig(
        model_name=MODEL,
        instance_count=1,
        instance_type="ml.m5.xlarge",
        content_type="application/json",
        accept_type="application/json",
        content_template='{"instances":$records}',
        record_template="$features_kvp",
    ).get_predictor_config()
    assert predictor == {**expected, "label_headers": ["churn"]}


# ----------------------------------------------------------------------------- item 3: given Clarify baselines

GIVEN = {
    **BASE,
    "enable_data_quality_monitor": False,
    "enable_model_explainability_monitor": True,
    "model_explainability_baseline_s3_uri": f"{S}/mine/expl/",
    "model_explainability_output_s3_uri": f"{S}/o/expl/",
    "baseline_model_explainability_params": {"label_header": "label", "headers": HEADERS, "model_name": MODEL},
    "enable_model_bias_monitor": True,
    "model_bias_baseline_s3_uri": f"{S}/mine/bias/",
    "model_bias_output_s3_uri": f"{S}/o/bias/",
    "model_bias_ground_truth_s3_uri": f"{S}/gt/",
    "baseline_model_bias_params": {
        "label_header": "label",
        "headers": HEADERS,
        "facet_name": "age",
        "label_values": "1",
    },
}


def test_a_given_clarify_baseline_gets_a_generated_config_without_the_label(tmp_path):
    from conftest import Synth

    tf = Synth(tmp_path)(GIVEN)
    expl = one(tf, "awscc_sagemaker_model_explainability_job_definition")
    obj = _config_object(tf, "model_explainability")
    assert expl["model_explainability_app_specification"]["config_uri"] == f"s3://{obj['bucket']}/{obj['key']}"
    assert obj["key"].startswith("mine/expl/monitor-analysis-config/")
    assert json.loads(obj["content"])["headers"] == ["age", "gender", "income"]  # never the label
    # the baseline's constraints still come from the given prefix
    constraints = expl["model_explainability_baseline_config"]["constraints_resource"]["s3_uri"]
    assert constraints == f"{S}/mine/expl/analysis.json"
    bias = json.loads(_config_object(tf, "model_bias")["content"])
    assert bias["label"] == "label" and bias["facet"] == [{"name_or_index": "age", "value_or_threshold": [100, 200]}]
    # a given baseline's monitor takes no threshold from the params (only a generated baseline decides it)
    endpoint_input = one(tf, "awscc_sagemaker_model_bias_job_definition")["model_bias_job_input"]["endpoint_input"]
    assert "probability_threshold_attribute" not in endpoint_input
    assert not _warnings(GIVEN)


def test_the_monitoring_role_reads_the_generated_and_the_own_config():
    from monitors.constructs.iam import s3_access

    read, _ = s3_access(validate(GIVEN))
    assert f"{S}/mine/expl/" in read  # holds monitor-analysis-config/ (generated) and analysis.json
    own = {**GIVEN, "model_bias_analysis_config_s3_uri": f"{S}/configs/bias.json"}
    read, _ = s3_access(validate(own))
    assert f"{S}/configs/bias.json" in read


def test_a_users_own_config_only_when_named_with_a_warning_of_what_the_sdk_writes():
    from monitors.payloads.common import baseline_uri
    from monitors.payloads.job_definitions import monitor_job

    config = {
        **GIVEN,
        "model_explainability_analysis_config_s3_uri": f"{S}/mine/expl/analysis_config.json",
        "baseline_model_explainability_params": None,
    }
    config = {k: v for k, v in config.items() if v is not None}
    job = monitor_job(validate(config), "model_explainability")
    assert job.analysis_config is None  # nothing written
    assert baseline_uri(job, "config") == f"{S}/mine/expl/analysis_config.json"
    assert baseline_uri(job, "constraints") == f"{S}/mine/expl/analysis.json"
    [warning] = _warnings(config)
    assert warning.startswith("warning: model_explainability_analysis_config_s3_uri: the monitor reads your file")
    assert "headers without the label" in warning and "ExplainabilityAnalysisConfig" in warning


# ----------------------------------------------------------------------------- errors: each names the flat parameter


def _without(config: dict, *keys: str) -> dict:
    return {k: v for k, v in config.items() if k not in keys}


def _bias_params(**changes) -> dict:
    params = {**JSONL["baseline_model_bias_params"], **changes}
    return {**JSONL, "baseline_model_bias_params": {k: v for k, v in params.items() if v is not None}}


def _expl_params(**changes) -> dict:
    params = {**JSONL["baseline_model_explainability_params"], **changes}
    return {**JSONL, "baseline_model_explainability_params": {k: v for k, v in params.items() if v is not None}}


@pytest.mark.parametrize(
    ("config", "parameter", "text"),
    [
        (
            _without(JSONL, "model_bias_features_attribute"),
            "model_bias_features_attribute",
            "is required when model_bias_content_type is application/jsonlines",
        ),
        (
            _without(JSONL, "model_explainability_content_template"),
            "model_explainability_content_template",
            "is required when the model's content type is application/jsonlines",
        ),
        (
            {**JSONL, "model_bias_content_template": '{"x":1}'},
            "model_bias_content_template",
            "must contain the placeholder $features",
        ),
        (
            {**JSONL, "model_explainability_content_type": "application/json"},
            "model_explainability_record_template",
            "is required when the model's content type is application/json",
        ),
        (
            {**JSONL, "model_explainability_record_template": "$features"},
            "model_explainability_record_template",
            "applies only to the model content type application/json",
        ),
        (
            _bias_params(dataset_type="text/csv", features="features"),
            "baseline_model_bias_params",
            "applies only to 'model_bias_params.dataset_type' application/jsonlines",
        ),
        (
            {**_without(JSONL, "model_bias_content_type"), "model_bias_content_type": "text/csv"},
            "model_bias_content_template",
            "applies only to a JSON or JSON Lines model content type",
        ),
        ({**JSONL, "model_bias_content_type": "application/xml"}, "model_bias_content_type", ""),
        (
            _bias_params(facet_name="age"),
            "baseline_model_bias_params",
            "'model_bias_params.facets' replaces 'facet_name'",
        ),
        (
            _bias_params(facets=[{"name": "zip"}]),
            "baseline_model_bias_params",
            "'model_bias_params.facets[0].name' 'zip' must be one of",
        ),
        (
            _bias_params(facets=[{"name": "age"}, {"name": "age"}]),
            "baseline_model_bias_params",
            "'age' is given more than once",
        ),
        (_bias_params(group_name="zip"), "baseline_model_bias_params", "'model_bias_params.group_name' 'zip'"),
        (
            _expl_params(shap_baseline=[[40, 1, 100]]),
            "baseline_model_explainability_params",
            "cannot be given with 'model_explainability_params.shap_baseline'",
        ),
        (_expl_params(seed=-1), "baseline_model_explainability_params", "must be an integer from 0"),
        (
            _without(GIVEN, "baseline_model_bias_params"),
            "baseline_model_bias_params",
            "needs headers: with a given baseline (model_bias_baseline_s3_uri)",
        ),
        (
            {**GIVEN, "baseline_model_explainability_params": {"headers": HEADERS}},
            "baseline_model_explainability_params",
            "needs model_name",
        ),
        (
            {**GIVEN, "baseline_model_bias_params": {"headers": HEADERS, "facet_name": "zip"}},
            "baseline_model_bias_params",
            "the monitor's analysis configuration is written from it (its baseline is given)",
        ),
        (
            {
                **GIVEN,
                "model_bias_analysis_config_s3_uri": f"{S}/mine/cfg.json",
                "model_bias_label_headers": ["churn"],
            },
            "model_bias_label_headers",
            "has no effect: the monitor reads model_bias_analysis_config_s3_uri as it is",
        ),
        (
            {**GIVEN, "model_bias_analysis_config_s3_uri": f"{S}/mine/"},
            "model_bias_analysis_config_s3_uri",
            "must name a file",
        ),
        (
            {
                **JSONL,
                "model_bias_alarms": [
                    _alarm := {
                        "metric": "DPPL",
                        "threshold": 0.1,
                        "direction": "above",
                        "label": "label",
                        "label_value": "1",
                        "facet": "income",
                        "facet_value": "1",
                    }
                ],
            },
            "model_bias_alarms[0].facet",
            "'income' is none of baseline_model_bias_params.facets (age, gender)",
        ),
    ],
)
def test_each_new_rule_names_its_parameter(config, parameter, text):
    problems = _problems(config)
    assert any(p.startswith(f"{parameter}:") and text in p for p in problems), problems


def test_explainability_alarms_name_a_label_header():
    alarm = {"feature": "age", "threshold": 0.5, "direction": "above"}
    alerting = {"alert_create_topic": True, "alert_email_addresses": ["ml@example.com"], "kms_key_id": "alias/mon"}
    problems = _problems({**JSONL, **alerting, "model_explainability_alarms": [alarm]})
    assert any(
        p.startswith("model_explainability_alarms[0].label: 'label0' is none of model_explainability_label_headers")
        for p in problems
    ), problems
    validate({**JSONL, **alerting, "model_explainability_alarms": [{**alarm, "label": "churn"}]})


def test_a_per_feature_placeholder_is_a_terraform_template_and_refused():
    problems = _problems({**JSONL, "model_explainability_content_template": '{"a":"${age}","f":$features}'})
    assert any(p.startswith("model_explainability_content_template:") and "${" in p for p in problems), problems


def test_every_problem_at_once():
    config = {
        **_without(JSONL, "model_bias_features_attribute", "model_explainability_content_template"),
        "baseline_model_bias_params": {**JSONL["baseline_model_bias_params"], "group_name": "zip"},
    }
    named = {p.split(":")[0] for p in _problems(config)}
    assert {
        "model_bias_features_attribute",
        "model_explainability_content_template",
        "baseline_model_bias_params",
    } <= named


def test_a_shap_baseline_object_is_read_by_the_monitoring_role_and_must_be_in_the_bucket(synth):
    """SHAPConfig(baseline="s3://...") as a baseline param: the baseline job and the monitor (through the written
    analysis configuration) read it as the monitoring role, so it must be inside the model bucket and is granted."""
    from monitors.settings.config import ConfigError, validate

    # num_clusters and shap_baseline exclude each other
    params = {k: v for k, v in JSONL["baseline_model_explainability_params"].items() if k != "num_clusters"}
    uri = f"{S}/shap/baseline.jsonl"
    tf = synth({**JSONL, "baseline_model_explainability_params": {**params, "shap_baseline": uri}})
    read = next(
        s
        for p in tf["data"]["aws_iam_policy_document"].values()
        for s in p["statement"]
        if s.get("sid") == "ReadMonitorInputs"
    )
    assert f"arn:aws:s3:::{BUCKET}/shap/baseline.jsonl" in read["resources"]

    with pytest.raises(ConfigError) as exc:
        validate({**JSONL, "baseline_model_explainability_params": {**params, "shap_baseline": "s3://other/b.csv"}})
    assert exc.value.problems == [
        f"baseline_model_explainability_params: shap_baseline must be inside the model bucket "
        f"s3://{BUCKET}/ (model_bucket_arn) (got 's3://other/b.csv')"
    ]
