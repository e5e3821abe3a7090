"""The one typed settings model: every parameter declared once, with its default, description and rule.

Seed parameters keep the seed module's names, defaults and meaning (see README "Parameters"). Rules that
involve one field live on the field (an ``Annotated`` type); rules across fields are
the ``Settings._rules_*`` methods, one per README parameter group, which together report every problem at once.
A parameter's monitor type is read from ``monitors.monitor_types``; ``Settings.monitor(name)`` is one monitor's view.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, model_validator

from monitors.naming import deployment_stack_name
from monitors.monitor_types import ANALYZER_SCRIPT_FIELDS, MONITOR_TYPES, MONITORS, TIME_WINDOW_FIELDS, MonitorType, monitor_types_with

# The model quality baseline dataset's columns: our parameter -> the seed's model_quality_params field it fills.
MODEL_QUALITY_BASELINE_COLUMNS = {
    "model_quality_baseline_inference_column": "inference_attribute",
    "model_quality_baseline_probability_column": "probability_attribute",
    "model_quality_baseline_ground_truth_column": "ground_truth_attribute",
}

# --- single-field rules -------------------------------------------------------------------------

_BUCKET = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
BUCKET_ARN_RE = re.compile(rf"^arn:(aws|aws-cn|aws-us-gov):s3:::({_BUCKET})$")
S3_URI_RE = re.compile(rf"^s3://({_BUCKET})(/[^\s]*)?$")
# The forms SageMaker accepts for monitoring schedules: hourly, daily at hour H, every N hours from H.
CRON_RE = re.compile(r"^cron\(0 (\*|(\d{1,2})|(\d{1,2})/(\d{1,2})) \? \* \* \*\)$")
# The baseline Lambda's pattern (lambda_image/event_validation.py; tests/test_registry.py keeps them equal): instance
# families may contain a hyphen (ml.m7i-flex.large, botocore sagemaker service-2 shape ProcessingInstanceType).
INSTANCE_TYPE_RE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")
# The forms KMS accepts for a KeyId (KMS API reference, DescribeKey "KeyId"): key id (a UUID, or mrk-<32 hex>
# for a multi-Region key), key ARN, alias name, alias ARN. Alias names: 1-256 of [a-zA-Z0-9/_-] after alias/.
_KMS_KEY_ID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})"
KMS_KEY_RE = re.compile(
    rf"^({_KMS_KEY_ID}|alias/[a-zA-Z0-9/_-]{{1,250}}"
    rf"|arn:(aws|aws-cn|aws-us-gov):kms:[a-z0-9-]+:\d{{12}}:(key/{_KMS_KEY_ID}|alias/[a-zA-Z0-9/_-]{{1,250}}))$"
)
ENDPOINT_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
SECURITY_GROUP_RE = re.compile(r"^sg-[0-9a-f]{8,17}$")
SUBNET_RE = re.compile(r"^subnet-[0-9a-f]{8,17}$")
IAM_POLICY_ARN_RE = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):iam::\d{12}:policy/[\w+=,.@/-]+$")
ECR_IMAGE_RE = re.compile(
    r"^(?P<registry>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/(?P<repository>[a-z0-9._/-]+)(:[\w.-]+|@sha256:[0-9a-f]{64})$"
)
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
STACK_NAME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]{0,62}$")
IAM_POLICY_NAME_RE = re.compile(r"[\w+=,.@-]{1,128}")  # botocore iam service-2 shape policyNameType
TAG_KEY_RE = re.compile(r"^[\w.:/=+@ -]{1,128}$", re.UNICODE)


def did_you_mean(name: str, options: list[str]) -> str:
    """' (did you mean 'x'?)' for a close match, else ''."""
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def shorten(value: Any, limit: int = 80) -> str:
    """repr() of a value for an error message, cut to limit characters (never echo a huge value back)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 5]}...{text[-1]}" if text[-1] in "'\"" else f"{text[:limit - 3]}..."


def _matching(pattern: re.Pattern[str], rule: str):
    def check(value: str | None) -> str | None:
        # fullmatch: `$` alone would accept a trailing newline.
        if value is not None and not pattern.fullmatch(value):
            raise ValueError(f"{rule} (got {shorten(value)})")
        return value

    return AfterValidator(check)


# EventBridge schedule expressions ("Schedule expressions for rules", EventBridge user guide): rate(1 minute)
# takes the singular unit, rate(N minutes) the plural for N > 1; cron has six fields and exactly one of
# day-of-month and day-of-week is '?'.
_RATE_RE = re.compile(r"rate\((?P<n>[1-9]\d{0,5}) (?P<unit>minute|minutes|hour|hours|day|days)\)")
_CRON_FIELDS_RE = re.compile(r"cron\((?P<fields>[^()]+)\)")
_CRON_FIELD = re.compile(r"[0-9A-Za-z*?/,#L-]+")


def _events_schedule_check(value: str) -> str:
    rule = "must be an EventBridge schedule: cron(m h dom mon dow yr) or rate(N unit)"
    rate = _RATE_RE.fullmatch(value)
    if rate:
        singular = rate["n"] == "1"
        if singular != (not rate["unit"].endswith("s")):
            unit = rate["unit"].rstrip("s")
            want = f"rate(1 {unit})" if singular else f"rate({rate['n']} {unit}s)"
            raise ValueError(f"EventBridge wants {want} (singular unit only for 1) (got {shorten(value)})")
        return value
    cron = _CRON_FIELDS_RE.fullmatch(value)
    if cron:
        fields = cron["fields"].split(" ")
        if len(fields) != 6 or not all(_CRON_FIELD.fullmatch(f) for f in fields):
            raise ValueError(f"{rule}; cron needs six space-separated fields (got {shorten(value)})")
        if (fields[2] == "?") == (fields[4] == "?"):
            raise ValueError(f"{rule}; exactly one of day-of-month and day-of-week must be '?' (got {shorten(value)})")
        return value
    raise ValueError(f"{rule} (got {shorten(value)})")


_REGIONS: dict[str, list[str]] = {}


def _region_names() -> dict[str, list[str]]:
    """Known regions per partition, from botocore's endpoint data (botocore/data/endpoints.json), read as a
    file: importing botocore would put the AWS SDK on the synth path. Empty when botocore is not installed
    (then only the region pattern is checked)."""
    if not _REGIONS:
        import importlib.util
        import json
        from pathlib import Path

        spec = importlib.util.find_spec("botocore")  # finds the package without importing it
        path = Path(spec.origin).parent / "data" / "endpoints.json" if spec and spec.origin else None
        if path and path.is_file():
            data = json.loads(path.read_text(encoding="utf-8"))
            _REGIONS.update({p["partition"]: sorted(p["regions"]) for p in data["partitions"]})
    return _REGIONS


# Parameters whose text is meant literally and ends up in tags: Terraform template sequences in them are
# escaped on output ($${ and %%{) instead of rejected; every other string rejects them (monitors/settings/config.py).
LITERAL_TEXT_FIELDS = frozenset({"tags", "custom_tags", "sagemaker_project_id", "sagemaker_project_name",
                                 "seedfarmer_project_name", "seedfarmer_deployment_name", "seedfarmer_module_name"})


def terraform_literal(text: str) -> str:
    """Text as a Terraform string that evaluates to exactly text (no interpolation, no directive)."""
    return text.replace("${", "$${").replace("%{", "%%{")


def _cron_check(value: str) -> str:
    if value.strip().upper() == "NOW":
        raise ValueError(
            "SageMaker's one-off 'NOW' schedule cannot be expressed: the aws provider's "
            "aws_sagemaker_monitoring_schedule requires a cron(...) expression and has no analysis-window "
            "attributes; use cron(0 * ? * * *), cron(0 H ? * * *) or cron(0 H/N ? * * *)"
        )
    m = CRON_RE.fullmatch(value)
    hour_ok = m is not None and all(
        g is None or 0 <= int(g) <= 23 for g in (m.group(2), m.group(3))
    )
    every_ok = m is not None and (m.group(4) is None or 1 <= int(m.group(4)) <= 24)
    if not (hour_ok and every_ok):
        raise ValueError(
            "must be one of the cron forms SageMaker accepts: cron(0 * ? * * *) (hourly), "
            f"cron(0 H ? * * *) (daily at hour H, 0-23), cron(0 H/N ? * * *) (every N hours from H) (got {value!r})"
        )
    return value


def _tag_map_check(value: dict[str, str]) -> dict[str, str]:
    for key, tag_value in value.items():
        if key.lower().startswith("aws:"):
            raise ValueError(f"tag key {shorten(key)} uses the reserved 'aws:' prefix")
        if not TAG_KEY_RE.fullmatch(key):
            raise ValueError(f"tag key {shorten(key)} must be 1-128 characters of letters, digits, spaces and _.:/=+-@")
        if len(tag_value) > 256:
            raise ValueError(f"tag {shorten(key)}: value longer than 256 characters")
    return value


