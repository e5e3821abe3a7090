"""The configuration's JSON Schema for editors (`python main.py --schema`): one property per flat parameter (the
names of the README table, snake_case) with its description and default, the fleet's `endpoints` (each entry
overrides any of them and names its endpoint) and `stack_per_endpoint`.

Built from the settings model, the one declaration of every parameter (monitors.settings.config.parameter_schema
gives a field's pydantic schema; this removes pydantic's own annotations and gathers the fields under their flat
names). It helps an editor complete and check a file; the synth stays the judge (cross-parameter rules, AWS limits
and kebab-case spellings are not in it)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from monitors.monitor_types import MONITORS
from monitors.settings.config import _schema, parameter_schema
from monitors.settings.model import PARAMETERS, FleetSettings

if TYPE_CHECKING:
    from monitors.settings.config import StackPlan

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Keys pydantic or param() add that are no JSON Schema keywords, or that name model internals (the README groups,
# stack_level, flat name templates, and titles derived from the nested field names).
_INTERNAL = frozenset({"group", "stack_level", "flat", "title"})


def _clean(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _clean(v) for k, v in node.items() if k not in _INTERNAL or not isinstance(v, (str, bool))}
    if isinstance(node, list):
        return [_clean(v) for v in node]
    return node


def configuration_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a flat configuration file."""
    properties = {name: _clean(parameter_schema(name)) for name in PARAMETERS}
    options_models = {spec.options.__name__ for spec in MONITORS.values()}
    defs = {name: _clean(d) for name, d in _schema().get("$defs", {}).items() if name not in options_models}
    fleet = FleetSettings.model_json_schema()
    defs.update({name: _clean(d) for name, d in fleet.get("$defs", {}).items()})
    endpoint_entry = {
        "type": "object",
        "description": "One endpoint of a fleet: any flat parameter, overriding the shared value for this endpoint.",
        "properties": {name: {"$ref": f"#/properties/{name}"} for name in PARAMETERS},
        "required": ["endpoint_name"],
        "additionalProperties": False,
    }
    defs["EndpointEntry"] = endpoint_entry
    endpoints = _clean(fleet["properties"]["endpoints"])
    endpoints.pop("anyOf", None)
    properties["endpoints"] = {
        **endpoints,
        "type": "array",
        "items": {"$ref": "#/$defs/EndpointEntry"},
        "minItems": 1,
    }
    properties["stack_per_endpoint"] = _clean(fleet["properties"]["stack_per_endpoint"])
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "SageMaker Model Monitor on Terraform: configuration",
        "description": (
            "Flat parameters (README, section Parameters), snake_case. One endpoint (endpoint_name) or several "
            "(endpoints). A SeedFarmer manifest lists the same names as parameters: name/value entries."
        ),
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "anyOf": [{"required": ["endpoint_name"]}, {"required": ["endpoints"]}],
        "$defs": defs,
    }


def schema_text() -> str:
    return json.dumps(configuration_schema(), indent=2, sort_keys=False) + "\n"


def check_summary(plans: list[StackPlan]) -> str:
    """What `main.py --check` prints for a valid configuration: the stacks a synth would write, and that it did not."""
    endpoints = sum(len(plan.endpoints) for plan in plans)
    names = ", ".join(plan.name for plan in plans)
    return (
        f"configuration valid: {endpoints} endpoint(s) in {len(plans)} stack(s) ({names}); nothing was written "
        "(--check)"
    )
