"""What every monitor type has: its spec (``MonitorType``), the options all types share (``MonitorOptions``), the
option groups several types share (mixins), and one monitor's view (``MonitorView``).

Each monitor type's module (``data_quality.py`` ...) declares its options model from these, once: the flat parameter
names (``data_quality_instance_type``) are derived from it (``MonitorType.setting``; ``monitors.settings.model``
maps them). Pure: no cdktf.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from monitors.settings.fields import (
    Attribute,
    BatchTransformInput,
    CronExpression,
    Environment,
    InstanceCount,
    InstanceType,
    MonitorRuntime,
    ProbabilityThreshold,
    S3Uri,
    SageMakerName,
    TemplateText,
    TimeOffset,
    VolumeSizeGb,
    param,
)

if TYPE_CHECKING:
    from monitors.payloads.common import MonitorInputs, MonitorJob
# The seed's <monitor>_params fields every baseline event takes (the baseline Lambda's contract).
COMMON_BASELINE_PARAM_FIELDS = frozenset({"instance_count", "instance_type", "volume_size_gb", "max_runtime_seconds"})
# The analyzer's scripts for the baseline job (suggest_baseline's own arguments; s3:// objects in the model bucket):
# DefaultModelMonitor takes both, ModelQualityMonitor only the post-analytics one.
BASELINE_SCRIPT_PARAM_FIELDS = ("record_preprocessor_script", "post_analytics_processor_script")
# Baseline params naming S3 objects the monitoring role reads (the scripts; explainability's shap_baseline as a URI).
BASELINE_OBJECT_PARAM_FIELDS = (*BASELINE_SCRIPT_PARAM_FIELDS, "shap_baseline")
CLARIFY_BASELINE_PARAM_FIELDS = frozenset({"label_header", "headers", "dataset_type", "features", "model_name"})
CLARIFY_BASELINE_FILES: Mapping[str, str] = MappingProxyType(
    {"config": "analysis_config.json", "constraints": "analysis.json"}
)


class MonitorOptions(BaseModel):
    """The options of every monitor type (flat name <monitor>_<option> unless the field says otherwise)."""

    model_config = ConfigDict(
        extra="forbid", coerce_numbers_to_str=True, validate_default=True, frozen=True, allow_inf_nan=False
    )

    enabled: bool = param(False, "Create the monitor's job definition and schedule.", flat="enable_{monitor}_monitor")
    baseline_s3_uri: S3Uri | None = param(
        None,
        "Prefix holding the baseline: statistics.json and constraints.json (data quality), constraints.json "
        "(model quality), analysis_config.json and analysis.json (Clarify: bias, explainability). Unset with baseline "
        "generation on: the generated baseline.",
    )
    baseline_pinned: bool = param(
        False,
        "Keep the generated baseline once it exists (hand edits survive): later runs start no job and promote "
        "nothing while <baseline_output_data_s3_uri>/<monitor>/ holds its files; delete them to regenerate.",
    )
    output_s3_uri: S3Uri | None = param(None, "Where monitoring results are written.")
    instance_count: InstanceCount = param(1, "Instances per monitoring job (1-100).")
    instance_type: InstanceType = param("ml.m5.large", "Instance type of the monitoring job.")
    instance_volume_size_in_gb: VolumeSizeGb = param(20, "ML storage volume size in GB (1-16384).")
    max_runtime_in_seconds: MonitorRuntime = param(1800, "Maximum runtime in seconds (1-86400).")
    batch_transform_input: BatchTransformInput | None = param(
        None,
        "Watch a batch transform job instead of the endpoint: {data_captured_destination_s3_uri, "
        "dataset_format csv|json|parquet, csv_header, json_line}.",
    )
    environment: Environment = param(
        None,
        "Extra environment variables of the monitoring job's container, merged with the ones the job definition "
        "sets (keys the container reserves, e.g. dataset_format, are refused; the SDK's env).",
    )
    s3_input_mode: Literal["File", "Pipe"] = param(
        "File", "How the job reads the captured data: File | Pipe (the SDK's s3_input_mode)."
    )
    s3_data_distribution_type: Literal["FullyReplicated", "ShardedByS3Key"] = param(
        "FullyReplicated",
        "How the captured data is spread over the job's instances: FullyReplicated | ShardedByS3Key (the SDK's "
        "s3_data_distribution_type).",
    )
    schedule_expression: CronExpression = param(
        "cron(0 * ? * * *)",
        "Monitoring schedule: cron(0 * ? * * *) hourly, cron(0 H ? * * *) daily at hour H, "
        "cron(0 H/N ? * * *) every N hours from H.",
    )
    baseline_params: dict[str, Any] | None = param(
        None,
        "Extra fields of the monitor's baseline event (<monitor>_params, the seed's field names; see the "
        "baseline Lambda's README).",
        flat="baseline_{monitor}_params",
    )
    schedule_name: SageMakerName | None = param(
        None,
        "Name of the monitoring schedule. Unset: <endpoint_name>-<dq|mq|bias|expl>-schedule; set it to keep a "
        "schedule that already runs (`python main.py import` does).",
    )

    def captured_data_attributes(self) -> dict[str, Any]:
        """Where the job finds its inputs in the captured data (the job input's *_attribute and window fields)."""
        return {}

    def needs_awscc(self) -> bool:
        """Its job definition must be the awscc resource even if its type's is the aws provider's (an option only
        awscc's carries)."""
        return False


class AnalyzerOptions(MonitorOptions):
    """The model monitor analyzer's options (data quality, model quality): its scripts and baseline dataset format."""

    record_preprocessor_source_uri: S3Uri | None = param(
        None,
        "Python script (in the model bucket) the analyzer runs on each captured record, e.g. for a custom "
        "capture format.",
    )
    post_analytics_processor_source_uri: S3Uri | None = param(
        None, "Python script (in the model bucket) the analyzer runs after the analysis, e.g. custom post-processing."
    )
    baseline_dataset_format: Literal["csv", "json_lines", "json"] = param(
        "csv",
        "Format of the baseline dataset (baseline generation): csv (with a header row) | json_lines | json "
        "(the SDK's DatasetFormat).",
    )


class PredictionOptions(MonitorOptions):
    """Where the model's prediction is in the captured output."""

    inference_attribute: Attribute | None = param(
        None, "Attribute (or index) of the captured output holding the prediction."
    )
    probability_attribute: Attribute | None = param(
        None, "Attribute of the captured output holding the class probability."
    )

    def captured_data_attributes(self) -> dict[str, Any]:
        return {
            **super().captured_data_attributes(),
            "inference_attribute": self.inference_attribute,
            "probability_attribute": self.probability_attribute,
        }


class FeaturesOptions(MonitorOptions):
    """Where the features are in the captured input (Clarify)."""

    features_attribute: Attribute | None = param(None, "Attribute of the captured input holding the features.")

    def captured_data_attributes(self) -> dict[str, Any]:
        return {**super().captured_data_attributes(), "features_attribute": self.features_attribute}


ModelContentType = Literal["text/csv", "application/json", "application/jsonlines"]


class ClarifyModelOptions(MonitorOptions):
    """The Clarify monitors' model: what it takes and returns (the SDK's ModelConfig and ModelPredictedLabelConfig),
    which reaches the baseline job and the monitor's analysis configuration, and the monitor's own analysis
    configuration file when the user brings one."""

    content_type: ModelContentType | None = param(
        None,
        "What the model takes: text/csv | application/json | application/jsonlines (the SDK's ModelConfig "
        "content_type); unset: the baseline dataset's type. JSON needs content_template (and record_template) and "
        "features_attribute.",
    )
    accept_type: ModelContentType | None = param(
        None,
        "What the model returns: text/csv | application/json | application/jsonlines (ModelConfig accept_type); "
        "unset: the content type. For JSON the inference/probability attributes are JMESPath expressions.",
    )
    content_template: TemplateText | None = param(
        None,
        "How a JSON request is built from the features (ModelConfig content_template): with $features for JSON "
        "Lines, $record or $records for JSON.",
    )
    record_template: TemplateText | None = param(
        None, "application/json only: each record of the request (ModelConfig record_template), e.g. $features_kvp."
    )
    label_headers: list[Attribute] | None = param(
        None,
        "One name per score of the model output (ModelPredictedLabelConfig label_headers); explainability: the "
        "Label dimension of its metrics instead of label0, label1, ...",
    )
    analysis_config_s3_uri: S3Uri | None = param(
        None,
        "Your own analysis_config.json for the monitor, used as it is (a warning says what the SDK would write); "
        "unset: one is generated from baseline_<monitor>_params, for a given baseline too.",
    )


class GroundTruthOptions(MonitorOptions):
    """Monitors that merge ground truth labels with the captured inferences, over an analysis window."""

    ground_truth_s3_uri: S3Uri | None = param(None, "Ground truth labels merged with captured inferences (required).")
    probability_threshold_attribute: ProbabilityThreshold | None = param(
        None, "Threshold (0-1) turning the probability into a class."
    )
    start_time_offset: TimeOffset = param(
        None,
        "Start of each run's analysis window relative to the scheduled time, e.g. -PT2H (late ground truth; "
        "negative ISO 8601 duration).",
    )
    end_time_offset: TimeOffset = param(
        None, "End of each run's analysis window, e.g. -PT1H; not before the start offset."
    )

    def captured_data_attributes(self) -> dict[str, Any]:
        return {
            **super().captured_data_attributes(),
            "start_time_offset": self.start_time_offset,
            "end_time_offset": self.end_time_offset,
        }


@dataclass(frozen=True)
class MonitorType:
    """What distinguishes one monitor type: its facts, its options model and its builders."""

    name: str  # data_quality: the flat parameters' prefix, the construct id, the baseline event's monitor_type
    # Two short forms, each kept as it is because both appear in names that already exist in accounts:
    resource_short_name: str  # job definition, schedule, EventBridge target and run-on-deploy execution names
    baseline_job_short_name: str  # the baseline Lambda's processing job names (lambda_image keeps its own copy)
    provider: Literal["aws", "awscc"]  # the Terraform provider that has its job definition resource
    options: type[MonitorOptions]  # its settings model (its mixins decide image and needs_ground_truth)
    build_payload: Callable[[MonitorJob, MonitorInputs, str], Any]  # its job definition's payload
    baseline_files: Mapping[str, str]  # role ("constraints", ...) -> file the monitor reads from its baseline prefix
    metrics: str  # CloudWatch namespace suffix (see metric_namespace)
    baseline_param_fields: frozenset[str]  # the fields its baseline_<name>_params may give
    # A Clarify monitor with a generated baseline reads an analysis configuration written from its baseline's
    # effective params (monitors.payloads.analysis_configs).
    analysis_config: Callable[[Any], dict] | None = None
    publishes_metrics: bool = True  # its container publishes CloudWatch metrics when asked

    @property
    def title(self) -> str:
        return self.name.replace("_", " ")

    @property
    def monitoring_type(self) -> str:
        """The schedule's MonitoringType (DataQuality, ...)."""
        return "".join(word.capitalize() for word in self.name.split("_"))

    @property
    def job_definition_resource(self) -> str:
        """The Terraform resource type of its job definition."""
        return f"{self.provider}_sagemaker_{self.name}_job_definition"

    @property
    def image(self) -> Literal["analyzer", "clarify"]:
        """The container image the job runs: the model monitor analyzer, or Clarify."""
        return "analyzer" if issubclass(self.options, AnalyzerOptions) else "clarify"

    @property
    def needs_ground_truth(self) -> bool:
        """The job merges ground truth labels (a <name>_ground_truth_s3_uri is required)."""
        return issubclass(self.options, GroundTruthOptions)

    def has(self, option: str) -> bool:
        return option in self.options.model_fields

    def setting(self, option: str) -> str:
        """The flat parameter name of one of its options."""
        extra = self.options.model_fields[option].json_schema_extra
        template = extra.get("flat") if isinstance(extra, dict) else None
        return str(template or "{monitor}_" + option).format(monitor=self.name)

    @property
    def settings_fields(self) -> Mapping[str, str]:
        """option -> flat parameter name, for every option."""
        return {option: self.setting(option) for option in self.options.model_fields}

    def metric_namespace(self, *, batch: bool) -> str:
        """Endpoint monitors publish under aws/sagemaker/Endpoints, batch transform monitors under
        aws/sagemaker/ModelMonitoring (SageMaker developer guide, model-monitor-interpreting-cloudwatch)."""
        return f"aws/sagemaker/{'ModelMonitoring' if batch else 'Endpoints'}/{self.metrics}"

    def published_metric(
        self,
        metric_name: str,
        *,
        batch: bool,
        endpoint_name: str,
        schedule_name: str,
        extra_dimensions: Mapping[str, str] | None = None,
    ) -> PublishedMetric:
        """The metric one of its schedules publishes: namespace, name and dimensions (Endpoint and MonitoringSchedule;
        batch transform: MonitoringSchedule only; then the metric's own, e.g. bias facets). The one source the
        alarms (monitors.constructs.alerts) and the dashboards (monitors.constructs.dashboard) name metrics from."""
        dimensions = (
            {"MonitoringSchedule": schedule_name}
            if batch
            else {"Endpoint": endpoint_name, "MonitoringSchedule": schedule_name}
        )
        dimensions.update(extra_dimensions or {})
        return PublishedMetric(self.metric_namespace(batch=batch), metric_name, dimensions)

    def alarm_metric(self, alarm: Alarm, *, batch: bool, endpoint_name: str, schedule_name: str) -> PublishedMetric:
        """The metric an alarm of this monitor watches."""
        return self.published_metric(
            alarm.metric_name,
            batch=batch,
            endpoint_name=endpoint_name,
            schedule_name=schedule_name,
            extra_dimensions=alarm.extra_dimensions,
        )


@dataclass(frozen=True)
class PublishedMetric:
    """A CloudWatch metric a monitoring schedule publishes."""

    namespace: str
    metric_name: str
    dimensions: dict[str, str]  # in the order the alarms write them


@dataclass(frozen=True)
class MonitorView:
    """One monitor of one endpoint: its type, its options, and what the endpoint's settings decide for it."""

    spec: MonitorType
    options: Any  # the spec's options model (MonitorOptions subclass)
    publishes_metrics: bool  # its container publishes CloudWatch metrics (publish_cloudwatch_metrics)
    generated_baseline: bool  # it reads the baseline that baseline generation writes

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def enabled(self) -> bool:
        return bool(self.options.enabled)

    @property
    def provider(self) -> Literal["aws", "awscc"]:
        """The provider of its job definition: its type's, or awscc when an option needs it."""
        return "awscc" if self.spec.provider == "awscc" or self.options.needs_awscc() else self.spec.provider

    @property
    def alarms(self) -> list[Any]:
        return list(self.options.alarms or [])


class Alarm(BaseModel):
    """A CloudWatch alarm on one metric the monitor publishes (monitors.constructs.alerts makes it)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @property
    def key(self) -> str:
        """The alarm's construct id and name suffix (alarm_key of its identifying fields)."""
        raise NotImplementedError

    @property
    def metric_name(self) -> str:
        raise NotImplementedError

    @property
    def meaning(self) -> str:
        raise NotImplementedError

    @property
    def extra_dimensions(self) -> dict[str, str]:
        """Dimensions beyond the endpoint/schedule ones that name the published metric."""
        return {}

    if TYPE_CHECKING:  # every alarm model has them, as fields (or a ClassVar); declared here for the type checker only

        @property
        def direction(self) -> str: ...

        @property
        def threshold(self) -> float: ...
