"""The baseline Lambda with JSON Lines Clarify baselines, JSON endpoints, several facets and the SHAP options
(issue 20 items 1-2), against the moto server: the analysis configuration the SDK uploads for the job is compared
with the SageMaker SDK's own ``_AnalysisConfigGenerator`` for ``DataConfig(dataset_type="application/jsonlines",
features=..., label=...)`` and the same ``BiasConfig`` / ``SHAPConfig`` / ``ModelConfig``.
"""

from __future__ import annotations

import copy
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import seed_events  # noqa: E402
from lambda_fixtures import aws, fresh_aws, load_handler_module  # noqa: E402,F401  (fixtures are used by name)

SEEDS = seed_events(usable=True)
TRAIN = "s3://my-bucket/training-data/train.jsonl"
HEADERS = ["age", "gender", "income", "label"]
TEMPLATE = '{"features":$features}'
JSONL_PARAMS = {
    "dataset_type": "application/jsonlines",
    "features": "features",
    "label_header": "label",
    "headers": HEADERS,
    "content_type": "application/jsonlines",
    "accept_type": "application/json",
    "content_template": TEMPLATE,
    "inference_attribute": "predicted_label",
    "probability_attribute": "score",
    "label_headers": ["churn"],
    "model_name": "my-model",
}


@pytest.fixture(scope="module")
def app(aws):  # noqa: F811
    return load_handler_module()


def _event(monitor: str, **params) -> dict:
    event = copy.deepcopy(SEEDS[monitor])
    event["training_data_uri"] = TRAIN
    event[f"{monitor}_params"] = {
        **{k: v for k, v in event[f"{monitor}_params"].items() if k.startswith(("instance", "volume", "max_"))},
        **params,
    }
    return event


def _uploaded_config(app, fresh_aws, event) -> tuple[dict, dict]:  # noqa: F811
    result = app.handler(copy.deepcopy(event), None)
    assert result["status"] == "IN_PROGRESS", result
    job = fresh_aws.client("sagemaker").describe_processing_job(ProcessingJobName=result["processing_job_name"])
    inputs = {i["InputName"]: i["S3Input"] for i in job["ProcessingInputs"]}
    assert inputs["dataset"]["S3Uri"] == TRAIN
    return job, fresh_aws.read_s3_json(inputs["analysis_config"]["S3Uri"])


def _sdk():
    os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")
    from sagemaker import clarify

    return clarify


def _sdk_configs(clarify, output: str):
    data = clarify.DataConfig(
        s3_data_input_path=TRAIN,
        s3_output_path=output,
        label="label",
        headers=list(HEADERS),
        features="features",
        dataset_type="application/jsonlines",
    )
    model = clarify.ModelConfig(
        model_name="my-model",
        instance_count=1,
        instance_type="ml.m5.xlarge",
        content_type="application/jsonlines",
        accept_type="application/json",
        content_template=TEMPLATE,
    )
    return data, model


def test_jsonl_bias_baseline_is_the_sdks_analysis_config(app, fresh_aws):  # noqa: F811
    event = _event(
        "model_bias",
        **JSONL_PARAMS,
        facets=[{"name": "age", "values": [40]}, {"name": "gender"}],
        group_name="income",
        label_values=[1],
        probability_threshold=0.6,
    )
    job, config = _uploaded_config(app, fresh_aws, event)
    clarify = _sdk()
    data, model = _sdk_configs(clarify, "unused")
    expected = clarify._AnalysisConfigGenerator.bias(
        data,
        clarify.BiasConfig(
            label_values_or_threshold=[1],
            facet_name=["age", "gender"],
            facet_values_or_threshold=[[40], None],
            group_name="income",
        ),
        model,
        clarify.ModelPredictedLabelConfig(
            label="predicted_label", probability="score", probability_threshold=0.6, label_headers=["churn"]
        ),
    )
    assert config == expected
    assert (config["dataset_type"], config["features"], config["label"]) == (
        "application/jsonlines",
        "features",
        "label",
    )
    assert config["predictor"]["content_template"] == TEMPLATE
    assert config["group_variable"] == "income"


