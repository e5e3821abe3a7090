"""Settings built in Python: `monitoring_settings(endpoint_name=..., ...)`, the same typed model, rules and
messages as a configuration file, with every problem in one `SettingsError`.

    from sagemaker_model_monitoring_cdktf import SettingsError, monitoring_settings

    try:
        settings = monitoring_settings(endpoint_name=endpoint.name, model_bucket_arn=bucket.arn, ...)
    except SettingsError as exc:
        print(*exc.problems, sep="\\n")   # "data_quality_output_s3_uri: is required when ..."

Parameters naming AWS objects may be Terraform references of the same app (monitors/tokens.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from monitors import tokens
from monitors.settings.config import ConfigError, validate
from monitors.settings.fields import did_you_mean, shorten
from monitors.settings.model import PARAMETERS, FleetSettings, Settings


class SettingsError(ConfigError):
    """Settings with bad values: `.problems` has one line per problem, each naming the parameter and the rule."""


def monitoring_settings(**parameters: Any) -> Settings:
    """Validated `Settings` for one endpoint from keyword parameters (the names of the README table).
    Raises SettingsError listing every problem."""
    problems: list[str] = []
    known: dict[str, Any] = {}
    for name, value in parameters.items():
        if name in FleetSettings.model_fields:
            problems.append(
                f"{name}: a SageMakerModelMonitoring monitors one endpoint; create one per endpoint "
                "(or use a configuration file with MonitoringStack)"
            )
        elif name not in PARAMETERS:
            problems.append(f"{shorten(name, 60)[1:-1]}: unknown parameter{did_you_mean(name, list(PARAMETERS))}")
        else:
            # Nested models (alarms, batch inputs) may be given as objects or as mappings.
            known[name] = _plain(value)
    checked, restore, token_problems, token_fields = tokens.stand_ins(known, PARAMETERS)
    problems += token_problems
    try:
        settings = validate(checked, bad_fields=frozenset(token_fields))
    except ConfigError as exc:
        problems += exc.problems
        settings = None
    if problems:
        raise SettingsError(problems)
    assert settings is not None
    return settings.with_parameters(restore) if restore else settings


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_unset=True)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
