"""One monitor: its job definition and its monitoring schedule."""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import TerraformResourceLifecycle
from constructs import Construct

from monitors import analysis_configs, awscc
from monitors.addresses import depends_on_address
from monitors.aws_bindings import aws
from monitors.job_definitions import (BUILDERS, MONITORING_TYPES, MonitorInputs, baseline_prefix, job_definition_name,
                                      schedule_name)
from monitors.settings import Settings

AWSCC_RESOURCES = {
    "model_quality": awscc.SagemakerModelQualityJobDefinition,
    "model_bias": awscc.SagemakerModelBiasJobDefinition,
    "model_explainability": awscc.SagemakerModelExplainabilityJobDefinition,
}


@dataclass(frozen=True)
class MonitorConfig:
    monitor: str  # one of MONITOR_TYPES
    settings: Settings
    role_arn: str  # Terraform reference
    image_uri: str  # Terraform reference or override
    image_key: str  # what determines the image, for the content-derived name
    kms_key_arn: str | None  # Terraform reference to the resolved key ARN
    awscc_provider: awscc.AwsccProvider | None


class Monitor(Construct):
    def __init__(self, scope: Construct, id: str, *, config: MonitorConfig) -> None:
        super().__init__(scope, id)
        settings, monitor = config.settings, config.monitor
        self.job_definition_name = job_definition_name(settings, monitor, config.image_key)
        inputs = MonitorInputs(role_arn=config.role_arn, image_uri=config.image_uri, kms_key_arn=config.kms_key_arn)
        payload = BUILDERS[monitor](settings, inputs, self.job_definition_name)
        if monitor == "data_quality":
            self.job_definition = aws("sagemaker_data_quality_job_definition").SagemakerDataQualityJobDefinition(
                self, "job_definition", **payload,
                lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            )
            definition_name = self.job_definition.name
            self.job_definition_arn = self.job_definition.arn
        else:
            self.job_definition = AWSCC_RESOURCES[monitor](
                self, "job_definition", config=payload, provider=config.awscc_provider
            )
            definition_name = self.job_definition.job_definition_name
            self.job_definition_arn = self.job_definition.job_definition_arn

        # A generated Clarify baseline's monitor reads its own analysis configuration: an object written here from the
        # settings (reviewable in the plan) under a content-derived key, so it never changes under a job definition.
        self.analysis_config = None
        written = analysis_configs.config_object(settings, monitor, baseline_prefix(settings, monitor))
        if written is not None:
            bucket, key, document = written
            self.analysis_config = aws("s3_object").S3Object(
                self, "analysis_config", bucket=bucket, key=key, content=document, content_type="application/json",
                server_side_encryption="aws:kms" if config.kms_key_arn else None, kms_key_id=config.kms_key_arn,
                lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
            )
            self.job_definition.depends_on = [depends_on_address(self.analysis_config)]

        self.schedule_name = schedule_name(settings, monitor)
        self.schedule = aws("sagemaker_monitoring_schedule").SagemakerMonitoringSchedule(
            self, "schedule",
            name=self.schedule_name,
            monitoring_schedule_config={
                "monitoring_job_definition_name": definition_name,
                "monitoring_type": MONITORING_TYPES[monitor],
                "schedule_config": {"schedule_expression": getattr(settings, f"{monitor}_schedule_expression")},
            },
        )
