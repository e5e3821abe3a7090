"""Rules across parameters: small functions, each declaring the parameters (flat names) it reads, run by one runner.

A parameter that broke its own rule is left out of the settings (it takes its default), so a rule that reads it
would report a consequence, not a cause: the runner skips it. Rules run in the README's group order, so problems
are listed the same way every time; ``check`` returns them all. ``settings_warnings`` lists allowed but probably
unintended combinations.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from monitors import images
from monitors.monitor_types import MONITORS
from monitors.monitor_types.base import BASELINE_OBJECT_PARAM_FIELDS, MonitorType
from monitors.monitor_types.model_bias import METRICS as BIAS_METRICS
from monitors.monitor_types.model_quality import BASELINE_COLUMNS
from monitors.monitor_types.model_quality import METRICS as MODEL_QUALITY_METRICS
from monitors.naming import cloud_workspace_name
from monitors.settings.fields import BUCKET_NAME, S3_URI_RE, did_you_mean, offset_seconds, region_names, shorten

if TYPE_CHECKING:
    from monitors.settings.model import Settings

Problem = Callable[[str, str], None]  # problem(parameter, rule)


@dataclass(frozen=True)
class Rule:
    reads: frozenset[str]  # parameters whose own failure makes this rule moot
    check: Callable[[Settings, Problem], None]


RULES: list[Rule] = []


def rule(
    *reads: str | Iterable[str],
) -> Callable[[Callable[[Settings, Problem], None]], Callable[[Settings, Problem], None]]:
    def register(check: Callable[[Settings, Problem], None]) -> Callable[[Settings, Problem], None]:
        RULES.append(
            Rule(frozenset(r for group in reads for r in ([group] if isinstance(group, str) else group)), check)
        )
        return check

    return register


def check(settings: Settings, bad: frozenset[str]) -> list[str]:
    """Every rule whose inputs passed their own rules (field rules, and the rules run before it); one line per
    problem."""
    problems: list[str] = []
    failed = set(bad)

    def problem(field: str, text: str) -> None:
        problems.append(f"{field}: {text}")
        failed.add(field)

    for each in RULES:
        if not each.reads & failed:
            each.check(settings, problem)
    return problems


def _per_monitor(specs: Iterable[MonitorType], check: Callable[[Settings, Problem, MonitorType], None]) -> None:
    """Register one rule per monitor type, in the registry's order."""

    def bound(spec: MonitorType) -> Callable[[Settings, Problem], None]:
        return lambda settings, problem: check(settings, problem, spec)

    for spec in specs:
        rule()(bound(spec))


def _with(option: str) -> list[MonitorType]:
    return [spec for spec in MONITORS.values() if spec.has(option)]


def _in_bucket(settings: Settings, value: str) -> str | None:
    """The rule text when an S3 URI is outside the model bucket."""
    if settings.model_bucket_arn is not None and S3_URI_RE.match(value).group(1) != settings.model_bucket_name:  # type: ignore[union-attr]
        return f"must be inside the model bucket s3://{settings.model_bucket_name}/ (model_bucket_arn) (got {value!r})"
    return None


# --- Required -------------------------------------------------------------------------------------
def _required(settings: Settings, problem: Problem, field: str) -> None:
    if settings.parameter(field) is None:
        problem(field, "is required")


for _field in ("endpoint_name", "model_bucket_arn"):
    rule(_field)(partial(_required, field=_field))


# --- Monitors: at least one ---------------------------------------------------------------------
_SWITCHES = [spec.setting("enabled") for spec in MONITORS.values()]


@rule(_SWITCHES)
def _at_least_one_monitor(settings: Settings, problem: Problem) -> None:
    if not settings.enabled_monitors:
        problem(_SWITCHES[0], f"at least one of {', '.join(_SWITCHES)} must be true")


# --- Optional: the VPC config comes whole --------------------------------------------------------
@rule("security_group_id", "subnet_ids")
def _vpc_whole(settings: Settings, problem: Problem) -> None:
    if (settings.security_group_id is None) != (settings.subnet_ids is None or settings.subnet_ids == []):
        problem("security_group_id", "security_group_id and subnet_ids must be given together or not at all")


# --- Baseline generation: both URIs ---------------------------------------------------------------
@rule("baseline_training_data_s3_uri", "baseline_output_data_s3_uri")
def _baseline_uris_together(settings: Settings, problem: Problem) -> None:
    if bool(settings.baseline_training_data_s3_uri) != bool(settings.baseline_output_data_s3_uri):
        missing = (
            "baseline_output_data_s3_uri" if settings.baseline_training_data_s3_uri else "baseline_training_data_s3_uri"
        )
        problem(missing, "baseline_training_data_s3_uri and baseline_output_data_s3_uri must be given together")


# --- Per monitor: the URIs an enabled monitor needs, every S3 URI in the model bucket, batch inputs ------------
def _required_uri(settings: Settings, problem: Problem, spec: MonitorType, kind: str) -> None:
    options = settings.options(spec.name)
    if not options.enabled or getattr(options, kind) is not None:
        return
    if kind == "baseline_s3_uri":
        if settings.baseline_generation_enabled:
            return  # baseline generation writes it
        why = " (or enable baseline generation with baseline_training_data_s3_uri and baseline_output_data_s3_uri)"
    else:
        why = ""
    problem(spec.setting(kind), f"is required when {spec.setting('enabled')} is true{why}")


