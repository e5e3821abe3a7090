"""Model bias: Clarify's post-training bias metrics of the live predictions, merged with ground truth labels, against
a baseline. Its job definition is ``awscc_sagemaker_model_bias_job_definition``; a generated baseline's monitor reads
an analysis configuration written from the baseline's params (``analysis_config``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict

from monitors.monitor_types.base import (
    CLARIFY_BASELINE_FILES,
    CLARIFY_BASELINE_PARAM_FIELDS,
    COMMON_BASELINE_PARAM_FIELDS,
    Alarm,
    ClarifyModelOptions,
    FeaturesOptions,
    GroundTruthOptions,
    MonitorType,
    PredictionOptions,
)
from monitors.payloads import awscc_shapes as shapes
from monitors.payloads.common import clarify_payload
from monitors.settings.fields import alarm_key, param

# Clarify bias metric short names by stage ("Measure Pre-training Bias", "Measure Post-training Data and
# Model Bias"); published as bias_metric_<short name> with BiasStage "Pre-training" or "Post-Training"
# ("CloudWatch Metrics for Bias Drift Analysis": clarify-model-monitor-bias-drift-cw).
METRICS = {
    "Pre-training": ("CI", "DPL", "KL", "JS", "LP", "TVD", "KS", "CDDL"),
    "Post-Training": ("DPPL", "DI", "DCA", "DCR", "RD", "DAR", "DRR", "AD", "CDDPL", "TE", "FT", "GE", "SD"),
}


def bias_stage(metric: str) -> str:
    return next(stage for stage, names in METRICS.items() if metric in names)


class BiasAlarm(Alarm):
    """Alarm when a Clarify bias metric crosses threshold; the dimensions must match the analysis
    configuration's label, label value, facet and facet value (they name the published metric)."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    metric: str
    threshold: float
    direction: Literal["above", "below"]
    label: str
    label_value: str
    facet: str
    facet_value: str

    @property
    def key(self) -> str:
        return alarm_key(self.metric, self.label, self.label_value, self.facet, self.facet_value, self.direction)

    @property
    def metric_name(self) -> str:
        return f"bias_metric_{self.metric}"

    @property
    def meaning(self) -> str:
        return f"bias metric {self.metric} for {self.facet}={self.facet_value} went {self.direction} {self.threshold}"

    @property
    def extra_dimensions(self) -> dict[str, str]:
        return {
            "BiasStage": bias_stage(self.metric),
            "Label": self.label,
            "LabelValue": self.label_value,
            "Facet": self.facet,
            "FacetValue": self.facet_value,
        }


class ModelBiasOptions(FeaturesOptions, PredictionOptions, GroundTruthOptions, ClarifyModelOptions):
    alarms: list[BiasAlarm] | None = param(
        None,
        "CloudWatch alarms on bias_metric_<metric> (e.g. DPPL, CI): [{metric, threshold, direction, label, "
        "label_value, facet, facet_value}] as in the analysis configuration.",
    )


def analysis_config(params: Any) -> dict:
    """The SDK's BiasAnalysisConfig(BiasConfig(label_values, facet_name(s), facet_values, group_name), headers,
    label)._to_dict(). The bias monitor reads no predictor: the model's formats reach only its baseline job."""
    facets = []
    for each in params.facet_list:
        facet: dict = {"name_or_index": each.name}
        if each.values is not None:
            facet["value_or_threshold"] = list(each.values)
        facets.append(facet)
    config: dict = {"label_values_or_threshold": list(params.label_values), "facet": facets}
    if params.group_name is not None:
        config["group_variable"] = params.group_name
    config["headers"] = list(params.headers)
    config["label"] = params.label_header
    return config


SPEC = MonitorType(
    name="model_bias",
    resource_short_name="bias",
    baseline_job_short_name="mb",
    provider="awscc",
    options=ModelBiasOptions,
    build_payload=clarify_payload(shapes.ModelBiasJobDefinitionConfig),
    baseline_files=CLARIFY_BASELINE_FILES,
    metrics="bias-metrics",
    baseline_param_fields=COMMON_BASELINE_PARAM_FIELDS
    | CLARIFY_BASELINE_PARAM_FIELDS
    | {"label_values", "facet_name", "facet_values", "facets", "group_name", "probability_threshold"},
    analysis_config=analysis_config,
)
