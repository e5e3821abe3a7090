"""Baseline generation: ECR + image (or a given image), Lambda, Step Functions, EventBridge, run on deploy."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdktf import AssetType, TerraformAsset
from constructs import Construct

from baseline.state_machine import build_state_machine_definition
from monitors.constructs.aws_bindings import aws
from monitors.constructs.generic import GenericProvider, GenericResource
from monitors.constructs.iam import (
    LOG_DELIVERY_ACTIONS,
    TRACING,
    AccountContext,
    ServiceRole,
    Statement,
    policy_document,
    s3_list_prefixes,
    s3_object_arns,
    service_endpoint,
)
from monitors.constructs.json_documents import encoded, json_document, json_local, reference
from monitors.monitor_types import MONITORS
from monitors.naming import bounded_name, content_hash
from monitors.settings.views import BaselineGenerationSettings, EndpointSettings
from monitors.tooling.lambda_image import LAMBDA_IMAGE_DIR, lambda_image_hash, source_files
from monitors.tooling.staging import staging_dir

DOCKER_SOURCE = "kreuzwerker/docker"
DOCKER_VERSION_CONSTRAINT = ">= 3.0.0, < 4.0.0"
IMAGES_KEPT = 5
# Terraform expressions (JSON syntax: "${...}") on the run-on-deploy invocation's result, the handler's JSON
# answer {"status": "STARTED", "execution_arns": [...]}.
RUN_ON_DEPLOY_STARTED = '${try(jsondecode(self.result).status, "") == "STARTED"}'
RUN_ON_DEPLOY_ERROR = "Baseline generation did not start on deploy: ${try(jsondecode(self.result).error, self.result)}"


def staged_lambda_image() -> Path:
    """A clean copy of lambda_image/ (no __pycache__ left by tests), so the asset is the same everywhere."""
    staging = staging_dir("lambda-image-")
    for path in source_files(LAMBDA_IMAGE_DIR):
        target = staging / path.relative_to(LAMBDA_IMAGE_DIR)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return staging


@dataclass(frozen=True)
class BaselineConfig:
    endpoint: EndpointSettings
    generation: BaselineGenerationSettings
    events: dict[
        str, dict
    ]  # monitor -> its baseline event, the state machine's input (monitors.settings.baseline_events.baseline_events)
    permissions_boundary: str | None  # ARN for every role (Settings.permissions_boundary)
    account: AccountContext
    monitoring_role_arn: str  # the role the processing jobs run as (passed by the Lambda)
    monitoring_role_planned_arn: str  # the same, built from its name (for the PassRole policy)
    kms_key_arn: str | None
    # Monitors whose generated baseline is pinned (<monitor>_baseline_pinned): kept once it exists.
    pinned: tuple[str, ...] = ()
    # monitor -> its monitoring schedule name, for the monitors that read the generated baseline: the run on deploy
    # stops the schedule while that baseline does not exist, its first promotion starts it.
    held_schedules: Mapping[str, str] = field(default_factory=dict)
    schedules: tuple[Any, ...] = ()  # those schedules' resources (the run on deploy comes after them)


class BaselineGeneration(Construct):
    def __init__(self, scope: Construct, id: str, *, config: BaselineConfig) -> None:
        super().__init__(scope, id)
        g, endpoint, acct, boundary = config.generation, config.endpoint, config.account, config.permissions_boundary
        p, r, a = acct.partition, acct.region, acct.account_id
        name = bounded_name(endpoint.stack_name, "baseline", max_length=56)
        self.events = config.events

        image_uri = g.lambda_image_uri or self._build_image(name, config.kms_key_arn)
        # ARNs built from names (documented formats, service authorization reference) so the policies, the state
        # machine definition and the run-on-deploy input are known at plan time, not "(known after apply)".
        lambda_log_group_name = f"/aws/lambda/{name}"
        function_arn = acct.arn("lambda", f"function:{name}")
        self.state_machine_arn = acct.arn("states", f"stateMachine:{name}")
        rule_arn = acct.arn("events", f"rule/{name}")  # default event bus

        # --- Lambda ---------------------------------------------------------------------------
        lambda_log_group = aws("cloudwatch_log_group").CloudwatchLogGroup(
            self,
            "lambda_logs",
            name=lambda_log_group_name,
            retention_in_days=g.log_retention_days,
            kms_key_id=config.kms_key_arn,
        )
        baseline_output_prefix = g.output_data_s3_uri.rstrip("/") + "/"  # a folder: everything under it
        bucket_arn = endpoint.model_bucket_arn
        lambda_statements = [
            Statement(
                "WriteOwnLogs",
                ("logs:CreateLogStream", "logs:PutLogEvents"),
                (acct.arn("logs", f"log-group:{lambda_log_group_name}:*"),),
            ),
            Statement(
                "RunBaselineProcessingJobs",
                (
                    "sagemaker:CreateProcessingJob",
                    "sagemaker:DescribeProcessingJob",
                    "sagemaker:StopProcessingJob",
                    "sagemaker:AddTags",
                ),
                (f"arn:{p}:sagemaker:{r}:{a}:processing-job/baseline-*",),
            ),
            Statement(
                "PassMonitoringRoleToSageMakerOnly",
                ("iam:PassRole",),
                (config.monitoring_role_planned_arn,),
                (("StringEquals", "iam:PassedToService", ("sagemaker.amazonaws.com",)),),
            ),
            Statement(
                "ResolveEndpointModel",
                ("sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig"),
                (
                    f"arn:{p}:sagemaker:{r}:{a}:endpoint/{endpoint.endpoint_name.lower()}",
                    f"arn:{p}:sagemaker:{r}:{a}:endpoint-config/*",
                ),
            ),
            Statement("ReadTrainingData", ("s3:GetObject",), s3_object_arns(bucket_arn, [g.training_data_s3_uri])),
            Statement(
                "WriteBaselineOutput",
                ("s3:PutObject", "s3:GetObject"),
                s3_object_arns(bucket_arn, [baseline_output_prefix]),
            ),
            Statement(
                "ListBaselinePrefixes",
                ("s3:ListBucket",),
                (bucket_arn,),
                (("StringLike", "s3:prefix", s3_list_prefixes([g.training_data_s3_uri, baseline_output_prefix])),),
            ),
            TRACING,
        ]
        held = dict(config.held_schedules) if g.run_on_deploy else {}  # the run on deploy holds them
        if held:
            # Hold: stop a monitor's schedule at deploy while its baseline is missing; its first promotion starts it.
            lambda_statements.append(
                Statement(
                    "HoldMonitoringSchedulesUntilTheirFirstBaseline",
                    (
                        "sagemaker:DescribeMonitoringSchedule",
                        "sagemaker:StopMonitoringSchedule",
                        "sagemaker:StartMonitoringSchedule",
                    ),
                    tuple(
                        sorted(
                            f"arn:{p}:sagemaker:{r}:{a}:monitoring-schedule/{schedule.lower()}"
                            for schedule in held.values()
                        )
                    ),
                )
            )
        if config.kms_key_arn:
            # The Lambda reads and promotes SSE-KMS baseline objects through S3 only; DescribeKey (metadata only) stays
            # direct: SageMaker checks the key named in the jobs the Lambda starts with the caller's credentials.
            lambda_statements.append(
                Statement(
                    "UseKeyThroughS3",
                    ("kms:Decrypt", "kms:GenerateDataKey"),
                    (config.kms_key_arn,),
                    (("StringEquals", "kms:ViaService", (service_endpoint("s3", acct),)),),
                )
            )
            lambda_statements.append(Statement("DescribeKey", ("kms:DescribeKey",), (config.kms_key_arn,)))
        self.lambda_role = ServiceRole(
            self,
            "lambda_role",
            name=bounded_name(name, "lambda", max_length=64),
            service="lambda.amazonaws.com",
            account=acct,
            statements=lambda_statements,
            permissions_boundary=boundary,
            description="Baseline Lambda: starts and checks SageMaker baseline processing jobs",
        )
        environment = {
            "SAGEMAKER_ROLE_ARN": config.monitoring_role_arn,
            "SAGEMAKER_SUPPRESS_V2_WARNING": "1",
        }
        if config.kms_key_arn:
            environment["BASELINE_KMS_KEY_ID"] = config.kms_key_arn
        if config.pinned:
            environment["PINNED_BASELINES"] = ",".join(config.pinned)
        if held:
            environment["HELD_SCHEDULES"] = json.dumps(held, sort_keys=True, separators=(",", ":"))
        # The jobs' network settings (VPC, encryption, isolation) travel in each event's network_config.
        self.function = aws("lambda_function").LambdaFunction(
            self,
            "function",
            function_name=name,
            description="Starts and checks SageMaker Model Monitor baseline processing jobs",
            package_type="Image",
            image_uri=image_uri,
            # Set explicitly: left unset, the provider shows a diff on every plan.
            image_config={"command": ["app.handler"], "entry_point": ["/lambda-entrypoint.sh"]},
            role=self.lambda_role.arn,
            timeout=900,
            memory_size=g.lambda_memory_mb,
            environment={"variables": environment},
            kms_key_arn=config.kms_key_arn,
            tracing_config={"mode": "Active"},
            logging_config={"log_format": "Text", "log_group": lambda_log_group.name},
            depends_on=[lambda_log_group, self.lambda_role.policy],
        )

        # --- Step Functions -------------------------------------------------------------------
        sfn_log_group = aws("cloudwatch_log_group").CloudwatchLogGroup(
            self,
            "state_machine_logs",
            name=f"/aws/vendedlogs/states/{name}",
            retention_in_days=g.log_retention_days,
            kms_key_id=config.kms_key_arn,
        )
        self.sfn_role = ServiceRole(
            self,
            "state_machine_role",
            name=bounded_name(name, "sfn", max_length=64),
            service="states.amazonaws.com",
            account=acct,
            source_arn=self.state_machine_arn,
            permissions_boundary=boundary,
            description="Baseline state machine: invokes only the baseline Lambda",
            statements=[
                Statement("InvokeBaselineLambdaOnly", ("lambda:InvokeFunction",), (function_arn, f"{function_arn}:*")),
                # Log delivery and X-Ray APIs have no resource-level permissions.
                Statement("DeliverLogs", LOG_DELIVERY_ACTIONS, ("*",)),
                TRACING,
            ],
        )
        timeout = g.max_runtime_seconds + 1800  # job runtime plus start-up and polling slack
        self.state_machine = aws("sfn_state_machine").SfnStateMachine(
            self,
            "state_machine",
            name=name,
            role_arn=self.sfn_role.arn,
            definition=json_document(
                self,
                "state_machine_definition",
                build_state_machine_definition(
                    function_arn,
                    poll_interval_seconds=g.poll_interval_seconds,
                    timeout_seconds=timeout,
                    pinned=bool(config.pinned),
                ),
            ),
            logging_configuration={
                "log_destination": f"{sfn_log_group.arn}:*",
                "include_execution_data": True,
                "level": "ALL",
            },
            tracing_configuration={"enabled": True},
            depends_on=[self.sfn_role.policy, self.function],  # the definition names the function by its built ARN
        )

        # --- EventBridge schedule (baseline_run_on_schedule) -------------------------------------
        # Each event once in `locals`: the schedule's targets and the run-on-deploy input both use it.
        event_locals = {monitor: json_local(self, f"event_{monitor}", event) for monitor, event in self.events.items()}
        if g.run_on_schedule:
            self._schedule(name, rule_arn, boundary, acct, g.schedule_expression, event_locals)

        # --- Run on deploy ----------------------------------------------------------------------
        if g.run_on_deploy:
            # Terraform has no custom resource: invoke the Lambda once at create, and again only when the
            # baseline configuration changes (the triggers); a no-change apply invokes nothing.
            config_hash = content_hash(self.events, 12)
            start_policy = aws("iam_role_policy").IamRolePolicy(
                self,
                "lambda_start_executions",
                name="start-baseline-executions",
                role=self.lambda_role.role.id,
                policy=policy_document(
                    self,
                    "lambda_start_executions_document",
                    [Statement("StartBaselineStateMachineOnly", ("states:StartExecution",), (self.state_machine_arn,))],
                ).json,
            )
            executions = [
                {"name": f"deploy-{MONITORS[m].resource_short_name}-{config_hash}", "input": reference(event_locals[m])}
                for m in self.events
            ]
            invocation = aws("lambda_invocation").LambdaInvocation(
                self,
                "run_on_deploy",
                function_name=self.function.function_name,
                input=json_document(
                    self,
                    "run_on_deploy_input",
                    {
                        "action": "start_executions",
                        "state_machine_arn": self.state_machine_arn,
                        "executions": executions,
                    },
                ),
                triggers={"baseline_configuration": config_hash},
                # After the schedules it may hold (they exist before it can stop them).
                depends_on=[start_policy, self.state_machine, *(config.schedules if held else ())],
            )
            # The handler raises when it cannot start the executions, which fails the apply and keeps nothing
            # in state (the next apply retries). The postcondition guards the answer's contract too, e.g. for an
            # older image given as baseline_lambda_image_uri that answered {"status": "ERROR"} instead.
            address = f"aws_lambda_invocation.{invocation.friendly_unique_id}"
            invocation.add_override(
                "lifecycle.postcondition",
                [
                    {
                        "condition": RUN_ON_DEPLOY_STARTED,
                        "error_message": (
                            f"{RUN_ON_DEPLOY_ERROR}. Once the cause is fixed: terraform apply -replace={address}"
                        ),
                    }
                ],
            )

    # ------------------------------------------------------------------------------------------
    def _schedule(
        self,
        name: str,
        rule_arn: str,
        boundary: str | None,
        acct: AccountContext,
        schedule_expression: str,
        event_locals: dict,
    ) -> None:
        """The EventBridge rule that regenerates the baselines, one target (the state machine) per monitor."""
        rule = aws("cloudwatch_event_rule").CloudwatchEventRule(
            self,
            "schedule",
            name=name,
            description="Regenerates SageMaker Model Monitor baselines",
            schedule_expression=schedule_expression,
        )
        self.events_role = ServiceRole(
            self,
            "events_role",
            name=bounded_name(name, "events", max_length=64),
            service="events.amazonaws.com",
            account=acct,
            source_arn=rule_arn,
            permissions_boundary=boundary,
            description="Baseline schedule: starts only the baseline state machine",
            statements=[
                Statement("StartBaselineStateMachineOnly", ("states:StartExecution",), (self.state_machine_arn,))
            ],
        )
        for monitor, event in event_locals.items():
            aws("cloudwatch_event_target").CloudwatchEventTarget(
                self,
                f"target_{monitor}",
                rule=rule.name,
                target_id=f"baseline-{MONITORS[monitor].resource_short_name}",
                arn=self.state_machine.arn,
                role_arn=self.events_role.arn,
                input=encoded(event),
            )

    # ------------------------------------------------------------------------------------------
    def _build_image(self, name: str, kms_key_arn: str | None) -> str:
        """ECR repository + docker build/push of lambda_image/; returns the digest-pinned image URI."""
        ecr = aws("ecr_repository")
        repo = ecr.EcrRepository(
            # ECR repository names are lower case (botocore ecr service-2 shape RepositoryName pattern);
            # an upper-case stack or endpoint name would fail at apply.
            self,
            "repository",
            name=name.lower(),
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            # Struct objects, not dicts: jsii passes dicts inside lists through without renaming their
            # multi-word keys, and the block would synthesize empty.
            encryption_configuration=[
                ecr.EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=kms_key_arn)
            ],
        )
        aws("ecr_lifecycle_policy").EcrLifecyclePolicy(
            self,
            "repository_lifecycle",
            repository=repo.name,
            policy=json_document(
                self,
                "repository_lifecycle_policy",
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": f"keep the last {IMAGES_KEPT} images",
                            "selection": {
                                "tagStatus": "any",
                                "countType": "imageCountMoreThan",
                                "countNumber": IMAGES_KEPT,
                            },
                            "action": {"type": "expire"},
                        }
                    ]
                },
            ),
        )
        token = aws("data_aws_ecr_authorization_token").DataAwsEcrAuthorizationToken(
            self, "ecr_token", registry_id=repo.registry_id
        )
        docker = GenericProvider(
            self,
            "docker",
            name="docker",
            source=DOCKER_SOURCE,
            version_constraint=DOCKER_VERSION_CONSTRAINT,
            attributes={
                "registry_auth": [
                    {"address": token.proxy_endpoint, "username": token.user_name, "password": token.password}
                ]
            },
        )
        tag = lambda_image_hash()
        asset = TerraformAsset(self, "lambda_image_source", path=str(staged_lambda_image()), type=AssetType.DIRECTORY)
        image_name = f"{repo.repository_url}:{tag}"
        image = GenericResource(
            self,
            "image",
            resource_type="docker_image",
            provider=docker,
            attributes={
                "name": image_name,
                "build": {"context": asset.path, "platform": "linux/amd64"},
                "triggers": {"source_hash": tag},
                "keep_locally": False,
            },
        )
        pushed = GenericResource(
            self,
            "image_push",
            resource_type="docker_registry_image",
            provider=docker,
            attributes={
                "name": image.get_string_attribute("name"),
                "keep_remotely": True,
                "triggers": {"source_hash": tag},
            },
        )
        return f"{repo.repository_url}@{pushed.get_string_attribute('sha256_digest')}"