def test_jsonl_explainability_baseline_is_the_sdks_analysis_config(app, fresh_aws):  # noqa: F811
    event = _event("model_explainability", **JSONL_PARAMS, use_logit=True, seed=7, num_clusters=5, num_samples=50)
    _, config = _uploaded_config(app, fresh_aws, event)
    clarify = _sdk()
    data, model = _sdk_configs(clarify, "unused")
    expected = clarify._AnalysisConfigGenerator.explainability(
        data,
        model,
        clarify.ModelPredictedLabelConfig(label="predicted_label", probability="score", label_headers=["churn"]),
        clarify.SHAPConfig(
            num_samples=50, agg_method="mean_abs", use_logit=True, save_local_shap_values=False, seed=7, num_clusters=5
        ),
    )
    assert config == expected
    assert config["methods"]["shap"]["use_logit"] is True and config["predictor"]["label_headers"] == ["churn"]


def test_json_attributes_are_jmespath_never_column_indexes(app, fresh_aws):  # noqa: F811
    """With a JSON answer "0" is a JMESPath (an invalid one Clarify reports), not the CSV column index 0."""
    import sagemaker_baseline

    assert sagemaker_baseline.model_output_location("0", "application/json") == "0"
    assert sagemaker_baseline.model_output_location("0", "text/csv") == 0


def test_json_content_type_sends_the_record_template(app, fresh_aws):  # noqa: F811
    params = {
        **JSONL_PARAMS,
        "content_type": "application/json",
        "content_template": '{"instances":$records}',
        "record_template": "$features_kvp",
    }
    _, config = _uploaded_config(app, fresh_aws, _event("model_explainability", **params))
    assert (config["predictor"]["content_template"], config["predictor"]["record_template"]) == (
        '{"instances":$records}',
        "$features_kvp",
    )


def test_the_seeds_single_facet_still_writes_one_facet(app, fresh_aws):  # noqa: F811
    _, config = _uploaded_config(app, fresh_aws, copy.deepcopy(SEEDS["model_bias"]) | {"training_data_uri": TRAIN})
    assert config["facet"] == [{"name_or_index": "feature1", "value_or_threshold": [100, 200]}]
    assert "group_variable" not in config


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"dataset_type": "application/jsonlines"}, "'model_bias_params.features' is required"),
        ({"content_type": "application/jsonlines"}, "'model_bias_params.content_template' is required"),
        ({"facets": [{"name": "feature1"}], "facet_name": "feature1"}, "'model_bias_params.facets' replaces"),
        ({"facets": []}, "'model_bias_params.facets' must be a non-empty list"),
        ({"facets": [{"name": "feature1", "value": 1}]}, "unknown field(s) in 'model_bias_params.facets[0]': value"),
        ({"group_name": "zip"}, "'model_bias_params.group_name' 'zip' must be one of"),
        ({"dataset_type": "application/json"}, "'model_bias_params.dataset_type' must be one of"),
    ],
)
def test_bad_jsonl_bias_params_are_rejected_before_any_job(app, fresh_aws, params, problem):  # noqa: F811
    event = copy.deepcopy(SEEDS["model_bias"])
    event["model_bias_params"].update(params)
    if "facets" in params and "facet_name" not in params:
        del event["model_bias_params"]["facet_name"], event["model_bias_params"]["facet_values"]
    result = app.handler(event, None)
    assert result["status"] == "ERROR" and problem in result["error"], result
    assert fresh_aws.processing_job_names() == []


def test_num_clusters_and_a_shap_baseline_are_one_or_the_other(app, fresh_aws):  # noqa: F811
    event = copy.deepcopy(SEEDS["model_explainability"])
    event["model_explainability_params"]["num_clusters"] = 3
    result = app.handler(event, None)
    assert result["status"] == "ERROR" and "'model_explainability_params.num_clusters'" in result["error"], result
