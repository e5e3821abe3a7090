"""Single-field rules and helpers every settings model uses: patterns, annotated types, `param()`.

A rule that involves one field lives on its type here (an ``Annotated`` type); rules across fields are in
``monitors.settings.rules``. Pure: no cdktf, no settings model.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

# --- single-field rules -------------------------------------------------------------------------

BUCKET_NAME = r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
BUCKET_ARN_RE = re.compile(rf"^arn:(aws|aws-cn|aws-us-gov):s3:::({BUCKET_NAME})$")
S3_URI_RE = re.compile(rf"^s3://({BUCKET_NAME})(/[^\s]*)?$")
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


def did_you_mean(name: str, options: list[str]) -> str:
    """' (did you mean 'x'?)' for a close match, else ''."""
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def shorten(value: Any, limit: int = 80) -> str:
    """repr() of a value for an error message, cut to limit characters (never echo a huge value back)."""
    text = repr(value)
    return (
        text
        if len(text) <= limit
        else f"{text[: limit - 5]}...{text[-1]}"
        if text[-1] in "'\""
        else f"{text[: limit - 3]}..."
    )


def matching(pattern: re.Pattern[str], rule: str):
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


def events_schedule_check(value: str) -> str:
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


def region_names() -> dict[str, list[str]]:
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


_BOTOCORE_CACHE: dict[str, Any] = {}


def _botocore_data(relative: str) -> Path | None:
    """A file of botocore's data folder (found without importing botocore: no AWS SDK on the synth path)."""
    import importlib.util

    spec = importlib.util.find_spec("botocore")
    if not spec or not spec.origin:
        return None
    for name in (relative, f"{relative}.gz"):
        path = Path(spec.origin).parent / "data" / name
        if path.is_file():
            return path
    return None


def processing_instance_types() -> frozenset[str]:
    """The instance types SageMaker processing jobs (monitoring and baseline jobs) take: botocore's sagemaker
    service model, shape ProcessingInstanceType. Empty when botocore is not installed (then only the pattern)."""
    if "processing" not in _BOTOCORE_CACHE:
        import gzip
        import json

        path = _botocore_data("sagemaker/2017-07-24/service-2.json")
        types: frozenset[str] = frozenset()
        if path is not None:
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8") as f:
                types = frozenset(json.load(f)["shapes"]["ProcessingInstanceType"]["enum"])
        _BOTOCORE_CACHE["processing"] = types
    return _BOTOCORE_CACHE["processing"]


def processing_instance_type_check(value: str) -> str:
    known = processing_instance_types()
    if known and value not in known:
        raise ValueError(
            f"{value!r} is not an instance type SageMaker processing jobs take (botocore ProcessingInstanceType)"
            f"{did_you_mean(value, sorted(known))}"
        )
    return value


def _cron_check(value: str) -> str:
    if value.strip().upper() == "NOW":
        raise ValueError(
            "SageMaker's one-off 'NOW' schedule cannot be expressed: the aws provider's "
            "aws_sagemaker_monitoring_schedule requires a cron(...) expression and has no analysis-window "
            "attributes; use cron(0 * ? * * *), cron(0 H ? * * *) or cron(0 H/N ? * * *)"
        )
    m = CRON_RE.fullmatch(value)
    hour_ok = m is not None and all(g is None or 0 <= int(g) <= 23 for g in (m.group(2), m.group(3)))
    every_ok = m is not None and (m.group(4) is None or 1 <= int(m.group(4)) <= 24)
    if not (hour_ok and every_ok):
        raise ValueError(
            "must be one of the cron forms SageMaker accepts: cron(0 * ? * * *) (hourly), "
            f"cron(0 H ? * * *) (daily at hour H, 0-23), cron(0 H/N ? * * *) (every N hours from H) (got {value!r})"
        )
    return value


# Tag keys and values as SageMaker, IAM, Lambda and CloudWatch Logs accept them (botocore service-2 shapes TagKey /
# TagValue, IAM tagKeyType / tagValueType): letters, separators (spaces) and numbers of any script, and _.:/=+-@;
# keys 1-128 characters, values 0-256. So no '$' or '{': a tag can hold no Terraform template.
TAG_PUNCTUATION = frozenset("_.:/=+-@")


