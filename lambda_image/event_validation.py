"""Pure validation of the baseline Lambda's events (no AWS calls, no SDK imports).

Every ``validate_*`` function returns a typed request object or raises
:class:`EventValidationError`, whose ``problems`` list names every bad field and the
rule it broke. The handler joins them into one ``{"status": "ERROR"}`` message, so
a bad event never reaches AWS.

The field names and defaults of the ``<monitor_type>_params`` objects are the
contract of the "Sample Baseline Generation Events" of the module's README.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

MONITOR_TYPES: Tuple[str, ...] = (
    "data_quality",
    "model_quality",
    "model_bias",
    "model_explainability",
)

#: short forms used in processing job names (names are limited to 63 characters)
MONITOR_TYPE_SHORT: Dict[str, str] = {
    "data_quality": "dq",
    "model_quality": "mq",
    "model_bias": "mb",
    "model_explainability": "me",
}

ACTIONS: Tuple[str, ...] = ("start", "check", "promote", "start_executions")

PROBLEM_TYPES: Tuple[str, ...] = ("Regression", "BinaryClassification", "MulticlassClassification")
AGG_METHODS: Tuple[str, ...] = ("mean_abs", "median", "mean_sq")
# Only CSV is supported: JSON / JSON Lines datasets would also need a features JMESPath
# and content templates for Clarify's shadow endpoint, which the event contract lacks.
DATASET_TYPES: Tuple[str, ...] = ("text/csv",)
# Baseline dataset formats of the Model Monitor analyzer (data/model quality): the SDK's DatasetFormat.csv(header=True),
# DatasetFormat.json(lines=True) and DatasetFormat.json(lines=False).
DATASET_FORMATS: Tuple[str, ...] = ("csv", "json_lines", "json")
#: Where a baseline job writes before it is promoted: <baseline_output_uri>/STAGING_FOLDER/<monitor_type>/<job name>/
STAGING_FOLDER = "staging"

# SageMaker API patterns (botocore service model: ProcessingJobName, EndpointName, ModelName)
SAGEMAKER_NAME_RE = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
MODEL_NAME_RE = re.compile(r"^[a-zA-Z0-9]([\-a-zA-Z0-9]*[a-zA-Z0-9])?$")
INSTANCE_TYPE_RE = re.compile(r"^ml\.[a-z0-9-]+\.[a-z0-9]+$")
S3_URI_RE = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<key>.*))?$")
STATE_MACHINE_ARN_RE = re.compile(
    r"^arn:aws[a-z\-]*:states:[a-z0-9\-]+:\d{12}:stateMachine:[A-Za-z0-9_\-]{1,80}(:[A-Za-z0-9_\-]+)?$"
)
# characters Step Functions rejects in execution names (plus whitespace/control chars)
_SFN_NAME_FORBIDDEN = set('<>{}[]?*"#%\\^|~`$&,;:/')

# limits from the SageMaker API (ProcessingInstanceCount, ProcessingVolumeSizeInGB,
# ProcessingMaxRuntimeInSeconds)
MAX_INSTANCE_COUNT = 100
MAX_VOLUME_SIZE_GB = 16384
MAX_RUNTIME_SECONDS = 777600


class EventValidationError(ValueError):
    """An event broke one or more rules; ``problems`` lists every one of them."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


# --------------------------------------------------------------------------- requests


@dataclass(frozen=True)
class ResourceParams:
    instance_count: int
    instance_type: str
    volume_size_gb: int
    max_runtime_seconds: int


@dataclass(frozen=True)
class DataQualityParams(ResourceParams):
    dataset_format: str


@dataclass(frozen=True)
class ModelQualityParams(ResourceParams):
    problem_type: str
    inference_attribute: Optional[str]
    probability_attribute: Optional[str]
    ground_truth_attribute: str
    probability_threshold_attribute: Optional[float]
    dataset_format: str


