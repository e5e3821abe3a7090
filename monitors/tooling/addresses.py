"""Readable Terraform addresses: the construct path without cdktf's hash suffix, plus `moved` blocks from
the hashed addresses earlier versions wrote, so an existing state upgrades with an empty plan.

cdktf names an element nested in constructs `<path parts joined by _>_<8 hex digits of an MD5 of the
path>` (makeUniqueId in cdktf/lib/private/unique.js), e.g. `aws_iam_role.monitoring_role_3C7E8759`. The
path is already unique within a stack (a fleet's shared stack nests each endpoint in a scope named after
it), so the readable part alone is the address here: `aws_iam_role.monitoring_role`. The one way two
paths could read the same (cdktf drops a part the previous part ends with, and `-`/`_` survive as they
are) is checked: it fails the synth naming both constructs rather than merging two resources.
"""

from __future__ import annotations

from typing import Any

from cdktf import TerraformDataSource, TerraformElement, TerraformResource
from constructs import Node

from monitors.tooling.terraform_version import TerraformVersionStack

HASH_SUFFIX_LENGTH = 9  # "_" + the 8 hex digits of cdktf's path hash
HIDDEN_ID = "Default"  # cdktf leaves this part out of ids entirely


class AddressCollision(Exception):
    pass


class ReadableAddressStack(TerraformVersionStack):
    """A TerraformStack whose elements get readable logical ids; `add_moved_blocks()` (called once
    everything is built) writes a `moved` block from each resource's hashed id to its readable one."""

    # False synthesizes the hashed ids (what versions before readable addresses wrote), without moved
    # blocks: the upgrade test applies that output first.
    readable_addresses = True

    def _allocate_logical_id(self, tf_element: Any) -> str:
        hashed = self.hashed_logical_id(tf_element)
        if (
            not self.readable_addresses
            or not isinstance(tf_element, TerraformElement)
            or len(self._path_parts(tf_element)) < 2
        ):
            # One part: cdktf uses it as it is (outputs, top-level data sources). Not an element: an asset's
            # folder (assets/<id>/), which stays put so the Lambda's filename and the image's build context
            # keep their values in state.
            return hashed
        readable = hashed[:-HASH_SUFFIX_LENGTH]
        key = (self._kind(tf_element), readable)
        path = self._node(tf_element).path
        seen = self._readable_ids().setdefault(key, path)
        if seen != path:
            raise AddressCollision(f"constructs {seen} and {path} would both get the Terraform address {readable}")
        return readable

    def hashed_logical_id(self, tf_element: Any) -> str:
        """cdktf's own id (its base implementation), e.g. monitoring_role_3C7E8759."""
        return super()._allocate_logical_id(tf_element)

    def add_moved_blocks(self) -> None:
        """`moved` from each resource's hashed address to its readable one (Terraform >= 1.1)."""
        if not self.readable_addresses:
            return
        moves = []
        for element in self.node.find_all():
            if isinstance(element, TerraformResource) and element.cdktf_stack is self:
                old, new = self.hashed_logical_id(element), self.get_logical_id(element)
                if old != new:
                    rtype = element.terraform_resource_type
                    moves.append({"from": f"{rtype}.{old}", "to": f"{rtype}.{new}"})
        if moves:
            self.add_override("moved", sorted(moves, key=lambda m: (m["to"], m["from"])))

    # ------------------------------------------------------------------------------------------
    def _path_parts(self, tf_element: Any) -> list[str]:
        scopes = self._node(tf_element).scopes
        below = scopes[[s.node.path for s in scopes].index(self.node.path) + 1 :]
        return [s.node.id for s in below if s.node.id != HIDDEN_ID]

    @staticmethod
    def _node(tf_element: Any) -> Node:
        return tf_element if isinstance(tf_element, Node) else tf_element.node

    @staticmethod
    def _kind(tf_element: Any) -> str:
        if isinstance(tf_element, TerraformResource):
            return f"resource.{tf_element.terraform_resource_type}"
        if isinstance(tf_element, TerraformDataSource):
            return f"data.{tf_element.terraform_resource_type}"
        return "other"

    def _readable_ids(self) -> dict[tuple[str, str], str]:
        if "_readable" not in self.__dict__:
            self.__dict__["_readable"] = {}
        return self.__dict__["_readable"]


def depends_on_address(resource) -> str:
    """`type.name` of a resource, as `depends_on` wants it: a resource's `fqn` renders as a `${...}`
    reference (invalid there), and the setter of `depends_on` takes strings only."""
    return f"{resource.terraform_resource_type}.{resource.friendly_unique_id}"
