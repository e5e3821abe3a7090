"""The job definition payloads as typed attribute trees (pure dataclasses, no cdktf).

Attribute names are the snake_case of the CloudFormation property names (acronym-aware: ``VolumeSizeInGB`` ->
``volume_size_in_gb``), shared by the aws provider's data quality resource and the three awscc resources; the
awscc attribute trees are listed in ``shared/reference/awscc-sagemaker-job-definitions.txt`` and tests check every
payload against the CloudFormation schemas shipped with cfn-lint. Each awscc job definition config names its
resource type and required attributes (``monitors.constructs.awscc.AwsccJobDefinition`` reads them).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

DEFAULT_INPUT_PATH = "/opt/ml/processing/input/endpoint"
DEFAULT_OUTPUT_PATH = "/opt/ml/processing/output"
DEFAULT_BATCH_INPUT_PATH = "/opt/ml/processing/input/batch_transform"


def to_terraform(value: Any) -> Any:
    """Dataclasses -> plain dicts with None (unset optional attributes) dropped, recursively."""
    if dataclasses.is_dataclass(value):
        return {
            f.name: to_terraform(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if getattr(value, f.name) is not None
        }
    if isinstance(value, (list, tuple)):
        return [to_terraform(v) for v in value]
    if isinstance(value, dict):
        return {k: to_terraform(v) for k, v in value.items() if v is not None}
    return value


# --- shared attribute blocks ----------------------------------------------------------------------
@dataclass(frozen=True)
class ClusterConfig:
    instance_count: int
    instance_type: str
    volume_size_in_gb: int
    volume_kms_key_id: str | None = None


@dataclass(frozen=True)
class JobResources:
    cluster_config: ClusterConfig


@dataclass(frozen=True)
class S3Output:
    s3_uri: str
    local_path: str = DEFAULT_OUTPUT_PATH
    s3_upload_mode: str = "EndOfJob"


@dataclass(frozen=True)
class MonitoringOutput:
    s3_output: S3Output


@dataclass(frozen=True)
class JobOutputConfig:
    monitoring_outputs: tuple[MonitoringOutput, ...]
    kms_key_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class CapturedDataInput:
    """What endpoint and batch transform inputs share: how the data is read, where the attributes are."""

    s3_data_distribution_type: str = "FullyReplicated"
    s3_input_mode: str = "File"
    features_attribute: str | None = None
    inference_attribute: str | None = None
    probability_attribute: str | None = None
    probability_threshold_attribute: float | None = None
    # Model quality and bias only (the explainability schema has no analysis window).
    start_time_offset: str | None = None
    end_time_offset: str | None = None
    # Data quality only (of the four CloudFormation schemas only AWS::SageMaker::DataQualityJobDefinition has it).
    exclude_features_attribute: str | None = None


@dataclass(frozen=True, kw_only=True)
class EndpointInput(CapturedDataInput):
    endpoint_name: str
    local_path: str = DEFAULT_INPUT_PATH


@dataclass(frozen=True)
class Csv:
    header: bool | None = None


@dataclass(frozen=True)
class Json:
    line: bool | None = None


@dataclass(frozen=True)
class DatasetFormat:
    csv: Csv | None = None
    json: Json | None = None
    parquet: bool | None = None


@dataclass(frozen=True, kw_only=True)
class BatchTransformInput(CapturedDataInput):
    data_captured_destination_s3_uri: str
    dataset_format: DatasetFormat
    local_path: str = DEFAULT_BATCH_INPUT_PATH


@dataclass(frozen=True)
class GroundTruthS3Input:
    s3_uri: str


@dataclass(frozen=True)
class ConstraintsResource:
    s3_uri: str


@dataclass(frozen=True)
class StatisticsResource:
    s3_uri: str


@dataclass(frozen=True)
class BaselineConfig:
    constraints_resource: ConstraintsResource
    statistics_resource: StatisticsResource | None = None  # data quality only


@dataclass(frozen=True)
class VpcConfig:
    security_group_ids: tuple[str, ...]
    subnets: tuple[str, ...]


@dataclass(frozen=True)
class NetworkConfig:
    enable_inter_container_traffic_encryption: bool
    enable_network_isolation: bool
    vpc_config: VpcConfig | None = None


@dataclass(frozen=True)
class StoppingCondition:
    max_runtime_in_seconds: int


@dataclass(frozen=True)
class Tag:
    key: str
    value: str


# --- per-resource inputs --------------------------------------------------------------------------
@dataclass(frozen=True)
class DataQualityAppSpecification:
    image_uri: str
    environment: dict[str, str] | None = None
    record_preprocessor_source_uri: str | None = None
    post_analytics_processor_source_uri: str | None = None


@dataclass(frozen=True)
class ModelQualityAppSpecification:
    image_uri: str
    problem_type: str
    environment: dict[str, str] | None = None
    record_preprocessor_source_uri: str | None = None
    post_analytics_processor_source_uri: str | None = None


@dataclass(frozen=True)
class ClarifyAppSpecification:
    image_uri: str
    config_uri: str
    environment: dict[str, str] | None = None


@dataclass(frozen=True)
class GroundTruthJobInput:
    """Exactly one of endpoint_input and batch_transform_input."""

    ground_truth_s3_input: GroundTruthS3Input
    endpoint_input: EndpointInput | None = None
    batch_transform_input: BatchTransformInput | None = None


@dataclass(frozen=True)
class EndpointJobInput:
    """Exactly one of endpoint_input and batch_transform_input (the name predates batch support)."""

    endpoint_input: EndpointInput | None = None
    batch_transform_input: BatchTransformInput | None = None


@dataclass(frozen=True)
class JobDefinitionConfig:
    """What the three awscc job definitions share; a subclass names its resource type and required attributes."""

    RESOURCE_TYPE: ClassVar[str]
    REQUIRED: ClassVar[tuple[str, ...]]

    job_definition_name: str
    role_arn: str
    job_resources: JobResources
    stopping_condition: StoppingCondition
    network_config: NetworkConfig | None = None
    tags: tuple[Tag, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class DataQualityJobDefinitionConfig(JobDefinitionConfig):
    """awscc's data quality job definition: used instead of the aws provider's resource only for what that one
    cannot carry (ExcludeFeaturesAttribute; see monitors/monitor_types/data_quality.py)."""

    RESOURCE_TYPE: ClassVar[str] = "awscc_sagemaker_data_quality_job_definition"
    REQUIRED: ClassVar[tuple[str, ...]] = (
        "data_quality_app_specification",
        "data_quality_job_input",
        "data_quality_job_output_config",
    )
    data_quality_app_specification: DataQualityAppSpecification | None = None
    data_quality_job_input: EndpointJobInput | None = None
    data_quality_job_output_config: JobOutputConfig | None = None
    data_quality_baseline_config: BaselineConfig | None = None


@dataclass(frozen=True)
class ModelQualityJobDefinitionConfig(JobDefinitionConfig):
    RESOURCE_TYPE: ClassVar[str] = "awscc_sagemaker_model_quality_job_definition"
    REQUIRED: ClassVar[tuple[str, ...]] = (
        "model_quality_app_specification",
        "model_quality_job_input",
        "model_quality_job_output_config",
    )
    model_quality_app_specification: ModelQualityAppSpecification | None = None
    model_quality_job_input: GroundTruthJobInput | None = None
    model_quality_job_output_config: JobOutputConfig | None = None
    model_quality_baseline_config: BaselineConfig | None = None


@dataclass(frozen=True)
class ModelBiasJobDefinitionConfig(JobDefinitionConfig):
    RESOURCE_TYPE: ClassVar[str] = "awscc_sagemaker_model_bias_job_definition"
    REQUIRED: ClassVar[tuple[str, ...]] = (
        "model_bias_app_specification",
        "model_bias_job_input",
        "model_bias_job_output_config",
    )
    model_bias_app_specification: ClarifyAppSpecification | None = None
    model_bias_job_input: GroundTruthJobInput | None = None
    model_bias_job_output_config: JobOutputConfig | None = None
    model_bias_baseline_config: BaselineConfig | None = None


@dataclass(frozen=True)
class ModelExplainabilityJobDefinitionConfig(JobDefinitionConfig):
    RESOURCE_TYPE: ClassVar[str] = "awscc_sagemaker_model_explainability_job_definition"
    REQUIRED: ClassVar[tuple[str, ...]] = (
        "model_explainability_app_specification",
        "model_explainability_job_input",
        "model_explainability_job_output_config",
    )
    model_explainability_app_specification: ClarifyAppSpecification | None = None
    model_explainability_job_input: EndpointJobInput | None = None
    model_explainability_job_output_config: JobOutputConfig | None = None
    model_explainability_baseline_config: BaselineConfig | None = None
