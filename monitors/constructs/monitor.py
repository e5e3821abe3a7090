"""One monitor: its job definition and its monitoring schedule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cdktf import TerraformProvider, TerraformResourceLifecycle
from constructs import Construct

from monitors.constructs.aws_bindings import aws
from monitors.constructs.awscc import AwsccJobDefinition
from monitors.payloads import analysis_configs
from monitors.payloads.common import MonitorInputs, MonitorJob
from monitors.payloads.job_definitions import job_definition_name, job_definition_payload, schedule_name
from monitors.tooling.addresses import depends_on_address


@dataclass(frozen=True)
class MonitorConfig:
    # This monitor's settings, the endpoint's, and its baseline's decisions (monitor_job(settings, name)).
    job: MonitorJob
    role_arn: str  # Terraform reference
    image_uri: str  # Terraform reference or override
    image_key: str  # what determines the image, for the content-derived name
    kms_key_arn: str | None  # Terraform reference to the resolved key ARN
    awscc_provider: TerraformProvider | None


class Monitor(Construct):
    def __init__(self, scope: Construct, id: str, *, config: MonitorConfig) -> None:
        super().__init__(scope, id)
        job, spec = config.job, config.job.monitor.spec
        self.job_definition_name = job_definition_name(job, config.image_key)
        inputs = MonitorInputs(role_arn=config.role_arn, image_uri=config.image_uri, kms_key_arn=config.kms_key_arn)
        payload = job_definition_payload(job, inputs, self.job_definition_name)
        self.job_definition: Any
        if job.monitor.provider == "aws":  # data quality: the aws provider's own resource
            self.job_definition = aws("sagemaker_data_quality_job_definition").SagemakerDataQualityJobDefinition(
                self,
                "job_definition",
                **payload,
                lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            )
            definition_name = self.job_definition.name
            self.job_definition_arn = self.job_definition.arn
        else:  # the payload is an awscc JobDefinitionConfig, which names its resource type
            assert config.awscc_provider is not None  # EndpointMonitoring adds one when a monitor needs it
            self.job_definition = AwsccJobDefinition(
                self, "job_definition", config=payload, provider=config.awscc_provider
            )
            definition_name = self.job_definition.job_definition_name
            self.job_definition_arn = self.job_definition.job_definition_arn

        # A generated Clarify baseline's monitor reads its own analysis configuration: an object written here from the
        # settings (reviewable in the plan) under a content-derived key, so it never changes under a job definition.
        self.analysis_config = None
        if job.analysis_config is not None:
            bucket, key, document = analysis_configs.config_object(job.analysis_config, job.baseline_prefix)
            self.analysis_config = aws("s3_object").S3Object(
                self,
                "analysis_config",
                bucket=bucket,
                key=key,
                content=document,
                content_type="application/json",
                server_side_encryption="aws:kms" if config.kms_key_arn else None,
                kms_key_id=config.kms_key_arn,
                lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            )
            self.job_definition.depends_on = [depends_on_address(self.analysis_config)]

        self.schedule_name = schedule_name(job)
        self.schedule = aws("sagemaker_monitoring_schedule").SagemakerMonitoringSchedule(
            self,
            "schedule",
            name=self.schedule_name,
            monitoring_schedule_config={
                "monitoring_job_definition_name": definition_name,
                "monitoring_type": spec.monitoring_type,
                "schedule_config": {"schedule_expression": job.monitor.options.schedule_expression},
            },
        )
