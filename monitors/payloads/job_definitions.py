"""One monitor's job definition: what it is built from (``monitor_job``), its payload (its type's builder) and its
content-derived name, and the schedule's name.

Job definitions are immutable in SageMaker, so the name is derived from the content: any change gives a new name,
and with create_before_destroy Terraform creates the new definition, points the schedule at it in place, then
deletes the old one.
"""

from __future__ import annotations

from typing import Any

from monitors import tokens
from monitors.monitor_types.base import BASELINE_SCRIPT_PARAM_FIELDS, MonitorView
from monitors.naming import bounded_name, content_hash, s3_join
from monitors.payloads import analysis_configs
from monitors.payloads.awscc_shapes import to_terraform
from monitors.payloads.common import MonitorInputs, MonitorJob
from monitors.settings.baseline_events import analysis_params
from monitors.settings.model import Settings
from monitors.settings.views import EndpointSettings


def monitor_job(settings: Settings, monitor: str, endpoint: EndpointSettings | None = None) -> MonitorJob:
    """``endpoint``: ``settings.endpoint()``, when the caller has it already."""
    view = settings.monitor(monitor)
    # A Clarify monitor's analysis configuration is written from its baseline params (a generated baseline: the
    # params it runs with; a given one: the same params validated alone), through the baseline Lambda's validator
    # once; a generated bias baseline decides the threshold too.
    params = analysis_params(settings, monitor) if analysis_configs.writes_config(view) else None
    return MonitorJob(
        monitor=view,
        endpoint=endpoint or settings.endpoint(),
        baseline_prefix=baseline_prefix(settings, monitor),
        analysis_config=analysis_configs.monitor_analysis_config(view, params) if params is not None else None,
        probability_threshold=probability_threshold(view, params if view.generated_baseline else None),
    )


def baseline_prefix(settings: Settings, monitor: str) -> str:
    """The monitor's own baseline URI, or where baseline generation writes it (<output>/<monitor>/)."""
    own = settings.options(monitor).baseline_s3_uri
    if own:
        return own
    assert settings.baseline_output_data_s3_uri, "validated: a baseline URI or baseline generation"
    return s3_join(settings.baseline_output_data_s3_uri, monitor) + "/"


def probability_threshold(view: MonitorView, baseline_params: Any) -> float | None:
    """The monitor's probability threshold: its own setting, else (bias with a generated baseline: its effective
    ``baseline_params``) the baseline's probability_threshold, so baseline and live metrics use one cut-off (the SDK
    takes it from the baseline)."""
    own = getattr(view.options, "probability_threshold_attribute", None)
    if own is None and baseline_params is not None and "probability_threshold" in view.spec.baseline_param_fields:
        return baseline_params.probability_threshold
    return own


def job_definition_payload(job: MonitorJob, inputs: MonitorInputs, name: str) -> Any:
    """The monitor's job definition payload, from its type's builder."""
    return job.monitor.spec.build_payload(job, inputs, name)


def job_definition_name(job: MonitorJob, image_key: str) -> str:
    """<endpoint>-<type>-<hash of the definition's content>, valid and at most 63 characters.

    The hash covers everything the definition contains (with the role and image named by what
    determines them), so changing any parameter gives a new name.
    """
    placeholder = MonitorInputs(
        role_arn="<monitoring-role>",
        image_uri=image_key,
        kms_key_arn=f"<kms:{job.endpoint.kms_key_id}>" if job.endpoint.kms_key_id else None,
    )
    content = to_terraform(job_definition_payload(job, placeholder, ""))
    references = tokens.references(content)
    if references:  # Terraform references (monitors/tokens.py): hashed by what they are, and by their value below
        content = tokens.without_references(content)
    digest = content_hash({"schema": 1, "monitor": job.name, "content": content}, 10)
    name = bounded_name(job.endpoint.name_base, job.monitor.spec.resource_short_name, suffix=digest)
    if references:
        # Their values are known at plan time only: Terraform hashes them into the name's last 4 characters, so
        # a changed value (a definition replaced) still gets a new name.
        from cdktf import Fn

        name = name[:-4] + Fn.substr(Fn.sha256(Fn.join(",", list(dict.fromkeys(references)))), 0, 4)
    return name


def schedule_name(job: MonitorJob) -> str:
    """<monitor>_schedule_name (a schedule that already runs), else <endpoint>-<type>-schedule."""
    return job.endpoint.schedule_name(job.monitor.spec.resource_short_name, job.monitor.options.schedule_name)


def monitoring_role_s3_access(settings: Settings) -> dict[str, list[str]]:
    """S3 locations (URIs; a trailing / means the prefix and everything under it) the monitoring role needs for what
    this module and baseline generation set up, beyond each monitor's baseline files and output URI: the Clarify
    monitors' analysis configuration objects and the analyzer scripts (read), and, as the role the baseline
    processing jobs run as, the training data (read) and the baseline staging folder (write; the Lambda promotes)."""
    read: list[str] = []
    for monitor in settings.enabled_monitors:
        view = settings.monitor(monitor)
        if analysis_configs.writes_config(view):
            read.append(analysis_configs.config_prefix_uri(baseline_prefix(settings, monitor)))
        for option in (
            "record_preprocessor_source_uri",
            "post_analytics_processor_source_uri",
            "analysis_config_s3_uri",
        ):
            script = getattr(view.options, option, None)
            inside_baseline = script and script.startswith(baseline_prefix(settings, monitor).rstrip("/") + "/")
            if script and not (option == "analysis_config_s3_uri" and inside_baseline):
                read.append(script)  # (an own config in the baseline prefix: the prefix is read as a whole, s3_access)
        params = view.options.baseline_params or {}
        if settings.baseline_generation_enabled:  # the baseline job's own scripts (baseline_<monitor>_params)
            read += [params[name] for name in BASELINE_SCRIPT_PARAM_FIELDS if isinstance(params.get(name), str)]
        if isinstance(params.get("shap_baseline"), str) and (
            settings.baseline_generation_enabled or analysis_configs.writes_config(view)
        ):  # an S3 object: the baseline job and the monitor's written configuration read it
            read.append(params["shap_baseline"])
    write: list[str] = []
    if settings.baseline_generation_enabled:
        assert settings.baseline_training_data_s3_uri and settings.baseline_output_data_s3_uri
        read.append(settings.baseline_training_data_s3_uri)
        write.append(s3_join(settings.baseline_output_data_s3_uri, "staging") + "/")
    return {"read": read, "write": write}
