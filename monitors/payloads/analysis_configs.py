"""The Clarify monitors' own analysis configuration files (ConfigUri), written from the settings.

A monitor's analysis configuration is not the baselining job's: the AWS pages "Parameters to Monitor Bias
Drift" and "Parameters to Monitor Attribution Drift" (clarify-config-json-monitor-*-parameters) list the
fields the monitoring job reads, and the SageMaker Python SDK writes exactly those from the baselining
job's settings (``BiasAnalysisConfig`` and ``ExplainabilityAnalysisConfig`` in
``sagemaker/model_monitor/clarify_model_monitoring.py``): bias: ``label_values_or_threshold``, ``facet``,
``headers`` (with the label), ``label``; explainability: ``methods.shap``, ``predictor`` (the model Clarify
deploys to its shadow endpoint) and ``headers`` = the feature names only. The probability threshold is not
in the file: it is the job input's ``probability_threshold_attribute`` (as in the SDK).

Pure functions over the baseline Lambda's effective params (``monitors.settings.baseline_events.check_baseline_event``), so
the baseline and its monitor are configured by one set of values. Each file is stored under a key derived
from its content (``monitor-analysis-config/<hash>.json`` in the monitor's baseline prefix), so it is never
overwritten: a changed setting is a new object and a new job definition.
"""

from __future__ import annotations

import json
from typing import Any

from monitors.naming import content_hash, s3_join
from monitors.settings.model import S3_URI_RE, MonitorSettings, Settings

CONFIG_FOLDER = "monitor-analysis-config"
# The Lambda's ModelConfig for the Clarify shadow endpoint (lambda_image/sagemaker_baseline.py).
SHADOW_ENDPOINT_INSTANCE_COUNT = 1
SHADOW_ENDPOINT_ACCEPT_TYPE = "text/csv"


def bias_analysis_config(params: Any) -> dict:
    """BiasAnalysisConfig(BiasConfig(label_values, facet_name, facet_values), headers, label)._to_dict()."""
    facet: dict = {"name_or_index": params.facet_name}
    if params.facet_values is not None:
        facet["value_or_threshold"] = list(params.facet_values)
    return {
        "label_values_or_threshold": list(params.label_values),
        "facet": [facet],
        "headers": list(params.headers),
        "label": params.label_header,
    }


def explainability_analysis_config(params: Any) -> dict:
    """ExplainabilityAnalysisConfig(SHAPConfig(...), ModelConfig(...), headers=features)._to_dict()."""
    shap: dict = {"use_logit": False, "save_local_shap_values": params.save_local_shap_values}
    if params.shap_baseline is not None:
        shap["baseline"] = params.shap_baseline
    shap["num_samples"] = params.num_samples
    shap["agg_method"] = params.agg_method
    return {
        "methods": {"shap": shap},
        "predictor": {
            "model_name": params.model_name,
            "instance_type": params.instance_type,
            "initial_instance_count": SHADOW_ENDPOINT_INSTANCE_COUNT,
            "accept_type": SHADOW_ENDPOINT_ACCEPT_TYPE,
            "content_type": params.dataset_type,
        },
        # Explainability analysis does not use the label (the SDK removes it from the headers too).
        "headers": [h for h in params.headers if h != params.label_header],
    }


def effective_baseline_params(settings: Settings, monitor: str) -> Any:
    """The params the generated baseline runs with (the Lambda's defaults filled in); validated at synth."""
    from monitors.settings.baseline_events import check_baseline_event  # monitors.settings.baseline_events builds on the settings module

    params, problems = check_baseline_event(settings, monitor)
    assert params is not None and not problems, "validated by monitors.settings.config (monitors.settings.baseline_events.baseline_event_problems)"
    return params


def writes_config(view: MonitorSettings) -> bool:
    """The monitor reads an analysis configuration written here: a Clarify monitor with a generated baseline (a given
    baseline brings its own analysis_config.json)."""
    return view.spec.analysis_config is not None and view.generated_baseline


def monitor_analysis_config(view: MonitorSettings, baseline_params: Any) -> dict:
    """The analysis configuration of a monitor that ``writes_config``, from its baseline's effective params."""
    build = globals()[view.spec.analysis_config]  # the function of this module its registry spec names
    return build(baseline_params)


def config_document(config: dict) -> str:
    """The file's bytes: deterministic JSON."""
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


def config_object(config: dict, baseline_prefix: str) -> tuple[str, str, str]:
    """(bucket, key, document) of a monitor's analysis configuration object (monitor_analysis_config) in its baseline
    prefix."""
    document = config_document(config)
    uri = s3_join(baseline_prefix, CONFIG_FOLDER, f"{content_hash(config, 16)}.json")
    match = S3_URI_RE.match(uri)
    assert match
    return match.group(1), (match.group(2) or "").lstrip("/"), document


def config_prefix_uri(baseline_prefix: str) -> str:
    """Where a monitor's analysis configuration objects live (the monitoring role reads them)."""
    return s3_join(baseline_prefix, CONFIG_FOLDER) + "/"
