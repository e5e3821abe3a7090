"""Model explainability: Clarify's feature attributions (SHAP) of the live model against a baseline. Its job
definition is ``awscc_sagemaker_model_explainability_job_definition``; a generated baseline's monitor reads an analysis
configuration written from the baseline's params (``analysis_config``), which names the model Clarify deploys to a
shadow endpoint.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from monitors.monitor_types.base import (
    CLARIFY_BASELINE_FILES,
    CLARIFY_BASELINE_PARAM_FIELDS,
    COMMON_BASELINE_PARAM_FIELDS,
    Alarm,
    ClarifyModelOptions,
    FeaturesOptions,
    MonitorType,
    PredictionOptions,
)
from monitors.payloads import awscc_shapes as shapes
from monitors.payloads.common import clarify_payload
from monitors.settings.fields import Feature, alarm_key, param

# Feature attribution metrics ("CloudWatch Metrics for Feature Drift Analysis": clarify-feature-attribute-drift-cw):
# feature_<feature> is the feature's global SHAP value, with dimensions ExplainabilityMethod "KernelShap",
# Label (the analysis configuration's label_headers, else a placeholder such as label0) and ValueType
# "GlobalShapValues".
DIMENSIONS = {"ExplainabilityMethod": "KernelShap", "ValueType": "GlobalShapValues"}
# The Lambda's ModelConfig for the Clarify shadow endpoint (lambda_image/sagemaker_baseline.py).
SHADOW_ENDPOINT_INSTANCE_COUNT = 1


class ExplainabilityAlarm(Alarm):
    """Alarm when a feature's global SHAP value (its attribution) crosses threshold."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    feature: Feature
    threshold: float
    direction: Literal["above", "below"]
    label: str = Field(
        "label0",
        min_length=1,
        description="The analysis configuration's label_headers entry; "
        "label0 when the model output has no label headers (as in generated baselines).",
    )

    @property
    def key(self) -> str:
        return alarm_key(self.feature, self.label, self.direction)

    @property
    def metric_name(self) -> str:
        return f"feature_{self.feature}"

    @property
    def meaning(self) -> str:
        return (
            f"global SHAP value of feature {self.feature} (label {self.label}) went {self.direction} {self.threshold}"
        )

    @property
    def extra_dimensions(self) -> dict[str, str]:
        return {**DIMENSIONS, "Label": self.label}


class ModelExplainabilityOptions(FeaturesOptions, PredictionOptions, ClarifyModelOptions):
    alarms: list[ExplainabilityAlarm] | None = param(
        None,
        "CloudWatch alarms on feature_<feature>, the feature's global SHAP value: [{feature, threshold, "
        "direction, label (default label0)}].",
    )


def analysis_config(params: Any) -> dict:
    """The SDK's ExplainabilityAnalysisConfig(SHAPConfig(...), ModelConfig(...), headers=features,
    label_headers=...)._to_dict()."""
    shap: dict = {"use_logit": params.use_logit, "save_local_shap_values": params.save_local_shap_values}
    if params.shap_baseline is not None:
        shap["baseline"] = params.shap_baseline
    shap["num_samples"] = params.num_samples
    shap["agg_method"] = params.agg_method
    for optional in ("seed", "num_clusters"):
        if getattr(params, optional) is not None:
            shap[optional] = getattr(params, optional)
    predictor: dict = {
        "model_name": params.model_name,
        "instance_type": params.instance_type,
        "initial_instance_count": SHADOW_ENDPOINT_INSTANCE_COUNT,
        # The SDK's ModelConfig defaults: content_type the dataset's, accept_type the content type
        "accept_type": params.model_accept_type,
        "content_type": params.model_content_type,
    }
    for optional in ("content_template", "record_template"):
        if getattr(params, optional) is not None:
            predictor[optional] = getattr(params, optional)
    if params.label_headers is not None:
        predictor["label_headers"] = list(params.label_headers)
    return {
        "methods": {"shap": shap},
        "predictor": predictor,
        # Explainability analysis does not use the label (the SDK removes it from the headers too).
        "headers": list(params.feature_headers),
    }


SPEC = MonitorType(
    name="model_explainability",
    resource_short_name="expl",
    baseline_job_short_name="me",
    provider="awscc",
    options=ModelExplainabilityOptions,
    build_payload=clarify_payload(shapes.ModelExplainabilityJobDefinitionConfig),
    baseline_files=CLARIFY_BASELINE_FILES,
    metrics="explainability-metrics",
    baseline_param_fields=COMMON_BASELINE_PARAM_FIELDS
    | CLARIFY_BASELINE_PARAM_FIELDS
    | {"num_samples", "agg_method", "save_local_shap_values", "shap_baseline", "use_logit", "seed", "num_clusters"},
    analysis_config=analysis_config,
)