@dataclass(frozen=True)
class ModelBiasParams(ResourceParams):
    label_header: str
    headers: List[str]
    dataset_type: str
    label_values: List[Union[str, int, float]]
    facet_name: str
    facet_values: Optional[List[Union[str, int, float]]]
    probability_threshold: float
    model_name: Optional[str]  # None: resolved from the endpoint at start time
    # Where the prediction is in the model output (the monitor's own attributes; ModelPredictedLabelConfig)
    inference_attribute: Optional[str]
    probability_attribute: Optional[str]


@dataclass(frozen=True)
class ModelExplainabilityParams(ResourceParams):
    label_header: str
    headers: List[str]
    dataset_type: str
    model_name: Optional[str]  # None: resolved from the endpoint at start time
    num_samples: int
    agg_method: str
    save_local_shap_values: bool
    # None: Clarify computes the baseline itself (K-means / K-prototypes on the training data)
    shap_baseline: Optional[Union[str, List[List[Union[str, int, float]]]]]
    inference_attribute: Optional[str]
    probability_attribute: Optional[str]


MonitorParams = Union[DataQualityParams, ModelQualityParams, ModelBiasParams, ModelExplainabilityParams]


@dataclass(frozen=True)
class NetworkSettings:
    """The monitors' network configuration, applied to the baseline processing jobs too."""

    enable_inter_container_traffic_encryption: bool = False
    enable_network_isolation: bool = False
    subnet_ids: Optional[List[str]] = None
    security_group_ids: Optional[List[str]] = None


@dataclass(frozen=True)
class StartRequest:
    monitor_type: str
    endpoint_name: str
    training_data_uri: str
    baseline_output_uri: str
    params: MonitorParams
    execution_id: Optional[str] = None
    network: Optional[NetworkSettings] = None
    tags: Optional[Dict[str, str]] = None  # the monitors' tags, put on the baseline processing job

    @property
    def output_prefix(self) -> str:
        """Per-monitor-type output prefix (the live baseline the monitor reads), without a trailing slash.

        Each baseline gets its own prefix, so the four baselines never overwrite each
        other's statistics/constraints/analysis files.
        """
        return f"{self.baseline_output_uri.rstrip('/')}/{self.monitor_type}"

    def staging_prefix(self, job_name: str) -> str:
        """Where this run's job writes (no trailing slash); promoted to output_prefix only when it succeeds, so a failed
        run leaves the live baseline as it was."""
        return f"{self.baseline_output_uri.rstrip('/')}/{STAGING_FOLDER}/{self.monitor_type}/{job_name}"


@dataclass(frozen=True)
class PromoteRequest:
    processing_job_name: str
    monitor_type: str
    staging_output_uri: str
    baseline_output_uri: str


@dataclass(frozen=True)
class CheckRequest:
    processing_job_name: str
    monitor_type: str


@dataclass(frozen=True)
class ExecutionSpec:
    name: str
    input: Dict[str, Any]


@dataclass(frozen=True)
class StartExecutionsRequest:
    state_machine_arn: str
    executions: List[ExecutionSpec] = field(default_factory=list)


# --------------------------------------------------------------------------- helpers


class _Problems:
    def __init__(self) -> None:
        self.items: List[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self) -> None:
        if self.items:
            raise EventValidationError(self.items)


_MISSING = object()


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return math.isfinite(value)


def _coerce_scalar(text: str) -> Union[str, int, float]:
    """'1' -> 1, '0.5' -> 0.5, anything else stays a string (CSV label/facet values)."""
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", text):
        return float(text)
    return text


# A checker takes (path, value, problems) and returns the normalised value (or None
# after adding a problem).
Checker = Callable[[str, Any, _Problems], Any]


def _int_range(lo: int, hi: int) -> Checker:
    def check(path: str, value: Any, problems: _Problems) -> Any:
        if not _is_int(value) or not lo <= value <= hi:
            problems.add(f"'{path}' must be an integer from {lo} to {hi} (got {_show(value)})")
            return None
        return value

    return check


