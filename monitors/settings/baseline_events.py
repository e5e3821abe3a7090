"""The seed-shaped baseline events (state machine input) built from settings.

In the seed the state machine rebuilt the payload from static values, so `*_params` and every
`baseline_instance_*` setting were silently dropped; here the configured values travel in the event.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from monitors.monitor_types import MONITORS
from monitors.monitor_types.model_quality import BASELINE_COLUMNS
from monitors.settings.fields import did_you_mean
from monitors.settings.model import Settings
from monitors.settings.rules import alarms_match_generated_baselines

EVENT_VALIDATION = Path(__file__).resolve().parents[2] / "lambda_image" / "event_validation.py"
# Which setting an event field comes from (anything else is in baseline_<monitor>_params).
EVENT_FIELD_SETTINGS = {
    "endpoint_name": "endpoint_name",
    "training_data_uri": "baseline_training_data_s3_uri",
    "baseline_output_uri": "baseline_output_data_s3_uri",
}


def baseline_params(settings: Settings, monitor: str) -> dict:
    view = settings.monitor(monitor)
    spec, options = view.spec, view.options
    params: dict = {
        "instance_count": settings.baseline_instance_count,
        "instance_type": settings.baseline_instance_type,
        "volume_size_gb": settings.baseline_volume_size_gb,
        "max_runtime_seconds": settings.baseline_max_runtime_seconds,
    }
    if spec.has("baseline_dataset_format"):  # the analyzer's baselines (the SDK's DatasetFormat)
        params["dataset_format"] = options.baseline_dataset_format
    if "problem_type" in spec.baseline_param_fields:
        params["problem_type"] = options.problem_type
        # The threshold is one setting for the monitor and its baseline (the SDK's suggest_baseline takes it too);
        # the columns are the baseline dataset's own (the monitor's attributes describe the captured output).
        if options.probability_threshold_attribute is not None:
            params["probability_threshold_attribute"] = options.probability_threshold_attribute
        for column, field in BASELINE_COLUMNS.items():
            if getattr(options, column) is not None:
                params[field] = getattr(options, column)
    if spec.image == "clarify":
        # The Clarify baseline calls the same model as the monitored endpoint, so the monitor's attributes locate
        # the prediction in its output too (the SDK's ModelPredictedLabelConfig label/probability).
        for name in ("inference_attribute", "probability_attribute"):
            if getattr(options, name) is not None:
                params[name] = getattr(options, name)
        # ... and the model's formats (the SDK's ModelConfig and ModelPredictedLabelConfig label_headers).
        for name in ("content_type", "accept_type", "content_template", "record_template", "label_headers"):
            if getattr(options, name) is not None:
                params[name] = getattr(options, name)
        # A JSON Lines dataset's features are where the monitor finds them in a request unless its params say
        # otherwise (the SDK's monitor takes its features_attribute from the baseline's DataConfig features).
        if (options.baseline_params or {}).get(
            "dataset_type"
        ) == "application/jsonlines" and options.features_attribute:
            params["features"] = options.features_attribute
    if "probability_threshold" in spec.baseline_param_fields and options.probability_threshold_attribute is not None:
        params["probability_threshold"] = options.probability_threshold_attribute
    params.update(options.baseline_params or {})
    return params


def network_config(settings: Settings) -> dict:
    """The monitors' network settings, which the baseline processing jobs use too (the SDK passes one NetworkConfig
    to suggest_baseline and create_monitoring_schedule)."""
    config: dict = {
        "enable_inter_container_traffic_encryption": settings.enable_inter_container_traffic_encryption,
        "enable_network_isolation": settings.enable_network_isolation,
    }
    if settings.vpc_enabled:
        config["subnet_ids"] = list(settings.subnet_ids or [])
        config["security_group_ids"] = [settings.security_group_id]
    return config


def baseline_event(settings: Settings, monitor: str) -> dict:
    return {
        "monitor_type": monitor,
        "endpoint_name": settings.endpoint_name,
        "training_data_uri": settings.baseline_training_data_s3_uri,
        "baseline_output_uri": settings.baseline_output_data_s3_uri,
        "network_config": network_config(settings),
        # The processing job carries the monitors' tags (the SDK tags a monitor's baselining job with them).
        **({"tags": settings.resource_tags()} if settings.resource_tags() else {}),
        f"{monitor}_params": baseline_params(settings, monitor),
    }


def baseline_events(settings: Settings) -> dict[str, dict]:
    """Each enabled monitor's baseline event (what the schedule and the run on deploy send the state machine)."""
    return {monitor: baseline_event(settings, monitor) for monitor in settings.enabled_monitors}


