"""The hashicorp/awscc provider block and its SageMaker job definition resources, over cdktf's generic resource.

No prebuilt cdktf awscc bindings exist; the payload is a typed ``JobDefinitionConfig``
(``monitors.payloads.awscc_shapes``) that names its resource type. awscc has no provider-level default_tags, so tags
are set on each resource.
"""

from __future__ import annotations

from cdktf import TerraformProvider, TerraformResourceLifecycle
from constructs import Construct

from monitors.constructs.generic import GenericProvider, GenericResource
from monitors.payloads.awscc_shapes import JobDefinitionConfig, to_terraform

AWSCC_SOURCE = "hashicorp/awscc"
# Versions whose schema carries these resources with the attribute names we emit (checked against 1.106.0).
AWSCC_VERSION_CONSTRAINT = ">= 1.0.0, < 2.0.0"


class AwsccProvider(GenericProvider):
    """The hashicorp/awscc provider block."""

    def __init__(self, scope: Construct, id: str, *, region: str | None) -> None:
        super().__init__(
            scope,
            id,
            name="awscc",
            source=AWSCC_SOURCE,
            version_constraint=AWSCC_VERSION_CONSTRAINT,
            attributes={"region": region},
        )


class AwsccJobDefinition(GenericResource):
    """One awscc SageMaker job definition; its resource type is the config's."""

    def __init__(self, scope: Construct, id: str, *, config: JobDefinitionConfig, provider: TerraformProvider) -> None:
        missing = [name for name in config.REQUIRED if getattr(config, name) is None]
        if missing:
            raise ValueError(f"{config.RESOURCE_TYPE}: missing required attributes {missing}")
        super().__init__(
            scope,
            id,
            resource_type=config.RESOURCE_TYPE,
            provider=provider,
            attributes=to_terraform(config),
            # Job definitions are immutable: a change replaces the definition (content-derived name)
            # before the old one goes, so the schedule is updated in place, never deleted first.
            lifecycle=TerraformResourceLifecycle(create_before_destroy=True),
        )
        self.config = config

    @property
    def job_definition_name(self) -> str:
        return self.get_string_attribute("job_definition_name")

    @property
    def job_definition_arn(self) -> str:
        return self.get_string_attribute("job_definition_arn")
