"""Data quality: statistics and constraints of the captured data against a baseline (the model monitor analyzer).

Its job definition is the aws provider's ``aws_sagemaker_data_quality_job_definition``; it alarms on a feature's
baseline drift. With ``data_quality_exclude_features`` it is ``awscc_sagemaker_data_quality_job_definition``
instead: the aws provider's resource (5.100.0) has no ExcludeFeaturesAttribute, the CloudFormation resource behind
awscc's has (the SDK's ``exclude_features_attribute``). Only then, so existing definitions stay as they are.
"""

from __future__ import annotations

import unicodedata
from types import MappingProxyType
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field

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
    analyzer_app_specification,
    awscc_config,
    baseline_uri,
    common_blocks,
    job_input,
)
from monitors.settings.fields import Feature, MonitorRuntime, alarm_key, param, shorten

# EndpointInput/BatchTransformInput.ExcludeFeaturesAttribute (API and CloudFormation): a string of at most 100
# characters, "comma separated column indices of features or actual feature names" (the SDK's EndpointInput).
EXCLUDE_FEATURES_MAX_LENGTH = 100


def _exclude_features_check(value: list[str] | None) -> list[str] | None:
    if value is None:
        return None
    if not value:
        raise ValueError("must name at least one column (leave it unset to analyze every column)")
    for name in value:
        if not name or name != name.strip() or "," in name:
            raise ValueError(
                f"each column name must be non-empty, without a comma or surrounding spaces (they are joined with "
                f"commas) (got {shorten(name)})"
            )
        if any(unicodedata.category(c)[0] == "C" for c in name):
            raise ValueError(f"column names must not hold control characters (got {shorten(name)})")
    if len(set(value)) != len(value):
        raise ValueError(f"each column once (got {shorten(value)})")
    joined = ",".join(value)
    if len(joined) > EXCLUDE_FEATURES_MAX_LENGTH:
        raise ValueError(
            f"joined with commas the names must be at most {EXCLUDE_FEATURES_MAX_LENGTH} characters (the API's "
            f"ExcludeFeaturesAttribute) (got {len(joined)})"
        )
    return value


ExcludeFeatures = Annotated[list[str] | None, AfterValidator(_exclude_features_check)]


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
    exclude_features: ExcludeFeatures = param(
        None,
        "Columns (names or indices) of the captured data the analysis leaves out, e.g. [id, timestamp] (the SDK's "
        "exclude_features_attribute; the job definition becomes awscc_sagemaker_data_quality_job_definition).",
    )
    alarms: list[DriftAlarm] | None = param(
        None,
        "CloudWatch alarms on feature_baseline_drift_<feature>: [{feature, threshold}].",
        flat="data_quality_drift_alarms",
    )

    def captured_data_attributes(self) -> dict[str, Any]:
        excluded = ",".join(self.exclude_features) if self.exclude_features else None
        return {**super().captured_data_attributes(), "exclude_features_attribute": excluded}

    def needs_awscc(self) -> bool:
        return bool(self.exclude_features)


def payload(
    job: MonitorJob, inputs: MonitorInputs, name: str
) -> dict[str, Any] | shapes.DataQualityJobDefinitionConfig:
    """Attributes of aws_sagemaker_data_quality_job_definition (plain dicts, provider schema names), or, when an
    option only awscc's resource carries is set, awscc_sagemaker_data_quality_job_definition's typed config."""
    app = analyzer_app_specification(job, inputs, shapes.DataQualityAppSpecification)
    baseline = shapes.BaselineConfig(
        shapes.ConstraintsResource(baseline_uri(job, "constraints")),
        shapes.StatisticsResource(baseline_uri(job, "statistics")),
    )
    if job.monitor.provider == "awscc":
        return awscc_config(
            job, inputs, name, shapes.DataQualityJobDefinitionConfig, app_specification=app, baseline_config=baseline
        )
    common = common_blocks(job, inputs)
    output = shapes.to_terraform(common["output"])
    output["monitoring_outputs"] = output["monitoring_outputs"][0]  # the aws provider models it as a single block
    return {
        "name": name,
        "role_arn": inputs.role_arn,
        "data_quality_app_specification": shapes.to_terraform(app),
        "data_quality_baseline_config": shapes.to_terraform(baseline),
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
