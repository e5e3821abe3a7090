"""Which configuration a run of main.py synthesizes: --config, --example or SEEDFARMER_PARAMETER_* — never a
silent fallback (in automation that would deploy the bundled example into the account)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from monitors.settings.config import ENV_PREFIX, ConfigError

# SeedFarmer publishes module parameters as <PROJECT>_PARAMETER_<NAME> when a deployment sets
# publishGenericEnvVariables: false, and as SEEDFARMER_PARAMETER_<NAME> when it is true.
_SEEDFARMER_LIKE = re.compile(r"[A-Z0-9_]+_PARAMETER_[A-Z0-9_]+")
EXPECTED = f"--config FILE, --example (the bundled examples/full.yaml), or {ENV_PREFIX}<NAME> environment variables"


def configuration_source(config: Path | None, example: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The config file to read (None: environment only); ConfigError when nothing (or too much) says what to build."""
    ours = sorted(key for key in environ if key.startswith(ENV_PREFIX))
    if example is not None:
        if ours:
            raise ConfigError(
                [
                    f"--example: the bundled example takes no {ENV_PREFIX}* variables (found {_listed(ours)}); "
                    "copy examples/full.yaml and give it with --config"
                ]
            )
        return example
    if config is not None or ours:
        return config
    others = sorted(key for key in environ if _SEEDFARMER_LIKE.fullmatch(key))
    if others:
        raise ConfigError(
            [
                f"no configuration: found {_listed(others)} but no {ENV_PREFIX}* variables "
                f"(SeedFarmer with publishGenericEnvVariables: false?); expected {EXPECTED}"
            ]
        )
    raise ConfigError([f"no configuration: expected {EXPECTED}"])


def _listed(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
