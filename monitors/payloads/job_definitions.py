"""Job definition payloads for the four monitor types, derived from a ``MonitorJob`` (``monitor_job(settings, ...)``).

Pure functions (no cdktf): the same builder produces the real payload and, with placeholder role and
image, the content that names the definition. Job definitions are immutable in SageMaker, so the name
is derived from the content: any change gives a new name, and with create_before_destroy Terraform
creates the new definition, points the schedule at it in place, then deletes the old one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitors import tokens
from monitors.constructs import awscc
from monitors.payloads import analysis_configs
from monitors.naming import bounded_name, content_hash, s3_join
from monitors.monitor_types import ANALYZER_SCRIPT_FIELDS
from monitors.settings.model import EndpointSettings, MonitorSettings, Settings


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
    baseline decides. ``monitor_job`` builds it where the whole settings are at hand; constructs get only this."""

    monitor: MonitorSettings
    endpoint: EndpointSettings
    baseline_prefix: str  # the monitor's own baseline URI, or where baseline generation writes it
    analysis_config: dict | None  # a generated Clarify baseline's monitor configuration (monitors/payloads/analysis_configs.py)
    probability_threshold: float | None  # the job input's probability_threshold_attribute (see probability_threshold)

    @property
    def name(self) -> str:
        return self.monitor.name


def monitor_job(settings: Settings, monitor: str, endpoint: EndpointSettings | None = None) -> MonitorJob:
    """``endpoint``: ``settings.endpoint()``, when the caller has it already."""
    view = settings.monitor(monitor)
    # A generated Clarify baseline decides the monitor's analysis configuration and (bias) its threshold: the params
    # it runs with, through the baseline Lambda's validator once.
    params = analysis_configs.effective_baseline_params(settings, monitor) if analysis_configs.writes_config(view) else None
    return MonitorJob(
        monitor=view, endpoint=endpoint or settings.endpoint(), baseline_prefix=baseline_prefix(settings, monitor),
        analysis_config=analysis_configs.monitor_analysis_config(view, params) if params is not None else None,
        probability_threshold=probability_threshold(view, params),
    )


def baseline_prefix(settings: Settings, monitor: str) -> str:
    """The monitor's own baseline URI, or where baseline generation writes it (<output>/<monitor>/)."""
    own = settings.monitor(monitor).baseline_s3_uri
    if own:
        return own
    assert settings.baseline_output_data_s3_uri, "validated: a baseline URI or baseline generation"
    return s3_join(settings.baseline_output_data_s3_uri, monitor) + "/"


def baseline_uri(job: MonitorJob, kind: str) -> str:
    if kind == "config" and job.analysis_config is not None:
        # A generated Clarify baseline's monitor reads its own analysis configuration, written from the settings
        # under a content-derived key (monitors/payloads/analysis_configs.py); a given baseline's own file otherwise.
        bucket, key, _ = analysis_configs.config_object(job.analysis_config, job.baseline_prefix)
        return f"s3://{bucket}/{key}"
    return s3_join(job.baseline_prefix, job.monitor.spec.baseline_files[kind])


def probability_threshold(view: MonitorSettings, baseline_params: Any) -> float | None:
    """The monitor's probability threshold: its own setting, else (bias with a generated baseline: its effective
    ``baseline_params``) the baseline's probability_threshold, so baseline and live metrics use one cut-off (the SDK
    takes it from the baseline)."""
    own = view.probability_threshold_attribute
    if own is None and baseline_params is not None and "probability_threshold" in view.spec.baseline_param_fields:
        return baseline_params.probability_threshold
    return own


def _common(job: MonitorJob, inputs: MonitorInputs) -> dict:
    view, net = job.monitor, job.endpoint.network
    network = awscc.NetworkConfig(
        enable_inter_container_traffic_encryption=net.enable_inter_container_traffic_encryption,
        enable_network_isolation=net.enable_network_isolation,
        vpc_config=awscc.VpcConfig(
            security_group_ids=(net.security_group_id,), subnets=net.subnet_ids
        ) if net.vpc_enabled else None,
    )
    return {
        "job_resources": awscc.JobResources(
            awscc.ClusterConfig(
                instance_count=view.instance_count,
                instance_type=view.instance_type,
                volume_size_in_gb=view.instance_volume_size_in_gb,
                volume_kms_key_id=inputs.kms_key_arn,
            )
        ),
        "stopping_condition": awscc.StoppingCondition(view.max_runtime_in_seconds),
        "network_config": network,
        "output": awscc.JobOutputConfig(
            monitoring_outputs=(awscc.MonitoringOutput(awscc.S3Output(s3_uri=view.output_s3_uri)),),
            kms_key_id=inputs.kms_key_arn,
        ),
    }


