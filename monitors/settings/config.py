"""Turn a config file and SeedFarmer environment variables into validated ``Settings``.

Sources, later wins: the file given with ``--config`` (YAML or JSON; a SeedFarmer module manifest with a
``parameters:`` list, or a flat mapping), then ``SEEDFARMER_PARAMETER_<NAME>`` environment variables exactly
as SeedFarmer sets them (lists and dicts as JSON strings). Names may be snake_case or kebab-case.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from monitors.monitor_types import MONITORS
from monitors.naming import bounded_name, cloud_workspace_name
from monitors.settings.baseline_events import baseline_event_problems
from monitors.settings.fields import did_you_mean, shorten
from monitors.settings.model import (
    PARAMETERS,
    STACK_LEVEL,
    FleetSettings,
    Settings,
    SettingsProblems,
    derived_stack_name,
    flat_location,
)
from monitors.settings.rules import settings_warnings
from monitors.tooling import yaml_source

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
    fleet = FleetSettings.model_json_schema()["properties"]
    properties = {**{name: parameter_schema(name) for name in PARAMETERS}, **fleet}
    return {
        name
        for name, prop in properties.items()
        if {"array", "object"} & {option.get("type") for option in _options(prop)}
    }


def _unknown(name: str, source: str) -> str:
    hint = did_you_mean(name, [*PARAMETERS, *FleetSettings.model_fields]) if len(name) < 100 else ""
    return f"{shorten(name, 60)[1:-1]}: unknown parameter in {source}{hint}"


MAX_UNKNOWN_REPORTED = 20  # a file of thousands of stray keys gets a count, not thousands of lines


def _add(
    values: dict[str, tuple[Any, str]],
    raw_names: dict[str, str],
    raw: str,
    value: Any,
    source: str,
    problems: list[str],
) -> None:
    """Add one parameter; a name given twice (also as kebab-case and snake_case) is an error, not last-wins."""
    name = normalize_name(raw)
    if name in raw_names:
        first = raw_names[name]
        how = f"as {first!r} and {raw!r}" if first != raw else "twice"
        problems.append(f"{shorten(name, 60)[1:-1]}: given {how} in {source}; give it once")
        return
    raw_names[name] = raw
    values[name] = (value, source)


def _value_from_warning(name: str) -> str:
    return (
        f"warning: {name}: 'valueFrom' is resolved by SeedFarmer at deploy time and is ignored here; "
        f"pass the value with {ENV_PREFIX}{name.upper()} or as 'value'"
    )


def read_config_file(path: Path, warnings: list[str], value_from: set[str] | None = None) -> dict[str, tuple[Any, str]]:
    """Return {normalized name: (value, source)} from a manifest or flat mapping.

    value_from collects the names whose manifest entry has a `valueFrom` (named again if they end up missing).
    """
    try:
        data = yaml_source.load(path)  # YAML is a superset of JSON
    except yaml_source.SourceError as exc:
        raise ConfigError([f"--config: {exc}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ConfigError([f"--config: {path} must hold a mapping (flat parameters) or a SeedFarmer manifest"])

    source = str(path.name)
    values: dict[str, tuple[Any, str]] = {}
    raw_names: dict[str, str] = {}
    problems: list[str] = []
    if "parameters" in data:  # SeedFarmer module manifest
        params = data["parameters"]
        if not isinstance(params, list):
            raise ConfigError([f"--config: 'parameters' in {path} must be a list of name/value entries"])
        known = {*PARAMETERS, *FleetSettings.model_fields}
        for key in data:
            if normalize_name(str(key)) in known:
                problems.append(
                    f"{normalize_name(str(key))}: is a flat parameter beside the manifest's 'parameters:' "
                    f"in {source}; give it as a parameters entry"
                )
        for i, entry in enumerate(params):
            if not isinstance(entry, Mapping) or "name" not in entry:
                problems.append(f"parameters[{i}]: each entry needs a 'name' and a 'value'")
                continue
            name = normalize_name(str(entry["name"]))
            if "valueFrom" in entry:
                if value_from is not None:
                    value_from.add(name)  # warned about by _read_sources when no other source gives it
                else:
                    warnings.append(_value_from_warning(name))
                continue
            if "value" not in entry:
                problems.append(f"{name}: manifest entry has no 'value'")
                continue
            _add(values, raw_names, str(entry["name"]), entry["value"], source, problems)
    else:
        for key, value in data.items():
            _add(values, raw_names, str(key), value, source, problems)
    if problems:
        raise ConfigError(problems)
    return values


def read_environment(environ: Mapping[str, str]) -> dict[str, tuple[Any, str]]:
    structured = _structured_fields()
    values: dict[str, tuple[Any, str]] = {}
    raw_names: dict[str, str] = {}
    problems: list[str] = []
    for key in sorted(environ):
        if key.startswith(ENV_PREFIX):
            name = normalize_name(key[len(ENV_PREFIX) :])
            raw = environ[key]
            if name in raw_names:
                problems.append(f"{name}: given as {raw_names[name]} and {key}; give it once")
                continue
            raw_names[name] = key
            if len(raw.encode("utf-8", "surrogatepass")) > yaml_source.MAX_BYTES:
                problems.append(f"{name}: {key} has more than {yaml_source.MAX_BYTES} bytes")
            elif name in structured:
                try:
                    values[name] = (yaml_source.load_json_text(raw), key)
                except yaml_source.SourceError as exc:
                    problems.append(f"{name}: {key} {exc}")
                except ValueError:
                    problems.append(
                        f"{name}: {key} must be JSON (a list or mapping), as SeedFarmer passes it (got {shorten(raw)})"
                    )
            else:
                values[name] = (raw, key)
        elif key in SEEDFARMER_CONTEXT and environ[key]:
            values[SEEDFARMER_CONTEXT[key]] = (environ[key], key)
    if problems:
        raise ConfigError(problems)
    return values


def _format_error(err: Mapping[str, Any]) -> str:
    loc = flat_location(tuple(err["loc"]))
    field = str(loc[0]) + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[1:])
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] not in ("value_error", "missing", "extra_forbidden") and "got" not in msg:
        msg = f"{msg} (got {shorten(err.get('input'))})"
    return f"{field}: {msg}"


_SCHEMA: dict[str, Any] = {}


def _schema() -> dict[str, Any]:
    if not _SCHEMA:
        _SCHEMA.update(Settings.model_json_schema())
    return _SCHEMA


def parameter_schema(name: str) -> dict[str, Any]:
    """The JSON schema of one flat parameter (a monitor option's is in its options model's definition)."""
    where = PARAMETERS.get(name)
    if where is None:
        return {}
    if where.monitor is None:
        return _schema()["properties"][name]
    return _schema()["$defs"][MONITORS[where.monitor].options.__name__]["properties"][where.field]


def _options(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives of a field's schema, $refs resolved."""
    out = []
    for option in schema.get("anyOf", [schema]):
        if "$ref" in option:
            option = _schema()["$defs"][option["$ref"].rsplit("/", 1)[1]]
        out.append(option)
    return out


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEMPLATE = re.compile(r"[$%]\{")
# What cdktf decodes in any string it resolves (cdktf/lib/tokens/private/encoding.js): string, list and map tokens
# ("${TfToken[...]}", "#{TfToken[...]}", "&{TfToken[...]}"), and numbers written in a string (NUMBER_TOKEN_REGEX,
# read with JavaScript's parseFloat) that encode a number token.
_CDKTF_MARKER = re.compile(r"[#&]\{|TfToken\[")
_CDKTF_NUMBER_IN_TEXT = re.compile(r"[-|\d.+]+(e[-|\d.eE+]+)")
_JS_PARSE_FLOAT = re.compile(r"[+-]?(Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)")
# The top 16 bits of a double that cdktf reads as an encoded number token (DOUBLE_TOKEN_MARKER_BITS 0xfdff) or
# number list token (DOUBLE_LIST_TOKEN_MARKER_BITS 0xfbff): negative numbers of magnitude about 1e289 and 1e299.
_DOUBLE_TOKEN_MARKERS = (0xFDFF, 0xFBFF)


