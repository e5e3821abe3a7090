"""What every monitor's job definition payload is built from (``MonitorJob``) and the parts the payloads share.

Pure functions (no cdktf): the same builder produces the real payload and, with placeholder role and image, the
content that names the definition (``monitors.payloads.job_definitions``). Each monitor type's module builds its
own payload from these.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from monitors.monitor_types.base import MonitorView
from monitors.naming import s3_join
from monitors.payloads import analysis_configs
from monitors.payloads import awscc_shapes as shapes
from monitors.settings.views import EndpointSettings

_App = TypeVar("_App", shapes.DataQualityAppSpecification, shapes.ModelQualityAppSpecification)


@dataclass(frozen=True)
class MonitorInputs:
    """What a monitor's payload needs besides settings: Terraform references, or placeholders for naming."""

    role_arn: str
    image_uri: str
    # The aws provider only accepts key ARNs, so ids/aliases are resolved through data.aws_kms_key.
    kms_key_arn: str | None = None


@dataclass(frozen=True)
class MonitorJob:
    """What one monitor's job definition and schedule are built from: its own settings, the endpoint's, and what its
    baseline decides (``monitors.payloads.job_definitions.monitor_job``); constructs get only this."""

    monitor: MonitorView
    endpoint: EndpointSettings
    baseline_prefix: str  # the monitor's own baseline URI, or where baseline generation writes it
    analysis_config: dict | None  # a Clarify monitor's own configuration, written from settings (analysis_configs)
    probability_threshold: float | None  # the job input's probability_threshold_attribute

    @property
    def name(self) -> str:
        return self.monitor.name


def baseline_uri(job: MonitorJob, kind: str) -> str:
    own_config = getattr(job.monitor.options, "analysis_config_s3_uri", None)
    if kind == "config" and own_config is not None:
        return own_config  # the user's own file, asked for explicitly (settings_warnings says what it lacks)
    if kind == "config" and job.analysis_config is not None:
        # A generated Clarify baseline's monitor reads its own analysis configuration, written from the settings
        # under a content-derived key (monitors/payloads/analysis_configs.py); a given baseline's own file otherwise.
        bucket, key, _ = analysis_configs.config_object(job.analysis_config, job.baseline_prefix)
        return f"s3://{bucket}/{key}"
    return s3_join(job.baseline_prefix, job.monitor.spec.baseline_files[kind])


def common_blocks(job: MonitorJob, inputs: MonitorInputs) -> dict[str, Any]:
    """job_resources, stopping_condition, network_config and output: the same in every job definition."""
    options, net = job.monitor.options, job.endpoint.network
    vpc_config = None
    if net.vpc_enabled:
        assert net.security_group_id is not None  # validated: given together with subnet_ids
        vpc_config = shapes.VpcConfig(security_group_ids=(net.security_group_id,), subnets=net.subnet_ids)
    network = shapes.NetworkConfig(
        enable_inter_container_traffic_encryption=net.enable_inter_container_traffic_encryption,
        enable_network_isolation=net.enable_network_isolation,
        vpc_config=vpc_config,
    )
    return {
        "job_resources": shapes.JobResources(
            shapes.ClusterConfig(
                instance_count=options.instance_count,
                instance_type=options.instance_type,
                volume_size_in_gb=options.instance_volume_size_in_gb,
                volume_kms_key_id=inputs.kms_key_arn,
            )
        ),
        "stopping_condition": shapes.StoppingCondition(options.max_runtime_in_seconds),
        "network_config": network,
        "output": shapes.JobOutputConfig(
            monitoring_outputs=(shapes.MonitoringOutput(shapes.S3Output(s3_uri=options.output_s3_uri)),),
            kms_key_id=inputs.kms_key_arn,
        ),
    }


