"""The monitoring jobs' execution role, least privilege (replaces the seed's AmazonSageMakerFullAccess)."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from monitors import tokens
from monitors.constructs.aws_bindings import aws
from monitors.monitor_types import MONITORS
from monitors.settings.fields import S3_URI_RE
from monitors.settings.model import Settings

# CloudWatch Logs' log delivery APIs (Step Functions logging): no resource-level permissions.
LOG_DELIVERY_ACTIONS = (
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
)
# Actions AWS only authorizes on "*" (no resource-level permissions); tests allow "*" only for these.
WILDCARD_ONLY_ACTIONS = frozenset(
    {
        "cloudwatch:PutMetricData",  # scoped by the cloudwatch:namespace condition instead
        "ecr:GetAuthorizationToken",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeVpcs",
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeSubnets",
        "ec2:DescribeSecurityGroups",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        *LOG_DELIVERY_ACTIONS,
        "sagemaker:ListMonitoringExecutions",  # list actions take no resource ARN
    }
)


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (test, variable, values)

    def to_terraform(self) -> dict:
        out: dict = {
            "sid": self.sid,
            "effect": "Allow",
            "actions": sorted(self.actions),
            "resources": list(self.resources),
        }
        if self.conditions:
            out["condition"] = [{"test": t, "variable": v, "values": list(vals)} for t, v, vals in self.conditions]
        return out


# Lambda and Step Functions X-Ray tracing: the X-Ray APIs have no resource-level permissions.
TRACING = Statement("Tracing", ("xray:PutTraceSegments", "xray:PutTelemetryRecords"), ("*",))


@dataclass(frozen=True)
class AccountContext:
    """Terraform expressions (or literals) the ARNs are built from."""

    partition: str
    region: str
    account_id: str

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        """An ARN built from names (known at plan time, unlike a resource's `arn` attribute in the same apply)."""
        return f"arn:{self.partition}:{service}:{self.region if regional else ''}:{self.account_id}:{resource}"


def policy_document(scope: Construct, id: str, statements: list[Statement]):
    """An aws_iam_policy_document data source (reviewable, normalized JSON in plans)."""
    return aws("data_aws_iam_policy_document").DataAwsIamPolicyDocument(
        scope, id, statement=[s.to_terraform() for s in statements]
    )


def service_assume_role_document(
    scope: Construct,
    id: str,
    service: str,
    account: AccountContext,
    source_arn: str | None = None,
):
    # Confused-deputy protection on every role: only this account's resources of the service may assume it.
    # aws:SourceArn only where the service sends it for this role (Step Functions, EventBridge). SageMaker: its
    # docs give a SourceArn example for processing jobs but none for monitoring schedules, and this role runs
    # both; a SourceArn the schedule's executions do not send would stop every monitor. Lambda: SourceAccount,
    # as AWS's own samples write it (aws/agent-toolkit-for-aws lambda-trust-policy.json).
    condition = [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": [account.account_id]}]
    if source_arn:
        condition.append({"test": "ArnLike", "variable": "aws:SourceArn", "values": [source_arn]})
    statement: dict = {
        "sid": "AssumedByService",
        "effect": "Allow",
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": [service]}],
        "condition": condition,
    }
    return aws("data_aws_iam_policy_document").DataAwsIamPolicyDocument(scope, id, statement=[statement])


def service_endpoint(service: str, account: AccountContext) -> str:
    """The kms:ViaService value of a service in the stack's region (China regions end in .amazonaws.com.cn)."""
    suffix = "amazonaws.com.cn" if account.partition == "aws-cn" else "amazonaws.com"
    return f"{service}.{account.region}.{suffix}"


def s3_access(settings: Settings) -> tuple[list[str], list[str]]:
    """(read, write) S3 URIs of the monitoring role: the ONE list of what monitors and baseline jobs touch.

    A URI ending in / is a prefix; any other URI is an object or a folder (both are granted). New URI parameters
    belong here (or in job_definitions.monitoring_role_s3_access, which this includes).
    """
    from monitors.payloads.job_definitions import baseline_prefix, monitoring_role_s3_access

    read: list[str] = []
    write: list[str] = []
    for monitor in settings.enabled_monitors:
        read.append(baseline_prefix(settings, monitor))
        view = settings.monitor(monitor)
        ground_truth = getattr(view.options, "ground_truth_s3_uri", None)  # monitors that merge ground truth
        if ground_truth:
            read.append(ground_truth)
        if view.options.batch_transform_input is not None:
            read.append(view.options.batch_transform_input.data_captured_destination_s3_uri)
        output = view.options.output_s3_uri
        if output:
            write.append(output)
    extra = monitoring_role_s3_access(settings)
    read += extra["read"]
    write += extra["write"]
    return sorted(set(read)), sorted(set(write))


def _s3_key(uri: str) -> str:
    # The key only: the bucket may be a Terraform reference (monitors/tokens.py); IAM resources are built from
    # model_bucket_arn, which every URI is checked to be inside (at synth time, or by a plan-time precondition).
    match = S3_URI_RE.fullmatch(uri) or tokens.S3_URI_WITH_REFERENCE_RE.fullmatch(uri)
    assert match, f"validated S3 URI: {uri!r}"
    return (match.group(2) or "").lstrip("/")


def s3_object_patterns(uri: str) -> list[str]:
    """Key patterns (IAM resource / s3:prefix) for a URI; the bucket root gives "*", never "//*"."""
    key = _s3_key(uri)
    if not key or key == "/":
        return ["*"]
    if key.endswith("/"):
        return [f"{key}*"]
    return [key, f"{key}/*"]


def s3_object_arns(bucket_arn: str, uris: list[str]) -> tuple[str, ...]:
    return tuple(sorted({f"{bucket_arn}/{pattern}" for uri in uris for pattern in s3_object_patterns(uri)}))


def s3_list_prefixes(uris: list[str]) -> tuple[str, ...]:
    """s3:prefix values for ListBucket: the prefix itself (listing "a/b" or "a/b/") and everything under it."""
    out: set[str] = set()
    for uri in uris:
        for pattern in s3_object_patterns(uri):
            out.add(pattern)
            if pattern.endswith("/*"):
                out.add(pattern[:-1])  # "a/b/" (the folder listed with its slash)
    return tuple(sorted(out))


def endpoint_capture_patterns(settings: Settings) -> list[str]:
    """Key patterns of the endpoint's data capture, whose destination lives in the endpoint config (not known at
    synth). AWS documents the layout <destination>/<endpoint-name>/<variant>/yyyy/mm/dd/hh/<file>.jsonl
    (https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture-endpoint.html), so reads are
    scoped to keys with the endpoint's name as a folder: at the bucket root or under any prefix."""
    if not any(settings.options(m).batch_transform_input is None for m in settings.enabled_monitors):
        return []
    name = settings.endpoint_name
    return [f"{name}/*", f"*/{name}/*"]


def monitoring_statements(
    settings: Settings, account: AccountContext, *, kms_key_arn: str | None, image_repository_arns: list[str]
) -> list[Statement]:
    p, r, a = account.partition, account.region, account.account_id
    bucket_arn = settings.model_bucket_arn
    assert bucket_arn is not None  # required: set after validation
    read, write = s3_access(settings)
    capture = endpoint_capture_patterns(settings)
    statements = [
        Statement(
            "ReadMonitorInputs",
            ("s3:GetObject",),
            tuple(sorted({*s3_object_arns(bucket_arn, read), *(f"{bucket_arn}/{c}" for c in capture)})),
        ),
        *([Statement("WriteMonitorOutputs", ("s3:PutObject",), s3_object_arns(bucket_arn, write))] if write else []),
        Statement(
            "ListMonitorPrefixes",
            ("s3:ListBucket",),
            (bucket_arn,),
            (("StringLike", "s3:prefix", tuple(sorted({*s3_list_prefixes(read + write), *capture}))),),
        ),
        Statement("LocateModelBucket", ("s3:GetBucketLocation",), (bucket_arn,)),
        Statement(
            "PublishMonitoringMetrics",
            ("cloudwatch:PutMetricData",),
            ("*",),
            (("StringLike", "cloudwatch:namespace", ("aws/sagemaker/Endpoints/*", "aws/sagemaker/ModelMonitoring/*")),),
        ),
        Statement(
            "WriteProcessingJobLogs",
            ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"),
            (
                f"arn:{p}:logs:{r}:{a}:log-group:/aws/sagemaker/ProcessingJobs",
                f"arn:{p}:logs:{r}:{a}:log-group:/aws/sagemaker/ProcessingJobs:log-stream:*",
            ),
        ),
        Statement(
            "PullAnalyzerImages",
            ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"),
            tuple(image_repository_arns),
        ),
        Statement("EcrLogin", ("ecr:GetAuthorizationToken",), ("*",)),
    ]
    if kms_key_arn:
        # The jobs use the key only through S3 (SSE-KMS capture, baselines, output), SageMaker and EC2 (the jobs'
        # encrypted volumes: GenerateDataKeyWithoutPlaintext and the grant). No ReEncrypt: nothing re-encrypts.
        services = tuple(service_endpoint(name, account) for name in ("s3", "sagemaker", "ec2"))
        statements.append(
            Statement(
                "UseMonitoringKeyThroughServices",
                (
                    "kms:Decrypt",
                    "kms:Encrypt",
                    "kms:GenerateDataKey",
                    "kms:GenerateDataKeyWithoutPlaintext",
                    "kms:DescribeKey",
                ),
                (kms_key_arn,),
                (("StringEquals", "kms:ViaService", services),),
            )
        )
        statements.append(
            Statement(
                "GrantKeyToSageMakerVolumes",
                ("kms:CreateGrant",),
                (kms_key_arn,),
                (("Bool", "kms:GrantIsForAWSResource", ("true",)), ("StringEquals", "kms:ViaService", services[1:])),
            )
        )
    if any(MONITORS[m].image == "clarify" for m in settings.enabled_monitors):
        # Clarify runs a temporary shadow endpoint (named sm-clarify-*) to get predictions.
        statements.append(
            Statement(
                "ClarifyShadowEndpoint",
                (
                    "sagemaker:CreateEndpoint",
                    "sagemaker:CreateEndpointConfig",
                    "sagemaker:DeleteEndpoint",
                    "sagemaker:DeleteEndpointConfig",
                    "sagemaker:DescribeEndpoint",
                    "sagemaker:DescribeEndpointConfig",
                    "sagemaker:InvokeEndpoint",
                    "sagemaker:AddTags",
                ),
                (
                    f"arn:{p}:sagemaker:{r}:{a}:endpoint/sm-clarify-*",
                    f"arn:{p}:sagemaker:{r}:{a}:endpoint-config/sm-clarify-*",
                ),
            )
        )
        # model/* and endpoint-config/*: the endpoint's config and models are chosen at deploy time, outside this
        # stack, and change with every model update; no name is known at synth, so only the endpoint is scoped.
        statements.append(
            Statement(
                "DescribeMonitoredModel",
                ("sagemaker:DescribeModel", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig"),
                (
                    f"arn:{p}:sagemaker:{r}:{a}:model/*",
                    f"arn:{p}:sagemaker:{r}:{a}:endpoint/{tokens.lower(settings.validated_endpoint_name)}",
                    f"arn:{p}:sagemaker:{r}:{a}:endpoint-config/*",
                ),
            )
        )
    if settings.vpc_enabled:
        assert settings.subnet_ids is not None  # vpc_enabled: subnet_ids given
        subnet_arns = tuple(f"arn:{p}:ec2:{r}:{a}:subnet/{s}" for s in settings.subnet_ids)
        statements += [
            Statement(
                "CreateJobNetworkInterfaces",
                ("ec2:CreateNetworkInterface",),
                (
                    *subnet_arns,
                    f"arn:{p}:ec2:{r}:{a}:security-group/{settings.security_group_id}",
                    f"arn:{p}:ec2:{r}:{a}:network-interface/*",
                ),
            ),
            Statement(
                "ManageJobNetworkInterfaces",
                (
                    "ec2:CreateNetworkInterfacePermission",
                    "ec2:DeleteNetworkInterface",
                    "ec2:DeleteNetworkInterfacePermission",
                ),
                (f"arn:{p}:ec2:{r}:{a}:network-interface/*",),
                (("ArnEquals", "ec2:Subnet", subnet_arns),),
            ),
            Statement(
                "DescribeNetwork",
                (
                    "ec2:DescribeNetworkInterfaces",
                    "ec2:DescribeVpcs",
                    "ec2:DescribeDhcpOptions",
                    "ec2:DescribeSubnets",
                    "ec2:DescribeSecurityGroups",
                ),
                ("*",),
            ),
        ]
    return statements


class ServiceRole(Construct):
    """An IAM role assumable by one AWS service, with one inline policy from a policy document."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        service: str,
        account: AccountContext,
        statements: list[Statement],
        permissions_boundary: str | None,
        description: str,
        source_arn: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        trust = service_assume_role_document(self, "trust", service, account, source_arn)
        permissions = policy_document(self, "permissions", statements)
        self.role = aws("iam_role").IamRole(
            self,
            "role",
            name=name,
            description=description,
            assume_role_policy=trust.json,
            permissions_boundary=permissions_boundary,
        )
        self.policy = aws("iam_role_policy").IamRolePolicy(
            self, "policy", name="least-privilege", role=self.role.id, policy=permissions.json
        )

        # Formats: https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
        self.planned_arn = account.arn("iam", f"role/{name}", regional=False)

    @property
    def arn(self) -> str:
        """The role resource's ARN (a reference that also orders creation); policies use `planned_arn`. Read from
        jsii once (each read is a round trip and a new token for the same reference)."""
        if "_arn" not in self.__dict__:
            self.__dict__["_arn"] = self.role.arn
        return self.__dict__["_arn"]