# Monitoring window offsets (EndpointInput/BatchTransformInput StartTimeOffset/EndTimeOffset): negative ISO 8601
# durations such as -PT2H or -P1D; CloudFormation allows at most 15 characters ("MonitoringTimeOffsetString").
TIME_OFFSET_RE = re.compile(r"^-P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def offset_seconds(value: str) -> int:
    """The (negative) number of seconds of a validated time offset."""
    m = TIME_OFFSET_RE.fullmatch(value)
    assert m, value
    days, hours, minutes, seconds = (int(g or 0) for g in m.groups())
    return -(((days * 24 + hours) * 60 + minutes) * 60 + seconds)


def _time_offset_check(value: str | None) -> str | None:
    if value is None:
        return None
    m = TIME_OFFSET_RE.fullmatch(value)
    if not m or value.endswith(("P", "T")) or len(value) > 15 or offset_seconds(value) == 0:
        raise ValueError(f"must be a negative ISO 8601 duration of at most 15 characters like -PT2H or -P1D "
                         f"(the monitoring window is in the past) (got {value!r})")
    return value




def _s3_uri_check(value: str) -> str:
    m = S3_URI_RE.fullmatch(value)
    if not m:
        raise ValueError(f"must be an S3 URI like s3://bucket/prefix (got {shorten(value)})")
    key = (m.group(2) or "")[1:]  # without the '/' after the bucket
    if not key:
        raise ValueError(f"must name a prefix inside the bucket, not the bucket root (got {shorten(value)})")
    if "//" in f"/{key}":  # would give IAM resources like bucket//prefix/*
        raise ValueError(f"must not contain an empty path segment '//' (got {shorten(value)})")
    if "*" in key or "?" in key:
        raise ValueError(f"must not contain the wildcards '*' or '?' (they would reach IAM resources) (got {shorten(value)})")
    # botocore sagemaker service-2 shape S3Uri (ProcessingS3Input, the baseline jobs): max 1024; the
    # monitoring job URIs (MonitoringS3Uri) are limited to 512 in Settings._aws_limits.
    if len(value) > 1024:
        raise ValueError(f"must be at most 1024 characters (got {len(value)})")
    return value


S3Uri = Annotated[str, AfterValidator(_s3_uri_check)]
CronExpression = Annotated[str, AfterValidator(_cron_check)]
InstanceType = Annotated[str, _matching(INSTANCE_TYPE_RE, "must be a SageMaker ML instance type like ml.m5.large")]
InstanceCount = Annotated[int, Field(ge=1, le=100)]
VolumeSizeGb = Annotated[int, Field(ge=1, le=16384)]
MonitorRuntime = Annotated[int, Field(ge=1, le=86400)]
KmsKey = Annotated[str, _matching(KMS_KEY_RE, "must be a KMS key id, alias (alias/name) or key/alias ARN")]
TagMap = Annotated[dict[str, str], AfterValidator(_tag_map_check)]
Attribute = Annotated[str, Field(min_length=1, max_length=256)]
TimeOffset = Annotated[str | None, AfterValidator(_time_offset_check)]
EcrImage = Annotated[str, _matching(ECR_IMAGE_RE, "must be an ECR image URI like 123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag")]


def _param(default: Any, description: str, *, group: str, stack_level: bool = False, **kwargs: Any) -> Any:
    """A parameter's Field. stack_level: it shapes the stack itself (backend, providers, its name, tags), so in
    one stack shared by several endpoints (stack_per_endpoint false) it cannot differ per endpoint."""
    extra: dict[str, Any] = {"group": group, **({"stack_level": True} if stack_level else {})}
    return Field(default, description=description, json_schema_extra=extra, **kwargs)


class SettingsProblems(Exception):
    """Raised (not a ValueError, so pydantic does not wrap it) with one line per problem."""

    def __init__(self, problems: list[str], settings: "Settings | None" = None):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.settings = settings  # the values that broke only cross-field rules, for the checks after them


class BatchTransformInput(BaseModel):
    """Watch a batch transform job's captured data instead of the endpoint's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_captured_destination_s3_uri: S3Uri = Field(description="Where the batch transform job's data capture writes.")
    dataset_format: Literal["csv", "json", "parquet"] = Field("csv", description="csv | json | parquet")
    csv_header: bool | None = Field(None, description="csv only: the files have a header row.")
    json_line: bool | None = Field(None, description="json only: JSON Lines.")

    @model_validator(mode="after")
    def _format_options(self) -> "BatchTransformInput":
        if self.csv_header is not None and self.dataset_format != "csv":
            raise ValueError(f"csv_header only applies to dataset_format csv (got {self.dataset_format!r})")
        if self.json_line is not None and self.dataset_format != "json":
            raise ValueError(f"json_line only applies to dataset_format json (got {self.dataset_format!r})")
        return self


# Metrics the model quality container publishes, per problem type (SageMaker developer guide,
# "Model quality metrics and Amazon CloudWatch monitoring": model-monitor-model-quality-metrics).
MODEL_QUALITY_METRICS = {
    "Regression": ("mae", "mse", "rmse", "r2"),
    "BinaryClassification": (
        "recall", "precision", "accuracy", "recall_best_constant_classifier", "precision_best_constant_classifier",
        "accuracy_best_constant_classifier", "true_positive_rate", "true_negative_rate", "false_positive_rate",
        "false_negative_rate", "auc", "f0_5", "f1", "f2", "f0_5_best_constant_classifier", "f1_best_constant_classifier",
        "f2_best_constant_classifier",
    ),
    "MulticlassClassification": (
        "accuracy", "accuracy_best_constant_classifier", "weighted_recall", "weighted_recall_best_constant_classifier",
        "weighted_precision", "weighted_precision_best_constant_classifier", "weighted_f0_5",
        "weighted_f0_5_best_constant_classifier", "weighted_f1", "weighted_f1_best_constant_classifier", "weighted_f2",
        "weighted_f2_best_constant_classifier",
    ),
}
# Clarify bias metric short names by stage ("Measure Pre-training Bias", "Measure Post-training Data and
# Model Bias"); published as bias_metric_<short name> with BiasStage "Pre-training" or "Post-Training"
# ("CloudWatch Metrics for Bias Drift Analysis": clarify-model-monitor-bias-drift-cw).
BIAS_METRICS = {
    "Pre-training": ("CI", "DPL", "KL", "JS", "LP", "TVD", "KS", "CDDL"),
    "Post-Training": ("DPPL", "DI", "DCA", "DCR", "RD", "DAR", "DRR", "AD", "CDDPL", "TE", "FT", "GE", "SD"),
}
SNS_TOPIC_ARN_RE = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FEATURE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")


def bias_stage(metric: str) -> str:
    return next(stage for stage, names in BIAS_METRICS.items() if metric in names)


def alarm_key(*parts: str) -> str:
    """The alarm's construct id and name suffix: its identifying fields, kept to letters, digits, _ and -."""
    return "_".join(re.sub(r"[^A-Za-z0-9_-]+", "-", str(part)) for part in parts)


class DriftAlarm(BaseModel):
    """Alarm when a feature's baseline drift (distance from the baseline distribution) exceeds threshold."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    feature: Annotated[str, _matching(FEATURE_RE, "must be a feature name (letters, digits, _ . -)")]
    threshold: Annotated[float, Field(ge=0, le=1)] = Field(description="Drift distance 0-1 above which to alarm.")

    direction: ClassVar[str] = "above"

    @property
    def key(self) -> str:
        return alarm_key("drift", self.feature)

    @property
    def metric_name(self) -> str:
        return f"feature_baseline_drift_{self.feature}"

    @property
    def meaning(self) -> str:
        return f"feature {self.feature} drifted from its baseline by more than {self.threshold}"

    @property
    def extra_dimensions(self) -> dict[str, str]:
        return {}


class QualityAlarm(BaseModel):
    """Alarm when a model quality metric crosses threshold in the given direction."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    metric: str
    threshold: float
    direction: Literal["above", "below"] = Field(description="Alarm when the metric goes above or below threshold.")

    @property
    def key(self) -> str:
        return alarm_key(self.metric, self.direction)

    @property
    def metric_name(self) -> str:
        return self.metric

    @property
    def meaning(self) -> str:
        return f"model quality metric {self.metric} went {self.direction} {self.threshold}"

    @property
    def extra_dimensions(self) -> dict[str, str]:
        return {}


class BiasAlarm(BaseModel):
    """Alarm when a Clarify bias metric crosses threshold; the dimensions must match the analysis
    configuration's label, label value, facet and facet value (they name the published metric)."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True, allow_inf_nan=False)

    metric: str
    threshold: float
    direction: Literal["above", "below"]
    label: str
    label_value: str
    facet: str
    facet_value: str

    @property
    def key(self) -> str:
        return alarm_key(self.metric, self.label, self.label_value, self.facet, self.facet_value, self.direction)

    @property
    def metric_name(self) -> str:
        return f"bias_metric_{self.metric}"

    @property
    def meaning(self) -> str:
        return f"bias metric {self.metric} for {self.facet}={self.facet_value} went {self.direction} {self.threshold}"

    @property
    def extra_dimensions(self) -> dict[str, str]:
        return {"BiasStage": bias_stage(self.metric), "Label": self.label, "LabelValue": self.label_value,
                "Facet": self.facet, "FacetValue": self.facet_value}


# Feature attribution metrics ("CloudWatch Metrics for Feature Drift Analysis": clarify-feature-attribute-drift-cw):
# feature_<feature> is the feature's global SHAP value, with dimensions ExplainabilityMethod "KernelShap",
# Label (the analysis configuration's label_headers, else a placeholder such as label0) and ValueType
# "GlobalShapValues".
EXPLAINABILITY_DIMENSIONS = {"ExplainabilityMethod": "KernelShap", "ValueType": "GlobalShapValues"}


class ExplainabilityAlarm(BaseModel):
    """Alarm when a feature's global SHAP value (its attribution) crosses threshold."""

    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True, allow_inf_nan=False)

    feature: Annotated[str, _matching(FEATURE_RE, "must be a feature name (letters, digits, _ . -)")]
    threshold: float
    direction: Literal["above", "below"]
    label: str = Field("label0", min_length=1, description="The analysis configuration's label_headers entry; "
                       "label0 when the model output has no label headers (as in generated baselines).")

    @property
    def key(self) -> str:
        return alarm_key(self.feature, self.label, self.direction)

    @property
    def metric_name(self) -> str:
        return f"feature_{self.feature}"

    @property
    def meaning(self) -> str:
        return f"global SHAP value of feature {self.feature} (label {self.label}) went {self.direction} {self.threshold}"

    @property
    def extra_dimensions(self) -> dict[str, str]:
        return {**EXPLAINABILITY_DIMENSIONS, "Label": self.label}


