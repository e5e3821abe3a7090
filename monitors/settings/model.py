"""The one typed settings model: every parameter declared once, with its default, description and rule.

Parameters shared by the endpoint's monitoring are fields here; each monitor type's options are a nested model
declared in its own module (``monitors.monitor_types``): ``settings.data_quality.instance_type``. The module we
re-create names them flat (``data_quality_instance_type``, ``enable_data_quality_monitor``, in manifests and
``SEEDFARMER_PARAMETER_*``): ``PARAMETERS`` maps every flat name onto its place, the one mapping configuration
files, the environment, the library form, error messages and the README's table use. Rules on one field are on its
type (``monitors.settings.fields``); rules across fields are ``monitors.settings.rules``, run after validation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator
from pydantic.fields import FieldInfo

from monitors.monitor_types import MONITOR_TYPES, MONITORS
from monitors.monitor_types.base import MonitorView
from monitors.monitor_types.data_quality import DataQualityOptions
from monitors.monitor_types.model_bias import ModelBiasOptions
from monitors.monitor_types.model_explainability import ModelExplainabilityOptions
from monitors.monitor_types.model_quality import ModelQualityOptions
from monitors.naming import deployment_stack_name
from monitors.settings import rules
from monitors.settings.fields import (
    BUCKET_ARN_RE,
    EMAIL_RE,
    ENDPOINT_NAME_RE,
    IAM_POLICY_ARN_RE,
    IAM_POLICY_NAME_RE,
    REGION_RE,
    SECURITY_GROUP_RE,
    SNS_TOPIC_ARN_RE,
    STACK_NAME_RE,
    SUBNET_RE,
    EcrImage,
    EventsSchedule,
    InstanceCount,
    InstanceType,
    KmsKey,
    S3Uri,
    TagMap,
    TagValue,
    VolumeSizeGb,
    matching,
    param,
)
from monitors.settings.views import (
    AlertSettings,
    BaselineGenerationSettings,
    DashboardSettings,
    EndpointSettings,
    NetworkSettings,
)

# Fields that have no default but must be given; declared Optional so every other rule can still be
# checked (and reported) when they are missing.
REQUIRED = ("endpoint_name", "model_bucket_arn")


class SettingsProblems(Exception):
    """Raised (not a ValueError, so pydantic does not wrap it) with one line per problem."""

    def __init__(self, problems: list[str], settings: Settings | None = None):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.settings = settings  # the values that broke only cross-field rules, for the checks after them


class Settings(BaseModel):
    """Everything one endpoint's monitoring needs. Field order is the README table's order."""

    model_config = ConfigDict(
        extra="forbid", coerce_numbers_to_str=True, validate_default=True, frozen=True, allow_inf_nan=False
    )

    endpoint_name: Annotated[
        str | None, matching(ENDPOINT_NAME_RE, "must be a SageMaker endpoint name (letters, digits, hyphens; ≤ 63)")
    ] = param(
        None,
        "Required. Name of the deployed endpoint to monitor; it must have data capture enabled into the model bucket.",
        group="Required",
    )
    model_bucket_arn: Annotated[
        str | None, matching(BUCKET_ARN_RE, "must be an S3 bucket ARN like arn:aws:s3:::my-bucket")
    ] = param(
        None,
        "Required. ARN of the bucket holding data capture, baselines and monitoring output; every S3 URI must be "
        "inside it.",
        group="Required",
    )
    security_group_id: Annotated[
        str | None, matching(SECURITY_GROUP_RE, "must be a security group id like sg-0123456789abcdef0")
    ] = param(
        None, "Security group for the monitoring jobs' VPC config; give together with subnet_ids.", group="Optional"
    )
    subnet_ids: (
        list[Annotated[str, matching(SUBNET_RE, "must be a subnet id like subnet-0123456789abcdef0")]] | None
    ) = param(
        None,
        "Subnets for the monitoring jobs' VPC config (list); give together with security_group_id.",
        group="Optional",
    )
    kms_key_id: KmsKey | None = param(
        None, "KMS key (id, alias or ARN) for monitoring outputs, volumes and logs.", group="Optional"
    )
    sagemaker_project_id: TagValue = param(None, "Tagged as sagemaker:project-id.", group="Optional", stack_level=True)
    sagemaker_project_name: TagValue = param(
        None, "Tagged as sagemaker:project-name.", group="Optional", stack_level=True
    )
    tags: TagMap | None = param(
        None,
        "Tags applied to every resource (provider default_tags; explicit tags on awscc resources).",
        group="Optional",
        stack_level=True,
    )
    # --- the monitor types' options (flat names <monitor>_<option>; see PARAMETERS) ---
    data_quality: DataQualityOptions = Field(default_factory=DataQualityOptions)
    model_quality: ModelQualityOptions = Field(default_factory=ModelQualityOptions)
    model_bias: ModelBiasOptions = Field(default_factory=ModelBiasOptions)
    model_explainability: ModelExplainabilityOptions = Field(default_factory=ModelExplainabilityOptions)
    publish_cloudwatch_metrics: bool = param(
        True,
        "Monitoring jobs publish their metrics to CloudWatch (publish_cloudwatch_metrics=Enabled, the SageMaker "
        "SDK's default); alarms need it.",
        group="Monitors",
    )
    baseline_training_data_s3_uri: S3Uri | None = param(
        None,
        "Training data for baselines; with baseline_output_data_s3_uri enables baseline generation.",
        group="Baseline generation",
    )
    baseline_output_data_s3_uri: S3Uri | None = param(
        None,
        "Where baselines are written, one prefix per monitor type (<uri>/<monitor_type>/).",
        group="Baseline generation",
    )
    baseline_instance_count: InstanceCount = param(
        1, "Instances per baseline processing job (1-100).", group="Baseline generation"
    )
    baseline_instance_type: InstanceType = param(
        "ml.m5.xlarge", "Instance type of the baseline processing jobs.", group="Baseline generation"
    )
    baseline_volume_size_gb: VolumeSizeGb = param(
        20, "ML storage volume size in GB for baseline jobs (1-16384).", group="Baseline generation"
    )
    baseline_max_runtime_seconds: Annotated[int, Field(ge=1, le=432000)] = param(
        3600, "Maximum runtime of a baseline job in seconds (1-432000).", group="Baseline generation"
    )
    baseline_schedule_expression: EventsSchedule = param(
        "cron(0 2 * * ? *)",
        "When baselines are regenerated (EventBridge schedule expression).",
        group="Baseline generation",
    )
    baseline_lambda_image_uri: EcrImage | None = param(
        None,
        "Use this already-pushed Lambda image instead of building lambda_image/ with the docker provider (e.g. "
        "Terraform Cloud remote runs have no Docker daemon).",
        group="Baseline generation",
    )
    baseline_lambda_memory_mb: Annotated[int, Field(ge=512, le=10240)] = param(
        2048, "Memory of the baseline Lambda (the SageMaker SDK needs ~1 GB).", group="Baseline generation"
    )
    baseline_log_retention_days: Literal[
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653
    ] = param(
        365,
        "Retention of the Lambda and state machine log groups (a CloudWatch Logs value).",
        group="Baseline generation",
    )
    baseline_poll_interval_seconds: Annotated[int, Field(ge=10, le=3600)] = param(
        60, "How often the state machine checks a baseline job.", group="Baseline generation"
    )
    baseline_run_on_deploy: bool = param(
        True,
        "Start one baseline execution per enabled monitor at apply time (again when the baseline configuration "
        "changes); if they cannot start, the apply fails with the reason and the next apply retries.",
        group="Baseline generation",
    )
    baseline_run_on_schedule: bool = param(
        True,
        "Regenerate the baselines on baseline_schedule_expression (an EventBridge schedule); false: no schedule, "
        "baselines are generated at apply time (baseline_run_on_deploy) or when you start the state machine.",
        group="Baseline generation",
    )
    baseline_hold_monitors: bool = param(
        True,
        "With baseline_run_on_deploy: the run on deploy stops the schedule of each monitor whose generated baseline "
        "does not exist yet, and its first promotion starts it (no run against a missing baseline). false: schedules "
        "run from the first apply (their runs fail until the baseline exists).",
        group="Baseline generation",
    )
    alert_sns_topic_arn: Annotated[str | None, matching(SNS_TOPIC_ARN_RE, "must be an SNS topic ARN")] = param(
        None, "Existing SNS topic that receives the alerts (turns alerting on).", group="Alerts"
    )
    alert_create_topic: bool = param(
        False, "Create an encrypted SNS topic for the alerts (turns alerting on; needs kms_key_id).", group="Alerts"
    )
    alert_email_addresses: list[Annotated[str, matching(EMAIL_RE, "must be an e-mail address")]] | None = param(
        None, "E-mail subscriptions to the alert topic (each must be confirmed by its recipient).", group="Alerts"
    )
    alert_on_monitoring_executions: bool = param(
        True,
        "Notify when a monitoring execution ends Failed or CompletedWithViolations (a scheduled checker Lambda).",
        group="Alerts",
    )
    alert_check_interval_minutes: Annotated[int, Field(ge=5, le=1440)] = param(
        60, "How often the checker looks for finished monitoring executions (minutes).", group="Alerts"
    )
    alert_on_baseline_failures: bool = param(
        True, "Notify when a baseline generation execution fails, times out or is aborted.", group="Alerts"
    )
    alarm_treat_missing_data: Literal["missing", "notBreaching", "breaching", "ignore"] = param(
        "ignore",
        "Periods without data (the hours between scheduled runs have none) keep the alarm's last state; a run that "
        "fails to report is caught by the execution checker instead.",
        group="Alerts",
    )
    dashboard_enabled: bool = param(
        False,
        "A CloudWatch dashboard for the endpoint (alarm states, drift, model quality, bias, explainability, the "
        "endpoint's health, report locations), and a fleet overview in a shared stack; charged per dashboard beyond "
        "the free ones.",
        group="Alerts",
    )
    region: Annotated[str | None, matching(REGION_RE, "must be an AWS region like us-east-1")] = param(
        None,
        "AWS region of the providers; unset, the provider takes AWS_REGION at plan time.",
        group="Terraform",
        stack_level=True,
    )
    # Never None after validation: _default_stack_name derives it when it is not given.
    stack_name: Annotated[
        str | None, matching(STACK_NAME_RE, "must start with a letter; letters, digits, _ and -; ≤ 63")
    ] = param(
        None,
        "CDKTF stack name: folder cdktf.out/stacks/<stack_name>/, the default S3 state key and the prefix of the "
        "role, function, repository, log group and topic names. Unset: derived from the deployment, "
        "<project>-<deployment>-<module> (SeedFarmer) or smm, then -<endpoint_name>-<region> (see README "
        '"Names and state per deployment"); set it to keep names you already have.',
        group="Terraform",
        stack_level=True,
    )
    backend: Literal["local", "s3", "cloud"] = param(
        "local",
        "Terraform state backend: local | s3 | cloud (Terraform Cloud/Enterprise).",
        group="Terraform",
        stack_level=True,
    )
    backend_local_path: str | None = param(
        None,
        "Local backend: state path, relative to the stack folder. Unset: `../../../terraform.<stack_name>.tfstate`, "
        "beside the output folder, where a re-synth never reaches it (cdktf's own convention).",
        group="Terraform",
        stack_level=True,
    )
    backend_s3_bucket: str | None = param(None, "S3 backend: state bucket.", group="Terraform", stack_level=True)
    backend_s3_key: str | None = param(
        None,
        "S3 backend: state object key (default <stack_name>/terraform.tfstate).",
        group="Terraform",
        stack_level=True,
    )
    backend_s3_region: Annotated[str | None, matching(REGION_RE, "must be an AWS region like us-east-1")] = param(
        None, "S3 backend: bucket region (default: region).", group="Terraform", stack_level=True
    )
    backend_s3_use_lockfile: bool = param(
        True, "S3 backend: S3-native state locking (Terraform >= 1.10).", group="Terraform", stack_level=True
    )
    backend_s3_dynamodb_table: str | None = param(
        None, "S3 backend: DynamoDB lock table (older Terraform).", group="Terraform", stack_level=True
    )
    tfc_hostname: str = param(
        "app.terraform.io", "Cloud backend: Terraform Cloud/Enterprise host.", group="Terraform", stack_level=True
    )
    tfc_organization: str | None = param(None, "Cloud backend: organization.", group="Terraform", stack_level=True)
    tfc_workspace_name: str | None = param(
        None,
        "Cloud backend: workspace name; {stack_name} and {endpoint_name} in it are replaced by each stack's, e.g. "
        "mm-{stack_name}: one workspace per stack of a fleet. Unset (and no tfc_workspace_tags): the stack name.",
        group="Terraform",
        stack_level=True,
    )
    tfc_workspace_tags: list[str] | None = param(
        None,
        "Cloud backend: workspace tags instead of a name; you choose each stack's workspace among the tagged ones "
        "(terraform workspace select, or TF_WORKSPACE).",
        group="Terraform",
        stack_level=True,
    )
    model_monitor_image_uri: EcrImage | None = param(
        None,
        "Override of the model monitor analyzer image (default: aws_sagemaker_prebuilt_ecr_image in the stack's "
        "region).",
        group="Advanced",
    )
    clarify_image_uri: EcrImage | None = param(
        None,
        "Override of the Clarify image used by bias/explainability (default: prebuilt "
        "sagemaker-clarify-processing:1.0).",
        group="Advanced",
    )
    permissions_boundary_arn: Annotated[str | None, matching(IAM_POLICY_ARN_RE, "must be an IAM policy ARN")] = param(
        None, "Permissions boundary applied to every IAM role the stack creates.", group="Advanced"
    )
    permissions_boundary_name: Annotated[
        str | None, matching(IAM_POLICY_NAME_RE, "must be an IAM policy name (letters, digits and +=,.@_-; ≤ 128)")
    ] = param(
        None,
        "Permissions boundary by policy name (the seed's parameter): arn:<partition>:iam::<account>:policy/<name> of "
        "the deploying account; or give permissions_boundary_arn.",
        group="Advanced",
    )
    enable_inter_container_traffic_encryption: bool = param(
        True,
        "Encrypt traffic between monitoring job instances (the seed left it off; on by default here).",
        group="Advanced",
    )
    enable_network_isolation: bool = param(
        False, "Run monitoring containers without network access (the seed left it off).", group="Advanced"
    )
    custom_tags: TagMap | None = param(None, "Extra tags merged over `tags`.", group="Advanced", stack_level=True)
    seedfarmer_project_name: TagValue = param(
        None, "Tagged as seedfarmer:project-name (from SEEDFARMER_PROJECT_NAME).", group="SeedFarmer", stack_level=True
    )
    seedfarmer_deployment_name: TagValue = param(
        None,
        "Tagged as seedfarmer:deployment-name (from SEEDFARMER_DEPLOYMENT_NAME).",
        group="SeedFarmer",
        stack_level=True,
    )
    seedfarmer_module_name: TagValue = param(
        None, "Tagged as seedfarmer:module-name (from SEEDFARMER_MODULE_NAME).", group="SeedFarmer", stack_level=True
    )

    @model_validator(mode="before")
    @classmethod
    def _flat_names_and_default_stack_name(cls, data: Any) -> Any:
        """Flat monitor parameters (``Settings(enable_data_quality_monitor=True, ...)``, the names of the README table)
        go into their monitor type's options; unset stack_name is derived from what identifies this deployment, so
        two never share names or state."""
        if isinstance(data, dict):
            data = nest(data)
            if data.get("stack_name") is None:
                data = {**data, "stack_name": derived_stack_name(data)}
        return data

    @model_validator(mode="after")
    def _cross_field_rules(self, info: ValidationInfo) -> Settings:
        """Every rule across fields (monitors.settings.rules); all problems are reported at once. The context's
        bad_fields failed their own rule (they are absent here): rules that read them are skipped."""
        problems = rules.check(self, frozenset((info.context or {}).get("bad_fields", ())))
        if problems:
            raise SettingsProblems(problems, self)
        return self

    # ------------------------------------------------------------------------------------------
    def options(self, monitor: str) -> Any:
        """One monitor type's options model (``settings.options("model_bias")`` is ``settings.model_bias``)."""
        by_type = {
            "data_quality": self.data_quality,
            "model_quality": self.model_quality,
            "model_bias": self.model_bias,
            "model_explainability": self.model_explainability,
        }
        return by_type[monitor]

    def monitor(self, name: str) -> MonitorView:
        """One monitor's view: its type, its options and what the endpoint's settings decide for it."""
        options = self.options(name)
        return MonitorView(
            spec=MONITORS[name],
            options=options,
            # Every monitor publishes its CloudWatch metrics unless publish_cloudwatch_metrics is false (the SageMaker
            # SDK's create_monitoring_schedule(enable_cloudwatch_metrics=True) default); alarms need them.
            publishes_metrics=MONITORS[name].publishes_metrics and self.publish_cloudwatch_metrics,
            # It reads the baseline that baseline generation writes (it has no baseline URI of its own).
            generated_baseline=self.baseline_generation_enabled and options.baseline_s3_uri is None,
        )

    @property
    def enabled_monitors(self) -> tuple[str, ...]:
        return tuple(m for m in MONITOR_TYPES if self.options(m).enabled)

    def parameter(self, name: str) -> Any:
        """The value of a parameter by its flat name (PARAMETERS)."""
        where = PARAMETERS[name]
        return getattr(self.options(where.monitor) if where.monitor else self, where.field)

    def with_parameters(self, values: Mapping[str, Any]) -> Settings:
        """A copy with parameters (flat names) replaced as they are, without validation (Terraform references put
        back after validating stand-ins: monitors.settings.builder)."""
        nested = nest(values)
        update = {
            key: self.options(key).model_copy(update=value) if key in MONITORS else value
            for key, value in nested.items()
        }
        return self.model_copy(update=update)

    def endpoint(self) -> EndpointSettings:
        """The settings every construct of this endpoint shares (a typed view; see EndpointSettings)."""
        assert self.endpoint_name is not None and self.model_bucket_arn is not None and self.stack_name is not None
        return EndpointSettings(
            endpoint_name=self.endpoint_name,
            stack_name=self.stack_name,
            model_bucket_arn=self.model_bucket_arn,
            kms_key_id=self.kms_key_id,
            tags=self.resource_tags(),
            network=NetworkSettings(
                enable_inter_container_traffic_encryption=self.enable_inter_container_traffic_encryption,
                enable_network_isolation=self.enable_network_isolation,
                security_group_id=self.security_group_id,
                subnet_ids=tuple(self.subnet_ids or ()),
            ),
        )

    def baseline_generation(self) -> BaselineGenerationSettings | None:
        """Baseline generation's settings (a typed view), or None when it is off."""
        if not self.baseline_generation_enabled:
            return None
        assert self.baseline_training_data_s3_uri is not None and self.baseline_output_data_s3_uri is not None
        return BaselineGenerationSettings(
            training_data_s3_uri=self.baseline_training_data_s3_uri,
            output_data_s3_uri=self.baseline_output_data_s3_uri,
            instance_count=self.baseline_instance_count,
            instance_type=self.baseline_instance_type,
            volume_size_gb=self.baseline_volume_size_gb,
            max_runtime_seconds=self.baseline_max_runtime_seconds,
            schedule_expression=self.baseline_schedule_expression,
            lambda_image_uri=self.baseline_lambda_image_uri,
            lambda_memory_mb=self.baseline_lambda_memory_mb,
            log_retention_days=self.baseline_log_retention_days,
            poll_interval_seconds=self.baseline_poll_interval_seconds,
            run_on_deploy=self.baseline_run_on_deploy,
            run_on_schedule=self.baseline_run_on_schedule,
        )

    def alerting(self) -> AlertSettings | None:
        """Alerting's settings (a typed view), or None when it is off."""
        if not self.alerts_enabled:
            return None
        return AlertSettings(
            sns_topic_arn=self.alert_sns_topic_arn,
            email_addresses=tuple(self.alert_email_addresses or ()),
            on_monitoring_executions=self.alert_on_monitoring_executions,
            check_interval_minutes=self.alert_check_interval_minutes,
            on_baseline_failures=self.alert_on_baseline_failures,
            alarm_treat_missing_data=self.alarm_treat_missing_data,
            log_retention_days=self.baseline_log_retention_days,
        )

    def dashboard(self) -> DashboardSettings | None:
        """The dashboard's settings (a typed view), or None when it is off."""
        if not self.dashboard_enabled:
            return None
        features: list[str] = [alarm.feature for alarm in self.data_quality.alarms or []]
        for monitor in ("model_bias", "model_explainability"):
            # The baseline dataset's columns (the Clarify baselines' headers) are the features data quality reports on.
            params = self.options(monitor).baseline_params or {}
            headers, label = params.get("headers"), params.get("label_header")
            if isinstance(headers, list):
                features += [str(h) for h in headers if str(h) != str(label)]
        return DashboardSettings(
            features=tuple(dict.fromkeys(features)),
            baseline_output_s3_uri=self.baseline_output_data_s3_uri if self.baseline_generation_enabled else None,
        )

    @property
    def baseline_generation_enabled(self) -> bool:
        return bool(self.baseline_training_data_s3_uri and self.baseline_output_data_s3_uri)

    @property
    def alerts_enabled(self) -> bool:
        return bool(self.alert_sns_topic_arn or self.alert_create_topic)

    @property
    def validated_stack_name(self) -> str:
        """stack_name after validation: always set (derived when unset); Optional in the model only so that every
        problem is reported."""
        assert self.stack_name is not None
        return self.stack_name

    @property
    def validated_endpoint_name(self) -> str:
        """endpoint_name after validation: required, so always set; Optional in the model only so that every
        problem is reported."""
        assert self.endpoint_name is not None
        return self.endpoint_name

    @property
    def model_bucket_name(self) -> str:
        assert self.model_bucket_arn is not None
        return self.model_bucket_arn.split(":::", 1)[1]

    @property
    def partition(self) -> str:
        assert self.model_bucket_arn is not None
        return self.model_bucket_arn.split(":")[1]

    def permissions_boundary(self, account: Any) -> str | None:
        """The boundary policy's ARN; a name is resolved in the stack's partition and the deploying account
        (an AccountContext: its account_id is known only at plan time)."""
        if self.permissions_boundary_name:
            return f"arn:{account.partition}:iam::{account.account_id}:policy/{self.permissions_boundary_name}"
        return self.permissions_boundary_arn

    @property
    def vpc_enabled(self) -> bool:
        return bool(self.subnet_ids)

    def resource_tags(self) -> dict[str, str]:
        """Tags for every resource as written to Terraform: the merged tags (AWS's tag characters hold no '$' or
        '{', so Terraform reads them literally)."""
        return self.merged_tags()

    def merged_tags(self) -> dict[str, str]:
        """The tags in a stable order: seed tags, project tags, SeedFarmer, custom (custom_tags wins)."""
        merged: dict[str, str] = dict(self.tags or {})
        if self.sagemaker_project_id:
            merged["sagemaker:project-id"] = self.sagemaker_project_id
        if self.sagemaker_project_name:
            merged["sagemaker:project-name"] = self.sagemaker_project_name
        for part, value in (
            ("project", self.seedfarmer_project_name),
            ("deployment", self.seedfarmer_deployment_name),
            ("module", self.seedfarmer_module_name),
        ):
            if value:
                merged[f"seedfarmer:{part}-name"] = value
        merged.update(self.custom_tags or {})
        return dict(sorted(merged.items()))