def _non_empty_string(path: str, value: Any, problems: _Problems) -> Any:
    if not isinstance(value, str) or not value.strip():
        problems.add(f"'{path}' must be a non-empty string (got {_show(value)})")
        return None
    return value


def _optional_string(path: str, value: Any, problems: _Problems) -> Any:
    if value is None:
        return None
    return _non_empty_string(path, value, problems)


def _instance_type(path: str, value: Any, problems: _Problems) -> Any:
    if not isinstance(value, str) or not INSTANCE_TYPE_RE.match(value):
        problems.add(
            f"'{path}' must be a SageMaker instance type like 'ml.m5.xlarge' (got {_show(value)})"
        )
        return None
    return value


def _enum(allowed: Sequence[str]) -> Checker:
    def check(path: str, value: Any, problems: _Problems) -> Any:
        if value not in allowed:
            problems.add(f"'{path}' must be one of {', '.join(allowed)} (got {_show(value)})")
            return None
        return value

    return check


def _boolean(path: str, value: Any, problems: _Problems) -> Any:
    if not isinstance(value, bool):
        problems.add(f"'{path}' must be true or false (got {_show(value)})")
        return None
    return value


def _probability(path: str, value: Any, problems: _Problems) -> Any:
    if not _is_number(value) or not 0 <= value <= 1:
        problems.add(f"'{path}' must be a number from 0 to 1 (got {_show(value)})")
        return None
    return value


def _optional_probability(path: str, value: Any, problems: _Problems) -> Any:
    if value is None:
        return None
    return _probability(path, value, problems)


def _model_name(path: str, value: Any, problems: _Problems) -> Any:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 63 or not MODEL_NAME_RE.match(value):
        problems.add(
            f"'{path}' must be a SageMaker model name (1-63 letters, digits and hyphens, "
            f"not starting or ending with a hyphen) (got {_show(value)})"
        )
        return None
    return value


def _name_list(path: str, value: Any, problems: _Problems) -> Any:
    """Comma-separated string or list of non-empty, unique strings."""
    if isinstance(value, str):
        items = [item.strip() for item in value.split(",")]
    elif isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        items = [item.strip() for item in value]
    else:
        problems.add(
            f"'{path}' must be a comma-separated string or a list of strings (got {_show(value)})"
        )
        return None
    if not items or any(not item for item in items):
        problems.add(f"'{path}' must not be empty or contain empty names (got {_show(value)})")
        return None
    duplicates = sorted({item for item in items if items.count(item) > 1})
    if duplicates:
        problems.add(f"'{path}' contains duplicate names: {', '.join(duplicates)}")
        return None
    return items


def _value_list(path: str, value: Any, problems: _Problems) -> Any:
    """Comma-separated string (numeric items become numbers) or list of scalars."""
    if isinstance(value, str):
        parts = [item.strip() for item in value.split(",")]
        if any(not item for item in parts):
            problems.add(f"'{path}' must not contain empty values (got {_show(value)})")
            return None
        return [_coerce_scalar(item) for item in parts]
    if (
        isinstance(value, (list, tuple))
        and value
        and all(isinstance(item, str) and item.strip() or _is_number(item) for item in value)
    ):
        return list(value)
    problems.add(
        f"'{path}' must be a comma-separated string or a non-empty list of strings/numbers "
        f"(got {_show(value)})"
    )
    return None


def _optional_value_list(path: str, value: Any, problems: _Problems) -> Any:
    if value is None:
        return None
    return _value_list(path, value, problems)


def _shap_baseline(path: str, value: Any, problems: _Problems) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        if S3_URI_RE.match(value) and S3_URI_RE.match(value).group("key"):
            return value
    elif isinstance(value, (list, tuple)) and value:
        rows_ok = all(
            isinstance(row, (list, tuple))
            and row
            and all(_is_number(cell) or isinstance(cell, str) for cell in row)
            for row in value
        )
        if rows_ok:
            return [list(row) for row in value]
    problems.add(
        f"'{path}' must be a non-empty list of non-empty rows of numbers/strings "
        f"or an s3:// object URI (got {_show(value)})"
    )
    return None


