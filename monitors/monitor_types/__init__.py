"""The monitor types: one frozen spec each, the one place a monitor type's facts are written down.

Every per-type table elsewhere (names, images, job definition resources and builders, baseline files,
ground truth, metric namespaces, alarms, the per-monitor settings view) is read from here. Pure data: no
cdktf and no settings import, so settings validation, constructs and baseline generation can all use it.
``lambda_image/`` cannot import it (the image is self-contained); tests/test_registry.py checks the
Lambda's own tables against it. README "Extending: adding a monitor type" walks through adding one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

# Fields of every monitor's view (MonitorSettings); a spec adds the ones its type has (`extra_view_fields`).
COMMON_VIEW_FIELDS = (
    "enabled", "baseline_s3_uri", "output_s3_uri", "instance_count", "instance_type", "instance_volume_size_in_gb",
    "max_runtime_in_seconds", "batch_transform_input", "schedule_expression", "alarms", "baseline_params",
)
# The seed's <monitor>_params fields every baseline event takes (the baseline Lambda's contract).
COMMON_BASELINE_PARAM_FIELDS = frozenset({"instance_count", "instance_type", "volume_size_gb", "max_runtime_seconds"})
_CLARIFY_BASELINE_PARAM_FIELDS = frozenset({"label_header", "headers", "dataset_type", "model_name"})
_CLARIFY_BASELINE_FILES = MappingProxyType({"config": "analysis_config.json", "constraints": "analysis.json"})
ANALYZER_SCRIPT_FIELDS = ("record_preprocessor_source_uri", "post_analytics_processor_source_uri")
TIME_WINDOW_FIELDS = ("start_time_offset", "end_time_offset")


@dataclass(frozen=True)
class MonitorType:
    """What distinguishes one monitor type. Settings fields are named `<name>_<view field>`, except `enabled`
    (enable_<name>_monitor), `baseline_params` (baseline_<name>_params) and `alarms` (`alarms_setting`)."""

    name: str  # data_quality: the settings prefix, the construct id, the baseline event's monitor_type
    monitoring_type: str  # the schedule's MonitoringType
    # Two short forms, each kept as it is because both appear in names that already exist in accounts:
    resource_short_name: str  # job definition, schedule, EventBridge target and run-on-deploy execution names
    baseline_job_short_name: str  # the baseline Lambda's processing job names (lambda_image keeps its own copy)
    image: Literal["analyzer", "clarify"]  # the container image the job runs
    provider: Literal["aws", "awscc"]  # the Terraform provider that has its job definition resource
    job_definition_resource: str  # that resource type
    # Functions named, not imported (they build on the settings module, which builds on this one):
    builder: str  # monitors.payloads.job_definitions function: (settings, view, MonitorInputs, name) -> payload
    baseline_files: Mapping[str, str]  # role ("constraints", ...) -> file the monitor reads from its baseline prefix
    needs_ground_truth: bool  # the job merges ground truth labels (a <name>_ground_truth_s3_uri is required)
    metrics: str  # CloudWatch namespace suffix (see metric_namespace)
    alarms_setting: str  # the Settings field listing its CloudWatch alarms
    baseline_param_fields: frozenset[str]  # the fields its baseline_<name>_params may give
    extra_view_fields: tuple[str, ...] = ()  # view fields beyond COMMON_VIEW_FIELDS
    analysis_config: str | None = None  # monitors.payloads.analysis_configs function writing its Clarify analysis configuration
    publishes_metrics: bool = True  # its container publishes CloudWatch metrics when asked

    @property
    def view_fields(self) -> tuple[str, ...]:
        return COMMON_VIEW_FIELDS + self.extra_view_fields

    def setting(self, view_field: str) -> str:
        """The Settings field behind one of its view fields."""
        special = {"enabled": f"enable_{self.name}_monitor", "baseline_params": f"baseline_{self.name}_params",
                   "alarms": self.alarms_setting}
        return special.get(view_field, f"{self.name}_{view_field}")

    @property
    def settings_fields(self) -> Mapping[str, str]:
        """view field -> Settings field, for every view field."""
        return {field: self.setting(field) for field in self.view_fields}

    def metric_namespace(self, *, batch: bool) -> str:
        """Endpoint monitors publish under aws/sagemaker/Endpoints, batch transform monitors under
        aws/sagemaker/ModelMonitoring (SageMaker developer guide, model-monitor-interpreting-cloudwatch)."""
        return f"aws/sagemaker/{'ModelMonitoring' if batch else 'Endpoints'}/{self.metrics}"


MONITORS: Mapping[str, MonitorType] = MappingProxyType({spec.name: spec for spec in (
    MonitorType(
        name="data_quality", monitoring_type="DataQuality", resource_short_name="dq", baseline_job_short_name="dq",
        image="analyzer", provider="aws", job_definition_resource="aws_sagemaker_data_quality_job_definition",
        builder="data_quality_payload",
        baseline_files=MappingProxyType({"statistics": "statistics.json", "constraints": "constraints.json"}),
        needs_ground_truth=False, metrics="data-metrics", alarms_setting="data_quality_drift_alarms",
        baseline_param_fields=COMMON_BASELINE_PARAM_FIELDS,
        extra_view_fields=(*ANALYZER_SCRIPT_FIELDS, "baseline_dataset_format"),
    ),
    MonitorType(
        name="model_quality", monitoring_type="ModelQuality", resource_short_name="mq", baseline_job_short_name="mq",
        image="analyzer", provider="awscc", job_definition_resource="awscc_sagemaker_model_quality_job_definition",
        builder="model_quality_config", baseline_files=MappingProxyType({"constraints": "constraints.json"}),
        needs_ground_truth=True, metrics="model-metrics", alarms_setting="model_quality_alarms",
        baseline_param_fields=COMMON_BASELINE_PARAM_FIELDS | {
            "problem_type", "inference_attribute", "probability_attribute", "ground_truth_attribute",
            "probability_threshold_attribute"},
        extra_view_fields=("ground_truth_s3_uri", "problem_type", "inference_attribute", "probability_attribute",
                           "probability_threshold_attribute", *TIME_WINDOW_FIELDS, *ANALYZER_SCRIPT_FIELDS,
                           "baseline_inference_column", "baseline_probability_column", "baseline_ground_truth_column",
                           "baseline_dataset_format"),
    ),
    MonitorType(
        name="model_bias", monitoring_type="ModelBias", resource_short_name="bias", baseline_job_short_name="mb",
        image="clarify", provider="awscc", job_definition_resource="awscc_sagemaker_model_bias_job_definition",
        builder="model_bias_config", baseline_files=_CLARIFY_BASELINE_FILES,
        needs_ground_truth=True, metrics="bias-metrics", alarms_setting="model_bias_alarms",
        baseline_param_fields=COMMON_BASELINE_PARAM_FIELDS | _CLARIFY_BASELINE_PARAM_FIELDS | {
            "label_values", "facet_name", "facet_values", "probability_threshold"},
        extra_view_fields=("ground_truth_s3_uri", "features_attribute", "inference_attribute", "probability_attribute",
                           "probability_threshold_attribute", *TIME_WINDOW_FIELDS),
        analysis_config="bias_analysis_config",
    ),
    MonitorType(
        name="model_explainability", monitoring_type="ModelExplainability", resource_short_name="expl",
        baseline_job_short_name="me", image="clarify", provider="awscc",
        job_definition_resource="awscc_sagemaker_model_explainability_job_definition",
        builder="model_explainability_config", baseline_files=_CLARIFY_BASELINE_FILES,
        needs_ground_truth=False, metrics="explainability-metrics", alarms_setting="model_explainability_alarms",
        baseline_param_fields=COMMON_BASELINE_PARAM_FIELDS | _CLARIFY_BASELINE_PARAM_FIELDS | {
            "num_samples", "agg_method", "save_local_shap_values", "shap_baseline"},
        extra_view_fields=("features_attribute", "inference_attribute", "probability_attribute"),
        analysis_config="explainability_analysis_config",
    ),
)})
# Order matters: it is the order of constructs, outputs, baseline events and alarms in the output.
MONITOR_TYPES: tuple[str, ...] = tuple(MONITORS)


def monitor_types_with(view_field: str) -> tuple[str, ...]:
    """The monitor types whose view has this field (e.g. the time window or the analyzer scripts)."""
    return tuple(name for name, spec in MONITORS.items() if view_field in spec.view_fields)