@functools.cache
def _event_validation() -> ModuleType:
    """The Lambda's own event validator (plain Python, no AWS or SDK imports), loaded from its file: the one
    definition of what the handler accepts, so a bad baseline parameter fails the synth, not the apply."""
    spec = importlib.util.spec_from_file_location("baseline_lambda_event_validation", EVENT_VALIDATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is created
    spec.loader.exec_module(module)
    return module


def param_fields(monitor: str) -> set[str]:
    """The fields baseline_<monitor>_params may give: the registry's list (tests/test_lambda_contract.py checks it is
    the Lambda's params model's fields, less those only their own settings fill in baseline_params)."""
    return set(MONITORS[monitor].baseline_param_fields)


# Clarify params filled in from the monitor's own options (baseline_params) unless baseline_<monitor>_params gives them.
PARAM_OPTIONS = {
    "content_type": "content_type",
    "accept_type": "accept_type",
    "content_template": "content_template",
    "record_template": "record_template",
    "label_headers": "label_headers",
    "features": "features_attribute",
}


def _setting_at(location: tuple, monitor: str, settings: Settings | None = None) -> str:
    """The setting behind the event field at a problem's location (pydantic loc): an event field's setting, a
    params field filled in from a monitor option that option's flat name, else baseline_<monitor>_params."""
    params = f"baseline_{monitor}_params"
    if not location:
        return params
    if location[0] == f"{monitor}_params" and len(location) > 1:
        location = location[1:]
    elif location[0] in EVENT_FIELD_SETTINGS:
        return EVENT_FIELD_SETTINGS[location[0]]
    option = PARAM_OPTIONS.get(str(location[0]))
    if settings is not None and option is not None:
        options = settings.options(monitor)
        given_here = location[0] in (options.baseline_params or {})
        # the model's formats are set only as monitor options; the dataset's features may be either
        if not given_here and (location[0] not in param_fields(monitor) or getattr(options, option) is not None):
            return MONITORS[monitor].setting(option)
    return params


def check_baseline_event(settings: Settings, monitor: str) -> tuple[Any, list[tuple[str, str]]]:
    """Run this monitor's baseline event through the Lambda's validator once: (the params its job would run
    with, the Lambda's defaults filled in, or None; [(setting, rule)] for everything it would reject)."""
    validation = _event_validation()
    try:
        return validation.validate_start(baseline_event(settings, monitor)).params, []
    except validation.EventValidationError as exc:
        return None, [
            (_setting_at(location, monitor, settings), f"the baseline Lambda would reject it: {message}")
            for location, message in zip(exc.locations, exc.problems, strict=True)
        ]


def baseline_event_problems(settings: Settings, bad: set[str]) -> list[str]:
    """The baseline events' rules at synth time (config validation calls it after the settings' own rules): unknown
    baseline_<monitor>_params fields, whatever the Lambda's validator would reject, and alarms that name metrics the
    generated baselines never publish. ``bad``: fields that failed their own rule (checks that need them are
    skipped)."""
    problems: list[str] = []

    def problem(field: str, rule: str) -> None:
        problems.append(f"{field}: {rule}")

    unknown = set()
    for monitor in _event_validation().PARAMS:
        allowed = sorted(param_fields(monitor))
        for key in sorted(set(settings.options(monitor).baseline_params or {}) - set(allowed)):
            unknown.add(monitor)
            problem(
                f"baseline_{monitor}_params",
                f"unknown field {key!r}{did_you_mean(key, allowed)}; allowed: {', '.join(allowed)}",
            )
    for monitor in settings.enabled_monitors:
        view = settings.monitor(monitor)
        if (
            view.spec.analysis_config is not None
            and view.options.baseline_s3_uri is not None
            and view.options.analysis_config_s3_uri is None
            and f"baseline_{monitor}_params" not in bad
            and monitor not in unknown
        ):
            for field, rule in check_analysis_params(settings, monitor)[1]:
                problem(field, rule)
    if (
        settings.baseline_generation_enabled
        and settings.endpoint_name is not None
        and not bad & {"endpoint_name", "baseline_training_data_s3_uri", "baseline_output_data_s3_uri"}
    ):
        effective: dict[str, Any] = {}
        for monitor in settings.enabled_monitors:
            if f"baseline_{monitor}_params" in bad or monitor in unknown:
                continue  # reported already
            effective[monitor], event_problems = check_baseline_event(settings, monitor)
            for field, rule in event_problems:
                problem(field, rule)
        alarms_match_generated_baselines(settings, problem, effective)
        for monitor in settings.enabled_monitors:
            length = event_input_length(baseline_event(settings, monitor))
            if length > EVENTBRIDGE_INPUT_LIMIT:
                problem(
                    f"baseline_{monitor}_params",
                    f"the baseline event of {monitor} would be {length} characters; an EventBridge target input "
                    f"holds at most {EVENTBRIDGE_INPUT_LIMIT} (its params, tags, subnets and URIs together): "
                    "shorten them",
                )
    return problems


# events PutTargets Target.Input: at most 8192 characters.
EVENTBRIDGE_INPUT_LIMIT = 8192


def event_input_length(event: dict) -> int:
    """The length of the schedule target's input: Terraform's jsonencode of the event (compact; it writes <, >, &
    and U+2028/U+2029 as \\uXXXX escapes)."""
    import json

    text = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    return len(text) + 5 * sum(text.count(c) for c in "<>&\u2028\u2029")


def check_analysis_params(settings: Settings, monitor: str) -> tuple[Any, list[tuple[str, str]]]:
    """A Clarify monitor with a given baseline: its baseline_<monitor>_params (as the generated baseline's, with the
    Lambda's defaults) through the Lambda's params validator alone; its analysis configuration is written from
    them. (params or None, [(setting, rule)])."""
    validation = _event_validation()
    try:
        return validation.validate_params(monitor, baseline_params(settings, monitor)), []
    except validation.EventValidationError as exc:
        return None, [
            (
                _setting_at(location, monitor, settings),
                f"the monitor's analysis configuration is written from it (its baseline is given): {message}",
            )
            for location, message in zip(exc.locations, exc.problems, strict=True)
        ]


def analysis_params(settings: Settings, monitor: str) -> Any:
    """The params a Clarify monitor's analysis configuration is written from: the generated baseline's effective
    params, or (a given baseline) its baseline_<monitor>_params validated alone; validated at synth."""
    if settings.options(monitor).baseline_s3_uri is None:
        return effective_baseline_params(settings, monitor)
    params, problems = check_analysis_params(settings, monitor)
    assert params is not None and not problems, "validated by monitors.settings.config (baseline_event_problems)"
    return params


def effective_baseline_params(settings: Settings, monitor: str) -> Any:
    """The params the generated baseline runs with (the Lambda's defaults filled in); validated at synth."""
    params, problems = check_baseline_event(settings, monitor)
    assert params is not None and not problems, "validated by monitors.settings.config (baseline_event_problems)"
    return params
