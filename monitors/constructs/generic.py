"""Providers and resources we have no cdktf bindings for (awscc, docker): cdktf's generic classes with
their attributes set as overrides. One mechanism for both, so the synthesized JSON has one shape."""

from __future__ import annotations

from typing import Any

from cdktf import TerraformProvider, TerraformProviderGeneratorMetadata, TerraformResource
from constructs import Construct


def _set_attributes(element: TerraformProvider | TerraformResource, attributes: dict[str, Any]) -> None:
    for key, value in attributes.items():
        if value is not None and value != []:
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
        _set_attributes(self, attributes)
