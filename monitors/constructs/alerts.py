"""Alerting (opt-in): SNS topic, monitoring-execution checker, CloudWatch alarms, baseline failure rule.

Facts this relies on (SageMaker developer guide and API reference):
- Data quality metrics: namespace aws/sagemaker/Endpoints/data-metrics (batch transform:
  aws/sagemaker/ModelMonitoring/data-metrics), metric feature_baseline_drift_<feature>, dimensions Endpoint
  and MonitoringSchedule (batch transform: MonitoringSchedule) — "CloudWatch Metrics for Bring Your Own
  Containers" and "CloudWatch Metrics" (model-monitor-interpreting-cloudwatch).
- Model quality metrics: aws/sagemaker/Endpoints/model-metrics (batch: aws/sagemaker/ModelMonitoring/
  model-metrics), same dimensions, metric names per problem type ("Model quality metrics and Amazon
  CloudWatch monitoring").
- Bias metrics: aws/sagemaker/Endpoints/bias-metrics (batch: aws/sagemaker/ModelMonitoring/bias-metrics),
  metric bias_metric_<short name>, dimensions Endpoint, MonitoringSchedule, BiasStage ("Pre-training" or
  "Post-Training", verbatim), Label, LabelValue, Facet, FacetValue ("CloudWatch Metrics for Bias Drift Analysis").
- Feature attribution metrics: aws/sagemaker/Endpoints/explainability-metrics (batch:
  aws/sagemaker/ModelMonitoring/explainability-metrics), metric feature_<feature> (the global SHAP value),
  dimensions Endpoint, MonitoringSchedule, ExplainabilityMethod "KernelShap", Label, ValueType
  "GlobalShapValues" ("CloudWatch Metrics for Feature Drift Analysis": clarify-feature-attribute-drift-cw).
- Containers publish only when the job definition's environment has publish_cloudwatch_metrics=Enabled.
- Step Functions sends "Step Functions Execution Status Change" events (status FAILED/TIMED_OUT/ABORTED).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cdktf import AssetType, TerraformAsset
from constructs import Construct

from monitors.constructs.aws_bindings import aws
from monitors.constructs.iam import TRACING, AccountContext, ServiceRole, Statement, service_endpoint
from monitors.constructs.json_documents import json_document
from monitors.monitor_types.base import Alarm, MonitorType, MonitorView
from monitors.naming import bounded_name
from monitors.settings.views import AlertSettings, EndpointSettings
from monitors.tooling.staging import staging_dir

CHECKER_SOURCE = Path(__file__).resolve().parents[2] / "lambda_image" / "alerts" / "execution_alerts.py"
ALARM_PERIOD_SECONDS = 3600  # the shortest monitoring schedule interval


def checker_zip(source: Path = CHECKER_SOURCE) -> bytes:
    """A byte-for-byte reproducible zip of the checker (fixed timestamp and permissions)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(source.name, date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, source.read_bytes())
    return buffer.getvalue()


@dataclass(frozen=True)
class AlertsConfig:
    alerts: AlertSettings
    endpoint: EndpointSettings
    monitors: tuple[MonitorView, ...]  # the enabled monitors (their alarms)
    permissions_boundary: str | None  # ARN for the checker's role (Settings.permissions_boundary)
    account: AccountContext
    kms_key_arn: str | None
    schedules: dict[str, tuple[str, str]]  # monitor -> (schedule name, schedule ARN reference)
    state_machine_arn: str | None  # baseline generation, when present