def cdktf_number_token(value: Any) -> bool:
    """A number cdktf would decode as a token (and fail on: no such token in the app)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        number = float(value)
    except OverflowError:
        return False
    return struct.unpack("<HHHH", struct.pack("<d", number))[3] in _DOUBLE_TOKEN_MARKERS


def cdktf_token_text(text: str) -> str | None:
    """What in a string cdktf would decode as a token, or None."""
    marker = _CDKTF_MARKER.search(text)
    if marker:
        return repr(marker.group())
    for match in _CDKTF_NUMBER_IN_TEXT.finditer(text):
        number = _JS_PARSE_FLOAT.match(match.group())
        if number and cdktf_number_token(float(number.group())):
            return f"the number {match.group()!r}, which encodes a cdktf number token"
    return None


def _raw_problems(field: str, value: Any, schema: dict[str, Any], path: str, problems: list[str]) -> Any:
    """Checks on the value as read, before the types: YAML 1.1 surprises, non-finite numbers, booleans given
    as numbers, control characters and Terraform template sequences. Returns the value to validate."""
    options = _options(schema)
    kinds = {o.get("type") for o in options}
    if isinstance(value, yaml_source.Surprise) and isinstance(value.value, float) and not math.isfinite(value.value):
        value = value.value  # .nan, .inf: reported as what they are below
    if isinstance(value, yaml_source.Surprise):
        if isinstance(value.value, bool) and kinds - {"null"} == {"boolean"}:
            return value.value  # `yes` for a boolean parameter means what it says
        problems.append(
            f"{path}: YAML 1.1 reads the unquoted {shorten(value.text)[1:-1]} as {value.value!r}; "
            f"quote it ({shorten(value.text)}) if you mean the text, or write the value plainly"
        )
        return None
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(f"{path}: must be a finite number (got {value})")
        return None
    if isinstance(value, bool) and kinds & {"integer", "number"} and "boolean" not in kinds:
        problems.append(f"{path}: must be a number, not a boolean (got {str(value).lower()})")
        return None
    if cdktf_number_token(value):
        problems.append(f"{path}: {value!r} is a number cdktf reads as an encoded token; give a plain number")
        return None
    if isinstance(value, str):
        if _CONTROL.search(value):
            problems.append(
                f"{path}: must not contain control characters such as newlines or tabs (got {shorten(value)})"
            )
            return None
        token = cdktf_token_text(value)
        if token:
            problems.append(
                f"{path}: must not contain {token}: cdktf would decode it as a token (got {shorten(value)})"
            )
            return None
        if _TEMPLATE.search(value):
            problems.append(
                f"{path}: must not contain '${{' or '%{{' (Terraform would evaluate it as a template) "
                f"(got {shorten(value)})"
            )
            return None
        return value
    if isinstance(value, Mapping):
        props = next((o for o in options if o.get("type") == "object"), {})
        out = {}
        for key, item in value.items():
            key = key.text if isinstance(key, yaml_source.Surprise) else key
            if isinstance(key, str) and _CONTROL.search(key):
                problems.append(f"{path}: key {shorten(key)} must not contain control characters")
                continue
            token = cdktf_token_text(key) if isinstance(key, str) else None
            if isinstance(key, str) and (token or _TEMPLATE.search(key)):
                why = f"{token}: cdktf would decode it as a token" if token else "'${' or '%{': a Terraform template"
                problems.append(f"{path}: key {shorten(key)} must not contain {why}")
                continue
            sub = props.get("properties", {}).get(key) or props.get("additionalProperties") or {}
            out[key] = _raw_problems(field, item, sub if isinstance(sub, dict) else {}, f"{path}.{key}", problems)
        return out
    if isinstance(value, list):
        items: dict[str, Any] = next((o.get("items", {}) for o in options if o.get("type") == "array"), {})
        return [_raw_problems(field, item, items, f"{path}[{i}]", problems) for i, item in enumerate(value)]
    return value


def validate(raw: Mapping[str, Any], *, bad_fields: frozenset[str] = frozenset()) -> Settings:
    """Validate flat parameters, reporting every problem: each parameter's own rules first, then the rules across
    parameters on those that passed (monitors.settings.rules skips a rule whose inputs failed).
    bad_fields: already reported by the caller (left out of raw)."""
    problems: list[str] = []
    checked: dict[str, Any] = {}
    bad: set[str] = set(bad_fields)
    for name, value in raw.items():
        before = len(problems)
        checked[name] = _raw_problems(name, value, parameter_schema(name), name, problems)
        if len(problems) > before:
            bad.add(name)
    values = {k: v for k, v in checked.items() if k not in bad}
    try:
        settings, cross_field = _cross_checked(values, bad)
    except ValidationError as exc:
        field_errors = exc.errors(include_url=False)
    else:
        if problems or cross_field:
            raise ConfigError(problems + cross_field)
        return settings
    problems += [_format_error(e) for e in field_errors]
    bad |= {str(flat_location(tuple(e["loc"]))[0]) for e in field_errors if e["loc"]}
    with contextlib.suppress(ValidationError):  # everything left passed its own rule; nothing more to learn
        problems.extend(_cross_checked({k: v for k, v in values.items() if k not in bad}, bad)[1])
    raise ConfigError(problems)


def _cross_checked(values: dict[str, Any], bad: set[str]) -> tuple[Settings, list[str]]:
    """The settings and the problems of the rules across parameters: the settings model's own, then the baseline
    events' (the baseline Lambda's validator run at synth time). Raises ValidationError for parameters that break
    their own rule."""
    try:
        # Settings nests the flat names itself.
        settings, problems = Settings.model_validate(values, context={"bad_fields": bad}), []
    except SettingsProblems as exc:
        assert exc.settings is not None
        settings, problems = exc.settings, list(exc.problems)
    return settings, problems + baseline_event_problems(settings, bad)


def _read_sources(
    config_path: Path | None, environ: Mapping[str, str], warnings: list[str], value_from: set[str] | None = None
) -> dict[str, tuple[Any, str]]:
    merged: dict[str, tuple[Any, str]] = {}
    problems: list[str] = []
    for reader in (
        (lambda: read_config_file(config_path, warnings, value_from)) if config_path else (lambda: {}),
        lambda: read_environment(environ),
    ):
        try:
            merged.update(reader())
        except ConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        # A source that could not be read: rules about the values would only repeat its consequences.
        raise ConfigError(problems)
    if value_from is not None:
        # A `valueFrom` entry is only worth a warning when no value arrives for it: under SeedFarmer the resolved
        # value comes as SEEDFARMER_PARAMETER_<NAME>. (Unset and required, its error says so instead.)
        warnings.extend(_value_from_warning(name) for name in sorted(value_from) if name not in merged)
    return merged


def _validate_known(values: Mapping[str, tuple[Any, str]], *, prefix: str = "") -> tuple[Settings | None, list[str]]:
    """Validate; return (settings or None, problems), unknown names included, each line prefixed."""
    unknown = [(name, src) for name, (_, src) in values.items() if name not in PARAMETERS]
    problems = [prefix + _unknown(name, src) for name, src in unknown[:MAX_UNKNOWN_REPORTED]]
    if len(unknown) > MAX_UNKNOWN_REPORTED:
        problems.append(f"{prefix}(and {len(unknown) - MAX_UNKNOWN_REPORTED} more unknown parameters)")
    try:
        settings = validate({name: value for name, (value, _) in values.items() if name in PARAMETERS})
    except ConfigError as exc:
        return None, problems + [prefix + p for p in exc.problems]
    return settings, problems


def _explain_value_from(problems: list[str], value_from: set[str]) -> list[str]:
    """A required parameter left unset because its manifest entry has `valueFrom`: say so in its error."""
    out = []
    for line in problems:
        field, _, rule = line.rpartition(": is required")
        name = field.rsplit(".", 1)[-1]
        if _ == ": is required" and name in value_from:
            line += (
                f" (its manifest entry has 'valueFrom', which only SeedFarmer resolves; pass the value with "
                f"{ENV_PREFIX}{name.upper()} or as 'value')"
            )
        out.append(line)
    return out


def load_settings(config_path: Path | None, environ: Mapping[str, str] | None = None) -> tuple[Settings, list[str]]:
    """One endpoint's settings and warnings. Raises ConfigError listing every problem."""
    warnings: list[str] = []
    value_from: set[str] = set()
    merged = _read_sources(config_path, os.environ if environ is None else environ, warnings, value_from)
    settings, problems = _validate_known(merged)
    if problems:
        raise ConfigError(_explain_value_from(problems, value_from))
    assert settings is not None
    return settings, warnings + settings_warnings(settings)


