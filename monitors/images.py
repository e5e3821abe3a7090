"""Where the monitoring containers come from: the aws provider's ``data.aws_sagemaker_prebuilt_ecr_image`` where it
answers correctly, else the table generated from the pinned SageMaker Python SDK (``monitors/image_registries.py``).

The data source is kept wherever it works, so existing stacks keep their output byte for byte (a changed image URI
would replace every job definition). It is replaced by the SDK's registry where the aws provider (5.100.0) has no
entry (eu-central-2, us-isof-*: its plan fails) and in the China
regions, whose registries are under ``amazonaws.com.cn``, a domain the data source takes from the provider's
configuration (``amazonaws.com`` when asked for a region outside the provider's partition). The
region must be known at synth for that (``region``); unset, the provider's region decides through the data source,
as before. A region neither has (the Clarify image in eu-south-2, il-central-1, me-central-1; the analyzer in
GovCloud) is an error at synth naming the parameter that gives an image of one's own. Pure: no cdktf.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from monitors.image_registries import REGISTRIES, REPOSITORIES, SDK_VERSION

Kind = Literal["analyzer", "clarify"]
# The tags the stacks have always named (the analyzer's `latest` is what the SDK's untagged URI means).
TAGS: dict[str, str] = {"analyzer": "latest", "clarify": "1.0"}
OVERRIDES: dict[str, str] = {"analyzer": "model_monitor_image_uri", "clarify": "clarify_image_uri"}
TITLES: dict[str, str] = {"analyzer": "model monitor analyzer", "clarify": "Clarify processing"}
# Regions for which the aws provider's data source (hashicorp/aws 5.100.0) has a registry, each the SDK's
# (tests/test_region_images.py asks the provider for every region of the table and of botocore's partitions).
_PROVIDER_REGIONS_BOTH = frozenset(
    [
        "af-south-1",
        "ap-east-1",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ca-central-1",
        "cn-north-1",
        "cn-northwest-1",
        "eu-central-1",
        "eu-north-1",
        "eu-south-1",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "me-south-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    ]
)
PROVIDER_REGIONS: dict[str, frozenset[str]] = {
    "analyzer": _PROVIDER_REGIONS_BOTH | {"eu-south-2", "il-central-1", "me-central-1"},
    "clarify": _PROVIDER_REGIONS_BOTH | {"us-gov-west-1"},
}
PROVIDER_DOMAIN = "amazonaws.com"  # the only domain the data source gives whatever the provider's configuration


@dataclass(frozen=True)
class TableImage:
    """An image of the SDK's table: its URI and its repository's parts (for the IAM policy's ARN)."""

    uri: str
    account: str
    region: str
    repository: str


def repository(kind: Kind) -> str:
    return REPOSITORIES[kind]


def table_image(kind: Kind, region: str | None) -> TableImage | None:
    """The SDK table's image when the provider's data source lacks the region or gives a wrong domain; None when
    the data source is right (or the region is unknown at synth, or the SDK has no registry there either)."""
    if region is None or region not in REGISTRIES[kind]:
        return None
    account, domain = REGISTRIES[kind][region]
    if region in PROVIDER_REGIONS[kind] and domain == PROVIDER_DOMAIN:
        return None
    repo = REPOSITORIES[kind]
    return TableImage(f"{account}.dkr.ecr.{region}.{domain}/{repo}:{TAGS[kind]}", account, region, repo)


def unserved(kind: Kind, region: str | None) -> str | None:
    """Why no image of this kind can be named for the region (neither the SDK's table nor the provider has it)."""
    if region is None or region in REGISTRIES[kind] or region in PROVIDER_REGIONS[kind]:
        return None
    return (
        f"the {TITLES[kind]} image ({REPOSITORIES[kind]}) has no registry in {region}: neither the SageMaker Python "
        f"SDK {SDK_VERSION}'s image URI configuration nor the aws provider's aws_sagemaker_prebuilt_ecr_image has "
        f"one; set {OVERRIDES[kind]}"
    )
