"""A resource's attributes handed to jsii as one plain structure, expanded in its stack's synthesized document.

cdktf's generic resource (monitors/constructs/generic.py) takes its attributes as overrides, one `addOverride`
jsii round trip each (~30 per endpoint). In a stack that finishes its own document (TerraformVersionStack), the
resource instead gets one override, `ATTRIBUTES` = {attribute: value}, which Node resolves (Terraform references
become `${...}`) with everything else; `expand()` then applies each attribute as `addOverride(attribute, value)`
would have (cdktf/lib/terraform-element.js) and deep-merges them into the body as cdktf merges overrides
(lib/util.js deepMerge), and lists the attributes in cdktf's metadata (`//.metadata.overrides.<type>`, in the
same order) where the one override stood. The document is the same, byte for byte.
"""

from __future__ import annotations

from typing import Any

ATTRIBUTES = "//attributes"


def expand(tf: dict[str, Any]) -> None:
    """Expand every resource's `ATTRIBUTES` override in a synthesized stack document (in place)."""
    overrides = ((tf.get("//") or {}).get("metadata") or {}).get("overrides") or {}
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
