"""Public import path of the installed library (`pip install sagemaker-model-monitoring-cdktf`).

    from sagemaker_model_monitoring_cdktf import MonitoringStack, Settings, load_plan, synthesize
    # in your own CDKTF app (README "Embedding in your own CDKTF app"):
    from sagemaker_model_monitoring_cdktf import SageMakerModelMonitoring, SettingsError, monitoring_settings

In the wheel, the repository's monitors/ and baseline/ live below this package (see setup.py); in a
checkout this file maps the same names onto them. Names load on first use, so importing the package does
not start jsii (cdktf) before it is needed.
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

__all__ = [
    "ConfigError",
    "MonitoringStack",
    "SageMakerModelMonitoring",
    "Settings",
    "SettingsError",
    "load_plan",
    "monitoring_settings",
    "synthesize",
]
_EXPORTS = {
    "MonitoringStack": ("monitors.constructs.stack", "MonitoringStack"),
    "Settings": ("monitors.settings.model", "Settings"),
    "ConfigError": ("monitors.settings.config", "ConfigError"),
    "load_plan": ("monitors.settings.config", "load_plan"),
    "synthesize": ("monitors.constructs.app", "synthesize"),
    "SageMakerModelMonitoring": ("monitors.constructs.construct", "SageMakerModelMonitoring"),
    "SettingsError": ("monitors.settings.builder", "SettingsError"),
    "monitoring_settings": ("monitors.settings.builder", "monitoring_settings"),
}
# The wheel nests monitors/ here; a checkout has it at the top level.
_BASE = f"{__name__}." if importlib.util.find_spec(f"{__name__}.monitors") else ""


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    return getattr(importlib.import_module(_BASE + module), attribute)