def _job_input(job: MonitorJob) -> dict:
    """{"endpoint_input": ...} or, when the monitor watches a batch transform job, {"batch_transform_input": ...}.
    Attributes its type does not have are None in its view, so they are left out."""
    view = job.monitor
    attributes = {
        "features_attribute": view.features_attribute,
        "inference_attribute": view.inference_attribute,
        "probability_attribute": view.probability_attribute,
        "probability_threshold_attribute": job.probability_threshold,
        "start_time_offset": view.start_time_offset,
        "end_time_offset": view.end_time_offset,
    }
    batch = view.batch_transform_input
    if batch is None:
        return {"endpoint_input": awscc.EndpointInput(endpoint_name=job.endpoint.endpoint_name, **attributes)}
    dataset_format = awscc.DatasetFormat(
        csv=awscc.Csv(header=batch.csv_header) if batch.dataset_format == "csv" else None,
        json=awscc.Json(line=batch.json_line) if batch.dataset_format == "json" else None,
        parquet=True if batch.dataset_format == "parquet" else None,
    )
    return {"batch_transform_input": awscc.BatchTransformInput(
        data_captured_destination_s3_uri=batch.data_captured_destination_s3_uri, dataset_format=dataset_format, **attributes)}


def _metrics_environment(view: MonitorSettings) -> dict[str, str]:
    """The SDK's create_monitoring_schedule(enable_cloudwatch_metrics=True) default: Enabled (Disabled when
    publish_cloudwatch_metrics is false); the analyzer publishes metrics only when asked."""
    return {"publish_cloudwatch_metrics": "Enabled" if view.publishes_metrics else "Disabled"}


def _tags(endpoint: EndpointSettings) -> tuple[awscc.Tag, ...]:
    return tuple(awscc.Tag(k, v) for k, v in endpoint.tags.items())


def data_quality_payload(job: MonitorJob, inputs: MonitorInputs, name: str) -> dict:
    """Attributes of aws_sagemaker_data_quality_job_definition (plain dicts, provider schema names)."""
    view, common = job.monitor, _common(job, inputs)
    payload = {
        "name": name,
        "role_arn": inputs.role_arn,
        "data_quality_app_specification": {
            "image_uri": inputs.image_uri, "environment": _metrics_environment(view),
            "record_preprocessor_source_uri": view.record_preprocessor_source_uri,
            "post_analytics_processor_source_uri": view.post_analytics_processor_source_uri,
        },
        "data_quality_baseline_config": {
            "constraints_resource": {"s3_uri": baseline_uri(job, "constraints")},
            "statistics_resource": {"s3_uri": baseline_uri(job, "statistics")},
        },
        "data_quality_job_input": awscc.to_terraform(_job_input(job)),
        "data_quality_job_output_config": awscc.to_terraform(common["output"]),
        "job_resources": awscc.to_terraform(common["job_resources"]),
        "network_config": awscc.to_terraform(common["network_config"]),
        "stopping_condition": awscc.to_terraform(common["stopping_condition"]),
    }
    # The aws provider models monitoring_outputs as a single block.
    payload["data_quality_job_output_config"]["monitoring_outputs"] = payload["data_quality_job_output_config"]["monitoring_outputs"][0]
    return payload


def _awscc_config(job: MonitorJob, inputs: MonitorInputs, name: str, config_type: type, *,
                  app_specification: object, job_input: object):
    """The shape the three awscc job definitions share; only the app specification and input differ. Their
    attribute names start with the monitor type (the CloudFormation schemas' property names)."""
    view, common = job.monitor, _common(job, inputs)
    return config_type(
        job_definition_name=name,
        role_arn=inputs.role_arn,
        job_resources=common["job_resources"],
        stopping_condition=common["stopping_condition"],
        network_config=common["network_config"],
        tags=_tags(job.endpoint),
        **{
            f"{view.name}_app_specification": app_specification,
            f"{view.name}_job_input": job_input,
            f"{view.name}_job_output_config": common["output"],
            f"{view.name}_baseline_config": awscc.BaselineConfig(
                awscc.ConstraintsResource(baseline_uri(job, "constraints"))
            ),
        },
    )


def _ground_truth_job_input(job: MonitorJob) -> awscc.GroundTruthJobInput:
    return awscc.GroundTruthJobInput(ground_truth_s3_input=awscc.GroundTruthS3Input(job.monitor.ground_truth_s3_uri),
                                     **_job_input(job))


