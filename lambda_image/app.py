"""Lambda handler of the baseline generation state machine.

Event contract (``event["action"]``; when absent the action is ``"start"``, so a
sample event from the README, given as is, starts a baseline job):

``start``
    ``{"monitor_type": "data_quality|model_quality|model_bias|model_explainability",
    "endpoint_name": str, "training_data_uri": "s3://...", "baseline_output_uri": "s3://...",
    "<monitor_type>_params": {...optional...}, "execution_id": str (optional)}``
    -> ``{"status": "IN_PROGRESS", "processing_job_name", "monitor_type",
    "baseline_output_uri": "<baseline_output_uri>/<monitor_type>/",
    "staging_output_uri": "<baseline_output_uri>/staging/<monitor_type>/<job name>/"}``: the job writes to the
    staging folder, never to the live baseline
    (``network_config``, optional: the monitors' ``enable_inter_container_traffic_encryption``,
    ``enable_network_isolation``, ``subnet_ids`` + ``security_group_ids``, applied to the job;
    ``tags``, optional: ``{key: value}``, the monitors' tags, put on the job)
``check``
    ``{"processing_job_name": str, "monitor_type": str}`` (other keys ignored)
    -> ``{"status": "COMPLETED|FAILED|IN_PROGRESS", "processing_job_name", "monitor_type",
    "processing_job_status", ["failure_reason"]}``
``promote``
    ``{"processing_job_name", "monitor_type", "staging_output_uri", "baseline_output_uri"}`` (the ``start``
    result; other keys ignored) -> copies every object of the finished job's staging folder to the live
    baseline prefix -> ``{"status": "PROMOTED", "processing_job_name", "monitor_type", "baseline_output_uri",
    "promoted": [file names], ["started_schedule"]}``. Only the state machine calls it, after the job ``Completed``:
    a failed job's output never reaches the live baseline. A pinned monitor (``PINNED_BASELINES``) whose live
    baseline exists -> ``{"status": "PINNED", ...}``, nothing copied (``start`` answers the same without a job). The
    first baseline of a held monitor (``HELD_SCHEDULES``) starts its monitoring schedule if it is ``Stopped``.
``start_executions``
    ``{"state_machine_arn": str, "executions": [{"name": str, "input": <start event>}]}``
    -> ``{"status": "STARTED", "execution_arns": [...], ["held_schedules": [...]]}``; first, the schedule of each
    held monitor (``HELD_SCHEDULES``) whose live baseline does not exist yet is stopped

Any bad event or AWS/SDK failure -> ``{"status": "ERROR", "error": "..."}`` for ``start``,
``check`` and ``promote`` (the state machine branches on it). ``start_executions`` raises ``StartExecutionsFailed``
instead: its caller is Terraform's ``aws_lambda_invocation``, which fails the apply and keeps nothing
in state only when the function errors, so the next apply retries.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Dict, List

os.environ.setdefault("SAGEMAKER_SUPPRESS_V2_WARNING", "1")

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

from event_validation import (  # noqa: E402
    LIVE_BASELINE_FILES,
    CheckRequest,
    ConfigurationError,
    EventValidationError,
    RuntimeSettings,
    PromoteRequest,
    StartExecutionsRequest,
    get_action,
    validate_check,
    validate_promote,
    validate_start,
    validate_start_executions,
)

logger = logging.getLogger("baseline_lambda")
logger.setLevel(logging.INFO)

#: ProcessingJobStatus values that end a job without a baseline
_TERMINAL_FAILURES = ("Failed", "Stopped")

_SESSIONS: Dict[tuple, boto3.Session] = {}


def aws_session() -> boto3.Session:
    """One boto3 session per region/endpoint, kept across warm invocations: a new
    session re-parses botocore's service models (~0.1 s per client)."""
    key = tuple(os.environ.get(name) for name in ("AWS_REGION", "AWS_DEFAULT_REGION",
                                                   "AWS_ENDPOINT_URL"))
    if key not in _SESSIONS:
        _SESSIONS[key] = boto3.Session(region_name=key[0] or key[1])
    return _SESSIONS[key]


class StartExecutionsFailed(Exception):
    """start_executions failed; raised so that the invoking Terraform apply fails (see module doc)."""