# name -> (default, checker). _MISSING as default marks a required parameter (none are).
ParamSpec = Dict[str, Tuple[Any, Checker]]


def _resource_spec(max_runtime_default: int) -> ParamSpec:
    return {
        "instance_count": (1, _int_range(1, MAX_INSTANCE_COUNT)),
        "instance_type": ("ml.m5.xlarge", _instance_type),
        "volume_size_gb": (30, _int_range(1, MAX_VOLUME_SIZE_GB)),
        "max_runtime_seconds": (max_runtime_default, _int_range(1, MAX_RUNTIME_SECONDS)),
    }


PARAM_SPECS: Dict[str, ParamSpec] = {
    "data_quality": {**_resource_spec(3600), "dataset_format": ("csv", _enum(DATASET_FORMATS))},
    "model_quality": {
        **_resource_spec(1800),
        "problem_type": ("BinaryClassification", _enum(PROBLEM_TYPES)),
        # columns of the baseline dataset, which must hold predictions and labels
        "inference_attribute": ("prediction", _optional_string),
        "probability_attribute": ("probability", _optional_string),
        "ground_truth_attribute": ("label", _non_empty_string),
        "probability_threshold_attribute": (None, _optional_probability),
        "dataset_format": ("csv", _enum(DATASET_FORMATS)),
    },
    "model_bias": {
        **_resource_spec(1800),
        "label_header": ("label", _non_empty_string),
        "headers": ("feature1,feature2,feature3,label", _name_list),
        "dataset_type": ("text/csv", _enum(DATASET_TYPES)),
        "label_values": ("0,1", _value_list),
        "facet_name": ("feature1", _non_empty_string),
        "facet_values": ("100,200", _optional_value_list),
        "probability_threshold": (0.8, _probability),
        "model_name": (None, _model_name),
        "inference_attribute": (None, _optional_string),
        "probability_attribute": (None, _optional_string),
    },
    "model_explainability": {
        **_resource_spec(1800),
        "label_header": ("label", _non_empty_string),
        "headers": ("feature1,feature2,feature3,label", _name_list),
        "dataset_type": ("text/csv", _enum(DATASET_TYPES)),
        "model_name": (None, _model_name),
        "num_samples": (100, _int_range(1, 1_000_000)),
        "agg_method": ("mean_abs", _enum(AGG_METHODS)),
        "save_local_shap_values": (False, _boolean),
        # The seed's default [[0.0]] has one value, its default headers three features: every Clarify
        # job with it fails. Without a baseline, Clarify computes one from the training data.
        "shap_baseline": (None, _shap_baseline),
        "inference_attribute": (None, _optional_string),
        "probability_attribute": (None, _optional_string),
    },
}

PARAM_CLASSES = {
    "data_quality": DataQualityParams,
    "model_quality": ModelQualityParams,
    "model_bias": ModelBiasParams,
    "model_explainability": ModelExplainabilityParams,
}


