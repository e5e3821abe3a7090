"""The public construct: SageMaker Model Monitor for one endpoint, dropped into any CDKTF `TerraformStack`.

    from sagemaker_model_monitoring_cdktf import SageMakerModelMonitoring, monitoring_settings

    monitoring = SageMakerModelMonitoring(stack, "monitoring", settings=monitoring_settings(
        endpoint_name=endpoint.name, model_bucket_arn=bucket.arn, stack_name="churn-monitoring", ...))
    monitoring.schedules["data_quality"].arn

It uses the stack's aws provider, creates no backend and no aws provider, and adds the awscc provider only
when a monitor needs it and the stack has none (or takes one as `awscc_provider`). `MonitoringStack`
(monitors/constructs/stack.py) is this construct plus a backend, providers and stack outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jsii
from cdktf import Aspects, IAspect, Op, TerraformOutput, TerraformProvider, TerraformResource, TerraformStack
from constructs import Construct, IConstruct

from monitors import tokens
from monitors.constructs.aws_bindings import aws
from monitors.constructs.awscc import AwsccProvider
from monitors.constructs.iam import AccountContext, ServiceRole, monitoring_statements
from monitors.constructs.monitor import Monitor, MonitorConfig
from monitors.images import table_image
from monitors.monitor_types import MONITORS
from monitors.naming import bounded_name
from monitors.payloads.job_definitions import monitor_job
from monitors.settings.fields import ECR_IMAGE_RE
from monitors.settings.model import Settings
from monitors.tooling.addresses import depends_on_address
from monitors.tooling.terraform_version import TerraformVersionStack

ANALYZER = ("sagemaker-model-monitor-analyzer", "latest")
CLARIFY = ("sagemaker-clarify-processing", "1.0")


def needs_awscc(settings: Settings) -> bool:
    """Model quality, bias and explainability are awscc resources (the aws provider has none); data quality is when
    an option only awscc's resource carries is set (data_quality_exclude_features)."""
    return any(settings.monitor(m).provider == "awscc" for m in settings.enabled_monitors)