def handler(event: Any, context: Any = None) -> Dict[str, Any]:
    action = None
    try:
        action = get_action(event)
        logger.info("action=%s event=%s", action, _for_log(event))
        if action == "start":
            return _start(event)
        if action == "check":
            return _check(validate_check(event))
        if action == "promote":
            return _promote(validate_promote(event))
        return _start_executions(validate_start_executions(event))
    except (EventValidationError, ConfigurationError) as exc:
        logger.warning("rejected event: %s", exc)
        message = str(exc)
    except Exception as exc:  # noqa: BLE001 - start/check must answer, not raise
        logger.exception("baseline lambda failed")
        message = _describe_exception(exc)
    if action == "start_executions":
        raise StartExecutionsFailed(message)
    return _error(message)


def _start(event: Any) -> Dict[str, Any]:
    request = validate_start(event)
    settings = RuntimeSettings.from_env(os.environ)
    if request.monitor_type in settings.pinned:
        live = request.output_prefix + "/"
        if _live_baseline_exists(aws_session().client("s3"), request.monitor_type, live):
            logger.info("%s baseline is pinned and %s exists: no job", request.monitor_type, live)
            return {"status": "PINNED", "monitor_type": request.monitor_type, "baseline_output_uri": live}
    # imported here: the SageMaker SDK is only needed (and slow to import) for "start"
    from sagemaker_baseline import start_baseline_job

    return start_baseline_job(request, settings, aws_session())


def _check(request: CheckRequest) -> Dict[str, Any]:
    description = aws_session().client("sagemaker").describe_processing_job(
        ProcessingJobName=request.processing_job_name
    )
    job_status = description.get("ProcessingJobStatus", "")
    result: Dict[str, Any] = {
        "processing_job_name": request.processing_job_name,
        "monitor_type": request.monitor_type,
        "processing_job_status": job_status,
    }
    if job_status == "Completed":
        result["status"] = "COMPLETED"
    elif job_status in _TERMINAL_FAILURES:
        result["status"] = "FAILED"
        reason = description.get("FailureReason")
        if not reason:
            reason = "Stopped" if job_status == "Stopped" else f"ProcessingJobStatus={job_status}"
        result["failure_reason"] = reason
    else:  # InProgress, Stopping, or anything new
        result["status"] = "IN_PROGRESS"
    logger.info("processing job %s: %s -> %s", request.processing_job_name, job_status,
                result["status"])
    return result


def _split_s3(uri: str) -> tuple:
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def _live_baseline_exists(s3, monitor_type: str, baseline_folder: str) -> bool:
    """Every file the monitor reads from its live baseline folder is there (LIVE_BASELINE_FILES)."""
    bucket, key = _split_s3(baseline_folder)
    for name in LIVE_BASELINE_FILES[monitor_type]:
        try:
            s3.head_object(Bucket=bucket, Key=key + name)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
    return True


def _schedule_status(sagemaker, name: str) -> str:
    return sagemaker.describe_monitoring_schedule(MonitoringScheduleName=name).get("MonitoringScheduleStatus", "")


