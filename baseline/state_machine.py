"""Amazon States Language definition of the baseline-generation state machine.

Pure Python on purpose (no cdktf / boto3 import): the Terraform stack, the
tests and any tooling can import it cheaply.

Flow (input = a "Sample Baseline Generation Event": ``monitor_type``,
``endpoint_name``, ``training_data_uri``, ``baseline_output_uri`` and an
optional ``<monitor_type>_params`` object)::

    PrepareBaselineJob (Pass)       state := {"event": <input>, "control": {"action": "start", "execution_id":
    $$.Execution.Id}}
    StartBaselineJob (Task)         Lambda payload = <input> + action + execution_id (flat, *_params untouched)
    EvaluateStartResult (Choice)    IN_PROGRESS with a job name -> wait; anything else -> failure
    WaitForBaselineJob (Wait)       poll_interval_seconds
    CheckBaselineJob (Task)         Lambda payload = {"action": "check", "monitor_type", "processing_job_name"}
    EvaluateJobStatus (Choice)      COMPLETED -> promote; FAILED / ERROR -> failure; otherwise -> wait again
    (pinned=True: a PINNED start or promote answer -> BaselinePinned (Succeed))
    PromoteBaseline (Task)          Lambda payload = {"action": "promote", "monitor_type", "processing_job_name",
                                    "staging_output_uri", "baseline_output_uri"}: copy the job's staging output
                                    over the live baseline
    EvaluatePromoteResult (Choice)  PROMOTED -> succeed; anything else -> failure
    BaselineJobSucceeded (Succeed)
    Record*Failure (Pass) -> BaselineGenerationFailed (Fail, Error/Cause from $.failure)

The Lambda is invoked through the optimised ``arn:aws:states:::lambda:invoke``
integration, so each task result is ``{"Payload": <handler return value>, ...}``;
``ResultSelector`` keeps only ``Payload``. Transient Lambda service errors are
retried with exponential backoff: the start is idempotent because the handler
derives the processing-job name from ``execution_id``. Every other task error
is caught and ends in the Fail state with the original error name and cause.

The job writes to a staging folder of its own; only a job that completed is promoted, so a failed or
aborted regeneration leaves the live baseline (statistics, constraints, analysis files) exactly as it was.

The historical bug this replaces: the old definition rebuilt the Lambda
payload from static values, silently dropping ``<monitor_type>_params``. Here
the whole execution input is merged (``States.JsonMerge``) with the control
fields, so the Lambda receives the event exactly as it was submitted.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "PREPARE_STATE",
    "START_STATE",
    "EVALUATE_START_STATE",
    "WAIT_STATE",
    "CHECK_STATE",
    "EVALUATE_CHECK_STATE",
    "PROMOTE_STATE",
    "EVALUATE_PROMOTE_STATE",
    "RECORD_PROMOTE_FAILURE_STATE",
    "ERROR_PROMOTE_FAILED",
    "SUCCEED_STATE",
    "RECORD_START_FAILURE_STATE",
    "RECORD_JOB_FAILURE_STATE",
    "RECORD_CHECK_FAILURE_STATE",
    "FAIL_STATE",
    "PINNED_STATE",
    "TASK_STATES",
    "ERROR_START_FAILED",
    "ERROR_JOB_FAILED",
    "ERROR_CHECK_FAILED",
    "TRANSIENT_LAMBDA_ERRORS",
    "LAMBDA_INVOKE_RESOURCE",
    "LAMBDA_TASK_TIMEOUT_SECONDS",
    "MAX_POLL_ITERATIONS",
    "MAX_EXECUTION_TIMEOUT_SECONDS",
    "state_names",
    "build_state_machine_definition",
    "build_state_machine_definition_json",
]

# --------------------------------------------------------------------------
# State names (referenced by tests, Terraform outputs and local overrides)
# --------------------------------------------------------------------------
PREPARE_STATE = "PrepareBaselineJob"
START_STATE = "StartBaselineJob"
EVALUATE_START_STATE = "EvaluateStartResult"
WAIT_STATE = "WaitForBaselineJob"
CHECK_STATE = "CheckBaselineJob"
EVALUATE_CHECK_STATE = "EvaluateJobStatus"
PROMOTE_STATE = "PromoteBaseline"
EVALUATE_PROMOTE_STATE = "EvaluatePromoteResult"
RECORD_PROMOTE_FAILURE_STATE = "RecordPromoteFailure"
SUCCEED_STATE = "BaselineJobSucceeded"
RECORD_START_FAILURE_STATE = "RecordStartFailure"
RECORD_JOB_FAILURE_STATE = "RecordJobFailure"
RECORD_CHECK_FAILURE_STATE = "RecordCheckFailure"
FAIL_STATE = "BaselineGenerationFailed"
PINNED_STATE = "BaselinePinned"  # only in a definition built with pinned=True

#: The Task states that invoke the baseline Lambda.
TASK_STATES: tuple[str, ...] = (START_STATE, CHECK_STATE, PROMOTE_STATE)

# Error names the execution fails with (the Cause is the JSON of the Lambda
# response, so it carries ``error`` / ``failure_reason`` / the job name).
ERROR_START_FAILED = "BaselineJobStartFailed"
ERROR_JOB_FAILED = "BaselineJobFailed"
ERROR_CHECK_FAILED = "BaselineJobCheckFailed"
ERROR_PROMOTE_FAILED = "BaselinePromotionFailed"

#: Errors of the lambda:invoke integration that are worth retrying.
TRANSIENT_LAMBDA_ERRORS: tuple[str, ...] = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)

LAMBDA_INVOKE_RESOURCE = "arn:aws:states:::lambda:invoke"

#: A Lambda invocation can never legitimately run longer than Lambda's hard
#: maximum (900 s); the task timeout only guards against a hung integration.
LAMBDA_TASK_TIMEOUT_SECONDS = 900

#: Step Functions standard workflows keep at most 25,000 history events; one
#: poll iteration costs ~9 events (Wait, Task, Choice), so cap the number of
#: iterations the timeout allows well below that.
MAX_POLL_ITERATIONS = 2000

#: Step Functions' maximum execution duration for standard workflows (1 year).
MAX_EXECUTION_TIMEOUT_SECONDS = 365 * 24 * 60 * 60

_RETRY_INTERVAL_SECONDS = 2
_RETRY_MAX_ATTEMPTS = 6
_RETRY_BACKOFF_RATE = 2.0
_RETRY_MAX_DELAY_SECONDS = 60

_LAMBDA_ARN_RE = re.compile(
    r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}"
    r"(:[A-Za-z0-9_$-]{1,128})?$"
)
# "${aws_lambda_function.x.arn}" (HCL interpolation) or a cdktf token such as
# "${TfToken[TOKEN.42]}" that cdktf resolves to one at synth time.
_TERRAFORM_TOKEN_RE = re.compile(r"\$\{[^{}\s][^{}]*\}")


def state_names() -> tuple[str, ...]:
    """All state names of the definition, in flow order."""
    return (
        PREPARE_STATE,
        START_STATE,
        EVALUATE_START_STATE,
        WAIT_STATE,
        CHECK_STATE,
        EVALUATE_CHECK_STATE,
        PROMOTE_STATE,
        EVALUATE_PROMOTE_STATE,
        SUCCEED_STATE,
        RECORD_START_FAILURE_STATE,
        RECORD_JOB_FAILURE_STATE,
        RECORD_CHECK_FAILURE_STATE,
        RECORD_PROMOTE_FAILURE_STATE,
        FAIL_STATE,
    )


def _validate_lambda_arn(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(
            "lambda_function_arn must be a non-empty string "
            f"(a Lambda function ARN or a Terraform token), got {value!r}"
        )
    if value != value.strip():
        raise ValueError(f"lambda_function_arn must not have surrounding whitespace: {value!r}")
    if _LAMBDA_ARN_RE.match(value) or _TERRAFORM_TOKEN_RE.search(value):
        return value
    raise ValueError(
        "lambda_function_arn must be a Lambda function ARN "
        "(arn:aws:lambda:<region>:<account>:function:<name>) or a Terraform token "
        f"such as '${{aws_lambda_function.baseline.arn}}', got {value!r}"
    )


def _validate_positive_int(name: str, value: Any) -> int:
    # bool is an int subclass: reject it explicitly.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return value


def _retry() -> list[dict[str, Any]]:
    return [
        {
            "ErrorEquals": list(TRANSIENT_LAMBDA_ERRORS),
            "IntervalSeconds": _RETRY_INTERVAL_SECONDS,
            "MaxAttempts": _RETRY_MAX_ATTEMPTS,
            "BackoffRate": _RETRY_BACKOFF_RATE,
            "MaxDelaySeconds": _RETRY_MAX_DELAY_SECONDS,
            "JitterStrategy": "FULL",
        }
    ]


def _catch() -> list[dict[str, Any]]:
    # The caught {"Error", "Cause"} lands in $.failure, which the Fail state reads.
    return [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": FAIL_STATE}]


def _lambda_task(
    lambda_function_arn: str, payload: dict[str, Any], result_path: str, next_state: str, comment: str
) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Comment": comment,
        "Resource": LAMBDA_INVOKE_RESOURCE,
        "Parameters": {"FunctionName": lambda_function_arn, **payload},
        "TimeoutSeconds": LAMBDA_TASK_TIMEOUT_SECONDS,
        # Keep only the handler's return value: $.<result_path>.Payload.
        "ResultSelector": {"Payload.$": "$.Payload"},
        "ResultPath": result_path,
        "Retry": _retry(),
        "Catch": _catch(),
        "Next": next_state,
    }


def _absent(path: str, next_state: str) -> dict[str, Any]:
    # Written as Not(IsPresent: true) rather than IsPresent: false: same meaning in
    # Step Functions, and aws-local-stepfunctions 3.0.0 never matches IsPresent: false.
    return {"Not": {"Variable": path, "IsPresent": True}, "Next": next_state}


def _record_failure(error: str, response_path: str, comment: str) -> dict[str, Any]:
    return {
        "Type": "Pass",
        "Comment": comment,
        "Parameters": {"Error": error, "Cause.$": f"States.JsonToString({response_path})"},
        "ResultPath": "$.failure",
        "Next": FAIL_STATE,
    }


def build_state_machine_definition(
    lambda_function_arn: str,
    *,
    poll_interval_seconds: int = 60,
    timeout_seconds: int,
    pinned: bool = False,
) -> dict[str, Any]:
    """Build the ASL document of the baseline-generation state machine.

    :param lambda_function_arn: ARN of the baseline Lambda, or a Terraform
        token string (``"${aws_lambda_function.baseline.arn}"``) resolved at
        apply time.
    :param poll_interval_seconds: seconds between two job-status checks.
    :param timeout_seconds: execution timeout (top-level ``TimeoutSeconds``).
    :param pinned: some baselines are pinned: a ``PINNED`` answer of the start (no job: the live baseline exists) or
        of the promotion (kept; the output stays in staging) ends the execution in ``BaselinePinned`` (Succeed).
    :raises ValueError: on an invalid argument.
    """
    arn = _validate_lambda_arn(lambda_function_arn)
    poll = _validate_positive_int("poll_interval_seconds", poll_interval_seconds)
    timeout = _validate_positive_int("timeout_seconds", timeout_seconds)
    if timeout > MAX_EXECUTION_TIMEOUT_SECONDS:
        raise ValueError(
            f"timeout_seconds must be at most {MAX_EXECUTION_TIMEOUT_SECONDS} "
            f"(Step Functions' maximum execution duration), got {timeout}"
        )
    if poll >= timeout:
        raise ValueError(f"poll_interval_seconds ({poll}) must be smaller than timeout_seconds ({timeout})")
    if timeout // poll > MAX_POLL_ITERATIONS:
        raise ValueError(
            f"timeout_seconds / poll_interval_seconds = {timeout // poll} polls exceeds "
            f"{MAX_POLL_ITERATIONS}; the execution history (25,000 events) could overflow: "
            "raise poll_interval_seconds or lower timeout_seconds"
        )

    start_status = "$.start.Payload.status"
    check_status = "$.check.Payload.status"
    promote_status = "$.promote.Payload.status"

    states: dict[str, Any] = {
        PREPARE_STATE: {
            "Type": "Pass",
            "Comment": "Keep the event untouched under $.event and add the control fields for the start call.",
            "Parameters": {
                "event.$": "$",
                "control": {"action": "start", "execution_id.$": "$$.Execution.Id"},
            },
            "Next": START_STATE,
        },
        START_STATE: _lambda_task(
            arn,
            # Flat payload: the event (incl. <monitor_type>_params) + action + execution_id.
            {"Payload.$": "States.JsonMerge($.event, $.control, false)"},
            "$.start",
            EVALUATE_START_STATE,
            "Start the SageMaker processing job (idempotent: job name derived from execution_id).",
        ),
        EVALUATE_START_STATE: {
            "Type": "Choice",
            "Comment": "IN_PROGRESS with a job name -> poll; ERROR or anything unexpected -> fail.",
            "Choices": [
                # Guard first: comparing a missing field is a runtime error in Step Functions.
                _absent(start_status, RECORD_START_FAILURE_STATE),
                {"Variable": start_status, "StringEquals": "ERROR", "Next": RECORD_START_FAILURE_STATE},
                {
                    "And": [
                        {"Variable": start_status, "StringEquals": "IN_PROGRESS"},
                        {"Variable": "$.start.Payload.processing_job_name", "IsPresent": True},
                        {"Variable": "$.start.Payload.monitor_type", "IsPresent": True},
                        {"Variable": "$.start.Payload.staging_output_uri", "IsPresent": True},
                    ],
                    "Next": WAIT_STATE,
                },
            ],
            "Default": RECORD_START_FAILURE_STATE,
        },
        WAIT_STATE: {
            "Type": "Wait",
            "Seconds": poll,
            "Next": CHECK_STATE,
        },
        CHECK_STATE: _lambda_task(
            arn,
            {
                "Payload": {
                    "action": "check",
                    "monitor_type.$": "$.start.Payload.monitor_type",
                    "processing_job_name.$": "$.start.Payload.processing_job_name",
                }
            },
            "$.check",
            EVALUATE_CHECK_STATE,
            "Describe the processing job started by StartBaselineJob.",
        ),
        EVALUATE_CHECK_STATE: {
            "Type": "Choice",
            "Comment": "COMPLETED -> promote; FAILED/ERROR -> fail; anything else -> keep polling.",
            "Choices": [
                _absent(check_status, RECORD_CHECK_FAILURE_STATE),
                {"Variable": check_status, "StringEquals": "COMPLETED", "Next": PROMOTE_STATE},
                {"Variable": check_status, "StringEquals": "FAILED", "Next": RECORD_JOB_FAILURE_STATE},
                {"Variable": check_status, "StringEquals": "ERROR", "Next": RECORD_CHECK_FAILURE_STATE},
            ],
            "Default": WAIT_STATE,
        },
        PROMOTE_STATE: _lambda_task(
            arn,
            {
                "Payload": {
                    "action": "promote",
                    "monitor_type.$": "$.start.Payload.monitor_type",
                    "processing_job_name.$": "$.start.Payload.processing_job_name",
                    "staging_output_uri.$": "$.start.Payload.staging_output_uri",
                    "baseline_output_uri.$": "$.start.Payload.baseline_output_uri",
                }
            },
            "$.promote",
            EVALUATE_PROMOTE_STATE,
            "Copy the completed job's staging output over the live baseline (idempotent: same files, same keys).",
        ),
        EVALUATE_PROMOTE_STATE: {
            "Type": "Choice",
            "Comment": "PROMOTED -> succeed; ERROR or anything unexpected -> fail.",
            "Choices": [
                _absent(promote_status, RECORD_PROMOTE_FAILURE_STATE),
                {"Variable": promote_status, "StringEquals": "PROMOTED", "Next": SUCCEED_STATE},
            ],
            "Default": RECORD_PROMOTE_FAILURE_STATE,
        },
        SUCCEED_STATE: {"Type": "Succeed"},
        RECORD_START_FAILURE_STATE: _record_failure(
            ERROR_START_FAILED, "$.start.Payload", "The Lambda could not start the processing job."
        ),
        RECORD_JOB_FAILURE_STATE: _record_failure(
            ERROR_JOB_FAILED, "$.check.Payload", "The processing job ended in Failed/Stopped."
        ),
        RECORD_CHECK_FAILURE_STATE: _record_failure(
            ERROR_CHECK_FAILED, "$.check.Payload", "The Lambda could not check the processing job."
        ),
        RECORD_PROMOTE_FAILURE_STATE: _record_failure(
            ERROR_PROMOTE_FAILED,
            "$.promote.Payload",
            "The Lambda could not promote the job's output to the live baseline.",
        ),
        FAIL_STATE: {
            "Type": "Fail",
            "Comment": "Error/Cause come from a Record*Failure state or from a caught task error.",
            "ErrorPath": "$.failure.Error",
            "CausePath": "$.failure.Cause",
        },
    }
    assert tuple(states) == state_names(), "state_names() out of sync with the definition"
    if pinned:
        pinned_choice = {"Variable": None, "StringEquals": "PINNED", "Next": PINNED_STATE}
        for state, status in ((EVALUATE_START_STATE, start_status), (EVALUATE_PROMOTE_STATE, promote_status)):
            choices = states[state]["Choices"]
            choices.insert(1, {**pinned_choice, "Variable": status})  # after the IsPresent guard
        states[PINNED_STATE] = {
            "Type": "Succeed",
            "Comment": "The baseline is pinned and exists: no job was started, or its output stays in staging.",
        }

    return {
        "Comment": "SageMaker Model Monitor baseline generation: start a processing job and poll it to completion.",
        "StartAt": PREPARE_STATE,
        "TimeoutSeconds": timeout,
        "States": states,
    }


def build_state_machine_definition_json(
    lambda_function_arn: str,
    *,
    poll_interval_seconds: int = 60,
    timeout_seconds: int,
    pinned: bool = False,
) -> str:
    """Same as :func:`build_state_machine_definition`, serialised deterministically."""
    return json.dumps(
        build_state_machine_definition(
            lambda_function_arn,
            poll_interval_seconds=poll_interval_seconds,
            timeout_seconds=timeout_seconds,
            pinned=pinned,
        ),
        indent=2,
        sort_keys=True,
    )
