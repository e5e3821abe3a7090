"""Model quality: the model's predictions, merged with ground truth labels, against baseline constraints (the model
monitor analyzer). Its job definition is ``awscc_sagemaker_model_quality_job_definition``; it alarms on the metrics
of its problem type.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Literal

from pydantic import Field

from monitors.monitor_types.base import (
    COMMON_BASELINE_PARAM_FIELDS,
    Alarm,
    AnalyzerOptions,
    GroundTruthOptions,
    MonitorType,
    PredictionOptions,
)
from monitors.payloads import awscc_shapes as shapes
from monitors.payloads.common import (
    MonitorInputs,
    MonitorJob,
    analyzer_app_specification,
    awscc_config,
)
from monitors.settings.fields import Attribute, alarm_key, param

# Metrics the model quality container publishes, per problem type (SageMaker developer guide,
# "Model quality metrics and Amazon CloudWatch monitoring": model-monitor-model-quality-metrics).
METRICS = {
    "Regression": ("mae", "mse", "rmse", "r2"),
    "BinaryClassification": (
        "recall",
        "precision",
        "accuracy",
        "recall_best_constant_classifier",
        "precision_best_constant_classifier",
        "accuracy_best_constant_classifier",
        "true_positive_rate",
        "true_negative_rate",
        "false_positive_rate",
        "false_negative_rate",
        "auc",
        "f0_5",
        "f1",
        "f2",
        "f0_5_best_constant_classifier",
        "f1_best_constant_classifier",
        "f2_best_constant_classifier",
    ),
    "MulticlassClassification": (
        "accuracy",
        "accuracy_best_constant_classifier",
        "weighted_recall",
        "weighted_recall_best_constant_classifier",
        "weighted_precision",
        "weighted_precision_best_constant_classifier",
        "weighted_f0_5",
        "weighted_f0_5_best_constant_classifier",
        "weighted_f1",
        "weighted_f1_best_constant_classifier",
        "weighted_f2",
        "weighted_f2_best_constant_classifier",
    ),
}
# The baseline dataset's columns: option -> the seed's model_quality_params field it fills.
BASELINE_COLUMNS = {
    "baseline_inference_column": "inference_attribute",
    "baseline_probability_column": "probability_attribute",
    "baseline_ground_truth_column": "ground_truth_attribute",
}


class QualityAlarm(Alarm):
    """Alarm when a model quality metric crosses threshold in the given direction."""

    metric: str
    threshold: float
    direction: Literal["above", "below"] = Field(description="Alarm when the metric goes above or below threshold.")

    @property
    def key(self) -> str:
        return alarm_key(self.metric, self.direction)

    @property
    def metric_name(self) -> str:
        return self.metric

    @property
    def meaning(self) -> str:
        return f"model quality metric {self.metric} went {self.direction} {self.threshold}"


class ModelQualityOptions(AnalyzerOptions, PredictionOptions, GroundTruthOptions):
    problem_type: Literal["Regression", "BinaryClassification", "MulticlassClassification"] = param(
        "Regression", "Regression | BinaryClassification | MulticlassClassification."
    )
    baseline_inference_column: Attribute | None = param(
        None,
        "Column of the baseline dataset (baseline_training_data_s3_uri) holding the model's prediction; the "
        "dataset must hold predictions and labels. Same as baseline_model_quality_params.inference_attribute.",
    )
    baseline_probability_column: Attribute | None = param(
        None,
        "Column of the baseline dataset holding the predicted probability. Same as "
        "baseline_model_quality_params.probability_attribute.",
    )
    baseline_ground_truth_column: Attribute | None = param(
        None,
        "Column of the baseline dataset holding the true label. Same as "
        "baseline_model_quality_params.ground_truth_attribute.",
    )
    alarms: list[QualityAlarm] | None = param(
        None, "CloudWatch alarms on model quality metrics: [{metric, threshold, direction above|below}]."
    )


def payload(job: MonitorJob, inputs: MonitorInputs, name: str) -> shapes.ModelQualityJobDefinitionConfig:
    app = analyzer_app_specification(
        job, inputs, shapes.ModelQualityAppSpecification, problem_type=job.monitor.options.problem_type
    )
    return awscc_config(job, inputs, name, shapes.ModelQualityJobDefinitionConfig, app_specification=app)


SPEC = MonitorType(
    name="model_quality",
    resource_short_name="mq",
    baseline_job_short_name="mq",
    provider="awscc",
    options=ModelQualityOptions,
    build_payload=payload,
    baseline_files=MappingProxyType({"constraints": "constraints.json"}),
    metrics="model-metrics",
    baseline_param_fields=COMMON_BASELINE_PARAM_FIELDS
    | {
        "problem_type",
        "inference_attribute",
        "probability_attribute",
        "ground_truth_attribute",
        "probability_threshold_attribute",
        "post_analytics_processor_script",  # ModelQualityMonitor.suggest_baseline takes no record preprocessor
    },
)
