"""The baseline Lambda's events as pydantic models (no AWS calls, no SDK imports).

Every ``validate_*`` function returns a typed, frozen event or raises :class:`EventValidationError`, whose
``problems`` name every bad field and the rule it broke and whose ``locations`` say where each one is (pydantic's
``loc``: the synth-time check maps them back to settings by location). The handler joins the problems into one
``{"status": "ERROR"}`` message, so a bad event never reaches AWS.

The field names and defaults of the ``<monitor_type>_params`` models are the contract of the "Sample Baseline
Generation Events" of the module's README; ``PARAMS`` is the one list of them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Callable, ClassVar, Dict, List, Literal, Optional, Tuple, Union, get_args

from annotated_types import Interval, MaxLen
from pydantic import (
    AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, Strict, StringConstraints, ValidationError,
    WrapValidator, create_model, model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

ACTIONS: Tuple[str, ...] = ("start", "check", "promote", "start_executions")
PROBLEM_TYPES: Tuple[str, ...] = ("Regression", "BinaryClassification", "MulticlassClassification")
AGG_METHODS: Tuple[str, ...] = ("mean_abs", "median", "mean_sq")
# Clarify baseline datasets: CSV, or JSON Lines with the features' and the label's JMESPath (the SDK's
# DataConfig(dataset_type=..., features=..., label=...)).
DATASET_TYPES: Tuple[str, ...] = ("text/csv", "application/jsonlines")
# What the model behind the endpoint takes and returns (the SDK's ModelConfig content_type / accept_type).
MODEL_CONTENT_TYPES: Tuple[str, ...] = ("text/csv", "application/json", "application/jsonlines")
# Baseline dataset formats of the Model Monitor analyzer (data/model quality): the SDK's DatasetFormat.csv(header=True),
# DatasetFormat.json(lines=True) and DatasetFormat.json(lines=False).
DATASET_FORMATS: Tuple[str, ...] = ("csv", "json_lines", "json")
#: The files of a live baseline (<baseline_output_uri>/<monitor_type>/) that its monitor reads: the baseline "exists"
#: when all are there (a pinned baseline is then kept; a held monitor's schedule waits until then).
LIVE_BASELINE_FILES: Dict[str, Tuple[str, ...]] = {
    "data_quality": ("statistics.json", "constraints.json"),
    "model_quality": ("constraints.json",),
    "model_bias": ("analysis.json",),
    "model_explainability": ("analysis.json",),
}
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
SUBNET_RE = re.compile(r"^subnet-[0-9a-f]{8,17}$")
SECURITY_GROUP_RE = re.compile(r"^sg-[0-9a-f]{8,17}$")
# characters Step Functions rejects in execution names (plus whitespace/control chars)
_SFN_NAME_FORBIDDEN = set('<>{}[]?*"#%\\^|~`$&,;:/')

# limits from the SageMaker API (ProcessingInstanceCount, ProcessingVolumeSizeInGB,
# ProcessingMaxRuntimeInSeconds)
MAX_INSTANCE_COUNT = 100
MAX_VOLUME_SIZE_GB = 16384
MAX_RUNTIME_SECONDS = 777600
# CreateProcessingJob Tags: at most 50; Key 1-128 characters, Value 0-256; the aws: prefix is reserved for AWS
# (API Tag: https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Tag.html).
MAX_TAGS = 50


class EventValidationError(ValueError):
    """An event broke one or more rules: ``problems`` lists every one of them, ``locations`` where each is (a
    pydantic ``loc`` tuple from the event's top)."""

    def __init__(self, problems: List[str], locations: Optional[List[Tuple[Union[str, int], ...]]] = None):
        self.problems = list(problems)
        self.locations = list(locations) if locations is not None else [()] * len(self.problems)
        super().__init__("; ".join(self.problems))


# --------------------------------------------------------------------------- rules
# A message template names its subject '{at}' (the field's path, e.g. 'model_bias_params.headers'); '{parent}' is
# the object holding it. A "rule" error gets the offending value appended: (got ...).


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _type_name(value: Any) -> str:
    names = ((type(None), "null"), (bool, "boolean"), ((int, float), "number"), (str, "string"),
             ((list, tuple), "array"), (Mapping, "object"))
    return next((name for kind, name in names if isinstance(value, kind)), type(value).__name__)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _rule(text: str, valid: Optional[Callable[[Any], Any]] = None) -> WrapValidator:
    """Any failure of the annotated type (or of ``valid``) is one problem: '<path>' <text> (got <value>)."""
    def check(value: Any, handler: Callable[[Any], Any]) -> Any:
        try:
            result = handler(value)
        except ValidationError:
            raise PydanticCustomError("rule", "'{at}' " + text) from None
        if valid is not None and not valid(result):
            raise PydanticCustomError("rule", "'{at}' " + text)
        return result
    return WrapValidator(check)


def _problem(template: str) -> PydanticCustomError:
    return PydanticCustomError("problem", template)


def _with_problems(handler: Callable[[Any], Any], value: Any, title: str,
                   found: List[Tuple[Tuple[Union[str, int], ...], Any, str]]) -> Any:
    """``handler(value)`` (a wrap validator's), reporting ``found`` [(loc, value, message template)], which were
    checked on the raw value, together with the type's own problems."""
    errors = []
    try:
        result = handler(value)
    except ValidationError as exc:
        errors = [InitErrorDetails(type=PydanticCustomError(error["type"], error["msg"]), loc=tuple(error["loc"]),
                                   input=error["input"]) for error in exc.errors(include_url=False)]
    errors += [InitErrorDetails(type=_problem(template), loc=loc, input=item) for loc, item, template in found]
    if errors:
        raise ValidationError.from_exception_data(title, errors)
    return result


def _raise(model: str, found: List[Tuple[str, Any, str]]) -> None:
    """Report cross-field problems at their fields: [(field, value, message template)]."""
    if found:
        raise ValidationError.from_exception_data(model, [
            InitErrorDetails(type=_problem(template), loc=(name,), input=value) for name, value, template in found])


def _int_range(lo: int, hi: int) -> Any:
    return Annotated[int, Strict(), Interval(ge=lo, le=hi), _rule(f"must be an integer from {lo} to {hi}")]


def _one_of(values: Tuple[str, ...]) -> Any:
    return Annotated[Literal[values], _rule(f"must be one of {', '.join(values)}")]  # type: ignore[valid-type]


def _text(pattern: "re.Pattern[str]", text: str, max_length: Optional[int] = None) -> Any:
    return Annotated[str, Strict(), StringConstraints(pattern=pattern.pattern, max_length=max_length), _rule(text)]


def _s3_uri(need_key: bool) -> Any:
    def valid(value: str) -> bool:
        match = S3_URI_RE.match(value)
        return bool(match) and (not need_key or bool((match.group("key") or "").strip("/")))
    what = "an s3://bucket/key URI" if need_key else "an s3://bucket[/prefix] URI"
    return Annotated[str, Strict(), _rule(f"must be {what}", valid)]


def _script_uri() -> Any:
    """An analyzer script for the baseline job: an s3://bucket/key object (not a prefix), as suggest_baseline's
    record_preprocessor_script / post_analytics_processor_script take it."""
    def valid(value: str) -> bool:
        match = S3_URI_RE.match(value)
        return bool(match) and bool((match.group("key") or "").strip("/")) and not value.endswith("/")
    return Annotated[str, Strict(), _rule("must be an s3://bucket/key URI of a script object (not a prefix)", valid)]


def _name_list(value: Any) -> List[str]:
    """Comma-separated string or list of non-empty, unique strings."""
    if isinstance(value, str):
        items = [item.strip() for item in value.split(",")]
    elif isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        items = [item.strip() for item in value]
    else:
        raise PydanticCustomError("rule", "'{at}' must be a comma-separated string or a list of strings")
    if not items or any(not item for item in items):
        raise PydanticCustomError("rule", "'{at}' must not be empty or contain empty names")
    duplicates = sorted({item for item in items if items.count(item) > 1})
    if duplicates:
        raise _problem(f"'{{at}}' contains duplicate names: {', '.join(duplicates)}")
    return items


def _scalar(text: str) -> Union[str, int, float]:
    """'1' -> 1, '0.5' -> 0.5, anything else stays a string (CSV label/facet values)."""
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", text):
        return float(text)
    return text


def _value_list(value: Any) -> List[Union[str, int, float]]:
    """Comma-separated string (numeric items become numbers) or non-empty list of strings/numbers."""
    if isinstance(value, str):
        parts = [item.strip() for item in value.split(",")]
        if any(not item for item in parts):
            raise PydanticCustomError("rule", "'{at}' must not contain empty values")
        return [_scalar(item) for item in parts]
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(item, str) and item.strip() or _is_number(item) for item in value):
        return list(value)
    raise PydanticCustomError(
        "rule", "'{at}' must be a comma-separated string or a non-empty list of strings/numbers")