def _validate_params(monitor_type: str, raw: Any, problems: _Problems) -> Optional[MonitorParams]:
    key = f"{monitor_type}_params"
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        problems.add(f"'{key}' must be an object (got {_type_name(raw)})")
        return None
    spec = PARAM_SPECS[monitor_type]
    before = len(problems.items)
    unknown = sorted(str(name) for name in raw if name not in spec)
    if unknown:
        problems.add(
            f"unknown parameter(s) in '{key}': {', '.join(unknown)} "
            f"(allowed: {', '.join(spec)})"
        )
    values: Dict[str, Any] = {}
    for name, (default, checker) in spec.items():
        values[name] = checker(f"{key}.{name}", raw.get(name, default), problems)
    if len(problems.items) != before:
        return None

    # cross-field rules
    if monitor_type == "model_quality":
        if values["problem_type"] == "Regression":
            # probability settings only make sense for classification; defaults are not
            # sent for regression, explicit values are.
            if "probability_attribute" not in raw:
                values["probability_attribute"] = None
        if values["inference_attribute"] is None and values["probability_attribute"] is None:
            problems.add(
                f"'{key}' needs 'inference_attribute' or 'probability_attribute' "
                "(both are null)"
            )
            return None
    if monitor_type in ("model_bias", "model_explainability"):
        headers = values["headers"]
        if values["label_header"] not in headers:
            problems.add(
                f"'{key}.label_header' {values['label_header']!r} must be one of "
                f"'{key}.headers' ({', '.join(headers)})"
            )
        baseline = values.get("shap_baseline")
        if isinstance(baseline, list) and values["label_header"] in headers:
            features = [h for h in headers if h != values["label_header"]]
            for i, row in enumerate(baseline):
                if len(row) != len(features):
                    problems.add(
                        f"'{key}.shap_baseline' row {i} has {len(row)} value(s); it needs one per feature "
                        f"({len(features)}: {', '.join(features)}), without the label"
                    )
        if monitor_type == "model_bias":
            if values["facet_name"] not in headers:
                problems.add(
                    f"'{key}.facet_name' {values['facet_name']!r} must be one of "
                    f"'{key}.headers' ({', '.join(headers)})"
                )
            elif values["facet_name"] == values["label_header"]:
                problems.add(f"'{key}.facet_name' must not be the label column")
        if len(problems.items) != before:
            return None
    return PARAM_CLASSES[monitor_type](**values)


def _s3_uri(path: str, value: Any, problems: _Problems, need_key: bool) -> Optional[str]:
    match = S3_URI_RE.match(value) if isinstance(value, str) else None
    if not match or (need_key and not (match.group("key") or "").strip("/")):
        what = "an s3://bucket/key URI" if need_key else "an s3://bucket[/prefix] URI"
        problems.add(f"'{path}' must be {what} (got {_show(value)})")
        return None
    return value


def _check_action(event: Mapping[str, Any], expected: str, problems: _Problems) -> None:
    action = event.get("action", "start")
    if action != expected:
        problems.add(f"'action' must be {expected!r} here (got {_show(action)})")


def _require_mapping(event: Any, what: str = "event") -> Mapping[str, Any]:
    if not isinstance(event, Mapping):
        raise EventValidationError([f"{what} must be a JSON object (got {_type_name(event)})"])
    return event


# --------------------------------------------------------------------------- public API


def get_action(event: Any) -> str:
    """The event's action; ``"start"`` when absent (so a sample event starts a job)."""
    event = _require_mapping(event)
    action = event.get("action", "start")
    if action not in ACTIONS:
        raise EventValidationError(
            [f"'action' must be one of {', '.join(ACTIONS)} (got {_show(action)})"]
        )
    return action