def _workspace(settings: Settings) -> str:
    """The Terraform Cloud workspace of a stack of its own (a per-endpoint or flat configuration's stack)."""
    return cloud_workspace_name(settings.tfc_workspace_name, settings.validated_stack_name, settings.endpoint_name)


# How to give each per-endpoint stack its own state, per parameter that would share it.
_UNSHARE = {
    "stack_name": "set it per endpoint or leave it unset (default: derived per endpoint)",
    "backend_s3_key": "set it per endpoint or leave it unset (default: <stack_name>/terraform.tfstate)",
    "tfc_workspace_name": (
        "put {stack_name} or {endpoint_name} in it (e.g. mm-{stack_name}), set it per endpoint, or leave it unset "
        "(default: each stack's name)"
    ),
}


@dataclass(frozen=True)
class StackPlan:
    """One CDKTF stack and the endpoints it monitors; `grouped` when it holds a fleet's endpoints."""

    name: str
    endpoints: tuple[Settings, ...]
    grouped: bool = False


def load_plan(config_path: Path | None, environ: Mapping[str, str] | None = None) -> tuple[list[StackPlan], list[str]]:
    """The stacks to synthesize: one for a flat configuration, one per endpoint (or one for all) with `endpoints`."""
    warnings: list[str] = []
    value_from: set[str] = set()
    merged = _read_sources(config_path, os.environ if environ is None else environ, warnings, value_from)
    fleet_raw = {name: merged.pop(name)[0] for name in list(merged) if name in FleetSettings.model_fields}
    if isinstance(fleet_raw.get("stack_per_endpoint"), yaml_source.Surprise):
        surprise = fleet_raw["stack_per_endpoint"]
        if not isinstance(surprise.value, bool):
            raise ConfigError([f"stack_per_endpoint: must be true or false (got {shorten(surprise.text)})"])
        fleet_raw["stack_per_endpoint"] = surprise.value
    try:
        fleet = FleetSettings.model_validate(fleet_raw)
    except ValidationError as exc:
        raise ConfigError([_format_error(e) for e in exc.errors(include_url=False)]) from None
    if fleet.endpoints is None:
        settings, problems = _validate_known(merged)
        if problems:
            raise ConfigError(_explain_value_from(problems, value_from))
        assert settings is not None  # no problems: validated
        return [StackPlan(settings.validated_stack_name, (settings,))], warnings + settings_warnings(settings)
    if not fleet.endpoints:
        raise ConfigError(["endpoints: must list at least one endpoint"])

    explicit_stack = merged.get("stack_name", (None, ""))[0]
    raw = {name: value for name, (value, _) in merged.items()}
    shared_stack = explicit_stack if explicit_stack is not None else derived_stack_name(raw, endpoint=False)
    problems = []
    if not fleet.stack_per_endpoint and "{endpoint_name}" in str(merged.get("tfc_workspace_name", ("", ""))[0]):
        problems.append(
            "tfc_workspace_name: {endpoint_name} needs a stack per endpoint; with stack_per_endpoint false the "
            "endpoints share one stack and one workspace (use {stack_name})"
        )
    endpoints: list[Settings] = []
    seen: dict[str, int] = {}
    derived_names: dict[str, tuple[int, str]] = {}
    for i, entry in enumerate(fleet.endpoints):
        prefix = f"endpoints[{i}]."
        overrides: dict[str, tuple[Any, str]] = {}
        entry_names: dict[str, str] = {}
        for k, v in entry.items():
            _add(overrides, entry_names, str(k), v, f"endpoints[{i}]", problems)
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
                problems.append(
                    f"{prefix}{key}: cannot differ per endpoint when stack_per_endpoint is false (one stack, one "
                    f"backend and provider)"
                )
        values = {**merged, **overrides}
        if not fleet.stack_per_endpoint or ("stack_name" not in overrides and explicit_stack is not None):
            # Per-endpoint stacks are named <stack_name>-<endpoint_name> (unset: each endpoint's derived
            # default, which names the endpoint); in one stack the same string prefixes each endpoint's
            # resource names so they don't collide.
            values["stack_name"] = (bounded_name(str(shared_stack), name), "derived")
        settings, found = _validate_known(values, prefix=prefix)
        problems.extend(_explain_value_from(found, value_from))
        if settings is not None:
            # IAM role, Lambda, schedule and repository names derive from the stack name and compare
            # case-insensitively (IAM) or are lower-cased (ECR): `a--b`/`a-b` and `Churn`/`churn` collide.
            derived = settings.validated_stack_name.lower()
            if derived in derived_names:
                j, other = derived_names[derived]
                problems.append(
                    f"{prefix}endpoint_name: {shorten(name)} and endpoints[{j}] {shorten(other)} derive the same "
                    f"resource names ({derived!r}, compared case-insensitively); rename one or give each a stack_name"
                )
                continue
            derived_names[derived] = (i, name)
            endpoints.append(settings)
            warnings.extend(f"{w} (endpoints[{i}])" for w in settings_warnings(settings))
    problems.extend(_shared_schedule_names(endpoints))
    if problems:
        raise ConfigError(problems)
    if fleet.stack_per_endpoint:
        plans = [StackPlan(s.validated_stack_name, (s,)) for s in endpoints]
        # Separate stacks must not share state: the same S3 key or the same Terraform Cloud workspace.
        for field, shared_by in (
            ("stack_name", lambda s: s.stack_name),
            (
                "backend_s3_key",
                lambda s: (s.backend_s3_bucket, s.backend_s3_key) if s.backend == "s3" and s.backend_s3_key else None,
            ),
            (
                "tfc_workspace_name",
                lambda s: (
                    (s.tfc_hostname, s.tfc_organization, _workspace(s))
                    if s.backend == "cloud" and not s.tfc_workspace_tags
                    else None
                ),
            ),
        ):
            shared = [shared_by(s) for s in endpoints if shared_by(s) is not None]
            if len(set(shared)) != len(shared):
                problems.append(f"{field}: the per-endpoint stacks would share it (and their state); {_UNSHARE[field]}")
        if problems:
            raise ConfigError(problems)
        if len(plans) > 1 and any(s.backend == "cloud" and s.tfc_workspace_tags for s in endpoints):
            warnings.append(
                "warning: tfc_workspace_tags: every stack of the fleet gets the same tags, so you select each "
                "stack's own workspace (terraform workspace select, or TF_WORKSPACE) before its first init; "
                "tfc_workspace_name with {stack_name} (or unset) names one workspace per stack instead"
            )
        return plans, warnings
    return [StackPlan(str(shared_stack), tuple(endpoints), grouped=True)], warnings


def _shared_schedule_names(endpoints: list[Settings]) -> list[str]:
    """Schedule names are the account's (per region): with <monitor>_schedule_name two endpoints could name one."""
    if not any(e.options(m).schedule_name for e in endpoints for m in e.enabled_monitors):
        return []
    seen: dict[str, str] = {}
    problems = []
    for settings in endpoints:
        for monitor in settings.enabled_monitors:
            name = settings.endpoint().schedule_name(
                MONITORS[monitor].resource_short_name, settings.options(monitor).schedule_name
            )
            owner = f"{settings.endpoint_name} {monitor.replace('_', ' ')}"
            other = seen.setdefault(name.lower(), owner)
            if other != owner:
                problems.append(
                    f"{monitor}_schedule_name: {name!r} names the schedules of {other} and {owner} (schedule names "
                    "are unique in an account and region); set it per endpoint"
                )
    return problems