def _shap_baseline(value: Any) -> Union[str, List[List[Union[str, int, float]]]]:
    """An s3:// object URI, or rows of numbers/strings (one value per feature: checked with the headers)."""
    match = S3_URI_RE.match(value) if isinstance(value, str) else None
    if match and match.group("key"):
        return value
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(row, (list, tuple)) and row and all(_is_number(cell) or isinstance(cell, str) for cell in row)
            for row in value):
        return [list(row) for row in value]
    raise PydanticCustomError("rule", "'{at}' must be a non-empty list of non-empty rows of numbers/strings "
                                      "or an s3:// object URI")


InstanceCount = _int_range(1, MAX_INSTANCE_COUNT)
VolumeSizeGb = _int_range(1, MAX_VOLUME_SIZE_GB)
MaxRuntimeSeconds = _int_range(1, MAX_RUNTIME_SECONDS)
InstanceType = _text(INSTANCE_TYPE_RE, "must be a SageMaker instance type like 'ml.m5.xlarge'")
NonEmptyString = Annotated[str, Strict(), StringConstraints(pattern=r"\S"), _rule("must be a non-empty string")]
Probability = Annotated[Any, _rule("must be a number from 0 to 1", lambda v: _is_number(v) and 0 <= v <= 1)]
Flag = Annotated[bool, Strict(), _rule("must be true or false")]
ModelName = _text(MODEL_NAME_RE, "must be a SageMaker model name (1-63 letters, digits and hyphens, "
                                 "not starting or ending with a hyphen)", max_length=63)