def validate_start(event: Any) -> StartRequest:
    event = _require_mapping(event)
    problems = _Problems()
    _check_action(event, "start", problems)

    monitor_type = event.get("monitor_type", _MISSING)
    if monitor_type is _MISSING:
        problems.add("missing required field 'monitor_type'")
        monitor_type = None
    elif monitor_type not in MONITOR_TYPES:
        problems.add(
            f"'monitor_type' must be one of {', '.join(MONITOR_TYPES)} (got {_show(monitor_type)})"
        )
        monitor_type = None

    allowed = {"action", "monitor_type", "endpoint_name", "training_data_uri",
               "baseline_output_uri", "execution_id", "network_config", "tags"}
    if monitor_type:
        allowed.add(f"{monitor_type}_params")
    else:
        allowed.update(f"{t}_params" for t in MONITOR_TYPES)
    unknown = sorted(str(key) for key in event if key not in allowed)
    if unknown:
        problems.add(
            f"unknown field(s): {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )

    required = {
        "endpoint_name": lambda p, v: (
            v
            if isinstance(v, str) and SAGEMAKER_NAME_RE.match(v)
            else problems.add(
                f"'{p}' must be a SageMaker endpoint name (1-63 letters, digits and "
                f"hyphens) (got {_show(v)})"
            )
        ),
        "training_data_uri": lambda p, v: _s3_uri(p, v, problems, need_key=True),
        "baseline_output_uri": lambda p, v: _s3_uri(p, v, problems, need_key=False),
    }
    values: Dict[str, Any] = {}
    for name, check in required.items():
        if name not in event:
            problems.add(f"missing required field '{name}'")
            continue
        values[name] = check(name, event[name])

    execution_id = event.get("execution_id")
    if execution_id is not None and (
        not isinstance(execution_id, str) or not execution_id.strip() or len(execution_id) > 2048
    ):
        problems.add(
            f"'execution_id' must be a non-empty string of at most 2048 characters "
            f"(got {_show(execution_id)})"
        )

    params = None
    if monitor_type:
        params = _validate_params(monitor_type, event.get(f"{monitor_type}_params"), problems)
    network = _network_config(event.get("network_config"), problems)
    tags = _tags(event.get("tags"), problems)

    problems.raise_if_any()
    return StartRequest(
        monitor_type=monitor_type,
        endpoint_name=values["endpoint_name"],
        training_data_uri=values["training_data_uri"],
        baseline_output_uri=values["baseline_output_uri"],
        params=params,
        execution_id=execution_id,
        network=network,
        tags=tags,
    )


_SUBNET_RE = re.compile(r"^subnet-[0-9a-f]{8,17}$")
_SECURITY_GROUP_RE = re.compile(r"^sg-[0-9a-f]{8,17}$")


def _id_list(path: str, value: Any, pattern: "re.Pattern[str]", what: str, problems: _Problems) -> Optional[List[str]]:
    if value is None:
        return None
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and pattern.match(v) for v in value):
        problems.add(f"'{path}' must be a non-empty list of {what} ids (got {_show(value)})")
        return None
    return list(value)


# CreateProcessingJob Tags: at most 50; Key 1-128 characters, Value 0-256; the aws: prefix is reserved for AWS
# (API Tag: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Tag.html).
MAX_TAGS = 50


def _tags(raw: Any, problems: _Problems) -> Optional[Dict[str, str]]:
    """The optional ``tags`` object: the monitors' tags, which the baseline processing job carries too (the SDK tags
    a monitor's baselining job with the monitor's tags)."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(f"'tags' must be an object of tag keys to values (got {_type_name(raw)})")
        return None
    before = len(problems.items)
    if len(raw) > MAX_TAGS:
        problems.add(f"'tags' may hold at most {MAX_TAGS} tags (got {len(raw)})")
    for key, value in raw.items():
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or key.lower().startswith("aws:"):
            problems.add(f"'tags' key {_show(key)} must be 1-128 characters and not start with 'aws:'")
        if not isinstance(value, str) or len(value) > 256:
            problems.add(f"'tags.{key}' must be a string of at most 256 characters (got {_show(value)})")
    if len(problems.items) != before:
        return None
    return dict(raw) or None


def _network_config(raw: Any, problems: _Problems) -> Optional[NetworkSettings]:
    """The optional ``network_config`` object: the monitors' network settings for the baseline job."""
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        problems.add(f"'network_config' must be an object (got {_type_name(raw)})")
        return None
    known = ("enable_inter_container_traffic_encryption", "enable_network_isolation", "subnet_ids", "security_group_ids")
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        problems.add(f"unknown field(s) in 'network_config': {', '.join(unknown)} (allowed: {', '.join(known)})")
    before = len(problems.items)
    flags = {name: _boolean(f"network_config.{name}", raw.get(name, False), problems) for name in known[:2]}
    subnets = _id_list("network_config.subnet_ids", raw.get("subnet_ids"), _SUBNET_RE, "subnet", problems)
    groups = _id_list("network_config.security_group_ids", raw.get("security_group_ids"), _SECURITY_GROUP_RE,
                      "security group", problems)
    if ("subnet_ids" in raw) != ("security_group_ids" in raw):
        problems.add("'network_config.subnet_ids' and 'network_config.security_group_ids' must be given together")
    if len(problems.items) != before or unknown:
        return None
    return NetworkSettings(subnet_ids=subnets, security_group_ids=groups, **flags)


