"""Turn a config file and SeedFarmer environment variables into validated ``Settings``.

Sources, later wins: the file given with ``--config`` (YAML or JSON; a SeedFarmer module manifest with a
``parameters:`` list, or a flat mapping), then ``SEEDFARMER_PARAMETER_<NAME>`` environment variables exactly
as SeedFarmer sets them (lists and dicts as JSON strings). Names may be snake_case or kebab-case.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from monitors.naming import bounded_name
from monitors.settings import (
    FleetSettings, STACK_LEVEL, Settings, SettingsProblems, derived_stack_name, did_you_mean, settings_warnings,
)

ENV_PREFIX = "SEEDFARMER_PARAMETER_"
# SeedFarmer's own context variables, tagged when present.
SEEDFARMER_CONTEXT = {
    "SEEDFARMER_PROJECT_NAME": "seedfarmer_project_name",
    "SEEDFARMER_DEPLOYMENT_NAME": "seedfarmer_deployment_name",
    "SEEDFARMER_MODULE_NAME": "seedfarmer_module_name",
}


class ConfigError(Exception):
    """Bad configuration: one line per problem, each naming the parameter and the rule."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def normalize_name(name: str) -> str:
    return name.strip().replace("-", "_").lower()


def _structured_fields() -> set[str]:
    """Fields whose values arrive as JSON strings from the environment (lists and dicts)."""
    properties = {**Settings.model_json_schema()["properties"], **FleetSettings.model_json_schema()["properties"]}
    return {
        name for name, prop in properties.items()
        if {"array", "object"} & {option.get("type") for option in prop.get("anyOf", [prop])}
    }


def _unknown(name: str, source: str) -> str:
    return f"{name}: unknown parameter in {source}{did_you_mean(name, [*Settings.model_fields, *FleetSettings.model_fields])}"


def read_config_file(path: Path, warnings: list[str]) -> dict[str, tuple[Any, str]]:
    """Return {normalized name: (value, source)} from a manifest or flat mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"--config: cannot read {path}: {exc.strerror}"]) from None
    try:
        data = yaml.safe_load(text)  # YAML is a superset of JSON
    except yaml.YAMLError as exc:
        raise ConfigError([f"--config: {path} is not valid YAML or JSON: {exc}".splitlines()[0]]) from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError([f"--config: {path} must hold a mapping (flat parameters) or a SeedFarmer manifest"])

    source = str(path.name)
    values: dict[str, tuple[Any, str]] = {}
    problems: list[str] = []
    if "parameters" in data:  # SeedFarmer module manifest
        params = data["parameters"]
        if not isinstance(params, list):
            raise ConfigError([f"--config: 'parameters' in {path} must be a list of name/value entries"])
        for i, entry in enumerate(params):
            if not isinstance(entry, Mapping) or "name" not in entry:
                problems.append(f"parameters[{i}]: each entry needs a 'name' and a 'value'")
                continue
            name = normalize_name(str(entry["name"]))
            if "valueFrom" in entry:
                warnings.append(
                    f"warning: {name}: 'valueFrom' is resolved by SeedFarmer at deploy time and is ignored here; "
                    f"pass the value with {ENV_PREFIX}{name.upper()} or as 'value'"
                )
                continue
            if "value" not in entry:
                problems.append(f"{name}: manifest entry has no 'value'")
                continue
            values[name] = (entry["value"], source)
    else:
        for key, value in data.items():
            values[normalize_name(str(key))] = (value, source)
    if problems:
        raise ConfigError(problems)
    return values


def read_environment(environ: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    structured = _structured_fields()
    values: dict[str, tuple[Any, str]] = {}
    problems: list[str] = []
    for key in sorted(environ):
        if key.startswith(ENV_PREFIX):
            name = normalize_name(key[len(ENV_PREFIX):])
            raw = environ[key]
            if name in structured:
                try:
                    values[name] = (json.loads(raw), key)
                except json.JSONDecodeError:
                    problems.append(f"{name}: {key} must be JSON (a list or mapping), as SeedFarmer passes it (got {raw!r})")
            else:
                values[name] = (raw, key)
        elif key in SEEDFARMER_CONTEXT and environ[key]:
            values[SEEDFARMER_CONTEXT[key]] = (environ[key], key)
    if problems:
        raise ConfigError(problems)
    return values


def _format_error(err: Mapping[str, Any]) -> str:
    loc = err["loc"]
    field = str(loc[0]) + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] not in ("value_error", "missing", "extra_forbidden") and "got" not in msg:
        msg = f"{msg} (got {err.get('input')!r})"
    return f"{field}: {msg}"


def validate(raw: Mapping[str, Any]) -> Settings:
    """Validate, reporting every problem: field rules first, then cross-field rules on the fields that passed."""
    try:
        return Settings.model_validate(dict(raw), context={"bad_fields": set()})
    except SettingsProblems as exc:
        raise ConfigError(exc.problems) from None
    except ValidationError as exc:
        field_errors = exc.errors(include_url=False)
    bad = {str(e["loc"][0]) for e in field_errors if e["loc"]}
    problems = [_format_error(e) for e in field_errors]
    try:
        Settings.model_validate({k: v for k, v in raw.items() if k not in bad}, context={"bad_fields": bad})
    except SettingsProblems as exc:
        problems.extend(exc.problems)
    except ValidationError:
        pass  # everything left passed its own rule; nothing more to learn
    raise ConfigError(problems)


def _read_sources(config_path: Path | None, environ: Mapping[str, str], warnings: list[str]) -> dict[str, tuple[Any, str]]:
    merged: dict[str, tuple[Any, str]] = {}
    problems: list[str] = []
    for reader in (
        (lambda: read_config_file(config_path, warnings)) if config_path else (lambda: {}),
        lambda: read_environment(environ),
    ):
        try:
            merged.update(reader())
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        # A source that could not be read: rules about the values would only repeat its consequences.
        raise ConfigError(problems)
    return merged


def _validate_known(values: Mapping[str, tuple[Any, str]], *, prefix: str = "") -> tuple[Settings | None, list[str]]:
    """Validate; return (settings or None, problems), unknown names included, each line prefixed."""
    problems = [prefix + _unknown(name, src) for name, (_, src) in values.items() if name not in Settings.model_fields]
    try:
        settings = validate({name: value for name, (value, _) in values.items() if name in Settings.model_fields})
    except ConfigError as exc:
        return None, problems + [prefix + p for p in exc.problems]
    return settings, problems


def load_settings(config_path: Path | None, environ: Mapping[str, str] | None = None) -> tuple[Settings, list[str]]:
    """One endpoint's settings and warnings. Raises ConfigError listing every problem."""
    warnings: list[str] = []
    merged = _read_sources(config_path, os.environ if environ is None else environ, warnings)
    settings, problems = _validate_known(merged)
    if problems:
        raise ConfigError(problems)
    assert settings is not None
    return settings, warnings + settings_warnings(settings)


