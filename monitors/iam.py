"""The monitoring jobs' execution role, least privilege (replaces the seed's AmazonSageMakerFullAccess)."""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from monitors.aws_bindings import aws
from monitors.settings import Settings

# Actions AWS only authorizes on "*" (no resource-level permissions); tests allow "*" only for these.
WILDCARD_ONLY_ACTIONS = frozenset({
    "cloudwatch:PutMetricData",  # scoped by the cloudwatch:namespace condition instead
    "ecr:GetAuthorizationToken",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeVpcs",
    "ec2:DescribeDhcpOptions",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    "sagemaker:ListMonitoringExecutions",  # list actions take no resource ARN
})


@dataclass(frozen=True)
class Statement:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # (test, variable, values)

    def to_terraform(self) -> dict:
        out: dict = {"sid": self.sid, "effect": "Allow", "actions": sorted(self.actions), "resources": list(self.resources)}
        if self.conditions:
            out["condition"] = [{"test": t, "variable": v, "values": list(vals)} for t, v, vals in self.conditions]
        return out


@dataclass(frozen=True)
class AccountContext:
    """Terraform expressions (or literals) the ARNs are built from."""

    partition: str
    region: str
    account_id: str


def policy_document(scope: Construct, id: str, statements: list[Statement]):
    """An aws_iam_policy_document data source (reviewable, normalized JSON in plans)."""
    return aws("data_aws_iam_policy_document").DataAwsIamPolicyDocument(
        scope, id, statement=[s.to_terraform() for s in statements]
    )


def service_assume_role_document(scope: Construct, id: str, service: str, account: AccountContext, source_arn: str | None = None):
    statement: dict = {
        "sid": "AssumedByService",
        "effect": "Allow",
        "actions": ["sts:AssumeRole"],
        "principals": [{"type": "Service", "identifiers": [service]}],
    }
    if source_arn:
        # Confused-deputy protection where the service sends these keys (Step Functions, EventBridge).
        statement["condition"] = [
            {"test": "StringEquals", "variable": "aws:SourceAccount", "values": [account.account_id]},
            {"test": "ArnLike", "variable": "aws:SourceArn", "values": [source_arn]},
        ]
    return aws("data_aws_iam_policy_document").DataAwsIamPolicyDocument(scope, id, statement=[statement])


def monitoring_statements(
    settings: Settings, account: AccountContext, *, kms_key_arn: str | None, image_repository_arns: list[str]
) -> list[Statement]:
    p, r, a = account.partition, account.region, account.account_id
    bucket_arn = settings.model_bucket_arn
    statements = [
        Statement("ReadWriteModelBucketObjects", ("s3:GetObject", "s3:PutObject"), (f"{bucket_arn}/*",)),
        Statement("ListModelBucket", ("s3:ListBucket", "s3:GetBucketLocation"), (bucket_arn,)),
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
        Statement("PullAnalyzerImages", ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"), tuple(image_repository_arns)),
        Statement("EcrLogin", ("ecr:GetAuthorizationToken",), ("*",)),
    ]
    if kms_key_arn:
        statements.append(Statement(
            "UseMonitoringKey",
            ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey", "kms:ReEncryptFrom", "kms:ReEncryptTo"),
            (kms_key_arn,),
        ))
        statements.append(Statement(
            "GrantKeyToSageMakerVolumes",
            ("kms:CreateGrant",),
            (kms_key_arn,),
            (("Bool", "kms:GrantIsForAWSResource", ("true",)),),
        ))
    if {"model_bias", "model_explainability"} & set(settings.enabled_monitors):
        # Clarify runs a temporary shadow endpoint (named sm-clarify-*) to get predictions.
        statements.append(Statement(
            "ClarifyShadowEndpoint",
            (
                "sagemaker:CreateEndpoint", "sagemaker:CreateEndpointConfig", "sagemaker:DeleteEndpoint",
                "sagemaker:DeleteEndpointConfig", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig",
                "sagemaker:InvokeEndpoint", "sagemaker:AddTags",
            ),
            (
                f"arn:{p}:sagemaker:{r}:{a}:endpoint/sm-clarify-*",
                f"arn:{p}:sagemaker:{r}:{a}:endpoint-config/sm-clarify-*",
            ),
        ))
        statements.append(Statement(
            "DescribeMonitoredModel",
            ("sagemaker:DescribeModel", "sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig"),
            (
                f"arn:{p}:sagemaker:{r}:{a}:model/*",
                f"arn:{p}:sagemaker:{r}:{a}:endpoint/{settings.endpoint_name.lower()}",
                f"arn:{p}:sagemaker:{r}:{a}:endpoint-config/*",
            ),
        ))
    if settings.vpc_enabled:
        subnet_arns = tuple(f"arn:{p}:ec2:{r}:{a}:subnet/{s}" for s in settings.subnet_ids)
        statements += [
            Statement(
                "CreateJobNetworkInterfaces",
                ("ec2:CreateNetworkInterface",),
                (*subnet_arns, f"arn:{p}:ec2:{r}:{a}:security-group/{settings.security_group_id}", f"arn:{p}:ec2:{r}:{a}:network-interface/*"),
            ),
            Statement(
                "ManageJobNetworkInterfaces",
                ("ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface", "ec2:DeleteNetworkInterfacePermission"),
                (f"arn:{p}:ec2:{r}:{a}:network-interface/*",),
                (("ArnEquals", "ec2:Subnet", subnet_arns),),
            ),
            Statement(
                "DescribeNetwork",
                ("ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs", "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"),
                ("*",),
            ),
        ]
    return statements


class ServiceRole(Construct):
    """An IAM role assumable by one AWS service, with one inline policy from a policy document."""

    def __init__(
        self, scope: Construct, id: str, *, name: str, service: str, account: AccountContext,
        statements: list[Statement], permissions_boundary: str | None, description: str, source_arn: str | None = None,
    ) -> None:
        super().__init__(scope, id)
        trust = service_assume_role_document(self, "trust", service, account, source_arn)
        permissions = policy_document(self, "permissions", statements)
        self.role = aws("iam_role").IamRole(
            self, "role", name=name, description=description, assume_role_policy=trust.json,
            permissions_boundary=permissions_boundary,
        )
        self.policy = aws("iam_role_policy").IamRolePolicy(
            self, "policy", name="least-privilege", role=self.role.id, policy=permissions.json
        )

    @property
    def arn(self) -> str:
        return self.role.arn