_BATCH_DESCRIPTION = ("Watch a batch transform job instead of the endpoint: {data_captured_destination_s3_uri, "
                      "dataset_format csv|json|parquet, csv_header, json_line}.")

@dataclass(frozen=True)
class MonitorSettings:
    """One monitor type's settings without the monitor prefix: ``settings.monitor("model_bias").instance_type`` is
    ``model_bias_instance_type``. Which fields a type has is its registry spec's ``view_fields`` (the others are
    None); ``enabled`` is enable_<type>_monitor, ``baseline_params`` baseline_<type>_params, ``alarms`` its alarm list."""

    spec: MonitorType
    enabled: bool
    baseline_s3_uri: str | None
    output_s3_uri: str | None
    instance_count: int
    instance_type: str
    instance_volume_size_in_gb: int
    max_runtime_in_seconds: int
    batch_transform_input: BatchTransformInput | None
    schedule_expression: str
    alarms: list[DriftAlarm] | list[QualityAlarm] | list[BiasAlarm] | list[ExplainabilityAlarm] | None
    baseline_params: dict[str, Any] | None
    publishes_metrics: bool  # its container publishes CloudWatch metrics (publish_cloudwatch_metrics)
    generated_baseline: bool  # it reads the baseline that baseline generation writes
    ground_truth_s3_uri: str | None = None
    problem_type: str | None = None
    features_attribute: str | None = None
    inference_attribute: str | None = None
    probability_attribute: str | None = None
    probability_threshold_attribute: float | None = None
    start_time_offset: str | None = None
    end_time_offset: str | None = None
    record_preprocessor_source_uri: str | None = None
    post_analytics_processor_source_uri: str | None = None
    baseline_dataset_format: str | None = None
    baseline_inference_column: str | None = None
    baseline_probability_column: str | None = None
    baseline_ground_truth_column: str | None = None

    @property
    def name(self) -> str:
        return self.spec.name


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


# Fields that have no default but must be given; declared Optional so every other rule can still be
# checked (and reported) when they are missing.
REQUIRED = ("endpoint_name", "model_bucket_arn")