class Alerts(Construct):
    def __init__(self, scope: Construct, id: str, *, config: AlertsConfig) -> None:
        super().__init__(scope, id)
        s = config.alerts
        self.name = bounded_name(config.endpoint.stack_name, "alerts", max_length=56)
        self.topic_arn = s.sns_topic_arn or self._topic(config)
        # For policies: the created topic's ARN built from its name (known at plan time); resources keep
        # referencing `topic_arn`, which also orders their creation after the topic's.
        self.topic_policy_arn = s.sns_topic_arn or config.account.arn("sns", self.name)
        self.alarm_names: list[str] = []  # every CloudWatch alarm it creates (the dashboard shows their state)
        self.checker_function_name: str | None = None  # the execution checker Lambda, when there is one
        for i, address in enumerate(s.email_addresses):
            aws("sns_topic_subscription").SnsTopicSubscription(
                self, f"email_{i}", topic_arn=self.topic_arn, protocol="email", endpoint=address
            )
        if s.on_monitoring_executions:
            self._execution_checker(config)
        self._alarms(config)
        if s.on_baseline_failures and config.state_machine_arn:
            self._baseline_failures(config)

    # ------------------------------------------------------------------------------------------
    def _topic(self, config: AlertsConfig) -> str:
        acct = config.account
        topic = aws("sns_topic").SnsTopic(self, "topic", name=self.name, kms_master_key_id=config.kms_key_arn)
        policy = aws("data_aws_iam_policy_document").DataAwsIamPolicyDocument(
            self,
            "topic_policy_document",
            statement=[
                {
                    "sid": "AlarmsAndRulesOfThisAccountPublish",
                    "effect": "Allow",
                    "actions": ["sns:Publish"],
                    "resources": [acct.arn("sns", self.name)],
                    "principals": [
                        {"type": "Service", "identifiers": ["cloudwatch.amazonaws.com", "events.amazonaws.com"]}
                    ],
                    "condition": [
                        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [acct.account_id]}
                    ],
                },
                {
                    "sid": "DenyPublishingWithoutTls",
                    "effect": "Deny",
                    "actions": ["sns:Publish"],
                    "resources": [acct.arn("sns", self.name)],
                    "principals": [{"type": "*", "identifiers": ["*"]}],
                    "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
                },
            ],
        )
        aws("sns_topic_policy").SnsTopicPolicy(self, "topic_policy", arn=topic.arn, policy=policy.json)
        return topic.arn

    def _execution_checker(self, config: AlertsConfig) -> None:
        s, endpoint_name, acct = config.alerts, config.endpoint.endpoint_name, config.account
        p, r, a = acct.partition, acct.region, acct.account_id
        name = bounded_name(self.name, "checker", max_length=64)
        code = checker_zip()
        archive = staging_dir("execution-alerts-") / "execution-alerts.zip"
        archive.write_bytes(code)
        asset = TerraformAsset(self, "checker_code", path=str(archive), type=AssetType.FILE)
        log_group = aws("cloudwatch_log_group").CloudwatchLogGroup(
            self,
            "checker_logs",
            name=f"/aws/lambda/{name}",
            retention_in_days=s.log_retention_days,
            kms_key_id=config.kms_key_arn,
        )
        statements = [
            Statement(
                "WriteOwnLogs",
                ("logs:CreateLogStream", "logs:PutLogEvents"),
                (acct.arn("logs", f"log-group:/aws/lambda/{name}:*"),),
            ),
            # ListMonitoringExecutions has no resource-level permissions.
            Statement("ListMonitoringExecutions", ("sagemaker:ListMonitoringExecutions",), ("*",)),
            # processing-job/*: SageMaker names a schedule's execution jobs itself (no prefix this stack controls).
            Statement(
                "ReadExecutionJobs",
                ("sagemaker:DescribeProcessingJob",),
                (f"arn:{p}:sagemaker:{r}:{a}:processing-job/*",),
            ),
            Statement("PublishAlerts", ("sns:Publish",), (self.topic_policy_arn,)),
            TRACING,
        ]
        if config.kms_key_arn:
            # Publishing to an encrypted topic: SNS calls KMS with the publisher's credentials.
            statements.append(
                Statement(
                    "EncryptAlerts",
                    ("kms:GenerateDataKey", "kms:Decrypt"),
                    (config.kms_key_arn,),
                    (("StringEquals", "kms:ViaService", (service_endpoint("sns", acct),)),),
                )
            )
        role = ServiceRole(
            self,
            "checker_role",
            name=bounded_name(name, "role", max_length=64),
            service="lambda.amazonaws.com",
            account=acct,
            statements=statements,
            permissions_boundary=config.permissions_boundary,
            description="Monitoring execution checker: lists executions, publishes alerts",
        )
        schedules = [
            {"name": n, "monitor_type": m, "endpoint": endpoint_name} for m, (n, _) in config.schedules.items()
        ]
        function = aws("lambda_function").LambdaFunction(
            self,
            "checker",
            function_name=name,
            description="Notifies about SageMaker monitoring executions that Failed or CompletedWithViolations",
            runtime="python3.12",
            handler="execution_alerts.handler",
            filename=asset.path,
            source_code_hash=base64.b64encode(hashlib.sha256(code).digest()).decode(),
            role=role.arn,
            timeout=300,
            memory_size=256,
            environment={
                "variables": {
                    "MONITORING_SCHEDULES": json.dumps(schedules, sort_keys=True),
                    "ALERT_TOPIC_ARN": self.topic_arn,
                    "CHECK_INTERVAL_MINUTES": str(s.check_interval_minutes),
                }
            },
            kms_key_arn=config.kms_key_arn,
            tracing_config={"mode": "Active"},
            logging_config={"log_format": "Text", "log_group": log_group.name},
            depends_on=[log_group, role.policy],
        )
        minutes = s.check_interval_minutes
        rule = aws("cloudwatch_event_rule").CloudwatchEventRule(
            self,
            "checker_schedule",
            name=name,
            description="Runs the monitoring execution checker",
            schedule_expression=f"rate({minutes} minute{'s' if minutes > 1 else ''})",
        )
        aws("cloudwatch_event_target").CloudwatchEventTarget(
            self, "checker_target", rule=rule.name, target_id="execution-checker", arn=function.arn
        )
        aws("lambda_permission").LambdaPermission(
            self,
            "checker_invoke",
            statement_id="AllowScheduleInvoke",
            action="lambda:InvokeFunction",
            function_name=function.function_name,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
        )
        # A checker that fails would otherwise fail silently (its invocations are asynchronous).
        self.checker_function_name = name
        self.alarm_names.append(bounded_name(name, "errors", max_length=255))
        aws("cloudwatch_metric_alarm").CloudwatchMetricAlarm(
            self,
            "checker_errors",
            alarm_name=self.alarm_names[-1],
            alarm_description=(
                f"{endpoint_name}: the monitoring execution checker failed; execution alerts may be missing"
            ),
            namespace="AWS/Lambda",
            metric_name="Errors",
            dimensions={"FunctionName": name},
            statistic="Sum",
            comparison_operator="GreaterThanThreshold",
            threshold=0,
            period=minutes * 60,
            evaluation_periods=1,
            treat_missing_data="notBreaching",
            alarm_actions=[self.topic_arn],
        )

    def _alarms(self, config: AlertsConfig) -> None:
        # Each alarm model knows its metric, meaning and dimensions; the registry knows its monitor's namespace.
        for view in config.monitors:
            for alarm in view.alarms:
                self._alarm(config, view.spec, view.options.batch_transform_input is not None, alarm)

    def _alarm(self, config: AlertsConfig, spec: MonitorType, batch: bool, alarm: Alarm) -> None:
        endpoint_name, monitor, key, direction = config.endpoint.endpoint_name, spec.name, alarm.key, alarm.direction
        schedule_name, _ = config.schedules[monitor]
        metric = spec.alarm_metric(alarm, batch=batch, endpoint_name=endpoint_name, schedule_name=schedule_name)
        name = alarm_name(endpoint_name, monitor, key)
        self.alarm_names.append(name)
        aws("cloudwatch_metric_alarm").CloudwatchMetricAlarm(
            self,
            f"{monitor}_{key}",
            alarm_name=name,
            alarm_description=f"{endpoint_name}: {alarm.meaning} (SageMaker Model Monitor)",
            namespace=metric.namespace,
            metric_name=metric.metric_name,
            dimensions=metric.dimensions,
            statistic="Maximum" if direction == "above" else "Minimum",
            comparison_operator="GreaterThanThreshold" if direction == "above" else "LessThanThreshold",
            threshold=alarm.threshold,
            period=ALARM_PERIOD_SECONDS,
            evaluation_periods=1,
            treat_missing_data=config.alerts.alarm_treat_missing_data,
            alarm_actions=[self.topic_arn],
            ok_actions=[self.topic_arn],
        )

    def _baseline_failures(self, config: AlertsConfig) -> None:
        assert config.state_machine_arn is not None  # only made with baseline generation (see __init__)
        rule = aws("cloudwatch_event_rule").CloudwatchEventRule(
            self,
            "baseline_failures",
            name=bounded_name(self.name, "baseline-failures", max_length=64),
            description="Baseline generation executions that failed, timed out or were aborted",
            event_pattern=json_document(
                self, "baseline_failures_pattern", baseline_failure_pattern(config.state_machine_arn)
            ),
        )
        aws("cloudwatch_event_target").CloudwatchEventTarget(
            self,
            "baseline_failures_target",
            rule=rule.name,
            target_id="alert-topic",
            arn=self.topic_arn,
            input_transformer={
                "input_paths": {
                    "status": "$.detail.status",
                    "execution": "$.detail.executionArn",
                    "name": "$.detail.name",
                },
                "input_template": json.dumps(
                    f"Baseline generation for endpoint {config.endpoint.endpoint_name} ended <status>: "
                    "execution <name> (<execution>). See the state machine's log group for the cause."
                ),
            },
        )


def alarm_name(endpoint_name: str, monitor: str, key: str) -> str:
    """The name of a monitor's alarm (`key`: the alarm model's)."""
    return bounded_name(endpoint_name, monitor.replace("_", "-"), key, max_length=255)


def baseline_failure_pattern(state_machine_arn: str) -> dict:
    return {
        "source": ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        "detail": {"status": ["FAILED", "TIMED_OUT", "ABORTED"], "stateMachineArn": [state_machine_arn]},
    }