def job_input(job: MonitorJob) -> dict[str, Any]:
    """{"endpoint_input": ...} or, when the monitor watches a batch transform job, {"batch_transform_input": ...}."""
    options = job.monitor.options
    attributes = {
        **options.captured_data_attributes(),
        "probability_threshold_attribute": job.probability_threshold,
        "s3_input_mode": options.s3_input_mode,
        "s3_data_distribution_type": options.s3_data_distribution_type,
    }
    batch = options.batch_transform_input
    if batch is None:
        return {"endpoint_input": shapes.EndpointInput(endpoint_name=job.endpoint.endpoint_name, **attributes)}
    dataset_format = shapes.DatasetFormat(
        csv=shapes.Csv(header=batch.csv_header) if batch.dataset_format == "csv" else None,
        json=shapes.Json(line=batch.json_line) if batch.dataset_format == "json" else None,
        parquet=True if batch.dataset_format == "parquet" else None,
    )
    return {
        "batch_transform_input": shapes.BatchTransformInput(
            data_captured_destination_s3_uri=batch.data_captured_destination_s3_uri,
            dataset_format=dataset_format,
            **attributes,
        )
    }


def ground_truth_job_input(job: MonitorJob) -> shapes.GroundTruthJobInput:
    return shapes.GroundTruthJobInput(
        ground_truth_s3_input=shapes.GroundTruthS3Input(job.monitor.options.ground_truth_s3_uri), **job_input(job)
    )


def metrics_environment(view: MonitorView) -> dict[str, str]:
    """The SDK's create_monitoring_schedule(enable_cloudwatch_metrics=True) default: Enabled (Disabled when
    publish_cloudwatch_metrics is false); the analyzer publishes metrics only when asked."""
    return {"publish_cloudwatch_metrics": "Enabled" if view.publishes_metrics else "Disabled"}


def job_environment(view: MonitorView) -> dict[str, str]:
    """The job's container environment: the user's <monitor>_environment (validated: no key the job definition or
    the container reserves) and the metrics switch."""
    return {**(view.options.environment or {}), **metrics_environment(view)}


def awscc_config(
    job: MonitorJob,
    inputs: MonitorInputs,
    name: str,
    config_type: type[shapes.JobDefinitionConfig],
    *,
    app_specification: object,
    baseline_config: shapes.BaselineConfig | None = None,
) -> Any:
    """The shape the three awscc job definitions share; only the app specification differs, and the job input by
    whether the type merges ground truth. Their attribute names start with the monitor type (the CloudFormation
    schemas' property names)."""
    common = common_blocks(job, inputs)
    prefix = job.monitor.name
    if job.monitor.spec.needs_ground_truth:
        monitor_input: object = ground_truth_job_input(job)
    else:
        monitor_input = shapes.EndpointJobInput(**job_input(job))
    return config_type(
        job_definition_name=name,
        role_arn=inputs.role_arn,
        job_resources=common["job_resources"],
        stopping_condition=common["stopping_condition"],
        network_config=common["network_config"],
        tags=tuple(shapes.Tag(k, v) for k, v in job.endpoint.tags.items()),
        **{
            f"{prefix}_app_specification": app_specification,
            f"{prefix}_job_input": monitor_input,
            f"{prefix}_job_output_config": common["output"],
            f"{prefix}_baseline_config": baseline_config
            or shapes.BaselineConfig(shapes.ConstraintsResource(baseline_uri(job, "constraints"))),
        },
    )


def analyzer_app_specification(job: MonitorJob, inputs: MonitorInputs, shape: type[_App], **extra: Any) -> _App:
    """The model monitor analyzer's app specification (data quality, model quality): image, environment, scripts."""
    options = job.monitor.options
    return shape(
        image_uri=inputs.image_uri,
        **extra,
        environment=job_environment(job.monitor),
        record_preprocessor_source_uri=options.record_preprocessor_source_uri,
        post_analytics_processor_source_uri=options.post_analytics_processor_source_uri,
    )


def clarify_app_specification(job: MonitorJob, inputs: MonitorInputs) -> shapes.ClarifyAppSpecification:
    return shapes.ClarifyAppSpecification(
        image_uri=inputs.image_uri, config_uri=baseline_uri(job, "config"), environment=job_environment(job.monitor)
    )


def clarify_payload(config_type: type[shapes.JobDefinitionConfig]) -> Callable[[MonitorJob, MonitorInputs, str], Any]:
    """The payload builder of a Clarify monitor type (bias, explainability): Clarify's app specification."""

    def payload(job: MonitorJob, inputs: MonitorInputs, name: str) -> Any:
        return awscc_config(job, inputs, name, config_type, app_specification=clarify_app_specification(job, inputs))

    return payload
