"""A resource's attributes, and a stack's outputs, handed to jsii as one plain structure each, expanded in the
stack's synthesized document.

cdktf's generic resource (monitors/constructs/generic.py) takes its attributes as overrides, one `addOverride`
jsii round trip each (~30 per endpoint). In a stack that finishes its own document (TerraformVersionStack), the
resource instead gets one override, `ATTRIBUTES` = {attribute: value}, which Node resolves (Terraform references
become `${...}`) with everything else; `expand()` then applies each attribute as `addOverride(attribute, value)`
would have (cdktf/lib/terraform-element.js) and deep-merges them into the body as cdktf merges overrides
(lib/util.js deepMerge), and lists the attributes in cdktf's metadata (`//.metadata.overrides.<type>`, in the
same order) where the one override stood. The document is the same, byte for byte.

Stack outputs likewise: a `TerraformOutput` construct each costs a jsii object and round trip (13 per endpoint);
`TerraformVersionStack.add_outputs` hands an endpoint's outputs over as one stack override (`OUTPUTS`), which
`expand()` writes as cdktf writes a stack-level output: `output.<id>` = {value, description} and
`//.outputs.<stack>.<id>` = id, the id being the name without the characters cdktf drops.
"""

from __future__ import annotations

import re
from typing import Any

ATTRIBUTES = "//attributes"
OUTPUTS = "//outputs"
_DISALLOWED = re.compile(r"[^A-Za-z0-9_-]")  # cdktf/lib/private/unique.js removeNonAlphanumericSep


def output_id(name: str) -> str:
    """cdktf's logical id of an output built directly in its stack (one path part)."""
    return _DISALLOWED.sub("", name)


def expand(tf: dict[str, Any]) -> None:
    """Expand every resource's `ATTRIBUTES` override and the stack's `OUTPUTS` in a synthesized stack document
    (in place)."""
    metadata = (tf.get("//") or {}).get("metadata") or {}
    overrides = metadata.get("overrides") or {}
    if OUTPUTS in tf:
        batches = tf.pop(OUTPUTS)
        stack_overrides = overrides.get("stack") or []
        if OUTPUTS in stack_overrides:
            stack_overrides.remove(OUTPUTS)
            if not stack_overrides:
                del overrides["stack"]
                if not overrides:
                    metadata.pop("overrides", None)
        listed = tf["//"].setdefault("outputs", {}).setdefault(metadata.get("stackName", ""), {})
        for batch in batches.values():
            for name, body in batch.items():
                logical_id = output_id(name)
                tf.setdefault("output", {})[logical_id] = body
                listed[logical_id] = logical_id
    for rtype, bodies in (tf.get("resource") or {}).items():
        names: list[list[str]] = []  # per resource with the override, in element order (cdktf's metadata order)
        for body in bodies.values():
            if isinstance(body, dict) and ATTRIBUTES in body:
                attributes = body.pop(ATTRIBUTES)
                raw: dict[str, Any] = {}
                for path, value in attributes.items():
                    _add_override(raw, path, value)
                _deep_merge(body, raw)
                names.append(list(attributes))
        if names:
            listed = overrides.get(rtype) or []
            expanded: list[str] = []
            batches = iter(names)
            for name in listed:
                expanded.extend(next(batches) if name == ATTRIBUTES else [name])
            overrides[rtype] = expanded


def _add_override(raw: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    current = raw
    for key in parts[:-1]:
        if not isinstance(current.get(key), dict):
            current[key] = {}
        current = current[key]
    current[parts[-1]] = value


def _deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for key, value in source.items():
        if isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            _deep_merge(target[key], value)
        elif isinstance(value, list) and isinstance(target.get(key), list):
            target[key] = [*target[key], *value]
        else:
            target[key] = value