class Settings(BaseModel):
    """Everything one synthesized stack needs. Field order is the README table's order."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True, validate_default=True, frozen=True, allow_inf_nan=False)

    # --- required (seed) ---
    endpoint_name: Annotated[str | None, _matching(ENDPOINT_NAME_RE, "must be a SageMaker endpoint name (letters, digits, hyphens; ≤ 63)")] = _param(
        None, "Required. Name of the deployed endpoint to monitor; it must have data capture enabled into the model bucket.", group="Required")
    model_bucket_arn: Annotated[str | None, _matching(BUCKET_ARN_RE, "must be an S3 bucket ARN like arn:aws:s3:::my-bucket")] = _param(
        None, "Required. ARN of the bucket holding data capture, baselines and monitoring output; every S3 URI must be inside it.", group="Required")

    # --- monitors (seed) ---
    enable_data_quality_monitor: bool = _param(False, "Create the data quality job definition and schedule.", group="Monitors")
    enable_model_quality_monitor: bool = _param(False, "Create the model quality job definition and schedule.", group="Monitors")
    enable_model_bias_monitor: bool = _param(False, "Create the model bias job definition and schedule.", group="Monitors")
    enable_model_explainability_monitor: bool = _param(False, "Create the model explainability job definition and schedule.", group="Monitors")

    # --- optional (seed) ---
    security_group_id: Annotated[str | None, _matching(SECURITY_GROUP_RE, "must be a security group id like sg-0123456789abcdef0")] = _param(
        None, "Security group for the monitoring jobs' VPC config; give together with subnet_ids.", group="Optional")
    subnet_ids: list[Annotated[str, _matching(SUBNET_RE, "must be a subnet id like subnet-0123456789abcdef0")]] | None = _param(
        None, "Subnets for the monitoring jobs' VPC config (list); give together with security_group_id.", group="Optional")
    kms_key_id: KmsKey | None = _param(None, "KMS key (id, alias or ARN) for monitoring outputs, volumes and logs.", group="Optional")
    sagemaker_project_id: str | None = _param(None, "Tagged as sagemaker:project-id.", group="Optional", stack_level=True)
    sagemaker_project_name: str | None = _param(None, "Tagged as sagemaker:project-name.", group="Optional", stack_level=True)
    tags: TagMap | None = _param(None, "Tags applied to every resource (provider default_tags; explicit tags on awscc resources).", group="Optional", stack_level=True)

    # --- data quality (seed) ---
    data_quality_baseline_s3_uri: S3Uri | None = _param(None, "Prefix holding statistics.json and constraints.json.", group="Data quality")
    data_quality_output_s3_uri: S3Uri | None = _param(None, "Where monitoring results are written.", group="Data quality")
    data_quality_instance_count: InstanceCount = _param(1, "Instances per monitoring job (1-100).", group="Data quality")
    data_quality_instance_type: InstanceType = _param("ml.m5.large", "Instance type of the monitoring job.", group="Data quality")
    data_quality_instance_volume_size_in_gb: VolumeSizeGb = _param(20, "ML storage volume size in GB (1-16384).", group="Data quality")
    data_quality_max_runtime_in_seconds: MonitorRuntime = _param(3600, "Maximum runtime in seconds (1-86400).", group="Data quality")
    data_quality_batch_transform_input: BatchTransformInput | None = _param(None, _BATCH_DESCRIPTION, group="Data quality")
    data_quality_schedule_expression: CronExpression = _param("cron(0 * ? * * *)", "Monitoring schedule (SageMaker cron form).", group="Data quality")

    # --- model quality (seed) ---
    model_quality_baseline_s3_uri: S3Uri | None = _param(None, "Prefix holding constraints.json.", group="Model quality")
    model_quality_output_s3_uri: S3Uri | None = _param(None, "Where monitoring results are written.", group="Model quality")
    model_quality_ground_truth_s3_uri: S3Uri | None = _param(None, "Ground truth labels merged with captured inferences.", group="Model quality")
    model_quality_instance_count: InstanceCount = _param(1, "Instances per monitoring job (1-100).", group="Model quality")
    model_quality_instance_type: InstanceType = _param("ml.m5.large", "Instance type of the monitoring job.", group="Model quality")
    model_quality_instance_volume_size_in_gb: VolumeSizeGb = _param(20, "ML storage volume size in GB (1-16384).", group="Model quality")
    model_quality_max_runtime_in_seconds: MonitorRuntime = _param(1800, "Maximum runtime in seconds (1-86400).", group="Model quality")
    model_quality_problem_type: Literal["Regression", "BinaryClassification", "MulticlassClassification"] = _param(
        "Regression", "Regression | BinaryClassification | MulticlassClassification.", group="Model quality")
    model_quality_inference_attribute: Attribute | None = _param(None, "Attribute (or index) of the captured output holding the prediction.", group="Model quality")
    model_quality_probability_attribute: Attribute | None = _param(None, "Attribute of the captured output holding the class probability.", group="Model quality")
    model_quality_probability_threshold_attribute: Annotated[float, Field(ge=0, le=1)] | None = _param(
        None, "Threshold (0-1) turning the probability into a class (BinaryClassification).", group="Model quality")
    model_quality_batch_transform_input: BatchTransformInput | None = _param(None, _BATCH_DESCRIPTION, group="Model quality")
    model_quality_schedule_expression: CronExpression = _param("cron(0 * ? * * *)", "Monitoring schedule (SageMaker cron form).", group="Model quality")

    # --- model bias (seed) ---
    model_bias_baseline_s3_uri: S3Uri | None = _param(None, "Prefix holding analysis_config.json and analysis.json (Clarify).", group="Model bias")
    model_bias_output_s3_uri: S3Uri | None = _param(None, "Where monitoring results are written.", group="Model bias")
    model_bias_ground_truth_s3_uri: S3Uri | None = _param(None, "Ground truth labels merged with captured inferences.", group="Model bias")
    model_bias_instance_count: InstanceCount = _param(1, "Instances per monitoring job (1-100).", group="Model bias")
    model_bias_instance_type: InstanceType = _param("ml.m5.large", "Instance type of the monitoring job.", group="Model bias")
    model_bias_instance_volume_size_in_gb: VolumeSizeGb = _param(20, "ML storage volume size in GB (1-16384).", group="Model bias")
    model_bias_max_runtime_in_seconds: MonitorRuntime = _param(1800, "Maximum runtime in seconds (1-86400).", group="Model bias")
    model_bias_features_attribute: Attribute | None = _param(None, "Attribute of the captured input holding the features.", group="Model bias")
    model_bias_inference_attribute: Attribute | None = _param(None, "Attribute (or index) of the captured output holding the prediction.", group="Model bias")
    model_bias_probability_attribute: Attribute | None = _param(None, "Attribute of the captured output holding the class probability.", group="Model bias")
    model_bias_probability_threshold_attribute: Annotated[float, Field(ge=0, le=1)] | None = _param(
        None, "Threshold (0-1) turning the probability into a class.", group="Model bias")
    model_bias_batch_transform_input: BatchTransformInput | None = _param(None, _BATCH_DESCRIPTION, group="Model bias")
    model_bias_schedule_expression: CronExpression = _param("cron(0 * ? * * *)", "Monitoring schedule (SageMaker cron form).", group="Model bias")

    # --- model explainability (seed) ---
    model_explainability_baseline_s3_uri: S3Uri | None = _param(None, "Prefix holding analysis_config.json and analysis.json (Clarify).", group="Model explainability")
    model_explainability_output_s3_uri: S3Uri | None = _param(None, "Where monitoring results are written.", group="Model explainability")
    model_explainability_instance_count: InstanceCount = _param(1, "Instances per monitoring job (1-100).", group="Model explainability")
    model_explainability_instance_type: InstanceType = _param("ml.m5.large", "Instance type of the monitoring job.", group="Model explainability")
    model_explainability_instance_volume_size_in_gb: VolumeSizeGb = _param(20, "ML storage volume size in GB (1-16384).", group="Model explainability")
    model_explainability_max_runtime_in_seconds: MonitorRuntime = _param(1800, "Maximum runtime in seconds (1-86400).", group="Model explainability")
    model_explainability_features_attribute: Attribute | None = _param(None, "Attribute of the captured input holding the features.", group="Model explainability")
    model_explainability_inference_attribute: Attribute | None = _param(None, "Attribute (or index) of the captured output holding the prediction.", group="Model explainability")
    model_explainability_probability_attribute: Attribute | None = _param(None, "Attribute of the captured output holding the class probability.", group="Model explainability")
    model_explainability_batch_transform_input: BatchTransformInput | None = _param(None, _BATCH_DESCRIPTION, group="Model explainability")
    model_explainability_schedule_expression: CronExpression = _param("cron(0 * ? * * *)", "Monitoring schedule (SageMaker cron form).", group="Model explainability")

    # --- monitor semantics (ours; what the SageMaker Python SDK's monitors also offer) ---
    model_quality_start_time_offset: TimeOffset = _param(
        None, "Start of each run's analysis window relative to the scheduled time, e.g. -PT2H (late ground truth; negative ISO 8601 duration).", group="Monitor windows, scripts and baseline datasets")
    model_quality_end_time_offset: TimeOffset = _param(
        None, "End of each run's analysis window, e.g. -PT1H; not before model_quality_start_time_offset.", group="Monitor windows, scripts and baseline datasets")
    model_bias_start_time_offset: TimeOffset = _param(
        None, "Start of each run's analysis window relative to the scheduled time, e.g. -PT2H (negative ISO 8601 duration).", group="Monitor windows, scripts and baseline datasets")
    model_bias_end_time_offset: TimeOffset = _param(
        None, "End of each run's analysis window, e.g. -PT1H; not before model_bias_start_time_offset.", group="Monitor windows, scripts and baseline datasets")
    data_quality_record_preprocessor_source_uri: S3Uri | None = _param(
        None, "Python script (in the model bucket) the analyzer runs on each captured record, e.g. for a custom capture format.", group="Monitor windows, scripts and baseline datasets")
    data_quality_post_analytics_processor_source_uri: S3Uri | None = _param(
        None, "Python script (in the model bucket) the analyzer runs after the analysis, e.g. custom post-processing.", group="Monitor windows, scripts and baseline datasets")
    model_quality_record_preprocessor_source_uri: S3Uri | None = _param(
        None, "Python script (in the model bucket) the analyzer runs on each captured record.", group="Monitor windows, scripts and baseline datasets")
    model_quality_post_analytics_processor_source_uri: S3Uri | None = _param(
        None, "Python script (in the model bucket) the analyzer runs after the analysis.", group="Monitor windows, scripts and baseline datasets")
    publish_cloudwatch_metrics: bool = _param(
        True, "Monitoring jobs publish their metrics to CloudWatch (publish_cloudwatch_metrics=Enabled, the SageMaker SDK's default); alarms need it.", group="Monitor windows, scripts and baseline datasets")
    model_quality_baseline_inference_column: Attribute | None = _param(
        None, "Column of the baseline dataset (baseline_training_data_s3_uri) holding the model's prediction; the dataset must hold predictions and labels. Same as baseline_model_quality_params.inference_attribute.", group="Monitor windows, scripts and baseline datasets")
    model_quality_baseline_probability_column: Attribute | None = _param(
        None, "Column of the baseline dataset holding the predicted probability. Same as baseline_model_quality_params.probability_attribute.", group="Monitor windows, scripts and baseline datasets")
    model_quality_baseline_ground_truth_column: Attribute | None = _param(
        None, "Column of the baseline dataset holding the true label. Same as baseline_model_quality_params.ground_truth_attribute.", group="Monitor windows, scripts and baseline datasets")
    data_quality_baseline_dataset_format: Literal["csv", "json_lines", "json"] = _param(
        "csv", "Format of the data quality baseline dataset: csv (with a header row) | json_lines | json (the SDK's DatasetFormat).", group="Monitor windows, scripts and baseline datasets")
    model_quality_baseline_dataset_format: Literal["csv", "json_lines", "json"] = _param(
        "csv", "Format of the model quality baseline dataset: csv (with a header row) | json_lines | json (the SDK's DatasetFormat).", group="Monitor windows, scripts and baseline datasets")

    # --- baseline generation (seed) ---
    baseline_training_data_s3_uri: S3Uri | None = _param(None, "Training data for baselines; with baseline_output_data_s3_uri enables baseline generation.", group="Baseline generation")
    baseline_output_data_s3_uri: S3Uri | None = _param(None, "Where baselines are written, one prefix per monitor type (<uri>/<monitor_type>/).", group="Baseline generation")
    baseline_instance_count: InstanceCount = _param(1, "Instances per baseline processing job (1-100).", group="Baseline generation")
    baseline_instance_type: InstanceType = _param("ml.m5.xlarge", "Instance type of the baseline processing jobs.", group="Baseline generation")
    baseline_volume_size_gb: VolumeSizeGb = _param(20, "ML storage volume size in GB for baseline jobs (1-16384).", group="Baseline generation")
    baseline_max_runtime_seconds: Annotated[int, Field(ge=1, le=432000)] = _param(3600, "Maximum runtime of a baseline job in seconds (1-432000).", group="Baseline generation")

    baseline_schedule_expression: Annotated[str, AfterValidator(_events_schedule_check)] = _param(
        "cron(0 2 * * ? *)", "When baselines are regenerated (EventBridge schedule expression).", group="Baseline generation")
    baseline_lambda_image_uri: EcrImage | None = _param(
        None, "Use this already-pushed Lambda image instead of building lambda_image/ with the docker provider (e.g. Terraform Cloud remote runs have no Docker daemon).", group="Baseline generation")
    baseline_lambda_memory_mb: Annotated[int, Field(ge=512, le=10240)] = _param(2048, "Memory of the baseline Lambda (the SageMaker SDK needs ~1 GB).", group="Baseline generation")
    baseline_log_retention_days: Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] = _param(
        365, "Retention of the Lambda and state machine log groups (a CloudWatch Logs value).", group="Baseline generation")
    baseline_poll_interval_seconds: Annotated[int, Field(ge=10, le=3600)] = _param(60, "How often the state machine checks a baseline job.", group="Baseline generation")
    baseline_run_on_deploy: bool = _param(True, "Start one baseline execution per enabled monitor at apply time (again when the baseline configuration changes); if they cannot start, the apply fails with the reason and the next apply retries.", group="Baseline generation")
    baseline_data_quality_params: dict[str, Any] | None = _param(None, "Extra data_quality_params of the baseline event (seed field names).", group="Baseline generation")
    baseline_model_quality_params: dict[str, Any] | None = _param(None, "Extra model_quality_params, e.g. ground_truth_attribute (seed field names).", group="Baseline generation")
    baseline_model_bias_params: dict[str, Any] | None = _param(None, "Extra model_bias_params: label_header, headers, dataset_type, label_values, facet_name, facet_values, probability_threshold, model_name.", group="Baseline generation")
    baseline_model_explainability_params: dict[str, Any] | None = _param(None, "Extra model_explainability_params: label_header, headers, dataset_type, model_name, num_samples, agg_method, save_local_shap_values, shap_baseline (rows of one value per feature; unset, Clarify computes a baseline: the seed's default [[0.0]] fit no dataset).", group="Baseline generation")

    # --- alerts (ours; off unless a topic is given or created) ---
    alert_sns_topic_arn: Annotated[str | None, _matching(SNS_TOPIC_ARN_RE, "must be an SNS topic ARN")] = _param(
        None, "Existing SNS topic that receives the alerts (turns alerting on).", group="Alerts")
    alert_create_topic: bool = _param(
        False, "Create an encrypted SNS topic for the alerts (turns alerting on; needs kms_key_id).", group="Alerts")
    alert_email_addresses: list[Annotated[str, _matching(EMAIL_RE, "must be an e-mail address")]] | None = _param(
        None, "E-mail subscriptions to the alert topic (each must be confirmed by its recipient).", group="Alerts")
    alert_on_monitoring_executions: bool = _param(
        True, "Notify when a monitoring execution ends Failed or CompletedWithViolations (a scheduled checker Lambda).", group="Alerts")
    alert_check_interval_minutes: Annotated[int, Field(ge=5, le=1440)] = _param(
        60, "How often the checker looks for finished monitoring executions (minutes).", group="Alerts")
    alert_on_baseline_failures: bool = _param(
        True, "Notify when a baseline generation execution fails, times out or is aborted.", group="Alerts")
    data_quality_drift_alarms: list[DriftAlarm] | None = _param(
        None, "CloudWatch alarms on feature_baseline_drift_<feature>: [{feature, threshold}] (needs publish_cloudwatch_metrics, on by default).", group="Alerts")
    model_quality_alarms: list[QualityAlarm] | None = _param(
        None, "CloudWatch alarms on model quality metrics: [{metric, threshold, direction above|below}] (needs publish_cloudwatch_metrics, on by default).", group="Alerts")
    model_bias_alarms: list[BiasAlarm] | None = _param(
        None, "CloudWatch alarms on bias_metric_<metric> (e.g. DPPL, CI): [{metric, threshold, direction, label, label_value, facet, facet_value}] as in the analysis configuration (needs publish_cloudwatch_metrics, on by default).", group="Alerts")
    model_explainability_alarms: list[ExplainabilityAlarm] | None = _param(
        None, "CloudWatch alarms on feature_<feature>, the feature's global SHAP value: [{feature, threshold, direction, label (default label0)}] (needs publish_cloudwatch_metrics, on by default).", group="Alerts")
    alarm_treat_missing_data: Literal["missing", "notBreaching", "breaching", "ignore"] = _param(
        "ignore", "Periods without data (the hours between scheduled runs have none) keep the alarm's last state; a run that fails to report is caught by the execution checker instead.", group="Alerts")

    # --- Terraform-side settings (ours) ---
    region: Annotated[str | None, _matching(REGION_RE, "must be an AWS region like us-east-1")] = _param(
        None, "AWS region of the providers; unset, the provider takes AWS_REGION at plan time.", group="Terraform", stack_level=True)
    # Never None after validation: _default_stack_name derives it when it is not given.
    stack_name: Annotated[str | None, _matching(STACK_NAME_RE, "must start with a letter; letters, digits, _ and -; ≤ 63")] = _param(
        None, "CDKTF stack name: folder cdktf.out/stacks/<stack_name>/, the default S3 state key and the prefix of the "
        "role, function, repository, log group and topic names. Unset: derived from the deployment, "
        "<project>-<deployment>-<module> (SeedFarmer) or smm, then -<endpoint_name>-<region> (see README "
        "\"Names and state per deployment\"); set it to keep names you already have.", group="Terraform", stack_level=True)
    backend: Literal["local", "s3", "cloud"] = _param("local", "Terraform state backend: local | s3 | cloud (Terraform Cloud/Enterprise).", group="Terraform", stack_level=True)
    backend_local_path: str | None = _param(None, "Local backend: state path, relative to the stack folder. Unset: `../../../terraform.<stack_name>.tfstate`, beside the output folder, where a re-synth never reaches it (cdktf's own convention).", group="Terraform", stack_level=True)
    backend_s3_bucket: str | None = _param(None, "S3 backend: state bucket.", group="Terraform", stack_level=True)
    backend_s3_key: str | None = _param(None, "S3 backend: state object key (default <stack_name>/terraform.tfstate).", group="Terraform", stack_level=True)
    backend_s3_region: Annotated[str | None, _matching(REGION_RE, "must be an AWS region like us-east-1")] = _param(
        None, "S3 backend: bucket region (default: region).", group="Terraform", stack_level=True)
    backend_s3_use_lockfile: bool = _param(True, "S3 backend: S3-native state locking (Terraform >= 1.10).", group="Terraform", stack_level=True)
    backend_s3_dynamodb_table: str | None = _param(None, "S3 backend: DynamoDB lock table (older Terraform).", group="Terraform", stack_level=True)
    tfc_hostname: str = _param("app.terraform.io", "Cloud backend: Terraform Cloud/Enterprise host.", group="Terraform", stack_level=True)
    tfc_organization: str | None = _param(None, "Cloud backend: organization.", group="Terraform", stack_level=True)
    tfc_workspace_name: str | None = _param(None, "Cloud backend: workspace name (or use tfc_workspace_tags).", group="Terraform", stack_level=True)
    tfc_workspace_tags: list[str] | None = _param(None, "Cloud backend: workspace tags (or use tfc_workspace_name).", group="Terraform", stack_level=True)

    # --- ours: images, IAM, network, tags ---
    model_monitor_image_uri: EcrImage | None = _param(
        None, "Override of the model monitor analyzer image (default: aws_sagemaker_prebuilt_ecr_image in the stack's region).", group="Advanced")
    clarify_image_uri: EcrImage | None = _param(
        None, "Override of the Clarify image used by bias/explainability (default: prebuilt sagemaker-clarify-processing:1.0).", group="Advanced")
    permissions_boundary_arn: Annotated[str | None, _matching(IAM_POLICY_ARN_RE, "must be an IAM policy ARN")] = _param(
        None, "Permissions boundary applied to every IAM role the stack creates.", group="Advanced")
    permissions_boundary_name: Annotated[str | None, _matching(IAM_POLICY_NAME_RE, "must be an IAM policy name (letters, digits and +=,.@_-; ≤ 128)")] = _param(
        None, "Permissions boundary by policy name (the seed's parameter): arn:<partition>:iam::<account>:policy/<name> of the deploying account; or give permissions_boundary_arn.", group="Advanced")
    enable_inter_container_traffic_encryption: bool = _param(
        True, "Encrypt traffic between monitoring job instances (the seed left it off; on by default here).", group="Advanced")
    enable_network_isolation: bool = _param(
        False, "Run monitoring containers without network access (the seed left it off).", group="Advanced")
    custom_tags: TagMap | None = _param(None, "Extra tags merged over `tags`.", group="Advanced", stack_level=True)

    # --- SeedFarmer context (set by SeedFarmer as SEEDFARMER_PROJECT_NAME etc., tagged when present) ---
    seedfarmer_project_name: str | None = _param(None, "Tagged as seedfarmer:project-name (from SEEDFARMER_PROJECT_NAME).", group="SeedFarmer", stack_level=True)
    seedfarmer_deployment_name: str | None = _param(None, "Tagged as seedfarmer:deployment-name (from SEEDFARMER_DEPLOYMENT_NAME).", group="SeedFarmer", stack_level=True)
    seedfarmer_module_name: str | None = _param(None, "Tagged as seedfarmer:module-name (from SEEDFARMER_MODULE_NAME).", group="SeedFarmer", stack_level=True)

    @model_validator(mode="before")
    @classmethod
    def _default_stack_name(cls, data: Any) -> Any:
        """Unset stack_name: derived from what identifies this deployment, so two never share names or state."""
        if isinstance(data, dict) and data.get("stack_name") is None:
            data = {**data, "stack_name": derived_stack_name(data)}
        return data

    # ------------------------------------------------------------------------------------------
    @property
    def enabled_monitors(self) -> tuple[str, ...]:
        return tuple(m for m in MONITOR_TYPES if self.monitor(m).enabled)

    def monitor(self, name: str) -> "MonitorSettings":
        """One monitor type's settings without its prefix (a typed view; see MonitorSettings)."""
        spec = MONITORS[name]
        values = {field: getattr(self, setting) for field, setting in spec.settings_fields.items()}
        return MonitorSettings(
            spec=spec,
            # Every monitor publishes its CloudWatch metrics unless publish_cloudwatch_metrics is false (the SageMaker
            # SDK's create_monitoring_schedule(enable_cloudwatch_metrics=True) default); alarms need them.
            publishes_metrics=spec.publishes_metrics and self.publish_cloudwatch_metrics,
            # It reads the baseline that baseline generation writes (it has no baseline URI of its own).
            generated_baseline=self.baseline_generation_enabled and values["baseline_s3_uri"] is None,
            **values,
        )

    def endpoint(self) -> EndpointSettings:
        """The settings every construct of this endpoint shares (a typed view; see EndpointSettings)."""
        assert self.endpoint_name is not None and self.model_bucket_arn is not None and self.stack_name is not None
        return EndpointSettings(
            endpoint_name=self.endpoint_name, stack_name=self.stack_name, model_bucket_arn=self.model_bucket_arn,
            kms_key_id=self.kms_key_id, tags=self.resource_tags(),
            network=NetworkSettings(
                enable_inter_container_traffic_encryption=self.enable_inter_container_traffic_encryption,
                enable_network_isolation=self.enable_network_isolation,
                security_group_id=self.security_group_id, subnet_ids=tuple(self.subnet_ids or ()),
            ),
        )

    def baseline_generation(self) -> BaselineGenerationSettings | None:
        """Baseline generation's settings (a typed view), or None when it is off."""
        if not self.baseline_generation_enabled:
            return None
        assert self.baseline_training_data_s3_uri is not None and self.baseline_output_data_s3_uri is not None
        return BaselineGenerationSettings(
            training_data_s3_uri=self.baseline_training_data_s3_uri, output_data_s3_uri=self.baseline_output_data_s3_uri,
            instance_count=self.baseline_instance_count, instance_type=self.baseline_instance_type,
            volume_size_gb=self.baseline_volume_size_gb, max_runtime_seconds=self.baseline_max_runtime_seconds,
            schedule_expression=self.baseline_schedule_expression, lambda_image_uri=self.baseline_lambda_image_uri,
            lambda_memory_mb=self.baseline_lambda_memory_mb, log_retention_days=self.baseline_log_retention_days,
            poll_interval_seconds=self.baseline_poll_interval_seconds, run_on_deploy=self.baseline_run_on_deploy,
        )

    def alerting(self) -> AlertSettings | None:
        """Alerting's settings (a typed view), or None when it is off."""
        if not self.alerts_enabled:
            return None
        return AlertSettings(
            sns_topic_arn=self.alert_sns_topic_arn, email_addresses=tuple(self.alert_email_addresses or ()),
            on_monitoring_executions=self.alert_on_monitoring_executions,
            check_interval_minutes=self.alert_check_interval_minutes,
            on_baseline_failures=self.alert_on_baseline_failures, alarm_treat_missing_data=self.alarm_treat_missing_data,
            log_retention_days=self.baseline_log_retention_days,
        )

    @property
    def baseline_generation_enabled(self) -> bool:
        return bool(self.baseline_training_data_s3_uri and self.baseline_output_data_s3_uri)

    @property
    def alerts_enabled(self) -> bool:
        return bool(self.alert_sns_topic_arn or self.alert_create_topic)

    def _rules_monitor_semantics(self, problem, bad: set[str]) -> None:
        """Group "Monitor windows, scripts and baseline datasets" (time windows, scripts, baseline datasets, one
        threshold)."""
        for monitor in monitor_types_with("start_time_offset"):
            spec, view = MONITORS[monitor], self.monitor(monitor)
            start, end = (spec.setting(field) for field in TIME_WINDOW_FIELDS)
            for field, value in ((start, view.start_time_offset), (end, view.end_time_offset)):
                if value is not None and not view.enabled:
                    problem(field, f"is set but {spec.setting('enabled')} is false")
            if view.start_time_offset and view.end_time_offset and not bad & {start, end}:
                if offset_seconds(view.end_time_offset) < offset_seconds(view.start_time_offset):
                    problem(end, f"{view.end_time_offset!r} is before {start} {view.start_time_offset!r}: the window would end "
                                 "before it starts")
        for monitor in monitor_types_with(ANALYZER_SCRIPT_FIELDS[0]):
            spec, view = MONITORS[monitor], self.monitor(monitor)
            for kind in ANALYZER_SCRIPT_FIELDS:
                field, value = spec.setting(kind), getattr(view, kind)
                if value is None or field in bad:
                    continue
                if not view.enabled:
                    problem(field, f"is set but {spec.setting('enabled')} is false")
                if self.model_bucket_arn is not None and S3_URI_RE.match(value).group(1) != self.model_bucket_name:  # type: ignore[union-attr]
                    problem(field, f"must be inside the model bucket s3://{self.model_bucket_name}/ (model_bucket_arn) (got {value!r})")
                if value.endswith("/"):
                    problem(field, f"must name a script object, not a prefix (got {value!r})")
        if not self.publish_cloudwatch_metrics:
            for spec in MONITORS.values():
                if getattr(self, spec.alarms_setting):
                    problem(spec.alarms_setting, "alarms watch published metrics, but publish_cloudwatch_metrics is false")
        # Model quality baseline columns: our names for the seed's baseline_model_quality_params fields.
        seed_params = self.baseline_model_quality_params or {}
        for column, seed_field in MODEL_QUALITY_BASELINE_COLUMNS.items():
            value = getattr(self, column)
            if value is None:
                continue
            if not self.enable_model_quality_monitor:
                problem(column, "is set but enable_model_quality_monitor is false")
            elif not self.baseline_generation_enabled:
                problem(column, "is a column of the baseline dataset: it needs baseline generation "
                                "(baseline_training_data_s3_uri and baseline_output_data_s3_uri)")
            if seed_field in seed_params and str(seed_params[seed_field]) != value:
                problem(column, f"{value!r} differs from baseline_model_quality_params.{seed_field} "
                                f"{seed_params[seed_field]!r}; give one of them")
        for monitor in monitor_types_with("baseline_dataset_format"):
            field = MONITORS[monitor].setting("baseline_dataset_format")
            if field in self.model_fields_set and not self.baseline_generation_enabled:
                problem(field, "describes the baseline dataset: it needs baseline generation "
                               "(baseline_training_data_s3_uri and baseline_output_data_s3_uri)")
        if not self.baseline_generation_enabled:
            return
        bias_params = self.baseline_model_bias_params or {}
        threshold = self.model_bias_probability_threshold_attribute
        if self.enable_model_bias_monitor and threshold is not None and "probability_threshold" in bias_params:
            try:
                differs = float(bias_params["probability_threshold"]) != threshold
            except (TypeError, ValueError):
                differs = False  # the baseline Lambda's validator reports the bad value
            if differs:
                problem("model_bias_probability_threshold_attribute",
                        f"{threshold} differs from baseline_model_bias_params.probability_threshold "
                        f"{bias_params['probability_threshold']!r}: the baseline and the monitor would turn probabilities "
                        "into labels at different cut-offs; give one of them (it reaches both)")
        if (self.enable_model_explainability_monitor and self.model_explainability_baseline_s3_uri is None
                and not (self.baseline_model_explainability_params or {}).get("model_name")):
            problem("baseline_model_explainability_params",
                    "needs model_name: the explainability monitor's analysis configuration names the model its Clarify job "
                    "deploys to a shadow endpoint (as the SageMaker SDK's ExplainabilityAnalysisConfig does)")
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
        """Tags for every resource as written to Terraform, in a stable order: seed tags, project tags,
        SeedFarmer, custom. Values are escaped so Terraform yields them literally (no ${...} evaluation)."""
        return {key: terraform_literal(value) for key, value in self._merged_tags().items()}

    def _merged_tags(self) -> dict[str, str]:
        merged: dict[str, str] = dict(self.tags or {})
        if self.sagemaker_project_id:
            merged["sagemaker:project-id"] = self.sagemaker_project_id
        if self.sagemaker_project_name:
            merged["sagemaker:project-name"] = self.sagemaker_project_name
        for part, value in (("project", self.seedfarmer_project_name), ("deployment", self.seedfarmer_deployment_name),
                            ("module", self.seedfarmer_module_name)):
            if value:
                merged[f"seedfarmer:{part}-name"] = value
        merged.update(self.custom_tags or {})
        return dict(sorted(merged.items()))

    def _alarms_match_generated_baselines(self, problem, effective: dict[str, Any]) -> None:
        """Generated baselines write the analysis configuration from the baseline params (effective: per
        monitor, with the Lambda's defaults filled in): alarm dimensions that do not match it name metrics
        that are never published."""
        if self.model_explainability_alarms and self.model_explainability_baseline_s3_uri is None:
            params = effective.get("model_explainability")
            if params is not None:
                features = [h for h in params.headers if h != params.label_header]
                given = "headers" in (self.baseline_model_explainability_params or {})
                source = "baseline_model_explainability_params.headers" if given else \
                    "the baseline Lambda's default headers (set baseline_model_explainability_params.headers)"
                for i, alarm in enumerate(self.model_explainability_alarms):
                    if alarm.feature not in features:
                        problem(f"model_explainability_alarms[{i}].feature",
                                f"{alarm.feature!r} is not a feature of {source}"
                                f"{did_you_mean(alarm.feature, features)}; features: {', '.join(features)}")
        if self.model_bias_alarms and self.model_bias_baseline_s3_uri is None:
            params = effective.get("model_bias")
            if params is not None:
                given = self.baseline_model_bias_params or {}
                for i, alarm in enumerate(self.model_bias_alarms):
                    for attribute, param in (("label", "label_header"), ("facet", "facet_name")):
                        expected = str(getattr(params, param))
                        if getattr(alarm, attribute) != expected:
                            origin = "" if param in given else " (the baseline Lambda's default)"
                            problem(f"model_bias_alarms[{i}].{attribute}",
                                    f"{getattr(alarm, attribute)!r} differs from baseline_model_bias_params.{param} "
                                    f"{expected!r}{origin}, which names the published metric")

    # ------------------------------------------------------------------------------------------
    def _aws_limits(self, problem, bad: set[str]) -> None:
        """Limits and forms AWS enforces only at apply time (botocore service-2 shape names in comments)."""
        tags = self._merged_tags()
        if len(tags) > 50:  # sagemaker TagList: max 50
            problem("tags", f"{len(tags)} tags (tags, custom_tags, project and SeedFarmer tags together); AWS allows at most 50")
        if self.subnet_ids and len(self.subnet_ids) > 16:  # sagemaker VpcConfig.Subnets: max 16
            problem("subnet_ids", f"{len(self.subnet_ids)} subnets; a monitoring job's VPC config takes at most 16")
        for name in type(self).model_fields:
            value = getattr(self, name)
            # sagemaker MonitoringS3Uri: max 512 (the training data goes to a ProcessingS3Input: 1024, checked on the field)
            if name.endswith("_s3_uri") and name != "baseline_training_data_s3_uri" and isinstance(value, str) and len(value) > 512:
                problem(name, f"must be at most 512 characters (SageMaker MonitoringS3Uri) (got {len(value)})")

        partition = self.partition if self.model_bucket_arn is not None else None
        for field in ("alert_sns_topic_arn", "kms_key_id", "permissions_boundary_arn"):
            value = getattr(self, field)
            if partition and isinstance(value, str) and value.startswith("arn:") and value.split(":")[1] != partition:
                problem(field, f"is in partition {value.split(':')[1]!r}, but the stack's (model_bucket_arn) is {partition!r}")
        known = _region_names()
        for field in ("region", "backend_s3_region"):
            value = getattr(self, field)
            if value is None or field in bad or not known:
                continue
            options = known.get(partition or "", []) if field == "region" and partition else sorted({r for rs in known.values() for r in rs})
            if value not in options:
                where = f"partition {partition!r}" if field == "region" and partition else "any partition"
                problem(field, f"{value!r} is not a known region of {where} (botocore endpoint data){did_you_mean(value, options)}")
        for field in ("alert_sns_topic_arn", "kms_key_id"):
            value = getattr(self, field)
            # SNS and KMS ARNs carry their region; SageMaker and CloudWatch use them only in the stack's region.
            if self.region and isinstance(value, str) and value.startswith("arn:") and value.split(":")[3] != self.region:
                problem(field, f"is in region {value.split(':')[3]!r}, but the stack's region is {self.region!r}")
        if self.alert_create_topic and isinstance(self.kms_key_id, str) and re.search(r"(^|:)alias/aws/", self.kms_key_id):
            problem("kms_key_id", "an AWS managed key cannot encrypt the created alert topic: CloudWatch alarms and EventBridge "
                    "cannot publish to a topic encrypted with it; give a customer managed key")
        if self.permissions_boundary_arn and self.permissions_boundary_name:
            problem("permissions_boundary_name", "give permissions_boundary_arn or permissions_boundary_name, not both")

        path = self.backend_local_path
        parts = (path or "").replace("\\", "/").split("/")
        if path is not None and "backend_local_path" not in bad and not path.startswith("/"):
            if not path or path.endswith("/") or parts[-1] in ("", ".", ".."):
                problem("backend_local_path", f"must name a state file, relative to the stack folder (got {shorten(path)})")
            elif len(path) > 1024 or parts[: 4] == [".."] * 4:
                # The stack folder is <outdir>/stacks/<stack>/: three levels up is the project folder.
                problem("backend_local_path", f"climbs out of the project folder (more than three '..') (got {shorten(path)})")
        key = self.backend_s3_key
        if key is not None and "backend_s3_key" not in bad:
            # S3 object keys: 1-1024 bytes; the S3 backend takes the key as given (no leading or trailing '/').
            if not key.strip("/") or key.startswith("/") or key.endswith("/") or "//" in key or len(key.encode()) > 1024:
                problem("backend_s3_key", f"must be an S3 object key like my-stack/terraform.tfstate: no leading or "
                        f"trailing '/', no '//', at most 1024 bytes (got {shorten(key)})")
        if self.backend_s3_bucket is not None and not re.fullmatch(_BUCKET, self.backend_s3_bucket):
            problem("backend_s3_bucket", f"must be an S3 bucket name (got {shorten(self.backend_s3_bucket)})")
        if not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?",
                            self.tfc_hostname):
            problem("tfc_hostname", f"must be a host name like app.terraform.io, not a URL (got {shorten(self.tfc_hostname)})")

    @model_validator(mode="after")
    def _cross_field_rules(self, info: ValidationInfo) -> "Settings":
        """Every rule across fields, one method per README parameter group (in this order, so the problems
        are listed the same way every time); all problems are reported at once."""
        # Fields that failed their own rule are absent here; checks that need them are skipped.
        context = info.context or {}
        bad: set[str] = set(context.get("bad_fields", ()))
        problems: list[str] = []

        def problem(field: str, rule: str) -> None:
            problems.append(f"{field}: {rule}")

        self._rules_required(problem, bad)
        self._rules_monitors(problem, bad)
        self._rules_optional(problem, bad)
        self._rules_baseline_uris(problem, bad)
        self._rules_monitor_inputs(problem, bad)
        self._rules_model_quality(problem, bad)
        self._rules_baseline_generation(problem, bad)
        self._rules_alerts(problem, bad)
        self._rules_monitor_semantics(problem, bad)
        self._rules_terraform(problem, bad)
        self._aws_limits(problem, bad)

        if problems:
            raise SettingsProblems(problems, self)
        return self

    def _rules_required(self, problem, bad: set[str]) -> None:
        """Group "Required"."""
        for field in REQUIRED:
            if getattr(self, field) is None and field not in bad:
                problem(field, "is required")

    def _rules_monitors(self, problem, bad: set[str]) -> None:
        """Group "Monitors": at least one monitor."""
        switches = [spec.setting("enabled") for spec in MONITORS.values()]
        if not self.enabled_monitors and not bad & set(switches):
            problem(switches[0], f"at least one of {', '.join(switches)} must be true")

    def _rules_optional(self, problem, bad: set[str]) -> None:
        """Group "Optional": the VPC config comes whole."""
        if (self.security_group_id is None) != (self.subnet_ids is None or self.subnet_ids == []) and not bad & {
            "security_group_id", "subnet_ids"
        }:
            problem("security_group_id", "security_group_id and subnet_ids must be given together or not at all")

    def _rules_baseline_uris(self, problem, bad: set[str]) -> None:
        """Group "Baseline generation": it needs both URIs."""
        if bool(self.baseline_training_data_s3_uri) != bool(self.baseline_output_data_s3_uri) and not bad & {
            "baseline_training_data_s3_uri", "baseline_output_data_s3_uri"
        }:
            missing = "baseline_output_data_s3_uri" if self.baseline_training_data_s3_uri else "baseline_training_data_s3_uri"
            problem(missing, "baseline_training_data_s3_uri and baseline_output_data_s3_uri must be given together")

    def _rules_monitor_inputs(self, problem, bad: set[str]) -> None:
        """The per-monitor groups (Data quality ... Model explainability): the URIs an enabled monitor needs, every S3
        URI inside the model bucket, batch transform inputs."""
        for monitor in self.enabled_monitors:
            spec, view = MONITORS[monitor], self.monitor(monitor)
            for kind in ("baseline_s3_uri", "output_s3_uri", *(("ground_truth_s3_uri",) if spec.needs_ground_truth else ())):
                field = spec.setting(kind)
                if getattr(view, kind) is None and field not in bad:
                    if kind == "baseline_s3_uri" and self.baseline_generation_enabled:
                        continue  # baseline generation writes it
                    why = " (or enable baseline generation with baseline_training_data_s3_uri and baseline_output_data_s3_uri)" if kind == "baseline_s3_uri" else ""
                    problem(field, f"is required when {spec.setting('enabled')} is true{why}")

        # Every S3 URI lives in the model bucket (the seed says so but never checked).
        if self.model_bucket_arn is not None:
            bucket = self.model_bucket_name
            for name in type(self).model_fields:
                value = getattr(self, name)
                if name.endswith("_s3_uri") and isinstance(value, str):
                    uri_bucket = S3_URI_RE.match(value).group(1)  # type: ignore[union-attr]
                    if uri_bucket != bucket:
                        problem(name, f"must be inside the model bucket s3://{bucket}/ (model_bucket_arn) (got {value!r})")

        for spec in MONITORS.values():
            batch, field = self.monitor(spec.name).batch_transform_input, spec.setting("batch_transform_input")
            if batch is None:
                continue
            if self.model_bucket_arn is not None:
                uri_bucket = S3_URI_RE.match(batch.data_captured_destination_s3_uri).group(1)  # type: ignore[union-attr]
                if uri_bucket != self.model_bucket_name:
                    problem(f"{field}.data_captured_destination_s3_uri",
                            f"must be inside the model bucket s3://{self.model_bucket_name}/ (model_bucket_arn)")
            if spec.provider == "aws" and batch.dataset_format == "parquet":
                problem(f"{field}.dataset_format", f"parquet is not available for {spec.name.replace('_', ' ')}: the aws "
                        f"provider's {spec.job_definition_resource} only has csv and json")
            if spec.name not in self.enabled_monitors:
                problem(field, f"is set but {spec.setting('enabled')} is false")

    def _rules_model_quality(self, problem, bad: set[str]) -> None:
        """Group "Model quality": where the prediction is, per problem type."""
        if self.enable_model_quality_monitor and not bad & {
            "model_quality_problem_type", "model_quality_inference_attribute",
            "model_quality_probability_attribute", "model_quality_probability_threshold_attribute",
        }:
            ptype = self.model_quality_problem_type
            if ptype in ("Regression", "MulticlassClassification") and not self.model_quality_inference_attribute:
                problem("model_quality_inference_attribute", f"is required when model_quality_problem_type is {ptype}")
            has_probability = bool(self.model_quality_probability_attribute)
            has_threshold = self.model_quality_probability_threshold_attribute is not None
            if ptype == "BinaryClassification" and has_probability != has_threshold:
                problem(
                    "model_quality_probability_attribute" if has_threshold else "model_quality_probability_threshold_attribute",
                    "BinaryClassification needs model_quality_probability_attribute together with "
                    "model_quality_probability_threshold_attribute (or model_quality_inference_attribute alone)",
                )

    def _rules_baseline_generation(self, problem, bad: set[str]) -> None:
        """Group "Baseline generation": params of a disabled monitor. The params' own rules (the baseline Lambda's
        validator) run in config validation (monitors.settings.config, through monitors.settings.baseline_events), after these."""
        enabled = self.enabled_monitors
        for spec in MONITORS.values():
            if self.monitor(spec.name).baseline_params and spec.name not in enabled:
                problem(spec.setting("baseline_params"), f"is set but {spec.setting('enabled')} is false")

    def _rules_alerts(self, problem, bad: set[str]) -> None:
        """Group "Alerts"."""
        if self.alert_sns_topic_arn and self.alert_create_topic:
            problem("alert_create_topic", "give alert_sns_topic_arn or alert_create_topic, not both")
        if self.alert_create_topic and not self.kms_key_id and "kms_key_id" not in bad:
            problem("alert_create_topic", "needs kms_key_id: CloudWatch alarms and EventBridge cannot publish to a topic "
                    "encrypted with the AWS managed key alias/aws/sns")
        alarm_settings = {spec.alarms_setting: spec for spec in MONITORS.values()}
        alert_inputs = {"alert_email_addresses": self.alert_email_addresses,
                        **{field: getattr(self, field) for field in alarm_settings}}
        for field, value in alert_inputs.items():
            if value and not self.alerts_enabled and not bad & {"alert_sns_topic_arn", "alert_create_topic"}:
                problem(field, "is set but alerting is off: give alert_sns_topic_arn or alert_create_topic")
        for field, spec in alarm_settings.items():
            if alert_inputs[field] and spec.name not in self.enabled_monitors:
                problem(field, f"is set but {spec.setting('enabled')} is false")
        if self.model_quality_alarms and "model_quality_problem_type" not in bad:
            known = MODEL_QUALITY_METRICS[self.model_quality_problem_type]
            for i, alarm in enumerate(self.model_quality_alarms):
                if alarm.metric not in known:
                    problem(f"model_quality_alarms[{i}].metric",
                            f"{alarm.metric!r} is not a {self.model_quality_problem_type} metric{did_you_mean(alarm.metric, list(known))}; "
                            f"known: {', '.join(known)}")
        known_bias = [m for names in BIAS_METRICS.values() for m in names]
        for i, alarm in enumerate(self.model_bias_alarms or []):
            if alarm.metric not in known_bias:
                problem(f"model_bias_alarms[{i}].metric", f"{alarm.metric!r} is not a Clarify bias metric"
                        f"{did_you_mean(alarm.metric, known_bias)}; known: {', '.join(known_bias)}")
        for field in alarm_settings:
            first: dict[str, int] = {}
            for i, alarm in enumerate(alert_inputs[field] or []):
                if alarm.key in first:
                    problem(f"{field}[{i}]", f"is the same alarm as {field}[{first[alarm.key]}] (alarm {alarm.key!r}); "
                            "give each alarm once")
                first.setdefault(alarm.key, i)

    def _rules_terraform(self, problem, bad: set[str]) -> None:
        """Group "Terraform": each backend's own parameters (explicit per backend; local needs none)."""
        if self.backend == "s3":
            if not self.backend_s3_bucket and "backend_s3_bucket" not in bad:
                problem("backend_s3_bucket", "is required when backend is s3")
        elif self.backend == "cloud":
            if not self.tfc_organization and "tfc_organization" not in bad:
                problem("tfc_organization", "is required when backend is cloud")
            if bool(self.tfc_workspace_name) == bool(self.tfc_workspace_tags) and not bad & {"tfc_workspace_name", "tfc_workspace_tags"}:
                problem("tfc_workspace_name", "backend cloud needs exactly one of tfc_workspace_name or tfc_workspace_tags")
        if self.backend_local_path is not None and self.backend_local_path.startswith("/") and "backend_local_path" not in bad:
            problem("backend_local_path", "must be a relative path (absolute state paths break across checkouts)")