@dataclass(frozen=True)
class Parameter:
    """One flat parameter: a field of Settings, or an option of a monitor type's model."""

    name: str  # the flat name: data_quality_instance_type, region
    monitor: str | None  # the monitor type whose option it is
    field: str  # its field in Settings, or in the monitor type's options model
    info: FieldInfo

    def extra(self, key: str) -> Any:
        extra = self.info.json_schema_extra
        return extra.get(key) if isinstance(extra, dict) else None


def _parameters() -> dict[str, Parameter]:
    out: dict[str, Parameter] = {}
    for name, info in Settings.model_fields.items():
        if name in MONITORS:
            spec = MONITORS[name]
            for option, option_info in spec.options.model_fields.items():
                out[spec.setting(option)] = Parameter(spec.setting(option), name, option, option_info)
        else:
            out[name] = Parameter(name, None, name, info)
    return out


# Every flat parameter name -> where it lives (the one mapping between the flat names and the nested models).
PARAMETERS: Mapping[str, Parameter] = _parameters()
# Parameters that shape the stack itself, declared on their fields (param(stack_level=True)): in one stack
# shared by several endpoints (stack_per_endpoint false) they cannot differ per endpoint.
STACK_LEVEL = frozenset(name for name, p in PARAMETERS.items() if p.extra("stack_level"))