def validate_promote(event: Any) -> PromoteRequest:
    """Validate a ``promote`` event: copy a finished job's staging output to the live baseline prefix. The staging URI
    must be this monitor's staging folder under baseline_output_uri (nothing else is ever copied over a baseline)."""
    event = _require_mapping(event)
    problems = _Problems()
    _check_action(event, "promote", problems)
    check: Optional[CheckRequest] = None
    try:
        check = validate_check({"action": "check", **{k: event[k] for k in ("processing_job_name", "monitor_type") if k in event}})
    except EventValidationError as exc:
        problems.items.extend(exc.problems)
    staging = event.get("staging_output_uri", _MISSING)
    output = event.get("baseline_output_uri", _MISSING)
    for name, value in (("staging_output_uri", staging), ("baseline_output_uri", output)):
        if value is _MISSING:
            problems.add(f"missing required field '{name}'")
        else:
            _s3_uri(name, value, problems, need_key=False)
    if check and isinstance(staging, str) and isinstance(output, str) and S3_URI_RE.match(staging) and S3_URI_RE.match(output):
        live = output.rstrip("/")
        if not live.endswith(f"/{check.monitor_type}"):
            problems.add(f"'baseline_output_uri' must be the monitor's baseline prefix <baseline output>/{check.monitor_type}/ "
                         f"(got {_show(output)})")
        else:
            root = live[: -len(check.monitor_type) - 1]
            expected = f"{root}/{STAGING_FOLDER}/{check.monitor_type}/{check.processing_job_name}"
            if staging.rstrip("/") != expected:
                problems.add(f"'staging_output_uri' must be {expected + '/'!r}, this job's staging folder (got {_show(staging)})")
    problems.raise_if_any()
    assert check is not None
    return PromoteRequest(processing_job_name=check.processing_job_name, monitor_type=check.monitor_type,
                          staging_output_uri=staging.rstrip("/") + "/", baseline_output_uri=output.rstrip("/") + "/")


def validate_check(event: Any) -> CheckRequest:
    """Validate a ``check`` event. Extra keys (e.g. the previous ``start`` result that a
    state machine passes along) are ignored."""
    event = _require_mapping(event)
    problems = _Problems()
    _check_action(event, "check", problems)
    name = event.get("processing_job_name", _MISSING)
    if name is _MISSING:
        problems.add("missing required field 'processing_job_name'")
    elif not isinstance(name, str) or not SAGEMAKER_NAME_RE.match(name):
        problems.add(
            f"'processing_job_name' must be a SageMaker processing job name "
            f"(1-63 letters, digits and hyphens) (got {_show(name)})"
        )
    monitor_type = event.get("monitor_type", _MISSING)
    if monitor_type is _MISSING:
        problems.add("missing required field 'monitor_type'")
    elif monitor_type not in MONITOR_TYPES:
        problems.add(
            f"'monitor_type' must be one of {', '.join(MONITOR_TYPES)} (got {_show(monitor_type)})"
        )
    problems.raise_if_any()
    return CheckRequest(processing_job_name=name, monitor_type=monitor_type)


def _execution_name_problem(name: Any) -> Optional[str]:
    if not isinstance(name, str) or not 1 <= len(name) <= 80:
        return "must be a string of 1 to 80 characters"
    bad = sorted(
        {ch for ch in name if ch in _SFN_NAME_FORBIDDEN or ch.isspace() or not ch.isprintable()}
    )
    if bad:
        return f"contains characters Step Functions rejects: {' '.join(map(repr, bad))}"
    return None