# Parameters that shape the stack itself, declared on their fields (_param(stack_level=True)): in one stack
# shared by several endpoints (stack_per_endpoint false) they cannot differ per endpoint.
STACK_LEVEL = frozenset(name for name, field in Settings.model_fields.items()
                        if (field.json_schema_extra or {}).get("stack_level"))


class FleetSettings(BaseModel):
    """Several endpoints in one configuration: the flat parameters are shared defaults, each entry of
    `endpoints` overrides them for one endpoint (it needs at least endpoint_name)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoints: list[dict[str, Any]] | None = _param(
        None, "Several endpoints: a list of parameter mappings, each overriding the shared (flat) parameters for one endpoint.", group="Fleet")
    stack_per_endpoint: bool = _param(
        True, "With `endpoints`: one stack (own state, own workspace: <stack_name>-<endpoint_name>) per endpoint; false puts all in the stack <stack_name>.", group="Fleet")


def derived_stack_name(values: Any, *, endpoint: bool = True) -> str:
    """The default stack name for these (raw or validated) values; endpoint=False: a fleet's shared stack."""
    get = values.get if isinstance(values, dict) else lambda key: getattr(values, key)
    text = {k: None if get(k) is None else str(get(k)) for k in (
        "endpoint_name", "region", "seedfarmer_project_name", "seedfarmer_deployment_name", "seedfarmer_module_name")}
    return deployment_stack_name(
        text["endpoint_name"] if endpoint else None, text["region"], project=text["seedfarmer_project_name"],
        deployment=text["seedfarmer_deployment_name"], module=text["seedfarmer_module_name"])


