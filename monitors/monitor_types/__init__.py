"""The monitor types: one module each (its options model, alarms, metrics, job definition payload and, for Clarify,
its analysis configuration), and this registry of their specs, the one place the set of types is written down.

``lambda_image/`` cannot import it (the image is self-contained); tests/test_registry.py checks the Lambda's own tables
against it. docs/extending.md walks through adding a monitor type.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from monitors.monitor_types import data_quality, model_bias, model_explainability, model_quality
from monitors.monitor_types.base import MonitorType

# Order matters: it is the order of constructs, outputs, baseline events and alarms in the output.
MONITORS: Mapping[str, MonitorType] = MappingProxyType(
    {spec.name: spec for spec in (data_quality.SPEC, model_quality.SPEC, model_bias.SPEC, model_explainability.SPEC)}
)
MONITOR_TYPES: tuple[str, ...] = tuple(MONITORS)
