"""The stack: providers and backend, the monitoring role, one Monitor per enabled type, baseline generation, outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdktf import CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TaggedCloudWorkspaces, TerraformOutput
from constructs import Construct

from monitors.addresses import ReadableAddressStack, depends_on_address
from monitors.awscc import AwsccProvider
from monitors.aws_bindings import aws
from monitors.iam import AccountContext, ServiceRole, monitoring_statements
from monitors.monitor import Monitor, MonitorConfig
from monitors.naming import bounded_name
from monitors.output import default_local_state_path
from monitors.registry import MONITORS
from monitors.settings import ECR_IMAGE_RE, Settings

if TYPE_CHECKING:
    from monitors.config import StackPlan

# Range admitting the provider the bindings were generated for (6.25.0) and the 5.x line we validate with.
AWS_PROVIDER_CONSTRAINT = ">= 5.100.0, < 7.0.0"
ANALYZER = ("sagemaker-model-monitor-analyzer", "latest")
CLARIFY = ("sagemaker-clarify-processing", "1.0")


class MonitoringStack(ReadableAddressStack):
    """One stack: backend and providers, then each endpoint's monitoring.

    A stack of its own endpoint builds directly in the stack (the Terraform addresses of a flat
    configuration); a fleet's shared stack (`grouped`) builds each endpoint in a scope named after it, so
    adding or removing an endpoint leaves the others' addresses alone.
    """

    def __init__(self, scope: Construct, plan: "StackPlan") -> None:
        super().__init__(scope, plan.name)
        first = plan.endpoints[0]  # stack-level parameters are equal across a plan's endpoints (validated)
        self._backend(first)
        tags = first.resource_tags()
        aws("provider").AwsProvider(
            self, "aws", region=first.region, default_tags=[{"tags": tags}] if tags else None
        )
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
        self.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT)
        # Only stacks with an awscc resource need (and make users install) the awscc provider.
        needs_awscc = any(MONITORS[m].provider == "awscc" for s in plan.endpoints for m in s.enabled_monitors)
        self.awscc_provider = AwsccProvider(self, "awscc", region=first.region) if needs_awscc else None

        caller = aws("data_aws_caller_identity").DataAwsCallerIdentity(self, "caller")
        region = first.region or aws("data_aws_region").DataAwsRegion(self, "region").name
        self.account = AccountContext(partition=first.partition, region=region, account_id=caller.account_id)

        self.endpoints: dict[str, EndpointMonitoring] = {}
        for settings in plan.endpoints:
            endpoint_scope = Construct(self, settings.endpoint_name) if plan.grouped else self
            output_prefix = f"{settings.endpoint_name}_" if plan.grouped else ""
            self.endpoints[settings.endpoint_name] = EndpointMonitoring(self, endpoint_scope, settings, output_prefix)
        self.add_moved_blocks()

    # ------------------------------------------------------------------------------------------
    def _backend(self, settings: Settings) -> None:
        if settings.backend == "local":
            # Relative path: cdktf's default is absolute, which breaks byte-identical output across checkouts.
            # Terraform resolves it from the stack folder (cdktf.out/stacks/<stack>/), so the default lands
            # beside the output folder, where cdktf keeps terraform.<stack>.tfstate and a re-synth never reaches.
            LocalBackend(self, path=settings.backend_local_path or default_local_state_path(self.node.id))
        elif settings.backend == "s3":
            S3Backend(
                self,
                bucket=settings.backend_s3_bucket,
                key=settings.backend_s3_key or f"{settings.stack_name}/terraform.tfstate",
                region=settings.backend_s3_region or settings.region,
                encrypt=True,
                dynamodb_table=settings.backend_s3_dynamodb_table,
            )
            if settings.backend_s3_use_lockfile:
                # S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend predates the option.
                self.add_override("terraform.backend.s3.use_lockfile", True)
        elif settings.backend == "cloud":
            workspaces = (
                NamedCloudWorkspace(settings.tfc_workspace_name)
                if settings.tfc_workspace_name
                else TaggedCloudWorkspaces(list(settings.tfc_workspace_tags or []))
            )
            CloudBackend(self, hostname=settings.tfc_hostname, organization=settings.tfc_organization, workspaces=workspaces)
        else:
            raise ValueError(f"backend: no Terraform backend for {settings.backend!r}")


class EndpointMonitoring:
    """One endpoint's monitoring role, monitors, baseline generation and outputs, built in `scope`."""

    def __init__(self, stack: MonitoringStack, scope: Construct, settings: Settings, output_prefix: str) -> None:
        self.stack, self.settings = stack, settings

        def output(name: str, value: str, description: str) -> None:
            TerraformOutput(stack, f"{output_prefix}{name}", value=value, description=description)

        images = self._images(scope, settings)
        kms_key_arn = None
        if settings.kms_key_id:
            kms_key_arn = aws("data_aws_kms_key").DataAwsKmsKey(scope, "monitoring_key", key_id=settings.kms_key_id).arn

        self.role = ServiceRole(
            scope, "monitoring_role",
            name=bounded_name(settings.stack_name, "monitoring", max_length=64),
            service="sagemaker.amazonaws.com",
            account=stack.account,
            # Confused-deputy protection: aws:SourceAccount only. The jobs are started by monitoring schedules
            # (and the baseline Lambda); AWS documents no aws:SourceArn for processing jobs started by a schedule,
            # and a SourceArn the service does not send would make every job fail to assume the role.
            source_account=True,
            statements=monitoring_statements(
                settings, stack.account, kms_key_arn=kms_key_arn,
                image_repository_arns=sorted({arn for _, _, arn in images.values()}),
            ),
            permissions_boundary=settings.permissions_boundary(stack.account),
            description=f"SageMaker Model Monitor jobs for endpoint {settings.endpoint_name}",
        )
        output("monitoring_role_arn", self.role.arn, "Execution role of the monitoring jobs")

        self.monitors: dict[str, Monitor] = {}
        for monitor in settings.enabled_monitors:
            image_uri, image_key, _ = images[MONITORS[monitor].image]
            m = Monitor(scope, monitor, config=MonitorConfig(
                monitor=settings.monitor(monitor), settings=settings, role_arn=self.role.arn, image_uri=image_uri,
                image_key=image_key, kms_key_arn=kms_key_arn, awscc_provider=stack.awscc_provider,
            ))
            # The role's policy must exist before a schedule can start jobs with it. (`node.add_dependency`
            # writes no depends_on in cdktf: the attribute must be set.)
            m.schedule.depends_on = [depends_on_address(self.role.policy)]
            self.monitors[monitor] = m
            output(f"{monitor}_job_definition_name", m.job_definition_name, f"{monitor} job definition (name changes with its content)")
            output(f"{monitor}_schedule_name", m.schedule.name, f"{monitor} monitoring schedule")
            output(f"{monitor}_schedule_arn", m.schedule.arn, f"{monitor} monitoring schedule ARN")

        self.baseline = None
        if settings.baseline_generation_enabled:
            from baseline.construct import BaselineConfig, BaselineGeneration

            self.baseline = BaselineGeneration(scope, "baseline", config=BaselineConfig(
                settings=settings, account=stack.account, monitoring_role_arn=self.role.arn,
                monitoring_role_planned_arn=self.role.planned_arn, kms_key_arn=kms_key_arn,
            ))
            output("baseline_state_machine_arn", self.baseline.state_machine.arn, "Baseline generation state machine")
            output("baseline_lambda_function_name", self.baseline.function.function_name, "Baseline Lambda")

        if settings.alerts_enabled:
            from monitors.alerts import Alerts, AlertsConfig

            self.alerts = Alerts(scope, "alerts", config=AlertsConfig(
                settings=settings, account=stack.account, kms_key_arn=kms_key_arn,
                schedules={m: (mon.schedule_name, mon.schedule.arn) for m, mon in self.monitors.items()},
                state_machine_arn=self.baseline.state_machine_arn if self.baseline else None,
            ))
            output("alert_topic_arn", self.alerts.topic_arn, "SNS topic receiving the monitoring alerts")

    def _images(self, scope: Construct, settings: Settings) -> dict[str, tuple[str, str, str]]:
        """{analyzer|clarify: (image URI reference, naming key, repository ARN)} for the images in use."""
        wanted = {MONITORS[m].image for m in settings.enabled_monitors}
        overrides = {"analyzer": settings.model_monitor_image_uri, "clarify": settings.clarify_image_uri}
        defaults = {"analyzer": ANALYZER, "clarify": CLARIFY}
        out = {}
        for kind in sorted(wanted):
            override = overrides[kind]
            if override:
                image = ECR_IMAGE_RE.match(override)
                assert image, "validated by Settings"
                arn = f"arn:{settings.partition}:ecr:{image['region']}:{image['registry']}:repository/{image['repository']}"
                out[kind] = (override, f"image:{override}", arn)
            else:
                repo, tag = defaults[kind]
                data = aws("data_aws_sagemaker_prebuilt_ecr_image").DataAwsSagemakerPrebuiltEcrImage(
                    scope, f"{kind}_image", repository_name=repo, image_tag=tag
                )
                arn = f"arn:{settings.partition}:ecr:{self.stack.account.region}:{data.registry_id}:repository/{repo}"
                out[kind] = (data.registry_path, f"prebuilt:{repo}:{tag}:{settings.region or 'provider-region'}", arn)
        return out