def nest(values: Mapping[str, Any]) -> dict[str, Any]:
    """Flat parameters -> the nested shape Settings validates (a monitor option goes into its type's mapping, beside
    what a nested mapping or options model of that type already gives)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        where = PARAMETERS.get(name)
        if where is None or where.monitor is None:
            if name in MONITORS and isinstance(out.get(name), dict):
                given = value.model_dump(exclude_unset=True) if isinstance(value, BaseModel) else value
                out[name] = {**given, **out[name]} if isinstance(given, Mapping) else value
            else:
                out[name] = value
            continue
        options = out.get(where.monitor)
        if isinstance(options, BaseModel):
            options = options.model_dump(exclude_unset=True)
        out[where.monitor] = {**(options if isinstance(options, Mapping) else {}), where.field: value}
    return out


def flat_location(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """A validation error's location in flat names: ("data_quality", "instance_type") ->
    ("data_quality_instance_type",)."""
    if len(loc) > 1 and loc[0] in MONITORS and isinstance(loc[1], str) and MONITORS[loc[0]].has(loc[1]):
        return (MONITORS[loc[0]].setting(loc[1]), *loc[2:])
    return loc


class FleetSettings(BaseModel):
    """Several endpoints in one configuration: the flat parameters are shared defaults, each entry of
    `endpoints` overrides them for one endpoint (it needs at least endpoint_name)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoints: list[dict[str, Any]] | None = param(
        None,
        "Several endpoints: a list of parameter mappings, each overriding the shared (flat) parameters for one "
        "endpoint.",
        group="Fleet",
    )
    stack_per_endpoint: bool = param(
        True,
        "With `endpoints`: one stack (own state, own workspace: <stack_name>-<endpoint_name>) per endpoint; false "
        "puts all in the stack <stack_name>.",
        group="Fleet",
    )


def derived_stack_name(values: Any, *, endpoint: bool = True) -> str:
    """The default stack name for these (raw or validated) values; endpoint=False: a fleet's shared stack."""
    get = values.get if isinstance(values, dict) else lambda key: getattr(values, key)
    text = {
        k: None if get(k) is None else str(get(k))
        for k in (
            "endpoint_name",
            "region",
            "seedfarmer_project_name",
            "seedfarmer_deployment_name",
            "seedfarmer_module_name",
        )
    }
    return deployment_stack_name(
        text["endpoint_name"] if endpoint else None,
        text["region"],
        project=text["seedfarmer_project_name"],
        deployment=text["seedfarmer_deployment_name"],
        module=text["seedfarmer_module_name"],
    )
