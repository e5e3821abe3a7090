"""Typed views of the settings that constructs take (never the whole ``Settings``): the endpoint's shared
settings, baseline generation's and alerting's (``Settings.endpoint()``, ``.baseline_generation()``, ``.alerting()``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class NetworkSettings:
    """The jobs' network (the SDK's NetworkConfig): the monitors' and, the same, their baseline jobs'."""

    enable_inter_container_traffic_encryption: bool
    enable_network_isolation: bool
    security_group_id: str | None
    subnet_ids: tuple[str, ...]

    @property
    def vpc_enabled(self) -> bool:
        return bool(self.subnet_ids)


@dataclass(frozen=True)
class EndpointSettings:
    """What every construct of one endpoint's monitoring shares (``settings.endpoint()``)."""

    endpoint_name: str  # may be a Terraform reference (monitors/tokens.py)
    stack_name: str
    model_bucket_arn: str  # may be a Terraform reference
    kms_key_id: str | None  # as given: id, alias or ARN (the constructs use the ARN data.aws_kms_key resolves)
    tags: Mapping[str, str]  # resource_tags(): escaped, in a stable order
    network: NetworkSettings

    @property
    def name_base(self) -> str:
        """Job definitions and schedules are named after the endpoint; after the stack name (a literal) when the
        endpoint is a Terraform reference (names are cut to length at synth time)."""
        from monitors import tokens

        return self.stack_name if tokens.is_token(self.endpoint_name) else self.endpoint_name

    def schedule_name(self, short_name: str, given: str | None) -> str:
        """A monitor's schedule name: <monitor>_schedule_name (a schedule that already runs), else
        <endpoint>-<short name>-schedule."""
        from monitors.naming import default_schedule_name

        return given or default_schedule_name(self.name_base, short_name)


@dataclass(frozen=True)
class BaselineGenerationSettings:
    """The baseline_* settings without the prefix (``settings.baseline_generation()``; None when it is off)."""

    training_data_s3_uri: str
    output_data_s3_uri: str
    instance_count: int
    instance_type: str
    volume_size_gb: int
    max_runtime_seconds: int
    schedule_expression: str
    lambda_image_uri: str | None
    lambda_memory_mb: int
    log_retention_days: int
    poll_interval_seconds: int
    run_on_deploy: bool
    run_on_schedule: bool  # the EventBridge schedule exists (schedule_expression is used only then)


@dataclass(frozen=True)
class AlertSettings:
    """The alert_* settings without the prefix (``settings.alerting()``; None when alerting is off). The alarms are
    each monitor's (``MonitorSettings.alarms``)."""

    sns_topic_arn: str | None  # given topic; None: the stack creates one
    email_addresses: tuple[str, ...]
    on_monitoring_executions: bool
    check_interval_minutes: int
    on_baseline_failures: bool
    alarm_treat_missing_data: str
    log_retention_days: int  # the checker's log group (baseline_log_retention_days)


@dataclass(frozen=True)
class DashboardSettings:
    """What the endpoint's dashboard shows beyond the monitors and alarms (``settings.dashboard()``; None when off)."""

    features: tuple[str, ...]  # the features the configuration names: drift alarms, then the baselines' headers
    baseline_output_s3_uri: str | None  # where baseline generation writes, when it is on
