"""Job definition payloads for the four monitor types, derived from ``Settings``.

Pure functions (no cdktf): the same builder produces the real payload and, with placeholder role and
image, the content that names the definition. Job definitions are immutable in SageMaker, so the name
is derived from the content: any change gives a new name, and with create_before_destroy Terraform
creates the new definition, points the schedule at it in place, then deletes the old one.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitors import analysis_configs, awscc, tokens
from monitors.naming import bounded_name, content_hash, s3_join
from monitors.settings import Settings

MONITORING_TYPES = {
    "data_quality": "DataQuality",
    "model_quality": "ModelQuality",
    "model_bias": "ModelBias",
    "model_explainability": "ModelExplainability",
}
SHORT_NAMES = {"data_quality": "dq", "model_quality": "mq", "model_bias": "bias", "model_explainability": "expl"}

# Files each monitor reads from its baseline prefix (and that baseline generation writes there).
BASELINE_FILES = {
    "data_quality": {"statistics": "statistics.json", "constraints": "constraints.json"},
    "model_quality": {"constraints": "constraints.json"},
    "model_bias": {"config": "analysis_config.json", "constraints": "analysis.json"},
    "model_explainability": {"config": "analysis_config.json", "constraints": "analysis.json"},
}


@dataclass(frozen=True)
class MonitorInputs:
    """What a monitor's payload needs besides settings: Terraform references, or placeholders for naming."""

    role_arn: str
    image_uri: str
    # The aws provider only accepts key ARNs, so ids/aliases are resolved through data.aws_kms_key.
    kms_key_arn: str | None = None


def baseline_prefix(settings: Settings, monitor: str) -> str:
    """The monitor's own baseline URI, or where baseline generation writes it (<output>/<monitor>/)."""
    own = getattr(settings, f"{monitor}_baseline_s3_uri")
    if own:
        return own
    assert settings.baseline_output_data_s3_uri, "validated: a baseline URI or baseline generation"
    return s3_join(settings.baseline_output_data_s3_uri, monitor) + "/"


def baseline_uri(settings: Settings, monitor: str, kind: str) -> str:
    if kind == "config":
        # A generated Clarify baseline's monitor reads its own analysis configuration, written from the settings
        # under a content-derived key (monitors/analysis_configs.py); a given baseline's own file otherwise.
        written = analysis_configs.config_object(settings, monitor, baseline_prefix(settings, monitor))
        if written is not None:
            bucket, key, _ = written
            return f"s3://{bucket}/{key}"
    return s3_join(baseline_prefix(settings, monitor), BASELINE_FILES[monitor][kind])


def probability_threshold(settings: Settings, monitor: str) -> float | None:
    """The monitor's probability threshold: its own setting, else (bias with a generated baseline) the baseline's
    probability_threshold, so baseline and live metrics use one cut-off (the SDK takes it from the baseline)."""
    own = getattr(settings, f"{monitor}_probability_threshold_attribute", None)
    if own is None and monitor == "model_bias" and settings.generated_baseline(monitor):
        return analysis_configs.effective_baseline_params(settings, monitor).probability_threshold
    return own


def _common(settings: Settings, monitor: str, inputs: MonitorInputs) -> dict:
    def value(name: str):
        return getattr(settings, f"{monitor}_{name}")

    network = awscc.NetworkConfig(
        enable_inter_container_traffic_encryption=settings.enable_inter_container_traffic_encryption,
        enable_network_isolation=settings.enable_network_isolation,
        vpc_config=awscc.VpcConfig(
            security_group_ids=(settings.security_group_id,), subnets=tuple(settings.subnet_ids)
        ) if settings.vpc_enabled else None,
    )
    return {
        "job_resources": awscc.JobResources(
            awscc.ClusterConfig(
                instance_count=value("instance_count"),
                instance_type=value("instance_type"),
                volume_size_in_gb=value("instance_volume_size_in_gb"),
                volume_kms_key_id=inputs.kms_key_arn,
            )
        ),
        "stopping_condition": awscc.StoppingCondition(value("max_runtime_in_seconds")),
        "network_config": network,
        "output": awscc.JobOutputConfig(
            monitoring_outputs=(awscc.MonitoringOutput(awscc.S3Output(s3_uri=value("output_s3_uri"))),),
            kms_key_id=inputs.kms_key_arn,
        ),
    }


