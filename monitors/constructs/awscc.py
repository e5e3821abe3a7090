"""Typed constructs for the three awscc (hashicorp/awscc) SageMaker job definitions we need.

No prebuilt cdktf awscc bindings exist, so these are small constructs over cdktf's generic
``TerraformResource``. Attribute names are the snake_case of the CloudFormation property names
(acronym-aware: ``VolumeSizeInGB`` -> ``volume_size_in_gb``); the attribute trees are listed in
``shared/reference/awscc-sagemaker-job-definitions.txt`` and tests check every payload against the
CloudFormation schemas shipped with cfn-lint. awscc has no provider-level default_tags, so tags are
set on each resource.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from monitors.constructs.generic import GenericProvider, GenericResource

AWSCC_SOURCE = "hashicorp/awscc"
# Versions whose schema carries these resources with the attribute names we emit (checked against 1.106.0).
AWSCC_VERSION_CONSTRAINT = ">= 1.0.0, < 2.0.0"
DEFAULT_INPUT_PATH = "/opt/ml/processing/input/endpoint"
DEFAULT_OUTPUT_PATH = "/opt/ml/processing/output"
DEFAULT_BATCH_INPUT_PATH = "/opt/ml/processing/input/batch_transform"


def to_terraform(value: Any) -> Any:
    """Dataclasses -> plain dicts with None (unset optional attributes) dropped, recursively."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_terraform(getattr(value, f.name)) for f in dataclasses.fields(value) if getattr(value, f.name) is not None}
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
class _CapturedDataInput:
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


@dataclass(frozen=True, kw_only=True)
class EndpointInput(_CapturedDataInput):
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
class BatchTransformInput(_CapturedDataInput):
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
class BaselineConfig:
    constraints_resource: ConstraintsResource


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
class _JobDefinitionCommon:
    job_definition_name: str
    role_arn: str
    job_resources: JobResources
    stopping_condition: StoppingCondition
    network_config: NetworkConfig | None = None
    tags: tuple[Tag, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class ModelQualityJobDefinitionConfig(_JobDefinitionCommon):
    model_quality_app_specification: ModelQualityAppSpecification | None = None
    model_quality_job_input: GroundTruthJobInput | None = None
    model_quality_job_output_config: JobOutputConfig | None = None
    model_quality_baseline_config: BaselineConfig | None = None


@dataclass(frozen=True)
class ModelBiasJobDefinitionConfig(_JobDefinitionCommon):
    model_bias_app_specification: ClarifyAppSpecification | None = None
    model_bias_job_input: GroundTruthJobInput | None = None
    model_bias_job_output_config: JobOutputConfig | None = None
    model_bias_baseline_config: BaselineConfig | None = None


@dataclass(frozen=True)
class ModelExplainabilityJobDefinitionConfig(_JobDefinitionCommon):
    model_explainability_app_specification: ClarifyAppSpecification | None = None
    model_explainability_job_input: EndpointJobInput | None = None
    model_explainability_job_output_config: JobOutputConfig | None = None
    model_explainability_baseline_config: BaselineConfig | None = None


class AwsccProvider(GenericProvider):
    """The hashicorp/awscc provider block."""

    def __init__(self, scope: Construct, id: str, *, region: str | None) -> None:
        super().__init__(scope, id, name="awscc", source=AWSCC_SOURCE, version_constraint=AWSCC_VERSION_CONSTRAINT,
                         attributes={"region": region})


class _AwsccJobDefinition(GenericResource):
    RESOURCE_TYPE: ClassVar[str]
    CONFIG_TYPE: ClassVar[type]
    REQUIRED: ClassVar[tuple[str, ...]]

    def __init__(self, scope: Construct, id: str, *, config: _JobDefinitionCommon, provider: AwsccProvider) -> None:
        if not isinstance(config, self.CONFIG_TYPE):
            raise TypeError(f"{type(self).__name__} needs a {self.CONFIG_TYPE.__name__}")
        missing = [name for name in self.REQUIRED if getattr(config, name) is None]
        if missing:
            raise ValueError(f"{self.RESOURCE_TYPE}: missing required attributes {missing}")
        super().__init__(
            scope,
            id,
            resource_type=self.RESOURCE_TYPE,
            provider=provider,
            attributes=to_terraform(config),
            # Job definitions are immutable: a change replaces the definition (content-derived name)
            # before the old one goes, so the schedule is updated in place, never deleted first.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.config = config

    @property
    def job_definition_name(self) -> str:
        return self.get_string_attribute("job_definition_name")

    @property
    def job_definition_arn(self) -> str:
        return self.get_string_attribute("job_definition_arn")


class SagemakerModelQualityJobDefinition(_AwsccJobDefinition):
    RESOURCE_TYPE = "awscc_sagemaker_model_quality_job_definition"
    CONFIG_TYPE = ModelQualityJobDefinitionConfig
    REQUIRED = ("model_quality_app_specification", "model_quality_job_input", "model_quality_job_output_config")


class SagemakerModelBiasJobDefinition(_AwsccJobDefinition):
    RESOURCE_TYPE = "awscc_sagemaker_model_bias_job_definition"
    CONFIG_TYPE = ModelBiasJobDefinitionConfig
    REQUIRED = ("model_bias_app_specification", "model_bias_job_input", "model_bias_job_output_config")


class SagemakerModelExplainabilityJobDefinition(_AwsccJobDefinition):
    RESOURCE_TYPE = "awscc_sagemaker_model_explainability_job_definition"
    CONFIG_TYPE = ModelExplainabilityJobDefinitionConfig
    REQUIRED = (
        "model_explainability_app_specification",
        "model_explainability_job_input",
        "model_explainability_job_output_config",
    )


def job_definition_class(resource_type: str) -> type[_AwsccJobDefinition]:
    """The typed construct of an awscc job definition resource type (a monitors.monitor_types spec names it)."""
    found = [cls for cls in _AwsccJobDefinition.__subclasses__() if cls.RESOURCE_TYPE == resource_type]
    if len(found) != 1:
        raise ValueError(f"no typed awscc construct for {resource_type!r}")
    return found[0]