def settings_warnings(settings: Settings) -> list[str]:
    """Allowed but probably unintended combinations (reported on stderr, never silently)."""
    out = []
    if settings.region is None and settings.stack_name == derived_stack_name(settings):
        out.append(
            f"warning: region: not set, so the derived stack_name {settings.stack_name!r} does not name the region: "
            "the same endpoint deployed in another region would get the same IAM role names (account-wide) and "
            "the same S3 state key; set region, or give each region its own stack_name"
        )
    if (
        settings.enable_model_quality_monitor
        and settings.model_quality_problem_type == "BinaryClassification"
        and not settings.model_quality_inference_attribute
        and not settings.model_quality_probability_attribute
    ):
        # Allowed because the seed's own sample manifest does this; SageMaker accepts the definition.
        out.append(
            "warning: model_quality_inference_attribute: BinaryClassification with neither "
            "model_quality_inference_attribute nor model_quality_probability_attribute + "
            "model_quality_probability_threshold_attribute; the job definition leaves them unset and the "
            "analyzer reads the captured output as it is; set one to say where the prediction is"
        )
    if (
        settings.enable_model_bias_monitor
        and settings.baseline_generation_enabled
        and settings.model_bias_baseline_s3_uri is None
        and "label_values" not in (settings.baseline_model_bias_params or {})
    ):
        # The seed's default; Clarify's BiasConfig.label_values_or_threshold lists the *positive* outcomes
        # ("Binary: the list has one positive value"), so "0,1" makes every binary label positive.
        out.append(
            "warning: baseline_model_bias_params: label_values is not set, so the generated bias baseline uses the "
            "seed's default '0,1', which counts both binary labels as the positive outcome and makes the bias "
            "metrics meaningless; set label_values to the positive label value(s)"
        )
    for spec in MONITORS.values():
        view = settings.monitor(spec.name)
        if view.enabled:
            continue
        # Parameters of a disabled monitor have no effect (those that would change the output are errors).
        ignored = sorted(setting for field, setting in spec.settings_fields.items() if field not in ("enabled", "baseline_params")
                         and setting in settings.model_fields_set and getattr(view, field) is not None)
        if ignored:
            out.append(f"warning: {', '.join(ignored)}: set, but {spec.setting('enabled')} is false, so ignored")
    if settings.baseline_generation_enabled and settings.enabled_monitors and all(
            settings.monitor(m).baseline_s3_uri for m in settings.enabled_monitors):
        out.append("warning: baseline_training_data_s3_uri: baseline generation is on, but every enabled monitor has its own "
                   "*_baseline_s3_uri, so no monitor reads the generated baselines (a scheduled run for nothing); "
                   "remove the baseline URIs or baseline_training_data_s3_uri/baseline_output_data_s3_uri")
    return out