def tag_text_problem(text: str, what: str, limit: int, minimum: int = 0) -> str | None:
    """Why text cannot be a tag key or value (what: 'tag key ...'), or None."""
    if not minimum <= len(text) <= limit:
        return f"{what} must be {minimum}-{limit} characters (got {len(text)})"
    odd = sorted({c for c in text if unicodedata.category(c)[0] not in "LZN" and c not in TAG_PUNCTUATION})
    if odd:
        return (
            f"{what} may hold only letters, digits, spaces and _.:/=+-@ (AWS tag rules), not "
            f"{', '.join(repr(c) for c in odd[:5])}"
        )
    return None


def _tag_value_check(value: str | None) -> str | None:
    problem = None if value is None else tag_text_problem(value, "is tagged, so it", 256)
    if problem:
        raise ValueError(f"{problem} (got {shorten(value)})")
    return value


def _tag_map_check(value: dict[str, str]) -> dict[str, str]:
    seen: dict[str, str] = {}
    for key, tag_value in value.items():
        if key.lower().startswith("aws:"):
            raise ValueError(f"tag key {shorten(key)} uses the reserved 'aws:' prefix")
        problem = tag_text_problem(key, f"tag key {shorten(key)}", 128, minimum=1) or tag_text_problem(
            tag_value, f"tag {shorten(key)}: the value", 256
        )
        if problem:
            raise ValueError(problem)
        if key.lower() in seen:
            raise ValueError(
                f"tag keys {shorten(seen[key.lower()])} and {shorten(key)} differ only in case (IAM refuses them)"
            )
        seen[key.lower()] = key
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
        raise ValueError(
            f"must be a negative ISO 8601 duration of at most 15 characters like -PT2H or -P1D "
            f"(the monitoring window is in the past) (got {value!r})"
        )
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
        raise ValueError(
            f"must not contain the wildcards '*' or '?' (they would reach IAM resources) (got {shorten(value)})"
        )
    # botocore sagemaker service-2 shape S3Uri (ProcessingS3Input, the baseline jobs): max 1024; the
    # monitoring job URIs (MonitoringS3Uri) are limited to 512 in Settings._aws_limits.
    if len(value) > 1024:
        raise ValueError(f"must be at most 1024 characters (got {len(value)})")
    return value


# Container environment of a monitoring job (botocore sagemaker service-2: MonitoringEnvironmentMap, at most 50
# entries; ProcessingEnvironmentKey [a-zA-Z_][a-zA-Z0-9_]* and ProcessingEnvironmentValue, each at most 256).
ENVIRONMENT_KEY_RE = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
ENVIRONMENT_MAX_ENTRIES = 50
# Keys the monitoring job's container reads from its environment and that SageMaker, the SDK or the job definition
# set: the container contract inputs (SageMaker developer guide, model-monitor-byoc-contract-inputs: dataset_format,
# dataset_source, end_time, output_path, publish_cloudwatch_metrics, sagemaker_endpoint_name,
# sagemaker_monitoring_schedule_name, start_time), the baseline files the analyzer is given, and the SDK's
# first-class environment names (sagemaker/model_monitor/model_monitoring.py, *_ENV_NAME). A user value would be
# overwritten, or would override what the job definition says.
RESERVED_ENVIRONMENT_KEYS = frozenset(
    {
        "analysis_type",
        "baseline_constraints",
        "baseline_statistics",
        "dataset_format",
        "dataset_source",
        "end_time",
        "ground_truth_attribute",
        "inference_attribute",
        "output_path",
        "post_analytics_processor_script",
        "probability_attribute",
        "probability_threshold_attribute",
        "problem_type",
        "publish_cloudwatch_metrics",
        "record_preprocessor_script",
        "sagemaker_endpoint_name",
        "sagemaker_monitoring_schedule_name",
        "start_time",
    }
)


def _environment_check(value: dict[str, str] | None) -> dict[str, str] | None:
    if value is None:
        return None
    # The job definition sets publish_cloudwatch_metrics itself: one entry of the API's 50 is taken.
    if len(value) > ENVIRONMENT_MAX_ENTRIES - 1:
        raise ValueError(
            f"at most {ENVIRONMENT_MAX_ENTRIES - 1} variables (the API takes {ENVIRONMENT_MAX_ENTRIES}, one is "
            f"publish_cloudwatch_metrics) (got {len(value)})"
        )
    for key, text in value.items():
        if key in RESERVED_ENVIRONMENT_KEYS:
            raise ValueError(
                f"key {key!r} is reserved: the monitoring container reads it and the job definition or SageMaker "
                "sets it (set it through its own parameter, if any)"
            )
        if not ENVIRONMENT_KEY_RE.fullmatch(key) or len(key) > 256:
            raise ValueError(
                f"key {shorten(key)} must be 1-256 letters, digits and _, not starting with a digit "
                "(the API's ProcessingEnvironmentKey)"
            )
        if len(text) > 256:
            raise ValueError(f"the value of {key!r} must be at most 256 characters (got {len(text)})")
    return dict(sorted(value.items()))