def _promote(request: PromoteRequest) -> Dict[str, Any]:
    """Copy the finished job's files from its staging folder over the live baseline (same relative keys); a pinned
    baseline that exists is kept; the first baseline of a held monitor starts its schedule."""
    settings = RuntimeSettings.from_env(os.environ)
    s3 = aws_session().client("s3")
    held = settings.schedules.get(request.monitor_type)
    existed = None
    if request.monitor_type in settings.pinned or held:
        existed = _live_baseline_exists(s3, request.monitor_type, request.baseline_folder)
    if request.monitor_type in settings.pinned and existed:
        logger.info("%s baseline is pinned and %s exists: kept; %s stays in staging", request.monitor_type,
                    request.baseline_folder, request.staging_folder)
        return {"status": "PINNED", "processing_job_name": request.processing_job_name,
                "monitor_type": request.monitor_type, "baseline_output_uri": request.baseline_folder,
                "staging_output_uri": request.staging_folder}
    bucket, staging_key = _split_s3(request.staging_folder)
    live_bucket, live_key = _split_s3(request.baseline_folder)
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=staging_key):
        keys += [item["Key"] for item in page.get("Contents", [])]
    if not keys:
        return _error(f"nothing to promote: processing job {request.processing_job_name} wrote no files to "
                      f"{request.staging_folder}; the live baseline {request.baseline_folder} is unchanged")
    encryption = ({"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": settings.kms_key_id}
                  if settings.kms_key_id else {})
    promoted = []
    for key in sorted(keys):
        relative = key[len(staging_key):]
        s3.copy_object(Bucket=live_bucket, Key=live_key + relative, CopySource={"Bucket": bucket, "Key": key},
                       **encryption)
        promoted.append(relative)
    logger.info("promoted %d file(s) of %s to %s", len(promoted), request.processing_job_name,
                request.baseline_folder)
    result = {"status": "PROMOTED", "processing_job_name": request.processing_job_name,
              "monitor_type": request.monitor_type, "baseline_output_uri": request.baseline_folder,
              "promoted": promoted}
    if held and not existed:
        # The monitor's first baseline: start its schedule, which the deploy stopped while it had none (a schedule
        # stopped by hand after its first baseline is left alone: this runs only when the baseline was missing).
        sagemaker = aws_session().client("sagemaker")
        if _schedule_status(sagemaker, held) == "Stopped":
            sagemaker.start_monitoring_schedule(MonitoringScheduleName=held)
            logger.info("started monitoring schedule %s: its first baseline is live", held)
            result["started_schedule"] = held
    return result


def _hold_schedules(request: StartExecutionsRequest) -> List[str]:
    """Stop the schedule of every held monitor whose live baseline does not exist yet (its first promotion starts
    it), so that no monitor runs against a missing baseline."""
    if not os.environ.get("HELD_SCHEDULES", "").strip():
        return []
    schedules = RuntimeSettings.from_env(os.environ).schedules
    s3, sagemaker, stopped = aws_session().client("s3"), aws_session().client("sagemaker"), []
    for execution in request.executions:
        monitor_type = str(execution.input["monitor_type"])  # validated like a start event
        name = schedules.get(monitor_type)
        if not name or name in stopped:
            continue
        live = f"{execution.input['baseline_output_uri'].rstrip('/')}/{monitor_type}/"
        if not _live_baseline_exists(s3, monitor_type, live) and _schedule_status(sagemaker, name) == "Scheduled":
            sagemaker.stop_monitoring_schedule(MonitoringScheduleName=name)
            logger.info("stopped monitoring schedule %s until its first baseline is promoted to %s", name, live)
            stopped.append(name)
    return stopped


def _start_executions(request: StartExecutionsRequest) -> Dict[str, Any]:
    held = _hold_schedules(request)  # before any execution can promote a first baseline
    sfn = aws_session().client("stepfunctions")
    arns = []
    for execution in request.executions:
        try:
            response = sfn.start_execution(
                stateMachineArn=request.state_machine_arn,
                name=execution.name,
                input=json.dumps(execution.input),
            )
            arns.append(response["executionArn"])
            logger.info("started execution %s", response["executionArn"])
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise
            arn = _execution_arn(request.state_machine_arn, execution.name)
            logger.info("execution %s already exists; treating it as started", arn)
            arns.append(arn)
    return {"status": "STARTED", "execution_arns": arns, **({"held_schedules": held} if held else {})}


def _execution_arn(state_machine_arn: str, name: str) -> str:
    # arn:aws:states:REGION:ACCOUNT:stateMachine:SM[:version|alias]
    parts = state_machine_arn.split(":")
    return ":".join(parts[:5] + ["execution", parts[6], name])


def _error(message: str) -> Dict[str, Any]:
    return {"status": "ERROR", "error": message}


def _describe_exception(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        operation = getattr(exc, "operation_name", "AWS call")
        return f"{operation} failed: {error.get('Code', 'Error')}: {error.get('Message', exc)}"
    return f"{type(exc).__name__}: {exc}"


def _for_log(event: Any) -> str:
    try:
        text = json.dumps(event, default=str)
    except (TypeError, ValueError, RecursionError):  # RecursionError: an event nested too deeply to log
        text = f"<{type(event).__name__} that cannot be logged>"
    return text if len(text) <= 4000 else text[:4000] + "..."