def _clarify_app_specification(job: MonitorJob, inputs: MonitorInputs) -> awscc.ClarifyAppSpecification:
    return awscc.ClarifyAppSpecification(image_uri=inputs.image_uri, config_uri=baseline_uri(job, "config"),
                                         environment=_metrics_environment(job.monitor))


def model_quality_config(job: MonitorJob, inputs: MonitorInputs, name: str) -> awscc.ModelQualityJobDefinitionConfig:
    view = job.monitor
    return _awscc_config(job, inputs, name, awscc.ModelQualityJobDefinitionConfig, app_specification=awscc.ModelQualityAppSpecification(
        image_uri=inputs.image_uri, problem_type=view.problem_type, environment=_metrics_environment(view),
        record_preprocessor_source_uri=view.record_preprocessor_source_uri,
        post_analytics_processor_source_uri=view.post_analytics_processor_source_uri,
    ), job_input=_ground_truth_job_input(job))


def model_bias_config(job: MonitorJob, inputs: MonitorInputs, name: str) -> awscc.ModelBiasJobDefinitionConfig:
    return _awscc_config(job, inputs, name, awscc.ModelBiasJobDefinitionConfig,
                         app_specification=_clarify_app_specification(job, inputs), job_input=_ground_truth_job_input(job))


def model_explainability_config(job: MonitorJob, inputs: MonitorInputs, name: str) -> awscc.ModelExplainabilityJobDefinitionConfig:
    return _awscc_config(job, inputs, name, awscc.ModelExplainabilityJobDefinitionConfig,
                         app_specification=_clarify_app_specification(job, inputs),
                         job_input=awscc.EndpointJobInput(**_job_input(job)))


def job_definition_payload(job: MonitorJob, inputs: MonitorInputs, name: str):
    """The monitor's job definition payload, from the builder its registry spec names (a function of this module)."""
    build = globals()[job.monitor.spec.builder]
    return build(job, inputs, name)


def job_definition_name(job: MonitorJob, image_key: str) -> str:
    """<endpoint>-<type>-<hash of the definition's content>, valid and at most 63 characters.

    The hash covers everything the definition contains (with the role and image named by what
    determines them), so changing any parameter gives a new name.
    """
    placeholder = MonitorInputs(
        role_arn="<monitoring-role>", image_uri=image_key,
        kms_key_arn=f"<kms:{job.endpoint.kms_key_id}>" if job.endpoint.kms_key_id else None,
    )
    content = awscc.to_terraform(job_definition_payload(job, placeholder, ""))
    references = tokens.references(content)
    if references:  # Terraform references (monitors/tokens.py): hashed by what they are, and by their value below
        content = tokens.without_references(content)
    digest = content_hash({"schema": 1, "monitor": job.name, "content": content}, 10)
    name = bounded_name(_name_base(job.endpoint), job.monitor.spec.resource_short_name, suffix=digest)
    if references:
        # Their values are known at plan time only: Terraform hashes them into the name's last 4 characters, so
        # a changed value (a definition replaced) still gets a new name.
        from cdktf import Fn

        name = name[:-4] + Fn.substr(Fn.sha256(Fn.join(",", list(dict.fromkeys(references)))), 0, 4)
    return name


def schedule_name(job: MonitorJob) -> str:
    return bounded_name(_name_base(job.endpoint), job.monitor.spec.resource_short_name, "schedule")


def _name_base(endpoint: EndpointSettings) -> str:
    """Job definitions and schedules are named after the endpoint; after the stack name (a literal) when the
    endpoint is a Terraform reference (names are cut to length at synth time)."""
    return endpoint.stack_name if tokens.is_token(endpoint.endpoint_name) else endpoint.endpoint_name


def monitoring_role_s3_access(settings: Settings) -> dict[str, list[str]]:
    """S3 locations (URIs; a trailing / means the prefix and everything under it) the monitoring role needs for what
    this module and baseline generation set up, beyond each monitor's baseline files and output URI: the Clarify
    monitors' analysis configuration objects and the analyzer scripts (read), and, as the role the baseline
    processing jobs run as, the training data (read) and the baseline staging folder (write; the Lambda promotes)."""
    read: list[str] = []
    for monitor in settings.enabled_monitors:
        if analysis_configs.writes_config(settings.monitor(monitor)):
            read.append(analysis_configs.config_prefix_uri(baseline_prefix(settings, monitor)))
        for field in ANALYZER_SCRIPT_FIELDS:
            script = getattr(settings.monitor(monitor), field)
            if script:
                read.append(script)
    write: list[str] = []
    if settings.baseline_generation_enabled:
        read.append(settings.baseline_training_data_s3_uri)
        write.append(s3_join(settings.baseline_output_data_s3_uri, "staging") + "/")
    return {"read": read, "write": write}