NameList = Annotated[List[str], PlainValidator(_name_list)]
ValueList = Annotated[List[Union[str, int, float]], PlainValidator(_value_list)]
ScriptUri = _script_uri()
ProcessingJobName = _text(SAGEMAKER_NAME_RE, "must be a SageMaker processing job name (1-63 letters, digits and "
                                             "hyphens)")


class _Model(BaseModel):
    # python-re: the patterns keep Python's semantics (the same regexes check the settings' side)
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True, regex_engine="python-re")
    #: how an unknown key is called in "unknown field(s) ..."
    key_word: ClassVar[str] = "field"


# --------------------------------------------------------------------------- <monitor_type>_params


class ResourceParams(_Model):
    key_word: ClassVar[str] = "parameter"
    monitor_type: ClassVar[str]

    instance_count: InstanceCount = 1
    instance_type: InstanceType = "ml.m5.xlarge"
    volume_size_gb: VolumeSizeGb = 30
    max_runtime_seconds: MaxRuntimeSeconds = 1800


class DataQualityParams(ResourceParams):
    monitor_type: ClassVar[str] = "data_quality"

    max_runtime_seconds: MaxRuntimeSeconds = 3600
    dataset_format: _one_of(DATASET_FORMATS) = "csv"  # type: ignore[valid-type]
    # The baseline job's own analyzer scripts (DefaultModelMonitor.suggest_baseline's arguments of the same names)
    record_preprocessor_script: Optional[ScriptUri] = None
    post_analytics_processor_script: Optional[ScriptUri] = None


class ModelQualityParams(ResourceParams):
    monitor_type: ClassVar[str] = "model_quality"

    problem_type: _one_of(PROBLEM_TYPES) = "BinaryClassification"  # type: ignore[valid-type]
    # columns of the baseline dataset, which must hold predictions and labels
    inference_attribute: Optional[NonEmptyString] = "prediction"
    probability_attribute: Optional[NonEmptyString] = "probability"
    ground_truth_attribute: NonEmptyString = "label"
    probability_threshold_attribute: Optional[Probability] = None
    dataset_format: _one_of(DATASET_FORMATS) = "csv"  # type: ignore[valid-type]
    # ModelQualityMonitor.suggest_baseline takes a post-analytics script only (no record preprocessor)
    post_analytics_processor_script: Optional[ScriptUri] = None

    @model_validator(mode="before")
    @classmethod
    def _no_default_probability_for_regression(cls, data: Any) -> Any:
        # Probability settings only make sense for classification: the default is not sent for regression,
        # an explicit value is.
        if isinstance(data, Mapping) and data.get("problem_type") == "Regression" and "probability_attribute" not in data:
            return {**data, "probability_attribute": None}
        return data

    @model_validator(mode="after")
    def _says_where_the_prediction_is(self) -> "ModelQualityParams":
        if self.inference_attribute is None and self.probability_attribute is None:
            raise _problem("'{at}' needs 'inference_attribute' or 'probability_attribute' (both are null)")
        return self