@dataclass(frozen=True)
class StackPlan:
    """One CDKTF stack and the endpoints it monitors; `grouped` when it holds a fleet's endpoints."""

    name: str
    endpoints: tuple[Settings, ...]
    grouped: bool = False


def load_plan(config_path: Path | None, environ: Mapping[str, str] | None = None) -> tuple[list[StackPlan], list[str]]:
    """The stacks to synthesize: one for a flat configuration, one per endpoint (or one for all) with `endpoints`."""
    warnings: list[str] = []
    merged = _read_sources(config_path, os.environ if environ is None else environ, warnings)
    fleet_raw = {name: merged.pop(name)[0] for name in list(merged) if name in FleetSettings.model_fields}
    try:
        fleet = FleetSettings.model_validate(fleet_raw)
    except ValidationError as exc:
        raise ConfigError([_format_error(e) for e in exc.errors(include_url=False)]) from None
    if fleet.endpoints is None:
        settings, problems = _validate_known(merged)
        if problems:
            raise ConfigError(problems)
        return [StackPlan(settings.stack_name, (settings,))], warnings + settings_warnings(settings)
    if not fleet.endpoints:
        raise ConfigError(["endpoints: must list at least one endpoint"])

    explicit_stack = merged.get("stack_name", (None, ""))[0]
    raw = {name: value for name, (value, _) in merged.items()}
    shared_stack = explicit_stack if explicit_stack is not None else derived_stack_name(raw, endpoint=False)
    problems: list[str] = []
    endpoints: list[Settings] = []
    seen: dict[str, int] = {}
    for i, entry in enumerate(fleet.endpoints):
        prefix = f"endpoints[{i}]."
        overrides = {normalize_name(str(k)): (v, f"endpoints[{i}]") for k, v in entry.items()}
        name = str(overrides.get("endpoint_name", ("", ""))[0])
        if not name:
            problems.append(f"{prefix}endpoint_name: is required for every entry of endpoints")
            continue
        if name in seen:
            problems.append(f"{prefix}endpoint_name: {name!r} is listed twice (also endpoints[{seen[name]}])")
            continue
        seen[name] = i
        if not fleet.stack_per_endpoint:
            for key in sorted(STACK_LEVEL & set(overrides)):
                problems.append(f"{prefix}{key}: cannot differ per endpoint when stack_per_endpoint is false (one stack, one backend and provider)")
        values = {**merged, **overrides}
        if not fleet.stack_per_endpoint or ("stack_name" not in overrides and explicit_stack is not None):
            # Per-endpoint stacks are named <stack_name>-<endpoint_name> (unset: each endpoint's derived
            # default, which names the endpoint); in one stack the same string prefixes each endpoint's
            # resource names so they don't collide.
            values["stack_name"] = (bounded_name(str(shared_stack), name), "derived")
        settings, found = _validate_known(values, prefix=prefix)
        problems.extend(found)
        if settings is not None:
            endpoints.append(settings)
            warnings.extend(f"{w} (endpoints[{i}])" for w in settings_warnings(settings))
    if problems:
        raise ConfigError(problems)
    if fleet.stack_per_endpoint:
        plans = [StackPlan(s.stack_name, (s,)) for s in endpoints]
        # Separate stacks must not share state: the same S3 key or the same Terraform Cloud workspace.
        for field, key in (
            ("stack_name", lambda s: s.stack_name),
            ("backend_s3_key", lambda s: (s.backend_s3_bucket, s.backend_s3_key) if s.backend == "s3" and s.backend_s3_key else None),
            ("tfc_workspace_name", lambda s: s.tfc_workspace_name if s.backend == "cloud" else None),
        ):
            values = [key(s) for s in endpoints if key(s) is not None]
            if len(set(values)) != len(values):
                problems.append(f"{field}: the per-endpoint stacks would share it (and their state); set it per endpoint or leave it to the default")
        if problems:
            raise ConfigError(problems)
        return plans, warnings
    return [StackPlan(str(shared_stack), tuple(endpoints), grouped=True)], warnings


def has_environment_parameters(environ: Mapping[str, str]) -> bool:
    return any(key.startswith(ENV_PREFIX) for key in environ)
