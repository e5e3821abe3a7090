"""Data quality: statistics and constraints of the captured data against a baseline (the model monitor analyzer).

Its job definition is the aws provider's ``aws_sagemaker_data_quality_job_definition``; it alarms on a feature's
baseline drift.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Annotated, Any, ClassVar

from pydantic import Field

from monitors.monitor_types.base import (
    BASELINE_SCRIPT_PARAM_FIELDS,
    COMMON_BASELINE_PARAM_FIELDS,
    Alarm,
    AnalyzerOptions,
    MonitorType,
)
from monitors.payloads import awscc_shapes as shapes
from monitors.payloads.common import (
    MonitorInputs,
    MonitorJob,
    baseline_uri,
    common_blocks,
    job_input,
    metrics_environment,
)
from monitors.settings.fields import Feature, MonitorRuntime, alarm_key, param


class DriftAlarm(Alarm):
    """Alarm when a feature's baseline drift (distance from the baseline distribution) exceeds threshold."""

    feature: Feature
    threshold: Annotated[float, Field(ge=0, le=1)] = Field(description="Drift distance 0-1 above which to alarm.")

    direction: ClassVar[str] = "above"  # not a parameter: drift alarms only above

    @property
    def key(self) -> str:
        return alarm_key("drift", self.feature)

    @property
    def metric_name(self) -> str:
        return f"feature_baseline_drift_{self.feature}"

    @property
    def meaning(self) -> str:
        return f"feature {self.feature} drifted from its baseline by more than {self.threshold}"


class DataQualityOptions(AnalyzerOptions):
    max_runtime_in_seconds: MonitorRuntime = param(3600, "Maximum runtime in seconds (1-86400).")
    alarms: list[DriftAlarm] | None = param(
        None,
        "CloudWatch alarms on feature_baseline_drift_<feature>: [{feature, threshold}].",
        flat="data_quality_drift_alarms",
    )


def payload(job: MonitorJob, inputs: MonitorInputs, name: str) -> dict[str, Any]:
    """Attributes of aws_sagemaker_data_quality_job_definition (plain dicts, provider schema names)."""
    options, common = job.monitor.options, common_blocks(job, inputs)
    output = shapes.to_terraform(common["output"])
    output["monitoring_outputs"] = output["monitoring_outputs"][0]  # the aws provider models it as a single block
    return {
        "name": name,
        "role_arn": inputs.role_arn,
        "data_quality_app_specification": {
            "image_uri": inputs.image_uri,
            "environment": metrics_environment(job.monitor),
            "record_preprocessor_source_uri": options.record_preprocessor_source_uri,
            "post_analytics_processor_source_uri": options.post_analytics_processor_source_uri,
        },
        "data_quality_baseline_config": {
            "constraints_resource": {"s3_uri": baseline_uri(job, "constraints")},
            "statistics_resource": {"s3_uri": baseline_uri(job, "statistics")},
        },
        "data_quality_job_input": shapes.to_terraform(job_input(job)),
        "data_quality_job_output_config": output,
        "job_resources": shapes.to_terraform(common["job_resources"]),
        "network_config": shapes.to_terraform(common["network_config"]),
        "stopping_condition": shapes.to_terraform(common["stopping_condition"]),
    }


SPEC = MonitorType(
    name="data_quality",
    resource_short_name="dq",
    baseline_job_short_name="dq",
    provider="aws",
    options=DataQualityOptions,
    build_payload=payload,
    baseline_files=MappingProxyType({"statistics": "statistics.json", "constraints": "constraints.json"}),
    metrics="data-metrics",
    baseline_param_fields=COMMON_BASELINE_PARAM_FIELDS | set(BASELINE_SCRIPT_PARAM_FIELDS),
)