class _ClarifyParams(ResourceParams):
    label_header: NonEmptyString = "label"  # a column name (text/csv) or a JMESPath (application/jsonlines)
    headers: NameList = "feature1,feature2,feature3,label"  # type: ignore[assignment]
    dataset_type: _one_of(DATASET_TYPES) = "text/csv"  # type: ignore[valid-type]
    # JSON Lines datasets: the features' JMESPath in each line (the SDK's DataConfig features)
    features: Optional[NonEmptyString] = None
    # The model's request and response formats (the SDK's ModelConfig; content_type None: the dataset's type,
    # accept_type None: the content type) and, for JSON, how a request is built from the features.
    content_type: Optional[_one_of(MODEL_CONTENT_TYPES)] = None  # type: ignore[valid-type]
    accept_type: Optional[_one_of(MODEL_CONTENT_TYPES)] = None  # type: ignore[valid-type]
    content_template: Optional[NonEmptyString] = None
    record_template: Optional[NonEmptyString] = None
    # One header per score of the model output (the SDK's ModelPredictedLabelConfig label_headers)
    label_headers: Optional[NameList] = None

    @property
    def model_content_type(self) -> str:
        return self.content_type or self.dataset_type

    @property
    def model_accept_type(self) -> str:
        return self.accept_type or self.model_content_type

    @property
    def feature_headers(self) -> List[str]:
        """The headers without the label (what the SDK's explainability monitor keeps)."""
        return [h for h in self.headers if h != self.label_header]

    def _model_problems(self) -> List[Tuple[str, Any, str]]:
        """The SDK's DataConfig / ModelConfig rules (which Clarify enforces at run time)."""
        found: List[Tuple[str, Any, str]] = []
        if self.dataset_type == "application/jsonlines" and self.features is None:
            found.append(("features", None, "'{at}' is required when '{parent}.dataset_type' is "
                                             "application/jsonlines: the JMESPath of the features in each line"))
        if self.dataset_type == "text/csv" and self.features is not None:
            found.append(("features", self.features, "'{at}' applies only to '{parent}.dataset_type' "
                                                     "application/jsonlines (CSV columns are the headers)"))
        content = self.model_content_type
        template = self.content_template
        placeholder = {"application/jsonlines": "$features", "application/json": "$record"}.get(content)
        if placeholder is not None and (template is None or placeholder not in template):
            what = "$features" if placeholder == "$features" else "$record or $records"
            got = "it is missing" if template is None else f"got {_show(template)}"
            found.append(("content_template", template, (
                f"'{{at}}' is required when the model's content type is {content} and must contain the placeholder "
                f"{what} ({got})")))
        elif content == "text/csv" and template is not None:
            found.append(("content_template", template, "'{at}' applies only to a JSON or JSON Lines model content type"))
        if content == "application/json" and self.record_template is None:
            found.append(("record_template", None, (
                "'{at}' is required when the model's content type is application/json "
                "(e.g. $features or $features_kvp)")))
        elif content != "application/json" and self.record_template is not None:
            found.append(("record_template", self.record_template,
                          "'{at}' applies only to the model content type application/json"))
        return found

    def _column_problems(self) -> List[Tuple[str, Any, str]]:
        found = self._model_problems()
        if self.dataset_type != "text/csv":
            pass  # the label is a JMESPath into each line, not a header
        elif self.label_header not in self.headers:
            found.append(("label_header", self.label_header, f"'{{at}}' {self.label_header!r} must be one of "
                                                             f"'{{parent}}.headers' ({', '.join(self.headers)})"))
        elif isinstance(getattr(self, "shap_baseline", None), list):
            features = self.feature_headers
            for i, row in enumerate(self.shap_baseline):  # type: ignore[attr-defined]
                if len(row) != len(features):
                    found.append(("shap_baseline", self.shap_baseline, (  # type: ignore[attr-defined]
                        f"'{{at}}' row {i} has {len(row)} value(s); it needs one per feature "
                        f"({len(features)}: {', '.join(features)}), without the label")))
        return found


class Facet(_Model):
    """One sensitive attribute: its column (a header) and the values or the threshold of its sensitive group (None:
    each value in turn), as the SDK's BiasConfig writes it (name_or_index, value_or_threshold)."""

    name: NonEmptyString
    values: Optional[ValueList] = None  # type: ignore[assignment]