for _spec in MONITORS.values():
    for _kind in ("baseline_s3_uri", "output_s3_uri", *(("ground_truth_s3_uri",) if _spec.needs_ground_truth else ())):
        rule(_spec.setting(_kind))(partial(_required_uri, spec=_spec, kind=_kind))


@rule()
def _uris_in_model_bucket(settings: Settings, problem: Problem) -> None:
    """Every S3 URI lives in the model bucket (the seed says so but never checked)."""
    from monitors.settings.model import PARAMETERS

    for name in PARAMETERS:
        value = settings.parameter(name)
        if name.endswith("_s3_uri") and isinstance(value, str):
            text = _in_bucket(settings, value)
            if text:
                problem(name, text)


def _batch_input(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    batch, field = settings.options(spec.name).batch_transform_input, spec.setting("batch_transform_input")
    if batch is None:
        return
    if settings.model_bucket_arn is not None and _in_bucket(settings, batch.data_captured_destination_s3_uri):
        problem(
            f"{field}.data_captured_destination_s3_uri",
            f"must be inside the model bucket s3://{settings.model_bucket_name}/ (model_bucket_arn)",
        )
    if spec.provider == "aws" and not settings.options(spec.name).needs_awscc() and batch.dataset_format == "parquet":
        problem(
            f"{field}.dataset_format",
            f"parquet is not available for {spec.title}: the aws provider's "
            f"{spec.job_definition_resource} only has csv and json",
        )
    if spec.name not in settings.enabled_monitors:
        problem(field, f"is set but {spec.setting('enabled')} is false")


_per_monitor(MONITORS.values(), _batch_input)


# --- Model quality: where the prediction is, per problem type --------------------------------------------
_MQ = MONITORS["model_quality"]


@rule(
    _MQ.setting(o)
    for o in ("problem_type", "inference_attribute", "probability_attribute", "probability_threshold_attribute")
)
def _model_quality_prediction(settings: Settings, problem: Problem) -> None:
    options = settings.model_quality
    if not options.enabled:
        return
    ptype = options.problem_type
    if ptype in ("Regression", "MulticlassClassification") and not options.inference_attribute:
        problem("model_quality_inference_attribute", f"is required when model_quality_problem_type is {ptype}")
    has_probability = bool(options.probability_attribute)
    has_threshold = options.probability_threshold_attribute is not None
    if ptype == "BinaryClassification" and has_probability != has_threshold:
        problem(
            "model_quality_probability_attribute" if has_threshold else "model_quality_probability_threshold_attribute",
            "BinaryClassification needs model_quality_probability_attribute together with "
            "model_quality_probability_threshold_attribute (or model_quality_inference_attribute alone)",
        )


# --- Baseline generation: params of a disabled monitor ------------------------------------------------
# The params' own rules (the baseline Lambda's validator) run after these (monitors.settings.baseline_events).
def _params_of_disabled(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    options = settings.options(spec.name)
    if options.baseline_params and not options.enabled:
        problem(spec.setting("baseline_params"), f"is set but {spec.setting('enabled')} is false")


_per_monitor(MONITORS.values(), _params_of_disabled)


# --- Alerts ---------------------------------------------------------------------------------------------
_ALARMS = {spec.setting("alarms"): spec for spec in MONITORS.values()}


@rule()
def _one_topic(settings: Settings, problem: Problem) -> None:
    if settings.alert_sns_topic_arn and settings.alert_create_topic:
        problem("alert_create_topic", "give alert_sns_topic_arn or alert_create_topic, not both")


@rule("kms_key_id")
def _created_topic_needs_key(settings: Settings, problem: Problem) -> None:
    if settings.alert_create_topic and not settings.kms_key_id:
        problem(
            "alert_create_topic",
            "needs kms_key_id: CloudWatch alarms and EventBridge cannot publish to a topic "
            "encrypted with the AWS managed key alias/aws/sns",
        )


@rule("alert_sns_topic_arn", "alert_create_topic")
def _alert_inputs_need_alerting(settings: Settings, problem: Problem) -> None:
    for field in ("alert_email_addresses", *_ALARMS):
        if settings.parameter(field) and not settings.alerts_enabled:
            problem(field, "is set but alerting is off: give alert_sns_topic_arn or alert_create_topic")


@rule()
def _alarms_of_disabled(settings: Settings, problem: Problem) -> None:
    for field, spec in _ALARMS.items():
        if settings.parameter(field) and spec.name not in settings.enabled_monitors:
            problem(field, f"is set but {spec.setting('enabled')} is false")


@rule(_MQ.setting("problem_type"))
def _model_quality_alarm_metrics(settings: Settings, problem: Problem) -> None:
    known = MODEL_QUALITY_METRICS[settings.model_quality.problem_type]
    for i, alarm in enumerate(settings.model_quality.alarms or []):
        if alarm.metric not in known:
            problem(
                f"model_quality_alarms[{i}].metric",
                f"{alarm.metric!r} is not a {settings.model_quality.problem_type} metric"
                f"{did_you_mean(alarm.metric, list(known))}; known: {', '.join(known)}",
            )


@rule()
def _bias_alarm_metrics(settings: Settings, problem: Problem) -> None:
    known = [m for names in BIAS_METRICS.values() for m in names]
    for i, alarm in enumerate(settings.model_bias.alarms or []):
        if alarm.metric not in known:
            problem(
                f"model_bias_alarms[{i}].metric",
                f"{alarm.metric!r} is not a Clarify bias metric"
                f"{did_you_mean(alarm.metric, known)}; known: {', '.join(known)}",
            )


@rule()
def _alarms_once(settings: Settings, problem: Problem) -> None:
    for field in _ALARMS:
        first: dict[str, int] = {}
        for i, alarm in enumerate(settings.parameter(field) or []):
            if alarm.key in first:
                problem(
                    f"{field}[{i}]",
                    f"is the same alarm as {field}[{first[alarm.key]}] (alarm {alarm.key!r}); give each alarm once",
                )
            first.setdefault(alarm.key, i)


# --- Monitors: time windows, scripts, baseline datasets, one threshold ------------------------------------
def _window_of_disabled(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    options = settings.options(spec.name)
    for option in ("start_time_offset", "end_time_offset"):
        if getattr(options, option) is not None and not options.enabled:
            problem(spec.setting(option), f"is set but {spec.setting('enabled')} is false")


def _window_order(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    options, start = settings.options(spec.name), spec.setting("start_time_offset")
    if (
        options.start_time_offset
        and options.end_time_offset
        and offset_seconds(options.end_time_offset) < offset_seconds(options.start_time_offset)
    ):
        problem(
            spec.setting("end_time_offset"),
            f"{options.end_time_offset!r} is before {start} "
            f"{options.start_time_offset!r}: the window would end before it starts",
        )


for _spec in _with("start_time_offset"):
    rule()(partial(_window_of_disabled, spec=_spec))
    rule(_spec.setting("start_time_offset"), _spec.setting("end_time_offset"))(partial(_window_order, spec=_spec))


def _script(settings: Settings, problem: Problem, spec: MonitorType, option: str) -> None:
    options = settings.options(spec.name)
    field, value = spec.setting(option), getattr(options, option)
    if value is None:
        return
    if not options.enabled:
        problem(field, f"is set but {spec.setting('enabled')} is false")
    text = _in_bucket(settings, value)
    if text:
        problem(field, text)
    if value.endswith("/"):
        problem(field, f"must name a script object, not a prefix (got {value!r})")


for _spec in _with("record_preprocessor_source_uri"):
    for _option in ("record_preprocessor_source_uri", "post_analytics_processor_source_uri"):
        rule(_spec.setting(_option))(partial(_script, spec=_spec, option=_option))


def _pinned_needs_a_generated_baseline(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    options = settings.options(spec.name)
    if not options.baseline_pinned or not options.enabled:
        return
    if not settings.baseline_generation_enabled:
        problem(
            spec.setting("baseline_pinned"),
            "pins a generated baseline, but baseline generation is off "
            "(baseline_training_data_s3_uri and baseline_output_data_s3_uri)",
        )
    elif options.baseline_s3_uri is not None:
        problem(
            spec.setting("baseline_pinned"),
            f"pins the generated baseline, but the monitor reads its own {spec.setting('baseline_s3_uri')}",
        )


for _spec in MONITORS.values():
    rule(_spec.setting("baseline_pinned"), _spec.setting("baseline_s3_uri"))(
        partial(_pinned_needs_a_generated_baseline, spec=_spec)
    )


def _baseline_script(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    """The baseline job's scripts (baseline_<monitor>_params record_preprocessor_script /
    post_analytics_processor_script) and explainability's shap_baseline given as an S3 object are read by the job's
    role, the monitoring role: inside the model bucket. Their
    form (an s3:// object) is the baseline Lambda's rule (monitors.settings.baseline_events)."""
    params = settings.options(spec.name).baseline_params or {}
    for name in BASELINE_OBJECT_PARAM_FIELDS:
        value = params.get(name)
        if isinstance(value, str) and S3_URI_RE.match(value):
            text = _in_bucket(settings, value)
            if text:
                problem(spec.setting("baseline_params"), f"{name} {text}")


for _spec in MONITORS.values():
    if _spec.baseline_param_fields & set(BASELINE_OBJECT_PARAM_FIELDS):
        rule(_spec.setting("baseline_params"), "model_bucket_arn")(partial(_baseline_script, spec=_spec))


@rule()
def _alarms_need_metrics(settings: Settings, problem: Problem) -> None:
    if not settings.publish_cloudwatch_metrics:
        for field in _ALARMS:
            if settings.parameter(field):
                problem(field, "alarms watch published metrics, but publish_cloudwatch_metrics is false")


@rule()
def _baseline_columns(settings: Settings, problem: Problem) -> None:
    """Model quality baseline columns: our names for the seed's baseline_model_quality_params fields."""
    seed_params = settings.model_quality.baseline_params or {}
    for option, seed_field in BASELINE_COLUMNS.items():
        value, column = getattr(settings.model_quality, option), _MQ.setting(option)
        if value is None:
            continue
        if not settings.model_quality.enabled:
            problem(column, "is set but enable_model_quality_monitor is false")
        elif not settings.baseline_generation_enabled:
            problem(
                column,
                "is a column of the baseline dataset: it needs baseline generation "
                "(baseline_training_data_s3_uri and baseline_output_data_s3_uri)",
            )
        if seed_field in seed_params and str(seed_params[seed_field]) != value:
            problem(
                column,
                f"{value!r} differs from baseline_model_quality_params.{seed_field} "
                f"{seed_params[seed_field]!r}; give one of them",
            )


def _dataset_format(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    if (
        "baseline_dataset_format" in settings.options(spec.name).model_fields_set
        and not settings.baseline_generation_enabled
    ):
        problem(
            spec.setting("baseline_dataset_format"),
            "describes the baseline dataset: it needs baseline generation "
            "(baseline_training_data_s3_uri and baseline_output_data_s3_uri)",
        )


_per_monitor(_with("baseline_dataset_format"), _dataset_format)


@rule()
def _one_bias_threshold(settings: Settings, problem: Problem) -> None:
    bias = settings.model_bias
    threshold, params = bias.probability_threshold_attribute, bias.baseline_params or {}
    if not (
        settings.baseline_generation_enabled
        and bias.enabled
        and threshold is not None
        and "probability_threshold" in params
    ):
        return
    try:
        differs = float(params["probability_threshold"]) != threshold
    except (TypeError, ValueError):
        differs = False  # the baseline Lambda's validator reports the bad value
    if differs:
        problem(
            "model_bias_probability_threshold_attribute",
            f"{threshold} differs from baseline_model_bias_params.probability_threshold "
            f"{params['probability_threshold']!r}: the baseline and the monitor would turn probabilities "
            "into labels at different cut-offs; give one of them (it reaches both)",
        )


@rule()
def _explainability_model_name(settings: Settings, problem: Problem) -> None:
    expl = settings.model_explainability
    generated = settings.baseline_generation_enabled and expl.baseline_s3_uri is None
    given = expl.baseline_s3_uri is not None and expl.analysis_config_s3_uri is None
    if expl.enabled and (generated or given) and not (expl.baseline_params or {}).get("model_name"):
        problem(
            "baseline_model_explainability_params",
            "needs model_name: the explainability monitor's analysis configuration names the model its Clarify job "
            "deploys to a shadow endpoint (as the SageMaker SDK's ExplainabilityAnalysisConfig does)",
        )


# --- Clarify: the model's formats, and the monitor's analysis configuration ---------------------------------
_CLARIFY = [spec for spec in MONITORS.values() if spec.analysis_config is not None]
_MODEL_FORMATS = ("content_type", "accept_type", "content_template", "record_template", "label_headers")


def _clarify_model(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    options = settings.options(spec.name)
    if not options.enabled:
        return
    content = options.content_type
    if content in ("application/json", "application/jsonlines") and not options.features_attribute:
        problem(
            spec.setting("features_attribute"),
            f"is required when {spec.setting('content_type')} is {content}: the JMESPath of the features in the "
            "captured request (the SDK's features_attribute)",
        )
    if spec.name == "model_explainability" and options.label_headers:
        for i, alarm in enumerate(options.alarms or []):
            if alarm.label not in options.label_headers:
                problem(
                    f"{spec.setting('alarms')}[{i}].label",
                    f"{alarm.label!r} is none of {spec.setting('label_headers')} ({', '.join(options.label_headers)}), "
                    "which name the published metrics' Label dimension",
                )
    if options.analysis_config_s3_uri is not None:
        if options.analysis_config_s3_uri.endswith("/"):
            problem(
                spec.setting("analysis_config_s3_uri"),
                f"must name a file (your analysis_config.json), not a prefix (got {options.analysis_config_s3_uri!r})",
            )
        generated = settings.baseline_generation_enabled and options.baseline_s3_uri is None
        if not generated:
            for name in _MODEL_FORMATS:
                if getattr(options, name) is not None:
                    problem(
                        spec.setting(name),
                        f"has no effect: the monitor reads {spec.setting('analysis_config_s3_uri')} as it is and no "
                        "baseline is generated; put it in your file, or unset "
                        f"{spec.setting('analysis_config_s3_uri')} to have the configuration generated",
                    )
    elif options.baseline_s3_uri is not None and "headers" not in (options.baseline_params or {}):
        problem(
            spec.setting("baseline_params"),
            f"needs headers: with a given baseline ({spec.setting('baseline_s3_uri')}) the monitor's analysis "
            f"configuration is written from {spec.setting('baseline_params')} (headers, label_header, ... as for a "
            "generated baseline), so the label never appears among the features; or name your own file in "
            f"{spec.setting('analysis_config_s3_uri')}",
        )


_per_monitor(_CLARIFY, _clarify_model)


# --- Terraform: each backend's own parameters (explicit per backend; local needs none) --------------------
@rule("backend_s3_bucket")
def _s3_backend(settings: Settings, problem: Problem) -> None:
    if settings.backend == "s3" and not settings.backend_s3_bucket:
        problem("backend_s3_bucket", "is required when backend is s3")


@rule("tfc_organization")
def _cloud_organization(settings: Settings, problem: Problem) -> None:
    if settings.backend == "cloud" and not settings.tfc_organization:
        problem("tfc_organization", "is required when backend is cloud")


@rule("tfc_workspace_name", "tfc_workspace_tags")
def _cloud_workspace(settings: Settings, problem: Problem) -> None:
    if settings.backend == "cloud" and settings.tfc_workspace_name and settings.tfc_workspace_tags:
        problem(
            "tfc_workspace_name",
            "give tfc_workspace_name or tfc_workspace_tags, not both (neither: the workspace is named after the stack)",
        )


# Terraform Cloud/Enterprise names (organization and workspace settings pages): letters, digits, '-' and '_';
# workspace names at most 90 characters.
_TFC_NAME = re.compile(r"[A-Za-z0-9_-]+")


@rule()
def _cloud_names(settings: Settings, problem: Problem) -> None:
    for field, limit in (("tfc_organization", 90), ("tfc_workspace_name", 90)):
        value = settings.parameter(field)
        if value is None:
            continue
        name = value
        if field == "tfc_workspace_name":  # {stack_name} and {endpoint_name} become this stack's names
            name = cloud_workspace_name(value, settings.validated_stack_name, settings.endpoint_name)
        if not _TFC_NAME.fullmatch(name) or len(name) > limit:
            placeholders = " (besides {stack_name} and {endpoint_name})" if field == "tfc_workspace_name" else ""
            resolved = f", {shorten(name)} for this stack" if name != value else ""
            problem(
                field,
                f"must be a Terraform Cloud name{placeholders}: letters, digits, '-' and '_', at most {limit} "
                f"characters (got {shorten(value)}{resolved})",
            )


@rule("backend_local_path")
def _relative_state_path(settings: Settings, problem: Problem) -> None:
    if settings.backend_local_path is not None and settings.backend_local_path.startswith("/"):
        problem("backend_local_path", "must be a relative path (absolute state paths break across checkouts)")


# --- Baseline generation: how often ------------------------------------------------------------------------
@rule("baseline_schedule_expression")
def _baseline_at_most_hourly(settings: Settings, problem: Problem) -> None:
    """Each baseline run starts one processing job per monitor, and a run takes minutes to an hour: more often than
    hourly piles up jobs (and cost) without new baselines."""
    expression = settings.baseline_schedule_expression
    rate = re.fullmatch(r"rate\((\d+) (minute|minutes)\)", expression)
    cron = re.fullmatch(r"cron\((\S+) .*\)", expression)
    if (rate and int(rate.group(1)) < 60) or (cron and not re.fullmatch(r"\d{1,2}", cron.group(1))):
        problem(
            "baseline_schedule_expression",
            f"regenerates baselines more often than hourly (got {expression!r}); use rate(N minutes) with N >= 60, "
            "rate(N hours|days) or a cron(...) whose minute field is one number, such as cron(0 2 * * ? *)",
        )


# --- Alerts: each address once -------------------------------------------------------------------------------
@rule("alert_email_addresses")
def _emails_once(settings: Settings, problem: Problem) -> None:
    first: dict[str, int] = {}
    for i, address in enumerate(settings.alert_email_addresses or []):
        if address.lower() in first:
            problem(
                f"alert_email_addresses[{i}]",
                f"{address!r} is listed twice (also alert_email_addresses[{first[address.lower()]}], compared "
                "ignoring case); give each address once",
            )
        first.setdefault(address.lower(), i)


# --- Alarms: thresholds inside the metric's range -------------------------------------------------------------
_ERROR_METRICS = {"mae", "mse", "rmse"}  # >= 0, unbounded; r2 is at most 1 and may be negative


def _quality_metric_range(metric: str) -> tuple[float | None, float | None]:
    if metric in _ERROR_METRICS:
        return 0.0, None
    if metric == "r2":
        return None, 1.0
    return 0.0, 1.0  # accuracy, precision, recall, f*, auc, rates (and their best-constant-classifier forms)


@rule(_MQ.setting("problem_type"))
def _quality_thresholds_in_range(settings: Settings, problem: Problem) -> None:
    for i, alarm in enumerate(settings.model_quality.alarms or []):
        low, high = _quality_metric_range(alarm.metric)
        if (low is not None and alarm.threshold < low) or (high is not None and alarm.threshold > high):
            bounds = (
                f"{low:g}-{high:g}"
                if low is not None and high is not None
                else (f">= {low:g}" if low is not None else f"<= {high:g}")
            )
            problem(
                f"model_quality_alarms[{i}].threshold",
                f"{alarm.threshold:g} is outside the range of {alarm.metric} ({bounds}): the alarm could never or "
                "would always fire",
            )


# --- Monitors: output apart from the baseline -----------------------------------------------------------------
def _within(prefix: str, uri: str) -> bool:
    return uri.rstrip("/") == prefix.rstrip("/") or uri.startswith(prefix.rstrip("/") + "/")


def _output_apart_from_baseline(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    options = settings.options(spec.name)
    output, baseline = options.output_s3_uri, options.baseline_s3_uri
    if not options.enabled or output is None:
        return
    generated = (
        f"{settings.baseline_output_data_s3_uri.rstrip('/')}/{spec.name}/"
        if baseline is None and settings.baseline_generation_enabled and settings.baseline_output_data_s3_uri
        else None
    )
    for source, prefix in ((spec.setting("baseline_s3_uri"), baseline), ("baseline_output_data_s3_uri", generated)):
        if prefix is not None and (_within(prefix, output) or _within(output, prefix)):
            problem(
                spec.setting("output_s3_uri"),
                f"{output!r} and the baseline {prefix!r} ({source}) overlap: monitoring reports would be written "
                "among the baseline files (and a new baseline could replace the reports); give them separate prefixes",
            )


for _spec in MONITORS.values():
    rule(_spec.setting("output_s3_uri"), _spec.setting("baseline_s3_uri"), "baseline_output_data_s3_uri")(
        partial(_output_apart_from_baseline, spec=_spec)
    )


# --- Monitors: schedules that already run (python main.py import) ----------------------------------------------
@rule(spec.setting("schedule_name") for spec in MONITORS.values())
def _schedule_names_differ(settings: Settings, problem: Problem) -> None:
    if not any(settings.options(m).schedule_name for m in settings.enabled_monitors):
        return
    seen: dict[str, str] = {}
    endpoint = settings.endpoint()
    for monitor in settings.enabled_monitors:
        name = endpoint.schedule_name(MONITORS[monitor].resource_short_name, settings.options(monitor).schedule_name)
        other = seen.setdefault(name.lower(), monitor)
        if other != monitor:
            problem(
                MONITORS[monitor].setting("schedule_name"),
                f"{name!r} is also the schedule name of {other.replace('_', ' ')} (schedule names are unique)",
            )


def _baseline_params_instance_type(settings: Settings, problem: Problem, spec: MonitorType) -> None:
    from monitors.settings.fields import processing_instance_types

    value = (settings.options(spec.name).baseline_params or {}).get("instance_type")
    known = processing_instance_types()
    if isinstance(value, str) and known and value not in known:
        problem(
            spec.setting("baseline_params"),
            f"instance_type {value!r} is not an instance type SageMaker processing jobs take (botocore "
            f"ProcessingInstanceType){did_you_mean(value, sorted(known))}",
        )


_per_monitor(MONITORS.values(), _baseline_params_instance_type)


# --- AWS limits and forms enforced only at apply time (botocore service-2 shape names in comments) ------------
@rule()
def _aws_counts(settings: Settings, problem: Problem) -> None:
    from monitors.settings.model import PARAMETERS

    tags = settings.merged_tags()
    if len(tags) > 50:  # sagemaker TagList: max 50
        problem(
            "tags", f"{len(tags)} tags (tags, custom_tags, project and SeedFarmer tags together); AWS allows at most 50"
        )
    first: dict[str, str] = {}
    for key in tags:  # IAM refuses tag keys that differ only in case
        if key.lower() in first:
            problem(
                "custom_tags" if settings.custom_tags and key in settings.custom_tags else "tags",
                f"tag keys {first[key.lower()]!r} and {key!r} differ only in case (tags, custom_tags, project and "
                "SeedFarmer tags together); IAM refuses them",
            )
        first.setdefault(key.lower(), key)
    if settings.subnet_ids and len(settings.subnet_ids) > 16:  # sagemaker VpcConfig.Subnets: max 16
        problem("subnet_ids", f"{len(settings.subnet_ids)} subnets; a monitoring job's VPC config takes at most 16")
    for name in PARAMETERS:
        value = settings.parameter(name)
        # sagemaker MonitoringS3Uri: max 512 (the training data goes to a ProcessingS3Input: 1024, checked on the field)
        if (
            name.endswith("_s3_uri")
            and name != "baseline_training_data_s3_uri"
            and isinstance(value, str)
            and len(value) > 512
        ):
            problem(name, f"must be at most 512 characters (SageMaker MonitoringS3Uri) (got {len(value)})")


@rule()
def _partitions(settings: Settings, problem: Problem) -> None:
    partition = settings.partition if settings.model_bucket_arn is not None else None
    for field in ("alert_sns_topic_arn", "kms_key_id", "permissions_boundary_arn"):
        value = settings.parameter(field)
        if partition and isinstance(value, str) and value.startswith("arn:") and value.split(":")[1] != partition:
            problem(
                field, f"is in partition {value.split(':')[1]!r}, but the stack's (model_bucket_arn) is {partition!r}"
            )


def _known_region(field: str) -> None:
    @rule(field)
    def known_region(settings: Settings, problem: Problem) -> None:
        value, known = settings.parameter(field), region_names()
        if value is None or not known:
            return
        partition = settings.partition if settings.model_bucket_arn is not None else None
        scoped = field == "region" and partition
        options = known.get(partition or "", []) if scoped else sorted({r for rs in known.values() for r in rs})
        if value not in options:
            elsewhere = [p for p, regions in known.items() if value in regions]
            if scoped and elsewhere:
                problem(
                    field,
                    f"{value!r} is a region of partition {elsewhere[0]!r}, but model_bucket_arn is in partition "
                    f"{partition!r} (arn:{partition}:s3:::...); the bucket and the region must be in one partition",
                )
                return
            where = f"partition {partition!r}" if scoped else "any partition"
            problem(
                field,
                f"{value!r} is not a known region of {where} (botocore endpoint data){did_you_mean(value, options)}",
            )


_known_region("region")
_known_region("backend_s3_region")


@rule("region", "model_monitor_image_uri", "clarify_image_uri")
def _image_in_region(settings: Settings, problem: Problem) -> None:
    """A monitor's container must exist in the region (monitors/images.py): else its plan would fail."""
    kinds = sorted({MONITORS[m].image for m in settings.enabled_monitors})
    for kind in kinds:
        if settings.parameter(images.OVERRIDES[kind]) is None:
            text = images.unserved(kind, settings.region)
            if text:
                problem("region", text)


@rule()
def _arn_regions_and_keys(settings: Settings, problem: Problem) -> None:
    for field in ("alert_sns_topic_arn", "kms_key_id"):
        value = settings.parameter(field)
        # SNS and KMS ARNs carry their region; SageMaker and CloudWatch use them only in the stack's region.
        if (
            settings.region
            and isinstance(value, str)
            and value.startswith("arn:")
            and value.split(":")[3] != settings.region
        ):
            problem(field, f"is in region {value.split(':')[3]!r}, but the stack's region is {settings.region!r}")
    if (
        settings.alert_create_topic
        and isinstance(settings.kms_key_id, str)
        and re.search(r"(^|:)alias/aws/", settings.kms_key_id)
    ):
        problem(
            "kms_key_id",
            "an AWS managed key cannot encrypt the created alert topic: CloudWatch alarms and "
            "EventBridge cannot publish to a topic encrypted with it; give a customer managed key",
        )
    if settings.permissions_boundary_arn and settings.permissions_boundary_name:
        problem("permissions_boundary_name", "give permissions_boundary_arn or permissions_boundary_name, not both")


@rule("backend_local_path")
def _state_path_form(settings: Settings, problem: Problem) -> None:
    path = settings.backend_local_path
    if path is None or path.startswith("/"):
        return
    parts = path.replace("\\", "/").split("/")
    if not path or path.endswith("/") or parts[-1] in ("", ".", ".."):
        problem("backend_local_path", f"must name a state file, relative to the stack folder (got {shorten(path)})")
    elif len(path) > 1024 or parts[:4] == [".."] * 4:
        # The stack folder is <outdir>/stacks/<stack>/: three levels up is the project folder.
        problem("backend_local_path", f"climbs out of the project folder (more than three '..') (got {shorten(path)})")
    else:
        why = _state_in_synth_output(path)
        if why:
            problem(
                "backend_local_path",
                f"{why}: a re-synth would overwrite or delete the state; keep it outside the output folder's generated "
                f"parts (the default ../../../terraform.<stack_name>.tfstate, or e.g. terraform.tfstate in the stack "
                f"folder) (got {shorten(path)})",
            )


def _state_in_synth_output(path: str) -> str | None:
    """Why a relative state path lands in a part of an output folder that a synth writes, moves or removes
    (monitors.tooling.output), or None. The output folder's name is not known here, so a path that climbs out of it
    into a folder beside it is checked as if that folder were an output folder too."""
    from monitors.tooling.output import synth_owned

    # Relative to the output folder's parent: <outdir>/stacks/<stack>/<path> (at most three '..', checked above;
    # the stack's own name is one folder, so any name gives the same answer).
    where = posixpath.normpath(posixpath.join("<outdir>", "stacks", "<stack>", path.replace("\\", "/")))
    parts = where.split("/")
    if parts[0] in ("..", ".") or len(parts) == 1:
        return None  # beside the output folder: no synth reaches it
    why = synth_owned(parts[1:])
    if why is None or parts[0] == "<outdir>":
        return why
    return f"{why} (if {parts[0]}/ is an output folder)"


@rule("backend_s3_key")
def _state_key_form(settings: Settings, problem: Problem) -> None:
    key = settings.backend_s3_key
    # S3 object keys: 1-1024 bytes; the S3 backend takes the key as given (no leading or trailing '/').
    if key is not None and (
        not key.strip("/") or key.startswith("/") or key.endswith("/") or "//" in key or len(key.encode()) > 1024
    ):
        problem(
            "backend_s3_key",
            f"must be an S3 object key like my-stack/terraform.tfstate: no leading or "
            f"trailing '/', no '//', at most 1024 bytes (got {shorten(key)})",
        )


@rule()
def _backend_names(settings: Settings, problem: Problem) -> None:
    if settings.backend_s3_bucket is not None and not re.fullmatch(BUCKET_NAME, settings.backend_s3_bucket):
        problem("backend_s3_bucket", f"must be an S3 bucket name (got {shorten(settings.backend_s3_bucket)})")
    table = settings.backend_s3_dynamodb_table
    if table is not None and not re.fullmatch(r"[a-zA-Z0-9_.-]{3,255}", table):  # dynamodb TableName
        problem(
            "backend_s3_dynamodb_table",
            f"must be a DynamoDB table name: 3-255 letters, digits, '_', '-' and '.' (got {shorten(table)})",
        )
    if len(settings.tfc_hostname) > 253 or not re.fullmatch(
        r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:\d{1,5})?",
        settings.tfc_hostname,
    ):
        problem(
            "tfc_hostname",
            f"must be a host name like app.terraform.io, not a URL (got {shorten(settings.tfc_hostname)})",
        )


# --- After the baseline Lambda's validator (monitors.settings.baseline_events) ------------------------------
def alarms_match_generated_baselines(settings: Settings, problem: Problem, effective: dict[str, Any]) -> None:
    """Generated baselines write the analysis configuration from the baseline params (effective: per monitor, with
    the Lambda's defaults filled in): alarm dimensions that do not match it name metrics that are never published."""
    expl, bias = settings.model_explainability, settings.model_bias
    params = effective.get("model_explainability")
    if expl.alarms and expl.baseline_s3_uri is None and params is not None:
        features = [h for h in params.headers if h != params.label_header]
        source = (
            "baseline_model_explainability_params.headers"
            if "headers" in (expl.baseline_params or {})
            else "the baseline Lambda's default headers (set baseline_model_explainability_params.headers)"
        )
        for i, alarm in enumerate(expl.alarms):
            if alarm.feature not in features:
                problem(
                    f"model_explainability_alarms[{i}].feature",
                    f"{alarm.feature!r} is not a feature of {source}"
                    f"{did_you_mean(alarm.feature, features)}; features: {', '.join(features)}",
                )
    params = effective.get("model_bias")
    if bias.alarms and bias.baseline_s3_uri is None and params is not None:
        given = bias.baseline_params or {}
        facets = [str(facet.name) for facet in params.facet_list]
        for i, bias_alarm in enumerate(bias.alarms):
            expected = str(params.label_header)
            if bias_alarm.label != expected:
                origin = "" if "label_header" in given else " (the baseline Lambda's default)"
                problem(
                    f"model_bias_alarms[{i}].label",
                    f"{bias_alarm.label!r} differs from baseline_model_bias_params.label_header "
                    f"{expected!r}{origin}, which names the published metric",
                )
            if bias_alarm.facet not in facets:
                if params.facets is not None:
                    problem(
                        f"model_bias_alarms[{i}].facet",
                        f"{bias_alarm.facet!r} is none of baseline_model_bias_params.facets ({', '.join(facets)}), "
                        "which name the published metrics",
                    )
                else:
                    origin = "" if "facet_name" in given else " (the baseline Lambda's default)"
                    problem(
                        f"model_bias_alarms[{i}].facet",
                        f"{bias_alarm.facet!r} differs from baseline_model_bias_params.facet_name "
                        f"{facets[0]!r}{origin}, which names the published metric",
                    )


# What the SDK's monitor analysis configurations hold (sagemaker/model_monitor/clarify_model_monitoring.py).
_SDK_WRITES = {
    "model_bias": "BiasAnalysisConfig: label_values_or_threshold, facet, group_variable, headers with the label, "
    "label; no predictor or methods",
    "model_explainability": "ExplainabilityAnalysisConfig: methods.shap, predictor (model_name, instance_type, "
    "initial_instance_count, content_type, accept_type, content_template, label_headers) and headers without "
    "the label",
}


def settings_warnings(settings: Settings) -> list[str]:
    """Allowed but probably unintended combinations (reported on stderr, never silently)."""
    from monitors.settings.model import derived_stack_name

    out = []
    if settings.region is None and settings.stack_name == derived_stack_name(settings):
        out.append(
            f"warning: region: not set, so the derived stack_name {settings.stack_name!r} does not name the region: "
            "the same endpoint deployed in another region would get the same IAM role names (account-wide) and "
            "the same S3 state key; set region, or give each region its own stack_name"
        )
    mq = settings.model_quality
    if (
        mq.enabled
        and mq.problem_type == "BinaryClassification"
        and not mq.inference_attribute
        and not mq.probability_attribute
    ):
        # Allowed because the seed's own sample manifest does this; SageMaker accepts the definition.
        out.append(
            "warning: model_quality_inference_attribute: BinaryClassification with neither "
            "model_quality_inference_attribute nor model_quality_probability_attribute + "
            "model_quality_probability_threshold_attribute; the job definition leaves them unset and the "
            "analyzer reads the captured output as it is; set one to say where the prediction is"
        )
    bias = settings.model_bias
    generated = settings.baseline_generation_enabled and bias.baseline_s3_uri is None
    given = bias.baseline_s3_uri is not None and bias.analysis_config_s3_uri is None
    if bias.enabled and (generated or given) and "label_values" not in (bias.baseline_params or {}):
        # The seed's default; Clarify's BiasConfig.label_values_or_threshold lists the *positive* outcomes
        # ("Binary: the list has one positive value"), so "0,1" makes every binary label positive.
        out.append(
            "warning: baseline_model_bias_params: label_values is not set, so the "
            + ("generated bias baseline" if generated else "bias monitor's analysis configuration")
            + " uses the seed's default '0,1', which counts both binary labels as the positive outcome and makes the "
            "bias metrics meaningless; set label_values to the positive label value(s)"
        )
    for spec in _CLARIFY:
        options = settings.options(spec.name)
        if options.enabled and options.analysis_config_s3_uri is not None:
            out.append(
                f"warning: {spec.setting('analysis_config_s3_uri')}: the monitor reads your file as it is; the SDK "
                f"would write it from its settings ({_SDK_WRITES[spec.name]}). If it is the analysis_config.json "
                "Clarify wrote when baselining, its headers hold the label, which the SDK removes for monitoring "
                "(runs fail, or SHAP values are filed under the wrong features); unset it to have the configuration "
                f"generated from {spec.setting('baseline_params')}"
            )
    for spec in MONITORS.values():
        options = settings.options(spec.name)
        if options.enabled:
            continue
        # Parameters of a disabled monitor have no effect (those that would change the output are errors).
        ignored = sorted(
            spec.setting(option)
            for option in options.model_fields_set
            if option not in ("enabled", "baseline_params") and getattr(options, option) is not None
        )
        if ignored:
            out.append(f"warning: {', '.join(ignored)}: set, but {spec.setting('enabled')} is false, so ignored")
    if (
        settings.baseline_generation_enabled
        and settings.enabled_monitors
        and all(settings.options(m).baseline_s3_uri for m in settings.enabled_monitors)
    ):
        # Where generation writes each baseline (<output>/<monitor>/, monitors.payloads.job_definitions
        # .baseline_prefix), e.g. the seed's baseline sample gives baselines/data-quality/ but generation writes
        # baselines/data_quality/.
        output = str(settings.baseline_output_data_s3_uri).rstrip("/")
        monitors = settings.enabled_monitors
        out.append(
            "warning: baseline_training_data_s3_uri: baseline generation is on, but every enabled monitor has its own "
            "*_baseline_s3_uri, so no monitor reads the generated baselines (a scheduled run for nothing); "
            "remove the baseline URIs or baseline_training_data_s3_uri/baseline_output_data_s3_uri; the generated "
            f"baselines land in {' and '.join(f'{output}/{m}/' for m in monitors)}, not where "
            f"{' and '.join(MONITORS[m].setting('baseline_s3_uri') for m in monitors)} point"
        )
    if settings.baseline_generation_enabled and not settings.baseline_run_on_schedule:
        if "baseline_schedule_expression" in settings.model_fields_set:
            out.append(
                "warning: baseline_schedule_expression: set, but baseline_run_on_schedule is false (no schedule), "
                "so ignored"
            )
        if not settings.baseline_run_on_deploy:
            out.append(
                "warning: baseline_run_on_schedule: false and baseline_run_on_deploy: false, so baselines are "
                "generated only when you start the baseline state machine yourself"
            )
    return out