S3Uri = Annotated[str, AfterValidator(_s3_uri_check)]
CronExpression = Annotated[str, AfterValidator(_cron_check)]
InstanceType = Annotated[
    str,
    matching(INSTANCE_TYPE_RE, "must be a SageMaker ML instance type like ml.m5.large"),
    AfterValidator(lambda value: processing_instance_type_check(value)),
]
InstanceCount = Annotated[int, Field(ge=1, le=100)]
VolumeSizeGb = Annotated[int, Field(ge=1, le=16384)]
MonitorRuntime = Annotated[int, Field(ge=1, le=86400)]
KmsKey = Annotated[str, matching(KMS_KEY_RE, "must be a KMS key id, alias (alias/name) or key/alias ARN")]
TagMap = Annotated[dict[str, str], AfterValidator(_tag_map_check)]
TagValue = Annotated[str | None, AfterValidator(_tag_value_check)]
# A JMESPath expression (JSON, JSON Lines), a CSV column index or a header: text; what could become a Terraform
# expression (${, %{) or a cdktf token is refused in every value (monitors/tokens.py).
Attribute = Annotated[str, Field(min_length=1, max_length=256)]
# Clarify's content/record templates ($features, $record, $records, $features_kvp placeholders); "${A}" per-feature
# placeholders are Terraform templates, refused like every ${ (use $features_kvp).
TemplateText = Annotated[str, Field(min_length=1, max_length=1024)]
TimeOffset = Annotated[str | None, AfterValidator(_time_offset_check)]
Environment = Annotated[dict[str, str] | None, AfterValidator(_environment_check)]
EcrImage = Annotated[
    str, matching(ECR_IMAGE_RE, "must be an ECR image URI like 123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:tag")
]


def param(
    default: Any,
    description: str,
    *,
    group: str | None = None,
    stack_level: bool = False,
    flat: str | None = None,
    **kwargs: Any,
) -> Any:
    """A parameter's Field. group: its README table group (top-level parameters; a monitor type's options are one
    table). stack_level: it shapes the stack itself (backend, providers, its name, tags), so in one stack shared by
    several endpoints (stack_per_endpoint false) it cannot differ per endpoint. flat: a monitor option's flat name
    when it is not <monitor>_<option> ({monitor} is replaced by the monitor type's name)."""
    extra: dict[str, Any] = {
        key: value for key, value in (("group", group), ("stack_level", stack_level or None), ("flat", flat)) if value
    }
    return Field(default, description=description, json_schema_extra=extra or None, **kwargs)


class BatchTransformInput(BaseModel):
    """Watch a batch transform job's captured data instead of the endpoint's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    data_captured_destination_s3_uri: S3Uri = Field(description="Where the batch transform job's data capture writes.")
    dataset_format: Literal["csv", "json", "parquet"] = Field("csv", description="csv | json | parquet")
    csv_header: bool | None = Field(None, description="csv only: the files have a header row.")
    json_line: bool | None = Field(None, description="json only: JSON Lines.")

    @model_validator(mode="after")
    def _format_options(self) -> BatchTransformInput:
        if self.csv_header is not None and self.dataset_format != "csv":
            raise ValueError(f"csv_header only applies to dataset_format csv (got {self.dataset_format!r})")
        if self.json_line is not None and self.dataset_format != "json":
            raise ValueError(f"json_line only applies to dataset_format json (got {self.dataset_format!r})")
        return self


SNS_TOPIC_ARN_RE = re.compile(r"^arn:(aws|aws-cn|aws-us-gov):sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
FEATURE_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,200}$")


def alarm_key(*parts: str) -> str:
    """The alarm's construct id and name suffix: its identifying fields, kept to letters, digits, _ and -."""
    return "_".join(re.sub(r"[^A-Za-z0-9_-]+", "-", str(part)) for part in parts)


ProbabilityThreshold = Annotated[float, Field(ge=0, le=1)]
Feature = Annotated[str, matching(FEATURE_RE, "must be a feature name (letters, digits, _ . -)")]
EventsSchedule = Annotated[str, AfterValidator(events_schedule_check)]
SageMakerName = Annotated[
    str,
    matching(
        ENDPOINT_NAME_RE, "must be a SageMaker name (letters, digits, hyphens; starts with a letter or digit; ≤ 63)"
    ),
]