def validate_start_executions(event: Any) -> StartExecutionsRequest:
    """Validate a ``start_executions`` event, including every execution's input with the
    same rules as ``start`` (so nothing is started unless everything is valid)."""
    event = _require_mapping(event)
    problems = _Problems()
    _check_action(event, "start_executions", problems)
    unknown = sorted(str(k) for k in event if k not in ("action", "state_machine_arn", "executions"))
    if unknown:
        problems.add(
            f"unknown field(s): {', '.join(unknown)} (allowed: action, executions, state_machine_arn)"
        )

    arn = event.get("state_machine_arn", _MISSING)
    if arn is _MISSING:
        problems.add("missing required field 'state_machine_arn'")
    elif not isinstance(arn, str) or not STATE_MACHINE_ARN_RE.match(arn):
        problems.add(f"'state_machine_arn' must be a Step Functions state machine ARN (got {_show(arn)})")

    specs: List[ExecutionSpec] = []
    executions = event.get("executions", _MISSING)
    if executions is _MISSING:
        problems.add("missing required field 'executions'")
    elif not isinstance(executions, list) or not executions:
        problems.add(f"'executions' must be a non-empty array (got {_show(executions)})")
    else:
        seen_names = set()
        for index, item in enumerate(executions):
            where = f"executions[{index}]"
            if not isinstance(item, Mapping):
                problems.add(f"'{where}' must be an object with 'name' and 'input' (got {_type_name(item)})")
                continue
            extra = sorted(str(k) for k in item if k not in ("name", "input"))
            if extra:
                problems.add(f"unknown field(s) in '{where}': {', '.join(extra)} (allowed: input, name)")
            name = item.get("name", _MISSING)
            if name is _MISSING:
                problems.add(f"missing required field '{where}.name'")
            else:
                name_problem = _execution_name_problem(name)
                if name_problem:
                    problems.add(f"'{where}.name' {name_problem} (got {_show(name)})")
                elif name in seen_names:
                    problems.add(f"'{where}.name' {name!r} is used by more than one execution")
                seen_names.add(name if isinstance(name, str) else None)
            if "input" not in item:
                problems.add(f"missing required field '{where}.input'")
                continue
            if not isinstance(item["input"], Mapping):
                problems.add(f"'{where}.input' must be an object (got {_type_name(item['input'])})")
                continue
            try:
                validate_start(item["input"])
            except EventValidationError as exc:
                problems.items.extend(f"{where}.input: {p}" for p in exc.problems)
                continue
            specs.append(ExecutionSpec(name=name, input=dict(item["input"])))
    problems.raise_if_any()
    return StartExecutionsRequest(state_machine_arn=arn, executions=specs)


# --------------------------------------------------------------------------- environment

ROLE_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@\-/]+$")


class ConfigurationError(ValueError):
    """The Lambda's environment is incomplete or invalid."""


@dataclass(frozen=True)
class RuntimeSettings:
    """Settings of the ``start`` action, read from the Lambda's environment."""

    role_arn: str
    kms_key_id: Optional[str] = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> "RuntimeSettings":
        problems = []
        role = environ.get("SAGEMAKER_ROLE_ARN", "").strip()
        if not role:
            problems.append(
                "environment variable SAGEMAKER_ROLE_ARN is required "
                "(the IAM role ARN the processing jobs run as)"
            )
        elif not ROLE_ARN_RE.match(role):
            problems.append(
                f"environment variable SAGEMAKER_ROLE_ARN must be an IAM role ARN (got {role!r})"
            )
        kms = environ.get("BASELINE_KMS_KEY_ID", "").strip() or None
        if problems:
            raise ConfigurationError("; ".join(problems))
        return cls(role_arn=role, kms_key_id=kms)