def _job_input(settings: Settings, monitor: str, *, threshold: bool) -> dict:
    """{"endpoint_input": ...} or, when the monitor watches a batch transform job, {"batch_transform_input": ...}."""

    def value(name: str):
        return getattr(settings, f"{monitor}_{name}", None)

    attributes = {
        "features_attribute": value("features_attribute"),
        "inference_attribute": value("inference_attribute"),
        "probability_attribute": value("probability_attribute"),
        "probability_threshold_attribute": probability_threshold(settings, monitor) if threshold else None,
        "start_time_offset": value("start_time_offset"),
        "end_time_offset": value("end_time_offset"),
    }
    batch = value("batch_transform_input")
    if batch is None:
        return {"endpoint_input": awscc.EndpointInput(endpoint_name=settings.endpoint_name, **attributes)}
    dataset_format = awscc.DatasetFormat(
        csv=awscc.Csv(header=batch.csv_header) if batch.dataset_format == "csv" else None,
        json=awscc.Json(line=batch.json_line) if batch.dataset_format == "json" else None,
        parquet=True if batch.dataset_format == "parquet" else None,
    )
    return {"batch_transform_input": awscc.BatchTransformInput(
        data_captured_destination_s3_uri=batch.data_captured_destination_s3_uri, dataset_format=dataset_format, **attributes)}


def _metrics_environment(settings: Settings, monitor: str) -> dict[str, str]:
    """The SDK's create_monitoring_schedule(enable_cloudwatch_metrics=True) default: Enabled (Disabled when
    publish_cloudwatch_metrics is false); the analyzer publishes metrics only when asked."""
    return {"publish_cloudwatch_metrics": "Enabled" if settings.publishes_metrics(monitor) else "Disabled"}


def _tags(settings: Settings) -> tuple[awscc.Tag, ...]:
    return tuple(awscc.Tag(k, v) for k, v in settings.resource_tags().items())


def data_quality_payload(settings: Settings, inputs: MonitorInputs, name: str) -> dict:
    """Attributes of aws_sagemaker_data_quality_job_definition (plain dicts, provider schema names)."""
    common = _common(settings, "data_quality", inputs)
    payload = {
        "name": name,
        "role_arn": inputs.role_arn,
        "data_quality_app_specification": {
            "image_uri": inputs.image_uri, "environment": _metrics_environment(settings, "data_quality"),
            "record_preprocessor_source_uri": settings.data_quality_record_preprocessor_source_uri,
            "post_analytics_processor_source_uri": settings.data_quality_post_analytics_processor_source_uri,
        },
        "data_quality_baseline_config": {
            "constraints_resource": {"s3_uri": baseline_uri(settings, "data_quality", "constraints")},
            "statistics_resource": {"s3_uri": baseline_uri(settings, "data_quality", "statistics")},
        },
        "data_quality_job_input": awscc.to_terraform(_job_input(settings, "data_quality", threshold=False)),
        "data_quality_job_output_config": awscc.to_terraform(common["output"]),
        "job_resources": awscc.to_terraform(common["job_resources"]),
        "network_config": awscc.to_terraform(common["network_config"]),
        "stopping_condition": awscc.to_terraform(common["stopping_condition"]),
    }
    # The aws provider models monitoring_outputs as a single block.
    payload["data_quality_job_output_config"]["monitoring_outputs"] = payload["data_quality_job_output_config"]["monitoring_outputs"][0]
    return payload


def _awscc_config(settings: Settings, inputs: MonitorInputs, name: str, monitor: str, config_type: type, *,
                  app_specification: object, job_input: object):
    """The shape the three awscc job definitions share; only the app specification and input differ."""
    common = _common(settings, monitor, inputs)
    return config_type(
        job_definition_name=name,
        role_arn=inputs.role_arn,
        job_resources=common["job_resources"],
        stopping_condition=common["stopping_condition"],
        network_config=common["network_config"],
        tags=_tags(settings),
        **{
            f"{monitor}_app_specification": app_specification,
            f"{monitor}_job_input": job_input,
            f"{monitor}_job_output_config": common["output"],
            f"{monitor}_baseline_config": awscc.BaselineConfig(
                awscc.ConstraintsResource(baseline_uri(settings, monitor, "constraints"))
            ),
        },
    )


def model_quality_config(settings: Settings, inputs: MonitorInputs, name: str) -> awscc.ModelQualityJobDefinitionConfig:
    return _awscc_config(
        settings, inputs, name, "model_quality", awscc.ModelQualityJobDefinitionConfig,
        app_specification=awscc.ModelQualityAppSpecification(
            image_uri=inputs.image_uri, problem_type=settings.model_quality_problem_type,
            environment=_metrics_environment(settings, "model_quality"),
            record_preprocessor_source_uri=settings.model_quality_record_preprocessor_source_uri,
            post_analytics_processor_source_uri=settings.model_quality_post_analytics_processor_source_uri,
        ),
        job_input=awscc.GroundTruthJobInput(
            ground_truth_s3_input=awscc.GroundTruthS3Input(settings.model_quality_ground_truth_s3_uri),
            **_job_input(settings, "model_quality", threshold=True),
        ),
    )


