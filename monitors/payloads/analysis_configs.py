"""The Clarify monitors' own analysis configuration files (ConfigUri), written from the settings.

A monitor's analysis configuration is not the baselining job's: the AWS pages "Parameters to Monitor Bias
Drift" and "Parameters to Monitor Attribution Drift" (clarify-config-json-monitor-*-parameters) list the
fields the monitoring job reads, and the SageMaker Python SDK writes exactly those from the baselining
job's settings (``BiasAnalysisConfig`` and ``ExplainabilityAnalysisConfig`` in
``sagemaker/model_monitor/clarify_model_monitoring.py``): bias: ``label_values_or_threshold``, ``facet``,
``headers`` (with the label), ``label``; explainability: ``methods.shap``, ``predictor`` (the model Clarify
deploys to its shadow endpoint) and ``headers`` = the feature names only. The probability threshold is not
in the file: it is the job input's ``probability_threshold_attribute`` (as in the SDK).

Each Clarify type's module writes its file (``analysis_config``) from the baseline Lambda's effective params
(``monitors.settings.baseline_events.check_baseline_event``), so the baseline and its monitor are configured by one
set of values. A given Clarify baseline's monitor gets its file the same way, from its baseline_<monitor>_params
(validated alone), unless ``<monitor>_analysis_config_s3_uri`` names the user's own file. Each file is stored under
a key derived from its content (``monitor-analysis-config/<hash>.json`` in the monitor's baseline prefix), so it is
never overwritten: a changed setting is a new object and a new job definition.
"""

from __future__ import annotations

import json
from typing import Any

from monitors.monitor_types.base import MonitorView
from monitors.naming import content_hash, s3_join
from monitors.settings.fields import S3_URI_RE
from monitors.tokens import S3_URI_WITH_REFERENCE_RE

CONFIG_FOLDER = "monitor-analysis-config"


def writes_config(view: MonitorView) -> bool:
    """The monitor reads an analysis configuration written here: a Clarify monitor, with a generated or a given
    baseline (a given baseline's analysis_config.json is the baselining job's, whose headers hold the label), unless
    the user names their own file (<monitor>_analysis_config_s3_uri)."""
    return view.spec.analysis_config is not None and view.options.analysis_config_s3_uri is None


def monitor_analysis_config(view: MonitorView, baseline_params: Any) -> dict:
    """The analysis configuration of a monitor that ``writes_config``, from its baseline's effective params."""
    assert view.spec.analysis_config is not None
    return view.spec.analysis_config(baseline_params)


def config_document(config: dict) -> str:
    """The file's bytes: deterministic JSON."""
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


def config_object(config: dict, baseline_prefix: str) -> tuple[str, str, str]:
    """(bucket, key, document) of a monitor's analysis configuration object (monitor_analysis_config) in its baseline
    prefix."""
    document = config_document(config)
    uri = s3_join(baseline_prefix, CONFIG_FOLDER, f"{content_hash(config, 16)}.json")
    match = S3_URI_RE.match(uri) or S3_URI_WITH_REFERENCE_RE.fullmatch(uri)  # a given prefix's bucket: a reference
    assert match
    return match.group(1), (match.group(2) or "").lstrip("/"), document


def config_prefix_uri(baseline_prefix: str) -> str:
    """Where a monitor's analysis configuration objects live (the monitoring role reads them)."""
    return s3_join(baseline_prefix, CONFIG_FOLDER) + "/"