class EndpointMonitoring:
    """One endpoint's monitoring built directly in `scope` (adds no construct level of its own): what
    `SageMakerModelMonitoring` builds in itself, and MonitoringStack in the stack for a configuration of one
    endpoint (whose Terraform addresses and construct paths are those of earlier versions).
    Arguments: see SageMakerModelMonitoring."""

    def __init__(
        self,
        scope: Construct,
        *,
        settings: Settings,
        awscc_provider: TerraformProvider | None = None,
        account: AccountContext | None = None,
        output_prefix: str | None = None,
    ) -> None:
        self.settings = settings
        stack = TerraformStack.of(scope)
        self.scope = scope
        self._checks: list[dict[str, Any]] = []
        self.account = account or self._account(settings)
        if awscc_provider is None and needs_awscc(settings):
            awscc_provider = _stack_awscc_provider(stack) or AwsccProvider(stack, "awscc", region=settings.region)
        self.awscc_provider = awscc_provider

        # A stack that finishes its own document (MonitoringStack) takes the outputs in one jsii call at the end.
        outputs: dict[str, dict[str, Any]] | None = {} if isinstance(stack, TerraformVersionStack) else None

        def output(name: str, value: str, description: str) -> None:
            if output_prefix is None:
                return
            if outputs is not None:
                outputs[f"{output_prefix}{name}"] = {"value": value, "description": description}
            else:
                TerraformOutput(stack, f"{output_prefix}{name}", value=value, description=description)

        images = self._images(settings)
        kms_key_arn = None
        if settings.kms_key_id:
            kms_key_arn = aws("data_aws_kms_key").DataAwsKmsKey(scope, "monitoring_key", key_id=settings.kms_key_id).arn
        self.kms_key_arn: str | None = kms_key_arn

        # Constructs below get typed views of the settings (settings.endpoint(), monitor_job, ...), never Settings.
        endpoint = settings.endpoint()
        permissions_boundary = settings.permissions_boundary(self.account)
        self.role = ServiceRole(
            scope,
            "monitoring_role",
            name=bounded_name(endpoint.stack_name, "monitoring", max_length=64),
            service="sagemaker.amazonaws.com",
            account=self.account,
            statements=monitoring_statements(
                settings,
                self.account,
                kms_key_arn=kms_key_arn,
                image_repository_arns=sorted({arn for _, _, arn in images.values()}),
            ),
            permissions_boundary=permissions_boundary,
            description=f"SageMaker Model Monitor jobs for endpoint {settings.endpoint_name}",
        )
        preconditions = tokens.plan_time_checks(settings) + self._checks
        if preconditions:
            # What a Terraform reference hides from the synth-time checks, checked at plan time instead.
            self.role.role.add_override("lifecycle.precondition", preconditions)
        output("monitoring_role_arn", self.role.arn, "Execution role of the monitoring jobs")

        self.monitors: dict[str, Monitor] = {}
        jobs = {monitor: monitor_job(settings, monitor, endpoint) for monitor in settings.enabled_monitors}
        for monitor, job in jobs.items():
            image_uri, image_key, _ = images[job.monitor.spec.image]
            m = Monitor(
                scope,
                monitor,
                config=MonitorConfig(
                    job=job,
                    role_arn=self.role.arn,
                    image_uri=image_uri,
                    image_key=image_key,
                    kms_key_arn=kms_key_arn,
                    awscc_provider=awscc_provider,
                ),
            )
            # The role's policy must exist before a schedule can start jobs with it. (`node.add_dependency`
            # writes no depends_on in cdktf: the attribute must be set.)
            m.schedule.depends_on = [depends_on_address(self.role.policy)]
            self.monitors[monitor] = m
            output(
                f"{monitor}_job_definition_name",
                m.job_definition_name,
                f"{monitor} job definition (name changes with its content)",
            )
            output(f"{monitor}_schedule_name", m.schedule.name, f"{monitor} monitoring schedule")
            output(f"{monitor}_schedule_arn", m.schedule.arn, f"{monitor} monitoring schedule ARN")

        self.baseline = None
        generation = settings.baseline_generation()
        if generation is not None:
            from monitors.constructs.baseline_generation import BaselineConfig, BaselineGeneration
            from monitors.settings.baseline_events import baseline_events

            # The monitors that read the generated baseline wait for it (baseline_hold_monitors).
            held = {
                m: mon
                for m, mon in self.monitors.items()
                if jobs[m].monitor.generated_baseline and settings.baseline_hold_monitors
            }
            self.baseline = BaselineGeneration(
                scope,
                "baseline",
                config=BaselineConfig(
                    endpoint=endpoint,
                    generation=generation,
                    events=baseline_events(settings),
                    permissions_boundary=permissions_boundary,
                    account=self.account,
                    monitoring_role_arn=self.role.arn,
                    monitoring_role_planned_arn=self.role.planned_arn,
                    kms_key_arn=kms_key_arn,
                    pinned=tuple(m for m in settings.enabled_monitors if settings.options(m).baseline_pinned),
                    held_schedules={m: mon.schedule_name for m, mon in held.items()},
                    schedules=tuple(mon.schedule for mon in held.values()),
                ),
            )
            output("baseline_state_machine_arn", self.baseline.state_machine.arn, "Baseline generation state machine")
            output("baseline_lambda_function_name", self.baseline.function.function_name, "Baseline Lambda")

        self.alerts = None
        alerting = settings.alerting()
        if alerting is not None:
            from monitors.constructs.alerts import Alerts, AlertsConfig

            self.alerts = Alerts(
                scope,
                "alerts",
                config=AlertsConfig(
                    alerts=alerting,
                    endpoint=endpoint,
                    monitors=tuple(job.monitor for job in jobs.values()),
                    permissions_boundary=permissions_boundary,
                    account=self.account,
                    kms_key_arn=kms_key_arn,
                    schedules={m: (mon.schedule_name, mon.schedule.arn) for m, mon in self.monitors.items()},
                    state_machine_arn=self.baseline.state_machine_arn if self.baseline else None,
                ),
            )
            output("alert_topic_arn", self.alerts.topic_arn, "SNS topic receiving the monitoring alerts")
        self.dashboard_config = None
        self.dashboard = None
        dashboard = settings.dashboard()
        if dashboard is not None:
            from monitors.constructs.dashboard import DashboardConfig, MonitorPanel, endpoint_dashboard

            self.dashboard_config = DashboardConfig(
                endpoint=endpoint,
                dashboard=dashboard,
                account=self.account,
                monitors=tuple(
                    MonitorPanel(
                        view=job.monitor,
                        schedule_name=self.monitors[m].schedule_name,
                        baseline_prefix=job.baseline_prefix,
                    )
                    for m, job in jobs.items()
                ),
                alarm_names=tuple(self.alerts.alarm_names) if self.alerts else (),
                checker_function_name=self.alerts.checker_function_name if self.alerts else None,
                state_machine_arn=self.baseline.state_machine_arn if self.baseline else None,
            )
            self.dashboard = endpoint_dashboard(scope, self.dashboard_config)
            output("dashboard_name", self.dashboard.names[0], "CloudWatch dashboard of the endpoint's monitoring")
        if outputs:  # every output above, in the order written
            assert isinstance(stack, TerraformVersionStack)
            stack.add_outputs(outputs)

    # --- typed attributes ---------------------------------------------------------------------
    @property
    def monitoring_role(self):
        """The monitoring jobs' execution role (aws_iam_role)."""
        return self.role.role

    @property
    def monitoring_role_arn(self) -> str:
        return self.role.arn

    @property
    def job_definitions(self) -> dict[str, Any]:
        """Monitor type -> job definition resource (aws_sagemaker_data_quality_job_definition or awscc_*)."""
        return {m: mon.job_definition for m, mon in self.monitors.items()}

    @property
    def schedules(self) -> dict[str, Any]:
        """Monitor type -> aws_sagemaker_monitoring_schedule."""
        return {m: mon.schedule for m, mon in self.monitors.items()}

    @property
    def state_machine(self):
        """The baseline generation state machine (aws_sfn_state_machine), or None without baseline generation."""
        return self.baseline.state_machine if self.baseline else None

    @property
    def baseline_function(self):
        """The baseline Lambda (aws_lambda_function), or None without baseline generation."""
        return self.baseline.function if self.baseline else None

    @property
    def alert_topic_arn(self) -> str | None:
        """The SNS topic receiving the alerts (given or created), or None without alerts."""
        return self.alerts.topic_arn if self.alerts else None

    # ------------------------------------------------------------------------------------------
    def _account(self, settings: Settings) -> AccountContext:
        caller = aws("data_aws_caller_identity").DataAwsCallerIdentity(self.scope, "caller")
        provider_region = aws("data_aws_region").DataAwsRegion(self.scope, "region").name
        region = settings.region or provider_region
        if settings.region:
            # ARNs are built from `region`; in a stack of one's own the aws provider's region is the user's.
            self._checks.append(
                {
                    "condition": Op.eq(provider_region, settings.region),
                    "error_message": f"region: {settings.region} must be the region of the stack's aws provider",
                }
            )
        if tokens.is_token(settings.model_bucket_arn):
            partition = aws("data_aws_partition").DataAwsPartition(self.scope, "partition").partition
        else:
            partition = settings.partition
        return AccountContext(partition=partition, region=region, account_id=caller.account_id)

    def _images(self, settings: Settings) -> dict[str, tuple[str, str, str]]:
        """{analyzer|clarify: (image URI reference, naming key, repository ARN)} for the images in use."""
        wanted = {MONITORS[m].image for m in settings.enabled_monitors}
        overrides = {"analyzer": settings.model_monitor_image_uri, "clarify": settings.clarify_image_uri}
        defaults = {"analyzer": ANALYZER, "clarify": CLARIFY}
        # A referenced bucket's partition is known at plan time only (data.aws_partition).
        partition = self.account.partition if tokens.is_token(settings.model_bucket_arn) else settings.partition
        out: dict[str, tuple[str, str, str]] = {}
        for kind in sorted(wanted):
            override = overrides[kind]
            if override:
                image = ECR_IMAGE_RE.match(override)
                assert image, "validated by Settings"
                arn = f"arn:{partition}:ecr:{image['region']}:{image['registry']}:repository/{image['repository']}"
                out[kind] = (override, f"image:{override}", arn)
            elif table := table_image(kind, settings.region):
                # The provider's data source lacks the region or its domain: the SDK's registry (monitors/images.py).
                arn = f"arn:{partition}:ecr:{table.region}:{table.account}:repository/{table.repository}"
                repo, tag = defaults[kind]
                out[kind] = (table.uri, f"prebuilt:{repo}:{tag}:{settings.region}", arn)
            else:
                repo, tag = defaults[kind]
                data = aws("data_aws_sagemaker_prebuilt_ecr_image").DataAwsSagemakerPrebuiltEcrImage(
                    self.scope, f"{kind}_image", repository_name=repo, image_tag=tag
                )
                arn = f"arn:{partition}:ecr:{self.account.region}:{data.registry_id}:repository/{repo}"
                out[kind] = (data.registry_path, f"prebuilt:{repo}:{tag}:{settings.region or 'provider-region'}", arn)
        return out