def model_bias_config(settings: Settings, inputs: MonitorInputs, name: str) -> awscc.ModelBiasJobDefinitionConfig:
    return _awscc_config(
        settings, inputs, name, "model_bias", awscc.ModelBiasJobDefinitionConfig,
        app_specification=awscc.ClarifyAppSpecification(
            image_uri=inputs.image_uri, config_uri=baseline_uri(settings, "model_bias", "config"),
            environment=_metrics_environment(settings, "model_bias"),
        ),
        job_input=awscc.GroundTruthJobInput(
            ground_truth_s3_input=awscc.GroundTruthS3Input(settings.model_bias_ground_truth_s3_uri),
            **_job_input(settings, "model_bias", threshold=True),
        ),
    )


def model_explainability_config(settings: Settings, inputs: MonitorInputs, name: str) -> awscc.ModelExplainabilityJobDefinitionConfig:
    return _awscc_config(
        settings, inputs, name, "model_explainability", awscc.ModelExplainabilityJobDefinitionConfig,
        app_specification=awscc.ClarifyAppSpecification(
            image_uri=inputs.image_uri, config_uri=baseline_uri(settings, "model_explainability", "config"),
            environment=_metrics_environment(settings, "model_explainability"),
        ),
        job_input=awscc.EndpointJobInput(**_job_input(settings, "model_explainability", threshold=False)),
    )


BUILDERS = {
    "data_quality": data_quality_payload,
    "model_quality": model_quality_config,
    "model_bias": model_bias_config,
    "model_explainability": model_explainability_config,
}


def job_definition_name(settings: Settings, monitor: str, image_key: str) -> str:
    """<endpoint>-<type>-<hash of the definition's content>, valid and at most 63 characters.

    The hash covers everything the definition contains (with the role and image named by what
    determines them), so changing any parameter gives a new name.
    """
    placeholder = MonitorInputs(
        role_arn="<monitoring-role>", image_uri=image_key,
        kms_key_arn=f"<kms:{settings.kms_key_id}>" if settings.kms_key_id else None,
    )
    content = awscc.to_terraform(BUILDERS[monitor](settings, placeholder, ""))
    references = tokens.references(content)
    if references:  # Terraform references (monitors/tokens.py): hashed by what they are, and by their value below
        content = tokens.without_references(content)
    digest = content_hash({"schema": 1, "monitor": monitor, "content": content}, 10)
    name = bounded_name(_name_base(settings), SHORT_NAMES[monitor], suffix=digest)
    if references:
        # Their values are known at plan time only: Terraform hashes them into the name's last 4 characters, so
        # a changed value (a definition replaced) still gets a new name.
        from cdktf import Fn

        name = name[:-4] + Fn.substr(Fn.sha256(Fn.join(",", list(dict.fromkeys(references)))), 0, 4)
    return name


def schedule_name(settings: Settings, monitor: str) -> str:
    return bounded_name(_name_base(settings), SHORT_NAMES[monitor], "schedule")


def _name_base(settings: Settings) -> str:
    """Job definitions and schedules are named after the endpoint; after the stack name (a literal) when the
    endpoint is a Terraform reference (names are cut to length at synth time)."""
    return settings.stack_name if tokens.is_token(settings.endpoint_name) else settings.endpoint_name


def monitoring_role_s3_access(settings: Settings) -> dict[str, list[str]]:
    """S3 locations (URIs; a trailing / means the prefix and everything under it) the monitoring role needs for what
    this module and baseline generation set up, beyond each monitor's baseline files and output URI: the Clarify
    monitors' analysis configuration objects and the analyzer scripts (read), and, as the role the baseline
    processing jobs run as, the training data (read) and the baseline staging folder (write; the Lambda promotes)."""
    read: list[str] = []
    for monitor in settings.enabled_monitors:
        if analysis_configs.monitor_analysis_config(settings, monitor) is not None:
            read.append(analysis_configs.config_prefix_uri(baseline_prefix(settings, monitor)))
        for kind in ("record_preprocessor", "post_analytics_processor"):
            script = getattr(settings, f"{monitor}_{kind}_source_uri", None)
            if script:
                read.append(script)
    write: list[str] = []
    if settings.baseline_generation_enabled:
        read.append(settings.baseline_training_data_s3_uri)
        write.append(s3_join(settings.baseline_output_data_s3_uri, "staging") + "/")
    return {"read": read, "write": write}
