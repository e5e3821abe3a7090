"""Providers and resources we have no cdktf bindings for (awscc, docker): cdktf's generic classes with
their attributes set as overrides. One mechanism for both, so the synthesized JSON has one shape.

A provider built directly in a stack that finishes its own document (TerraformVersionStack: MonitoringStack)
lets its resources hand their attributes to jsii as one structure (monitors/tooling/attributes.py): one round
trip per resource instead of one per attribute, the same document."""

from __future__ import annotations

from typing import Any

from cdktf import TerraformProvider, TerraformProviderGeneratorMetadata, TerraformResource
from constructs import Construct

from monitors.tooling.attributes import ATTRIBUTES
from monitors.tooling.terraform_version import TerraformVersionStack


def _set_attributes(
    element: TerraformProvider | TerraformResource, attributes: dict[str, Any], *, as_one: bool = False
) -> None:
    values = {key: value for key, value in attributes.items() if value is not None and value != []}
    if as_one and values:
        element.add_override(ATTRIBUTES, values)  # expanded in the stack's document (TerraformVersionStack)
        return
    for key, value in values.items():
        element.add_override(key, value)


class GenericProvider(TerraformProvider):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        source: str,
        version_constraint: str,
        attributes: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            scope,
            id,
            terraform_resource_type=name,
            terraform_provider_source=source,
            terraform_generator_metadata=TerraformProviderGeneratorMetadata(
                provider_name=name, provider_version_constraint=version_constraint
            ),
        )
        _set_attributes(self, attributes or {})
        # Its resources are in its stack; one that finishes its own document expands their attributes there.
        self.expands_attributes = isinstance(scope, TerraformVersionStack)


class GenericResource(TerraformResource):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        resource_type: str,
        provider: TerraformProvider,
        attributes: dict[str, Any],
        **meta: Any,
    ) -> None:
        super().__init__(
            scope,
            id,
            terraform_resource_type=resource_type,
            provider=provider,
            terraform_generator_metadata=TerraformProviderGeneratorMetadata(
                provider_name=resource_type.split("_", 1)[0]
            ),
            **meta,
        )
        _set_attributes(self, attributes, as_one=getattr(provider, "expands_attributes", False))