class SageMakerModelMonitoring(Construct):
    """One endpoint's monitoring as a construct in your `TerraformStack`: the monitoring role, one job definition
    and schedule per enabled monitor, optional baseline generation and alerts.

    settings: a `Settings` (from `monitoring_settings(...)` or a configuration file), or a mapping of
        parameters (validated here: `SettingsError` lists every problem). Parameters naming AWS objects may be
        Terraform references of the same stack (README "Embedding in your own CDKTF app").
    awscc_provider: the awscc provider for model quality/bias/explainability; unset, the stack's own (without
        an alias), else one is added to the stack. Data quality alone needs none (unless
        data_quality_exclude_features is set).
    account: partition, region and account id expressions; unset, read from data sources in this construct.
    output_prefix: also write stack outputs (role, job definitions, schedules, ...) with this name prefix.
    apply_tags: set the settings' tags (tags, custom_tags, project and SeedFarmer tags) on every aws resource of
        the construct, over the stack provider's default_tags (awscc resources always carry them). MonitoringStack
        passes False: its provider's default_tags carry them.

    Typed attributes: monitoring_role, job_definitions, schedules, state_machine, baseline_function,
    alert_topic_arn (and monitors, baseline, alerts for everything else).
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        settings: Settings | Mapping[str, Any],
        awscc_provider: TerraformProvider | None = None,
        account: AccountContext | None = None,
        output_prefix: str | None = None,
        apply_tags: bool = True,
    ) -> None:
        if not isinstance(settings, Settings):
            from monitors.settings.builder import monitoring_settings

            settings = monitoring_settings(**settings)  # before any construct exists: nothing half-built
        else:
            # A Settings built directly ran the model's own rules; the baseline events' rules (the Lambda's validator
            # at synth time) run in config validation, so run them here too.
            from monitors.settings.baseline_events import baseline_event_problems
            from monitors.settings.builder import SettingsError

            if problems := baseline_event_problems(settings, set()):
                raise SettingsError(problems)
        super().__init__(scope, id)
        self.resources = EndpointMonitoring(
            self, settings=settings, awscc_provider=awscc_provider, account=account, output_prefix=output_prefix
        )
        self.settings = settings
        self.account = self.resources.account
        self.awscc_provider = self.resources.awscc_provider
        self.role = self.resources.role
        self.monitors = self.resources.monitors
        self.baseline = self.resources.baseline
        self.alerts = self.resources.alerts
        self.dashboard = self.resources.dashboard
        self.dashboard_config = self.resources.dashboard_config
        self.kms_key_arn = self.resources.kms_key_arn
        tags = settings.resource_tags()
        if apply_tags and tags:
            Aspects.of(self).add(_ResourceTags(tags))

    @property
    def monitoring_role(self):
        """The monitoring jobs' execution role (aws_iam_role)."""
        return self.resources.monitoring_role

    @property
    def monitoring_role_arn(self) -> str:
        return self.resources.monitoring_role_arn

    @property
    def job_definitions(self) -> dict[str, Any]:
        """Monitor type -> job definition (aws_sagemaker_data_quality_job_definition, awscc_sagemaker_*)."""
        return self.resources.job_definitions

    @property
    def schedules(self) -> dict[str, Any]:
        """Monitor type -> aws_sagemaker_monitoring_schedule."""
        return self.resources.schedules

    @property
    def state_machine(self):
        """The baseline generation state machine (aws_sfn_state_machine); None without baseline generation."""
        return self.resources.state_machine

    @property
    def baseline_function(self):
        """The baseline Lambda (aws_lambda_function); None without baseline generation."""
        return self.resources.baseline_function

    @property
    def alert_topic_arn(self) -> str | None:
        """The SNS topic receiving the alerts (given or created); None without alerts."""
        return self.resources.alert_topic_arn


@jsii.implements(IAspect)
class _ResourceTags:
    """Tags on every aws resource that takes them (resource tags win over these, as over default_tags)."""

    def __init__(self, tags: dict[str, str]) -> None:
        self.tags = tags

    def visit(self, node: IConstruct) -> None:
        if isinstance(node, TerraformResource) and hasattr(type(node), "tags_input"):
            # tags/tags_input: attributes of the generated aws resource classes (checked above), not TerraformResource's
            node.tags = {**self.tags, **(node.tags_input or {})}  # type: ignore[attr-defined]


def _stack_awscc_provider(stack: TerraformStack) -> TerraformProvider | None:
    """The stack's default awscc provider (no alias), if it has one."""
    for node in stack.node.find_all():
        if isinstance(node, TerraformProvider) and node.terraform_resource_type == "awscc" and not node.alias:
            return node
    return None
