"""Scheduled checker: notify about monitoring executions that ended Failed or CompletedWithViolations.

Why a checker: SageMaker records every run of a monitoring schedule as a monitoring execution, listed by
ListMonitoringExecutions with status Pending | Completed | CompletedWithViolations | InProgress | Failed |
Stopping | Stopped (SageMaker API reference, MonitoringExecutionSummary). The documented SageMaker
EventBridge events ("Events that Amazon SageMaker AI sends to Amazon EventBridge") include processing job
state changes but document no field tying a job to its monitoring schedule, and "CompletedWithViolations"
exists only as a monitoring execution status, so we read the executions instead of matching events.

Each invocation covers the window [scheduled time - interval, scheduled time): consecutive runs of the
EventBridge schedule neither skip nor repeat an execution. Needs only boto3 (in the Lambda runtime).
"""

from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timedelta, timezone
from typing import Any

logger = logging.getLogger()
logger.setLevel(logging.INFO)

ALERT_STATUSES = ("Failed", "CompletedWithViolations")
SUBJECT_LIMIT = 100  # SNS subject maximum


def _window(event: dict[str, Any], interval_minutes: int) -> tuple[datetime, datetime]:
    scheduled = event.get("time")
    end = datetime.fromisoformat(scheduled.replace("Z", "+00:00")) if scheduled else datetime.now(timezone.utc)
    return end - timedelta(minutes=interval_minutes), end


def _violations_report(sagemaker, processing_job_arn: str | None) -> str | None:
    """s3://…/constraint_violations.json of the execution's output, where the analyzer writes it."""
    if not processing_job_arn:
        return None
    job = sagemaker.describe_processing_job(ProcessingJobName=processing_job_arn.rsplit("/", 1)[-1])
    outputs = job.get("ProcessingOutputConfig", {}).get("Outputs", [])
    if not outputs:
        return None
    return outputs[0]["S3Output"]["S3Uri"].rstrip("/") + "/constraint_violations.json"


def format_message(schedule: dict[str, str], execution: dict[str, Any], report: str | None) -> tuple[str, str]:
    status = execution["MonitoringExecutionStatus"]
    subject = f"SageMaker {schedule['monitor_type']} monitoring {status}: {schedule['endpoint']}"[:SUBJECT_LIMIT]
    lines = [
        f"Monitoring schedule: {schedule['name']} ({schedule['monitor_type']})",
        f"Endpoint: {schedule['endpoint']}",
        f"Status: {status}",
        f"Scheduled time: {execution.get('ScheduledTime')}",
        f"Processing job: {execution.get('ProcessingJobArn', 'none')}",
    ]
    if execution.get("FailureReason"):
        lines.append(f"Failure reason: {execution['FailureReason']}")
    if report:
        lines.append(f"Violations report: {report}")
    return subject, "\n".join(lines)


def check(sagemaker, sns, *, schedules: list[dict[str, str]], topic_arn: str, start: datetime, end: datetime) -> list[str]:
    """Publish one notification per alerting execution in [start, end); return the subjects sent."""
    sent = []
    for schedule in schedules:
        for status in ALERT_STATUSES:
            kwargs = {"MonitoringScheduleName": schedule["name"], "StatusEquals": status,
                      "LastModifiedTimeAfter": start, "LastModifiedTimeBefore": end,
                      "SortBy": "ScheduledTime", "SortOrder": "Ascending"}
            while True:
                page = sagemaker.list_monitoring_executions(**kwargs)
                for execution in page.get("MonitoringExecutionSummaries", []):
                    report = None
                    if status == "CompletedWithViolations":
                        report = _violations_report(sagemaker, execution.get("ProcessingJobArn"))
                    subject, message = format_message(schedule, execution, report)
                    sns.publish(TopicArn=topic_arn, Subject=subject, Message=message)
                    sent.append(subject)
                if not page.get("NextToken"):
                    break
                kwargs["NextToken"] = page["NextToken"]
    return sent


def handler(event: dict[str, Any], context: Any = None, *, sagemaker=None, sns=None) -> dict[str, Any]:
    import boto3

    schedules = json.loads(os.environ["MONITORING_SCHEDULES"])
    start, end = _window(event or {}, int(os.environ["CHECK_INTERVAL_MINUTES"]))
    sent = check(
        sagemaker or boto3.client("sagemaker"), sns or boto3.client("sns"),
        schedules=schedules, topic_arn=os.environ["ALERT_TOPIC_ARN"], start=start, end=end,
    )
    logger.info("window %s..%s: %d notification(s)", start.isoformat(), end.isoformat(), len(sent))
    return {"notified": len(sent), "window": [start.isoformat(), end.isoformat()]}
