"""Readable Terraform addresses: the construct path without cdktf's hash suffix, plus `moved` blocks from
the hashed addresses earlier versions wrote, so an existing state upgrades with an empty plan.

cdktf names an element nested in constructs `<path parts joined by _>_<8 hex digits of an MD5 of the
path>` (makeUniqueId in cdktf/lib/private/unique.js), e.g. `aws_iam_role.monitoring_role_3C7E8759`. The
path is already unique within a stack (a fleet's shared stack nests each endpoint in a scope named after
it), so the readable part alone is the address here: `aws_iam_role.monitoring_role`. The one way two
paths could read the same (cdktf drops a part the previous part ends with, and `-`/`_` survive as they
are) is checked: it fails the synth naming both constructs rather than merging two resources.

cdktf allocates its own (hashed) ids, with no call back into Python; `readable()` renames them in the
stack's synthesized document, once per stack (a pure-Python pass, `ReadableAddressStack.to_terraform`):
the element keys, each element's `uniqueId` metadata and every reference to them (`type.id`, `local.id`,
`data.type.id`, in any string). Renaming per element in `allocateLogicalId` cost a dozen jsii round trips
per resource (node paths and scopes read back from Node).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from monitors.tooling.terraform_version import TerraformVersionStack

HASH_SUFFIX_LENGTH = 9  # "_" + the 8 hex digits of cdktf's path hash
HIDDEN_ID = "Default"  # cdktf leaves this part out of ids entirely
_HASHED = re.compile(r"^(?P<readable>.+)_(?P<hash>[0-9A-F]{8})$")
# Sections whose keys are element ids directly (resource and data are keyed by type first).
_ID_SECTIONS = ("locals", "output", "provider", "module", "variable")


class AddressCollision(Exception):
    pass


class ReadableAddressStack(TerraformVersionStack):
    """A TerraformStack whose elements get readable logical ids in its synthesized document; with
    `add_moved_blocks()` (called once everything is built) also a `moved` block from each resource's hashed
    id to its readable one."""

    # False synthesizes the hashed ids (what versions before readable addresses wrote), without moved
    # blocks: the upgrade test applies that output first.
    readable_addresses = True

    def add_moved_blocks(self) -> None:
        """`moved` from each resource's hashed address to its readable one (Terraform >= 1.1), written when
        the stack is synthesized (no jsii call here)."""
        self.__dict__["_moved_blocks"] = True

    def _rewrite(self, tf: dict[str, Any]) -> None:
        if self.readable_addresses:
            readable(tf, moved_blocks=self.__dict__.get("_moved_blocks", False))


def readable(tf: dict[str, Any], *, moved_blocks: bool) -> None:
    """Rename the hashed element ids of a synthesized stack document (in place) to their readable form; with
    `moved_blocks`, add a `moved` block per renamed resource, as a stack override would (cdktf's metadata
    lists it among the stack's overrides)."""
    renames: dict[str, str] = {}  # hashed id -> readable id
    moves: list[dict[str, str]] = []
    seen: dict[tuple[str, str], str] = {}  # (kind, readable id) -> the construct it names

    output_paths = dict(_output_paths((tf.get("//") or {}).get("outputs") or {}, []))

    def rename(kind: str, bodies: dict[str, Any], *, keyed_by_type: str | None) -> None:
        for hashed in list(bodies):
            body = bodies[hashed]
            metadata = body.get("//", {}).get("metadata", {}) if isinstance(body, dict) else {}
            path = metadata.get("path") or (output_paths.get(hashed) if bodies is tf.get("output") else None)
            new = _readable_id(hashed, path)
            if new is None:
                continue
            where = path or hashed
            first = seen.setdefault((kind, new), where)
            if first != where or new in bodies:
                other = first if first != where else _path(bodies[new]) or new
                raise AddressCollision(f"constructs {other} and {where} would both get the Terraform address {new}")
            renames[hashed] = new
            if metadata.get("uniqueId") == hashed:
                metadata["uniqueId"] = new
            if keyed_by_type is not None:
                moves.append({"from": f"{keyed_by_type}.{hashed}", "to": f"{keyed_by_type}.{new}"})

    for section in ("resource", "data"):
        for rtype, bodies in (tf.get(section) or {}).items():
            rename(f"{section}.{rtype}", bodies, keyed_by_type=rtype if section == "resource" else None)
    for section in _ID_SECTIONS:
        if isinstance(tf.get(section), dict):
            rename("other", tf[section], keyed_by_type=None)
    if not renames:
        return

    pattern = re.compile(
        r"(?<=\.)(" + "|".join(re.escape(h) for h in sorted(renames, key=len, reverse=True)) + r")(?![A-Za-z0-9_-])"
    )

    def substitute(value: Any) -> Any:
        if isinstance(value, str):
            return pattern.sub(lambda m: renames[m.group(1)], value) if "." in value else value
        if isinstance(value, dict):
            return {substitute(k): substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [substitute(v) for v in value]
        return value

    # Element keys are renamed where they are keys (resource.<type>.<id>, locals.<id>, ...), references anywhere.
    renamed = {key: _rename_keys(key, value, renames) for key, value in tf.items()}
    tf.clear()
    tf.update(substitute(renamed))
    if moved_blocks and moves:
        tf["moved"] = sorted(moves, key=lambda m: (m["to"], m["from"]))
        overrides = tf["//"]["metadata"].setdefault("overrides", {}).setdefault("stack", [])
        if "moved" not in overrides:
            overrides.append("moved")


def _rename_keys(section: str, value: Any, renames: dict[str, str]) -> Any:
    if section in ("resource", "data") and isinstance(value, dict):
        return {rtype: {renames.get(k, k): v for k, v in bodies.items()} for rtype, bodies in value.items()}
    if section in _ID_SECTIONS and isinstance(value, dict):
        return {renames.get(k, k): v for k, v in value.items()}
    return value


def _output_paths(tree: dict[str, Any], parts: list[str]):
    """(id, construct path) of each output, from cdktf's `//.outputs` (the path's parts nested, the id the leaf)."""
    for part, value in tree.items():
        if isinstance(value, dict):
            yield from _output_paths(value, [*parts, part])
        else:
            yield value, "/".join([*parts, part])


def _path(body: Any) -> str | None:
    return body.get("//", {}).get("metadata", {}).get("path") if isinstance(body, dict) else None


def _readable_id(hashed: str, path: str | None) -> str | None:
    """The readable id of an element cdktf named `hashed`, or None when cdktf used its one path part as it is.
    With the element's construct path (resources, data sources, providers): exactly when cdktf hashed it (two
    or more parts below the stack, `Default` left out, whose MD5 is the suffix); without (locals): an id
    ending in `_` + 8 hex digits."""
    match = _HASHED.match(hashed)
    if match is None:
        return None
    if path is not None:
        parts = path.split("/")
        for start in range(1, len(parts) - 1):  # the parts below the stack (its own path may have several)
            components = [p for p in parts[start:] if p != HIDDEN_ID]
            if len(components) >= 2 and _md5_suffix(components) == match["hash"]:
                return match["readable"]
        return None
    return match["readable"]


def _md5_suffix(components: list[str]) -> str:
    return hashlib.md5("/".join(components).encode()).hexdigest()[:8].upper()  # noqa: S324 (cdktf's pathHash)


def depends_on_address(resource) -> str:
    """`type.name` of a resource, as `depends_on` wants it: a resource's `fqn` renders as a `${...}`
    reference (invalid there), and the setter of `depends_on` takes strings only. (cdktf's hashed id: the
    stack's document renames it with every other reference.) Read from jsii once per resource."""
    if "_depends_on_address" not in resource.__dict__:
        resource.__dict__["_depends_on_address"] = f"{resource.terraform_resource_type}.{resource.friendly_unique_id}"
    return resource.__dict__["_depends_on_address"]
