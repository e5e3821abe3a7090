"""The stack of `python main.py`: backend and providers, then the public construct (monitors/constructs/construct.py)
per endpoint."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cdktf import CloudBackend, LocalBackend, NamedCloudWorkspace, S3Backend, TaggedCloudWorkspaces
from constructs import Construct

from monitors.constructs.aws_bindings import aws
from monitors.constructs.awscc import AwsccProvider
from monitors.constructs.construct import EndpointMonitoring, SageMakerModelMonitoring, needs_awscc
from monitors.constructs.iam import AccountContext
from monitors.naming import cloud_workspace_name
from monitors.settings.model import Settings
from monitors.tooling.addresses import ReadableAddressStack
from monitors.tooling.output import default_local_state_path

if TYPE_CHECKING:
    from monitors.settings.config import StackPlan

# Range admitting the provider the bindings were generated for (6.25.0) and the 5.x line we validate with.
AWS_PROVIDER_CONSTRAINT = ">= 5.100.0, < 7.0.0"


class MonitoringStack(ReadableAddressStack):
    """One stack: backend and providers, then each endpoint's monitoring.

    A stack of its own endpoint builds directly in the stack (the Terraform addresses of a flat
    configuration); a fleet's shared stack (`grouped`) builds each endpoint in a scope named after it, so
    adding or removing an endpoint leaves the others' addresses alone.
    """

    def __init__(self, scope: Construct, plan: StackPlan) -> None:
        super().__init__(scope, plan.name)
        first = plan.endpoints[0]  # stack-level parameters are equal across a plan's endpoints (validated)
        self._backend(first, grouped=plan.grouped)
        tags = first.resource_tags()
        aws("provider").AwsProvider(self, "aws", region=first.region, default_tags=[{"tags": tags}] if tags else None)
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
        self.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT)
        # Only stacks with an awscc resource need (and make users install) the awscc provider.
        any_awscc = any(needs_awscc(s) for s in plan.endpoints)
        self.awscc_provider = AwsccProvider(self, "awscc", region=first.region) if any_awscc else None

        caller = aws("data_aws_caller_identity").DataAwsCallerIdentity(self, "caller")
        region = first.region or aws("data_aws_region").DataAwsRegion(self, "region").name
        self.account = AccountContext(partition=first.partition, region=region, account_id=caller.account_id)

        self.endpoints: dict[str, SageMakerModelMonitoring | EndpointMonitoring] = {}
        for settings in plan.endpoints:
            if plan.grouped:  # each endpoint in a construct named after it
                self.endpoints[settings.validated_endpoint_name] = SageMakerModelMonitoring(
                    self,
                    settings.validated_endpoint_name,
                    settings=settings,
                    awscc_provider=self.awscc_provider,
                    account=self.account,
                    output_prefix=f"{settings.endpoint_name}_",
                    apply_tags=False,
                )
            else:  # directly in the stack (the construct paths and addresses of a one-endpoint stack)
                self.endpoints[settings.validated_endpoint_name] = EndpointMonitoring(
                    self, settings=settings, awscc_provider=self.awscc_provider, account=self.account, output_prefix=""
                )
        self.overview = None
        dashboards = [e.dashboard_config for e in self.endpoints.values() if e.dashboard_config is not None]
        if plan.grouped and dashboards:  # a fleet in one stack: one overview of its endpoints
            from monitors.constructs.dashboard import overview_dashboard

            self.overview = overview_dashboard(self, plan.name, dashboards)
        self.add_moved_blocks()

    # ------------------------------------------------------------------------------------------
    def _backend(self, settings: Settings, *, grouped: bool) -> None:
        if settings.backend == "local":
            # Relative path: cdktf's default is absolute, which breaks byte-identical output across checkouts.
            # Terraform resolves it from the stack folder (cdktf.out/stacks/<stack>/), so the default lands
            # beside the output folder, where cdktf keeps terraform.<stack>.tfstate and a re-synth never reaches.
            LocalBackend(self, path=settings.backend_local_path or default_local_state_path(self.node.id))
        elif settings.backend == "s3":
            assert settings.backend_s3_bucket is not None  # validated: required when backend is s3
            S3Backend(
                self,
                bucket=settings.backend_s3_bucket,
                key=settings.backend_s3_key or f"{settings.stack_name}/terraform.tfstate",
                region=settings.backend_s3_region or settings.region,
                encrypt=True,
                dynamodb_table=settings.backend_s3_dynamodb_table,
            )
            if settings.backend_s3_use_lockfile:
                # S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend predates the option.
                self.add_override("terraform.backend.s3.use_lockfile", True)
        elif settings.backend == "cloud":
            # One workspace per stack: tfc_workspace_name with {stack_name}/{endpoint_name} replaced (unset: the
            # stack's name), or the tagged workspaces the user selects from.
            workspaces = (
                TaggedCloudWorkspaces(list(settings.tfc_workspace_tags))
                if settings.tfc_workspace_tags
                else NamedCloudWorkspace(
                    cloud_workspace_name(
                        settings.tfc_workspace_name, self.node.id, None if grouped else settings.endpoint_name
                    )
                )
            )
            assert settings.tfc_organization is not None  # validated: required when backend is cloud
            CloudBackend(
                self, hostname=settings.tfc_hostname, organization=settings.tfc_organization, workspaces=workspaces
            )
        else:
            raise ValueError(f"backend: no Terraform backend for {settings.backend!r}")