class ModelBiasParams(_ClarifyParams):
    monitor_type: ClassVar[str] = "model_bias"

    label_values: ValueList = "0,1"  # type: ignore[assignment]
    facet_name: NonEmptyString = "feature1"
    facet_values: Optional[ValueList] = "100,200"  # type: ignore[assignment]
    # Several facets (the SDK's BiasConfig facet_name list): instead of facet_name/facet_values
    facets: Optional[List[Facet]] = None
    # The group column of the CDDL/CDDPL metrics (the SDK's BiasConfig group_name)
    group_name: Optional[NonEmptyString] = None
    probability_threshold: Probability = 0.8
    model_name: Optional[ModelName] = None  # None: resolved from the endpoint at start time
    # Where the prediction is in the model output (the monitor's own attributes; ModelPredictedLabelConfig)
    inference_attribute: Optional[NonEmptyString] = None
    probability_attribute: Optional[NonEmptyString] = None

    @model_validator(mode="before")
    @classmethod
    def _facets_or_facet_name(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("facets") is not None:
            if not isinstance(data["facets"], list) or not data["facets"]:
                raise _problem("'{at}.facets' must be a non-empty list of {name, values} objects "
                               f"(got {_show(data['facets'])})")
            given = [name for name in ("facet_name", "facet_values") if name in data]
            if given:
                raise _problem(f"'{{at}}.facets' replaces {' and '.join(repr(g) for g in given)}: give one or the other")
        return data

    @property
    def facet_list(self) -> List["Facet"]:
        """Every facet: ``facets``, or the one of ``facet_name``/``facet_values``."""
        if self.facets is not None:
            return list(self.facets)
        return [Facet(name=self.facet_name, values=self.facet_values)]

    @model_validator(mode="after")
    def _columns_are_headers(self) -> "ModelBiasParams":
        found = self._column_problems()
        names = [facet.name for facet in self.facet_list]
        for i, name in enumerate(names):
            at = "facet_name" if self.facets is None else "facets"
            where = "'{at}'" if self.facets is None else f"'{{at}}[{i}].name'"
            if name not in self.headers:
                found.append((at, name, f"{where} {name!r} must be one of '{{parent}}.headers' ({', '.join(self.headers)})"))
            elif name == self.label_header:
                found.append((at, name, f"{where} must not be the label column"))
            elif name in names[:i]:
                found.append((at, name, f"{where} {name!r} is given more than once"))
        if self.group_name is not None and self.group_name not in self.headers:
            found.append(("group_name", self.group_name, f"'{{at}}' {self.group_name!r} must be one of "
                                                         f"'{{parent}}.headers' ({', '.join(self.headers)})"))
        _raise(type(self).__name__, found)
        return self


class ModelExplainabilityParams(_ClarifyParams):
    monitor_type: ClassVar[str] = "model_explainability"

    model_name: Optional[ModelName] = None  # None: resolved from the endpoint at start time
    num_samples: _int_range(1, 1_000_000) = 100  # type: ignore[valid-type]
    agg_method: _one_of(AGG_METHODS) = "mean_abs"  # type: ignore[valid-type]
    save_local_shap_values: Flag = False
    # None: Clarify computes the baseline itself (K-means / K-prototypes on the training data). The seed's default
    # [[0.0]] has one value, its default headers three features: every Clarify job with it fails.
    shap_baseline: Annotated[Optional[Union[str, List[List[Union[str, int, float]]]]], BeforeValidator(
        lambda value: value if value is None else _shap_baseline(value))] = None
    inference_attribute: Optional[NonEmptyString] = None
    probability_attribute: Optional[NonEmptyString] = None
    # The SDK's SHAPConfig use_logit, seed and num_clusters (num_clusters: the size of the baseline Clarify computes
    # when shap_baseline is not given)
    use_logit: Flag = False
    seed: Optional[_int_range(0, 2**31 - 1)] = None  # type: ignore[valid-type]
    num_clusters: Optional[_int_range(1, 1_000_000)] = None  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _columns_are_headers(self) -> "ModelExplainabilityParams":
        found = self._column_problems()
        if self.num_clusters is not None and self.shap_baseline is not None:
            found.append(("num_clusters", self.num_clusters, "'{at}' sizes the baseline Clarify computes: it cannot "
                                                             "be given with '{parent}.shap_baseline'"))
        _raise(type(self).__name__, found)
        return self


MonitorParams = Union[DataQualityParams, ModelQualityParams, ModelBiasParams, ModelExplainabilityParams]
#: The one list of monitor types and of their baseline params (field names and defaults: ``model_fields``).
PARAMS: Dict[str, type] = {model.monitor_type: model for model in (
    DataQualityParams, ModelQualityParams, ModelBiasParams, ModelExplainabilityParams)}
MONITOR_TYPES: Tuple[str, ...] = tuple(PARAMS)
#: short forms used in processing job names (names are limited to 63 characters)
MONITOR_TYPE_SHORT: Dict[str, str] = {
    "data_quality": "dq",
    "model_quality": "mq",
    "model_bias": "mb",
    "model_explainability": "me",
}
MonitorType = _one_of(MONITOR_TYPES)


# --------------------------------------------------------------------------- start


class NetworkSettings(_Model):
    """The monitors' network configuration, applied to the baseline processing jobs too."""

    enable_inter_container_traffic_encryption: Flag = False
    enable_network_isolation: Flag = False
    subnet_ids: Optional[Annotated[List[str], Strict(), _rule(
        "must be a non-empty list of subnet ids", lambda ids: ids and all(map(SUBNET_RE.match, ids)))]] = None
    security_group_ids: Optional[Annotated[List[str], Strict(), _rule(
        "must be a non-empty list of security group ids", lambda ids: ids and all(map(SECURITY_GROUP_RE.match, ids)))]] = None

    @model_validator(mode="wrap")
    @classmethod
    def _vpc_given_together(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        given = [name in data for name in ("subnet_ids", "security_group_ids")] if isinstance(data, Mapping) else []
        return _with_problems(handler, data, cls.__name__, [((), data, (
            "'{at}.subnet_ids' and '{at}.security_group_ids' must be given together"))] if len(set(given)) == 2 else [])


def _tag_characters_ok(text: str) -> bool:
    """AWS's tag characters (botocore sagemaker TagKey/TagValue): letters, spaces and digits of any script, _.:/=+-@."""
    return all(unicodedata.category(c)[0] in "LZN" or c in "_.:/=+-@" for c in text)


def _tag_key(key: str) -> str:
    if not 1 <= len(key) <= 128 or key.lower().startswith("aws:") or not _tag_characters_ok(key):
        raise _problem("must be 1-128 characters of letters, digits, spaces and _.:/=+-@, not starting with 'aws:'")
    return key


def _tag_count(tags: Dict[str, str]) -> Dict[str, str]:
    if len(tags) > MAX_TAGS:
        raise _problem(f"'{{at}}' may hold at most {MAX_TAGS} tags (got {len(tags)})")
    return tags


def _an_object(what: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _problem(f"'{{at}}' must be {what} (got {_type_name(value)})")
        return value
    return BeforeValidator(check)


#: The ``tags`` object: the monitors' tags, which the baseline processing job carries too (the SDK tags a monitor's
#: baselining job with the monitor's tags).
Tags = Annotated[
    Dict[Annotated[str, Strict(), AfterValidator(_tag_key)],
         Annotated[str, Strict(), MaxLen(256), _rule(
             "must be a string of at most 256 letters, digits, spaces and _.:/=+-@", _tag_characters_ok)]],
    _an_object("an object of tag keys to values"), WrapValidator(lambda tags, handler: _tag_count(handler(tags)))]


def _params_field(model: type) -> Any:
    """``<monitor_type>_params``: null or absent means every default."""
    return Annotated[model, BeforeValidator(lambda value: {} if value is None else value)]


class _StartEvent(_Model):
    action: Annotated[Literal["start"], _rule("must be 'start' here")] = "start"
    monitor_type: MonitorType  # type: ignore[valid-type]
    endpoint_name: _text(SAGEMAKER_NAME_RE, "must be a SageMaker endpoint name (1-63 letters, digits and hyphens)")  # type: ignore[valid-type]
    training_data_uri: _s3_uri(need_key=True)  # type: ignore[valid-type]
    baseline_output_uri: _s3_uri(need_key=False)  # type: ignore[valid-type]
    execution_id: Optional[Annotated[str, Strict(), StringConstraints(pattern=r"\S", max_length=2048), _rule(
        "must be a non-empty string of at most 2048 characters")]] = None
    # then <monitor_type>_params, network_config and tags (START_EVENTS)

    @property
    def params(self) -> MonitorParams:
        return getattr(self, f"{self.monitor_type}_params")

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


_START_TAIL: Dict[str, Any] = {"network_config": (Optional[NetworkSettings], None), "tags": (Optional[Tags], None)}
#: One start event model per monitor type: the envelope plus that type's params (another type's params is unknown).
START_EVENTS: Dict[str, type] = {
    monitor: create_model(f"{model.__name__[:-len('Params')]}Start", __base__=_StartEvent,
                          **{f"{monitor}_params": (_params_field(model), {})}, **_START_TAIL)
    for monitor, model in PARAMS.items()}
# Without a valid monitor_type the params are not checked, but any type's params key is known.
_UnknownMonitorStart = create_model("UnknownMonitorStart", __base__=_StartEvent,
                                    **{f"{monitor}_params": (Any, None) for monitor in MONITOR_TYPES}, **_START_TAIL)
StartRequest = _StartEvent


# --------------------------------------------------------------------------- check, promote, start_executions


class CheckRequest(_Model):
    """A ``check`` event. Extra keys (e.g. the previous ``start`` result that a state machine passes along) are
    ignored."""

    model_config = ConfigDict(extra="ignore")
    action: Annotated[Literal["check"], _rule("must be 'check' here")]
    processing_job_name: ProcessingJobName
    monitor_type: MonitorType  # type: ignore[valid-type]


class PromoteRequest(_Model):
    """A ``promote`` event: copy a finished job's staging output to the live baseline prefix. The staging URI must be
    this monitor's staging folder under baseline_output_uri (nothing else is ever copied over a baseline)."""

    model_config = ConfigDict(extra="ignore")
    action: Annotated[Literal["promote"], _rule("must be 'promote' here")]
    processing_job_name: ProcessingJobName
    monitor_type: MonitorType  # type: ignore[valid-type]
    staging_output_uri: _s3_uri(need_key=False)  # type: ignore[valid-type]
    baseline_output_uri: _s3_uri(need_key=False)  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _is_this_jobs_staging_folder(self) -> "PromoteRequest":
        live = self.baseline_output_uri.rstrip("/")
        if not live.endswith(f"/{self.monitor_type}"):
            _raise("PromoteRequest", [("baseline_output_uri", self.baseline_output_uri, (
                f"'{{at}}' must be the monitor's baseline prefix <baseline output>/{self.monitor_type}/ "
                f"(got {_show(self.baseline_output_uri)})"))])
        expected = f"{live[: -len(self.monitor_type) - 1]}/{STAGING_FOLDER}/{self.monitor_type}/{self.processing_job_name}/"
        if self.staging_folder != expected:
            _raise("PromoteRequest", [("staging_output_uri", self.staging_output_uri, (
                f"'{{at}}' must be {expected!r}, this job's staging folder (got {_show(self.staging_output_uri)})"))])
        return self

    @property
    def staging_folder(self) -> str:
        return self.staging_output_uri.rstrip("/") + "/"

    @property
    def baseline_folder(self) -> str:
        return self.baseline_output_uri.rstrip("/") + "/"


def _execution_name(name: Any) -> str:
    if not isinstance(name, str) or not 1 <= len(name) <= 80:
        raise PydanticCustomError("rule", "'{at}' must be a string of 1 to 80 characters")
    bad = sorted({ch for ch in name if ch in _SFN_NAME_FORBIDDEN or ch.isspace() or not ch.isprintable()})
    if bad:
        raise PydanticCustomError("rule", f"'{{at}}' contains characters Step Functions rejects: {' '.join(map(repr, bad))}")
    return name


def _start_event(value: Dict[str, Any]) -> Dict[str, Any]:
    """Every execution's input obeys the ``start`` rules, so nothing is started unless everything is valid."""
    try:
        validate_start(value)
    except EventValidationError as exc:
        raise ValidationError.from_exception_data("input", [InitErrorDetails(
            type=PydanticCustomError("nested", problem), loc=(), input=value) for problem in exc.problems]) from None
    return value


class ExecutionSpec(_Model):
    name: Annotated[str, PlainValidator(_execution_name)]
    input: Annotated[Dict[str, Any], _an_object("an object"), AfterValidator(_start_event)]

    @model_validator(mode="before")
    @classmethod
    def _is_an_object(cls, value: Any) -> Any:
        if not isinstance(value, Mapping):
            raise _problem(f"'{{at}}' must be an object with 'name' and 'input' (got {_type_name(value)})")
        return value


def _executions(value: Any, handler: Callable[[Any], Any]) -> Any:
    """A non-empty array of executions with unique names."""
    if not isinstance(value, list) or not value:
        raise PydanticCustomError("rule", "'{at}' must be a non-empty array")
    names = [item.get("name") if isinstance(item, Mapping) else None for item in value]
    return _with_problems(handler, value, "executions", [
        ((i, "name"), name, "'{at}' " + f"{name!r} is used by more than one execution")
        for i, name in enumerate(names) if isinstance(name, str) and name in names[:i]])


class StartExecutionsRequest(_Model):
    action: Annotated[Literal["start_executions"], _rule("must be 'start_executions' here")]
    state_machine_arn: _text(STATE_MACHINE_ARN_RE, "must be a Step Functions state machine ARN")  # type: ignore[valid-type]
    executions: Annotated[List[ExecutionSpec], WrapValidator(_executions)]


# --------------------------------------------------------------------------- problems


def _path(loc: Tuple[Union[str, int], ...]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _model_at(model: Any, loc: Tuple[Union[str, int], ...]) -> Any:
    """The model class that validated the object at ``loc`` (for the names it allows)."""
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        kinds = [field.annotation] if field else list(get_args(model) or [model])
        while kinds and not (isinstance(kinds[0], type) and issubclass(kinds[0], BaseModel)):
            kinds = [*get_args(kinds[0]), *kinds[1:]] if get_args(kinds[0]) else kinds[1:]
        model = kinds[0] if kinds else model
    return model


def _message(error: Any) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "missing":
        return f"missing required field '{_path(loc)}'"
    if kind == "nested":
        return f"{_path(loc)}: {error['msg']}"
    if len(loc) >= 2 and loc[-1] == "[key]":
        return f"'{_path(loc[:-2])}' key {_show(loc[-2])} {error['msg']}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"'{_path(loc)}' must be an object (got {_type_name(error['input'])})"
    message = error["msg"] if kind in ("rule", "problem") else f"'{{at}}' {error['msg']}"
    parent = _path(loc[:-1])
    message = message.replace("{at}", _path(loc)).replace("{parent}.", f"{parent}." if parent else "")
    message = message.replace("{parent}", parent)
    return message if kind == "problem" else f"{message} (got {_show(error['input'])})"


#: Terraform templates (${, %{) and cdktf tokens (${TfToken[...]}, #{ lists, &{ maps): never a value of an event.
_TEMPLATE_OR_TOKEN_RE = re.compile(r"[$%#&]\{|TfToken\[")
MAX_EVENT_DEPTH = 64


def _template_problems(event: Any) -> List[Tuple[Tuple[Union[str, int], ...], str]]:
    """Every string (value or key) holding a Terraform template or a cdktf token, anywhere in the event; a walk
    with its own stack, so a deeply nested event is a problem, not a RecursionError."""
    found: List[Tuple[Tuple[Union[str, int], ...], str]] = []
    stack: List[Tuple[Tuple[Union[str, int], ...], Any]] = [((), event)]
    while stack:
        loc, value = stack.pop()
        where = _path(loc) or "event"
        if len(loc) > MAX_EVENT_DEPTH:
            found.append((loc, f"'{_path(loc[:3])}...' is nested deeper than {MAX_EVENT_DEPTH} levels"))
            continue
        if isinstance(value, str):
            match = _TEMPLATE_OR_TOKEN_RE.search(value)
            if match:
                found.append((loc, f"'{where}' must not contain {match.group()!r} (a Terraform template or cdktf "
                                   f"token) (got {_show(value)})"))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                match = _TEMPLATE_OR_TOKEN_RE.search(key) if isinstance(key, str) else None
                if match:
                    found.append((loc, f"'{where}' key {_show(key)} must not contain {match.group()!r} (a Terraform "
                                       "template or cdktf token)"))
                else:
                    stack.append((loc + (str(key),), item))
        elif isinstance(value, (list, tuple)):
            stack.extend((loc + (i,), item) for i, item in enumerate(value))
    return sorted(found, key=lambda problem: [str(part) for part in problem[0]])


def _related(one: Tuple[Union[str, int], ...], other: Tuple[Union[str, int], ...]) -> bool:
    """One location holds the other (a list's rule and its item's token are one problem)."""
    shorter = min(len(one), len(other))
    return one[:shorter] == other[:shorter] and (shorter > 0 or len(one) == len(other))


def _validate(model: Any, event: Any) -> Any:
    """``model.model_validate(event)``, or EventValidationError with one problem per rule broken (templates and
    tokens anywhere first; the model's own problems at other places)."""
    tokens = _template_problems(event)
    errors: List[Any] = []
    try:
        result = model.model_validate(event)
    except ValidationError as exc:
        flagged = [loc for loc, _ in tokens]
        errors = [error for error in exc.errors(include_url=False)
                  if not any(_related(tuple(error["loc"]), loc) for loc in flagged)]
    else:
        if not tokens:
            return result
    found: List[Tuple[Tuple[Union[str, int], ...], Any]] = list(tokens)
    unknown: Dict[Tuple[Union[str, int], ...], List[str]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "extra_forbidden":  # one problem per object, naming every unknown key
            if loc[:-1] not in unknown:
                found.append((loc[:-1], None))
            unknown.setdefault(loc[:-1], []).append(str(loc[-1]))
        else:
            found.append((loc, _message(error)))
    problems = []
    for loc, message in found:
        if message is None:
            holder = _model_at(model, loc)
            where = f" in '{_path(loc)}'" if loc else ""
            allowed = holder.model_fields if loc else sorted(holder.model_fields)  # an object's in their order
            message = (f"unknown {holder.key_word}(s){where}: {', '.join(sorted(unknown[loc]))} "
                       f"(allowed: {', '.join(allowed)})")
        problems.append(message)
    raise EventValidationError(problems, [loc for loc, _ in found])


def _require_mapping(event: Any, what: str = "event") -> Mapping[str, Any]:
    if not isinstance(event, Mapping):
        raise EventValidationError([f"{what} must be a JSON object (got {_type_name(event)})"])
    return event


# --------------------------------------------------------------------------- public API


def get_action(event: Any) -> str:
    """The event's action; ``"start"`` when absent (so a sample event starts a job)."""
    action = _require_mapping(event).get("action", "start")
    if action not in ACTIONS:
        raise EventValidationError([f"'action' must be one of {', '.join(ACTIONS)} (got {_show(action)})"], [("action",)])
    return action


def validate_start(event: Any) -> StartRequest:
    monitor_type = _require_mapping(event).get("monitor_type")
    return _validate(START_EVENTS.get(monitor_type, _UnknownMonitorStart) if isinstance(monitor_type, str)
                     else _UnknownMonitorStart, event)


def validate_params(monitor_type: str, params: Any) -> MonitorParams:
    """One monitor type's ``<monitor_type>_params`` alone (what a Clarify monitor's analysis configuration is written
    from when its baseline is given, not generated); problems are located from the params' top."""
    return _validate(PARAMS[monitor_type], {} if params is None else _require_mapping(params, f"{monitor_type}_params"))


def validate_check(event: Any) -> CheckRequest:
    return _validate(CheckRequest, _require_mapping(event))


def validate_promote(event: Any) -> PromoteRequest:
    return _validate(PromoteRequest, _require_mapping(event))


def validate_start_executions(event: Any) -> StartExecutionsRequest:
    return _validate(StartExecutionsRequest, _require_mapping(event))


# --------------------------------------------------------------------------- environment

ROLE_ARN_RE = re.compile(r"^arn:aws[a-z\-]*:iam::\d{12}:role/[\w+=,.@\-/]+$")


class ConfigurationError(ValueError):
    """The Lambda's environment is incomplete or invalid."""


@dataclass(frozen=True)
class RuntimeSettings:
    """Settings of the ``start`` action, read from the Lambda's environment."""

    role_arn: str
    kms_key_id: Optional[str] = None
    #: PINNED_BASELINES (comma-separated monitor types): a live baseline that exists is never replaced
    pinned: Tuple[str, ...] = ()
    #: HELD_SCHEDULES (JSON {monitor_type: monitoring schedule name}): stopped at deploy while the live baseline does
    #: not exist, started by the promotion that creates it
    held_schedules: Tuple[Tuple[str, str], ...] = ()

    @property
    def schedules(self) -> Dict[str, str]:
        return dict(self.held_schedules)

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
        pinned = tuple(name.strip() for name in environ.get("PINNED_BASELINES", "").split(",") if name.strip())
        unknown = [name for name in pinned if name not in PARAMS]
        if unknown:
            problems.append(f"environment variable PINNED_BASELINES names unknown monitor types: {', '.join(unknown)} "
                            f"(allowed: {', '.join(PARAMS)})")
        held: Tuple[Tuple[str, str], ...] = ()
        raw = environ.get("HELD_SCHEDULES", "").strip()
        if raw:
            import json
            try:
                value = json.loads(raw)
            except ValueError:
                value = None
            if (not isinstance(value, dict) or not all(
                    monitor in PARAMS and isinstance(name, str) and SAGEMAKER_NAME_RE.match(name)
                    for monitor, name in value.items())):
                problems.append("environment variable HELD_SCHEDULES must be a JSON object of monitor types to "
                                f"monitoring schedule names (got {_show(raw)})")
            else:
                held = tuple(sorted(value.items()))
        if problems:
            raise ConfigurationError("; ".join(problems))
        return cls(role_arn=role, kms_key_id=kms, pinned=pinned, held_schedules=held)
